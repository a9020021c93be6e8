"""Shared fixtures: one ``client`` fixture over the three ways users reach chromadb.

- ``memory``: ``chromadb.EphemeralClient`` (the embedded engine, in memory);
- ``persistent``: ``chromadb.PersistentClient`` on a folder of its own per test;
- ``http``: ``chromadb.HttpClient`` against ONE real server started for the whole session with
  ``python -m chromadb.cli run``.

A test that takes ``client`` runs three times, so the embedded engine and the HTTP client cannot
drift apart. Every param starts empty: the in-memory and HTTP databases are reset before each
test, the persistent one gets a fresh folder. Tests embed with the tiny deterministic functions
below, never the real model.
"""

from __future__ import annotations

import hashlib
import importlib.util
import os
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path
from typing import Any, Callable, Dict, Iterator, List, Optional

import httpx
import pytest
from hypothesis import HealthCheck, settings

import chromadb
from chromadb.api.client import clear_system_cache
from chromadb.config import Settings

# One fixed, derandomized profile: the property tests explore the same examples on every run,
# so a failure in CI reproduces locally and the run time stays predictable.
settings.register_profile(
    "ci",
    max_examples=40,
    deadline=None,
    derandomize=True,
    database=None,
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
settings.load_profile("ci")

CLIENT_KINDS = ["memory", "persistent", "http"]
SERVER_START_TIMEOUT_S = 60.0


class TinyEmbeddingFunction:
    """A deterministic embedding function for tests: each document becomes ``dim`` numbers
    derived from its SHA-256, so equal documents get equal vectors and no model is loaded."""

    def __init__(self, dim: int = 3) -> None:
        self.dim = dim

    def __call__(self, input: List[str]) -> List[List[float]]:
        return [embed_text(doc, self.dim) for doc in input]


def embed_text(text: str, dim: int) -> List[float]:
    """The vector ``TinyEmbeddingFunction(dim)`` gives ``text`` (exact in float32)."""
    digest = hashlib.sha256(text.encode("utf-8")).digest()
    while len(digest) < dim:
        digest += hashlib.sha256(digest).digest()
    # Quarter steps in [-4, 4): exactly representable in float32, so round trips compare exactly.
    return [(b % 32 - 16) / 4 for b in digest[:dim]]


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class ServerHandle:
    """Where the session's HTTP server listens, and its process."""

    def __init__(self, host: str, port: int, process: subprocess.Popen[bytes], log: Path) -> None:
        self.host = host
        self.port = port
        self.process = process
        self.log = log

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def log_tail(self, limit: int = 4000) -> str:
        try:
            return self.log.read_text(errors="replace")[-limit:]
        except OSError:
            return "<no log>"


def _wait_for_heartbeat(server: ServerHandle, timeout_s: float) -> None:
    deadline = time.monotonic() + timeout_s
    last_error: Optional[BaseException] = None
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise RuntimeError(
                f"chroma server exited with {server.process.returncode} before answering:\n"
                + server.log_tail()
            )
        try:
            response = httpx.get(f"{server.url}/api/v2/heartbeat", timeout=2.0)
            if response.status_code == 200:
                return
        except httpx.HTTPError as exc:  # not listening yet
            last_error = exc
        time.sleep(0.2)
    raise RuntimeError(
        f"chroma server gave no heartbeat within {timeout_s:.0f}s ({last_error!r}):\n"
        + server.log_tail()
    )


@pytest.fixture(scope="session")
def http_server(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[ServerHandle]:
    """One real ``chroma run`` server for the whole session, on a free local port."""
    if request.config.pluginmanager.has_plugin("tests.distributed.cluster.plugin"):
        # tests/distributed/test_cluster.py runs the API suite against `chroma run --ray`.
        yield request.getfixturevalue("frontend")
        return
    if importlib.util.find_spec("chromadb.cli") is None:
        pytest.skip("chromadb.cli does not exist yet, so there is no server to test over HTTP")
    root = tmp_path_factory.mktemp("http_server")
    port = free_port()
    log = root / "server.log"
    env = dict(os.environ, ALLOW_RESET="TRUE", ANONYMIZED_TELEMETRY="FALSE")
    command = [
        sys.executable, "-m", "chromadb.cli", "run",
        "--path", str(root / "data"), "--host", "127.0.0.1", "--port", str(port),
    ]  # fmt: skip
    with open(log, "wb") as out:
        process = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT, env=env, cwd=root)
    server = ServerHandle("127.0.0.1", port, process, log)
    try:
        _wait_for_heartbeat(server, SERVER_START_TIMEOUT_S)
        yield server
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=15)


