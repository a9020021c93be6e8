"""The vector index of one collection: faiss HNSW behind a small interface.

faiss cannot delete from an HNSW graph, so each record's vector lives in a *slot* (its position in
faiss); a record's label is its SQLite rowid; ``slot_of`` maps rowid to its live slot, and a
tombstone mask marks dead slots (deleted records, and old vectors of updated records). Searches
fold the tombstones (and any filter) in as a bitmap. When tombstones pile up the index is rebuilt
from the live vectors. Small or heavily filtered searches are answered exactly from the flat
storage under the graph, which is both faster and exact there.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any, Dict, Iterable, Optional, Tuple

import faiss
import numpy as np
from numpy.typing import NDArray

from chromadb.engine.columns import Mask

# Up to this many candidate vectors (or this share of the index) a search is an exact scan:
# faster than the graph there, and the graph loses recall under narrow filters.
EXACT_MAX = 4_096
EXACT_FRACTION = 0.02
DEFAULT_M = 16
DEFAULT_CONSTRUCTION_EF = 64
DEFAULT_SEARCH_EF = 128
MAX_SEARCH_EF = 2048
COMPACT_MIN_DEAD = 1_000
COMPACT_DEAD_FRACTION = 0.3


@dataclass(frozen=True)
class IndexParams:
    """How a collection's index is built: from ``hnsw:*`` keys of its metadata."""

    dimension: int
    space: str = "l2"
    m: int = DEFAULT_M
    construction_ef: int = DEFAULT_CONSTRUCTION_EF
    search_ef: int = DEFAULT_SEARCH_EF


