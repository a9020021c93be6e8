"""Where the memory of a growth ingest goes, and what runs beside the queries after it (ours only).

Runs the growth phase's workload in this process (adds of 5,000 from a bench data folder, then
``create_index``, then rounds of single queries) while a thread samples, every --every seconds:
resident and peak resident memory, the index's backlog and tail buffer, faiss's storage and
neighbour array sizes, and the Python stack of every other thread. It prints the moments the
peak rose by more than --step MB (with what each thread was doing) and the p50 of each round of
queries with the threads busy meanwhile; --out keeps every sample as JSON.

    .venv/bin/python -m bench.memory_probe --data OUT/data/n300000_q200_s0 --db /tmp/probe-db \\
        --size 300000 --rounds 10
"""

from __future__ import annotations

import argparse
import json
import sys
import threading
import time
from pathlib import Path
from typing import Any, Dict, List, Optional, Sequence

import numpy as np

from bench.workload import BATCH, Data


def _status() -> Dict[str, int]:
    out: Dict[str, int] = {}
    for line in Path("/proc/self/status").read_text().splitlines():
        key, _, value = line.partition(":")
        if key in ("VmRSS", "VmHWM"):
            out[key] = int(value.split()[0]) // 1024
    return out


def _index_sizes(index: Any) -> Dict[str, int]:
    import faiss

    storage: Any = faiss.downcast_index(index.index.storage)
    return {
        "pending": int(index.pending),
        "tail_mb": int(index._tail.nbytes) >> 20,
        "storage_mb": int(storage.codes.size()) >> 20,
        "neighbours_mb": (int(index.index.hnsw.neighbors.size()) * 4) >> 20,
    }


def _stacks(skip: Sequence[Optional[int]]) -> List[str]:
    out = []
    for ident, frame in sys._current_frames().items():
        if ident in skip:
            continue
        names: List[str] = []
        f: Any = frame
        while f is not None and len(names) < 6:
            names.append(f.f_code.co_name)
            f = f.f_back
        stack = "<".join(names)
        if not stack.startswith("wait<"):  # idle threads
            out.append(stack)
    return out


def main(argv: Optional[Sequence[str]] = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--data", type=Path, required=True)
    p.add_argument("--db", type=Path, required=True)
    p.add_argument("--size", type=int, default=100_000)
    p.add_argument("--rounds", type=int, default=10, help="rounds of single queries after")
    p.add_argument("--every", type=float, default=0.03, help="seconds between samples")
    p.add_argument("--step", type=float, default=5.0, help="MB of peak growth worth a line")
    p.add_argument("--out", type=Path)
    args = p.parse_args(argv)

    import chromadb

    data = Data(args.data)
    size = min(args.size, data.meta["n"])
    client = chromadb.PersistentClient(path=str(args.db))
    col = client.create_collection(
        "bench", metadata={"hnsw:space": "cosine"}, embedding_function=None
    )
    segment = client._server()._segment(col.id)  # type: ignore[attr-defined]
    samples: List[Dict[str, Any]] = []
    phase = ["ingest"]
    done = threading.Event()
    started = time.perf_counter()
    main_thread = threading.main_thread().ident

    def sample() -> None:
        me = threading.get_ident()
        while not done.is_set():
            s: Dict[str, Any] = {"t": round(time.perf_counter() - started, 3), "phase": phase[0]}
            s.update(_status())
            index = segment._index
            if index is not None:
                try:
                    s.update(_index_sizes(index))
                except Exception:  # noqa: BLE001 - the index swapped meanwhile: next sample
                    pass
            s["threads"] = _stacks((main_thread, me))
            samples.append(s)
            time.sleep(args.every)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    for start in range(0, size, BATCH):
        stop = min(size, start + BATCH)
        col.add(ids=[f"id{i}" for i in range(start, stop)], embeddings=data.read_rows(start, stop))
    add_s = time.perf_counter() - started
    phase[0] = "create_index"
    col.create_index()
    built_s = time.perf_counter() - started
    rounds = []
    for r in range(args.rounds):
        phase[0] = f"queries {r}"
        lat = []
        for i in range(len(data.queries)):
            t = time.perf_counter()
            col.query(query_embeddings=data.queries[i : i + 1], n_results=10)
            lat.append((time.perf_counter() - t) * 1e3)
        rounds.append(lat)
    done.set()
    sampler.join()

    print(f"{size} vectors: added in {add_s:.1f} s, graph built at {built_s:.1f} s; {_status()}")
    print("peak rises (t, phase, resident, peak, index sizes, busy threads):")
    peak = 0
    for s in samples:
        if s.get("VmHWM", 0) >= peak + args.step:
            peak = s["VmHWM"]
            sizes = {
                k: s[k] for k in ("pending", "tail_mb", "storage_mb", "neighbours_mb") if k in s
            }
            print(
                f"  {s['t']:8.2f} {s['phase']:13} {s['VmRSS']:6} {s['VmHWM']:6} {sizes} {s['threads']}"
            )
    print("query rounds (p50 ms, busy threads meanwhile):")
    for r, lat in enumerate(rounds):
        busy = sorted({t for s in samples if s["phase"] == f"queries {r}" for t in s["threads"]})
        print(f"  {r:3} {np.percentile(lat, 50):6.2f} {busy}")
    if args.out:
        args.out.write_text(json.dumps({"samples": samples, "rounds": rounds}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
