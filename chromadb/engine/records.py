"""A collection's records in SQLite: small functions over one connection, every value bound.

A record's label is its rowid in ``records``; its vector lives in ``vectors`` under the same
label. ``vseq`` is the log sequence of the write that last set the vector, ``mseq`` of the one
that last set its metadata or document; the ``deletions`` table is the part of the log that
record rows cannot show. Together they let any process catch its caches up after a sequence; the catch-up queries
name ``max(vseq, mseq)`` so that SQLite finds the changed rows through the one index on it.

A record row names its collection by the collection's small integer key (not its 36-character
id, which would be repeated in the row and in both indexes). Callers pass the id: each
statement looks the key up itself (``KEY``, one primary-key read), so a handle on a collection
deleted meanwhile matches no rows rather than the rows of another.
"""

from __future__ import annotations

import json
import re
import sqlite3
from dataclasses import dataclass
from typing import Any, Dict, Iterable, Iterator, List, Optional, Sequence, Tuple, cast

import numpy as np
from numpy.typing import NDArray

from chromadb.base_types import SPARSE_VECTOR_TYPE_VALUE, TYPE_KEY, SparseVector
from chromadb.errors import NotFoundError

_CHUNK = 10_000  # SQLite host parameters per statement stay well under its limit
# The collection key of the collection id bound in its place.
KEY = "(SELECT key FROM catalog_collections WHERE id = ?)"

Meta = Optional[Dict[str, Any]]


@dataclass
class RecordBatch:
    """One add / update / upsert call, validated: the i-th entry of each list is record i."""

    ids: List[str]
    embeddings: Optional[NDArray[np.float32]] = None
    metadatas: Optional[List[Meta]] = None
    documents: Optional[List[Optional[str]]] = None
    uris: Optional[List[Optional[str]]] = None

    def __len__(self) -> int:
        return len(self.ids)

    def metadata(self, pos: int) -> Meta:
        return self.metadatas[pos] if self.metadatas is not None else None

    def document(self, pos: int) -> Optional[str]:
        return self.documents[pos] if self.documents is not None else None

    def uri(self, pos: int) -> Optional[str]:
        return self.uris[pos] if self.uris is not None else None


@dataclass
class Row:
    """A stored record, as ``existing`` reads it (metadata still JSON)."""

    label: int
    id: str
    document: Optional[str] = None
    metadata: Optional[str] = None
    uri: Optional[str] = None


@dataclass
class Written:
    """What a write changed, for the caches: new vectors (label and batch position) and each
    touched record's final metadata."""

    seq: int
    vector_labels: List[int]
    vector_positions: List[int]
    metadata: Dict[int, Meta]


