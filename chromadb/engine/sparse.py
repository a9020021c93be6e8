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
from itertools import chain
from typing import Any, Dict, List, Optional, Tuple

import numpy as np
from numpy.typing import NDArray

from chromadb.base_types import SparseVector, is_sparse_json

Mask = NDArray[np.bool_]
# (slots, generations, values) of one term; slots as int32 halves the memory of big lists.
Postings = Tuple[NDArray[np.int32], NDArray[np.int32], NDArray[np.float32]]


def as_sparse(value: Any) -> Optional[SparseVector]:
    """``value`` as a sparse vector when it is one (or its tagged JSON form), else None."""
    if isinstance(value, SparseVector):
        return value
    if is_sparse_json(value):
        return SparseVector.from_dict(value)
    return None


def as_sparse_form(value: Any) -> bool:
    """Whether ``value`` is a sparse vector or its tagged JSON form."""
    return isinstance(value, SparseVector) or is_sparse_json(value)


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
        # Set once a slot's entries are superseded: searches then check generations.
        self._stale = False

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
            self._stale = True

    def set(self, slot: int, vector: SparseVector) -> None:
        """``slot`` holds ``vector`` (replacing what it held)."""
        self._ensure(slot)
        if self._has[slot]:
            self._gen[slot] += 1
            self._stale = True
        self._has[slot] = True
        gen = int(self._gen[slot])
        for term, value in zip(vector.indices, vector.values):
            slots = self._slots.get(term)
            if slots is None:
                slots = self._slots[term] = array("i")
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
                np.array(slots, dtype=np.int32),
                np.array(self._gens[term], dtype=np.int32),
                np.array(self._values[term], dtype=np.float32),
            )
            self._cache[term] = cached
        return cached

    def load(self, slots: List[int], vectors: List[Any]) -> None:
        """Fill many empty slots at once (building the cache for a whole collection): the
        posting lists are cut from one sort of every entry by term. ``vectors`` are
        ``SparseVector``s or their tagged JSON form, as stored (already checked on write)."""
        if not slots:
            return
        self._ensure(max(slots))
        indices = [v.indices if isinstance(v, SparseVector) else v["indices"] for v in vectors]
        values = [v.values if isinstance(v, SparseVector) else v["values"] for v in vectors]
        lengths = np.fromiter((len(x) for x in indices), dtype=np.int64, count=len(indices))
        total = int(lengths.sum())
        terms = np.fromiter(chain.from_iterable(indices), dtype=np.int64, count=total)
        weights = np.fromiter(chain.from_iterable(values), dtype=np.float32, count=total)
        owners = np.repeat(np.asarray(slots, dtype=np.int32), lengths)
        slot_array = np.asarray(slots, dtype=np.int64)
        self._has[slot_array] = True
        gens = self._gen[owners]
        order = np.argsort(terms, kind="stable")
        terms, weights, owners, gens = terms[order], weights[order], owners[order], gens[order]
        cuts = np.flatnonzero(np.diff(terms)) + 1
        starts = np.concatenate([[0], cuts]).tolist()
        ends = np.concatenate([cuts, [len(terms)]]).tolist()
        for start, end in zip(starts, ends):
            term = int(terms[start])
            if term not in self._slots:
                self._slots[term] = array("i")
                self._gens[term] = array("i")
                self._values[term] = array("f")
            self._slots[term].frombytes(owners[start:end].tobytes())
            self._gens[term].frombytes(gens[start:end].astype(np.int32).tobytes())
            self._values[term].frombytes(weights[start:end].tobytes())
            self._cache.pop(term, None)

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
        record count) each query term is weighted by its ``idf`` first: its document
        frequency counts the live vectors that have it."""
        n = len(live)
        mask = live if allowed is None else allowed & live
        every_live = records is not None and bool(live.all())
        hit_slots: List[NDArray[np.int32]] = []
        hit_scores: List[NDArray[np.float64]] = []
        for term, weight in zip(query.indices, query.values):
            found = self._postings(term)
            if found is None:
                continue
            slots, gens, values = found
            if self._stale:
                current = gens == self._gen[slots]
                slots, values = slots[current], values[current]
            if records is not None:
                n_t = len(slots) if every_live else int(np.count_nonzero(live[slots]))
                weight = weight * idf(records, n_t)
            keep = mask[slots]
            if keep.any():
                hit_slots.append(slots[keep])
                hit_scores.append(values[keep].astype(np.float64) * float(weight))
        if not hit_slots:
            return np.empty(0, dtype=np.int64), np.empty(0, dtype=np.float64)
        slots = np.concatenate(hit_slots)
        scores = np.concatenate(hit_scores)
        dots: NDArray[np.float64]
        unique: NDArray[np.int64]
        if len(slots) * 8 < n:  # few entries: sort them rather than sweep every slot
            distinct, where = np.unique(slots, return_inverse=True)
            unique = distinct.astype(np.int64)
            dots = np.bincount(where, weights=scores, minlength=len(unique)).astype(np.float64)
        else:
            touched = np.zeros(n, dtype=np.bool_)
            touched[slots] = True
            unique = np.flatnonzero(touched)
            dots = np.bincount(slots, weights=scores, minlength=n)[unique].astype(np.float64)
        if len(unique) > k:
            kth = np.partition(dots, len(dots) - k)[len(dots) - k]
            keep_top = dots >= kth
            unique, dots = unique[keep_top], dots[keep_top]
        order = np.argsort(-dots, kind="stable")
        return unique[order], dots[order]
