"""``chroma run --workers N``: N server processes on one folder answer as one server.

Every request below opens a new connection, so consecutive requests land on either worker;
each must see every write acknowledged before it was sent, whichever worker took the write.
"""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Iterator, List, Tuple

import httpx
import pytest

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")

LISTENING = re.compile(r"listening on http://127\.0\.0\.1:(\d+) \((\d+) workers\)")
COLLECTIONS = "/api/v2/tenants/default_tenant/databases/default_database/collections"
# Long enough for each worker to publish its connection count again (workers.PUBLISH_S).
PUBLISHED = 0.5


def _processes() -> Iterator[Tuple[int, str, int, bytes, bytes]]:
    """(pid, state, parent pid, command line, environment) of each live process we may read."""
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as fh:
                state, ppid = fh.read().rsplit(")", 1)[1].split()[:2]
            with open(f"/proc/{entry}/cmdline", "rb") as fh:
                cmdline = fh.read()
            with open(f"/proc/{entry}/environ", "rb") as fh:
                environ = fh.read()
        except OSError:
            continue
        yield int(entry), state, int(ppid), cmdline, environ


def _workers(parent: int) -> List[int]:
    """Pids of the server processes the supervisor ``parent`` started."""
    return sorted(
        pid for pid, _, ppid, cmd, _ in _processes() if ppid == parent and b"spawn_main" in cmd
    )


class Server:
    def __init__(self, data: Path, log: Path, workers: int) -> None:
        command = [
            sys.executable, "-m", "chromadb.cli", "run", "--path", str(data),
            "--port", "0", "--workers", str(workers),
        ]  # fmt: skip
        self.log = log
        with open(log, "wb") as out:
            self.process = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 60
        while not (found := LISTENING.search(log.read_text(errors="replace"))):
            assert self.process.poll() is None and time.monotonic() < deadline, log.read_text()
            time.sleep(0.1)
        self.url = f"http://127.0.0.1:{found.group(1)}"

    def request(self, method: str, path: str, **kwargs: object) -> httpx.Response:
        # A new connection each time: the kernel hands it to any worker.
        with httpx.Client(base_url=self.url, timeout=60) as http:
            response = http.request(method, path, **kwargs)  # type: ignore[arg-type]
        response.raise_for_status()
        return response


@pytest.fixture
def server(tmp_path: Path) -> Iterator[Server]:
    s = Server(tmp_path / "data", tmp_path / "server.log", workers=2)
    try:
        yield s
    finally:
        if s.process.poll() is None:
            s.process.kill()
            s.process.wait(timeout=30)


def test_workers_answer_as_one_server(server: Server) -> None:
    cid = server.request("POST", COLLECTIONS, json={"name": "shared"}).json()["id"]
    records = f"{COLLECTIONS}/{cid}"
    for i in range(30):
        server.request(
            "POST",
            f"{records}/add",
            json={"ids": [f"r{i}"], "embeddings": [[float(i), 1.0]], "metadatas": [{"i": i}]},
        )
        assert server.request("GET", f"{records}/count").json() == i + 1
        found = server.request(
            "POST",
            f"{records}/query",
            json={"query_embeddings": [[float(i), 1.0]], "n_results": 1, "include": []},
        ).json()
        assert found["ids"] == [[f"r{i}"]]
        got = server.request("POST", f"{records}/get", json={"where": {"i": {"$gte": i}}})
        assert got.json()["ids"] == [f"r{i}"]


def test_a_killed_worker_is_replaced_and_loses_nothing(server: Server) -> None:
    deadline = time.monotonic() + 60
    while len(before := _workers(server.process.pid)) < 2:
        assert time.monotonic() < deadline, "the workers did not start"
        time.sleep(0.1)
    cid = server.request("POST", COLLECTIONS, json={"name": "kept"}).json()["id"]
    server.request(
        "POST",
        f"{COLLECTIONS}/{cid}/add",
        json={"ids": ["a", "b"], "embeddings": [[1.0, 0.0], [0.0, 1.0]]},
    )
    os.kill(before[0], signal.SIGKILL)
    while len(after := _workers(server.process.pid)) < 2 or before[0] in after:
        assert time.monotonic() < deadline, "no worker replaced the killed one"
        time.sleep(0.1)
    for _ in range(10):
        assert server.request("GET", f"{COLLECTIONS}/{cid}/count").json() == 2
    server.process.send_signal(signal.SIGTERM)
    assert server.process.wait(timeout=60) == 0
    assert _workers(server.process.pid) == []
    assert "Chroma server stopped" in server.log.read_text()


