"""Writer process for tests/test_crash.py: opens a PersistentClient and applies a deterministic
sequence of operations, printing ``ACK <n>`` (flushed) after operation ``n`` returns.

Usage: ``python crash_writer.py <path> <first_op>``. The parent kills it with SIGKILL at random
moments; operation ``n`` is a pure function of ``n`` (``operation(n)``), so the parent knows what
every acknowledged operation did, and what the one in flight would have done.
"""

from __future__ import annotations

import sys
import time
from typing import Any, Dict, List, Optional

import numpy as np

COLLECTION = "crash"
DIM = 16


def _embedding(n: int, i: int, version: int = 0) -> List[float]:
    rng = np.random.default_rng([n, i, version])
    # float32 values, so what comes back from storage compares exactly.
    return [float(x) for x in rng.standard_normal(DIM).astype(np.float32)]


def _ids(n: int, size: int) -> List[str]:
    return [f"op{n}-{i}" for i in range(size)]


def operation(n: int) -> Dict[str, Any]:
    """Operation number ``n``: mostly adds (every sixth one large), with updates, upserts and
    deletes of earlier batches mixed in."""
    if n >= 4 and n % 7 == 3:
        ids = _ids(n - 2, 20)  # may have been deleted meanwhile: unknown ids are skipped
        return {
            "kind": "update",
            "ids": ids,
            "embeddings": [_embedding(n, i, 1) for i in range(len(ids))],
            "metadatas": [{"updated_by": n} for _ in ids],
            "documents": [f"updated by {n}" for _ in ids],
        }
    if n >= 5 and n % 7 == 5:
        return {"kind": "delete", "ids": _ids(n - 4, 20)}
    if n >= 2 and n % 5 == 4:
        ids = _ids(n - 1, 10) + _ids(n, 10)
        return {
            "kind": "upsert",
            "ids": ids,
            "embeddings": [_embedding(n, i, 2) for i in range(len(ids))],
            "metadatas": [{"op": n, "i": i, "upserted": True} for i in range(len(ids))],
            "documents": [f"upserted by {n} #{i}" for i in range(len(ids))],
        }
    size = 400 if n % 6 == 0 else 20
    ids = _ids(n, size)
    return {
        "kind": "add",
        "ids": ids,
        "embeddings": [_embedding(n, i) for i in range(size)],
        "metadatas": [{"op": n, "i": i} for i in range(size)],
        "documents": [f"document {n} #{i}" for i in range(size)],
    }


Record = Dict[str, Any]

# Operations one writer process performs before it only waits to be killed.
MAX_OPS_PER_PROCESS = 100


def apply(
    state: Dict[str, Record], op: Dict[str, Any], in_place: bool = False
) -> Dict[str, Record]:
    """The state after ``op``, as SEMANTICS.md defines each operation (a new dict, or
    ``state`` itself changed when ``in_place``: the model must stay linear in the ops)."""
    out = state if in_place else {k: dict(v) for k, v in state.items()}
    kind = op["kind"]
    if kind == "delete":
        for id_ in op["ids"]:
            out.pop(id_, None)
        return out
    for n, id_ in enumerate(op["ids"]):
        new = {
            "embedding": op["embeddings"][n],
            "metadata": op["metadatas"][n],
            "document": op["documents"][n],
        }
        if id_ in out:
            if kind == "add":
                raise AssertionError(f"the writer never re-adds an id ({id_})")
            merged: Optional[Dict[str, Any]] = {**(out[id_]["metadata"] or {}), **new["metadata"]}
            out[id_] = {**new, "metadata": merged}
        elif kind != "update":  # update skips unknown ids
            out[id_] = new
    return out


def main(path: str, first: int) -> None:
    import chromadb

    client = chromadb.PersistentClient(path=path)
    collection = client.get_or_create_collection(COLLECTION, embedding_function=None)
    print("READY", flush=True)
    n = first
    while True:
        if n - first >= MAX_OPS_PER_PROCESS:
            # Keep the data the test must check bounded however fast the engine writes;
            # the parent kills this process anyway.
            time.sleep(0.05)
            continue
        op = operation(n)
        args = {k: v for k, v in op.items() if k != "kind"}
        getattr(collection, op["kind"])(**args)
        print(f"ACK {n}", flush=True)
        n += 1


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]))
