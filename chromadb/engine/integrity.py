"""Checks that stored data is whole: SQLite's own integrity check, and agreement between each
collection's index checkpoint and the records SQLite holds.

SQLite is the truth and a checkpoint is a cache of it, so a checkpoint holding records that
SQLite no longer has (and whose deletion the log does not show) is evidence that SQLite lost
them. That is reported (``DataIntegrityError``), never "repaired" by rebuilding the cache from
the damaged side. The reverse (SQLite holding records the checkpoint lacks) is only a stale
cache, rebuilt from SQLite.
"""

from __future__ import annotations

import contextlib
import errno
import json
import os
import sqlite3
import time
from dataclasses import dataclass, field
from typing import Any, Dict, Iterator, List, Optional, Sequence, Tuple

import numpy as np
from numpy.typing import NDArray

from chromadb.engine.records import KEY
from chromadb.errors import DataIntegrityError, DiskFullError

PROBE_SPAN = 256  # rows read per range from a damaged table; ranges that fail are split
# SQLite's primary result codes for a damaged file: SQLITE_CORRUPT, SQLITE_NOTADB.
_CORRUPT_CODES = (11, 26)
_FULL_CODE = 13  # SQLITE_FULL
_MAX_MESSAGES = 20


def is_corruption(exc: BaseException) -> bool:
    """Whether a SQLite error says the database file is damaged (not busy, not bad SQL)."""
    if not isinstance(exc, sqlite3.DatabaseError):
        return False
    code = getattr(exc, "sqlite_errorcode", None)
    if code is not None:
        return (code & 0xFF) in _CORRUPT_CODES
    text = str(exc)
    return "malformed" in text or "not a database" in text


def damaged(path: Optional[str], exc: BaseException) -> DataIntegrityError:
    """The error a query that met a damaged page raises instead of SQLite's."""
    where = f" in {path}" if path else ""
    return DataIntegrityError(
        f"The database file{where} is damaged ({exc}); nothing was changed. "
        f"Run `chroma check --path {path or 'DIR'}` for a report and `chroma repair` to recover "
        "what can be recovered"
    )


def sqlite_problems(conn: sqlite3.Connection, full: bool = False) -> List[str]:
    """SQLite's own check of every page (``quick_check``; ``integrity_check`` with ``full``,
    which also compares every index with its table). Empty when the file is whole."""
    pragma = "integrity_check" if full else "quick_check"
    try:
        rows = conn.execute(f"PRAGMA {pragma}({_MAX_MESSAGES})").fetchall()
    except sqlite3.DatabaseError as exc:
        return [str(exc)]
    messages = [str(r[0]) for r in rows]
    return [] if messages == ["ok"] else messages


# -- checkpoints against SQLite ------------------------------------------------------------------
def checkpoint_labels(folder: str) -> Optional[Tuple[int, NDArray[np.int64]]]:
    """(sequence, live record labels) of the checkpoint in ``folder``, after checking its
    files against their checksums, without loading the graph; None when there is none.
    Raises ValueError when it is damaged."""
    from chromadb.engine import checkpoint

    info = checkpoint.read_info(folder)  # CheckpointDamaged is a ValueError
    if info is None:
        return None
    checkpoint.verify(folder, info)
    try:
        with np.load(os.path.join(folder, f"{info.seq}.npz")) as data:
            rowids = data["rowids"].astype(np.int64)
            alive = data["alive"].astype(np.bool_)
    except Exception as exc:
        raise ValueError(f"unreadable checkpoint: {exc}") from exc
    if len(rowids) != len(alive) or int(np.count_nonzero(alive)) != info.count:
        raise ValueError("checkpoint slot map and manifest disagree")
    return info.seq, rowids[alive]


def readable_rows(
    conn: sqlite3.Connection, table: str, columns: str
) -> Tuple[List[Sequence[Any]], int]:
    """Every row of ``table`` that can still be read, and how many could not."""
    try:
        return conn.execute(f"SELECT {columns} FROM {table} ORDER BY rowid").fetchall(), 0
    except sqlite3.DatabaseError:
        pass
    rows: List[Sequence[Any]] = []
    bad = 0
    for part, lost in _readable_spans(conn, table, columns, PROBE_SPAN):
        rows += part
        bad += lost
    return rows, bad