def chunks(items: Sequence[Any], size: int = _CHUNK) -> Iterable[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def marks(n: int) -> str:
    return ",".join("?" * n)


def _encode(value: Any) -> Any:
    # Sparse vectors are stored in their tagged JSON form (as real Chroma sends them).
    if isinstance(value, SparseVector):
        return value.to_dict()
    raise TypeError(f"Cannot store {type(value).__name__} in metadata")


def dump_meta(meta: Meta) -> Optional[str]:
    return json.dumps(meta, ensure_ascii=False, default=_encode) if meta else None


def _decode(obj: Dict[str, Any]) -> Any:
    return SparseVector.from_dict(obj) if obj.get(TYPE_KEY) == SPARSE_VECTOR_TYPE_VALUE else obj


def load_meta(text: Optional[str]) -> Meta:
    """Stored metadata JSON as users get it back: sparse vectors as ``SparseVector``."""
    if not text:
        return None
    if TYPE_KEY not in text:  # the common case: no sparse vector, plain (fast) decoding
        return cast(Meta, json.loads(text))
    return cast(Meta, json.loads(text, object_hook=_decode))


def load_metas(texts: Sequence[Optional[str]]) -> List[Meta]:
    """``load_meta`` of each, decoded as one JSON array when none holds a sparse vector (one
    parse instead of one per record)."""
    if len(texts) < 2 or any(t is not None and TYPE_KEY in t for t in texts):
        return [load_meta(t) for t in texts]
    joined = ",".join(t if t else "null" for t in texts)
    return cast(List[Meta], json.loads(f"[{joined}]"))


def clean(meta: Meta) -> Meta:
    """Metadata as stored on insert: None values dropped, empty as None."""
    if not meta:
        return None
    out = {k: v for k, v in meta.items() if v is not None}
    return out or None


def merge_meta(old: Meta, update: Meta) -> Meta:
    """An update's metadata over the stored one: None values remove their key."""
    if update is None:
        return old
    merged = dict(old or {})
    for key, value in update.items():
        if value is None:
            merged.pop(key, None)
        else:
            merged[key] = value
    return merged or None


def fields(include: List[str]) -> str:
    """Columns (and tables) for result rows: vectors are joined only when asked for."""
    if "embeddings" in include:
        return (
            "r.id, r.document, r.metadata, r.uri, v.embedding "
            "FROM records r JOIN vectors v ON v.label = r.label"
        )
    return "r.id, r.document, r.metadata, r.uri FROM records r"


# -- reading ------------------------------------------------------------------------------------
def existing(conn: sqlite3.Connection, cid: str, ids: Sequence[str]) -> Dict[str, Row]:
    found: Dict[str, Row] = {}
    for chunk in chunks(ids):
        cur = conn.execute(
            f"SELECT label, id, document, metadata, uri FROM records "
            f"WHERE collection = {KEY} AND id IN ({marks(len(chunk))})",
            (cid, *chunk),
        )
        for label, id_, doc, meta, uri in cur:
            found[id_] = Row(label, id_, doc, meta, uri)
    return found


def fetch(
    conn: sqlite3.Connection, labels: Sequence[int], columns: str
) -> Dict[int, Tuple[Any, ...]]:
    """Rows by label; ``columns`` comes from ``fields``."""
    out: Dict[int, Tuple[Any, ...]] = {}
    for chunk in chunks(list(labels)):
        cur = conn.execute(
            f"SELECT r.label, {columns} WHERE r.label IN ({marks(len(chunk))})", chunk
        )
        for row in cur:
            out[row[0]] = row
    return out


def page(
    conn: sqlite3.Connection, cid: str, columns: str, limit: Optional[int], offset: int
) -> List[Tuple[Any, ...]]:
    """Rows of a collection in insertion order."""
    return conn.execute(
        f"SELECT r.label, {columns} WHERE r.collection = {KEY} ORDER BY r.label LIMIT ? OFFSET ?",
        (cid, -1 if limit is None else limit, offset),
    ).fetchall()


def labels(conn: sqlite3.Connection, cid: str) -> List[int]:
    cur = conn.execute(f"SELECT label FROM records WHERE collection = {KEY} ORDER BY label", (cid,))
    return [r[0] for r in cur]


def count(conn: sqlite3.Connection, cid: str) -> int:
    row = conn.execute(f"SELECT count(*) FROM records WHERE collection = {KEY}", (cid,)).fetchone()
    return int(row[0])


def labels_containing(conn: sqlite3.Connection, cid: str, text: str) -> List[int]:
    """Labels of the records whose document contains ``text`` (case-sensitive)."""
    if len(text) >= 3:
        # FTS5 trigram phrase query = substring match, served by the index.
        phrase = '"' + text.replace('"', '""') + '"'
        cur = conn.execute("SELECT rowid FROM documents_fts WHERE documents_fts MATCH ?", (phrase,))
    else:
        cur = conn.execute(
            f"SELECT label FROM records WHERE collection = {KEY} AND instr(document, ?) > 0",
            (cid, text),
        )
    return [r[0] for r in cur]


def labels_matching(conn: sqlite3.Connection, cid: str, pattern: re.Pattern[str]) -> List[int]:
    """Labels of the records whose document matches ``pattern`` anywhere."""
    # No index serves a regular expression: this scans the collection's documents.
    cur = conn.execute(
        f"SELECT label, document FROM records WHERE collection = {KEY} AND document IS NOT NULL",
        (cid,),
    )
    return [label for label, doc in cur if pattern.search(doc)]


def metadata_rows(conn: sqlite3.Connection, cid: str) -> Iterator[Tuple[int, str]]:
    """(label, metadata JSON) of every record that has metadata."""
    yield from conn.execute(
        f"SELECT label, metadata FROM records WHERE collection = {KEY} AND metadata IS NOT NULL",
        (cid,),
    )


def count_vectors_after(conn: sqlite3.Connection, cid: str, seq: int) -> int:
    row = conn.execute(
        f"SELECT count(*) FROM records WHERE collection = {KEY} AND max(vseq, mseq) > ? AND vseq > ?",
        (cid, seq, seq),
    ).fetchone()
    return int(row[0])


def vectors_after(conn: sqlite3.Connection, cid: str, seq: int) -> sqlite3.Cursor:
    """(label, embedding bytes, vseq) of the vectors written after ``seq``, by label."""
    return conn.execute(
        "SELECT r.label, v.embedding, r.vseq FROM records r "
        "JOIN vectors v ON v.label = r.label "
        f"WHERE r.collection = {KEY} AND max(r.vseq, r.mseq) > ? AND r.vseq > ? "
        "ORDER BY r.label",
        (cid, seq, seq),
    )


def vectors_between(conn: sqlite3.Connection, low: int, high: int) -> sqlite3.Cursor:
    """(label, embedding bytes) of every vector with a label in [low, high], by label: one range
    scan of the vectors table (any collection's; the caller keeps the labels it wants)."""
    return conn.execute(
        "SELECT label, embedding FROM vectors WHERE label BETWEEN ? AND ? ORDER BY label",
        (low, high),
    )


def vectors_joined(
    conn: sqlite3.Connection, low: int, high: int
) -> Tuple[int, Optional[str], int, int, Optional[bytes]]:
    """The vectors with a label in [low, high] (any collection's) as one row: (how many, their
    labels as comma-separated text, the shortest and longest embedding in bytes, the embeddings
    concatenated). SQLite joins them: one Python object for many rows, where a row each costs
    more than the bytes; labels and embeddings come from the same pass, in the same order."""
    row = conn.execute(
        "SELECT count(*), group_concat(label), min(length(embedding)), max(length(embedding)), "
        "CAST(group_concat(embedding, x'') AS BLOB) FROM vectors WHERE label BETWEEN ? AND ?",
        (low, high),
    ).fetchone()
    return int(row[0]), row[1], int(row[2] or 0), int(row[3] or 0), row[4]


def metadata_after(conn: sqlite3.Connection, cid: str, seq: int) -> List[Tuple[int, Meta]]:
    """(label, metadata) of the records whose metadata or document changed after ``seq``."""
    cur = conn.execute(
        "SELECT label, metadata FROM records "
        f"WHERE collection = {KEY} AND max(vseq, mseq) > ? AND mseq > ?",
        (cid, seq, seq),
    )
    return [(label, json.loads(meta) if meta else None) for label, meta in cur]


def deleted_after(conn: sqlite3.Connection, cid: str, seq: int) -> List[int]:
    cur = conn.execute(
        "SELECT label FROM deletions WHERE collection_id = ? AND seq > ?", (cid, seq)
    )
    return [r[0] for r in cur]


# -- writing (inside Store.tx()) ----------------------------------------------------------------
def set_dimension(conn: sqlite3.Connection, cid: str, dimension: int) -> None:
    conn.execute("UPDATE catalog_collections SET dimension = ? WHERE id = ?", (dimension, cid))


def insert(
    conn: sqlite3.Connection, cid: str, seq: int, batch: RecordBatch, positions: List[int]
) -> List[int]:
    """New records for the batch entries at ``positions``; returns their labels."""
    assert batch.embeddings is not None  # the caller requires vectors for new records
    key = conn.execute(f"SELECT {KEY}", (cid,)).fetchone()[0]
    if key is None:
        raise NotFoundError(f"Collection {cid} does not exist")
    row = conn.execute("SELECT seq FROM sqlite_sequence WHERE name = 'records'").fetchone()
    base = (row[0] if row else 0) + 1
    new = list(range(base, base + len(positions)))
    params = [
        (
            label,
            key,
            batch.ids[pos],
            batch.document(pos),
            dump_meta(clean(batch.metadata(pos))),
            batch.uri(pos),
            seq,
            seq,
        )
        for label, pos in zip(new, positions)
    ]
    conn.executemany(
        "INSERT INTO records (label, collection, id, document, metadata, uri, vseq, mseq) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        params,
    )
    vectors = batch.embeddings
    conn.executemany(
        "INSERT INTO vectors (label, embedding) VALUES (?, ?)",
        [(label, vectors[pos].tobytes()) for label, pos in zip(new, positions)],
    )
    docs = [(p[0], p[3]) for p in params if p[3] is not None]
    if docs:
        conn.executemany("INSERT INTO documents_fts (rowid, document) VALUES (?, ?)", docs)
    return new


@dataclass
class _Change:
    label: int
    document: Optional[str]
    metadata: Optional[str]
    uri: Optional[str]
    position: int
    document_changed: bool


def update(
    conn: sqlite3.Connection,
    seq: int,
    batch: RecordBatch,
    positions: List[int],
    found: Dict[str, Row],
) -> Dict[int, Meta]:
    """Update the stored records of the batch entries at ``positions`` (fields the batch leaves
    out keep their value); returns each record's final metadata by label."""
    changes: List[_Change] = []
    final: Dict[int, Meta] = {}
    for pos in positions:
        old = found[batch.ids[pos]]
        meta = merge_meta(json.loads(old.metadata) if old.metadata else None, batch.metadata(pos))
        final[old.label] = meta
        doc = batch.document(pos)
        doc = old.document if doc is None else doc
        uri = batch.uri(pos)
        uri = old.uri if uri is None else uri
        changes.append(_Change(old.label, doc, dump_meta(meta), uri, pos, doc != old.document))
    if batch.embeddings is not None:
        vectors = batch.embeddings
        conn.executemany(
            "UPDATE records SET document = ?, metadata = ?, uri = ?, vseq = ?, mseq = ? "
            "WHERE label = ?",
            [(c.document, c.metadata, c.uri, seq, seq, c.label) for c in changes],
        )
        conn.executemany(
            "UPDATE vectors SET embedding = ? WHERE label = ?",
            [(vectors[c.position].tobytes(), c.label) for c in changes],
        )
    else:
        conn.executemany(
            "UPDATE records SET document = ?, metadata = ?, uri = ?, mseq = ? WHERE label = ?",
            [(c.document, c.metadata, c.uri, seq, c.label) for c in changes],
        )
    moved = [c for c in changes if c.document_changed]
    if moved:
        conn.executemany("DELETE FROM documents_fts WHERE rowid = ?", [(c.label,) for c in moved])
        conn.executemany(
            "INSERT INTO documents_fts (rowid, document) VALUES (?, ?)",
            [(c.label, c.document) for c in moved if c.document is not None],
        )
    return final


def delete(
    conn: sqlite3.Connection, cid: str, seq: int, gone: Sequence[int], log: bool = True
) -> None:
    """Delete records by label; ``log`` records the deletions for index replay."""
    for chunk in chunks(gone):
        conn.execute(f"DELETE FROM records WHERE label IN ({marks(len(chunk))})", chunk)
        conn.execute(f"DELETE FROM documents_fts WHERE rowid IN ({marks(len(chunk))})", chunk)
    if log:
        conn.executemany(
            "INSERT INTO deletions (seq, collection_id, label) VALUES (?, ?, ?)",
            [(seq, cid, label) for label in gone],
        )


def prune_deletions(conn: sqlite3.Connection, cid: str, seq: int) -> None:
    """Forget deletions a checkpoint at ``seq`` already holds, and say so in the catalog (a
    process whose index is older can no longer replay them)."""
    conn.execute("DELETE FROM deletions WHERE collection_id = ? AND seq <= ?", (cid, seq))
    conn.execute(
        "UPDATE catalog_collections SET pruned_seq = max(pruned_seq, ?) WHERE id = ?", (seq, cid)
    )


@dataclass
class CollectionState:
    """What another process may have changed in a collection's catalog row."""

    dimension: Optional[int]
    metadata: Meta
    configuration: Dict[str, Any]
    pruned_seq: int


def collection_state(conn: sqlite3.Connection, cid: str) -> Optional[CollectionState]:
    """The collection's catalog row, or None when it no longer exists."""
    row = conn.execute(
        "SELECT dimension, metadata, configuration, pruned_seq FROM catalog_collections "
        "WHERE id = ?",
        (cid,),
    ).fetchone()
    if row is None:
        return None
    meta = json.loads(row[1]) if row[1] else None
    return CollectionState(row[0], meta, json.loads(row[2]) if row[2] else {}, int(row[3]))
