"""Authentication with Chroma's own settings: CHROMA_SERVER_AUTHN_PROVIDER with
CHROMA_SERVER_AUTHN_CREDENTIALS or ..._CREDENTIALS_FILE (a token, YAML users, or htpasswd lines of
bcrypt hashes) and CHROMA_AUTH_TOKEN_TRANSPORT_HEADER; clients configured with
chroma_client_auth_provider / chroma_client_auth_credentials, ours and the official one."""

from __future__ import annotations

import base64
import os
import subprocess
from pathlib import Path
from typing import Any, Dict, Iterator

import bcrypt
import pytest
from fastapi.testclient import TestClient

import chromadb
from chromadb.config import Settings
from chromadb.errors import AuthError
from chromadb.server.fastapi import FastAPI
from tests.compat.harness import RunningServer, running_server

LIST = "/api/v2/tenants/default_tenant/databases/default_database/collections"
TOKEN_PROVIDER = "chromadb.auth.token_authn.TokenAuthenticationServerProvider"
BASIC_PROVIDER = "chromadb.auth.basic_authn.BasicAuthenticationServerProvider"


@pytest.fixture
def serve() -> Iterator[Any]:
    servers = []

    def make(**settings: Any) -> TestClient:
        server = FastAPI(Settings(**settings))
        servers.append(server)
        return TestClient(server.app(), raise_server_exceptions=False)

    try:
        yield make
    finally:
        for server in servers:
            server.close()


def _status(http: TestClient, headers: Dict[str, str]) -> int:
    return http.get(LIST, headers=headers).status_code


def test_a_token_provider_with_credentials_guards_every_protected_route(serve: Any) -> None:
    http = serve(chroma_server_authn_provider=TOKEN_PROVIDER, chroma_server_authn_credentials="tok")
    assert _status(http, {}) == 401
    assert http.get(LIST).json()["error"] == "AuthError"
    assert _status(http, {"Authorization": "Bearer nope"}) == 401
    assert _status(http, {"Authorization": "Bearer tok"}) == 200
    assert http.get("/api/v2/heartbeat").status_code == 200


def test_the_transport_header_decides_where_the_token_travels(serve: Any) -> None:
    http = serve(
        chroma_server_authn_provider=TOKEN_PROVIDER,
        chroma_server_authn_credentials="tok",
        chroma_auth_token_transport_header="X-Chroma-Token",
    )
    assert _status(http, {"X-Chroma-Token": "tok"}) == 200
    assert _status(http, {"Authorization": "Bearer tok"}) == 401
    bearer_only = serve(
        chroma_server_authn_provider=TOKEN_PROVIDER,
        chroma_server_authn_credentials="tok",
        chroma_auth_token_transport_header="Authorization",
    )
    assert _status(bearer_only, {"X-Chroma-Token": "tok"}) == 401
    assert _status(bearer_only, {"Authorization": "Bearer tok"}) == 200


def test_a_credentials_file_of_yaml_users(serve: Any, tmp_path: Path) -> None:
    creds = tmp_path / "tokens.yaml"
    creds.write_text(
        "users:\n  - id: ann\n    tokens: [t-ann-1, t-ann-2]\n  - id: bob\n    tokens: [t-bob]\n"
    )
    http = serve(
        chroma_server_authn_provider=TOKEN_PROVIDER,
        chroma_server_authn_credentials_file=str(creds),
    )
    for token in ("t-ann-1", "t-ann-2", "t-bob"):
        assert _status(http, {"Authorization": f"Bearer {token}"}) == 200
    assert _status(http, {"Authorization": "Bearer t-carl"}) == 401