def _readable_spans(
    conn: sqlite3.Connection, table: str, columns: str, span: int
) -> Iterator[Tuple[List[Sequence[Any]], int]]:
    """The readable rows of ``table`` by rowid range of ``span`` (a range that cannot be read
    is split until the unreadable rows are found), with how many could not be read."""
    top = _max_rowid(conn, table)
    spans = [(lo, min(lo + span - 1, top)) for lo in range(1, top + 1, span)]
    while spans:
        lo, hi = spans.pop(0)
        try:
            yield (
                conn.execute(
                    f"SELECT {columns} FROM {table} WHERE rowid BETWEEN ? AND ? ORDER BY rowid",
                    (lo, hi),
                ).fetchall(),
                0,
            )
        except sqlite3.DatabaseError:
            if lo == hi:
                yield [], 1
            else:
                mid = (lo + hi) // 2
                spans[:0] = [(lo, mid), (mid + 1, hi)]


def _max_rowid(conn: sqlite3.Connection, table: str) -> int:
    for sql, params in (
        (f"SELECT max(rowid) FROM {table}", ()),
        ("SELECT seq FROM sqlite_sequence WHERE name = ?", (table,)),
        ("SELECT seq FROM sqlite_sequence WHERE name = 'records'", ()),
    ):
        with contextlib.suppress(sqlite3.DatabaseError, TypeError):
            value = conn.execute(sql, params).fetchone()
            if value and value[0]:
                return int(value[0])
    return 100_000


def has_collection_keys(conn: sqlite3.Connection) -> bool:
    """Whether the file's records name collections by key (migration 0004): ``chroma check``
    reads a folder as it is, also one an earlier version wrote and this one has not opened."""
    try:
        return "collection" in {row[1] for row in conn.execute("PRAGMA table_info(records)")}
    except sqlite3.DatabaseError:
        return True


def of_collection(conn: sqlite3.Connection) -> str:
    """The condition "record ``r`` belongs to the collection whose id is bound here"."""
    return f"r.collection = {KEY}" if has_collection_keys(conn) else "r.collection_id = ?"


def readable_labels(conn: sqlite3.Connection) -> Dict[str, NDArray[np.int64]]:
    """Labels of the records whose rows can be read whole, by collection id, from the table
    itself (a damaged row behind a sound index entry is as lost to a reader as a missing one);
    reads the table once, a range of rows at a time."""
    owners: Optional[Dict[Any, str]] = None
    column = "collection_id"
    if has_collection_keys(conn):
        owners = dict(conn.execute("SELECT key, id FROM catalog_collections").fetchall())
        column = "collection"
    found: Dict[str, List[int]] = {}
    columns = f"label, {column}, id, document, metadata, uri"
    for rows, _ in _readable_spans(conn, "records", columns, 16 * PROBE_SPAN):
        for row in rows:
            owner = row[1] if owners is None else owners.get(row[1])
            if owner is not None:
                found.setdefault(owner, []).append(row[0])
    return {cid: np.array(labels, dtype=np.int64) for cid, labels in found.items()}


def labels_lost(
    conn: sqlite3.Connection,
    cid: str,
    labels: NDArray[np.int64],
    after_seq: int,
    have: Optional[NDArray[np.int64]] = None,
) -> NDArray[np.int64]:
    """Of ``labels`` (what a cache holds, as of log sequence ``after_seq``), those SQLite has
    neither as records (``have``, read from the collection's index unless given) nor as
    deletions logged since: records SQLite lost."""
    if len(labels) == 0:
        return labels
    if have is None:
        have = np.fromiter(
            (
                r[0]
                for r in conn.execute(
                    f"SELECT r.label FROM records r WHERE {of_collection(conn)}", (cid,)
                )
            ),
            dtype=np.int64,
        )
    missing = np.setdiff1d(labels, have, assume_unique=False)
    if len(missing) and after_seq >= 0:
        gone = np.fromiter(
            (
                r[0]
                for r in conn.execute(
                    "SELECT label FROM deletions WHERE collection_id = ? AND seq > ?",
                    (cid, after_seq),
                )
            ),
            dtype=np.int64,
        )
        missing = np.setdiff1d(missing, gone)
    return missing


