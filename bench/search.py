"""Hybrid search latency on one collection: ``python -m bench.search [--n 20000]``.

Each query is ``Search().where(K("g") == g).rank(Rrf([Knn(q1), Knn(q2)])).limit(10)`` on an
in-process client (random 64-d vectors, a 4-valued metadata key); prints the ingest rate and
the search p50 / p99. No sparse index is involved (sparse vectors are not served yet)."""

from __future__ import annotations

import argparse
import time

import numpy as np
from tqdm import tqdm

import chromadb
from chromadb import K, Knn, Rrf, Search


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--n", type=int, default=20_000, help="records in the collection")
    parser.add_argument("--queries", type=int, default=200, help="searches to time")
    parser.add_argument("--dim", type=int, default=64)
    args = parser.parse_args()
    rng = np.random.default_rng(0)
    col = chromadb.EphemeralClient().create_collection("bench-search")
    vectors = rng.random((args.n, args.dim), dtype=np.float32)
    started = time.perf_counter()
    batch = 5_000
    for start in tqdm(range(0, args.n, batch), desc="ingest", unit="batch"):
        end = min(start + batch, args.n)
        col.add(
            ids=[f"r{i}" for i in range(start, end)],
            embeddings=vectors[start:end],
            metadatas=[{"g": i % 4} for i in range(start, end)],
        )
    col.create_index()
    ingest = args.n / (time.perf_counter() - started)
    latencies = []
    for i in tqdm(range(args.queries), desc="search", unit="query"):
        q1, q2 = rng.random(args.dim).tolist(), rng.random(args.dim).tolist()
        search = (
            Search()
            .where(K("g") == i % 4)
            .rank(Rrf([Knn(query=q1, return_rank=True), Knn(query=q2, return_rank=True)]))
            .limit(10)
            .select(K.SCORE)
        )
        t = time.perf_counter()
        col.search(search)
        latencies.append((time.perf_counter() - t) * 1000)
    p50, p99 = np.percentile(latencies, [50, 99])
    print(f"n={args.n} dim={args.dim} ingest {ingest:,.0f} records/s")
    print(f"hybrid search (filter + RRF of 2 Knn, limit 10): p50 {p50:.2f} ms, p99 {p99:.2f} ms")


if __name__ == "__main__":
    main()
