"""The vector index of one collection: faiss HNSW behind a small interface.

faiss cannot delete from an HNSW graph, so each record's vector lives in a *slot* (its position
in the index); a record's label is its SQLite rowid; ``slot_of`` maps rowid to its live slot, and
a tombstone mask marks dead slots (deleted records, and old vectors of updated records). Searches
fold the tombstones (and any filter) in as a bitmap. When tombstones pile up the index is rebuilt
from the live vectors.

Writes do not wait for the graph: new vectors go to a *tail* (slots ``[indexed, n)``) that is
searched exactly, and ``flush`` moves them into the graph in the background, in slot order (faiss
numbers vectors in the order they are added, so a slot keeps its number). Small or narrowly
filtered searches are answered exactly, which is both faster and exact there.

Locking: the caller (the segment) serialises writes against reads of the slot maps. Inside,
``graph_lock`` keeps faiss reads (searches, reading its vectors) apart from ``flush``'s adds
(faiss allows concurrent searches but no search during an add). ``flush`` never holds it for
long: it adds a few vectors per step, sized to take about ``STEP_SECONDS``, and the lock is
phase-fair, so a search waits for at most one step however large the backlog. ``_build_lock``
(first-come, first-served) is held for each step and by ``save``: a checkpoint waits for at
most one step and, since nothing else changes the graph, writes it while searches go on.
``_tail_lock`` guards the tail's bookkeeping and is never held while taking another lock.
Order: segment lock, _build_lock, graph_lock, _tail_lock.

Checkpoints (``save``/``load``) are checksummed (``checkpoint.py``) and hold the graph without
the live vectors, which SQLite holds: ``load`` refills them from there.
"""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import os
import sys
import threading
import time
import zipfile
from dataclasses import dataclass
from typing import Any, Callable, Dict, Iterable, Iterator, Optional, Tuple, TypeVar, cast

import faiss
import numpy as np
from numpy.typing import NDArray

from chromadb.engine import checkpoint, growth, pages, slotsums
from chromadb.engine.checkpoint import CheckpointDamaged, CheckpointInfo
from chromadb.engine.columns import Mask
from chromadb.engine.rwlock import FairLock, RWLock
from chromadb.engine.slotmap import SlotMap

# Up to this many candidate vectors (or this share of the index) a search is an exact scan:
# faster than the graph there, and the graph loses recall under narrow filters.
EXACT_MAX = 4_096
EXACT_FRACTION = 0.02
DEFAULT_M = 16
DEFAULT_CONSTRUCTION_EF = 100
# Real Chroma's default depth, which every collection's configuration records when none was
# given: asked for it, the graph is searched at DEFAULT_SEARCH_EF instead, since at equal depth
# faiss's graph finds a little less than hnswlib's (docs/differences.md).
CHROMA_SEARCH_EF = 100
DEFAULT_SEARCH_EF = 200
MAX_SEARCH_EF = 2048
COMPACT_MIN_DEAD = 1_000
COMPACT_DEAD_FRACTION = 0.3
# How long one build step may hold the graph lock (what a search may wait for the builder).
STEP_SECONDS = 0.001
MAX_STEP = 4_096
# A refill of at least this many vectors from SQLite reads label ranges in up to this many
# threads.
REFILL_SPLIT = 20_000
REFILL_THREADS = 4
# A search over a tail with up to this many excluded slots asks for that many more results
# instead of copying the allowed rows out.
TAIL_SKIP_MAX = 512
# A draining tail gives back the memory of its rows moved into the graph in pieces of at least
# this many bytes; where the system cannot, it moves its waiting rows to a smaller buffer once
# at least TAIL_SHRINK_MIN of its rows are in the graph (and they outnumber the waiting ones).
TAIL_RELEASE_BYTES = 4 * 1024 * 1024
TAIL_SHRINK_MIN = 8_192
# Below this many queries in one call a search runs on its calling thread alone: splitting one
# query's scan over OpenMP threads gains little, and on a busy machine (concurrent requests, the
# graph builder) the threads wait for each other (measured: a 40k exact scan took 4 ms on one
# thread and a 19 ms median on two, with two other processes busy).
PARALLEL_MIN_QUERIES = 8

Scores = Tuple[NDArray[np.float32], NDArray[np.int64]]
_T = TypeVar("_T")
# Where ``load`` finds the live vectors a checkpoint does not keep: called with the labels it
# needs (ascending), it yields batches of (labels, raw vectors) for those records it has (in any
# order; labels it was not asked for are skipped).
VectorSource = Callable[
    [NDArray[np.int64]], Iterator[Tuple[NDArray[np.int64], NDArray[np.float32]]]
]


@contextlib.contextmanager
def omp_threads(n: int) -> Iterator[None]:
    """faiss's OpenMP thread count for the calling thread (the setting is per thread), put
    back afterwards."""
    before = faiss.omp_get_max_threads()
    faiss.omp_set_num_threads(n)
    try:
        yield
    finally:
        faiss.omp_set_num_threads(before)


@functools.lru_cache(maxsize=64)
def _unfiltered_params(ef: int) -> Any:
    # Search parameters without a filter, made once per depth: faiss only reads them, so
    # concurrent searches share one (building one costs more than a small search's Python).
    params = faiss.SearchParametersHNSW()  # type: ignore[attr-defined]
    params.efSearch = ef
    return params


