"""Helpers for sparse vectors."""

from __future__ import annotations

from typing import List, Optional

from chromadb.base_types import SparseVector

__all__ = ["normalize_sparse_vector"]


def normalize_sparse_vector(
    indices: List[int], values: List[float], labels: Optional[List[str]] = None
) -> SparseVector:
    """A ``SparseVector`` from unsorted ``indices`` (with their ``values`` and optional
    ``labels``), sorted by index. A repeated index is refused (``ValueError``), as in real
    Chroma."""
    if len(indices) != len(values):
        raise ValueError(
            "SparseVector indices and values must have the same length, "
            f"got {len(indices)} indices and {len(values)} values"
        )
    if labels is not None and len(labels) != len(indices):
        raise ValueError(
            "SparseVector labels must have the same length as indices and values, "
            f"got {len(labels)} labels, {len(indices)} indices"
        )
    order = sorted(range(len(indices)), key=lambda i: indices[i])
    return SparseVector(
        indices=[int(indices[i]) for i in order],
        values=[float(values[i]) for i in order],
        labels=None if labels is None else [labels[i] for i in order],
    )
