"""HTTP load: start an implementation's server on 127.0.0.1 and query it over 8, then 32,
connections.

The load speaks each server's v2 REST API over plain kept-alive sockets, one process driving
up to ``PER_PROCESS`` connections (the route and body are the same for both implementations;
no client library in the way, and as little of the two cores as a load can take). The load is bounded both by a request count and by a time limit.
(Named ``http_load`` rather than ``http`` so that it can never shadow the standard library.)
"""

from __future__ import annotations

import json
import math
import multiprocessing
import os
import re
import selectors
import socket
import subprocess
import time
from pathlib import Path
from typing import Any, Dict, List, Optional, Sequence, Tuple

import httpx
import numpy as np

BASE = "/api/v2/tenants/default_tenant/databases/default_database"
INCLUDE = ["metadatas", "documents", "distances"]


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_server(
    command: Sequence[str], env: Dict[str, str], log: Path, cwd: Path
) -> subprocess.Popen[bytes]:
    """Start a server process whose output goes to ``log``."""
    handle = log.open("wb")
    try:
        return subprocess.Popen(
            list(command), env=env, cwd=cwd, stdout=handle, stderr=subprocess.STDOUT
        )
    finally:
        handle.close()  # the child holds its own copy


_WORKERS = re.compile(rb"\((\d+) workers\)")
_WORKER_UP = b"Application startup complete"


def wait_ready(
    proc: subprocess.Popen[bytes], port: int, timeout: float, log: Optional[Path] = None
) -> float:
    """Seconds until the heartbeat answers and, for a server whose ``log`` names a number of
    worker processes (ours), until every worker has started: the load's connections are opened
    at once and kept, so a worker still starting would get none of them. Raises if the process
    dies or time runs out."""
    started = time.perf_counter()
    url = f"http://127.0.0.1:{port}/api/v2/heartbeat"
    while time.perf_counter() - started < timeout:
        if proc.poll() is not None:
            raise RuntimeError(f"server exited with status {proc.returncode} before answering")
        try:
            if httpx.get(url, timeout=2.0).status_code == 200 and _workers_up(log):
                return time.perf_counter() - started
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"server did not answer {url} within {timeout:.0f}s")


def _workers_up(log: Optional[Path]) -> bool:
    if log is None:
        return True
    text = log.read_bytes()
    found = _WORKERS.search(text)
    return found is None or text.count(_WORKER_UP) >= int(found.group(1))


def stop_server(proc: subprocess.Popen[bytes]) -> None:
    """Terminate the server we started (only that process), killing it if it lingers."""
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=15)


# Connections one load process drives: a client on the same machine takes cores from the
# server under test, so the load is as thin as it can be made (no process, thread or client
# library per connection, as wrk and similar tools do it).
PER_PROCESS = 16


class _Connection:
    """One kept-alive HTTP/1.1 connection of a load process, with its request in flight."""

    def __init__(self, port: int) -> None:
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=60.0)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.buffer = b""
        self.sent_at = 0.0
        self.row = -1

    def send(self, request: bytes, row: int) -> None:
        self.buffer, self.row = b"", row
        self.sent_at = time.perf_counter()
        self.sock.sendall(request)

    def answer(self) -> Optional[Tuple[int, bytes]]:
        """(status, body) once the whole response is in (reading what has arrived), else
        None. Raises ConnectionError when the server closed the connection."""
        data = self.sock.recv(1 << 20)
        if not data:
            raise ConnectionError("the server closed the connection")
        self.buffer += data
        end = self.buffer.find(b"\r\n\r\n")
        if end < 0:
            return None
        head = self.buffer[:end].decode("latin-1").split("\r\n")
        fields = {k.strip().lower(): v.strip() for k, _, v in (h.partition(":") for h in head[1:])}
        status = int(head[0].split()[1])
        body = self.buffer[end + 4 :]
        if "content-length" in fields:
            size = int(fields["content-length"])
            return (status, body[:size]) if len(body) >= size else None
        if fields.get("transfer-encoding", "").lower() == "chunked":
            return _dechunk(status, body)
        raise ValueError(f"a response without a length: {head[0]}")


def _dechunk(status: int, body: bytes) -> Optional[Tuple[int, bytes]]:
    out, at = [], 0
    while True:
        line_end = body.find(b"\r\n", at)
        if line_end < 0:
            return None
        size = int(body[at:line_end].split(b";")[0], 16)
        start = line_end + 2
        if size == 0:
            return (status, b"".join(out)) if body.find(b"\r\n", start) >= 0 else None
        if len(body) < start + size + 2:
            return None
        out.append(body[start : start + size])
        at = start + size + 2


