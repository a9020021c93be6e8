"""The async HTTP client: ``AsyncServerAPI`` over the v2 REST API with one ``httpx.AsyncClient``.

It builds exactly the requests of the sync client (``chromadb.api.fastapi``) and reads the
answers with the same helpers, so both clients name errors and shape results alike.
"""

from __future__ import annotations

from typing import Any, Dict, List, Mapping, Optional, Tuple, cast
from uuid import UUID

import httpx
import pydantic_core

from chromadb.api.async_api import AsyncServerAPI
from chromadb.api.base_http_client import BaseHTTPClient
from chromadb.api.fastapi import (
    _KEYED_FIELDS,
    FastAPI,
    _check_keys,
    _encode,
    _metadatas_in,
    _metadatas_out,
    _model,
    _segment,
    raise_for_answer,
)
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
    as_lists,
)
from chromadb.config import DEFAULT_DATABASE, DEFAULT_TENANT, System
from chromadb.errors import BatchSizeExceededError, ChromaConnectionError

__all__ = ["AsyncFastAPI"]


class AsyncFastAPI(BaseHTTPClient, AsyncServerAPI):
    """``AsyncServerAPI`` over HTTP. ``http_client`` replaces the pooled ``httpx.AsyncClient``
    (tests pass one on ``httpx.ASGITransport`` to run against an in-process app)."""

    def __init__(self, system: System, http_client: Optional[httpx.AsyncClient] = None) -> None:
        super().__init__(system)
        self._prefix = "/api/v2"
        self._http = http_client if http_client is not None else self._pooled_client()
        self._owns_http = http_client is None
        self._places: Dict[UUID, Tuple[str, str]] = {}
        self._max_batch_size: Optional[int] = None

    def _pooled_client(self) -> httpx.AsyncClient:
        settings = self.settings
        verify = (
            True if settings.chroma_server_ssl_verify is None else settings.chroma_server_ssl_verify
        )
        return httpx.AsyncClient(
            base_url=self._base_url(),
            headers=self._headers(),
            timeout=httpx.Timeout(
                settings.chroma_http_timeout, connect=settings.chroma_http_connect_timeout
            ),
            verify=verify,
        )

    async def _request(
        self, method: str, path: str, json: Any = None, params: Optional[Dict[str, Any]] = None
    ) -> Any:
        """Send one request to ``/api/v2`` + ``path``; return the decoded answer or raise the
        error class the server named."""
        if params:
            params = {k: v for k, v in params.items() if v is not None}
        content = headers = None
        if isinstance(json, Mapping):
            for field in _KEYED_FIELDS:
                _check_keys(json.get(field), field)
        if json is not None:
            content = _encode(json)
            limit = int(self.settings.chroma_server_max_body_bytes)
            if len(content) > limit:
                raise BatchSizeExceededError(
                    f"Request body of {len(content)} bytes exceeds the limit of {limit} bytes"
                )
            headers = {"Content-Type": "application/json"}
        try:
            response = await self._http.request(
                method, self._prefix + path, content=content, headers=headers, params=params
            )
        except (httpx.ConnectError, httpx.ConnectTimeout) as exc:
            raise ChromaConnectionError(
                f"Could not connect to a chromadb server at {self._base_url()}: {exc}"
            ) from exc
        raise_for_answer(response)
        return pydantic_core.from_json(response.content) if response.content else None

    async def aclose(self) -> None:
        """Close the pooled connections (when this client made them)."""
        if self._owns_http:
            await self._http.aclose()

    # -- helpers ---------------------------------------------------------------------------------
    def _remember(self, data: Mapping[str, Any]) -> CollectionModel:
        model = _model(data)
        self._places[model.id] = (model.tenant, model.database)
        return model

    def _scope(self, tenant: str, database: str) -> str:
        return f"/tenants/{_segment(tenant)}/databases/{_segment(database)}"

    def _collection_path(self, collection_id: UUID) -> str:
        tenant, database = self._places.get(collection_id, (DEFAULT_TENANT, DEFAULT_DATABASE))
        return f"{self._scope(tenant, database)}/collections/{collection_id}"

    # -- tenants and databases -------------------------------------------------------------------
    async def create_tenant(self, name: str) -> None:
        await self._request("POST", "/tenants", json={"name": name})

    async def get_tenant(self, name: str) -> Tenant:
        return cast(Tenant, await self._request("GET", f"/tenants/{_segment(name)}"))

    async def create_database(self, name: str, tenant: str = DEFAULT_TENANT) -> None:
        await self._request("POST", f"/tenants/{_segment(tenant)}/databases", json={"name": name})

    async def get_database(self, name: str, tenant: str = DEFAULT_TENANT) -> Database:
        path = f"/tenants/{_segment(tenant)}/databases/{_segment(name)}"
        return cast(Database, await self._request("GET", path))

    async def delete_database(self, name: str, tenant: str = DEFAULT_TENANT) -> None:
        await self._request("DELETE", f"/tenants/{_segment(tenant)}/databases/{_segment(name)}")

    async def list_databases(
        self,
        limit: Optional[int] = None,
        offset: Optional[int] = None,
        tenant: str = DEFAULT_TENANT,
    ) -> List[Database]:
        params = {"limit": limit, "offset": offset}
        path = f"/tenants/{_segment(tenant)}/databases"
        return cast(List[Database], await self._request("GET", path, params=params))

    # -- collections -----------------------------------------------------------------------------
    async def _heartbeat(self) -> int:
        return int((await self._request("GET", "/heartbeat"))["nanosecond heartbeat"])

    async def _list_collections(
        self,
        limit: Optional[int] = None,
        offset: Optional[int] = None,
        tenant: str = DEFAULT_TENANT,
        database: str = DEFAULT_DATABASE,
    ) -> List[CollectionModel]:
        path = self._scope(tenant, database) + "/collections"
        answer = await self._request("GET", path, params={"limit": limit, "offset": offset})
        return [self._remember(item) for item in answer]

    async def _count_collections(
        self, tenant: str = DEFAULT_TENANT, database: str = DEFAULT_DATABASE
    ) -> int:
        return int(await self._request("GET", self._scope(tenant, database) + "/collections_count"))

    async def _create_collection(
        self,
        name: str,
        metadata: Optional[CollectionMetadata] = None,
        configuration: Optional[Dict[str, Any]] = None,
        get_or_create: bool = False,
        tenant: str = DEFAULT_TENANT,
        database: str = DEFAULT_DATABASE,
    ) -> CollectionModel:
        body = {
            "name": name,
            "metadata": metadata,
            "configuration": configuration,
            "get_or_create": get_or_create,
        }
        path = self._scope(tenant, database) + "/collections"
        return self._remember(await self._request("POST", path, json=body))

    async def _get_collection(
        self, name: str, tenant: str = DEFAULT_TENANT, database: str = DEFAULT_DATABASE
    ) -> CollectionModel:
        path = f"{self._scope(tenant, database)}/collections/{_segment(name)}"
        return self._remember(await self._request("GET", path))

    async def _delete_collection(
        self, name: str, tenant: str = DEFAULT_TENANT, database: str = DEFAULT_DATABASE
    ) -> None:
        path = f"{self._scope(tenant, database)}/collections/{_segment(name)}"
        await self._request("DELETE", path)

    async def _modify(
        self,
        id: UUID,
        new_name: Optional[str] = None,
        new_metadata: Optional[CollectionMetadata] = None,
        new_configuration: Optional[Dict[str, Any]] = None,
    ) -> CollectionModel:
        body = {
            "new_name": new_name,
            "new_metadata": new_metadata,
            "new_configuration": new_configuration,
        }
        return self._remember(await self._request("PUT", self._collection_path(id), json=body))

    # -- records ---------------------------------------------------------------------------------
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
        limit = await self._get_max_batch_size()
        if len(ids) > limit:
            raise BatchSizeExceededError(
                f"Batch of {len(ids)} records exceeds the server's maximum batch size of {limit}; "
                "split it: chromadb.utils.batch_utils.create_batches cuts it to fit"
            )
        body = {
            "ids": ids,
            "embeddings": as_lists(embeddings),
            "metadatas": _metadatas_out(metadatas),
            "documents": documents,
            "uris": uris,
        }
        path = f"{self._collection_path(collection_id)}/{operation}"
        await self._request("POST", path, json=body)
        return True

    async def _get(
        self,
        collection_id: UUID,
        ids: Optional[IDs] = None,
        where: Optional[Where] = None,
        limit: Optional[int] = None,
        offset: Optional[int] = None,
        where_document: Optional[WhereDocument] = None,
        include: Optional[Include] = None,
    ) -> GetResult:
        body = {
            "ids": ids,
            "where": where,
            "where_document": where_document,
            "limit": limit,
            "offset": offset,
            "include": include,
        }
        path = f"{self._collection_path(collection_id)}/get"
        answer = await self._request("POST", path, json=body)
        return cast(GetResult, FastAPI._result(answer, query=False))

    async def _query(
        self,
        collection_id: UUID,
        query_embeddings: EmbeddingMatrix,
        n_results: int = 10,
        where: Optional[Where] = None,
        where_document: Optional[WhereDocument] = None,
        include: Optional[Include] = None,
        ids: Optional[IDs] = None,
    ) -> QueryResult:
        body = {
            "query_embeddings": as_lists(query_embeddings),
            "n_results": n_results,
            "where": where,
            "where_document": where_document,
            "include": include,
            "ids": ids,
        }
        path = f"{self._collection_path(collection_id)}/query"
        answer = await self._request("POST", path, json=body)
        return cast(QueryResult, FastAPI._result(answer, query=True))

    async def _delete(
        self,
        collection_id: UUID,
        ids: Optional[IDs] = None,
        where: Optional[Where] = None,
        where_document: Optional[WhereDocument] = None,
        limit: Optional[int] = None,
    ) -> IDs:
        body: Dict[str, Any] = {"ids": ids, "where": where, "where_document": where_document}
        if limit is not None:
            body["limit"] = limit
        path = f"{self._collection_path(collection_id)}/delete"
        answer = await self._request("POST", path, json=body)
        if isinstance(answer, list):
            return [str(i) for i in answer]
        return [str(i) for i in (answer or {}).get("ids") or []]

    async def _search(
        self,
        collection_id: UUID,
        searches: List[Any],
        tenant: str = DEFAULT_TENANT,
        database: str = DEFAULT_DATABASE,
        read_level: Any = "index_and_wal",
    ) -> Any:
        from chromadb.api.types import SearchResult

        body = {
            "searches": [s.to_dict() for s in searches],
            "read_level": str(getattr(read_level, "value", read_level)),
        }
        path = f"{self._collection_path(collection_id)}/search"
        answer = await self._request("POST", path, json=body)
        if isinstance(answer, dict) and answer.get("metadatas") is not None:
            answer["metadatas"] = _metadatas_in(answer["metadatas"], nested=True)
        return SearchResult(answer)

    async def _count(self, collection_id: UUID) -> int:
        return int(await self._request("GET", f"{self._collection_path(collection_id)}/count"))

    # -- the rest --------------------------------------------------------------------------------
    async def _reset(self) -> bool:
        answer = await self._request("POST", "/reset")
        self._places.clear()
        return bool(answer)

    async def _raw_sql(self, sql: str) -> Tuple[List[str], List[Tuple[Any, ...]]]:
        answer = await self._request("POST", "/raw_sql", json={"raw_sql": sql})
        return list(answer["columns"]), [tuple(row) for row in answer["rows"]]

    async def _get_version(self) -> str:
        return str(await self._request("GET", "/version"))

    async def _get_max_batch_size(self) -> int:
        if self._max_batch_size is None:
            answer = await self._request("GET", "/pre-flight-checks")
            self._max_batch_size = int(answer["max_batch_size"])
        return self._max_batch_size