def loss_error(
    name: str, lost: int, cache: int, records: int, path: Optional[str]
) -> DataIntegrityError:
    """The error for a collection whose index holds records SQLite lost."""
    folder = path or "DIR"
    return DataIntegrityError(
        f"Collection {name}: its index checkpoint holds {lost} records that the database no "
        f"longer has (checkpoint {cache} records, database {records}). This suggests damage to "
        f"chroma.sqlite3; nothing was rebuilt or changed. Run `chroma check --path {folder}` "
        f"for a report and `chroma repair --path {folder}` to recover what can be recovered"
    )


def is_disk_full(exc: BaseException) -> bool:
    """Whether a SQLite error says the disk (or the file system) is full."""
    code = getattr(exc, "sqlite_errorcode", None)
    if isinstance(exc, sqlite3.Error) and code is not None:
        return (code & 0xFF) == _FULL_CODE
    return isinstance(exc, OSError) and exc.errno == errno.ENOSPC


def disk_full(path: Optional[str], exc: BaseException) -> DiskFullError:
    """The error a write that found the disk full raises (the write was not stored)."""
    return DiskFullError(
        f"The disk holding {path or 'the database'} is full ({exc}): this write was not "
        "stored, and nothing written before it is lost. Free some space and retry"
    )


# -- a whole folder --------------------------------------------------------------------------------
@dataclass
class CollectionReport:
    """One collection: its records in SQLite against its index checkpoint."""

    id: str
    name: str
    records: int
    checkpoint_seq: Optional[int] = None
    checkpoint_records: Optional[int] = None
    lost: int = 0
    checkpoint_error: Optional[str] = None
    # Embeddings in SQLite that differ from the checksummed checkpoint's copy (flipped bytes
    # inside rows, which SQLite's own check cannot see).
    altered: int = 0
    compare_error: Optional[str] = None

    @property
    def ok(self) -> bool:
        return (
            self.lost == 0
            and self.altered == 0
            and self.checkpoint_error is None
            and self.compare_error is None
        )


@dataclass
class Report:
    """What ``chroma check`` found in a folder."""

    path: str
    sqlite: List[str] = field(default_factory=list)
    collections: List[CollectionReport] = field(default_factory=list)
    orphans: List[str] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return not self.sqlite and all(c.ok for c in self.collections)

    @property
    def records(self) -> int:
        return sum(c.records for c in self.collections)

    @property
    def lost(self) -> int:
        return sum(c.lost for c in self.collections)

    def lines(self) -> List[str]:
        """The report as a person reads it."""
        out = [f"Checked {self.path} in {self.seconds:.2f} s"]
        if self.sqlite:
            out.append("SQLite integrity: DAMAGED")
            out += [f"  {line}" for m in self.sqlite for line in m.splitlines()]
        else:
            out.append("SQLite integrity: ok")
        for c in self.collections:
            if c.checkpoint_error:
                cp = f"checkpoint unreadable ({c.checkpoint_error})"
            elif c.checkpoint_seq is None:
                cp = "no checkpoint (built from the database on open)"
            else:
                cp = f"checkpoint at seq {c.checkpoint_seq} with {c.checkpoint_records} records"
            state = "ok" if c.ok else "PROBLEM"
            out.append(f"Collection {c.name} ({c.id}): {c.records} records; {cp}; {state}")
            if c.compare_error:
                out.append(f"  {c.compare_error}")
            if c.altered:
                out.append(
                    f"  {c.altered} embeddings in the database differ from the checksums "
                    "the checkpoint keeps (damaged rows)"
                )
            if c.lost:
                out.append(
                    f"  {c.lost} records in the checkpoint are missing from the database "
                    "(lost from chroma.sqlite3)"
                )
        for orphan in self.orphans:
            out.append(f"Index folder {orphan} belongs to no collection (left by a deletion)")
        verdict = "OK" if self.ok else "PROBLEMS FOUND"
        altered = sum(c.altered for c in self.collections)
        out.append(
            f"{verdict}: {len(self.collections)} collections, {self.records} records checked, "
            f"lost: {self.lost}, altered: {altered}"
        )
        return out


