"""Hybrid search side by side with the local alternatives a user would pick:
``python -m bench.hybrid_local [--n 100000]``.

The data is ``bench.search``'s (random vectors, a 4-valued key ``g``, Zipf-worded documents).
Every engine gets the same records and the same 200 searches: a dense Knn and a BM25 query of
three frequent words fused by RRF (top 10 of each, top 10 fused), unfiltered and filtered on
``g``. Ours: an in-process client, a BM25 sparse index on the documents
(``ChromaBm25EmbeddingFunction``). Qdrant's local mode: dense + sparse named vectors (the same
BM25 document vectors, IDF applied by Qdrant), ``query_points`` with two prefetches and RRF
fusion. LanceDB: its vector index and native full-text index, hybrid query with its RRF
reranker. The two others run in ``bench/.venv-hybrid`` (created on first use with pip), not
beside our ``chromadb``. Prints a table of p50/p99 and ingest rates, with ours/theirs ratios,
and writes ``results.json`` to ``--out``."""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path
from typing import Any, Callable, Dict, List

import numpy as np
from tqdm import tqdm

import chromadb
from bench.hybrid_others import timed
from bench.search import _documents, _vocabulary
from chromadb import K, Knn, Rrf, Schema, Search, SparseVectorIndexConfig
from chromadb.utils.embedding_functions import ChromaBm25EmbeddingFunction

REPO = Path(__file__).resolve().parent.parent
OTHERS_VENV = REPO / "bench" / ".venv-hybrid"
OTHERS = ["qdrant-client", "lancedb", "pyarrow", "numpy"]
TOP = 10


def others_python(venv: Path) -> Path:
    """The Python of the competitors' venv, created (pip) when missing."""
    python = venv / "bin" / "python"
    if not python.exists():
        print(f"creating {venv} with {', '.join(OTHERS)} (pip)", flush=True)
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        subprocess.run([str(python), "-m", "pip", "install", "--quiet", *OTHERS], check=True)
    return python


def make_data(n: int, dim: int, queries: int, slow: int, work: Path) -> Dict[str, Any]:
    """bench.search's records, their BM25 vectors, and the searches; saved for the others."""
    rng = np.random.default_rng(0)
    vectors = rng.random((n, dim), dtype=np.float32)
    words = _vocabulary(rng)
    docs = _documents(rng, words, n)
    groups = np.arange(n, dtype=np.int64) % 4
    ef = ChromaBm25EmbeddingFunction()
    doc_sparse = [
        [v.indices, v.values]
        for start in tqdm(range(0, n, 5_000), desc="BM25 vectors", unit="batch")
        for v in ef(docs[start : start + 5_000])
    ]
    common = words[:200]  # frequent words: long posting lists
    searches = []
    for i in range(queries + 1):
        text = " ".join(rng.choice(common, size=3).tolist())
        sparse = ef.embed_query([text])[0]
        searches.append(
            {
                "dense": rng.random(dim).tolist(),
                "text": text,
                "sparse": [sparse.indices, sparse.values],
                "g": i % 4,
            }
        )
    work.mkdir(parents=True, exist_ok=True)
    np.save(work / "vectors.npy", vectors)
    np.save(work / "groups.npy", groups)
    meta = {
        "dim": dim,
        "docs": docs,
        "doc_sparse": doc_sparse,
        "queries": searches,
        "slow_queries": slow,
    }
    (work / "data.json").write_text(json.dumps(meta))
    return {"vectors": vectors, "groups": groups, "docs": docs, "queries": searches}


