"""Fixtures for the embedding-function tests: the real default model (loaded once per session),
its reference vectors, and a local HTTP server that plays a web embedding service."""

from __future__ import annotations

import json
import socket
from pathlib import Path
from typing import Any, Dict, Iterator, List

import pytest

from chromadb.utils.embedding_functions import DefaultEmbeddingFunction

from .fake_service import FakeService, serve

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture(scope="session")
def reference() -> List[Dict[str, Any]]:
    """Texts with sentence-transformers' vectors for them (see make_reference.py)."""
    data = json.loads((FIXTURES / "minilm_reference.json").read_text(encoding="utf-8"))
    items: List[Dict[str, Any]] = data["items"]
    return items


@pytest.fixture(scope="session")
def default_ef() -> DefaultEmbeddingFunction:
    """The default function with its model loaded (the load happens once per session)."""
    ef = DefaultEmbeddingFunction()
    ef(["warm up"])
    return ef


@pytest.fixture(scope="module")
def _fake_service_server() -> Iterator[FakeService]:
    with serve() as service:
        yield service


@pytest.fixture
def fake_service(_fake_service_server: FakeService) -> Iterator[FakeService]:
    """The module's fake service, emptied for this test."""
    _fake_service_server.reset()
    yield _fake_service_server
    _fake_service_server.reset()


@pytest.fixture
def closed_port_url() -> str:
    """A URL on 127.0.0.1 where nothing listens (connections are refused)."""

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}"
