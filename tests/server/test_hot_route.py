"""The v2 query route's fast path (chromadb.server.hot) answers exactly as the full application.

Each request is sent twice to one server over one engine: once as it comes (small queries take
the fast path) and once with the fast path switched off, so the full FastAPI route answers it.
Status, body and content type must be the same, for answers and for every kind of error.
"""

from __future__ import annotations

import base64
import struct
from typing import Any, Dict, List

import pytest
from conftest import V2, ServerFactory
from fastapi.testclient import TestClient

from chromadb.server import hot


def _both(http: TestClient, monkeypatch: pytest.MonkeyPatch, path: str, body: Any) -> None:
    kwargs: Dict[str, Any] = {"content": body} if isinstance(body, bytes) else {"json": body}
    fast = http.post(path, **kwargs)
    with monkeypatch.context() as off:
        off.setattr(hot, "HOT_MAX_QUERIES", 0)
        full = http.post(path, **kwargs)
    assert (fast.status_code, fast.headers["content-type"]) == (
        full.status_code,
        full.headers["content-type"],
    )
    assert fast.json() == full.json()


@pytest.fixture
def seeded(servers: ServerFactory) -> Dict[str, Any]:
    http = servers.client()
    made = http.post(V2 + "/collections", json={"name": "hot"}).json()
    records = 40
    added = http.post(
        f"{V2}/collections/{made['id']}/add",
        json={
            "ids": [f"r{i}" for i in range(records)],
            "embeddings": [[float(i), float(i % 7), 1.0] for i in range(records)],
            "metadatas": [{"i": i, "even": i % 2 == 0} for i in range(records)],
            "documents": [f"doc {i} {'apple' if i % 3 == 0 else 'pear'}" for i in range(records)],
        },
    )
    assert added.status_code in (200, 201), added.text
    return {"http": http, "path": f"{V2}/collections/{made['id']}/query", "id": made["id"]}


QUERIES: List[Any] = [
    {"query_embeddings": [[3.0, 1.0, 1.0]]},
    {"query_embeddings": [[3.0, 1.0, 1.0]], "n_results": 3, "include": []},
    {
        "query_embeddings": [[3.0, 1.0, 1.0], [9.0, 2.0, 1.0]],
        "include": ["embeddings", "metadatas", "documents", "distances", "uris"],
    },
    {"query_embeddings": [[3.0, 1.0, 1.0]], "where": {"even": True}, "n_results": 5},
    {"query_embeddings": [[3.0, 1.0, 1.0]], "where_document": {"$contains": "apple"}},
    {"query_embeddings": [[3.0, 1.0, 1.0]], "ids": ["r1", "r2", "r30"]},
    {"query_embeddings": [[3.0, 1.0, 1.0]], "n_results": 1000},
    {"query_embeddings": [base64.b64encode(struct.pack("<3f", 3.0, 1.0, 1.0)).decode()]},
    {"query_embeddings": [[1.0, 2.0, 3.0]] * 6},  # more than the fast path takes
    # errors: each must come back as the full route gives it
    {"query_embeddings": [[3.0, 1.0]]},
    {"query_embeddings": []},
    {"query_embeddings": [[3.0, 1.0, 1.0]], "n_results": 0},
    {"query_embeddings": [[3.0, 1.0, 1.0]], "include": ["nonsense"]},
    {"query_embeddings": [[3.0, 1.0, 1.0]], "where": {"i": {"$near": 3}}},
    {"query_embeddings": [["x", 1.0, 1.0]]},
    {"query_embeddings": ["not base64!"]},
    {"n_results": 3},
    b"{not json",
    b"",
]


@pytest.mark.parametrize("body", QUERIES, ids=range(len(QUERIES)))
def test_fast_path_answers_as_the_full_route(
    seeded: Dict[str, Any], monkeypatch: pytest.MonkeyPatch, body: Any
) -> None:
    _both(seeded["http"], monkeypatch, seeded["path"], body)


@pytest.mark.parametrize(
    "path",
    [
        V2 + "/collections/00000000-0000-0000-0000-000000000000/query",  # no such id
        V2 + "/collections/hot/query",  # by name
        V2 + "/collections/nothing-by-that-name/query",
        "/api/v2/tenants/nobody/databases/nowhere/collections/hot/query",
    ],
)
def test_fast_path_finds_collections_as_the_full_route(
    seeded: Dict[str, Any], monkeypatch: pytest.MonkeyPatch, path: str
) -> None:
    _both(seeded["http"], monkeypatch, path, {"query_embeddings": [[3.0, 1.0, 1.0]]})


def test_auth_still_guards_the_fast_path(servers: ServerFactory) -> None:
    http = servers.client(
        chroma_server_authn_provider="chromadb.auth.token_authn.TokenAuthenticationServerProvider",
        chroma_server_authn_credentials="secret",
    )
    path = V2 + "/collections/00000000-0000-0000-0000-000000000000/query"
    refused = http.post(path, json={"query_embeddings": [[1.0, 2.0]]})
    assert refused.status_code == 401
    allowed = http.post(
        path, json={"query_embeddings": [[1.0, 2.0]]}, headers={"x-chroma-token": "secret"}
    )
    assert allowed.status_code == 404


def test_cors_headers_come_with_fast_queries(servers: ServerFactory) -> None:
    http = servers.client(chroma_server_cors_allow_origins=["http://app.example"])
    made = http.post(V2 + "/collections", json={"name": "cors"}).json()
    http.post(f"{V2}/collections/{made['id']}/add", json={"ids": ["a"], "embeddings": [[1.0, 2.0]]})
    answer = http.post(
        f"{V2}/collections/{made['id']}/query",
        json={"query_embeddings": [[1.0, 2.0]], "n_results": 1},
        headers={"origin": "http://app.example"},
    )
    assert answer.status_code == 200
    assert answer.json()["ids"] == [["a"]]
    assert answer.headers["access-control-allow-origin"] == "http://app.example"


def test_the_size_limit_still_applies(servers: ServerFactory) -> None:
    http = servers.client(chroma_server_max_body_bytes=100)
    answer = http.post(
        V2 + "/collections/00000000-0000-0000-0000-000000000000/query",
        json={"query_embeddings": [[1.0] * 50]},
    )
    assert answer.status_code == 413


def test_only_queries_answered_from_memory_run_on_the_event_loop(tmp_path: Any) -> None:
    # The first query of a collection loads its index (seconds for a large one): it, and a
    # filtered query before the metadata columns are loaded, must go to the thread pool, so
    # that the worker's other requests are not held up meanwhile.
    from chromadb.config import Settings
    from chromadb.server.fastapi import FastAPI

    settings = Settings(is_persistent=True, persist_directory=str(tmp_path / "data"))
    first = FastAPI(settings)
    api = first.api
    made = api._create_collection("loaded")
    api._add(made.id, ["a", "b"], [[1.0, 0.0], [0.0, 1.0]], [{"k": 1}, {"k": 2}])
    first.close()

    from chromadb.api.client import clear_system_cache

    clear_system_cache()
    again = FastAPI(settings)
    try:
        api = again.api
        assert not api._answers_at_once(made.id, False)  # index not loaded yet
        api._query(made.id, [[1.0, 0.0]], n_results=1)
        assert api._answers_at_once(made.id, False)
        assert not api._answers_at_once(made.id, True)  # metadata columns not loaded yet
        api._query(made.id, [[1.0, 0.0]], n_results=1, where={"k": 1})
        assert api._answers_at_once(made.id, True)
    finally:
        again.close()
