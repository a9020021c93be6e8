"""A collection's caches rebuilt from SQLite: the vector index loaded from its checkpoint and
brought up to date by replaying the write log after it (or rebuilt when the checkpoint is missing
or lacks records SQLite has), the metadata columns read from the record rows, checkpoints written back, and
caches caught up with what other processes wrote since.

Any process may write a collection's checkpoint. A lock file in the checkpoint folder keeps a
writer apart from readers of the files (shared while loading, exclusive while saving), and a
checkpoint older than the one in place is never written over it.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import sqlite3
import sys
from dataclasses import dataclass
from typing import Any, Dict, Iterator, List, Optional, Sequence, Tuple

import numpy as np
from numpy.typing import NDArray
from tqdm import tqdm

from chromadb.engine import records
from chromadb.engine.columns import Columns
from chromadb.engine.index import IndexParams, VectorIndex, VectorSource
from chromadb.engine.integrity import labels_lost, loss_error
from chromadb.engine.store import Store
from chromadb.errors import DataIntegrityError

logger = logging.getLogger(__name__)

PROGRESS_MIN = 20_000  # rebuilds at least this large show a progress bar
_FETCH = 5_000
_REFILL = 256  # labels per read of a refill: its arrays stay in the CPU's cache
LOCK_NAME = ".lock"


@contextlib.contextmanager
def _folder_lock(folder: str, shared: bool) -> Iterator[None]:
    """Blocks until the checkpoint folder is locked (shared: for reading its files)."""
    if sys.platform == "win32":  # pragma: no cover - one process per folder there
        yield
        return
    import fcntl

    os.makedirs(folder, exist_ok=True)
    fd = os.open(os.path.join(folder, LOCK_NAME), os.O_RDWR | os.O_CREAT, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_SH if shared else fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)  # releases the lock


@dataclass
class Loaded:
    """An index as loaded: ``last_seq`` is the newest log sequence it holds, ``dirty`` how many
    changes it holds beyond its checkpoint."""

    index: VectorIndex
    last_seq: int
    dirty: int


def load_index(store: Store, cid: str, params: IndexParams, folder: Optional[str]) -> Loaded:
    """The index of a collection: its checkpoint plus the log after it, or a rebuild when the
    checkpoint is unreadable or lacks records SQLite has. A checkpoint holding records SQLite
    lacks is evidence of loss: ``DataIntegrityError``, never a rebuild from the damaged side."""
    try:
        return _load_index(store, cid, params, folder)
    except DataIntegrityError:
        # Another process may have deleted (and pruned the log of) records between our reads:
        # an honest loss shows again on a second, fresh load.
        return _load_index(store, cid, params, folder)


def _load_index(store: Store, cid: str, params: IndexParams, folder: Optional[str]) -> Loaded:
    index: Optional[VectorIndex] = None
    cp_seq = -1
    saved_seq = VectorIndex.checkpoint_seq(folder) if folder else None
    if folder and saved_seq is not None:
        with store.read() as conn:
            pending = records.count_vectors_after(conn, cid, saved_seq)
        try:
            with _folder_lock(folder, shared=True):
                # Nothing to add on top of an old-layout checkpoint: map it, not read it.
                index, cp_seq = VectorIndex.load(
                    folder, params, vector_source(store), mmap=pending == 0
                )
        except DataIntegrityError as exc:
            # The database, not the checkpoint, failed: a rebuild from it would hide the damage.
            raise DataIntegrityError(
                f"Collection {cid}: its vectors could not be read from the database to load its "
                f"index; nothing was rebuilt or changed. {exc}"
            ) from exc
        except Exception as exc:  # a damaged checkpoint is only a lost cache
            logger.warning("Index checkpoint of %s unreadable (%s); rebuilding", cid, exc)
            index, cp_seq = None, -1
    if index is None:
        index = VectorIndex(params)
    replayed, last_seq, expected = replay(store, cid, index, cp_seq)
    if index.count != expected:
        with store.snapshot() as conn:
            live = index.rowids[: index.n][index.alive[: index.n]]
            lost = labels_lost(conn, cid, live, last_seq)
        if len(lost):
            raise loss_error(cid, len(lost), index.count, expected, store.path)
        logger.warning("Index of %s lacks records SQLite has; rebuilding", cid)
        index, cp_seq = VectorIndex(params), -1
        replayed, last_seq, _ = replay(store, cid, index, cp_seq)
    return Loaded(index, last_seq, replayed if cp_seq >= 0 else index.count)


def vector_source(store: Store) -> VectorSource:
    """The live vectors a checkpoint leaves to SQLite, read by label, each call in one snapshot
    (any snapshot at or after the checkpoint will do: the log replayed after it retires what
    changed since)."""

    def read(labels: NDArray[np.int64]) -> Iterator[Tuple[Any, Any]]:
        with store.scan() as conn:
            for start in range(0, len(labels), _REFILL):
                low, high = int(labels[start]), int(labels[min(start + _REFILL, len(labels)) - 1])
                yield from _vectors_in(conn, low, high, labels[start : start + _REFILL])

    return read


def _vectors_in(
    conn: sqlite3.Connection, low: int, high: int, wanted: NDArray[np.int64]
) -> Iterator[Tuple[Any, Any]]:
    """(labels, vectors) of the records with a label in [low, high]: other collections' rows in
    the range come too (the caller skips them), unless their embeddings differ in length from
    these: then the range is read row by row, the ``wanted`` labels only."""
    n, text, shortest, longest, joined = records.vectors_joined(conn, low, high)
    if n == 0:
        return
    if shortest == longest and shortest > 0 and shortest % 4 == 0 and text and joined:
        labels = np.fromstring(text, dtype=np.int64, sep=",")
        if len(labels) == n and len(joined) == n * shortest:
            vectors = np.frombuffer(joined, dtype=np.float32).reshape(n, shortest // 4)
            yield labels, vectors
            return
    # Embeddings of several lengths (or one damaged): row by row, the wanted labels only, so
    # that a damaged one of ours is named.
    keep = set(wanted.tolist())
    cur = records.vectors_between(conn, low, high)
    while batch := cur.fetchmany(_FETCH):
        mine = [r for r in batch if r[0] in keep]
        if mine:
            yield embedding_arrays(mine)


def embedding_arrays(batch: Sequence[Tuple[int, bytes]]) -> Tuple[Any, Any]:
    """(labels, vectors) of rows of (label, embedding bytes); ValueError naming the first
    record whose embedding is not as long as the others (a damaged row)."""
    labels = np.fromiter((r[0] for r in batch), dtype=np.int64, count=len(batch))
    size = len(batch[0][1])
    if size == 0 or size % 4 or any(len(r[1]) != size for r in batch):
        label = next(r[0] for r in batch if len(r[1]) != size or size == 0 or size % 4)
        raise ValueError(f"the embedding of record label {label} has a damaged length")
    vectors = np.frombuffer(b"".join([r[1] for r in batch]), dtype=np.float32)
    return labels, vectors.reshape(len(batch), size // 4)


def replay(store: Store, cid: str, index: VectorIndex, after_seq: int) -> tuple[int, int, int]:
    """Bring ``index`` up to date with SQLite: deletions and vectors written after
    ``after_seq`` (-1: everything), read in one snapshot. Returns (vectors added, the log
    sequence the index now holds, the records SQLite holds at that sequence)."""
    with store.snapshot() as conn:
        seq = store.current_seq(conn)
        expected = records.count(conn, cid)
        if after_seq >= 0:
            index.remove(records.deleted_after(conn, cid, after_seq))
        total = records.count_vectors_after(conn, cid, after_seq)
        cur = records.vectors_after(conn, cid, after_seq)
        bar = tqdm(total=total, desc="Building index", unit="vec", disable=total < PROGRESS_MIN)
        try:
            while batch := cur.fetchmany(_FETCH):
                labels = np.fromiter((r[0] for r in batch), dtype=np.int64, count=len(batch))
                vectors = np.frombuffer(b"".join(r[1] for r in batch), dtype=np.float32)
                index.add(labels, vectors.reshape(len(batch), -1))
                bar.update(len(batch))
        finally:
            bar.close()
    return total, seq, expected


def load_columns(store: Store, cid: str, index: VectorIndex) -> Columns:
    """The metadata columns of a collection, over the slots of ``index``."""
    columns = Columns(index.n)
    slots: List[int] = []
    metas: List[Dict[str, Any]] = []
    loads = json.loads
    slot = index.slot
    with store.read() as conn:
        for label, meta in records.metadata_rows(conn, cid):
            found = slot(label)
            if found is not None:
                slots.append(found)
                metas.append(loads(meta))
    columns.load(slots, metas)
    return columns


def checkpoint(store: Store, cid: str, index: VectorIndex, folder: str, seq: int) -> bool:
    """Save ``index`` as holding the log up to ``seq``, unless a checkpoint at least as new is
    already there (another process wrote it); prunes the log it makes redundant. Returns
    whether it wrote one."""
    with store.read() as conn:
        if records.collection_state(conn, cid) is None:
            return False  # deleted (perhaps by another process): leave no files behind
    with _folder_lock(folder, shared=False):
        current = VectorIndex.checkpoint_state(folder)
        # One at the same sequence is replaced only by one with more of it in the graph.
        if current is not None and (current[0], current[1]) >= (seq, index.indexed):
            return False
        index.save(folder, seq)
    with store.tx() as conn:
        records.prune_deletions(conn, cid, seq)
    return True


@dataclass
class CatchUp:
    """What ``catch_up`` found: the sequence the caches now hold; ``changed`` when anything was
    committed since; ``state`` the collection's catalog row (None: it is gone); ``reload`` when
    the caches cannot be brought up to date from the log and must be rebuilt."""

    seq: int
    changed: bool = False
    state: Optional[records.CollectionState] = None
    reload: bool = False


def catch_up(
    conn: sqlite3.Connection,
    cid: str,
    index: Optional[VectorIndex],
    columns: Optional[Columns],
    after_seq: int,
) -> CatchUp:
    """Apply to the caches what was committed after ``after_seq`` (by any process), reading
    through ``conn`` (a snapshot, or the write transaction). Costs one primary-key read when
    nothing was committed since."""
    seq = int(conn.execute("SELECT seq FROM sequence WHERE id = 0").fetchone()[0])
    if seq == after_seq:
        return CatchUp(seq)
    state = records.collection_state(conn, cid)
    if state is None or index is None:
        return CatchUp(seq, True, state)
    if state.pruned_seq > after_seq:
        return CatchUp(seq, True, state, reload=True)
    index.remove(records.deleted_after(conn, cid, after_seq))
    cur = records.vectors_after(conn, cid, after_seq)
    while batch := cur.fetchmany(_FETCH):
        labels = np.fromiter((r[0] for r in batch), dtype=np.int64, count=len(batch))
        vectors = np.frombuffer(b"".join(r[1] for r in batch), dtype=np.float32)
        index.add(labels, vectors.reshape(len(batch), -1))
    if columns is not None:
        for label, meta in records.metadata_after(conn, cid, after_seq):
            slot = index.slot(label)
            if slot is not None:
                columns.set(slot, meta)
    return CatchUp(seq, True, state)
