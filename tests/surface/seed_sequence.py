"""One 0.3-era sequence, run unchanged by real chromadb 0.3.29 and by ours; prints what it saw
(result keys, error classes and whether they are ValueErrors) as JSON.

    python tests/surface/seed_sequence.py FOLDER
"""

from __future__ import annotations

import json
import sys
from typing import Any, Callable, Dict

import chromadb
from chromadb.config import Settings


def _attempt(fn: Callable[[], Any]) -> Dict[str, Any]:
    try:
        value = fn()
    except Exception as exc:  # recording the class is the point
        return {"error": type(exc).__name__, "value_error": isinstance(exc, ValueError)}
    if isinstance(value, dict):
        return {"keys": sorted(value)}
    return {"ok": value is None or bool(value)}


def _sequence(impl: str, folder: str) -> Dict[str, Any]:
    settings = Settings(chroma_db_impl=impl, persist_directory=folder, anonymized_telemetry=False)
    client = chromadb.Client(settings)
    col = client.create_collection(
        "seed", embedding_function=lambda texts: [[1.0, 2.0]] * len(texts)
    )
    seen = {
        "add_increment_index": _attempt(
            lambda: col.add(ids=["a"], embeddings=[[1.0, 2.0]], increment_index=True)
        ),
        "get": _attempt(lambda: col.get()),
        "get_include": _attempt(lambda: col.get(include=["embeddings"])),
        "query": _attempt(lambda: col.query(query_embeddings=[[1.0, 2.0]], n_results=1)),
        "peek": _attempt(lambda: col.peek()),
        "create_existing": _attempt(lambda: client.create_collection("seed")),
        "get_missing": _attempt(lambda: client.get_collection("missing")),
        "duplicate_ids": _attempt(
            lambda: col.add(ids=["x", "x"], embeddings=[[1.0, 2.0], [1.0, 2.0]])
        ),
        "wrong_dimension": _attempt(lambda: col.add(ids=["y"], embeddings=[[1.0, 2.0, 3.0]])),
        "bad_where": _attempt(lambda: col.get(where={"a": {"$foo": 1}})),
        "bad_name": _attempt(lambda: client.create_collection("a")),
        "reset": _attempt(lambda: client.reset()),
    }
    return seen


def main(folder: str) -> None:
    out: Dict[str, Any] = {impl: _sequence(impl, folder) for impl in ("duckdb+parquet", "duckdb")}
    in_memory = chromadb.Client(Settings(anonymized_telemetry=False))
    out["in_memory_reset"] = _attempt(lambda: in_memory.reset())
    print(json.dumps(out, sort_keys=True))


if __name__ == "__main__":
    main(sys.argv[1])
