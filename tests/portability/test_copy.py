"""``chroma copy`` between folders and real servers (HTTP to HTTP included), resumable by id."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any, Dict, Iterator

import numpy as np
import pytest

import chromadb
from chromadb.api.client import clear_system_cache
from chromadb.cli import main
from tests.conftest import SERVER_START_TIMEOUT_S, ServerHandle, _wait_for_heartbeat, free_port

pytestmark = pytest.mark.slow


@pytest.fixture()
def second_server(tmp_path: Path) -> Iterator[ServerHandle]:
    port = free_port()
    log = tmp_path / "server2.log"
    command = [
        sys.executable, "-m", "chromadb.cli", "run",
        "--path", str(tmp_path / "server2"), "--host", "127.0.0.1", "--port", str(port),
    ]  # fmt: skip
    with open(log, "wb") as out:
        process = subprocess.Popen(
            command, stdout=out, stderr=subprocess.STDOUT, env=dict(os.environ)
        )
    server = ServerHandle("127.0.0.1", port, process, log)
    try:
        _wait_for_heartbeat(server, SERVER_START_TIMEOUT_S)
        yield server
    finally:
        process.terminate()
        process.wait(timeout=30)


def _records(client: Any, name: str) -> Dict[str, Any]:
    col = client.get_collection(name, embedding_function=None)
    got = col.get(include=["embeddings", "documents", "metadatas"])
    return {
        rid: (
            np.asarray(got["embeddings"][i], dtype=np.float32).tobytes(),
            got["documents"][i],
            got["metadatas"][i],
        )
        for i, rid in enumerate(got["ids"])
    }


def test_copy_folder_to_server_to_server_to_folder(
    tmp_path: Path,
    http_server: ServerHandle,
    second_server: ServerHandle,
    capsys: pytest.CaptureFixture[str],
) -> None:
    folder = str(tmp_path / "a")
    name = "moving_copy_test"
    rng = np.random.default_rng(7)
    try:
        client = chromadb.PersistentClient(path=folder)
        col = client.create_collection(
            name, metadata={"hnsw:space": "cosine", "v": 2}, embedding_function=None
        )
        col.add(
            ids=[f"m{i}" for i in range(500)],
            embeddings=rng.standard_normal((500, 8)).astype(np.float32),
            documents=[f"doc {i}" for i in range(500)],
            metadatas=[{"i": i, "even": i % 2 == 0} for i in range(500)],
        )
        want = _records(client, name)
        clear_system_cache()

        first = chromadb.HttpClient(host=http_server.host, port=http_server.port)
        if name in [c.name for c in first.list_collections()]:
            first.delete_collection(name)
        assert main(["copy", folder, http_server.url, "--quiet"]) == 0
        assert _records(first, name) == want

        # An interrupted copy left 100 records behind: the rerun writes only the rest.
        second = chromadb.HttpClient(host=second_server.host, port=second_server.port)
        partial = second.create_collection(
            name, metadata={"hnsw:space": "cosine", "v": 2}, embedding_function=None
        )
        head = first.get_collection(name, embedding_function=None).get(
            limit=100, include=["embeddings", "documents", "metadatas"]
        )
        partial.add(
            ids=head["ids"],
            embeddings=head["embeddings"],
            documents=head["documents"],
            metadatas=head["metadatas"],
        )
        capsys.readouterr()
        assert (
            main(["copy", http_server.url, second_server.url, "--collection", name, "--quiet"]) == 0
        )
        assert "400 records written (100 already there)" in capsys.readouterr().out
        assert _records(second, name) == want

        back = str(tmp_path / "b")
        assert main(["copy", second_server.url, back, "--quiet"]) == 0
        restored = chromadb.PersistentClient(path=back)
        assert _records(restored, name) == want
        assert restored.get_collection(name, embedding_function=None).metadata == {
            "hnsw:space": "cosine",
            "v": 2,
        }
        first.delete_collection(name)
    finally:
        clear_system_cache()


def test_copy_of_a_tenant_and_database_of_their_own(tmp_path: Path) -> None:
    src, dst = str(tmp_path / "src"), str(tmp_path / "dst")
    try:
        admin = chromadb.AdminClient(chromadb.PersistentClient(path=src)._settings)
        admin.create_tenant("acme")
        admin.create_database("sales", tenant="acme")
        client = chromadb.PersistentClient(path=src, tenant="acme", database="sales")
        col = client.create_collection("orders", embedding_function=None)
        col.add(ids=["o1", "o2"], embeddings=[[1.0, 2.0], [3.0, 4.0]], documents=["a", "b"])
        args = ["copy", src, dst, "--tenant", "acme", "--database", "sales", "--quiet"]
        assert main(args) == 0
        there = chromadb.PersistentClient(path=dst, tenant="acme", database="sales")
        assert _records(there, "orders") == _records(client, "orders")
        assert chromadb.PersistentClient(path=dst).list_collections() == []
    finally:
        clear_system_cache()
