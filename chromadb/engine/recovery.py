"""A collection's caches rebuilt from SQLite: the vector index loaded from its checkpoint and
brought up to date by replaying the write log after it (or rebuilt when the checkpoint is missing
or lacks records SQLite has; holding records SQLite lacks is an error), the metadata columns read from the record rows, and checkpoints written back.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from typing import Any, Dict, List, Optional

import numpy as np
from tqdm import tqdm

from chromadb.engine import records
from chromadb.engine.columns import Columns
from chromadb.engine.index import IndexParams, VectorIndex
from chromadb.engine.integrity import labels_lost, loss_error
from chromadb.engine.store import Store

logger = logging.getLogger(__name__)

PROGRESS_MIN = 20_000  # rebuilds at least this large show a progress bar
_FETCH = 5_000


@dataclass
class Loaded:
    """An index as loaded: ``last_seq`` is the newest log sequence it holds, ``dirty`` how many
    changes it holds beyond its checkpoint."""

    index: VectorIndex
    last_seq: int
    dirty: int


def load_index(store: Store, cid: str, params: IndexParams, folder: Optional[str]) -> Loaded:
    """The index of a collection: its checkpoint plus the log after it, or a rebuild."""
    index: Optional[VectorIndex] = None
    cp_seq = -1
    saved_seq = VectorIndex.checkpoint_seq(folder) if folder else None
    if folder and saved_seq is not None:
        with store.read() as conn:
            pending = records.count_vectors_after(conn, cid, saved_seq)
        try:
            # Nothing to add on top of the checkpoint: map it instead of reading it (fast open).
            index, cp_seq = VectorIndex.load(folder, params, mmap=pending == 0)
        except Exception as exc:  # a damaged checkpoint is only a lost cache
            logger.warning("Index checkpoint of %s unreadable (%s); rebuilding", cid, exc)
            index, cp_seq = None, -1
    if index is None:
        index = VectorIndex(params)
    replayed, last_seq = replay(store, cid, index, cp_seq)
    with store.read() as conn:
        expected = records.count(conn, cid)
    if index.count != expected:
        # A cache holding records SQLite lacks is evidence of loss: report it, never rebuild
        # from the damaged side. Only a cache that lacks records is rebuilt.
        with store.read() as conn:
            live = index.rowids[: index.n][index.alive[: index.n]]
            lost = labels_lost(conn, cid, live, -1)
        if len(lost):
            raise loss_error(cid, len(lost), index.count, expected, store.path)
        logger.warning("Index of %s lacks records SQLite has; rebuilding", cid)
        index, cp_seq = VectorIndex(params), -1
        replayed, last_seq = replay(store, cid, index, cp_seq)
    last_seq = max(last_seq, cp_seq)
    return Loaded(index, last_seq, replayed if cp_seq >= 0 else index.count)


def replay(store: Store, cid: str, index: VectorIndex, after_seq: int) -> tuple[int, int]:
    """Bring ``index`` up to date with SQLite: deletions and vectors written after
    ``after_seq`` (-1: everything). Returns (vectors added, newest sequence seen)."""
    last_seq = after_seq
    with store.read() as conn:
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
                last_seq = max(last_seq, max(r[2] for r in batch))
                bar.update(len(batch))
        finally:
            bar.close()
    return total, last_seq


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


def checkpoint(store: Store, cid: str, index: VectorIndex, folder: str, seq: int) -> None:
    """Save ``index`` as holding the log up to ``seq``; the log it makes redundant is pruned."""
    index.save(folder, seq)
    with store.tx() as conn:
        records.prune_deletions(conn, cid, seq)
