"""HTTP queries against ``chroma run --workers N`` for several N, beside real Chroma's server.

One folder of ``--n`` clustered 384-d vectors per implementation (the benchmark's data and build
phase), then the benchmark's thin-client load: ``--clients`` processes, one kept-alive
connection each, raw HTTP on the v2 query route (n_results 10, metadatas, documents,
distances). Run from the repository root::

    .venv/bin/python -m bench.workers --n 20000 --workers 1,2 --clients 8

Results are printed as a table and written to ``bench/results/workers.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
from pathlib import Path
from typing import Any, Dict, List

import numpy as np

from bench import http_load
from bench.data import ensure_data
from bench.runner import REPO, chroma_impl, ours_impl, run_phase


def _cpu_s(pid: int) -> float:
    """CPU seconds used so far by ``pid`` and every process below it (Linux /proc)."""
    tick = os.sysconf("SC_CLK_TCK")
    children: Dict[int, List[int]] = {}
    used: Dict[int, float] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as fh:
                fields = fh.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        children.setdefault(int(fields[1]), []).append(int(entry))
        used[int(entry)] = (int(fields[11]) + int(fields[12])) / tick
    total, todo = 0.0, [pid]
    while todo:
        p = todo.pop()
        total += used.get(p, 0.0)
        todo.extend(children.get(p, []))
    return total


def _oracle_venv() -> Path:
    sys.path.insert(0, str(REPO))
    from tests.compat.installers import embedded_chroma

    return Path(embedded_chroma("1.5.9")).parent.parent


def _build(impl: Any, work: Path, data: Path) -> Path:
    db = work / "db"
    if db.exists():
        shutil.rmtree(db)
    work.mkdir(parents=True, exist_ok=True)
    args = ["--data", str(data), "--db", str(db), "--seed", "0", "--max-seconds", "600"]
    built = run_phase(impl, "build", work, args, timeout=3600)
    if not built.get("ok", True) or "error" in built:
        raise RuntimeError(f"{impl.name}: build failed: {built.get('error')}")
    return db


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--n", type=int, default=20_000)
    p.add_argument("--workers", default=f"1,{os.cpu_count() or 1}", help="comma list")
    p.add_argument("--clients", type=int, default=8)
    p.add_argument("--requests", type=int, default=4_000)
    p.add_argument("--max-seconds", type=float, default=60.0)
    p.add_argument("--skip-chroma", action="store_true")
    p.add_argument("--out", type=Path, default=REPO / "bench" / "results")
    a = p.parse_args()
    data = ensure_data(a.out, a.n, 1_000, 0)
    rows: List[Dict[str, Any]] = []

    def load(name: str, command: List[str], env: Dict[str, str], work: Path, port: int) -> None:
        queries, truth = np.load(data / "queries.npy"), np.load(data / "gt_all.npy")
        proc = http_load.start_server(command, env, work / f"server-{name}.log", work)
        try:
            http_load.wait_ready(proc, port, 180.0)
            cpu = _cpu_s(proc.pid)
            res = http_load.query_load(port, queries, truth, a.clients, a.requests, a.max_seconds)
            cpu = _cpu_s(proc.pid) - cpu
        finally:
            http_load.stop_server(proc)
        res["server_cpu_ms_per_query"] = 1e3 * cpu / max(1, res["requests"])
        keys = ("qps", "p50_ms", "p99_ms", "recall", "server_cpu_ms_per_query")
        rows.append({"server": name, **{k: res[k] for k in keys}})
        print(f"{name:>18}: {res['qps']:7.1f} q/s  p50 {res['p50_ms']:6.1f} ms  "
              f"p99 {res['p99_ms']:6.1f} ms  recall {res['recall']:.3f}  "
              f"server CPU {res['server_cpu_ms_per_query']:.2f} ms/query", flush=True)  # fmt: skip

    ours = ours_impl()
    work = a.out / "workers-ours"
    db = _build(ours, work, data)
    for n in [int(x) for x in a.workers.split(",") if x.strip()]:
        port = http_load.free_port()
        command = ours.server(db, port) + ["--workers", str(n)]
        load(f"ours --workers {n}", command, ours.env, work, port)
    if not a.skip_chroma:
        chroma = chroma_impl(_oracle_venv())
        work = a.out / "workers-chroma"
        db = _build(chroma, work, data)
        port = http_load.free_port()
        load("chroma 1.5.9", chroma.server(db, port), chroma.env, work, port)
    a.out.mkdir(parents=True, exist_ok=True)
    (a.out / "workers.json").write_text(json.dumps(rows, indent=2))


if __name__ == "__main__":
    main()
