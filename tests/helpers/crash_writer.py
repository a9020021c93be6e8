"""Writer process for tests/test_crash.py: opens a PersistentClient and applies a deterministic
sequence of operations, printing ``ACK <n>`` (flushed) after operation ``n`` returns.

Usage: ``python crash_writer.py <path> <first_op> [<writer>]``. The parent kills it with SIGKILL
at random moments; operation ``n`` is a pure function of ``n`` (``operation(n)``), so the parent
knows what every acknowledged operation did, and what the one in flight would have done. Several
writers (numbered 1, 2, ...) may share the collection: writer ``w`` touches only its own ids and
vectors (``operation(n, w)``), so their operations commute and each can be checked alone.
"""

from __future__ import annotations

import sys
import time
from typing import Any, Dict, List, Optional

import numpy as np

COLLECTION = "crash"
DIM = 16


def _embedding(n: int, i: int, version: int = 0, writer: int = 0) -> List[float]:
    rng = np.random.default_rng([n, i, version] + ([writer] if writer else []))
    # float32 values, so what comes back from storage compares exactly.
    return [float(x) for x in rng.standard_normal(DIM).astype(np.float32)]


def _ids(n: int, size: int, writer: int = 0) -> List[str]:
    prefix = f"w{writer}-" if writer else ""
    return [f"{prefix}op{n}-{i}" for i in range(size)]


def writer_of(id_: str) -> int:
    """The writer whose operations touch ``id_``."""
    return int(id_[1:].split("-", 1)[0]) if id_.startswith("w") else 0


def operation(n: int, w: int = 0) -> Dict[str, Any]:
    """Operation number ``n`` of writer ``w``: mostly adds (every sixth one large), with
    updates, upserts and deletes of earlier batches mixed in."""
    if n >= 4 and n % 7 == 3:
        ids = _ids(n - 2, 20, w)  # may have been deleted meanwhile: unknown ids are skipped
        return {
            "kind": "update",
            "ids": ids,
            "embeddings": [_embedding(n, i, 1, w) for i in range(len(ids))],
            "metadatas": [{"updated_by": n} for _ in ids],
            "documents": [f"updated by {n}" for _ in ids],
        }
    if n >= 5 and n % 7 == 5:
        return {"kind": "delete", "ids": _ids(n - 4, 20, w)}
    if n >= 2 and n % 5 == 4:
        ids = _ids(n - 1, 10, w) + _ids(n, 10, w)
        return {
            "kind": "upsert",
            "ids": ids,
            "embeddings": [_embedding(n, i, 2, w) for i in range(len(ids))],
            "metadatas": [{"op": n, "i": i, "upserted": True} for i in range(len(ids))],
            "documents": [f"upserted by {n} #{i}" for i in range(len(ids))],
        }
    size = 400 if n % 6 == 0 else 20
    ids = _ids(n, size, w)
    return {
        "kind": "add",
        "ids": ids,
        "embeddings": [_embedding(n, i, 0, w) for i in range(size)],
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


def main(path: str, first: int, w: int = 0) -> None:
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
        op = operation(n, w)
        args = {k: v for k, v in op.items() if k != "kind"}
        getattr(collection, op["kind"])(**args)
        print(f"ACK {n}", flush=True)
        if w and n % 7 == 6:
            _checkpoint(client, collection)
        n += 1


def _checkpoint(client: Any, collection: Any) -> None:
    """Save the index now, as a busy process would after many writes: with several writers,
    checkpoints come from every process, each pruning the log the others catch up from."""
    segment = client._api._segment(collection.id)
    segment.sync()
    with segment.lock.write():
        segment.checkpoint(force=True)


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]), int(sys.argv[3]) if len(sys.argv) > 3 else 0)
