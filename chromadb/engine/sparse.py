"""Inverted index of one metadata key's sparse vectors, over a collection's slots (a cache of the
metadata SQLite holds, kept and rebuilt with the metadata ``Columns``).

Each term (a sparse vector index) has a posting list: the slots whose vector has the term, the
value there, and the slot's *generation* when the entry was written. Setting or clearing a slot
bumps its generation, so its old entries stop counting without being searched for and removed
(they go when the cache is next rebuilt). Deleted records need nothing: their slots are dead in
the vector index's live mask, which every search is restricted to.

Search is exact: the dot product of the query with every live vector sharing a term with it,
accumulated term by term over the posting lists; the best ``k`` by dot product come back.
"""

from __future__ import annotations

import math
from array import array
from typing import Any, Dict, List, Optional, Tuple

import numpy as np
from numpy.typing import NDArray

from chromadb.base_types import SparseVector, is_sparse_json

Mask = NDArray[np.bool_]
Postings = Tuple[NDArray[np.int64], NDArray[np.int32], NDArray[np.float32]]


def as_sparse(value: Any) -> Optional[SparseVector]:
    """``value`` as a sparse vector when it is one (or its tagged JSON form), else None."""
    if isinstance(value, SparseVector):
        return value
    if is_sparse_json(value):
        return SparseVector.from_dict(value)
    return None


def idf(n: int, n_t: int) -> float:
    """BM25's inverse document frequency of a term in ``n_t`` of ``n`` records, as real Chroma
    weights query terms of a ``bm25`` sparse index: ``ln(1 + (n - n_t + 0.5) / (n_t + 0.5))``."""
    return math.log1p((n - n_t + 0.5) / (n_t + 0.5))


class SparseIndex:
    """The sparse vectors of one metadata key, by slot, as posting lists per term."""

    def __init__(self, capacity: int = 16) -> None:
        self._slots: Dict[int, array[int]] = {}
        self._gens: Dict[int, array[int]] = {}
        self._values: Dict[int, array[float]] = {}
        self._cache: Dict[int, Postings] = {}
        self._gen = np.zeros(max(capacity, 16), dtype=np.int32)
        self._has = np.zeros(max(capacity, 16), dtype=np.bool_)

    def _ensure(self, slot: int) -> None:
        if slot >= len(self._gen):
            size = max(slot + 1, len(self._gen) * 2)
            self._gen = np.concatenate([self._gen, np.zeros(size - len(self._gen), np.int32)])
            self._has = np.concatenate([self._has, np.zeros(size - len(self._has), np.bool_)])

    def clear(self, slot: int) -> None:
        """``slot`` holds no vector (its entries stop counting)."""
        if slot < len(self._has) and self._has[slot]:
            self._gen[slot] += 1
            self._has[slot] = False

    def set(self, slot: int, vector: SparseVector) -> None:
        """``slot`` holds ``vector`` (replacing what it held)."""
        self._ensure(slot)
        if self._has[slot]:
            self._gen[slot] += 1
        self._has[slot] = True
        gen = int(self._gen[slot])
        for term, value in zip(vector.indices, vector.values):
            slots = self._slots.get(term)
            if slots is None:
                slots = self._slots[term] = array("q")
                self._gens[term] = array("i")
                self._values[term] = array("f")
            slots.append(slot)
            self._gens[term].append(gen)
            self._values[term].append(value)
            self._cache.pop(term, None)

    def _postings(self, term: int) -> Optional[Postings]:
        cached = self._cache.get(term)
        if cached is None:
            slots = self._slots.get(term)
            if slots is None:
                return None
            # Copies (not views): the arrays must stay free to grow on the next write.
            cached = (
                np.array(slots, dtype=np.int64),
                np.array(self._gens[term], dtype=np.int32),
                np.array(self._values[term], dtype=np.float32),
            )
            self._cache[term] = cached
        return cached

    def _current(self, term: int, live: Mask) -> Optional[Postings]:
        """The entries of ``term`` that are current and on live slots."""
        found = self._postings(term)
        if found is None:
            return None
        slots, gens, values = found
        inside = slots < len(live)
        keep = inside & (gens == self._gen[slots])
        keep[inside] &= live[slots[inside]]
        if keep.all():
            return found
        return slots[keep], gens[keep], values[keep]

    def search(
        self,
        query: SparseVector,
        k: int,
        live: Mask,
        allowed: Optional[Mask] = None,
        records: Optional[int] = None,
    ) -> Tuple[NDArray[np.int64], NDArray[np.float64]]:
        """Slots of the ``k`` live vectors (within ``allowed`` when given) with the largest dot
        product with ``query``, and those dot products, best first (slots whose vectors share
        no term with the query are never returned). Where several tie at the k-th value all of
        them come back, for the caller to break the tie. With ``records`` (the collection's
        record count) each query term is weighted by its ``idf`` first."""
        hit_slots: List[NDArray[np.int64]] = []
        hit_scores: List[NDArray[np.float64]] = []
        for term, weight in zip(query.indices, query.values):
            found = self._current(term, live)
            if found is None:
                continue
            slots, _, values = found
            if records is not None:
                weight = weight * idf(records, len(slots))
            if allowed is not None:
                keep = allowed[slots]
                slots, values = slots[keep], values[keep]
            if len(slots):
                hit_slots.append(slots)
                hit_scores.append(values.astype(np.float64) * float(weight))
        if not hit_slots:
            return np.empty(0, dtype=np.int64), np.empty(0, dtype=np.float64)
        unique, where = np.unique(np.concatenate(hit_slots), return_inverse=True)
        dots: NDArray[np.float64] = np.bincount(
            where, weights=np.concatenate(hit_scores), minlength=len(unique)
        ).astype(np.float64, copy=False)
        if len(unique) > k:
            kth = np.partition(dots, len(dots) - k)[len(dots) - k]
            keep = dots >= kth
            unique, dots = unique[keep], dots[keep]
        order = np.argsort(-dots, kind="stable")
        return unique[order], dots[order]
