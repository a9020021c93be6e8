"""Fixtures for the server tests: in-process apps (FastAPI's TestClient) and live servers on
127.0.0.1 (uvicorn in a thread), each over an engine of its own."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Callable, Iterator, List, Optional

import pytest
from fastapi.testclient import TestClient
from server_helpers import LiveServer

from chromadb.api import API
from chromadb.config import Settings
from chromadb.server.fastapi import FastAPI

V2 = "/api/v2/tenants/default_tenant/databases/default_database"


class ServerFactory:
    """Builds servers over fresh engines and stops them all at the end of the test."""

    def __init__(self, root: Path) -> None:
        self._root = root
        self._servers: List[FastAPI] = []
        self._live: List[LiveServer] = []

    def settings(self, persistent: bool = False, **overrides: Any) -> Settings:
        if persistent:
            path = self._root / f"data{len(self._servers)}"
            overrides.update(is_persistent=True, persist_directory=str(path))
        return Settings(**overrides)

    def server(self, api: Optional[API] = None, **overrides: Any) -> FastAPI:
        server = FastAPI(self.settings(**overrides), api=api)
        self._servers.append(server)
        return server

    def client(self, api: Optional[API] = None, **overrides: Any) -> TestClient:
        """An in-process HTTP client on a new server (500s come back as answers)."""
        return TestClient(self.server(api, **overrides).app(), raise_server_exceptions=False)

    def live(self, **overrides: Any) -> LiveServer:
        live = LiveServer(self.server(**overrides).app()).start()
        self._live.append(live)
        return live

    def close(self) -> None:
        for live in self._live:
            live.stop()
        for server in self._servers:
            server.close()


@pytest.fixture
def servers(tmp_path: Path) -> Iterator[ServerFactory]:
    factory = ServerFactory(tmp_path)
    try:
        yield factory
    finally:
        factory.close()


@pytest.fixture
def http(servers: ServerFactory) -> TestClient:
    """An in-process client on a server over a fresh in-memory engine, reset allowed."""
    return servers.client(allow_reset=True)


@pytest.fixture
def make_collection() -> Callable[..., dict]:
    """``make_collection(http, name, records=n, dim=d)``: create a collection over v2 and add
    ``n`` records ``r0..`` with embeddings ``[i, i+1, ...]``; returns the collection JSON."""

    def make(http: TestClient, name: str, records: int = 0, dim: int = 3, **body: Any) -> dict:
        answer = http.post(V2 + "/collections", json={"name": name, **body})
        assert answer.status_code == 200, answer.text
        collection = answer.json()
        if records:
            added = http.post(
                f"{V2}/collections/{collection['id']}/add",
                json={
                    "ids": [f"r{i}" for i in range(records)],
                    "embeddings": [[float(i + j) for j in range(dim)] for i in range(records)],
                    "documents": [f"doc {i}" for i in range(records)],
                    "metadatas": [{"i": i, "even": i % 2 == 0} for i in range(records)],
                },
            )
            assert added.status_code == 201, added.text
        return collection

    return make
