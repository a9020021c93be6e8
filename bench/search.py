"""Hybrid search latency on one collection: ``python -m bench.search [--n 100000]``.

The collection has random 64-d vectors, a 4-valued metadata key and synthetic documents (words
drawn from a Zipf distribution over a 5,000-word vocabulary, 20-60 words each) with a BM25
sparse vector index filled from them (``ChromaBm25EmbeddingFunction``, ``bm25=True``). Timed, on
an in-process client:

- ingest: records per second, BM25 embedding of the documents included;
- dense hybrid: ``where(K("g") == g).rank(Rrf([Knn(q1), Knn(q2)]))``, two dense Knn;
- dense + sparse hybrid: ``rank(Rrf([Knn(q), Knn("three words", key="sp")]))``, the string
  query embedded by the index's function, with and without the filter.

Prints p50 / p99 of each (``--no-sparse``: the dense phase only)."""

from __future__ import annotations

import argparse
import string
import time
from typing import Any, Callable, List

import numpy as np
from tqdm import tqdm

import chromadb
from chromadb import K, Knn, Rrf, Schema, Search, SparseVectorIndexConfig
from chromadb.utils.embedding_functions import ChromaBm25EmbeddingFunction

VOCABULARY = 5_000


def _vocabulary(rng: np.random.Generator) -> List[str]:
    letters = np.array(list(string.ascii_lowercase))
    words = {
        "".join(rng.choice(letters, size=int(rng.integers(4, 10)))) for _ in range(VOCABULARY * 2)
    }
    return sorted(words)[:VOCABULARY]


def _documents(rng: np.random.Generator, words: List[str], n: int) -> List[str]:
    ranks = np.minimum(rng.zipf(1.3, size=n * 60), len(words)) - 1
    lengths = rng.integers(20, 61, size=n)
    out, at = [], 0
    for length in lengths.tolist():
        out.append(" ".join(words[i] for i in ranks[at : at + length].tolist()))
        at += length
    return out


def _timed(queries: int, make: Callable[[int], Any], col: Any, label: str) -> None:
    latencies = []
    for i in tqdm(range(queries), desc=label, unit="query"):
        search = make(i)
        t = time.perf_counter()
        col.search(search)
        latencies.append((time.perf_counter() - t) * 1000)
    p50, p99 = np.percentile(latencies, [50, 99])
    print(f"{label}: p50 {p50:.2f} ms, p99 {p99:.2f} ms")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--n", type=int, default=100_000, help="records in the collection")
    parser.add_argument("--queries", type=int, default=200, help="searches to time per phase")
    parser.add_argument("--dim", type=int, default=64)
    parser.add_argument("--no-sparse", action="store_true", help="no documents, no sparse index")
    args = parser.parse_args()
    rng = np.random.default_rng(0)
    sparse = not args.no_sparse
    schema = Schema()
    if sparse:
        ef = ChromaBm25EmbeddingFunction()
        config = SparseVectorIndexConfig(source_key=K.DOCUMENT, embedding_function=ef, bm25=True)
        schema.create_index(config=config, key="sp")
    col = chromadb.EphemeralClient().create_collection(
        "bench-search", schema=schema, embedding_function=None
    )
    vectors = rng.random((args.n, args.dim), dtype=np.float32)
    words = _vocabulary(rng)
    docs = _documents(rng, words, args.n) if sparse else None
    started = time.perf_counter()
    batch = 5_000
    for start in tqdm(range(0, args.n, batch), desc="ingest", unit="batch"):
        end = min(start + batch, args.n)
        col.add(
            ids=[f"r{i}" for i in range(start, end)],
            embeddings=vectors[start:end],
            metadatas=[{"g": i % 4} for i in range(start, end)],
            documents=None if docs is None else docs[start:end],
        )
    col.create_index()
    ingest = args.n / (time.perf_counter() - started)
    what = "BM25 sparse index on the documents" if sparse else "no sparse index"
    print(f"n={args.n} dim={args.dim} ingest {ingest:,.0f} records/s ({what})")

    def dense(i: int) -> Any:
        q1, q2 = rng.random(args.dim).tolist(), rng.random(args.dim).tolist()
        rank = Rrf([Knn(query=q1, return_rank=True), Knn(query=q2, return_rank=True)])
        return Search().where(K("g") == i % 4).rank(rank).limit(10).select(K.SCORE)

    _timed(args.queries, dense, col, "filter + RRF of 2 dense Knn, limit 10")
    if not sparse:
        return
    common = words[:200]  # the frequent words: long posting lists

    def hybrid(filtered: bool) -> Callable[[int], Any]:
        def make(i: int) -> Any:
            text = " ".join(rng.choice(common, size=3).tolist())
            rank = Rrf(
                [
                    Knn(query=rng.random(args.dim).tolist(), return_rank=True),
                    Knn(query=text, key="sp", return_rank=True),
                ]
            )
            search = Search().rank(rank).limit(10).select(K.SCORE)
            return search.where(K("g") == i % 4) if filtered else search

        return make

    _timed(args.queries, hybrid(False), col, "RRF of dense Knn + BM25 Knn (3 words), limit 10")
    _timed(args.queries, hybrid(True), col, "filter + RRF of dense Knn + BM25 Knn, limit 10")


if __name__ == "__main__":
    main()
