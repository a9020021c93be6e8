"""One collection's records: rows in SQLite (the truth), vectors in a ``VectorIndex`` and metadata
in ``Columns`` (both caches, rebuilt from SQLite whenever missing). Every write is one SQLite
transaction, committed before the in-memory caches change."""

from __future__ import annotations

import dataclasses
import json
import logging
import os
import re
import shutil
import sqlite3
import threading
from dataclasses import dataclass
from typing import Any, Callable, Dict, Iterable, List, Optional, Sequence, Tuple

import numpy as np
from numpy.typing import NDArray
from tqdm import tqdm

from chromadb.api.types import GetResult, QueryResult
from chromadb.engine.columns import Columns, Mask
from chromadb.engine.filters import DocLogical, DocNode, Regex, WhereNode
from chromadb.engine.index import (
    DEFAULT_CONSTRUCTION_EF,
    DEFAULT_M,
    DEFAULT_SEARCH_EF,
    IndexParams,
    VectorIndex,
)
from chromadb.engine.results import get_result, query_result
from chromadb.engine.rwlock import RWLock
from chromadb.engine.store import Store
from chromadb.engine.validation import validate_embeddings
from chromadb.errors import InvalidArgumentError, NotFoundError

logger = logging.getLogger(__name__)

_CHUNK = 10_000  # SQLite host parameters per statement stay well under its limit
# Write an index checkpoint once the log to replay would exceed the index itself.
CHECKPOINT_MIN_CHANGES = 50_000
PROGRESS_MIN = 20_000
# Tail vectors the background indexer moves into the graph per turn; searches wait for the
# graph while a turn runs (a few hundred ms at most).
FLUSH_CHUNK = 1_024
# Beyond this many vectors awaiting the graph, writers help build it (keeps the exact tail
# scan that every search does bounded, to a few ms).
MAX_PENDING = 100_000


