"""A server restarted on the same folder serves everything written before it stopped: after a
clean stop (SIGTERM, as Docker and Ctrl-C give) and after being killed outright."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Iterator, List

import httpx
import pytest

import chromadb
from chromadb.api.client import clear_system_cache

LISTENING = re.compile(r"listening on http://127\.0\.0\.1:(\d+)")


class CliServer:
    """``python -m chromadb.cli run`` on a folder and a port chosen by the OS."""

    def __init__(self, data: Path, log: Path) -> None:
        env = dict(os.environ, ALLOW_RESET="FALSE")
        command = [
            sys.executable, "-m", "chromadb.cli", "run",
            "--path", str(data), "--host", "127.0.0.1", "--port", "0",
        ]  # fmt: skip
        self.log = log
        with open(log, "wb") as out:
            self.process = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT, env=env)
        self.port = self._wait_for_address()

    def _wait_for_address(self) -> int:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            found = LISTENING.search(self.log.read_text(errors="replace"))
            if found:
                return int(found.group(1))
            if self.process.poll() is not None:
                break
            time.sleep(0.1)
        self.process.kill()
        raise RuntimeError("server did not start:\n" + self.log.read_text(errors="replace"))

    def client(self) -> chromadb.api.client.Client:
        clear_system_cache()
        return chromadb.HttpClient(host="127.0.0.1", port=self.port)

    def stop(self, sig: int) -> int:
        self.process.send_signal(sig)
        return self.process.wait(timeout=30)


@pytest.fixture
def started(tmp_path: Path) -> Iterator[List[CliServer]]:
    servers: List[CliServer] = []
    try:
        yield servers
    finally:
        for server in servers:
            if server.process.poll() is None:
                server.process.kill()
                server.process.wait(timeout=30)


def _write(server: CliServer, name: str, n: int) -> None:
    collection = server.client().create_collection(
        name, metadata={"hnsw:space": "cosine"}, embedding_function=None
    )
    collection.add(
        ids=[f"id{i}" for i in range(n)],
        embeddings=[[float(i), 1.0, float(n - i)] for i in range(n)],
        documents=[f"document {i}" for i in range(n)],
        metadatas=[{"i": i} for i in range(n)],
    )


def _check(server: CliServer, name: str, n: int) -> None:
    collection = server.client().get_collection(name, embedding_function=None)
    assert collection.count() == n
    assert collection.metadata == {"hnsw:space": "cosine"}
    got = collection.get(ids=[f"id{n - 1}"], include=["embeddings", "documents", "metadatas"])
    assert [list(e) for e in (got["embeddings"] if got["embeddings"] is not None else [])] == [
        [float(n - 1), 1.0, 1.0]
    ]
    assert got["documents"] == [f"document {n - 1}"] and got["metadatas"] == [{"i": n - 1}]
    nearest = collection.query(query_embeddings=[[3.0, 1.0, float(n - 3)]], n_results=1)
    assert nearest["ids"] == [["id3"]]
    assert collection.get(where={"i": {"$lt": 2}})["ids"] == ["id0", "id1"]


@pytest.mark.parametrize(
    "sig", [signal.SIGTERM, signal.SIGINT, signal.SIGKILL], ids=["term", "int", "kill"]
)
def test_restart_on_the_same_folder_serves_what_was_written(
    tmp_path: Path, started: List[CliServer], sig: int
) -> None:
    data = tmp_path / "data"
    first = CliServer(data, tmp_path / "first.log")
    started.append(first)
    _write(first, "kept", 50)
    returncode = first.stop(sig)
    if sig == signal.SIGINT:
        assert returncode == 0  # Ctrl-C stops it cleanly
        assert "Chroma server stopped" in first.log.read_text()
    second = CliServer(data, tmp_path / "second.log")
    started.append(second)
    _check(second, "kept", 50)
    assert str(data) in second.log.read_text()  # it says where the data is
    httpx.get(f"http://127.0.0.1:{second.port}/api/v2/heartbeat").raise_for_status()