def make_http_client(server: ServerHandle, **kwargs: Any) -> Any:
    """An HTTP client on the session server (``allow_reset`` on, since tests reset it)."""
    return chromadb.HttpClient(
        host=server.host, port=server.port, settings=Settings(allow_reset=True), **kwargs
    )


@pytest.fixture
def fresh_systems() -> Iterator[None]:
    """Forget every shared System before and after a test: two in-memory clients in one
    process share their data (as in Chroma), so without this one test's data would leak into
    the next. Not autouse, so that other suites' module-scoped clients are left alone; the
    modules that build clients directly ask for it with ``pytestmark``."""
    clear_system_cache()
    try:
        yield
    finally:
        clear_system_cache()


@pytest.fixture
def persistent_path(tmp_path: Path) -> str:
    """A folder of its own for a persistent client (not created: the client creates it)."""
    return str(tmp_path / "chroma_data")


@pytest.fixture(params=CLIENT_KINDS, ids=CLIENT_KINDS)
def client_kind(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def client_factory(
    client_kind: str, request: pytest.FixtureRequest, persistent_path: str
) -> Callable[..., Any]:
    """Builds more clients on the same database as ``client`` (same folder, same server)."""
    if client_kind == "memory":
        return lambda **kw: chromadb.EphemeralClient(Settings(allow_reset=True), **kw)
    if client_kind == "persistent":
        return lambda **kw: chromadb.PersistentClient(
            path=persistent_path, settings=Settings(allow_reset=True), **kw
        )
    server: ServerHandle = request.getfixturevalue("http_server")
    return lambda **kw: make_http_client(server, **kw)


@pytest.fixture
def client(
    client_kind: str, client_factory: Callable[..., Any], fresh_systems: None
) -> Iterator[Any]:
    """An empty database reached as a user would: in memory, on disk, or over HTTP."""
    c = client_factory()
    try:
        if client_kind != "persistent":
            c.reset()
        yield c
    finally:
        clear_system_cache()


@pytest.fixture
def ef() -> TinyEmbeddingFunction:
    """A deterministic 3-d embedding function (the seed's examples use 3-d vectors)."""
    return TinyEmbeddingFunction(3)


@pytest.fixture
def make_ef() -> Callable[[int], TinyEmbeddingFunction]:
    """Deterministic embedding functions of any dimension."""
    return TinyEmbeddingFunction


@pytest.fixture
def unique_name() -> Callable[[str], str]:
    """Collection/tenant/database names that no other test uses (the HTTP server is shared)."""

    def make(prefix: str) -> str:
        return f"{prefix}-{uuid.uuid4().hex[:12]}"

    return make


def _snapshot(collection: Any) -> Dict[str, Any]:
    """Everything a collection holds, to check that a rejected call changed nothing."""
    got = collection.get(include=["embeddings", "metadatas", "documents", "uris"])
    return {
        "count": collection.count(),
        "ids": list(got["ids"]),
        "embeddings": [
            list(map(float, e))
            for e in (got["embeddings"] if got["embeddings"] is not None else [])
        ],
        "metadatas": got["metadatas"],
        "documents": got["documents"],
        "uris": got["uris"],
    }


@pytest.fixture
def snapshot() -> Callable[[Any], Dict[str, Any]]:
    """``snapshot(collection)``: everything it holds, to compare before and after a call."""
    return _snapshot
