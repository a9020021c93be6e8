"""Merging shard answers gives exactly what one engine over all the records gives."""

from __future__ import annotations

from typing import Any, Dict, List

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from chromadb.distributed.merge import concat_get, merge_query, select_get
from chromadb.distributed.placement import split_by_shard


def _shard_answer(
    ids: List[str], vectors: np.ndarray, queries: np.ndarray, k: int
) -> Dict[str, Any]:
    distances = ((queries[:, None, :] - vectors[None, :, :]) ** 2).sum(-1)
    order = np.argsort(distances, axis=1, kind="stable")[:, :k]
    return {
        "ids": [[ids[j] for j in row] for row in order],
        "distances": [[float(distances[q, j]) for j in row] for q, row in enumerate(order)],
        "documents": [[f"doc {ids[j]}" for j in row] for row in order],
        "embeddings": [vectors[row] for row in order],
        "metadatas": None,
        "uris": None,
        "data": None,
    }


@settings(max_examples=60, deadline=None)
@given(
    n=st.integers(1, 60),
    shards=st.integers(1, 5),
    k=st.integers(1, 12),
    seed=st.integers(0, 2**16),
)
def test_merged_top_k_equals_the_top_k_over_all_records(
    n: int, shards: int, k: int, seed: int
) -> None:
    rng = np.random.default_rng(seed)
    ids = [f"id{i}" for i in range(n)]
    vectors = rng.normal(size=(n, 4)).astype(np.float32)
    queries = rng.normal(size=(3, 4)).astype(np.float32)
    parts = []
    for positions in split_by_shard(ids, shards):
        if positions:
            parts.append(_shard_answer([ids[p] for p in positions], vectors[positions], queries, k))
    merged = merge_query(parts, k, ["documents", "embeddings", "distances"])
    whole = _shard_answer(ids, vectors, queries, k)
    for q in range(3):
        assert merged["distances"] is not None and whole["distances"] is not None
        np.testing.assert_allclose(merged["distances"][q], whole["distances"][q], rtol=1e-6)
        # Equal distances may come in another order; the ids at distinct distances agree.
        assert (
            sorted(merged["ids"][q]) == sorted(whole["ids"][q])
            or len(set(whole["distances"][q])) < k
        )
        assert merged["documents"] is not None
        assert merged["documents"][q] == [f"doc {i}" for i in merged["ids"][q]]
        assert isinstance(merged["embeddings"][q], np.ndarray)
    assert merged["metadatas"] is None and merged["included"] == [
        "documents",
        "embeddings",
        "distances",
    ]


def test_distances_are_dropped_when_not_asked_for() -> None:
    part = _shard_answer(["a", "b"], np.eye(2, dtype=np.float32), np.eye(2, dtype=np.float32), 2)
    merged = merge_query([part], 1, ["documents"])
    assert merged["ids"] == [["a"], ["b"]] and merged["distances"] is None


def test_get_parts_concatenate_and_select_in_order() -> None:
    a = {
        "ids": ["1", "2"],
        "embeddings": np.array([[1.0], [2.0]]),
        "documents": ["d1", "d2"],
        "metadatas": [None, {"k": 1}],
        "uris": None,
        "data": None,
        "included": [],
    }
    b = {
        "ids": ["3"],
        "embeddings": np.array([[3.0]]),
        "documents": ["d3"],
        "metadatas": [{"k": 3}],
        "uris": None,
        "data": None,
        "included": [],
    }
    include = ["embeddings", "documents", "metadatas"]
    whole = concat_get([a, b], include)  # type: ignore[list-item]
    assert whole["ids"] == ["1", "2", "3"]
    assert whole["embeddings"] is not None and whole["embeddings"].tolist() == [[1.0], [2.0], [3.0]]
    picked = select_get([a, b], [(1, 0), (0, 0)], include)  # type: ignore[list-item]
    assert picked["ids"] == ["3", "1"] and picked["metadatas"] == [{"k": 3}, None]
    assert picked["uris"] is None
