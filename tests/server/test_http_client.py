"""The HTTP client (``chromadb.api.fastapi.FastAPI``): the same API as the embedded engine, the
same exception classes from the server's errors, settings for headers, auth and timeouts."""

from __future__ import annotations

import json
from typing import Any, Dict, List

import httpx
import pytest
import requests

import chromadb
from chromadb.api.fastapi import ChromaConnectionError, FastAPI, raise_for_answer
from chromadb.config import Settings, System
from chromadb.errors import (
    AuthError,
    ChromaError,
    DuplicateIDError,
    IDAlreadyExistsError,
    InternalError,
    InvalidArgumentError,
    InvalidDimensionException,
    NotFoundError,
    UniqueConstraintError,
)


def _client(http_client: httpx.Client, **overrides: Any) -> FastAPI:
    """Our HTTP client on an in-process server (no network)."""
    settings = Settings(chroma_api_impl="rest", allow_reset=True, **overrides)
    return FastAPI(System(settings), http_client=http_client)


@pytest.fixture
def api(servers: Any) -> FastAPI:
    return _client(servers.client(allow_reset=True, chroma_server_allow_raw_sql=True))


def test_collections_and_records(api: FastAPI) -> None:
    collection = api.create_collection("docs", metadata={"topic": "x"}, embedding_function=None)
    collection.add(
        ids=["a", "b", "c"],
        embeddings=[[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]],
        documents=["apple", "banana", "cherry"],
        metadatas=[{"n": 1}, {"n": 2}, None],
    )
    assert collection.count() == 3
    got = collection.get(ids=["c", "a"], include=["embeddings", "metadatas", "documents"])
    assert got["ids"] == ["a", "c"] and got["metadatas"] == [{"n": 1}, None]  # insertion order
    assert [list(e) for e in (got["embeddings"] if got["embeddings"] is not None else [])] == [
        [1.0, 0.0],
        [1.0, 1.0],
    ]
    assert set(got["included"]) == {"embeddings", "metadatas", "documents"}
    found = collection.query(query_embeddings=[[1.0, 0.1]], n_results=2, where={"n": {"$gte": 1}})
    assert found["ids"] == [["a", "b"]] and found["distances"] is not None
    collection.update(ids=["a"], metadatas=[{"n": 10}])
    collection.upsert(ids=["d"], embeddings=[[2.0, 2.0]])
    assert collection.get(where={"n": 10})["ids"] == ["a"]
    collection.delete(where_document={"$contains": "banana"})
    assert collection.get()["ids"] == ["a", "c", "d"]
    collection.modify(name="renamed", metadata={"topic": "y"})
    fetched = api.get_collection("renamed", embedding_function=None)
    assert fetched.id == collection.id and fetched.metadata == {"topic": "y"}
    assert [c.name for c in api.list_collections()] == ["renamed"]
    assert api.count_collections() == 1
    assert collection.create_index() is True
    api.delete_collection("renamed")
    assert api.count_collections() == 0


def test_server_errors_become_the_same_classes(api: FastAPI) -> None:
    collection = api.create_collection("errs", embedding_function=None)
    collection.add(ids=["a"], embeddings=[[1.0, 2.0]])
    with pytest.raises(UniqueConstraintError):
        api.create_collection("errs", embedding_function=None)
    with pytest.raises(NotFoundError):
        api.get_collection("absent", embedding_function=None)
    with pytest.raises(DuplicateIDError):
        collection.add(ids=["b", "b"], embeddings=[[1.0, 2.0], [1.0, 2.0]])
    with pytest.raises(InvalidDimensionException):
        collection.add(ids=["c"], embeddings=[[1.0, 2.0, 3.0]])
    with pytest.raises(InvalidArgumentError):
        collection.get(where={"n": {"$nope": 1}})
    assert collection.count() == 1


def test_tenants_databases_and_scoped_clients(api: FastAPI) -> None:
    api.create_tenant("acme")
    api.create_database("docs", tenant="acme")
    assert api.get_tenant("acme") == {"name": "acme"}
    assert api.get_database("docs", tenant="acme")["tenant"] == "acme"
    assert [d["name"] for d in api.list_databases(tenant="acme")] == ["docs"]
    model = api._create_collection("scoped", tenant="acme", database="docs")
    api._add(model.id, ["x"], [[1.0]])
    assert api._count(model.id) == 1
    assert api._count_collections(tenant="acme", database="docs") == 1
    assert api._count_collections() == 0
    api.delete_database("docs", tenant="acme")
    with pytest.raises(NotFoundError):
        api.get_database("docs", tenant="acme")


