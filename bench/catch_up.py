"""What a returning replica costs: catching up (only the records it missed, from a ready
replica's journal) against copying its whole shard, on real replicas (our engine on folders of
their own), without Ray's transport.

    python -m bench.catch_up [--n 20000] [--dim 128]

A shard of ``n`` records; a replica that missed the last 1 % and 10 % of the writes (half new
records, half updates of old ones) catches up; a replica with an empty folder copies it all.
Writes a table to ``bench/results/catch_up.md``.
"""

from __future__ import annotations

import argparse
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any, List

import numpy as np

from chromadb.distributed.shard import ShardReplica

BATCH = 1000


def _fill(replicas: List[ShardReplica], cid: str, vectors: Any, start: int, seq: int) -> int:
    for at in range(0, len(vectors), BATCH):
        part = vectors[at : at + BATCH]
        ids = [f"r{start + at + i}" for i in range(len(part))]
        seq += 1
        for replica in replicas:
            replica.call("_add", cid, {"ids": ids, "embeddings": part, "seq": seq,
                                       "ords": list(range(start + at, start + at + len(part)))})  # fmt: skip
    return seq


def run(n: int, dim: int) -> str:
    rng = np.random.default_rng(0)
    rows = ["| replica | records moved | seconds | records/s |", "|---|---:|---:|---:|"]
    with tempfile.TemporaryDirectory() as root:
        for missed in (0.01, 0.10, 1.0):
            source = ShardReplica(str(Path(root) / f"src-{missed}"))
            target = ShardReplica(str(Path(root) / f"dst-{missed}"))
            cid = str(uuid.uuid4())
            members = [(cid, None, None)]
            for replica in (source, target):
                replica.ensure(cid, None, None)
            vectors = rng.normal(size=(n, dim)).astype(np.float32)
            kept = n if missed == 1.0 else int(n * (1 - missed / 2))
            both = [] if missed == 1.0 else [target]
            seq = _fill([source, *both], cid, vectors[:kept], 0, 0)
            seq = _fill([source], cid, vectors[kept:], kept, seq)
            if missed < 1.0:
                changed = [f"r{i}" for i in range(int(n * missed / 2))]
                for at in range(0, len(changed), BATCH):
                    part = changed[at : at + BATCH]
                    seq += 1
                    source.call("_update", cid, {"ids": part, "seq": seq,
                                                 "embeddings": rng.normal(size=(len(part), dim)).astype(np.float32)})  # fmt: skip
            started = time.perf_counter()
            stats = target.catch_up(source, members)
            took = time.perf_counter() - started
            moved = stats["copied"] + stats["updated"]
            what = "empty folder (whole shard)" if missed == 1.0 else f"missed {missed:.0%}"
            rows.append(f"| {what} | {moved:,} | {took:.2f} | {moved / took:,.0f} |")
            source.stop()
            target.stop()
    return "\n".join(rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=20000)
    parser.add_argument("--dim", type=int, default=128)
    args = parser.parse_args()
    table = run(args.n, args.dim)
    out = Path(__file__).parent / "results" / "catch_up.md"
    out.parent.mkdir(exist_ok=True)
    out.write_text(f"Catch-up of a shard of {args.n:,} x {args.dim}-d records\n\n{table}\n")
    print(table)


if __name__ == "__main__":
    main()