def _connections(pid: int, port: int) -> int:
    """Established TCP connections to ``port`` that process ``pid`` holds."""
    inodes = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        with open(table) as fh:
            for line in fh.readlines()[1:]:
                fields = line.split()
                local_port = int(fields[1].rsplit(":", 1)[1], 16)
                if local_port == port and fields[3] == "01":  # 01: ESTABLISHED
                    inodes.add(f"socket:[{fields[9]}]")
    fds = f"/proc/{pid}/fd"
    count = 0
    for fd in os.listdir(fds):
        try:
            count += os.readlink(f"{fds}/{fd}") in inodes
        except OSError:
            continue
    return count


def test_connections_opened_together_are_spread_over_the_workers(server: Server) -> None:
    # A client pool opening its kept-alive connections at once must not land them all (or
    # most) on one worker: that worker's core would serve them all while the other idles.
    deadline = time.monotonic() + 60
    while server.log.read_text().count("Application startup complete") < 2:
        assert time.monotonic() < deadline, "the workers did not start"
        time.sleep(0.1)
    workers = _workers(server.process.pid)
    host, port = server.url.removeprefix("http://").split(":")
    for _ in range(3):
        conns = [socket.create_connection((host, int(port)), timeout=30) for _ in range(8)]
        try:
            for conn in conns:
                conn.sendall(b"GET /api/v2/heartbeat HTTP/1.1\r\nHost: test\r\n\r\n")
            for conn in conns:
                assert b" 200 " in conn.recv(4096)
            held = sorted(_connections(pid, int(port)) for pid in workers)
        finally:
            for conn in conns:
                conn.close()
        assert sum(held) == 8 and held[-1] <= 5, held
        time.sleep(PUBLISHED)


def _marked(mark: str) -> List[int]:
    """Pids of live (not zombie) processes whose environment holds ``mark``."""
    return [pid for pid, state, _, _, env in _processes() if state != "Z" and mark.encode() in env]


def test_workers_of_a_supervisor_killed_while_they_start_do_not_linger(tmp_path: Path) -> None:
    # Killed right after it listens, while its workers are still importing: none may be left
    # serving (or holding the folder) without a supervisor.
    mark = f"CHROMA_TEST_ORPHAN_{os.getpid()}_{time.monotonic_ns()}"
    command = [
        sys.executable, "-m", "chromadb.cli", "run", "--path", str(tmp_path / "data"),
        "--port", "0", "--workers", "2",
    ]  # fmt: skip
    log = tmp_path / "server.log"
    with open(log, "wb") as out:
        proc = subprocess.Popen(
            command, stdout=out, stderr=subprocess.STDOUT, env=dict(os.environ, **{mark: "1"})
        )
    deadline = time.monotonic() + 60
    while not LISTENING.search(log.read_text(errors="replace")):
        assert proc.poll() is None and time.monotonic() < deadline, log.read_text()
        time.sleep(0.01)
    proc.kill()
    proc.wait(timeout=30)
    deadline = time.monotonic() + 60
    while left := _marked(mark):
        assert time.monotonic() < deadline, f"workers left behind: {left}\n{log.read_text()}"
        time.sleep(0.2)


def test_auto_workers_fit_the_memory_each_copy_of_the_index_needs(tmp_path: Path) -> None:
    import numpy as np

    import chromadb
    from chromadb.server.workers import WORKER_BASE_BYTES, auto_workers

    data = tmp_path / "data"
    client = chromadb.PersistentClient(path=str(data))
    rows = np.random.default_rng(0).standard_normal((2_000, 64)).astype(np.float32)
    client.create_collection("sized").add(ids=[str(i) for i in range(2_000)], embeddings=rows)
    each = WORKER_BASE_BYTES + (data / "chroma.sqlite3").stat().st_size
    assert auto_workers(str(data), cores=64, available=3 * each) == 2  # 3/4 of it, whole copies
    assert auto_workers(str(data), cores=64, available=1) == 1  # never none
    assert auto_workers(str(data), cores=8, available=1000 * each) == 8  # one per core
    assert auto_workers(str(tmp_path / "new"), cores=4, available=4 * WORKER_BASE_BYTES) == 3
