"""The async clients: ``AsyncClient`` (``await chromadb.AsyncHttpClient(...)``) and
``AsyncAdminClient``. Each holds its own ``AsyncFastAPI`` (an ``httpx.AsyncClient`` belongs to
the event loop that uses it)."""

from __future__ import annotations

from typing import Any, Dict, List, Optional
from uuid import UUID

from chromadb.api.async_api import AsyncAdminAPI, AsyncClientAPI, AsyncServerAPI
from chromadb.api.async_fastapi import AsyncFastAPI
from chromadb.api.collection_configuration import (
    DEFAULT_EMBEDDING_FUNCTION,
    SCHEMA_KEY,
    configuration_with_embedding_function,
)
from chromadb.api.models.AsyncCollection import AsyncCollection
from chromadb.api.models.model import CollectionModel, Database, Tenant
from chromadb.api.schema import Schema
from chromadb.api.shared_system_client import SharedSystemClient
from chromadb.api.types import CollectionMetadata, EmbeddingFunction
from chromadb.config import DEFAULT_DATABASE, DEFAULT_TENANT, Settings, System

__all__ = ["AsyncAdminClient", "AsyncClient"]


def _server(settings: Settings) -> AsyncFastAPI:
    if not settings.is_rest():
        raise ValueError("The async client talks to a server: use chromadb.AsyncHttpClient")
    return AsyncFastAPI(System(settings))


class AsyncClient(SharedSystemClient, AsyncClientAPI):
    """An async client bound to one tenant and database."""

    def __init__(
        self,
        settings: Optional[Settings] = None,
        tenant: str = DEFAULT_TENANT,
        database: str = DEFAULT_DATABASE,
    ) -> None:
        self._settings = (
            settings
            if settings is not None
            else Settings(chroma_api_impl="chromadb.api.fastapi.FastAPI")
        )
        self._api: AsyncServerAPI = _server(self._settings)
        self.tenant = tenant
        self.database = database

    @classmethod
    async def create(
        cls,
        settings: Optional[Settings] = None,
        tenant: str = DEFAULT_TENANT,
        database: str = DEFAULT_DATABASE,
    ) -> AsyncClient:
        """A client whose tenant and database are checked to exist."""
        client = cls(settings, tenant, database)
        if (tenant, database) != (DEFAULT_TENANT, DEFAULT_DATABASE):
            await client._api.get_tenant(tenant)
            await client._api.get_database(database, tenant=tenant)
        return client

    def _wrap(self, model: CollectionModel, embedding_function: Any) -> AsyncCollection:
        return AsyncCollection(self._api, model, embedding_function)

    async def heartbeat(self) -> int:
        """The server's time in nanoseconds."""
        return await self._api._heartbeat()

    async def list_collections(
        self, limit: Optional[int] = None, offset: Optional[int] = None
    ) -> List[AsyncCollection]:
        """The collections of this client's database, in creation order."""
        models = await self._api._list_collections(
            limit, offset, tenant=self.tenant, database=self.database
        )
        return [self._wrap(m, DEFAULT_EMBEDDING_FUNCTION) for m in models]

    async def count_collections(self) -> int:
        """How many collections this client's database holds."""
        return await self._api._count_collections(tenant=self.tenant, database=self.database)

    async def create_collection(
        self,
        name: str,
        metadata: Optional[CollectionMetadata] = None,
        embedding_function: Optional[EmbeddingFunction[Any]] = DEFAULT_EMBEDDING_FUNCTION,
        get_or_create: bool = False,
        configuration: Optional[Dict[str, Any]] = None,
        data_loader: Any = None,
        schema: Optional[Schema] = None,
    ) -> AsyncCollection:
        """Create a collection (see ``Client.create_collection``)."""
        config = configuration_with_embedding_function(configuration, embedding_function)
        if schema is not None:
            config[SCHEMA_KEY] = schema.serialize_to_json()
        model = await self._api._create_collection(
            name,
            metadata=metadata,
            configuration=config,
            get_or_create=get_or_create,
            tenant=self.tenant,
            database=self.database,
        )
        return self._wrap(model, embedding_function)

    async def get_collection(
        self,
        name: str,
        embedding_function: Optional[EmbeddingFunction[Any]] = DEFAULT_EMBEDDING_FUNCTION,
        id: Optional[UUID] = None,
        data_loader: Any = None,
    ) -> AsyncCollection:
        """An existing collection; raises NotFoundError when there is none of that name."""
        model = await self._api._get_collection(name, tenant=self.tenant, database=self.database)
        return self._wrap(model, embedding_function)

    async def get_or_create_collection(
        self,
        name: str,
        metadata: Optional[CollectionMetadata] = None,
        embedding_function: Optional[EmbeddingFunction[Any]] = DEFAULT_EMBEDDING_FUNCTION,
        configuration: Optional[Dict[str, Any]] = None,
        data_loader: Any = None,
        schema: Optional[Schema] = None,
    ) -> AsyncCollection:
        """The collection of that name, created when it does not exist."""
        return await self.create_collection(
            name,
            metadata,
            embedding_function,
            get_or_create=True,
            configuration=configuration,
            schema=schema,
        )

    async def delete_collection(self, name: str) -> None:
        """Delete a collection and its records."""
        await self._api._delete_collection(name, tenant=self.tenant, database=self.database)

    async def reset(self) -> bool:
        """Empty the database (the server must allow reset)."""
        return await self._api._reset()

    async def get_version(self) -> str:
        """The server's version."""
        return await self._api._get_version()

    def get_settings(self) -> Settings:
        """The settings this client was made with."""
        return self._settings

    async def get_max_batch_size(self) -> int:
        """The largest batch one write accepts."""
        return await self._api._get_max_batch_size()

    async def set_tenant(self, tenant: str, database: str = DEFAULT_DATABASE) -> None:
        """Point this client at another tenant (and database); both must exist."""
        await self._api.get_tenant(tenant)
        await self._api.get_database(database, tenant=tenant)
        self.tenant, self.database = tenant, database

    async def set_database(self, database: str) -> None:
        """Point this client at another database of its tenant; it must exist."""
        await self._api.get_database(database, tenant=self.tenant)
        self.database = database

    async def aclose(self) -> None:
        """Close this client's connections."""
        api = self._api
        if isinstance(api, AsyncFastAPI):
            await api.aclose()


class AsyncAdminClient(SharedSystemClient, AsyncAdminAPI):
    """Async management of tenants and databases."""

    def __init__(self, settings: Optional[Settings] = None) -> None:
        self._api = _server(
            settings
            if settings is not None
            else Settings(chroma_api_impl="chromadb.api.fastapi.FastAPI")
        )

    async def create_tenant(self, name: str) -> None:
        await self._api.create_tenant(name)

    async def get_tenant(self, name: str) -> Tenant:
        return await self._api.get_tenant(name)

    async def create_database(self, name: str, tenant: str = DEFAULT_TENANT) -> None:
        await self._api.create_database(name, tenant=tenant)

    async def get_database(self, name: str, tenant: str = DEFAULT_TENANT) -> Database:
        return await self._api.get_database(name, tenant=tenant)

    async def delete_database(self, name: str, tenant: str = DEFAULT_TENANT) -> None:
        await self._api.delete_database(name, tenant=tenant)

    async def list_databases(
        self,
        limit: Optional[int] = None,
        offset: Optional[int] = None,
        tenant: str = DEFAULT_TENANT,
    ) -> List[Database]:
        return await self._api.list_databases(limit, offset, tenant=tenant)
