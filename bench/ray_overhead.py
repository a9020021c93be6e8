"""What scale-out costs: the same data and queries through one server and through
``chroma run --ray`` with 1, 2 and 4 shards, on a real Ray cluster on this machine.

    python -m bench.ray_overhead [--n 20000] [--dim 128] [--clients 8]

Every node shares this machine's cores, so this measures the frontend's and Ray's cost per
call, not a speed-up. It runs in a private network namespace (Ray listens on every
interface): the script re-executes itself under ``unshare --net`` and needs root for that.
Writes a table to ``bench/results/ray_overhead.md``.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, Dict, List

import numpy as np

from bench.http_load import free_port, query_load, start_server, stop_server, wait_ready

REPO = Path(__file__).resolve().parents[1]
INSIDE = "CHROMA_BENCH_IN_NETNS"


def _ingest(port: int, vectors: np.ndarray, batch: int = 1000) -> float:
    import chromadb

    client = chromadb.HttpClient(host="127.0.0.1", port=port)
    col = client.create_collection("bench", embedding_function=None)
    started = time.perf_counter()
    for start in range(0, len(vectors), batch):
        part = vectors[start : start + batch]
        col.add(ids=[f"id{i}" for i in range(start, start + len(part))], embeddings=part)
    return len(vectors) / (time.perf_counter() - started)


def _measure(
    command: List[str],
    folder: Path,
    vectors: np.ndarray,
    queries: np.ndarray,
    truth: np.ndarray,
    clients: int,
) -> Dict[str, Any]:
    port = free_port()
    proc = start_server(
        [*command, "--port", str(port)], dict(os.environ), folder / "server.log", REPO
    )
    try:
        wait_ready(proc, port, timeout=180)
        rate = _ingest(port, vectors)
        load = query_load(port, queries, truth, clients, total=len(queries) * 4, max_seconds=60)
    finally:
        stop_server(proc)
    return {"ingest": rate, **load}


def _inside(args: argparse.Namespace) -> None:
    sys.path.insert(0, str(REPO))
    from tests.distributed.cluster.ray_cluster import RayCluster

    rng = np.random.default_rng(7)
    vectors = rng.normal(size=(args.n, args.dim)).astype(np.float32)
    queries = rng.normal(size=(200, args.dim)).astype(np.float32)
    distances = (
        (queries**2).sum(1)[:, None] - 2 * queries @ vectors.T + (vectors**2).sum(1)[None, :]
    )
    truth = np.argsort(distances, axis=1)[:, :10]
    work = Path(tempfile.mkdtemp(prefix="ray-overhead-"))
    cli = [sys.executable, "-m", "chromadb.cli", "run"]
    rows = []
    single = _measure(
        [*cli, "--path", str(work / "single"), "--workers", "1"],
        work,
        vectors,
        queries,
        truth,
        args.clients,
    )
    rows.append(("one server (1 worker)", single))
    cluster = RayCluster(work)
    try:
        cluster.start("head", head=True)
        cluster.start("w1")
        for shards in (1, 2, 4):
            folder = work / f"ray{shards}"
            folder.mkdir()
            command = [
                *cli,
                "--ray",
                cluster.address,
                "--path",
                str(folder / "catalog"),
                "--shards",
                str(shards),
                "--replicas",
                "1",
            ]
            rows.append(
                (
                    f"Ray, {shards} shard(s), 1 replica",
                    _measure(command, folder, vectors, queries, truth, args.clients),
                )
            )
        folder = work / "ray2r2"
        folder.mkdir()
        command = [
            *cli,
            "--ray",
            cluster.address,
            "--path",
            str(folder / "catalog"),
            "--shards",
            "2",
            "--replicas",
            "2",
        ]
        rows.append(
            (
                "Ray, 2 shards, 2 replicas",
                _measure(command, folder, vectors, queries, truth, args.clients),
            )
        )
    finally:
        cluster.stop()
    lines = [
        f"# Scale-out overhead ({args.n} x {args.dim}-d, {args.clients} HTTP clients, every node on this machine)",
        "",
        "| setup | ingest vectors/s | query q/s | p50 ms | p99 ms | recall@10 | x one server's q/s |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for name, r in rows:
        lines.append(
            f"| {name} | {r['ingest']:,.0f} | {r['qps']:,.0f} | {r['p50_ms']:.2f} | {r['p99_ms']:.2f} "
            f"| {r['recall']:.3f} | {r['qps'] / single['qps']:.2f} |"
        )
    report = "\n".join(lines) + "\n"
    out = REPO / "bench" / "results"
    out.mkdir(parents=True, exist_ok=True)
    (out / "ray_overhead.md").write_text(report)
    print(report)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=20_000)
    parser.add_argument("--dim", type=int, default=128)
    parser.add_argument("--clients", type=int, default=8)
    args = parser.parse_args()
    if os.environ.get(INSIDE):
        _inside(args)
        return
    inner = f"ip link set lo up && exec {sys.executable} -m bench.ray_overhead " + " ".join(
        sys.argv[1:]
    )
    env = {**os.environ, INSIDE: "1", "RAY_USAGE_STATS_ENABLED": "0"}
    unshare = [
        "unshare",
        "--net",
        "--pid",
        "--fork",
        "--mount-proc",
        "--kill-child",
        "sh",
        "-c",
        inner,
    ]
    sys.exit(subprocess.run(unshare, cwd=REPO, env=env).returncode)


if __name__ == "__main__":
    main()