def _client(job: Tuple[int, str, int, List[Tuple[int, bytes]], float]) -> Dict[str, Any]:
    """One load process: ``connections`` kept-alive connections, each sending the next of the
    (row, body) requests as soon as its answer is in, until done or past the deadline. Answers
    are parsed after the clock has stopped."""
    port, path, connections, bodies, deadline = job
    head = f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
    head += "Content-Type: application/json\r\nConnection: keep-alive\r\n"
    requests = [
        (row, f"{head}Content-Length: {len(body)}\r\n\r\n".encode() + body) for row, body in bodies
    ]
    latencies: List[float] = []
    answers: List[Tuple[int, int, bytes]] = []
    todo = iter(requests)
    selector = selectors.DefaultSelector()
    conns = [_Connection(port) for _ in range(min(connections, len(requests)))]
    started, cpu = time.time(), time.process_time()
    try:
        for conn in conns:
            row, request = next(todo)
            conn.send(request, row)
            selector.register(conn.sock, selectors.EVENT_READ, conn)
        while selector.get_map():
            for key, _ in selector.select(timeout=60.0):
                conn = key.data
                done = conn.answer()
                if done is None:
                    continue
                latencies.append(time.perf_counter() - conn.sent_at)
                answers.append((conn.row, *done))
                following = next(todo, None) if time.time() <= deadline else None
                if following is None:
                    selector.unregister(conn.sock)
                else:
                    conn.send(following[1], following[0])
    finally:
        ended, cpu = time.time(), time.process_time() - cpu
        for conn in conns:
            conn.sock.close()
    rows: List[int] = []
    ids: List[List[str]] = []
    errors: List[str] = []
    for row, status, payload in answers:
        rows.append(row)
        if status == 200:
            ids.append(list(json.loads(payload)["ids"][0]))
        else:
            ids.append([])
            if len(errors) < 3:
                errors.append(f"{status}: {payload[:200]!r}")
    return {
        "latencies": latencies,
        "rows": rows,
        "ids": ids,
        "errors": errors,
        "start": started,
        "end": ended,
        "cpu_s": cpu,
    }


def query_load(
    port: int,
    queries: np.ndarray,
    truth: np.ndarray,
    clients: int,
    total: int,
    max_seconds: float,
) -> Dict[str, Any]:
    """Run ``total`` single-query requests over ``clients`` connections at once."""
    coll = httpx.get(f"http://127.0.0.1:{port}{BASE}/collections/bench", timeout=30.0)
    coll.raise_for_status()
    path = f"{BASE}/collections/{coll.json()['id']}/query"
    url = f"http://127.0.0.1:{port}{path}"
    order = [i % len(queries) for i in range(total)]

    def body(i: int) -> bytes:
        return json.dumps(
            {"query_embeddings": [queries[i].tolist()], "n_results": 10, "include": INCLUDE}
        ).encode()

    warm = httpx.post(
        url, content=body(0), headers={"content-type": "application/json"}, timeout=120
    )
    warm.raise_for_status()
    # Each load process drives up to PER_PROCESS of the connections and gets its share of the
    # requests; bodies are serialised before the clock starts.
    procs = max(1, -(-clients // PER_PROCESS))
    shares = [order[p::procs] for p in range(procs)]
    deadline = time.time() + max_seconds
    jobs = [
        (port, path, len(range(p, clients, procs)), [(i, body(i)) for i in share], deadline)
        for p, share in enumerate(shares)
    ]
    # fork: the load processes need nothing but this module's function and their bodies.
    with multiprocessing.get_context("fork").Pool(procs) as pool:
        parts = pool.map(_client, jobs)
    latencies = [x for p in parts for x in p["latencies"]]
    wall = max(p["end"] for p in parts) - min(p["start"] for p in parts)
    found = [x for p in parts for x in p["ids"]]
    rows = [x for p in parts for x in p["rows"]]
    errors = [e for p in parts for e in p["errors"]]
    failed = sum(1 for x in found if not x)
    return {
        "clients": clients,
        "load_processes": procs,
        "requests": len(latencies),
        "failed": failed,
        "errors": errors,
        "seconds": wall,
        "qps": len(latencies) / wall if wall > 0 else math.nan,
        "p50_ms": float(np.percentile(latencies, 50)) * 1e3,
        "p99_ms": float(np.percentile(latencies, 99)) * 1e3,
        "recall": _recall(found, truth[rows]),
        # What the load itself costs: on a small machine the clients share the server's cores.
        "client_cpu_ms_per_query": 1e3 * sum(p["cpu_s"] for p in parts) / max(1, len(latencies)),
    }


def _recall(found: List[List[str]], truth: np.ndarray) -> float:
    if not found:
        return math.nan
    hits = 0.0
    for ids, exact in zip(found, truth):
        got = {int(i[2:]) for i in ids if i.startswith("id")}
        hits += len(got.intersection(exact.tolist())) / max(1, len(exact))
    return hits / len(found)


def measure_server(
    command: Sequence[str],
    env: Dict[str, str],
    data_folder: Path,
    log: Path,
    cwd: Path,
    port: int,
    clients: Sequence[int] = (8, 32),
    total: int = 2000,
    max_seconds: float = 60.0,
    start_timeout: float = 180.0,
) -> Dict[str, Any]:
    """Start the server, wait for it, load it, stop it; errors are reported, not raised."""
    queries = np.load(data_folder / "queries.npy")
    truth = np.load(data_folder / "gt_all.npy")
    result: Dict[str, Any] = {"command": " ".join(command)}
    proc: Optional[subprocess.Popen[bytes]] = None
    try:
        proc = start_server(command, env, log, cwd)
        result["startup_s"] = wait_ready(proc, port, start_timeout, log)
        # One server, each connection count in turn; the first also gives the top-level figures.
        result["loads"] = {}
        for count in clients:
            load = query_load(port, queries, truth, count, total, max_seconds)
            result["loads"][str(count)] = load
            for key, value in load.items():
                result.setdefault(key, value)
        result["ok"] = True
    except Exception as exc:  # noqa: BLE001 - one failed server must not end the benchmark
        result["ok"] = False
        result["error"] = f"{type(exc).__name__}: {exc}"
        result["log_tail"] = _tail(log)
    finally:
        if proc is not None:
            stop_server(proc)
    return result


def _tail(path: Path, lines: int = 15) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return ""


def server_env(base: Optional[Dict[str, str]] = None) -> Dict[str, str]:
    """Environment for a server: the caller's, without telemetry."""
    env = dict(base if base is not None else os.environ)
    env["ANONYMIZED_TELEMETRY"] = "False"
    return env