def connect_readonly(db_file: str) -> sqlite3.Connection:
    """A connection that cannot change the file (a check never writes)."""
    if not os.path.isfile(db_file):
        raise FileNotFoundError(f"no database file {db_file}")
    conn = sqlite3.connect(f"file:{db_file}?mode=ro", uri=True, isolation_level=None)
    conn.execute("PRAGMA query_only=ON")
    return conn


def check_folder(path: str, full: bool = True) -> Report:
    """Check the data folder ``path``: SQLite's integrity, every checkpoint, and that each
    checkpoint holds nothing the database lost. Only reads."""
    from chromadb.engine.store import DB_FILE

    started = time.perf_counter()
    report = Report(path=path)
    conn = connect_readonly(os.path.join(path, DB_FILE))
    try:
        report.sqlite = sqlite_problems(conn, full=full)
        try:
            rows = conn.execute(
                "SELECT id, name FROM catalog_collections ORDER BY rowid"
            ).fetchall()
        except sqlite3.DatabaseError as exc:
            report.sqlite.append(f"cannot list collections: {exc}")
            rows = []
        try:
            readable: Optional[Dict[str, NDArray[np.int64]]] = readable_labels(conn)
        except sqlite3.DatabaseError as exc:
            readable, unreadable = None, f"records unreadable: {exc}"
        for cid, name in rows:
            if readable is None:
                report.collections.append(
                    CollectionReport(cid, name, 0, checkpoint_error=unreadable)
                )
                continue
            have = readable.get(cid, np.empty(0, dtype=np.int64))
            report.collections.append(_check_collection(conn, path, cid, name, have, full))
        report.orphans = _orphans(path, {r[0] for r in rows})
    finally:
        conn.close()
    report.seconds = time.perf_counter() - started
    return report


def _check_collection(
    conn: sqlite3.Connection,
    path: str,
    cid: str,
    name: str,
    have: NDArray[np.int64],
    full: bool,
) -> CollectionReport:
    """``have``: the labels of the collection's records that can be read."""
    from chromadb.engine.opened import INDEX_DIR

    report = CollectionReport(cid, name, len(have))
    folder = os.path.join(path, INDEX_DIR, cid)
    try:
        found = checkpoint_labels(folder)
    except ValueError as exc:
        report.checkpoint_error = str(exc)
        return report
    if found is None:
        return report
    seq, labels = found
    report.checkpoint_seq, report.checkpoint_records = seq, len(labels)
    try:
        report.lost = len(labels_lost(conn, cid, labels, seq, have=have))
        if full:
            report.altered = len(altered_embeddings(conn, cid, folder))
    except sqlite3.DatabaseError as exc:
        report.compare_error = f"cannot compare with the database: {exc}"
    except ValueError as exc:
        report.checkpoint_error = str(exc)
    return report


