"""A writer process for the kill -9 tests: ``python -m tests.integrity.writer PATH|URL [start]``
adds batch after batch and prints ``ACK <n>`` (flushed) once batch ``n`` is acknowledged. An
``http://host:port`` target writes through the HTTP client, a path through the embedded engine.
"""

from __future__ import annotations

import sys
from typing import List

import numpy as np

BATCH = 50
DIM = 16


def batch_ids(n: int) -> List[str]:
    return [f"b{n}-{i}" for i in range(BATCH)]


def batch_vectors(n: int) -> np.ndarray:
    return np.random.default_rng(n).random((BATCH, DIM), dtype=np.float32)


def main() -> None:
    import chromadb

    target = sys.argv[1]
    start = int(sys.argv[2]) if len(sys.argv) > 2 else 0
    if target.startswith("http://"):
        host, port = target[len("http://") :].rsplit(":", 1)
        client = chromadb.HttpClient(host=host, port=int(port))
    else:
        client = chromadb.PersistentClient(path=target)
    col = client.get_or_create_collection("writes", embedding_function=None)
    n = start
    while True:
        col.add(
            ids=batch_ids(n),
            embeddings=batch_vectors(n),
            documents=[f"batch {n} record {i}" for i in range(BATCH)],
        )
        print(f"ACK {n}", flush=True)
        n += 1


if __name__ == "__main__":
    main()
