"""Approximate search is accurate enough: recall@10 >= 0.95 against exact numpy search on
clustered 384-d data (the shape of sentence embeddings), with the collection's default settings.
Embedded only: the HTTP path returns the same engine's answers."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

import chromadb
from chromadb.config import Settings

N = 20_000
DIM = 384
CLUSTERS = 100
QUERIES = 200
K = 10


def _clustered(rng: np.random.Generator, n: int, centers: np.ndarray) -> np.ndarray:
    labels = rng.integers(0, len(centers), n)
    return (centers[labels] + rng.standard_normal((n, DIM))).astype(np.float32)


def _exact_top_k(data: np.ndarray, queries: np.ndarray, space: str) -> np.ndarray:
    if space == "cosine":
        data = data / np.linalg.norm(data, axis=1, keepdims=True)
        queries = queries / np.linalg.norm(queries, axis=1, keepdims=True)
        scores = -(queries @ data.T)
    else:
        scores = (queries**2).sum(1)[:, None] - 2 * queries @ data.T + (data**2).sum(1)[None, :]
    return np.argsort(scores, axis=1)[:, :K]


@pytest.mark.parametrize("space", ["l2", "cosine"])
def test_recall_at_10_on_clustered_384d(space: str, ef: Any) -> None:
    rng = np.random.default_rng(384)
    centers = rng.standard_normal((CLUSTERS, DIM))
    data = _clustered(rng, N, centers)
    queries = _clustered(rng, QUERIES, centers)
    client = chromadb.EphemeralClient(Settings(allow_reset=True))
    metadata = None if space == "l2" else {"hnsw:space": space}
    col = client.create_collection("recall", metadata=metadata, embedding_function=None)
    ids = [str(i) for i in range(N)]
    step = 5000
    for start in range(0, N, step):
        col.add(ids=ids[start : start + step], embeddings=data[start : start + step])
    assert col.count() == N
    res = col.query(query_embeddings=queries, n_results=K, include=[])
    found = [{int(i) for i in row} for row in res["ids"]]
    exact = _exact_top_k(data, queries, space)
    recall = float(np.mean([len(f & set(e.tolist())) / K for f, e in zip(found, exact)]))
    assert recall >= 0.95, f"recall@10 = {recall:.3f} ({space})"