def test_raw_sql_version_heartbeat_reset(api: FastAPI) -> None:
    api.create_collection("sql-view", embedding_function=None)
    frame = api.raw_sql("SELECT name FROM collections")
    assert frame["name"].tolist() == ["sql-view"]
    assert api.get_version() == chromadb.__version__
    assert api.heartbeat() > 0
    assert api.get_max_batch_size() > 0
    assert api.reset() is True
    assert api.count_collections() == 0


def _recording(answers: Dict[str, Any]) -> tuple[httpx.Client, List[httpx.Request]]:
    seen: List[httpx.Request] = []

    def handle(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json=answers.get(request.url.path, {}))

    return httpx.Client(transport=httpx.MockTransport(handle), base_url="http://test"), seen


@pytest.mark.parametrize(
    "overrides, header, value",
    [
        ({"chroma_client_auth_credentials": "s3cret"}, "authorization", "Bearer s3cret"),
        (
            {
                "chroma_client_auth_credentials": "s3cret",
                "chroma_auth_token_transport_header": "X_CHROMA_TOKEN",
            },
            "x-chroma-token",
            "s3cret",
        ),
        (
            {"chroma_client_auth_provider": "basic", "chroma_client_auth_credentials": "u:p"},
            "authorization",
            "Basic dTpw",
        ),
        ({"chroma_server_headers": {"X-Team": "search"}}, "x-team", "search"),
    ],
)
def test_headers_and_credentials_from_settings(
    overrides: Dict[str, Any], header: str, value: str
) -> None:
    settings = Settings(chroma_api_impl="rest", chroma_server_host="db.local", **overrides)
    api = FastAPI(System(settings))
    try:
        assert api._http.headers[header] == value
        assert str(api._http.base_url) == "http://db.local:8000"
        assert "chromadb-clean-room" in api._http.headers["user-agent"]
    finally:
        api.stop()


def test_timeouts_and_ssl_from_settings() -> None:
    settings = Settings(
        chroma_api_impl="rest",
        chroma_server_host="db.local",
        chroma_server_http_port=9443,
        chroma_server_ssl_enabled=True,
        chroma_http_timeout=12.5,
        chroma_http_connect_timeout=1.5,
    )
    api = FastAPI(System(settings))
    try:
        assert api._http.timeout == httpx.Timeout(12.5, connect=1.5)
        assert str(api._http.base_url) == "https://db.local:9443"
    finally:
        api.stop()


def test_record_calls_use_the_collections_tenant_and_database() -> None:
    created = {
        "id": "9f1c0e1e-8a0c-4c56-9d7e-2b1f3c4d5e6f",
        "name": "c1",
        "metadata": None,
        "configuration_json": {},
        "dimension": None,
        "tenant": "acme",
        "database": "docs",
    }
    http, seen = _recording({"/api/v2/tenants/acme/databases/docs/collections": created})
    api = _client(http)
    model = api._create_collection("c1", tenant="acme", database="docs")
    api._add(model.id, ["a"], [[1.0]])
    assert seen[-1].url.path == f"/api/v2/tenants/acme/databases/docs/collections/{model.id}/add"
    assert json.loads(seen[-1].content)["ids"] == ["a"]


def _answer(status: int, body: Any = None, text: str = "") -> httpx.Response:
    if body is not None:
        return httpx.Response(status, json=body)
    return httpx.Response(status, text=text)


@pytest.mark.parametrize(
    "response, cls",
    [
        (_answer(404, {"error": "NotFoundError", "message": "m"}), NotFoundError),
        (_answer(409, {"error": "IDAlreadyExists", "message": "m"}), IDAlreadyExistsError),
        (_answer(400, {"error": "InvalidDimension", "message": "m"}), InvalidDimensionException),
        (_answer(400, {"error": "SomethingNew", "message": "m"}), ChromaError),
        (_answer(401, text="Unauthorized"), AuthError),
        (_answer(502, text="Bad gateway"), InternalError),
    ],
)
def test_raise_for_answer(response: httpx.Response, cls: type) -> None:
    with pytest.raises(cls) as raised:
        raise_for_answer(response)
    assert type(raised.value) is cls
    if cls is ChromaError:
        assert "SomethingNew" in str(raised.value)


def test_unreachable_server_raises_a_connection_error_both_families_catch() -> None:
    client = chromadb.HttpClient(host="127.0.0.1", port=9)  # discard port: nothing listens
    with pytest.raises(requests.exceptions.ConnectionError) as raised:
        client.heartbeat()
    assert isinstance(raised.value, httpx.ConnectError)
    assert isinstance(raised.value, ChromaConnectionError)
