"""Token (and basic) authentication, CORS origins and the request body limit."""

from __future__ import annotations

from typing import Any, Iterator

import pytest
from fastapi.testclient import TestClient

from chromadb.api.fastapi import FastAPI as HttpAPI
from chromadb.config import Settings, System
from chromadb.errors import AuthError

V2 = "/api/v2/tenants/default_tenant/databases/default_database"
TOKEN = "s3cret-token"


@pytest.fixture
def guarded(servers: Any) -> TestClient:
    client: TestClient = servers.client(chroma_server_auth_credentials=TOKEN)
    return client


@pytest.mark.parametrize(
    "headers",
    [{}, {"Authorization": "Bearer wrong"}, {"X-Chroma-Token": "wrong"}, {"Authorization": TOKEN}],
    ids=["none", "wrong-bearer", "wrong-x-chroma-token", "no-scheme"],
)
def test_protected_routes_need_the_token(guarded: TestClient, headers: dict) -> None:
    for method, path in [
        ("GET", V2 + "/collections"),
        ("POST", "/api/v2/reset"),
        ("GET", "/api/v1/collections"),
    ]:
        answer = guarded.request(method, path, headers=headers)
        assert answer.status_code == 401
        assert answer.json()["error"] == "AuthError"


@pytest.mark.parametrize(
    "headers",
    [{"Authorization": f"Bearer {TOKEN}"}, {"X-Chroma-Token": TOKEN}],
    ids=["bearer", "x-chroma-token"],
)
def test_the_token_opens_every_route(guarded: TestClient, headers: dict) -> None:
    created = guarded.post(V2 + "/collections", json={"name": "secure"}, headers=headers)
    assert created.status_code == 200
    assert guarded.get(V2 + "/collections/secure", headers=headers).status_code == 200


def test_heartbeat_version_and_docs_stay_open(guarded: TestClient) -> None:
    for path in [
        "/api/v1",
        "/api/v1/heartbeat",
        "/api/v2/heartbeat",
        "/api/v2/version",
        "/api/v2/healthcheck",
        "/api/v2/pre-flight-checks",
        "/openapi.json",
        "/docs",
    ]:
        assert guarded.get(path).status_code == 200, path


def test_basic_authentication(servers: Any) -> None:
    http = servers.client(
        chroma_server_auth_provider="basic", chroma_server_auth_credentials="admin:pw"
    )
    assert http.get(V2 + "/collections").status_code == 401
    assert http.get(V2 + "/collections", auth=("admin", "nope")).status_code == 401
    assert http.get(V2 + "/collections", auth=("admin", "pw")).status_code == 200


@pytest.mark.parametrize("transport", [None, "X-Chroma-Token"])
def test_our_client_authenticates_from_settings(guarded: TestClient, transport: Any) -> None:
    settings = Settings(
        chroma_api_impl="rest",
        chroma_client_auth_credentials=TOKEN,
        chroma_auth_token_transport_header=transport,
    )
    # TestClient sends its own headers; hand it the ones our client computed from settings.
    api = HttpAPI(System(settings))
    guarded.headers.update(api._http.headers)
    api.stop()
    client = HttpAPI(System(settings), http_client=guarded)
    assert client.create_collection("authed", embedding_function=None).name == "authed"


def test_our_client_without_credentials_gets_auth_error(guarded: TestClient) -> None:
    client = HttpAPI(System(Settings(chroma_api_impl="rest")), http_client=guarded)
    assert client.heartbeat() > 0  # open
    with pytest.raises(AuthError):
        client.list_collections()


@pytest.fixture
def cors(servers: Any) -> Iterator[TestClient]:
    yield servers.client(chroma_server_cors_allow_origins=["http://app.example"])


def test_cors_allows_configured_origins_only(cors: TestClient) -> None:
    preflight = cors.options(
        V2 + "/collections",
        headers={"Origin": "http://app.example", "Access-Control-Request-Method": "POST"},
    )
    assert preflight.status_code == 200
    assert preflight.headers["access-control-allow-origin"] == "http://app.example"
    answer = cors.get("/api/v2/heartbeat", headers={"Origin": "http://app.example"})
    assert answer.headers["access-control-allow-origin"] == "http://app.example"
    other = cors.get("/api/v2/heartbeat", headers={"Origin": "http://evil.example"})
    assert "access-control-allow-origin" not in other.headers


def test_no_cors_headers_unless_configured(http: TestClient) -> None:
    answer = http.get("/api/v2/heartbeat", headers={"Origin": "http://app.example"})
    assert "access-control-allow-origin" not in answer.headers


def test_request_body_limit(servers: Any) -> None:
    http = servers.client(chroma_server_max_body_bytes=2_000)
    http.post(V2 + "/collections", json={"name": "limited"})
    big = {"ids": [f"id{i}" for i in range(200)], "embeddings": [[1.0, 2.0]] * 200}
    answer = http.post(V2 + "/collections/limited/add", json=big)
    assert answer.status_code == 413
    assert answer.json()["error"] == "BatchSizeExceededError"
    assert "chroma_server_max_body_bytes" in answer.json()["message"]

    def chunks() -> Iterator[bytes]:  # no Content-Length: the limit counts what arrives
        yield b'{"ids": ['
        for i in range(400):
            yield f'"id{i}",'.encode()
        yield b'"last"], "embeddings": []}'

    streamed = http.post(
        V2 + "/collections/limited/add",
        content=chunks(),
        headers={"Content-Type": "application/json"},
    )
    assert streamed.status_code == 413
    assert http.get(V2 + "/collections/limited/count").json() == 0
    small = {"ids": ["a"], "embeddings": [[1.0, 2.0]]}
    assert http.post(V2 + "/collections/limited/add", json=small).status_code == 201