def altered_embeddings(
    conn: sqlite3.Connection, cid: str, folder: str, suspects: Sequence[int] = ()
) -> List[Tuple[int, Optional[NDArray[np.float32]]]]:
    """(label, the vector the checkpoint vouches for) of every record unchanged since the
    checkpoint whose embedding in SQLite differs from it; the vector is None where the
    checkpoint cannot give it back (its parity group has another damaged or changed member).
    ``suspects`` are labels whose write sequence cannot be trusted (garbled): compared too, and
    never given back. Cosine vectors are compared (and given) as the index stores them, unit
    length."""
    from chromadb.engine import checkpoint

    info = checkpoint.read_info(folder)
    if info is None:
        return []
    if info.format == 2:
        return list(_altered_against_copy(conn, cid, folder))
    from chromadb.engine import slotsums
    from chromadb.engine.index import IndexParams, VectorIndex

    checkpoint.verify(folder, info)
    try:
        with np.load(os.path.join(folder, f"{info.seq}.npz")) as data:
            rowids = data["rowids"].astype(np.int64)
            alive = data["alive"].astype(np.bool_)
            dead = data["dead"].astype(np.int64)
            dead_vectors = np.asarray(data["dead_vectors"], dtype=np.float32)
            sums = data["sums"].astype(np.uint64)
            parity = np.asarray(data["parity"], dtype=np.uint8)
    except Exception as exc:
        raise ValueError(f"unreadable checkpoint: {exc}") from exc
    d = info.dimension
    prepare = VectorIndex(IndexParams(d, info.space)).prepare
    current = np.zeros((len(rowids), d), dtype=np.float32)
    known = np.zeros(len(rowids), dtype=np.bool_)  # slots whose checkpoint-time vector we read
    current[dead], known[dead] = dead_vectors, True
    live = np.flatnonzero(alive)
    slot_of = dict(zip(rowids[live].tolist(), live.tolist()))
    cur = conn.execute(
        "SELECT r.label, v.embedding FROM records r JOIN vectors v ON v.label = r.label "
        f"WHERE {of_collection(conn)} AND (r.vseq <= ? OR r.label IN "
        "(SELECT value FROM json_each(?))) ORDER BY r.label",
        (cid, info.seq, json.dumps(list(suspects))),
    )
    while batch := cur.fetchmany(5_000):
        for label, blob in batch:
            slot = slot_of.get(label)
            if slot is None:
                continue
            known[slot] = True
            if len(blob) == 4 * d:  # a damaged length stays zero: it fails its checksum
                current[slot] = prepare(np.frombuffer(blob, dtype=np.float32)[None, :])[0]
    out: List[Tuple[int, Optional[NDArray[np.float32]]]] = []
    doubtful = set(suspects)
    for slot, vector in slotsums.restore(current, known, sums, parity):
        if vector is not None and _same(vector, current[slot], info.space):
            continue  # rounding apart (another machine's arithmetic), not damage
        label = int(rowids[slot])
        # A record whose write sequence was garbled may have been changed after the
        # checkpoint: its vector there would be an old one, so it is not put back.
        out.append((label, None if label in doubtful else vector))
    return out


def _altered_against_copy(
    conn: sqlite3.Connection, cid: str, folder: str
) -> Iterator[Tuple[int, NDArray[np.float32]]]:
    # An old-layout (format 2) checkpoint keeps a whole copy of the vectors to compare with.
    from chromadb.engine import checkpoint
    from chromadb.engine.index import IndexParams, VectorIndex

    info = checkpoint.read_info(folder)
    if info is None:
        return
    index, seq = VectorIndex.load(folder, IndexParams(info.dimension, info.space))
    cur = conn.execute(
        "SELECT r.label, v.embedding FROM records r JOIN vectors v ON v.label = r.label "
        f"WHERE {of_collection(conn)} AND r.vseq <= ? ORDER BY r.label",
        (cid, seq),
    )
    while batch := cur.fetchmany(5_000):
        pairs = [(label, blob) for label, blob in batch if index.slot(label) is not None]
        if not pairs:
            continue
        slots = np.fromiter((index.slot(lb) for lb, _ in pairs), dtype=np.int64)
        cached = index.vectors_at(slots)
        for (label, blob), vector in zip(pairs, cached):
            stored = (
                np.frombuffer(blob, dtype=np.float32) if len(blob) == 4 * info.dimension else None
            )
            if stored is None or not _same(index.prepare(stored[None, :])[0], vector, info.space):
                yield int(label), vector


def _same(a: NDArray[np.float32], b: NDArray[np.float32], space: str) -> bool:
    if space == "cosine":  # normalised on both sides: equal up to rounding
        return bool(np.allclose(a, b, rtol=1e-5, atol=1e-6))
    return bool(np.array_equal(a, b))


def _orphans(path: str, collections: set[str]) -> List[str]:
    from chromadb.engine.opened import INDEX_DIR

    folder = os.path.join(path, INDEX_DIR)
    if not os.path.isdir(folder):
        return []
    return sorted(
        os.path.join(folder, name)
        for name in os.listdir(folder)
        if name not in collections and os.path.isdir(os.path.join(folder, name))
    )