def _chunks(items: Sequence[Any], size: int = _CHUNK) -> Iterable[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _marks(n: int) -> str:
    return ",".join("?" * n)


def _dump_meta(meta: Optional[Dict[str, Any]]) -> Optional[str]:
    return json.dumps(meta, ensure_ascii=False) if meta else None


@dataclass
class Row:
    label: int
    id: str
    document: Optional[str] = None
    metadata: Optional[str] = None
    uri: Optional[str] = None


class Segment:
    """Records, vector index and metadata columns of one collection."""

    def __init__(
        self,
        store: Store,
        collection_id: str,
        metadata: Optional[Dict[str, Any]],
        dimension: Optional[int],
        index_folder: Optional[str],
        on_pending: Optional[Callable[[], None]] = None,
        configuration: Optional[Dict[str, Any]] = None,
    ) -> None:
        self.store = store
        self._on_pending = on_pending
        self.cid = collection_id
        self.dimension = dimension
        hnsw = hnsw_settings(metadata, configuration)
        self.space = str(hnsw.get("space", "l2"))
        self._m = int(hnsw.get("M", DEFAULT_M))
        self._construction_ef = int(hnsw.get("construction_ef", DEFAULT_CONSTRUCTION_EF))
        self._search_ef = int(hnsw.get("search_ef", DEFAULT_SEARCH_EF))
        self.index_folder = index_folder
        self.lock = RWLock()
        self._load_lock = threading.Lock()
        self._index: Optional[VectorIndex] = None
        self._columns: Optional[Columns] = None
        self._last_seq = 0
        self._dirty = 0
        # Set (under the write lock) when the collection is deleted: handles still held
        # elsewhere must not write rows for a collection that no longer exists.
        self.dropped = False

    # -- caches ----------------------------------------------------------------------------------
    def set_search_ef(self, search_ef: int) -> None:
        """Search depth changed by ``modify``: takes effect at the next query."""
        with self.lock.write():
            self._search_ef = search_ef
            if self._index is not None:
                self._index.params = dataclasses.replace(self._index.params, search_ef=search_ef)

    def _params(self, dimension: int) -> IndexParams:
        return IndexParams(dimension, self.space, self._m, self._construction_ef, self._search_ef)

    def _index_or_none(self) -> Optional[VectorIndex]:
        """The loaded index; loads (checkpoint + log replay, or rebuild) on first use."""
        if self._index is not None or self.dimension is None:
            return self._index
        with self._load_lock:
            if self._index is None:
                self._index = self._load_index(self.dimension)
        return self._index

    def _load_index(self, dimension: int) -> VectorIndex:
        params = self._params(dimension)
        index: Optional[VectorIndex] = None
        cp_seq = 0
        saved_seq = VectorIndex.checkpoint_seq(self.index_folder) if self.index_folder else None
        if self.index_folder and saved_seq is not None:
            # Nothing to add on top of the checkpoint: map it instead of reading it (fast open).
            pending = self.store.query(
                "SELECT count(*) FROM records WHERE collection_id = ? AND vseq > ?",
                (self.cid, saved_seq),
            )[0][0]
            try:
                index, cp_seq = VectorIndex.load(self.index_folder, params, mmap=pending == 0)
            except Exception as exc:  # a damaged checkpoint is only a lost cache
                logger.warning("Index checkpoint of %s unreadable (%s); rebuilding", self.cid, exc)
                index = None
        if index is None:
            index, cp_seq = VectorIndex(params), -1
        replayed = self._replay(index, cp_seq)
        expected = self.store.query(
            "SELECT count(*) FROM records WHERE collection_id = ?", (self.cid,)
        )[0][0]
        if index.count != expected:
            logger.warning("Index of %s disagrees with SQLite; rebuilding", self.cid)
            index = VectorIndex(params)
            replayed = self._replay(index, -1)
        self._dirty = replayed if cp_seq >= 0 else index.count
        return index

    def _replay(self, index: VectorIndex, after_seq: int) -> int:
        """Bring ``index`` up to date with SQLite: vectors written after ``after_seq``."""
        with self.store.read() as conn:
            if after_seq >= 0:
                gone = conn.execute(
                    "SELECT label FROM deletions WHERE collection_id = ? AND seq > ?",
                    (self.cid, after_seq),
                ).fetchall()
                index.remove(r[0] for r in gone)
            total = conn.execute(
                "SELECT count(*) FROM records WHERE collection_id = ? AND vseq > ?",
                (self.cid, after_seq),
            ).fetchone()[0]
            cur = conn.execute(
                "SELECT r.label, v.embedding, r.vseq FROM records r "
                "JOIN vectors v ON v.label = r.label WHERE r.collection_id = ? AND r.vseq > ? "
                "ORDER BY r.label",
                (self.cid, after_seq),
            )
            bar = tqdm(total=total, desc="Building index", unit="vec", disable=total < PROGRESS_MIN)
            try:
                while batch := cur.fetchmany(5_000):
                    labels = np.fromiter((r[0] for r in batch), dtype=np.int64, count=len(batch))
                    vectors = np.frombuffer(b"".join(r[1] for r in batch), dtype=np.float32)
                    index.add(labels, vectors.reshape(len(batch), -1))
                    self._last_seq = max(self._last_seq, max(r[2] for r in batch))
                    bar.update(len(batch))
            finally:
                bar.close()
        return total

    def _columns_for(self, index: VectorIndex) -> Columns:
        if self._columns is not None:
            return self._columns
        with self._load_lock:
            if self._columns is None:
                columns = Columns(index.n)
                slot_of = index.slot_of
                with self.store.read() as conn:
                    cur = conn.execute(
                        "SELECT label, metadata FROM records WHERE collection_id = ? AND metadata IS NOT NULL",
                        (self.cid,),
                    )
                    slots: List[int] = []
                    metas: List[Dict[str, Any]] = []
                    loads = json.loads
                    for label, meta in cur:
                        slot = slot_of.get(label)
                        if slot is not None:
                            slots.append(slot)
                            metas.append(loads(meta))
                columns.load(slots, metas)
                self._columns = columns
        return self._columns

    def checkpoint(self, force: bool = False) -> None:
        """Save the index so that reopening replays little; call with the write lock held."""
        index = self._index
        if self.index_folder is None or index is None or (self._dirty == 0 and not force):
            return
        index.save(self.index_folder, self._last_seq)
        with self.store.tx() as conn:
            conn.execute(
                "DELETE FROM deletions WHERE collection_id = ? AND seq <= ?",
                (self.cid, self._last_seq),
            )
        self._dirty = 0

    def _after_write(self, changed: int) -> None:
        index = self._index
        self._dirty += changed
        if index is None:
            return
        if index.needs_compaction():
            index.compact()
            self._columns = None
        if index.pending > MAX_PENDING:
            index.flush(index.pending - MAX_PENDING)
        if self._dirty > max(CHECKPOINT_MIN_CHANGES, index.n):
            self.checkpoint()
        if index.pending and self._on_pending is not None:
            self._on_pending()

    def pending(self) -> int:
        """Vectors written but not yet in the graph (read without the lock: a hint)."""
        index = self._index
        return index.pending if index is not None else 0

    def flush(self, limit: Optional[int] = None) -> int:
        """Move up to ``limit`` vectors (all by default) into the graph; returns how many.
        Takes no segment lock: writers go on meanwhile (the index orders its own parts)."""
        index = self._index
        if self.dropped or index is None:
            return 0
        return index.flush(limit)

    def drop_files(self) -> None:
        if self.index_folder and os.path.isdir(self.index_folder):
            shutil.rmtree(self.index_folder, ignore_errors=True)

    # -- writes ----------------------------------------------------------------------------------
    def write(
        self,
        mode: str,
        ids: List[str],
        embeddings: Optional[Any],
        metadatas: Optional[List[Optional[Dict[str, Any]]]],
        documents: Optional[List[Optional[str]]],
        uris: Optional[List[Optional[str]]],
    ) -> None:
        """add / update / upsert a batch; all of it or nothing."""
        with self.lock.write():
            self._check_alive()
            vectors = (
                validate_embeddings(embeddings, self.dimension) if embeddings is not None else None
            )
            if vectors is not None and len(vectors) != len(ids):
                raise InvalidArgumentError(
                    f"Number of embeddings ({len(vectors)}) does not match number of ids ({len(ids)})"
                )
            self._index_or_none()
            changed_labels: List[int] = []
            changed_rows: List[int] = []
            final_meta: Dict[int, Optional[Dict[str, Any]]] = {}
            seq = self._write_rows(
                mode,
                ids,
                vectors,
                metadatas,
                documents,
                uris,
                changed_labels,
                changed_rows,
                final_meta,
            )
            # Committed: now the caches. Any failure here only drops them (rebuilt from SQLite).
            if vectors is not None and self.dimension is None and len(vectors):
                # The first vectors of the collection: nothing to load, start an empty index.
                self.dimension = int(vectors.shape[1])
                self._index = VectorIndex(self._params(self.dimension))
            try:
                self._last_seq = seq
                self._apply_to_caches(changed_labels, changed_rows, vectors, final_meta)
            except Exception:
                logger.exception("Index update failed; it will be rebuilt from SQLite")
                self._index, self._columns = None, None
                raise
            self._after_write(len(ids))

    def _write_rows(
        self,
        mode: str,
        ids: List[str],
        vectors: Optional[NDArray[np.float32]],
        metadatas: Optional[List[Optional[Dict[str, Any]]]],
        documents: Optional[List[Optional[str]]],
        uris: Optional[List[Optional[str]]],
        changed_labels: List[int],
        changed_rows: List[int],
        final_meta: Dict[int, Optional[Dict[str, Any]]],
    ) -> int:
        """The SQLite half of a write, in one transaction; returns its log sequence."""
        with self.store.tx() as conn:
            existing = self._existing(conn, ids)
            if mode == "add" and existing:
                # As real Chroma: ids already there are skipped (with a warning), the rest added.
                found = [i for i in ids if i in existing]
                shown = ", ".join(found[:10]) + (
                    f" and {len(found) - 10} more" if len(found) > 10 else ""
                )
                logger.warning("Add of existing ids skipped: %s", shown)
            if mode == "update":
                missing = [i for i in ids if i not in existing]
                if missing:
                    logger.warning("Update of nonexisting ids skipped: %s", ", ".join(missing[:10]))
            new_pos = [i for i, id_ in enumerate(ids) if id_ not in existing]
            if mode == "update":
                new_pos = []
            if new_pos and vectors is None:
                raise InvalidArgumentError("Embeddings are required to add new records")
            seq = self.store.next_seq(conn)
            if vectors is not None and self.dimension is None and len(vectors):
                conn.execute(
                    "UPDATE catalog_collections SET dimension = ? WHERE id = ?",
                    (int(vectors.shape[1]), self.cid),
                )
            if new_pos:
                labels = self._insert(conn, seq, new_pos, ids, vectors, metadatas, documents, uris)
                for pos, label in zip(new_pos, labels):
                    changed_labels.append(label)
                    changed_rows.append(pos)
                    final_meta[label] = _clean(metadatas[pos] if metadatas else None)
            upd_pos = [] if mode == "add" else [i for i, id_ in enumerate(ids) if id_ in existing]
            if upd_pos:
                self._update(
                    conn,
                    seq,
                    upd_pos,
                    ids,
                    existing,
                    vectors,
                    metadatas,
                    documents,
                    uris,
                    final_meta,
                )
                if vectors is not None:
                    for pos in upd_pos:
                        changed_labels.append(existing[ids[pos]].label)
                        changed_rows.append(pos)
        return seq

    def _apply_to_caches(
        self,
        labels: List[int],
        rows: List[int],
        vectors: Optional[NDArray[np.float32]],
        final_meta: Dict[int, Optional[Dict[str, Any]]],
    ) -> None:
        index = self._index_or_none()
        if index is None:
            return
        if labels and vectors is not None:
            index.add(np.asarray(labels, dtype=np.int64), vectors[np.asarray(rows, dtype=np.int64)])
        if self._columns is not None:
            for label, meta in final_meta.items():
                slot = index.slot_of.get(label)
                if slot is not None:
                    self._columns.set(slot, meta)

    def _existing(self, conn: sqlite3.Connection, ids: Sequence[str]) -> Dict[str, Row]:
        found: Dict[str, Row] = {}
        for chunk in _chunks(ids):
            cur = conn.execute(
                f"SELECT label, id, document, metadata, uri FROM records "
                f"WHERE collection_id = ? AND id IN ({_marks(len(chunk))})",
                (self.cid, *chunk),
            )
            for label, id_, doc, meta, uri in cur:
                found[id_] = Row(label, id_, doc, meta, uri)
        return found

    def _insert(
        self,
        conn: sqlite3.Connection,
        seq: int,
        positions: List[int],
        ids: List[str],
        vectors: Any,
        metadatas: Optional[List[Optional[Dict[str, Any]]]],
        documents: Optional[List[Optional[str]]],
        uris: Optional[List[Optional[str]]],
    ) -> List[int]:
        row = conn.execute("SELECT seq FROM sqlite_sequence WHERE name = 'records'").fetchone()
        base = (row[0] if row else 0) + 1
        labels = list(range(base, base + len(positions)))
        params = [
            (
                label,
                self.cid,
                ids[pos],
                documents[pos] if documents else None,
                _dump_meta(_clean(metadatas[pos] if metadatas else None)),
                uris[pos] if uris else None,
                seq,
            )
            for label, pos in zip(labels, positions)
        ]
        conn.executemany(
            "INSERT INTO records (label, collection_id, id, document, metadata, uri, vseq) "
            "VALUES (?, ?, ?, ?, ?, ?, ?)",
            params,
        )
        conn.executemany(
            "INSERT INTO vectors (label, embedding) VALUES (?, ?)",
            [(label, vectors[pos].tobytes()) for label, pos in zip(labels, positions)],
        )
        if documents:
            conn.executemany(
                "INSERT INTO documents_fts (rowid, document) VALUES (?, ?)",
                [(p[0], p[3]) for p in params if p[3] is not None],
            )
        return labels

    def _update(
        self,
        conn: sqlite3.Connection,
        seq: int,
        positions: List[int],
        ids: List[str],
        existing: Dict[str, Row],
        vectors: Any,
        metadatas: Optional[List[Optional[Dict[str, Any]]]],
        documents: Optional[List[Optional[str]]],
        uris: Optional[List[Optional[str]]],
        final_meta: Dict[int, Optional[Dict[str, Any]]],
    ) -> None:
        rows = []
        for pos in positions:
            old = existing[ids[pos]]
            meta: Optional[Dict[str, Any]] = json.loads(old.metadata) if old.metadata else None
            if metadatas is not None and metadatas[pos] is not None:
                merged = dict(meta or {})
                for key, value in (metadatas[pos] or {}).items():
                    if value is None:
                        merged.pop(key, None)
                    else:
                        merged[key] = value
                meta = merged or None
            final_meta[old.label] = meta
            doc = (
                documents[pos]
                if documents is not None and documents[pos] is not None
                else old.document
            )
            uri = uris[pos] if uris is not None and uris[pos] is not None else old.uri
            rows.append((old.label, doc, _dump_meta(meta), uri, pos, doc != old.document))
        if vectors is not None:
            conn.executemany(
                "UPDATE records SET document = ?, metadata = ?, uri = ?, vseq = ? WHERE label = ?",
                [(d, m, u, seq, lb) for lb, d, m, u, _, _ in rows],
            )
            conn.executemany(
                "UPDATE vectors SET embedding = ? WHERE label = ?",
                [(vectors[p].tobytes(), lb) for lb, _, _, _, p, _ in rows],
            )
        else:
            conn.executemany(
                "UPDATE records SET document = ?, metadata = ?, uri = ? WHERE label = ?",
                [(d, m, u, lb) for lb, d, m, u, _, _ in rows],
            )
        changed_docs = [(lb, d) for lb, d, _, _, _, changed in rows if changed]
        if changed_docs:
            conn.executemany(
                "DELETE FROM documents_fts WHERE rowid = ?", [(lb,) for lb, _ in changed_docs]
            )
            conn.executemany(
                "INSERT INTO documents_fts (rowid, document) VALUES (?, ?)",
                [(lb, d) for lb, d in changed_docs if d is not None],
            )

    def _check_alive(self) -> None:
        if self.dropped:
            raise NotFoundError(f"Collection {self.cid} does not exist")

    def delete(
        self,
        ids: Optional[List[str]],
        where: Optional[WhereNode],
        where_document: Optional[DocNode],
        limit: Optional[int] = None,
    ) -> List[str]:
        """Delete the matching records (the first ``limit`` of them, in insertion order, when
        given); returns their ids."""
        with self.lock.write():
            self._check_alive()
            labels = self._select(ids, where, where_document)
            if limit is not None:
                labels = labels[:limit]
            if not labels:
                return []
            deleted_ids = [row[1] for row in self._fetch(labels, "r.id FROM records r").values()]
            with self.store.tx() as conn:
                seq = self.store.next_seq(conn)
                for chunk in _chunks(labels):
                    marks = _marks(len(chunk))
                    conn.execute(f"DELETE FROM records WHERE label IN ({marks})", chunk)
                    conn.execute(f"DELETE FROM documents_fts WHERE rowid IN ({marks})", chunk)
                if self.index_folder is not None:
                    conn.executemany(
                        "INSERT INTO deletions (seq, collection_id, label) VALUES (?, ?, ?)",
                        [(seq, self.cid, label) for label in labels],
                    )
            self._last_seq = seq
            index = self._index
            if index is not None:
                index.remove(labels)
            self._after_write(len(labels))
            return deleted_ids

    # -- reads -----------------------------------------------------------------------------------
    def _mask(
        self, index: VectorIndex, where: Optional[WhereNode], where_document: Optional[DocNode]
    ) -> Optional[Mask]:
        mask: Optional[Mask] = None
        if where is not None:
            mask = self._columns_for(index).mask(where, index.n)
        if where_document is not None:
            doc = self._doc_mask(index, where_document)
            mask = doc if mask is None else mask & doc
        return mask

    def _doc_mask(self, index: VectorIndex, node: DocNode) -> Mask:
        if isinstance(node, DocLogical):
            masks = [self._doc_mask(index, child) for child in node.children]
            out = masks[0].copy()
            for m in masks[1:]:
                if node.op == "$and":
                    out &= m
                else:
                    out |= m
            return out
        mask = np.zeros(index.n, dtype=np.bool_)
        if isinstance(node, Regex):
            mask[index.slots_for(self._labels_matching(node.pattern))] = True
        else:
            mask[index.slots_for(self._labels_containing(node.text))] = True
        if node.negate:
            mask = ~mask & index.live_mask()
        return mask

    def _labels_matching(self, pattern: re.Pattern[str]) -> List[int]:
        # No index serves a regular expression: scan this collection's documents.
        rows = self.store.query(
            "SELECT label, document FROM records WHERE collection_id = ? AND document IS NOT NULL",
            (self.cid,),
        )
        return [label for label, doc in rows if pattern.search(doc)]

    def _labels_containing(self, text: str) -> List[int]:
        with self.store.read() as conn:
            if len(text) >= 3:
                # FTS5 trigram phrase query = substring match, served by the index.
                phrase = '"' + text.replace('"', '""') + '"'
                cur = conn.execute(
                    "SELECT rowid FROM documents_fts WHERE documents_fts MATCH ?", (phrase,)
                )
            else:
                cur = conn.execute(
                    "SELECT label FROM records WHERE collection_id = ? AND instr(document, ?) > 0",
                    (self.cid, text),
                )
            return [r[0] for r in cur]

    def _select(
        self,
        ids: Optional[List[str]],
        where: Optional[WhereNode],
        where_document: Optional[DocNode],
    ) -> List[int]:
        """Labels of the records matching every condition given, in insertion order."""
        index = self._index_or_none()
        if index is None:
            return []
        mask = self._mask(index, where, where_document)
        if ids is not None:
            with self.store.read() as conn:
                found = self._existing(conn, ids)
            # Insertion order, not the order of ``ids``: real Chroma 1.x answers so.
            labels = sorted(found[i].label for i in set(ids) if i in found)
            if mask is not None:
                slot_of = index.slot_of
                labels = [lb for lb in labels if mask[slot_of[lb]]]
            return labels
        if mask is None:
            rows = self.store.query(
                "SELECT label FROM records WHERE collection_id = ? ORDER BY label", (self.cid,)
            )
            return [r[0] for r in rows]
        slots = np.flatnonzero(mask & index.live_mask())
        return [int(lb) for lb in np.sort(index.rowids[slots])]

    def _fetch(self, labels: Sequence[int], fields: str) -> Dict[int, Tuple[Any, ...]]:
        out: Dict[int, Tuple[Any, ...]] = {}
        with self.store.read() as conn:
            for chunk in _chunks(list(labels)):
                cur = conn.execute(
                    f"SELECT r.label, {fields} WHERE r.label IN ({_marks(len(chunk))})",
                    chunk,
                )
                for row in cur:
                    out[row[0]] = row
        return out

    def get(
        self,
        ids: Optional[List[str]],
        where: Optional[WhereNode],
        where_document: Optional[DocNode],
        limit: Optional[int],
        offset: int,
        include: List[str],
    ) -> GetResult:
        fields = _fields(include)
        with self.lock.read():
            if ids is None and where is None and where_document is None:
                rows = self.store.query(
                    f"SELECT r.label, {fields} WHERE r.collection_id = ? "
                    "ORDER BY r.label LIMIT ? OFFSET ?",
                    (self.cid, -1 if limit is None else limit, offset),
                )
            else:
                selected = self._select(ids, where, where_document)
                end = None if limit is None else offset + limit
                page = selected[offset:end]
                fetched = self._fetch(page, fields)
                rows = [fetched[label] for label in page if label in fetched]
        return get_result(rows, include)

    def query(
        self,
        queries: NDArray[np.float32],
        n_results: int,
        where: Optional[WhereNode],
        where_document: Optional[DocNode],
        ids: Optional[List[str]],
        include: List[str],
    ) -> QueryResult:
        with self.lock.read():
            index = self._index_or_none()
            if index is None:
                dist = np.empty((len(queries), 0), dtype=np.float32)
                labels = np.empty((len(queries), 0), dtype=np.int64)
            else:
                validate_embeddings(queries, self.dimension, what="query embedding")
                mask = self._mask(index, where, where_document)
                if ids is not None:
                    with self.store.read() as conn:
                        found = self._existing(conn, ids)
                    id_mask = np.zeros(index.n, dtype=np.bool_)
                    id_mask[index.slots_for(r.label for r in found.values())] = True
                    mask = id_mask if mask is None else mask & id_mask
                dist, labels = index.search(queries, n_results, mask)
        fields = _fields(include)
        wanted = sorted({int(x) for x in labels.ravel() if x >= 0})
        fetched = self._fetch(wanted, fields)
        per_query = []
        per_dist = []
        for qi in range(len(queries)):
            rows, ds = [], []
            for label, d in zip(labels[qi].tolist(), dist[qi].tolist()):
                row = fetched.get(label)
                if row is not None:
                    rows.append(row)
                    ds.append(max(d, 0.0) if self.space != "ip" else d)
            per_query.append(rows)
            per_dist.append(ds)
        return query_result(per_query, per_dist, include)

    def count(self) -> int:
        return int(
            self.store.query("SELECT count(*) FROM records WHERE collection_id = ?", (self.cid,))[
                0
            ][0]
        )

    def ensure_index(self) -> bool:
        """Load the index and build the graph for every vector written so far."""
        with self.lock.read():
            self._index_or_none()
        self.flush()
        return True


def _fields(include: List[str]) -> str:
    """Columns (and tables) for result rows: vectors are joined only when asked for."""
    if "embeddings" in include:
        return (
            "r.id, r.document, r.metadata, r.uri, v.embedding "
            "FROM records r JOIN vectors v ON v.label = r.label"
        )
    return "r.id, r.document, r.metadata, r.uri FROM records r"


def hnsw_settings(
    metadata: Optional[Dict[str, Any]], configuration: Optional[Dict[str, Any]]
) -> Dict[str, Any]:
    """Index settings from a collection: ``hnsw:*`` metadata keys (Chroma 0.4-0.6) and the
    ``configuration["hnsw"]`` object (Chroma 1.x); metadata wins."""
    config = (configuration or {}).get("hnsw") or {}
    out: Dict[str, Any] = {}
    for key, config_key in (
        ("space", "space"),
        ("M", "max_neighbors"),
        ("construction_ef", "ef_construction"),
        ("search_ef", "ef_search"),
    ):
        value = (metadata or {}).get(f"hnsw:{key}", config.get(config_key))
        if value is not None:
            out[key] = value
    return out


def _clean(meta: Optional[Dict[str, Any]]) -> Optional[Dict[str, Any]]:
    """Metadata as stored on insert: None values dropped, empty as None."""
    if not meta:
        return None
    out = {k: v for k, v in meta.items() if v is not None}
    return out or None
