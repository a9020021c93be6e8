"""The HTTP client: the ``API`` contract over the REST API of a chromadb server (v2 routes).

Chosen by ``Settings(chroma_api_impl="rest", chroma_server_host=..., chroma_server_http_port=...)``
or ``chromadb.HttpClient(host, port)``. One pooled ``httpx.Client`` per instance; every call goes
through ``_request``, the one place where a server's error answer becomes the matching
``chromadb.errors`` class.
"""

from __future__ import annotations

import threading
from typing import Any, Dict, List, Mapping, Optional, Tuple, cast
from urllib.parse import quote
from uuid import UUID

import httpx
import pydantic_core

from chromadb.api import API
from chromadb.api.base_http_client import BaseHTTPClient
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
    deserialize_metadata,
    serialize_metadata,
)
from chromadb.config import DEFAULT_DATABASE, DEFAULT_TENANT, System
from chromadb.errors import (
    BatchSizeExceededError,
    ChromaConnectionError,
    ChromaError,
    InvalidArgumentError,
    class_for_status,
    error_types,
)

# Body fields whose dictionaries must have str keys (embeddings are never dictionaries).
_KEYED_FIELDS = (
    "metadata",
    "metadatas",
    "new_metadata",
    "where",
    "where_document",
    "configuration",
    "new_configuration",
)


def _metadatas_out(metadatas: Optional[Metadatas]) -> Any:
    # Sparse vectors travel in their tagged JSON form.
    if metadatas is None:
        return None
    return [serialize_metadata(m) for m in metadatas]


def _metadatas_in(metadatas: Any, nested: bool) -> Any:
    # Tagged sparse vectors in an answer become SparseVector again.
    if not isinstance(metadatas, list):
        return metadatas
    if nested:
        return [_metadatas_in(inner, nested=False) for inner in metadatas]
    return [deserialize_metadata(m) if isinstance(m, dict) else m for m in metadatas]


def raise_for_answer(response: httpx.Response) -> None:
    """Raise the ``chromadb.errors`` class a non-2xx answer names (``ChromaError`` for a name
    we do not know), with the server's message."""
    if response.is_success:
        return
    name: Optional[str] = None
    message = response.text
    try:
        body = response.json()
    except ValueError:
        body = None
    if isinstance(body, Mapping):
        name = body.get("error") if isinstance(body.get("error"), str) else None
        message = str(body.get("message") or body.get("detail") or message)
    if name in error_types:
        cls = error_types[cast(str, name)]
    else:  # a name we do not know, or no JSON error body (a proxy, an older server)
        cls = class_for_status(response.status_code)
        if cls is InvalidArgumentError:  # an unknown 400 need not be a ValueError
            cls = ChromaError
    if name and cls is ChromaError:
        message = f"{name}: {message}"
    raise cls(message or f"HTTP {response.status_code}")


def _model(data: Mapping[str, Any]) -> CollectionModel:
    configuration = data.get("configuration_json") or data.get("configuration") or {}
    return CollectionModel(
        id=UUID(str(data["id"])),
        name=str(data["name"]),
        metadata=data.get("metadata"),
        configuration=dict(configuration),
        dimension=data.get("dimension"),
        tenant=str(data.get("tenant") or DEFAULT_TENANT),
        database=str(data.get("database") or DEFAULT_DATABASE),
    )


def _check_keys(value: Any, field: str) -> None:
    """JSON would silently turn a non-str key (``{1: "one"}``) into a string: refuse it here,
    as the engine refuses it in-process."""
    if isinstance(value, Mapping):
        for key, item in value.items():
            if not isinstance(key, str):
                raise InvalidArgumentError(
                    f"Expected {field} keys to be str, got {key!r} ({type(key).__name__})"
                )
            _check_keys(item, field)
    elif isinstance(value, (list, tuple)):
        for item in value:
            if isinstance(item, (Mapping, list, tuple)):
                _check_keys(item, field)


def _encode(body: Any) -> bytes:
    """A request body as JSON. pydantic's serializer is several times faster than json.dumps on
    lists of floats; unlike httpx's encoder it lets NaN and infinity through, so the server
    rejects them with the same InvalidArgumentError as the engine does in-process."""
    try:
        return pydantic_core.to_json(body, inf_nan_mode="constants")
    except pydantic_core.PydanticSerializationError as exc:
        raise InvalidArgumentError(f"Cannot send this value to the server as JSON: {exc}") from None


def _segment(value: str) -> str:
    return quote(value, safe="")