def ours(data: Dict[str, Any]) -> Dict[str, Any]:
    schema = Schema()
    ef = ChromaBm25EmbeddingFunction()
    config = SparseVectorIndexConfig(source_key=K.DOCUMENT, embedding_function=ef, bm25=True)
    schema.create_index(config=config, key="sp")
    col = chromadb.EphemeralClient().get_or_create_collection(
        "bench-hybrid", schema=schema, embedding_function=None
    )
    vectors, groups, docs = data["vectors"], data["groups"], data["docs"]
    started = time.perf_counter()
    for start in range(0, len(vectors), 5_000):
        end = min(start + 5_000, len(vectors))
        col.add(
            ids=[f"r{i}" for i in range(start, end)],
            embeddings=vectors[start:end],
            metadatas=[{"g": int(g)} for g in groups[start:end]],
            documents=docs[start:end],
        )
    col.create_index()  # the graph built: what the others' ingest includes too
    ingest = len(vectors) / (time.perf_counter() - started)

    def hybrid(filtered: bool) -> Callable[[int], Any]:
        def run(i: int) -> Any:
            q = data["queries"][i]
            rank = Rrf(
                [
                    Knn(query=q["dense"], limit=TOP, return_rank=True),
                    Knn(query=q["text"], key="sp", limit=TOP, return_rank=True),
                ]
            )
            search = Search().rank(rank).limit(TOP).select(K.SCORE)
            return col.search(search.where(K("g") == q["g"]) if filtered else search)

        return run

    n = len(data["queries"]) - 1
    return {
        "ingest_per_s": ingest,
        "hybrid": timed(n, hybrid(False)),
        "hybrid_filtered": timed(n, hybrid(True)),
    }


ROWS = [
    ("ingest, records/s (indexes built)", ("ingest_per_s",), True),
    ("hybrid dense + BM25 (RRF), p50 ms", ("hybrid", "p50_ms"), False),
    ("hybrid dense + BM25 (RRF), p99 ms", ("hybrid", "p99_ms"), False),
    ("filtered hybrid, p50 ms", ("hybrid_filtered", "p50_ms"), False),
    ("filtered hybrid, p99 ms", ("hybrid_filtered", "p99_ms"), False),
]


def table(results: Dict[str, Any]) -> str:
    names = [n for n in ("ours", "qdrant", "lancedb") if n in results]
    head = "| figure | " + " | ".join(names) + " | " + " | ".join(f"ours/{n}" for n in names[1:])
    lines = [head + " |", "|---|" + "---:|" * (2 * len(names) - 1)]
    for label, path, _ in ROWS:
        values = []
        for name in names:
            value: Any = results[name]
            for key in path:
                value = value.get(key) if isinstance(value, dict) else None
            values.append(value)
        cells = [f"{v:,.2f}" if isinstance(v, float) else "n/a" for v in values]
        ratios = [
            f"{values[0] / v:.3g}" if isinstance(v, float) and isinstance(values[0], float) else ""
            for v in values[1:]
        ]
        lines.append(f"| {label} | " + " | ".join(cells + ratios) + " |")
    errors = [f"- {n}: {results[n]['error']}" for n in names if "error" in results[n]]
    return "\n".join(lines + errors)


def main(argv: List[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--n", type=int, default=100_000, help="records")
    parser.add_argument("--queries", type=int, default=200, help="searches per phase")
    parser.add_argument("--dim", type=int, default=64)
    parser.add_argument(
        "--slow-queries", type=int, default=50, help="searches per phase for Qdrant's local mode"
    )
    parser.add_argument("--out", type=Path, default=REPO / "bench" / "results" / "hybrid")
    parser.add_argument("--others-venv", type=Path, default=OTHERS_VENV)
    args = parser.parse_args(argv)
    data = make_data(args.n, args.dim, args.queries, args.slow_queries, args.out)
    results: Dict[str, Any] = {"ours": ours(data)}
    print("ours", json.dumps(results["ours"]), flush=True)
    python = others_python(args.others_venv)
    script = Path(__file__).with_name("hybrid_others.py")
    subprocess.run([str(python), "-P", str(script), str(args.out)], check=True, cwd=args.out)
    results.update(json.loads((args.out / "others.json").read_text()))
    (args.out / "results.json").write_text(json.dumps(results, indent=1))
    print(
        f"\nn={args.n:,} x {args.dim}-d, {args.queries} searches per phase "
        f"({args.slow_queries} for Qdrant's local mode), top {TOP}\n"
    )
    print(table(results))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