class VectorIndex:
    """Vectors of one collection, searchable by distance, addressed by SQLite rowid."""

    def __init__(self, params: IndexParams) -> None:
        self.params = params
        self.index = self._new_faiss()
        self.rowids = np.empty(1024, dtype=np.int64)  # slot -> rowid
        self.alive = np.zeros(1024, dtype=np.bool_)  # slot -> not tombstoned
        self.slot_of: Dict[int, int] = {}
        self.n = 0
        self.n_dead = 0
        # A checkpoint opened with mmap is read-only: re-read it into memory before writing.
        self._mapped_from: Optional[str] = None

    def _new_faiss(self) -> faiss.IndexHNSWFlat:
        p = self.params
        metric = faiss.METRIC_L2 if p.space == "l2" else faiss.METRIC_INNER_PRODUCT
        index = faiss.IndexHNSWFlat(p.dimension, p.m, metric)
        index.hnsw.efConstruction = p.construction_ef
        index.hnsw.efSearch = p.search_ef
        return index

    # -- writing -----------------------------------------------------------------------------
    def prepare(self, vectors: NDArray[np.float32]) -> NDArray[np.float32]:
        """Vectors as the index stores them: unit length for cosine."""
        vectors = np.ascontiguousarray(vectors, dtype=np.float32)
        if self.params.space == "cosine" and len(vectors):
            norms = np.linalg.norm(vectors, axis=1, keepdims=True)
            norms[norms == 0] = 1.0
            vectors = np.ascontiguousarray(vectors / norms, dtype=np.float32)
        return vectors

    def _reserve(self, extra: int) -> None:
        need = self.n + extra
        if need > len(self.rowids):
            size = max(need, 2 * len(self.rowids))
            self.rowids = np.resize(self.rowids, size)
            alive = np.zeros(size, dtype=np.bool_)
            alive[: self.n] = self.alive[: self.n]
            self.alive = alive

    def add(self, rowids: NDArray[np.int64], vectors: NDArray[np.float32]) -> NDArray[np.int64]:
        """Store vectors for these rowids (replacing any older vector of the same rowid);
        returns the slots they went to."""
        if len(rowids) == 0:
            return np.empty(0, dtype=np.int64)
        slots = np.arange(self.append(vectors), self.n, dtype=np.int64)
        self.bind(slots, rowids)
        return slots

    def append(self, vectors: NDArray[np.float32]) -> int:
        """Put vectors into new slots that belong to no record yet (dead until ``bind``);
        returns the first slot. Lets the graph work start before the rows are committed."""
        self._own()
        self._reserve(len(vectors))
        start = self.n
        self.index.add(self.prepare(vectors))
        self.rowids[start : start + len(vectors)] = -1
        self.alive[start : start + len(vectors)] = False
        self.n += len(vectors)
        self.n_dead += len(vectors)
        return start

    def bind(self, slots: NDArray[np.int64], rowids: NDArray[np.int64]) -> None:
        """Give appended slots to records, retiring each record's older slot."""
        self.remove(rowids)
        self.rowids[slots] = rowids
        self.alive[slots] = True
        self.slot_of.update(zip(rowids.tolist(), slots.tolist()))
        self.n_dead -= len(slots)

    def _own(self) -> None:
        if self._mapped_from is not None:
            index: Any = faiss.read_index(self._mapped_from)
            index.hnsw.efSearch = self.params.search_ef
            self.index = index
            self._mapped_from = None

    def remove(self, rowids: Iterable[int]) -> None:
        """Tombstone the vectors of these rowids (unknown rowids are ignored)."""
        pop = self.slot_of.pop
        for rowid in np.asarray(
            list(rowids) if not isinstance(rowids, np.ndarray) else rowids
        ).tolist():
            slot = pop(rowid, None)
            if slot is not None:
                self.alive[slot] = False
                self.n_dead += 1

    def needs_compaction(self) -> bool:
        return self.n_dead >= COMPACT_MIN_DEAD and self.n_dead > COMPACT_DEAD_FRACTION * self.n

    def compact(self) -> None:
        """Rebuild the graph from the live vectors only; slots are renumbered."""
        live = np.flatnonzero(self.alive[: self.n])
        vectors = self.stored_vectors()[live].copy()
        rowids = self.rowids[live].copy()
        self.index = self._new_faiss()
        self._mapped_from = None
        self.rowids = np.empty(max(1024, len(live)), dtype=np.int64)
        self.alive = np.zeros(len(self.rowids), dtype=np.bool_)
        self.slot_of = {}
        self.n = 0
        self.n_dead = 0
        # Already normalised for cosine; normalising again is harmless.
        self.add(rowids, vectors)

    # -- reading -----------------------------------------------------------------------------
    @property
    def count(self) -> int:
        return self.n - self.n_dead

    def live_mask(self) -> Mask:
        return self.alive[: self.n]

    def slots_for(self, rowids: Iterable[int]) -> NDArray[np.int64]:
        """Live slots of these rowids (rowids without a live vector are skipped)."""
        get = self.slot_of.get
        found = [s for s in (get(r) for r in rowids) if s is not None]
        return np.asarray(found, dtype=np.int64)

    def stored_vectors(self) -> NDArray[np.float32]:
        """A view (no copy) of the stored vectors, by slot; valid until the next add."""
        if self.n == 0:
            return np.empty((0, self.params.dimension), dtype=np.float32)
        storage: Any = faiss.downcast_index(self.index.storage)
        ptr = storage.get_xb()
        return faiss.rev_swig_ptr(ptr, self.n * self.params.dimension).reshape(
            self.n, self.params.dimension
        )

    def search(
        self, queries: NDArray[np.float32], k: int, allowed: Optional[Mask] = None
    ) -> Tuple[NDArray[np.float32], NDArray[np.int64]]:
        """The k nearest live vectors (restricted to ``allowed`` slots when given) to each query.

        Returns (distances as Chroma defines them, rowids); rows are padded with -1 rowids
        when fewer than k vectors qualify.
        """
        nq = len(queries)
        if allowed is None and self.n_dead:
            allowed = self.alive[: self.n]
        elif allowed is not None:
            allowed = allowed[: self.n] & self.alive[: self.n]
        candidates = self.count if allowed is None else int(np.count_nonzero(allowed))
        k = min(k, candidates)
        if k <= 0:
            return np.empty((nq, 0), dtype=np.float32), np.empty((nq, 0), dtype=np.int64)
        queries = self.prepare(queries)
        if candidates <= max(EXACT_MAX, EXACT_FRACTION * self.n):
            dist, slots = self._exact(queries, k, allowed)
        else:
            dist, slots = self._graph(queries, k, allowed, candidates)
        rowids = np.where(slots >= 0, self.rowids[np.maximum(slots, 0)], -1)
        if self.params.space != "l2":
            dist = 1.0 - dist
        return dist.astype(np.float32), rowids

    def _exact(
        self, queries: NDArray[np.float32], k: int, allowed: Optional[Mask]
    ) -> Tuple[NDArray[np.float32], NDArray[np.int64]]:
        if allowed is None:
            return self.index.storage.search(queries, k)
        slots = np.flatnonzero(allowed)
        metric = faiss.METRIC_L2 if self.params.space == "l2" else faiss.METRIC_INNER_PRODUCT
        dist, idx = faiss.knn(queries, self.stored_vectors()[slots], k, metric=metric)
        return dist, np.where(idx >= 0, slots[np.maximum(idx, 0)], -1)

    def _graph(
        self, queries: NDArray[np.float32], k: int, allowed: Optional[Mask], candidates: int
    ) -> Tuple[NDArray[np.float32], NDArray[np.int64]]:
        params: Any = faiss.SearchParametersHNSW()  # type: ignore[attr-defined]
        # A filter leaves fewer usable neighbours per step: search deeper as it narrows.
        widen = min(8.0, (self.n / max(candidates, 1)) ** 0.5)
        params.efSearch = int(min(MAX_SEARCH_EF, max(self.params.search_ef, k) * widen))
        params.efSearch = max(params.efSearch, k)
        bitmap = None
        if allowed is not None:
            bitmap = np.packbits(allowed, bitorder="little")
            params.sel = faiss.IDSelectorBitmap(self.n, faiss.swig_ptr(bitmap))
        dist, slots = self.index.search(queries, k, params=params)
        del bitmap  # kept alive until the search is done: faiss holds only a pointer
        return dist, slots

    # -- persistence -------------------------------------------------------------------------
    def save(self, folder: str, seq: int) -> None:
        """Write a checkpoint holding everything up to log sequence ``seq``; atomic: the
        CURRENT file names the complete checkpoint and is replaced last."""
        os.makedirs(folder, exist_ok=True)
        base = os.path.join(folder, f"{seq}")
        faiss.write_index(self.index, base + ".faiss")
        with open(base + ".npz", "wb") as fh:
            np.savez(
                fh,
                rowids=self.rowids[: self.n],
                alive=self.alive[: self.n],
                seq=np.int64(seq),
                dimension=np.int64(self.params.dimension),
            )
            fh.flush()
            os.fsync(fh.fileno())
        with open(base + ".faiss", "rb") as fh:
            os.fsync(fh.fileno())
        tmp = os.path.join(folder, "CURRENT.tmp")
        with open(tmp, "w") as fh:
            fh.write(str(seq))
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, os.path.join(folder, "CURRENT"))
        for name in os.listdir(folder):
            stem = name.split(".")[0]
            if stem.isdigit() and int(stem) != seq:
                os.remove(os.path.join(folder, name))

    @staticmethod
    def checkpoint_seq(folder: str) -> Optional[int]:
        """The log sequence of the checkpoint in ``folder``, or None when there is none."""
        try:
            with open(os.path.join(folder, "CURRENT")) as fh:
                return int(fh.read().strip())
        except (OSError, ValueError):
            return None

    @classmethod
    def load(cls, folder: str, params: IndexParams, mmap: bool = False) -> Tuple[VectorIndex, int]:
        """Read the checkpoint CURRENT names; raises on anything missing or inconsistent.
        With ``mmap`` the vectors stay in the file (paged in on use) until the first write."""
        seq = cls.checkpoint_seq(folder)
        if seq is None:
            raise ValueError("no checkpoint")
        base = os.path.join(folder, str(seq))
        with np.load(base + ".npz") as data:
            rowids = data["rowids"].astype(np.int64)
            alive = data["alive"].astype(np.bool_)
            if int(data["seq"]) != seq or int(data["dimension"]) != params.dimension:
                raise ValueError("checkpoint does not match its collection")
        index = faiss.read_index(base + ".faiss", faiss.IO_FLAG_MMAP_IFC if mmap else 0)
        if index.ntotal != len(rowids) or index.d != params.dimension:
            raise ValueError("checkpoint index and slot map disagree")
        self = cls(params)
        self.index = index  # type: ignore[assignment]  # read_index returns the concrete HNSW type
        self.index.hnsw.efSearch = params.search_ef
        self._mapped_from = base + ".faiss" if mmap else None
        self.n = len(rowids)
        self.rowids = np.resize(rowids, max(1024, self.n))
        self.alive = np.zeros(len(self.rowids), dtype=np.bool_)
        self.alive[: self.n] = alive
        live = np.flatnonzero(alive)
        self.slot_of = dict(zip(rowids[live].tolist(), live.tolist()))
        self.n_dead = self.n - len(live)
        return self, seq