def _basic(user: str, password: str) -> Dict[str, str]:
    return {"Authorization": "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()}


def test_basic_auth_against_an_htpasswd_file_of_bcrypt_hashes(serve: Any, tmp_path: Path) -> None:
    hashed = bcrypt.hashpw(b"s3cret", bcrypt.gensalt(rounds=4)).decode()
    htpasswd = tmp_path / "server.htpasswd"
    htpasswd.write_text(f"admin:{hashed}\n")
    http = serve(
        chroma_server_authn_provider=BASIC_PROVIDER,
        chroma_server_authn_credentials_file=str(htpasswd),
    )
    assert _status(http, _basic("admin", "s3cret")) == 200
    assert _status(http, _basic("admin", "wrong")) == 401
    assert _status(http, _basic("nobody", "s3cret")) == 401
    assert _status(http, {}) == 401


@pytest.mark.parametrize(
    "settings, problem",
    [
        ({"chroma_server_authn_credentials": "a", "chroma_server_authn_credentials_file": "f"}, "only one"),
        ({"chroma_server_authn_provider": TOKEN_PROVIDER}, "No credentials"),
        ({"chroma_server_authn_provider": "chromadb.auth.Nonsense", "chroma_server_authn_credentials": "t"}, "Unknown auth provider"),
        ({"chroma_server_authn_provider": BASIC_PROVIDER, "chroma_server_authn_credentials": "no-colon"}, "htpasswd"),
    ],
    ids=["both", "none", "unknown-provider", "bad-htpasswd"],
)  # fmt: skip
def test_a_misconfigured_server_refuses_to_start(settings: Dict[str, Any], problem: str) -> None:
    with pytest.raises(ValueError, match=problem):
        FastAPI(Settings(**settings)).app()


@pytest.fixture
def token_server(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[RunningServer]:
    """`chroma run` configured only through Chroma's environment variables."""
    monkeypatch.setenv("CHROMA_SERVER_AUTHN_PROVIDER", TOKEN_PROVIDER)
    monkeypatch.setenv("CHROMA_SERVER_AUTHN_CREDENTIALS", "env-token")
    monkeypatch.setenv("CHROMA_AUTH_TOKEN_TRANSPORT_HEADER", "X-Chroma-Token")
    with running_server(tmp_path) as server:
        yield server


def _client(server: RunningServer, **settings: Any) -> Any:
    host, port = server.url.rsplit(":", 1)
    return chromadb.HttpClient(
        host=host.removeprefix("http://"), port=int(port), settings=Settings(**settings)
    )


def test_our_client_with_chroma_client_auth_settings(token_server: RunningServer) -> None:
    with pytest.raises(AuthError):
        _client(token_server).list_collections()
    client = _client(
        token_server,
        chroma_client_auth_provider="chromadb.auth.token_authn.TokenAuthClientProvider",
        chroma_client_auth_credentials="env-token",
        chroma_auth_token_transport_header="X-Chroma-Token",
    )
    client.create_collection("guarded")
    assert [c.name for c in client.list_collections()] == ["guarded"]


OFFICIAL = """
import sys, chromadb
from chromadb.config import Settings
host, port, token = sys.argv[1], int(sys.argv[2]), sys.argv[3]
settings = Settings(
    chroma_client_auth_provider="chromadb.auth.token_authn.TokenAuthClientProvider",
    chroma_client_auth_credentials=token,
    chroma_auth_token_transport_header="X-Chroma-Token",
    anonymized_telemetry=False,
)
try:
    client = chromadb.HttpClient(host=host, port=port, settings=settings)
    client.get_or_create_collection("official").add(ids=["a"], embeddings=[[1.0, 2.0]])
    print("OK", client.get_collection("official").count())
except Exception as exc:
    print("ERR", type(exc).__name__)
"""


@pytest.mark.compat
def test_the_official_1_5_9_client_with_its_own_auth_settings(
    token_server: RunningServer, tmp_path: Path
) -> None:
    # Run from an empty folder: `python -c` puts the working folder first on sys.path.
    from tests.compat import installers

    try:
        python = installers.python_client("chromadb-client", "1.5.9")
    except installers.RegistryUnreachable as exc:
        pytest.skip(f"package index unreachable: {exc}")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CHROMA_", "VIRTUAL_ENV"))}
    host, port = token_server.url.removeprefix("http://").rsplit(":", 1)

    def run(token: str) -> str:
        done = subprocess.run(
            [str(python), "-c", OFFICIAL, host, port, token],
            capture_output=True, text=True, timeout=120, env=env, cwd=tmp_path,
        )  # fmt: skip
        return done.stdout.strip().splitlines()[-1] if done.stdout.strip() else done.stderr

    assert run("env-token") == "OK 1"
    assert run("wrong-token").startswith("ERR")
