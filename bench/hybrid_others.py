"""The local alternatives a user would pick for hybrid search, on the data ``bench.hybrid_local``
wrote: Qdrant's local mode (dense + sparse vectors fused by RRF) and LanceDB (vector search +
its full-text index, fused by RRF). Runs in ``bench/.venv-hybrid`` (never beside our
``chromadb``) as a script: ``python -P hybrid_others.py WORK``; writes ``WORK/others.json``."""

from __future__ import annotations

import json
import shutil
import sys
import time
from pathlib import Path
from typing import Any, Callable, Dict

import numpy as np

BATCH = 5_000
K = 10


def timed(queries: int, run: Callable[[int], Any]) -> Dict[str, float]:
    """p50/p99 ms of ``run(i)`` for i < queries, after one untimed call (first-use caches are
    not what a user waits for on every query)."""
    run(0)
    latencies = []
    for i in range(queries):
        t = time.perf_counter()
        run(i)
        latencies.append((time.perf_counter() - t) * 1000)
    p50, p99 = np.percentile(latencies, [50, 99])
    return {"p50_ms": float(p50), "p99_ms": float(p99)}


def qdrant(work: Path, data: Dict[str, Any]) -> Dict[str, Any]:
    from qdrant_client import QdrantClient, models

    folder = work / "qdrant"
    shutil.rmtree(folder, ignore_errors=True)
    client = QdrantClient(path=str(folder))  # local mode: on disk, no server
    client.create_collection(
        "bench",
        vectors_config={
            "dense": models.VectorParams(size=data["dim"], distance=models.Distance.EUCLID)
        },
        sparse_vectors_config={"bm25": models.SparseVectorParams(modifier=models.Modifier.IDF)},
    )
    vectors, groups, sparse = data["vectors"], data["groups"], data["doc_sparse"]
    started = time.perf_counter()
    for start in range(0, len(vectors), BATCH):
        points = [
            models.PointStruct(
                id=i,
                vector={
                    "dense": vectors[i].tolist(),
                    "bm25": models.SparseVector(indices=sparse[i][0], values=sparse[i][1]),
                },
                payload={"g": int(groups[i])},
            )
            for i in range(start, min(start + BATCH, len(vectors)))
        ]
        client.upsert("bench", points=points)
    ingest = len(vectors) / (time.perf_counter() - started)

    def hybrid(filtered: bool) -> Callable[[int], Any]:
        def run(i: int) -> Any:
            q = data["queries"][i]
            flt = None
            if filtered:
                match = models.MatchValue(value=q["g"])
                flt = models.Filter(must=[models.FieldCondition(key="g", match=match)])
            sparse_q = models.SparseVector(indices=q["sparse"][0], values=q["sparse"][1])
            return client.query_points(
                "bench",
                prefetch=[
                    models.Prefetch(query=q["dense"], using="dense", limit=K, filter=flt),
                    models.Prefetch(query=sparse_q, using="bm25", limit=K, filter=flt),
                ],
                query=models.FusionQuery(fusion=models.Fusion.RRF),
                limit=K,
            )

        return run

    n = min(len(data["queries"]) - 1, data["slow_queries"])  # local mode is slow at 100k
    out = {
        "ingest_per_s": ingest,
        "hybrid": timed(n, hybrid(False)),
        "hybrid_filtered": timed(n, hybrid(True)),
    }
    client.close()
    return out


def lancedb(work: Path, data: Dict[str, Any]) -> Dict[str, Any]:
    import lancedb as ldb
    import pyarrow as pa
    from lancedb.rerankers import RRFReranker

    folder = work / "lancedb"
    shutil.rmtree(folder, ignore_errors=True)
    db = ldb.connect(str(folder))
    vectors, groups, docs = data["vectors"], data["groups"], data["docs"]
    dim = data["dim"]
    started = time.perf_counter()
    table = None
    for start in range(0, len(vectors), BATCH):
        end = min(start + BATCH, len(vectors))
        batch = pa.table(
            {
                "id": pa.array(range(start, end), pa.int64()),
                "vector": pa.FixedSizeListArray.from_arrays(
                    pa.array(vectors[start:end].ravel(), pa.float32()), dim
                ),
                "g": pa.array(groups[start:end].tolist(), pa.int64()),
                "text": pa.array(docs[start:end]),
            }
        )
        if table is None:
            table = db.create_table("bench", batch)
        else:
            table.add(batch)
    assert table is not None
    # Its full-text index is built after the load and counted in the ingest rate. No vector
    # index: at this size a flat (exact) scan is what LanceDB's guide suggests, and its IVF-PQ
    # index would trade recall away.
    table.create_fts_index("text", use_tantivy=False)
    ingest = len(vectors) / (time.perf_counter() - started)
    reranker = RRFReranker()

    def hybrid(filtered: bool) -> Callable[[int], Any]:
        def run(i: int) -> Any:
            q = data["queries"][i]
            search = (
                table.search(query_type="hybrid")
                .vector(q["dense"])
                .text(q["text"])
                .rerank(reranker)
                .limit(K)
            )
            if filtered:
                search = search.where(f"g = {q['g']}", prefilter=True)
            return search.to_list()

        return run

    n = len(data["queries"]) - 1
    return {
        "ingest_per_s": ingest,
        "hybrid": timed(n, hybrid(False)),
        "hybrid_filtered": timed(n, hybrid(True)),
    }


def main() -> None:
    work = Path(sys.argv[1])
    meta = json.loads((work / "data.json").read_text())
    data: Dict[str, Any] = {
        "dim": meta["dim"],
        "vectors": np.load(work / "vectors.npy"),
        "groups": np.load(work / "groups.npy"),
        "docs": meta["docs"],
        "doc_sparse": meta["doc_sparse"],
        "queries": meta["queries"],
        "slow_queries": meta["slow_queries"],
    }
    results: Dict[str, Any] = {}
    for name, run in (("qdrant", qdrant), ("lancedb", lancedb)):
        try:
            results[name] = run(work, data)
        except Exception as exc:  # noqa: BLE001 - one failed competitor must not end the run
            results[name] = {"error": f"{type(exc).__name__}: {exc}"}
        print(name, json.dumps(results[name]), flush=True)
    (work / "others.json").write_text(json.dumps(results, indent=1))


if __name__ == "__main__":
    main()
