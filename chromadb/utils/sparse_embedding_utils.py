"""Helpers for sparse vectors."""

from __future__ import annotations

from typing import Dict, List

from chromadb.base_types import SparseVector

__all__ = ["normalize_sparse_vector"]


def normalize_sparse_vector(indices: List[int], values: List[float]) -> SparseVector:
    """A ``SparseVector`` with indices sorted and repeated indices summed."""
    if len(indices) != len(values):
        raise ValueError(f"{len(indices)} indices but {len(values)} values")
    summed: Dict[int, float] = {}
    for index, value in zip(indices, values):
        summed[int(index)] = summed.get(int(index), 0.0) + float(value)
    ordered = sorted(summed)
    return SparseVector(indices=ordered, values=[summed[i] for i in ordered])
