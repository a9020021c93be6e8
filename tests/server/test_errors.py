"""Errors travel as {"error": Name, "message": text} with the right status; bad input is a 4xx,
never a 500, and changes nothing."""

from __future__ import annotations

from typing import Any, Callable, Dict, Iterator, Optional, Tuple

import pytest
from fastapi.testclient import TestClient

from chromadb.config import Settings
from chromadb.server.fastapi import FastAPI

V2 = "/api/v2/tenants/default_tenant/databases/default_database"


def _error(answer: Any, status: int, name: str) -> str:
    assert answer.status_code == status, answer.text
    body = answer.json()
    assert body["error"] == name, body
    assert isinstance(body["message"], str) and body["message"]
    return str(body["message"])


def _state(http: TestClient, cid: str) -> Dict[str, Any]:
    everything = ["embeddings", "metadatas", "documents", "uris"]
    got: Dict[str, Any] = http.post(
        f"{V2}/collections/{cid}/get", json={"include": everything}
    ).json()
    return got


@pytest.fixture(scope="module")
def shared() -> Iterator[Tuple[TestClient, str]]:
    """One server for the tests that change nothing (each checks that it did not)."""
    server = FastAPI(Settings())
    client = TestClient(server.app(), raise_server_exceptions=False)
    created = client.post(V2 + "/collections", json={"name": "errs"}).json()
    body = {"ids": ["r0", "r1", "r2"], "embeddings": [[0.0, 1, 2], [1.0, 2, 3], [2.0, 3, 4]]}
    client.post(f"{V2}/collections/{created['id']}/add", json=body)
    try:
        yield client, created["id"]
    finally:
        server.close()


@pytest.fixture
def http(shared: Tuple[TestClient, str]) -> TestClient:
    return shared[0]


@pytest.fixture
def cid(shared: Tuple[TestClient, str]) -> str:
    return shared[1]


def test_missing_things_are_404(http: TestClient) -> None:
    _error(http.get(V2 + "/collections/nothing"), 404, "NotFoundError")
    _error(http.get("/api/v1/collections/nothing"), 404, "NotFoundError")
    _error(http.delete(V2 + "/collections/nothing"), 404, "NotFoundError")
    missing = "00000000-0000-0000-0000-000000000000"
    _error(http.post(f"{V2}/collections/{missing}/get", json={}), 404, "NotFoundError")
    _error(http.get("/api/v2/tenants/ghost/databases/none/collections"), 404, "NotFoundError")


def test_existing_things_are_409(http: TestClient, cid: str) -> None:
    _error(http.post(V2 + "/collections", json={"name": "errs"}), 409, "UniqueConstraintError")
    # An add of an id that exists is skipped, as real Chroma does: nothing changes.
    add = {"ids": ["r1"], "embeddings": [[9.0, 9.0, 9.0]]}
    before = http.post(f"{V2}/collections/{cid}/get", json={"include": ["embeddings"]}).json()
    assert http.post(f"{V2}/collections/{cid}/add", json=add).status_code == 201
    after = http.post(f"{V2}/collections/{cid}/get", json={"include": ["embeddings"]}).json()
    assert after == before


BAD_REQUESTS = [
    pytest.param("add", {"ids": 5}, "InvalidArgumentError", id="ids-not-a-list"),
    pytest.param("add", {"ids": []}, "InvalidArgumentError", id="ids-empty"),
    pytest.param("add", {"embeddings": [[1, 2, 3]]}, "InvalidArgumentError", id="ids-missing"),
    pytest.param("add", {"ids": ["n"]}, "InvalidArgumentError", id="no-embeddings"),
    pytest.param("add", {"ids": ["n"], "embeddings": [[1, 2]]}, "InvalidDimension", id="dimension"),
    pytest.param(
        "add", {"ids": ["n", "n"], "embeddings": [[1, 2, 3]] * 2}, "DuplicateID", id="dup"
    ),
    pytest.param("add", {"ids": ["n"], "embeddings": ["!!"]}, "InvalidArgumentError", id="base64"),
    pytest.param(
        "add", {"ids": ["n"], "embeddings": [["x"]]}, "InvalidArgumentError", id="text-vec"
    ),
    pytest.param(
        "add",
        {"ids": ["n"], "embeddings": [[1, 2, 3]], "metadatas": [{"k": [1, "x"]}]},
        "InvalidArgumentError",
        id="metadata-mixed-list",
    ),
    pytest.param(
        "add",
        {"ids": ["n", "m"], "embeddings": [[1, 2, 3]]},
        "InvalidArgumentError",
        id="length-mismatch",
    ),
    pytest.param(
        "upsert", {"ids": ["r0"], "embeddings": [[1, 2]]}, "InvalidDimension", id="upsert"
    ),
    pytest.param(
        "update", {"ids": ["r0"], "metadatas": [{"": 1}]}, "InvalidArgumentError", id="key"
    ),
    pytest.param("get", {"limit": -1}, "InvalidArgumentError", id="negative-limit"),
    pytest.param("get", {"offset": 2**70}, "InvalidArgumentError", id="huge-offset"),
    pytest.param("get", {"where": {"i": {"$bad": 1}}}, "InvalidArgumentError", id="operator"),
    pytest.param("get", {"include": ["distances"]}, "InvalidArgumentError", id="get-distances"),
    pytest.param("get", {"include": ["nonsense"]}, "InvalidArgumentError", id="include"),
    pytest.param(
        "query", {"query_embeddings": [[1, 2, 3]], "n_results": 0}, "InvalidArgumentError", id="n0"
    ),
    pytest.param("query", {"query_embeddings": [[1, 2]]}, "InvalidDimension", id="query-dim"),
    pytest.param("query", {"query_embeddings": []}, "InvalidArgumentError", id="no-queries"),
    pytest.param("delete", {"where_document": {"$contains": 3}}, "InvalidArgumentError", id="wd"),
    pytest.param("delete", {"ids": "r0"}, "InvalidArgumentError", id="delete-ids-str"),
]