class FastAPI(BaseHTTPClient, API):
    """``API`` over HTTP. ``http_client`` replaces the pooled client (tests pass FastAPI's
    ``TestClient`` to run against an in-process app)."""

    def __init__(self, system: System, http_client: Optional[httpx.Client] = None) -> None:
        super().__init__(system)
        settings = system.settings
        self._prefix = settings.chroma_server_api_default_path.rstrip("/") or "/api/v2"
        if not self._prefix.startswith("/api/v2"):
            self._prefix = "/api/v2"  # this client speaks the v2 routes
        self._http = http_client if http_client is not None else self._pooled_client()
        self._owns_http = http_client is None
        # Where each collection lives, so record calls (which carry only the id) use the
        # right tenant and database in the path.
        self._places: Dict[UUID, Tuple[str, str]] = {}
        self._places_lock = threading.Lock()
        self._max_batch_size: Optional[int] = None

    # -- transport -------------------------------------------------------------------------------
    def _pooled_client(self) -> httpx.Client:
        settings = self.settings
        verify = (
            True if settings.chroma_server_ssl_verify is None else settings.chroma_server_ssl_verify
        )
        return httpx.Client(
            base_url=self._base_url(),
            headers=self._headers(),
            timeout=httpx.Timeout(
                settings.chroma_http_timeout, connect=settings.chroma_http_connect_timeout
            ),
            verify=verify,
        )

    def _request(
        self,
        method: str,
        path: str,
        json: Any = None,
        params: Optional[Dict[str, Any]] = None,
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
            self._check_body_size(len(content))
            headers = {"Content-Type": "application/json"}
        try:
            response = self._http.request(
                method, self._prefix + path, content=content, headers=headers, params=params
            )
        except (httpx.ConnectError, httpx.ConnectTimeout) as exc:
            raise ChromaConnectionError(
                f"Could not connect to a chromadb server at {self._base_url()}: {exc}"
            ) from exc
        raise_for_answer(response)
        return pydantic_core.from_json(response.content) if response.content else None

    def _check_body_size(self, size: int) -> None:
        # Found here, before the upload: a server refuses the body only once it is sent.
        limit = int(self.settings.chroma_server_max_body_bytes)
        if size > limit:
            raise BatchSizeExceededError(
                f"Request body of {size} bytes exceeds the limit of {limit} bytes "
                "(chroma_server_max_body_bytes, the server's default too); send smaller "
                "batches: chromadb.utils.batch_utils.create_batches cuts them to fit"
            )

    def _check_batch_size(self, size: int) -> None:
        try:
            limit = self._get_max_batch_size()
        except (KeyError, TypeError, ValueError):  # a server that states no limit
            return
        if size > limit:
            raise BatchSizeExceededError(
                f"Batch of {size} records exceeds the server's maximum batch size of {limit}; "
                "split it: chromadb.utils.batch_utils.create_batches cuts it to fit"
            )

    def stop(self) -> None:
        if self._owns_http:
            self._http.close()
        super().stop()

    # -- helpers ---------------------------------------------------------------------------------
    def _remember(self, data: Mapping[str, Any]) -> CollectionModel:
        model = _model(data)
        with self._places_lock:
            self._places[model.id] = (model.tenant, model.database)
        return model

    def _scope(self, tenant: str, database: str) -> str:
        return f"/tenants/{_segment(tenant)}/databases/{_segment(database)}"

    def _collection_path(self, collection_id: UUID) -> str:
        with self._places_lock:
            tenant, database = self._places.get(collection_id, (DEFAULT_TENANT, DEFAULT_DATABASE))
        return f"{self._scope(tenant, database)}/collections/{collection_id}"

    # -- tenants and databases -------------------------------------------------------------------
    def create_tenant(self, name: str) -> None:
        self._request("POST", "/tenants", json={"name": name})

    def get_tenant(self, name: str) -> Tenant:
        return cast(Tenant, self._request("GET", f"/tenants/{_segment(name)}"))

    def create_database(self, name: str, tenant: str = DEFAULT_TENANT) -> None:
        self._request("POST", f"/tenants/{_segment(tenant)}/databases", json={"name": name})

    def get_database(self, name: str, tenant: str = DEFAULT_TENANT) -> Database:
        return cast(
            Database,
            self._request("GET", f"/tenants/{_segment(tenant)}/databases/{_segment(name)}"),
        )

    def delete_database(self, name: str, tenant: str = DEFAULT_TENANT) -> None:
        self._request("DELETE", f"/tenants/{_segment(tenant)}/databases/{_segment(name)}")

    def list_databases(
        self,
        limit: Optional[int] = None,
        offset: Optional[int] = None,
        tenant: str = DEFAULT_TENANT,
    ) -> List[Database]:
        return cast(
            List[Database],
            self._request(
                "GET",
                f"/tenants/{_segment(tenant)}/databases",
                params={"limit": limit, "offset": offset},
            ),
        )

    # -- collections -----------------------------------------------------------------------------
    def _heartbeat(self) -> int:
        return int(self._request("GET", "/heartbeat")["nanosecond heartbeat"])

    def _list_collections(
        self,
        limit: Optional[int] = None,
        offset: Optional[int] = None,
        tenant: str = DEFAULT_TENANT,
        database: str = DEFAULT_DATABASE,
    ) -> List[CollectionModel]:
        answer = self._request(
            "GET",
            self._scope(tenant, database) + "/collections",
            params={"limit": limit, "offset": offset},
        )
        return [self._remember(item) for item in answer]

    def _count_collections(
        self, tenant: str = DEFAULT_TENANT, database: str = DEFAULT_DATABASE
    ) -> int:
        return int(self._request("GET", self._scope(tenant, database) + "/collections_count"))

    def _create_collection(
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
        answer = self._request("POST", self._scope(tenant, database) + "/collections", json=body)
        return self._remember(answer)

    def _get_collection(
        self, name: str, tenant: str = DEFAULT_TENANT, database: str = DEFAULT_DATABASE
    ) -> CollectionModel:
        path = f"{self._scope(tenant, database)}/collections/{_segment(name)}"
        return self._remember(self._request("GET", path))

    def _delete_collection(
        self, name: str, tenant: str = DEFAULT_TENANT, database: str = DEFAULT_DATABASE
    ) -> None:
        self._request("DELETE", f"{self._scope(tenant, database)}/collections/{_segment(name)}")

    def _modify(
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
        return self._remember(self._request("PUT", self._collection_path(id), json=body))

    # -- records ---------------------------------------------------------------------------------
    def _write(
        self,
        operation: str,
        collection_id: UUID,
        ids: IDs,
        embeddings: Optional[EmbeddingMatrix],
        metadatas: Optional[Metadatas],
        documents: Optional[Documents],
        uris: Optional[URIs],
    ) -> bool:
        self._check_batch_size(len(ids))
        body = {
            "ids": ids,
            "embeddings": as_lists(embeddings),
            "metadatas": _metadatas_out(metadatas),
            "documents": documents,
            "uris": uris,
        }
        self._request("POST", f"{self._collection_path(collection_id)}/{operation}", json=body)
        return True

    def _add(
        self,
        collection_id: UUID,
        ids: IDs,
        embeddings: EmbeddingMatrix,
        metadatas: Optional[Metadatas] = None,
        documents: Optional[Documents] = None,
        uris: Optional[URIs] = None,
    ) -> bool:
        return self._write("add", collection_id, ids, embeddings, metadatas, documents, uris)

    def _update(
        self,
        collection_id: UUID,
        ids: IDs,
        embeddings: Optional[EmbeddingMatrix] = None,
        metadatas: Optional[Metadatas] = None,
        documents: Optional[Documents] = None,
        uris: Optional[URIs] = None,
    ) -> bool:
        return self._write("update", collection_id, ids, embeddings, metadatas, documents, uris)

    def _upsert(
        self,
        collection_id: UUID,
        ids: IDs,
        embeddings: EmbeddingMatrix,
        metadatas: Optional[Metadatas] = None,
        documents: Optional[Documents] = None,
        uris: Optional[URIs] = None,
    ) -> bool:
        return self._write("upsert", collection_id, ids, embeddings, metadatas, documents, uris)

    def _get(
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
        answer = self._request("POST", f"{self._collection_path(collection_id)}/get", json=body)
        return cast(GetResult, self._result(answer, query=False))

    def _query(
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
        answer = self._request("POST", f"{self._collection_path(collection_id)}/query", json=body)
        return cast(QueryResult, self._result(answer, query=True))

    @staticmethod
    def _result(answer: Mapping[str, Any], query: bool) -> Dict[str, Any]:
        fields = ["ids", "embeddings", "documents", "uris", "data", "metadatas"]
        if query:
            fields.append("distances")
        out = {name: answer.get(name) for name in fields}
        out["metadatas"] = _metadatas_in(out["metadatas"], nested=query)
        out["included"] = list(answer.get("included") or answer.get("include") or [])
        return out

    def _delete(
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
        answer = self._request("POST", f"{self._collection_path(collection_id)}/delete", json=body)
        if isinstance(answer, list):  # servers of the 0.4 era answer the ids
            return [str(i) for i in answer]
        return [str(i) for i in (answer or {}).get("ids") or []]

    def _search(
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
        answer = self._request("POST", f"{self._collection_path(collection_id)}/search", json=body)
        if isinstance(answer, dict) and answer.get("metadatas") is not None:
            answer["metadatas"] = _metadatas_in(answer["metadatas"], nested=True)
        return SearchResult(answer)

    def _count(self, collection_id: UUID) -> int:
        return int(self._request("GET", f"{self._collection_path(collection_id)}/count"))

    # -- the rest --------------------------------------------------------------------------------
    def _reset(self) -> bool:
        answer = self._request("POST", "/reset")
        with self._places_lock:
            self._places.clear()
        return bool(answer)

    def _raw_sql(self, sql: str) -> Tuple[List[str], List[Tuple[Any, ...]]]:
        answer = self._request("POST", "/raw_sql", json={"raw_sql": sql})
        return list(answer["columns"]), [tuple(row) for row in answer["rows"]]

    def _create_index(self, collection_id: UUID) -> bool:
        return bool(self._request("POST", f"{self._collection_path(collection_id)}/create_index"))

    def _get_version(self) -> str:
        return str(self._request("GET", "/version"))

    def _get_max_batch_size(self) -> int:
        if self._max_batch_size is None:
            answer = self._request("GET", "/pre-flight-checks")
            self._max_batch_size = int(answer["max_batch_size"])
        return self._max_batch_size


__all__ = ["ChromaConnectionError", "FastAPI", "raise_for_answer"]
