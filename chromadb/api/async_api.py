"""The async API contract (as ``chromadb.api.async_api`` in Chroma): the client methods of
``AsyncClientAPI`` are coroutines, and ``AsyncServerAPI`` is what an async backend implements
(our ``AsyncFastAPI`` over httpx)."""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import Any, Dict, List, Optional, Tuple
from uuid import UUID

from chromadb.api.models.model import CollectionModel, Database, Tenant
from chromadb.api.types import (
    CollectionMetadata,
    Documents,
    EmbeddingMatrix,
    GetResult,
    IDs,
    Include,
    Metadatas,
    QueryResult,
    URIs,
    Where,
    WhereDocument,
)
from chromadb.config import DEFAULT_DATABASE, DEFAULT_TENANT, Component, Settings, System

__all__ = [
    "AsyncAdminAPI",
    "AsyncBaseAPI",
    "AsyncClientAPI",
    "AsyncServerAPI",
    "CollectionModel",
    "Component",
    "DEFAULT_DATABASE",
    "DEFAULT_TENANT",
    "Database",
    "Settings",
    "Tenant",
]


class AsyncBaseAPI(ABC):
    """The async calls every async client offers."""

    @abstractmethod
    async def heartbeat(self) -> int:
        """The server's time in nanoseconds."""


class AsyncClientAPI(AsyncBaseAPI, ABC):
    """The public methods of an async client (see ``chromadb.api.async_client.AsyncClient``)."""

    tenant: str
    database: str


class AsyncAdminAPI(ABC):
    """Async management of tenants and databases."""

    @abstractmethod
    async def create_tenant(self, name: str) -> None: ...

    @abstractmethod
    async def get_tenant(self, name: str) -> Tenant: ...

    @abstractmethod
    async def create_database(self, name: str, tenant: str = DEFAULT_TENANT) -> None: ...

    @abstractmethod
    async def get_database(self, name: str, tenant: str = DEFAULT_TENANT) -> Database: ...

    @abstractmethod
    async def delete_database(self, name: str, tenant: str = DEFAULT_TENANT) -> None: ...

    @abstractmethod
    async def list_databases(
        self,
        limit: Optional[int] = None,
        offset: Optional[int] = None,
        tenant: str = DEFAULT_TENANT,
    ) -> List[Database]: ...


class AsyncServerAPI(AsyncAdminAPI, Component):
    """What an async backend implements: the same calls as ``chromadb.api.API``, awaited."""

    def __init__(self, system: System) -> None:
        super().__init__(system)
        self.settings = system.settings

    @abstractmethod
    async def _heartbeat(self) -> int: ...

    @abstractmethod
    async def _list_collections(
        self,
        limit: Optional[int] = None,
        offset: Optional[int] = None,
        tenant: str = DEFAULT_TENANT,
        database: str = DEFAULT_DATABASE,
    ) -> List[CollectionModel]: ...

    @abstractmethod
    async def _count_collections(
        self, tenant: str = DEFAULT_TENANT, database: str = DEFAULT_DATABASE
    ) -> int: ...

    @abstractmethod
    async def _create_collection(
        self,
        name: str,
        metadata: Optional[CollectionMetadata] = None,
        configuration: Optional[Dict[str, Any]] = None,
        get_or_create: bool = False,
        tenant: str = DEFAULT_TENANT,
        database: str = DEFAULT_DATABASE,
    ) -> CollectionModel: ...

    @abstractmethod
    async def _get_collection(
        self, name: str, tenant: str = DEFAULT_TENANT, database: str = DEFAULT_DATABASE
    ) -> CollectionModel: ...

    @abstractmethod
    async def _delete_collection(
        self, name: str, tenant: str = DEFAULT_TENANT, database: str = DEFAULT_DATABASE
    ) -> None: ...

    @abstractmethod
    async def _modify(
        self,
        id: UUID,
        new_name: Optional[str] = None,
        new_metadata: Optional[CollectionMetadata] = None,
        new_configuration: Optional[Dict[str, Any]] = None,
    ) -> CollectionModel: ...

    @abstractmethod
    async def _write(
        self,
        operation: str,
        collection_id: UUID,
        ids: IDs,
        embeddings: Optional[EmbeddingMatrix],
        metadatas: Optional[Metadatas],
        documents: Optional[Documents],
        uris: Optional[URIs],
    ) -> bool:
        """``operation`` is add, update or upsert."""

    @abstractmethod
    async def _get(
        self,
        collection_id: UUID,
        ids: Optional[IDs] = None,
        where: Optional[Where] = None,
        limit: Optional[int] = None,
        offset: Optional[int] = None,
        where_document: Optional[WhereDocument] = None,
        include: Optional[Include] = None,
    ) -> GetResult: ...

    @abstractmethod
    async def _search(
        self,
        collection_id: UUID,
        searches: List[Any],
        tenant: str = DEFAULT_TENANT,
        database: str = DEFAULT_DATABASE,
        read_level: Any = "index_and_wal",
    ) -> Any:
        """Run each ``Search`` on the collection; a ``SearchResult`` with one entry per search."""

    @abstractmethod
    async def _query(
        self,
        collection_id: UUID,
        query_embeddings: EmbeddingMatrix,
        n_results: int = 10,
        where: Optional[Where] = None,
        where_document: Optional[WhereDocument] = None,
        include: Optional[Include] = None,
        ids: Optional[IDs] = None,
    ) -> QueryResult: ...

    @abstractmethod
    async def _delete(
        self,
        collection_id: UUID,
        ids: Optional[IDs] = None,
        where: Optional[Where] = None,
        where_document: Optional[WhereDocument] = None,
        limit: Optional[int] = None,
    ) -> IDs: ...

    @abstractmethod
    async def _count(self, collection_id: UUID) -> int: ...

    @abstractmethod
    async def _reset(self) -> bool: ...

    @abstractmethod
    async def _raw_sql(self, sql: str) -> Tuple[List[str], List[Tuple[Any, ...]]]: ...

    @abstractmethod
    async def _get_version(self) -> str: ...

    @abstractmethod
    async def _get_max_batch_size(self) -> int: ...
