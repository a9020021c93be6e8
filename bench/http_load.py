"""HTTP load: start an implementation's server on 127.0.0.1 and query it from 8, then 32, client
processes, one connection each.

Clients speak each server's own v2 REST API with the standard library's http.client (the route
and body are the same for both implementations; no client library in the way). The load is bounded both by a request count and by a time limit.
(Named ``http_load`` rather than ``http`` so that it can never shadow the standard library.)
"""

from __future__ import annotations

import http.client
import json
import math
import multiprocessing
import os
import re
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


def _client(job: Tuple[int, str, List[bytes], float]) -> Dict[str, Any]:
    """One client process on one kept-alive connection (the standard library's http.client,
    the thinnest client there is): send its bodies one after another until done or past the
    deadline."""
    port, path, bodies, deadline = job
    latencies: List[float] = []
    ids: List[List[str]] = []
    errors: List[str] = []
    headers = {"content-type": "application/json"}
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60.0)
    started = time.time()
    cpu = time.process_time()
    try:
        for body in bodies:
            t = time.perf_counter()
            conn.request("POST", path, body=body, headers=headers)
            resp = conn.getresponse()
            payload = resp.read()
            latencies.append(time.perf_counter() - t)
            if resp.status == 200:
                ids.append(list(json.loads(payload)["ids"][0]))
            else:
                ids.append([])
                if len(errors) < 3:
                    errors.append(f"{resp.status}: {payload[:200]!r}")
            if time.time() > deadline:
                break
    finally:
        conn.close()
    return {
        "latencies": latencies,
        "ids": ids,
        "errors": errors,
        "start": started,
        "end": time.time(),
        "cpu_s": time.process_time() - cpu,
    }


def query_load(
    port: int,
    queries: np.ndarray,
    truth: np.ndarray,
    clients: int,
    total: int,
    max_seconds: float,
) -> Dict[str, Any]:
    """Run ``total`` single-query requests spread over ``clients`` processes."""
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
    # Each client gets every clients-th request; bodies are serialised before the clock starts.
    shares = [order[c::clients] for c in range(clients)]
    deadline = time.time() + max_seconds
    jobs = [(port, path, [body(i) for i in share], deadline) for share in shares]
    # fork: the clients need nothing but this module's function and their bodies.
    with multiprocessing.get_context("fork").Pool(clients) as pool:
        parts = pool.map(_client, jobs)
    latencies = [x for p in parts for x in p["latencies"]]
    wall = max(p["end"] for p in parts) - min(p["start"] for p in parts)
    found: List[List[str]] = []
    rows: List[int] = []
    for share, part in zip(shares, parts):
        found.extend(part["ids"])
        rows.extend(share[: len(part["ids"])])
    errors = [e for p in parts for e in p["errors"]]
    failed = sum(1 for x in found if not x)
    return {
        "clients": clients,
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
