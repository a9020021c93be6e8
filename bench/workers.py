"""HTTP queries against ``chroma run --workers N`` for several N, beside real Chroma's server.

One folder of ``--n`` clustered 384-d vectors per implementation (the benchmark's data and build
phase), then the benchmark's thin load: ``--clients`` kept-alive connections (each count in
turn), raw HTTP on the v2 query route (n_results 10, metadatas, documents, distances). With
``--rounds`` above 1 the servers take turns, round after round, so that both meet the same load
on a shared machine. ``--ours-ef`` also serves a copy of our folder searched at that depth, for
figures at equal recall (real Chroma's default depth finds less than ours). Run from the
repository root::

    .venv/bin/python -m bench.workers --n 20000 --workers 1,2 --clients 8
    .venv/bin/python -m bench.workers --n 100000 --workers 2 --clients 8,32 --rounds 2
    .venv/bin/python -m bench.workers --n 100000 --workers 2 --clients 8,32 --ours-ef 120

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
    p.add_argument("--clients", default="8", help="connections, comma list (each in turn)")
    p.add_argument("--rounds", type=int, default=1, help="times every server is measured")
    p.add_argument("--requests", type=int, default=4_000)
    p.add_argument("--max-seconds", type=float, default=60.0)
    p.add_argument("--ours-ef", type=int, help="also serve our folder searched at this depth")
    p.add_argument("--skip-chroma", action="store_true")
    p.add_argument("--out", type=Path, default=REPO / "bench" / "results")
    a = p.parse_args()
    data = ensure_data(a.out, a.n, 1_000, 0)
    rows: List[Dict[str, Any]] = []

    def load(name: str, command: List[str], env: Dict[str, str], work: Path, port: int) -> None:
        queries, truth = np.load(data / "queries.npy"), np.load(data / "gt_all.npy")
        proc = http_load.start_server(command, env, work / f"server-{name}.log", work)
        try:
            http_load.wait_ready(proc, port, 180.0, work / f"server-{name}.log")
            for clients in [int(x) for x in a.clients.split(",") if x.strip()]:
                cpu = _cpu_s(proc.pid)
                res = http_load.query_load(port, queries, truth, clients, a.requests, a.max_seconds)
                cpu = _cpu_s(proc.pid) - cpu
                res["server_cpu_ms_per_query"] = 1e3 * cpu / max(1, res["requests"])
                keys = ("qps", "p50_ms", "p99_ms", "recall", "server_cpu_ms_per_query",
                        "client_cpu_ms_per_query")  # fmt: skip
                rows.append({"server": name, "clients": clients, "load": os.getloadavg()[0],
                             **{k: res[k] for k in keys}})  # fmt: skip
                print(f"{name:>18} x{clients:<3}: {res['qps']:7.1f} q/s  p50 {res['p50_ms']:6.1f} "
                      f"ms  p99 {res['p99_ms']:6.1f} ms  recall {res['recall']:.3f}  server CPU "
                      f"{res['server_cpu_ms_per_query']:.2f} ms/query, clients "
                      f"{res['client_cpu_ms_per_query']:.2f}  (load "
                      f"{os.getloadavg()[0]:.1f})", flush=True)  # fmt: skip
        finally:
            http_load.stop_server(proc)

    servers: List[Any] = []  # (name, command maker, env, work folder, db)
    ours = ours_impl()
    work = a.out / "workers-ours"
    db = _build(ours, work, data)
    for n in [int(x) for x in a.workers.split(",") if x.strip()]:
        servers.append((f"ours --workers {n}", ours, ["--workers", str(n)], work, db))
    if a.ours_ef:
        shallow = work / f"db-ef{a.ours_ef}"
        shutil.rmtree(shallow, ignore_errors=True)
        shutil.copytree(db, shallow)
        args = ["--db", str(shallow), "--ef", str(a.ours_ef)]
        run_phase(ours, "set_ef", work, args, timeout=600, tag=f"_ef{a.ours_ef}")
        n = int(a.workers.split(",")[-1])
        name = f"ours ef {a.ours_ef} x{n}"
        servers.append((name, ours, ["--workers", str(n)], work, shallow))
    if not a.skip_chroma:
        chroma = chroma_impl(_oracle_venv())
        cwork = a.out / "workers-chroma"
        servers.append(("chroma 1.5.9", chroma, [], cwork, _build(chroma, cwork, data)))
    for _ in range(a.rounds):
        for name, impl, extra, where, folder in servers:
            port = http_load.free_port()
            load(name, impl.server(folder, port) + extra, impl.env, where, port)
    a.out.mkdir(parents=True, exist_ok=True)
    (a.out / "workers.json").write_text(json.dumps(rows, indent=2))


if __name__ == "__main__":
    main()
