"""The HTTP client: the ``API`` contract over the REST API of a chromadb server (v2 routes).

Chosen by ``Settings(chroma_api_impl="rest", chroma_server_host=..., chroma_server_http_port=...)``
or ``chromadb.HttpClient(host, port)``. One pooled ``httpx.Client`` per instance; every call goes
through ``_request``, the one place where a server's error answer becomes the matching
``chromadb.errors`` class.
"""

from __future__ import annotations

import base64
import threading
from typing import Any, Dict, List, Mapping, Optional, Tuple, cast
from urllib.parse import quote
from uuid import UUID

import httpx
import pydantic_core

from chromadb.api import API
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
from chromadb.errors import (
    AuthError,
    AuthorizationError,
    ChromaError,
    InternalError,
    InvalidArgumentError,
    NotFoundError,
    error_types,
)

# The server answers this client with collections exactly as stored (see chromadb.server.shapes).
USER_AGENT_MARK = "chromadb-clean-room"


def _connection_error_bases() -> Tuple[type, ...]:
    # Code written for the 0.3.x client (built on requests) waits for a server by catching
    # requests.exceptions.ConnectionError; code written for later ones catches httpx's.
    try:
        import requests.exceptions
    except ImportError:  # pragma: no cover - requests is optional
        return (httpx.ConnectError,)
    return (httpx.ConnectError, requests.exceptions.ConnectionError)


class ChromaConnectionError(*_connection_error_bases()):  # type: ignore[misc]
    """The server could not be reached. Both an ``httpx.ConnectError`` and, when requests is
    installed, a ``requests.exceptions.ConnectionError``."""


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

# Statuses answered without our JSON error body (a proxy, an older server).
_STATUS_ERRORS: Dict[int, type[ChromaError]] = {
    401: AuthError,
    403: AuthorizationError,
    404: NotFoundError,
}


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
    elif response.status_code in _STATUS_ERRORS:
        cls = _STATUS_ERRORS[response.status_code]
    elif response.status_code >= 500:
        cls = InternalError
    else:
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


class FastAPI(API):
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
    def _base_url(self) -> str:
        settings = self.settings
        host = settings.chroma_server_host or "localhost"
        if host.startswith(("http://", "https://")):
            return host.rstrip("/")
        scheme = "https" if settings.chroma_server_ssl_enabled else "http"
        port = settings.chroma_server_http_port or 8000
        return f"{scheme}://{host}:{port}"

    def _headers(self) -> Dict[str, str]:
        from chromadb import __version__

        settings = self.settings
        headers = {"User-Agent": f"Chroma Python Client v{__version__} ({USER_AGENT_MARK})"}
        headers.update(settings.chroma_server_headers or {})
        credentials = settings.chroma_client_auth_credentials
        if credentials:
            provider = (settings.chroma_client_auth_provider or "token").lower()
            transport = (settings.chroma_auth_token_transport_header or "").lower()
            if "basic" in provider:
                token = base64.b64encode(credentials.encode("utf-8")).decode("ascii")
                headers["Authorization"] = f"Basic {token}"
            elif transport.replace("_", "-") == "x-chroma-token":
                headers["X-Chroma-Token"] = credentials
            else:
                headers["Authorization"] = f"Bearer {credentials}"
        return headers

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
        body = {
            "ids": ids,
            "embeddings": as_lists(embeddings),
            "metadatas": metadatas,
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