def effective_search_ef(requested: int) -> int:
    """The depth a search runs at for the collection's ``ef_search``."""
    return DEFAULT_SEARCH_EF if requested == CHROMA_SEARCH_EF else requested


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
        self.slot_of = SlotMap()
        self.n = 0
        self.n_dead = 0
        self.indexed = 0  # slots [0, indexed) are in the graph
        # Vectors of the tail slots [indexed, n) live in rows [_tail_from, _tail_to) here.
        self._tail = np.empty((0, params.dimension), dtype=np.float32)
        self._tail_from = 0
        self._tail_to = 0
        # (address of a tail buffer, its rows whose memory was given back): see _release_moved.
        self._tail_released = (0, 0)
        # A checkpoint opened with mmap is read-only: re-read it into memory before writing.
        self._mapped_from: Optional[str] = None
        self._mapped_stat: Optional[Tuple[int, int]] = None
        self.graph_lock = RWLock()
        self._tail_lock = threading.Lock()
        self._build_lock = FairLock()
        # Checksums of slots [0, len) as this index holds them, kept from one save to the next
        # (a slot's vector never changes once written): a save hashes only the newer slots.
        self._sums = np.empty(0, dtype=np.uint64)
        self._step = 8  # vectors per build step, tuned to STEP_SECONDS as the graph grows
        self._searched_at = -float("inf")  # time.monotonic() of the last search

    def _new_faiss(self) -> faiss.IndexHNSWFlat:
        p = self.params
        metric = faiss.METRIC_L2 if p.space == "l2" else faiss.METRIC_INNER_PRODUCT
        index = faiss.IndexHNSWFlat(p.dimension, p.m, metric)
        index.hnsw.efConstruction = p.construction_ef
        index.hnsw.efSearch = p.search_ef
        return index

    # -- writing -----------------------------------------------------------------------------
    def prepare(self, vectors: NDArray[Any]) -> NDArray[np.float32]:
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

    def add(self, rowids: NDArray[np.int64], vectors: NDArray[Any]) -> NDArray[np.int64]:
        """Store vectors for these rowids (replacing any older vector of the same rowid);
        returns the slots they went to."""
        if len(rowids) == 0:
            return np.empty(0, dtype=np.int64)
        slots = np.arange(self.append(vectors), self.n, dtype=np.int64)
        self.bind(slots, rowids)
        return slots

    def append(self, vectors: NDArray[Any]) -> int:
        """Put vectors into new tail slots that belong to no record yet (dead until ``bind``);
        returns the first slot."""
        prepared = self.prepare(vectors)
        k = len(prepared)
        with self._tail_lock:
            full = self._tail_to + k > len(self._tail)
        if full:
            self._grow_tail(k)
        with self._tail_lock:
            self._tail[self._tail_to : self._tail_to + k] = prepared
            self._tail_to += k
        self._reserve(k)
        start = self.n
        self.rowids[start : start + k] = -1
        self.alive[start : start + k] = False
        self.n_dead += k
        self.n += k  # last: a concurrent flush reads n
        return start

    def _grow_tail(self, k: int) -> None:
        """A tail buffer with room for ``k`` more rows: the waiting rows move to a new one
        twice their size. Both locks are taken so that no search or build step holds a view of
        the old buffer: then its pages go back as its rows are copied, and the waiting rows
        (up to MAX_PENDING, 150 MB at 384-d) are never held twice. Writes are serialised by
        the caller, which holds the segment's write lock: no search waits on this longer
        than on the write itself, and no checkpoint is being written."""
        d = self.params.dimension
        with self._build_lock, self.graph_lock.write(), self._tail_lock:
            old, start, stop = self._tail, self._tail_from, self._tail_to
            if stop + k <= len(old):
                return
            live = stop - start
            grown = np.empty((max(2 * (live + k), 1024), d), np.float32)
            row = 4 * d
            piece = max(1, TAIL_RELEASE_BYTES // row)
            for a in range(0, live, piece):
                b = min(live, a + piece)
                grown[a:b] = old[start + a : start + b]
                pages.release(old, (start + a) * row, (start + b) * row)
            self._tail, self._tail_from, self._tail_to = grown, 0, live

    def bind(self, slots: NDArray[np.int64], rowids: NDArray[np.int64]) -> None:
        """Give appended slots to records, retiring each record's older slot."""
        self.remove(rowids)
        self.rowids[slots] = rowids
        self.alive[slots] = True
        self.slot_of.update(rowids, slots)
        self.n_dead -= len(slots)

    def searched_within(self, seconds: float) -> bool:
        """Whether this index answered a search in the last ``seconds``."""
        return time.monotonic() - self._searched_at < seconds

    @property
    def pending(self) -> int:
        """Vectors written but not yet in the graph."""
        return self.n - self.indexed

    def flush(self, limit: Optional[int] = None) -> int:
        """Move up to ``limit`` tail vectors (all by default) into the graph; returns how many.
        Works in short steps under the graph lock, so searches go on between them."""
        # One thread: a step is too small to share, and OpenMP's waiting threads would take
        # the cores the searches need.
        with omp_threads(1):
            return self._flush_steps(limit)

    def _flush_steps(self, limit: Optional[int]) -> int:
        moved = 0
        with self._build_lock:
            self._own()
        while limit is None or moved < limit:
            want = self._step if limit is None else min(self._step, limit - moved)
            with self._build_lock, self.graph_lock.write():
                started = time.perf_counter()
                k = self._add_to_graph(want)
                took = time.perf_counter() - started
            if k == 0:
                break
            moved += k
            if k == want:
                # Aim the next step at STEP_SECONDS; move gently (timings are noisy).
                aim = k * STEP_SECONDS / max(took, 1e-6)
                self._step = int(min(MAX_STEP, max(1.0, (self._step + aim) / 2)))
        return moved

    def _add_to_graph(self, want: int) -> int:
        # Call with graph_lock held for writing.
        with self._tail_lock:
            k = min(want, self.pending)
            # Rows once written never change, and a grown buffer is a new array: this view
            # stays valid while writers append.
            rows = self._tail[self._tail_from : self._tail_from + k]
        if k <= 0:
            return 0
        self._make_room(k)
        self.index.add(rows)
        del rows
        with self._tail_lock:
            self._tail_from += k
            self.indexed += k
            if self._tail_from == self._tail_to:
                self._tail = np.empty((0, self.params.dimension), dtype=np.float32)
                self._tail_from = self._tail_to = 0
            else:
                self._release_moved()
        return k

    def _make_room(self, k: int) -> None:
        """Room for ``k`` more vectors in faiss's arrays, grown in place (``growth``) so that
        the graph's vectors are never held twice while faiss would copy them to a larger
        buffer. Call with graph_lock held for writing."""
        total = int(self.index.ntotal) + k
        storage: Any = faiss.downcast_index(self.index.storage)
        if not growth.reserve(storage.codes, total * int(storage.code_size)):
            return
        # Neighbour lists: each node takes a level-0 list and a few on upper levels; at the
        # average so far (a little more, for the randomness of levels).
        hnsw: Any = self.index.hnsw
        done = int(self.index.ntotal)
        per_node = hnsw.neighbors.size() / done if done else 2 * self.params.m + 2
        growth.reserve(hnsw.neighbors, int(total * per_node * 1.02) + 16 * self.params.m)

    def _release_moved(self) -> None:
        """The tail rows already moved into the graph are a second copy of those vectors:
        give their memory back while the rest drains, so a backlog does not cost twice its
        vectors until its last row is moved. Call with _tail_lock held."""
        tail = self._tail
        row = tail.strides[0]
        if pages.can_release():
            # In place: nothing reads rows before _tail_from again (every reader of the tail
            # starts there, under a lock this step excludes). The buffer is known by its
            # address: a new buffer starts with nothing released.
            address = int(tail.ctypes.data)
            done = self._tail_released[1] if self._tail_released[0] == address else 0
            if (self._tail_from - done) * row >= TAIL_RELEASE_BYTES:
                pages.release(tail, done * row, self._tail_from * row)
                self._tail_released = (address, self._tail_from)
        elif self._tail_from >= max(TAIL_SHRINK_MIN, self._tail_to - self._tail_from):
            # Elsewhere the waiting rows move to a buffer of their own once the moved ones
            # outnumber them (each row is copied at most once more on average).
            kept = self._tail[self._tail_from : self._tail_to].copy()
            self._tail, self._tail_from, self._tail_to = kept, 0, len(kept)

    def _own(self) -> None:
        """A graph mapped from a checkpoint is read-only: load a private copy before the
        first add, while searches go on over the mapped one. Call with _build_lock held
        (nothing changes the mapped graph meanwhile)."""
        path = self._mapped_from
        if path is None:
            return
        index: Any = None
        try:
            st = os.stat(path)
            if (st.st_ino, st.st_size) == self._mapped_stat:
                index = faiss.read_index(path)
        except (OSError, RuntimeError):
            index = None
        if index is None:  # the file was replaced since: copy what is mapped
            index = faiss.deserialize_index(faiss.serialize_index(self.index))
        index.hnsw.efSearch = self.params.search_ef
        with self.graph_lock.write():
            if self._mapped_from == path:  # not replaced by a compaction meanwhile
                self.index = index
                self._mapped_from = self._mapped_stat = None

    def remove(self, rowids: Iterable[int]) -> None:
        """Tombstone the vectors of these rowids (unknown rowids are ignored)."""
        slots = self.slot_of.pop_many(rowids)
        self.alive[slots] = False
        self.n_dead += len(slots)

    def needs_compaction(self) -> bool:
        return self.n_dead >= COMPACT_MIN_DEAD and self.n_dead > COMPACT_DEAD_FRACTION * self.n

    def compact(self) -> None:
        """Start a new index from the live vectors only (slots are renumbered); the graph is
        then rebuilt from the tail like any new write."""
        with self.graph_lock.write():
            live = np.flatnonzero(self.alive[: self.n])
            vectors = self._vectors_at(live)
            rowids = self.rowids[live].copy()
            fresh = VectorIndex(self.params)
            fresh.add(rowids, vectors)  # already normalised for cosine: again is harmless
            locks = (self.graph_lock, self._tail_lock, self._build_lock)
            self.__dict__.update(fresh.__dict__)
            self.graph_lock, self._tail_lock, self._build_lock = locks

    # -- reading -----------------------------------------------------------------------------
    @property
    def count(self) -> int:
        return self.n - self.n_dead

    def live_mask(self) -> Mask:
        return self.alive[: self.n]

    def slot(self, rowid: int) -> Optional[int]:
        """The live slot of a rowid, or None when it has no live vector."""
        return self.slot_of.get(rowid)

    def rowids_at(self, slots: NDArray[np.int64]) -> NDArray[np.int64]:
        """The rowids whose vectors are in these slots."""
        return self.rowids[slots]

    def set_search_ef(self, search_ef: int) -> None:
        """Search depth for the next searches (``modify`` of ``hnsw:search_ef``)."""
        self.params = dataclasses.replace(self.params, search_ef=search_ef)

    def slots_for(self, rowids: Iterable[int]) -> NDArray[np.int64]:
        """Live slots of these rowids (rowids without a live vector are skipped)."""
        slots = self.slot_of.get_many(rowids)
        return slots[slots >= 0]

    def _graph_vectors(self, indexed: int) -> NDArray[np.float32]:
        """A view (no copy) of the first ``indexed`` vectors in the graph, by slot; valid
        while graph_lock is held."""
        if indexed == 0:
            return np.empty((0, self.params.dimension), dtype=np.float32)
        storage: Any = faiss.downcast_index(self.index.storage)
        ptr = storage.get_xb()
        return faiss.rev_swig_ptr(ptr, indexed * self.params.dimension).reshape(
            indexed, self.params.dimension
        )

    def vectors_at(self, slots: NDArray[np.int64]) -> NDArray[np.float32]:
        """Copies of the stored (prepared) vectors of these slots."""
        with self.graph_lock.read():
            return self._vectors_at(slots)

    def _vectors_at(self, slots: NDArray[np.int64]) -> NDArray[np.float32]:
        # Call with graph_lock held.
        with self._tail_lock:
            tail, tail_from, indexed = self._tail, self._tail_from, self.indexed
        out = np.empty((len(slots), self.params.dimension), dtype=np.float32)
        if len(slots) > 1 and bool(np.all(slots[1:] >= slots[:-1])):
            # Ascending (every caller's case): the graph's slots come first, and a gather into
            # each part of ``out`` is several times faster than assigning through masks.
            split = int(np.searchsorted(slots, indexed))
            # In range by construction; "clip" spares the copy that "raise" makes with ``out``.
            if split:
                graph = self._graph_vectors(indexed)
                np.take(graph, slots[:split], axis=0, out=out[:split], mode="clip")
            if split < len(slots):
                at = slots[split:] - indexed + tail_from
                np.take(tail, at, axis=0, out=out[split:], mode="clip")
            return out
        in_graph = slots < indexed
        if in_graph.any():
            out[in_graph] = self._graph_vectors(indexed)[slots[in_graph]]
        if not in_graph.all():
            out[~in_graph] = tail[slots[~in_graph] - indexed + tail_from]
        return out

    def search(
        self, queries: NDArray[Any], k: int, allowed: Optional[Mask] = None
    ) -> Tuple[NDArray[np.float32], NDArray[np.int64]]:
        """The k nearest live vectors (restricted to ``allowed`` slots when given) to each query.

        Returns (distances as Chroma defines them, rowids), nearest first; a row ends in -1
        rowids when fewer than k vectors qualify.
        """
        nq = len(queries)
        self._searched_at = time.monotonic()
        if allowed is None and self.n_dead:
            allowed = self.alive[: self.n]
        elif allowed is not None:
            allowed = allowed[: self.n] & self.alive[: self.n]
        candidates = self.count if allowed is None else int(np.count_nonzero(allowed))
        k = min(k, candidates)
        if k <= 0:
            return np.empty((nq, 0), dtype=np.float32), np.empty((nq, 0), dtype=np.int64)
        queries = self.prepare(queries)
        threads = 1 if nq < PARALLEL_MIN_QUERIES else faiss.omp_get_max_threads()
        with omp_threads(threads), self.graph_lock.read():
            exact = candidates <= max(EXACT_MAX, EXACT_FRACTION * self.n)
            if exact and allowed is None:
                # Every slot: scan the graph's vectors and the tail where they are, no copy.
                indexed = self.indexed
                dist, found = self._knn(queries, self._graph_vectors(indexed), k)
                if indexed < self.n:
                    tail = self._tail_knn(queries, k, None, indexed)
                    dist, found = self._merge((dist, found), tail, k)
            elif exact and allowed is not None:
                slots = np.flatnonzero(allowed)
                dist, found = self._knn(queries, self._vectors_at(slots), k)
                found = np.where(found >= 0, slots[np.maximum(found, 0)], -1)
            else:
                indexed = self.indexed
                dist, found = self._graph(queries, k, allowed, candidates, indexed)
                if indexed < self.n:
                    tail = self._tail_knn(queries, k, allowed, indexed)
                    dist, found = self._merge((dist, found), tail, k)
        rowids = np.where(found >= 0, self.rowids[np.maximum(found, 0)], -1)
        return dist, rowids

    def _to_distance(self, scores: NDArray[np.float32]) -> NDArray[np.float32]:
        # faiss gives squared L2 for l2 and the dot product for ip/cosine; Chroma's distances
        # are squared L2, 1 - dot, 1 - cosine.
        if self.params.space == "l2":
            return scores.astype(np.float32)
        return (1.0 - scores).astype(np.float32)

    def _knn(self, queries: NDArray[np.float32], vectors: NDArray[np.float32], k: int) -> Scores:
        metric = faiss.METRIC_L2 if self.params.space == "l2" else faiss.METRIC_INNER_PRODUCT
        k = min(k, len(vectors))
        if k == 0:
            return np.empty((len(queries), 0), np.float32), np.empty((len(queries), 0), np.int64)
        scores, idx = faiss.knn(queries, vectors, k, metric=metric)
        return self._to_distance(scores), idx

    def _tail_knn(
        self, queries: NDArray[np.float32], k: int, allowed: Optional[Mask], indexed: int
    ) -> Scores:
        # Call with graph_lock held. The tail is one contiguous block: search it in place.
        with self._tail_lock:
            tail = self._tail[self._tail_from : self._tail_from + self.n - indexed]
        tail_slots = np.arange(indexed, indexed + len(tail), dtype=np.int64)
        keep = None if allowed is None else allowed[indexed : indexed + len(tail)]
        excluded = 0 if keep is None else len(tail) - int(np.count_nonzero(keep))
        if keep is not None and excluded > TAIL_SKIP_MAX:
            tail_slots = tail_slots[keep]
            dist, idx = self._knn(queries, tail[keep], k)
            return dist, np.where(idx >= 0, tail_slots[np.maximum(idx, 0)], -1)
        dist, idx = self._knn(queries, tail, k + excluded)
        found = np.where(idx >= 0, tail_slots[np.maximum(idx, 0)], -1)
        if excluded:  # drop the excluded slots, keep the order
            bad = (idx < 0) | ~keep[np.maximum(idx, 0)]  # type: ignore[index]
            dist = np.where(bad, np.inf, dist).astype(np.float32)
            found = np.where(bad, -1, found)
            order = np.argsort(bad, axis=1, kind="stable")[:, :k]
            dist = np.take_along_axis(dist, order, 1)
            found = np.take_along_axis(found, order, 1)
        return dist, found

    def _graph(
        self,
        queries: NDArray[np.float32],
        k: int,
        allowed: Optional[Mask],
        candidates: int,
        indexed: int,
    ) -> Scores:
        if indexed == 0:
            empty = np.full((len(queries), 0), -1, dtype=np.int64)
            return np.empty((len(queries), 0), np.float32), empty
        depth = effective_search_ef(self.params.search_ef)
        # A filter leaves fewer usable neighbours per step: search deeper as it narrows.
        widen = min(8.0, (self.n / max(candidates, 1)) ** 0.5)
        ef = max(int(min(MAX_SEARCH_EF, max(depth, k) * widen)), k)
        bitmap = None
        if allowed is None:
            params = _unfiltered_params(ef)
        else:
            params = faiss.SearchParametersHNSW()  # type: ignore[attr-defined]
            params.efSearch = ef
            bitmap = np.packbits(allowed[:indexed], bitorder="little")
            params.sel = faiss.IDSelectorBitmap(indexed, faiss.swig_ptr(bitmap))
        scores, slots = self.index.search(queries, k, params=params)
        del bitmap  # kept alive until the search is done: faiss holds only a pointer
        dist = self._to_distance(scores)
        return np.where(slots >= 0, dist, np.inf).astype(np.float32), slots

    @staticmethod
    def _merge(a: Scores, b: Scores, k: int) -> Scores:
        dist = np.concatenate([a[0], b[0]], axis=1)
        slots = np.concatenate([a[1], b[1]], axis=1)
        dist = np.where(slots >= 0, dist, np.inf)
        order = np.argsort(dist, axis=1, kind="stable")[:, :k]
        return np.take_along_axis(dist, order, 1), np.take_along_axis(slots, order, 1)

    # -- persistence -------------------------------------------------------------------------
    def save(self, folder: str, seq: int) -> None:
        """Write a checkpoint holding everything up to log sequence ``seq``, with checksums;
        atomic: the manifest naming the complete files is replaced last. Call with the
        segment's write lock held (the slot maps stay still).

        The checkpoint holds the graph's links and the slot map, not the live vectors: SQLite
        has them, and ``load`` refills them from there. It keeps the vectors of dead slots
        (SQLite no longer has them, and the graph still routes through them) and, for
        ``chroma check``/``repair``, a checksum of every slot's vector and parity per group of
        slots (``slotsums``)."""
        os.makedirs(folder, exist_ok=True)
        files: Dict[str, Dict[str, object]] = {}
        # The build lock, not graph_lock: a waiting builder would hold up new searches behind
        # a read lock held for the whole (long) write; this way searches go on meanwhile, and
        # with no add to the graph its vectors stay where they are.
        with self._build_lock:
            with self._tail_lock:
                tail = self._tail[self._tail_from : self._tail_to]
            n, indexed, count = self.n, self.indexed, self.count
            graph = self._graph_vectors(indexed)
            blocks = (graph, tail[: n - indexed])
            files[f"{seq}.graph"] = checkpoint.write_file(
                folder, f"{seq}.graph", lambda path: _write_graph(self.index, path)
            )
            dead = np.flatnonzero(~self.alive[:n])
            dead_vectors = np.empty((len(dead), self.params.dimension), dtype=np.float32)
            in_graph = dead < indexed
            dead_vectors[in_graph] = graph[dead[in_graph]]
            dead_vectors[~in_graph] = tail[dead[~in_graph] - indexed]
            sums = self._slot_sums(graph, blocks[1], indexed, n)
            parity = slotsums.parity(blocks, self.params.dimension)

            def write_slots(path: str) -> None:
                with open(path, "wb") as fh:
                    np.savez(
                        fh,
                        rowids=self.rowids[:n],
                        alive=self.alive[:n],
                        dead=dead,
                        dead_vectors=dead_vectors,
                        sums=sums,
                        parity=parity,
                        seq=np.int64(seq),
                        dimension=np.int64(self.params.dimension),
                    )

            files[f"{seq}.npz"] = checkpoint.write_file(folder, f"{seq}.npz", write_slots)
        info = CheckpointInfo(
            seq=seq,
            count=count,
            slots=n,
            indexed=indexed,
            dimension=self.params.dimension,
            space=self.params.space,
            files=files,
        )
        checkpoint.write_manifest(folder, info)

    def _slot_sums(
        self, graph: NDArray[np.float32], tail: NDArray[np.float32], indexed: int, n: int
    ) -> NDArray[np.uint64]:
        """The checksums of slots [0, n) (``graph`` holds [0, indexed), ``tail`` the rest):
        those an earlier save hashed are kept, the others hashed now. Call with _build_lock
        held."""
        have = min(len(self._sums), n)
        parts = [self._sums[:have]]
        if have < indexed:
            parts.append(slotsums.row_sums(graph[have:indexed]))
        parts.append(slotsums.row_sums(tail[max(have, indexed) - indexed :]))
        self._sums = np.concatenate(parts)
        return self._sums

    @staticmethod
    def checkpoint_seq(folder: str) -> Optional[int]:
        """The log sequence of the checkpoint in ``folder``, or None when there is none. A
        damaged manifest gives 0: there is a checkpoint, and ``load`` will refuse it."""
        state = VectorIndex.checkpoint_state(folder)
        return None if state is None else state[0]

    @staticmethod
    def checkpoint_state(folder: str) -> Optional[Tuple[int, int]]:
        """(log sequence, vectors in the graph) of the checkpoint in ``folder``, or None when
        there is none. A damaged manifest gives (0, 0): ``load`` will refuse it."""
        try:
            info = checkpoint.read_info(folder)
        except CheckpointDamaged:
            return (0, 0)
        return None if info is None else (info.seq, info.indexed)

    @classmethod
    def load(
        cls,
        folder: str,
        params: IndexParams,
        source: Optional[VectorSource] = None,
        mmap: bool = False,
    ) -> Tuple[VectorIndex, int]:
        """Read the current checkpoint after checking every file against its checksum; raises
        (``CheckpointDamaged`` or ``ValueError``) on anything missing, damaged or inconsistent.

        The live vectors come from ``source`` (SQLite's, by label; see ``VectorSource``); a
        slot whose record ``source`` no longer has is left zero (its record was deleted or
        re-embedded after the checkpoint: replaying the log retires the slot). A checkpoint of
        the older layout (format 2) holds its vectors and needs no source; with ``mmap`` its
        graph's vectors stay in the file (paged in on use) until the next write to the graph."""
        info = checkpoint.read_info(folder)
        if info is None:
            raise ValueError("no checkpoint")
        if info.dimension != params.dimension or info.space != params.space:
            raise ValueError("checkpoint does not match its collection")
        checkpoint.verify(folder, info)
        seq = info.seq
        base = os.path.join(folder, str(seq))
        with np.load(base + ".npz") as data:
            rowids = data["rowids"].astype(np.int64)
            alive = data["alive"].astype(np.bool_)
            if int(data["seq"]) != seq or int(data["dimension"]) != params.dimension:
                raise ValueError("checkpoint does not match its collection")
            if info.format == 2:
                tail = np.ascontiguousarray(data["tail"], dtype=np.float32)
            else:
                dead = data["dead"].astype(np.int64)
                dead_vectors = np.ascontiguousarray(data["dead_vectors"], dtype=np.float32)
        self = cls(params)
        if info.format == 2:
            stat = os.stat(base + ".faiss")
            # Mapping is a POSIX nicety; elsewhere the checkpoint is read into memory.
            flags = faiss.IO_FLAG_MMAP_IFC if mmap and os.name == "posix" else 0
            index: Any = faiss.read_index(base + ".faiss", flags)
        else:
            flags = 0
            if not 0 <= info.indexed <= len(rowids):
                raise ValueError("checkpoint index and slot map disagree")
            index = _graph_index(params)
            tail = np.zeros((len(rowids) - info.indexed, params.dimension), np.float32)
            # The graph's links are read while its vectors are refilled: both run mostly
            # outside the GIL. The refill goes into the storage of ``info.indexed`` vectors;
            # the graph must then have exactly that many nodes.
            links = _in_thread(_read_graph_into, index, base + ".graph")
            try:
                if len(dead) != len(dead_vectors) or np.any(alive[dead]):
                    raise ValueError("checkpoint slot map and its dead vectors disagree")
                graph = _fill_storage(index, info.indexed)
                written = np.zeros(len(graph), dtype=np.bool_)
                self._fill(graph, tail, rowids, alive, source, written)
                in_graph = dead < len(graph)
                graph[dead[in_graph]] = dead_vectors[in_graph]
                written[dead[in_graph]] = True
                tail[dead[~in_graph] - len(graph)] = dead_vectors[~in_graph]
                # Slots whose record SQLite no longer has (replaying the log retires them)
                # are zero, as a fresh buffer's would be.
                graph[~written] = 0.0
            except BaseException:
                with contextlib.suppress(Exception):  # the refill's error is the one to see
                    links()
                raise
            index.ntotal = links()
        if (
            int(index.ntotal) + len(tail) != len(rowids)
            or index.d != params.dimension
            or len(rowids) != info.slots
            or int(index.ntotal) != info.indexed
            or int(np.count_nonzero(alive)) != info.count
        ):
            raise ValueError("checkpoint index and slot map disagree")
        self.index = index
        self.index.hnsw.efSearch = params.search_ef
        if flags:
            self._mapped_from = base + ".faiss"
            self._mapped_stat = (stat.st_ino, stat.st_size)
        self.n = len(rowids)
        self.indexed = int(index.ntotal)
        self._tail, self._tail_from, self._tail_to = (
            tail.reshape(-1, params.dimension),
            0,
            len(tail),
        )
        self.rowids = np.resize(rowids, max(1024, self.n))
        self.alive = np.zeros(len(self.rowids), dtype=np.bool_)
        self.alive[: self.n] = alive
        live = np.flatnonzero(alive)
        self.slot_of = SlotMap.of(rowids[live], live)
        self.n_dead = self.n - len(live)
        return self, seq

    def _prepare_into(self, vectors: NDArray[Any], out: NDArray[np.float32]) -> None:
        """``out[:] = prepare(vectors)``, bit for bit, without the intermediate copy (``out`` must
        not overlap ``vectors``)."""
        vectors = np.ascontiguousarray(vectors, dtype=np.float32)
        if self.params.space == "cosine" and len(vectors):
            # np.linalg.norm's own steps (square, sum each row, root), the squares written
            # where the result goes: the same bits, without its two temporary arrays.
            np.multiply(vectors, vectors, out=out)
            norms = np.add.reduce(out, axis=1, keepdims=True)
            np.sqrt(norms, out=norms)
            norms[norms == 0] = 1.0
            np.divide(vectors, norms, out=out)
        else:
            out[...] = vectors

    def _fill(
        self,
        graph: NDArray[np.float32],
        tail: NDArray[np.float32],
        rowids: NDArray[np.int64],
        alive: NDArray[np.bool_],
        source: Optional[VectorSource],
        written: NDArray[np.bool_],
    ) -> None:
        """Put each live slot's vector, read from ``source`` by label, into place (prepared as
        the index stores them), marking the graph slots ``written``."""
        live = np.flatnonzero(alive)
        if len(live) == 0:
            return
        if source is None:
            raise ValueError("this checkpoint keeps no vectors: open it with a vector source")
        labels = rowids[live]
        order = np.argsort(labels, kind="stable")
        sorted_labels = labels[order]
        indexed = len(graph)

        def place(wanted: NDArray[np.int64]) -> None:
            for batch_labels, vectors in source(wanted):
                pos = np.searchsorted(sorted_labels, batch_labels)
                pos_ok = np.minimum(pos, len(sorted_labels) - 1)
                mine = (pos < len(sorted_labels)) & (sorted_labels[pos_ok] == batch_labels)
                if not mine.any():
                    continue  # another collection's records between ours
                if vectors.ndim != 2 or vectors.shape[1] != self.params.dimension:
                    raise ValueError("vectors of another dimension than the checkpoint's")
                slots = live[order[pos[mine]]]
                if not mine.all():
                    vectors = vectors[mine]
                first, last = int(slots[0]), int(slots[-1])
                if last < indexed and last - first + 1 == len(slots) and _ascending(slots):
                    # The common case, a run of graph slots: prepared straight into place.
                    self._prepare_into(vectors, graph[first : last + 1])
                    written[first : last + 1] = True
                    continue
                prepared = self.prepare(vectors)
                in_graph = slots < indexed
                graph[slots[in_graph]] = prepared[in_graph]
                written[slots[in_graph]] = True
                tail[slots[~in_graph] - indexed] = prepared[~in_graph]

        # Label ranges read in parallel: SQLite and numpy run without the GIL, so the reads
        # of one range overlap the copies of another. Each range is one snapshot; slots are
        # disjoint between ranges.
        parts = 1 if len(live) < REFILL_SPLIT else min(REFILL_THREADS, os.cpu_count() or 1)
        cuts = np.linspace(0, len(sorted_labels), parts + 1).astype(np.int64)
        ranges = [sorted_labels[a:b] for a, b in zip(cuts[:-1], cuts[1:]) if b > a]
        if len(ranges) == 1:
            place(ranges[0])
            return
        failed: list[BaseException] = []

        def run(wanted: NDArray[np.int64]) -> None:
            try:
                place(wanted)
            except BaseException as exc:  # raised in the caller's thread below
                failed.append(exc)

        threads = [threading.Thread(target=run, args=(r,), name="index-refill") for r in ranges]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        if failed:
            raise failed[0]


def _in_thread(fn: Callable[..., _T], *args: Any) -> Callable[[], _T]:
    """Start ``fn(*args)`` in a thread; the function returned waits for its result (raising
    what it raised)."""
    out: list[Any] = []

    def run() -> None:
        try:
            out.append((True, fn(*args)))
        except BaseException as exc:  # raised in the waiting thread
            out.append((False, exc))

    thread = threading.Thread(target=run, name="index-load")
    thread.start()

    def wait() -> _T:
        thread.join()
        ok, value = out[0]
        if not ok:
            raise value
        return cast(_T, value)

    return wait


def _ascending(slots: NDArray[np.int64]) -> bool:
    return bool(np.all(slots[1:] > slots[:-1]))


# -- the graph file of a checkpoint --------------------------------------------------------------
# faiss's HNSW without its vectors, as numpy arrays: the level of each node (one byte), the
# neighbour lists (three bytes an id while the index has fewer than 2**24 - 1 vectors: a quarter
# smaller than faiss's four), the entry point. Each node's offset into the neighbour lists
# follows from the levels, so it is not stored.
_NO_NEIGHBOUR = 0xFFFFFF
# Neighbour ids packed and written per piece of the graph file (4 MB of faiss's array).
GRAPH_WRITE_IDS = 1 << 20


def _write_graph(index: Any, path: str) -> None:
    # Call with the graph held still (the build lock). The neighbour ids are read in place
    # from faiss's array and packed a piece at a time as they are written: at 1M vectors a
    # whole copy (two, with the packing) would be 100-270 MB held on top of the index.
    hnsw = index.hnsw
    levels = faiss.vector_to_array(hnsw.levels)
    count = int(hnsw.neighbors.size())
    if count and sys.byteorder == "little":
        neighbors = faiss.rev_swig_ptr(hnsw.neighbors.data(), count)
    else:
        neighbors = faiss.vector_to_array(hnsw.neighbors).astype("<i4")
    offsets = faiss.vector_to_array(hnsw.offsets)
    steps = faiss.vector_to_array(hnsw.cum_nneighbor_per_level)
    if not np.array_equal(offsets, _offsets(levels, steps)) or levels.max(initial=0) > 255:
        raise ValueError("graph layout unexpected: not written")  # never observed
    width = 3 if index.ntotal < _NO_NEIGHBOUR else 4
    arrays = {
        "levels": levels.astype(np.uint8),
        "steps": steps,
        "entry": np.array([hnsw.entry_point, hnsw.max_level, hnsw.efConstruction], np.int64),
    }
    # The layout np.savez writes (an uncompressed zip of .npy files), the neighbours streamed.
    with open(path, "wb") as fh, zipfile.ZipFile(fh, "w", zipfile.ZIP_STORED, True) as zf:
        for name, array in arrays.items():
            with zf.open(f"{name}.npy", "w", force_zip64=True) as out:
                np.lib.format.write_array(out, array, allow_pickle=False)
        with zf.open("neighbors.npy", "w", force_zip64=True) as out:
            header = {"descr": "|u1", "fortran_order": False, "shape": (count, width)}
            np.lib.format.write_array_header_2_0(out, header)
            for start in range(0, count, GRAPH_WRITE_IDS):
                part = neighbors[start : start + GRAPH_WRITE_IDS].view(np.uint8).reshape(-1, 4)
                # Three bytes an id while ids fit: -1 becomes 0xFFFFFF.
                out.write(np.ascontiguousarray(part[:, :width]).data)


def _offsets(levels: NDArray[Any], steps: NDArray[Any]) -> NDArray[np.uint64]:
    out = np.zeros(len(levels) + 1, dtype=np.uint64)
    np.cumsum(steps[levels.astype(np.int64)], out=out[1:])
    return out


def _graph_index(params: IndexParams) -> Any:
    """An empty faiss HNSW index for a checkpoint's graph."""
    metric = faiss.METRIC_L2 if params.space == "l2" else faiss.METRIC_INNER_PRODUCT
    return faiss.IndexHNSWFlat(params.dimension, params.m, metric)


def _read_graph_into(index: Any, path: str) -> int:
    """Read the graph of ``path`` into the HNSW links of ``index`` (made by ``_graph_index``;
    its storage is sized apart, and nothing else may touch its links meanwhile), checked for
    consistency; returns how many nodes it has (the caller sets ``ntotal``)."""
    with np.load(path) as data:
        levels = data["levels"].astype(np.int32)
        packed = data["neighbors"]
        steps = data["steps"]
        entry, max_level, construction_ef = (int(v) for v in data["entry"])
    hnsw = index.hnsw
    if not np.array_equal(faiss.vector_to_array(hnsw.cum_nneighbor_per_level), steps):
        raise ValueError("checkpoint graph was built with other HNSW settings")
    if packed.ndim != 2 or packed.shape[1] not in (3, 4):
        raise ValueError("checkpoint graph is malformed")
    offsets = _offsets(levels, steps)
    if int(offsets[-1]) != len(packed) or not (-1 <= entry < max(len(levels), 1)):
        raise ValueError("checkpoint graph levels and neighbour lists disagree")
    faiss.copy_array_to_vector(levels, hnsw.levels)
    faiss.copy_array_to_vector(offsets, hnsw.offsets)
    # The neighbour ids are widened straight into faiss's own array: a 100k graph's 13 MB of
    # fresh memory once, not twice (first touches of memory are much of an open's cost).
    if not growth.resize_unwritten(hnsw.neighbors, len(packed)):  # every id is written below
        hnsw.neighbors.resize(len(packed))
    if len(packed):
        out = faiss.rev_swig_ptr(hnsw.neighbors.data(), len(packed))
        if packed.shape[1] == 3:
            _widen_into(packed, out)
        else:
            out[:] = np.ascontiguousarray(packed).view("<i4").reshape(-1)
        if out.max() >= len(levels) or out.min() < -1:
            raise ValueError("checkpoint graph names nodes it does not have")
    hnsw.entry_point, hnsw.max_level, hnsw.efConstruction = entry, max_level, construction_ef
    return len(levels)


def _widen_into(packed: NDArray[np.uint8], out: NDArray[np.int32]) -> None:
    """``out[:]`` = the neighbour ids of three little-endian bytes each, 0xFFFFFF as -1."""
    n = len(packed)
    flat = np.ascontiguousarray(packed).reshape(-1)
    # Each id but the last read as the four bytes starting at it (a strided view of the file's
    # bytes), the fourth masked off: one pass, where splitting out the bytes took ten times
    # longer. The last one would read past the end: put together by hand.
    if n > 1:
        windows = np.ndarray((n - 1,), dtype="<u4", buffer=flat, strides=(3,))
        np.bitwise_and(windows, np.uint32(_NO_NEIGHBOUR), out=out[: n - 1].view(np.uint32))
    last = flat[3 * n - 3 :].astype(np.int64)
    out[n - 1] = int(last[0] | last[1] << 8 | last[2] << 16)
    out[out == _NO_NEIGHBOUR] = -1


def _fill_storage(index: Any, count: int) -> NDArray[np.float32]:
    """Size the flat storage of a graph read without vectors to ``count`` vectors, not yet
    written where the system allows (the caller writes every one); returns a writable view of
    them (valid while ``index`` lives and nothing is added)."""
    storage: Any = faiss.downcast_index(index.storage)
    d = int(storage.d)
    if not growth.resize_unwritten(storage.codes, count * d * 4):
        storage.codes.resize(count * d * 4)  # zero-filled, in faiss's own memory
    storage.ntotal = count
    if count == 0:
        return np.empty((0, d), dtype=np.float32)
    return faiss.rev_swig_ptr(storage.get_xb(), count * d).reshape(count, d)