@pytest.mark.parametrize("operation, body, name", BAD_REQUESTS)
def test_bad_record_requests_are_400_and_change_nothing(
    http: TestClient, cid: str, operation: str, body: Dict[str, Any], name: str
) -> None:
    before = _state(http, cid)
    _error(http.post(f"{V2}/collections/{cid}/{operation}", json=body), 400, name)
    assert _state(http, cid) == before


@pytest.mark.parametrize(
    "body",
    [b"{not json", b"", b"[1, 2]", b'"text"', b"\xff\xfe"],
    ids=["malformed", "empty", "array", "string", "not-utf8"],
)
def test_unreadable_bodies_are_400(http: TestClient, body: bytes) -> None:
    answer = http.post(
        V2 + "/collections", content=body, headers={"Content-Type": "application/json"}
    )
    _error(answer, 400, "InvalidArgumentError")
    assert http.get(V2 + "/collections_count").json() == 1


@pytest.mark.parametrize(
    "method, path, body",
    [
        ("POST", V2 + "/collections", {"name": "x"}),  # too short
        ("POST", V2 + "/collections", {"name": "bad name!"}),
        ("POST", V2 + "/collections", {"name": "ok-name", "metadata": {"hnsw:space": "manhattan"}}),
        ("POST", V2 + "/collections", {"name": "ok-name", "metadata": "nope"}),
        ("POST", "/api/v2/tenants", {"name": ""}),
        ("GET", V2 + "/collections?limit=-1", None),
        ("GET", V2 + "/collections?limit=many", None),
    ],
)
def test_bad_collection_requests_are_400(
    http: TestClient, method: str, path: str, body: Optional[Dict[str, Any]]
) -> None:
    _error(http.request(method, path, json=body), 400, "InvalidArgumentError")
    assert http.get(V2 + "/collections_count").json() == 1


def test_unknown_route_and_method(http: TestClient) -> None:
    _error(http.get("/api/v2/nowhere"), 404, "NotFoundError")
    answer = http.patch(V2 + "/collections/x")
    _error(answer, 405, "MethodNotAllowed")
    assert answer.headers["allow"] == "DELETE, GET, PUT"


def test_reset_needs_allow_reset(servers: Any) -> None:
    refused = servers.client(allow_reset=False)
    refused.post(V2 + "/collections", json={"name": "kept"})
    _error(refused.post("/api/v2/reset"), 403, "AuthorizationError")
    _error(refused.post("/api/v1/reset"), 403, "AuthorizationError")
    assert refused.get(V2 + "/collections_count").json() == 1
    allowed = servers.client(allow_reset=True)
    allowed.post(V2 + "/collections", json={"name": "gone"})
    assert allowed.post("/api/v2/reset").json() is True
    assert allowed.get(V2 + "/collections_count").json() == 0


def test_batch_larger_than_advertised_is_413(
    servers: Any, make_collection: Callable[..., dict]
) -> None:
    http = servers.client(chroma_server_max_batch_size=2)
    assert http.get("/api/v2/pre-flight-checks").json()["max_batch_size"] == 2
    cid = make_collection(http, "small")["id"]
    body = {"ids": ["a", "b", "c"], "embeddings": [[1.0]] * 3}
    _error(http.post(f"{V2}/collections/{cid}/add", json=body), 413, "BatchSizeExceededError")
    assert http.get(f"{V2}/collections/{cid}/count").json() == 0


class _BrokenAPI:
    """Stands in for a backend with a bug: every call fails unexpectedly."""

    def __getattr__(self, name: str) -> Any:
        def fail(*args: Any, **kwargs: Any) -> Any:
            raise RuntimeError("disk on fire")

        return fail


def test_unexpected_failure_is_a_logged_500_json(
    servers: Any, caplog: pytest.LogCaptureFixture
) -> None:
    http = servers.client(api=_BrokenAPI())  # type: ignore[arg-type]
    answer = http.get(V2 + "/collections")
    assert "disk on fire" in _error(answer, 500, "InternalError")
    assert any("Unexpected error" in r.getMessage() for r in caplog.records)
