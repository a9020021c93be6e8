"""``chroma repair``: fix what can be fixed safely in a data folder, and say what was done.

- A damaged database file is first copied aside (``chroma.sqlite3.damaged-<time>``), never
  deleted. Damage only in SQLite's indexes is fixed by rebuilding them (REINDEX); damage in the
  tables is fixed by copying every readable row into a fresh file, and the rows that could not
  be read are counted as lost.
- Index checkpoints that are unreadable, or hold records the database no longer has, are
  removed (the engine rebuilds them from the database on open); the records they held beyond
  the database are reported as lost, with the kept damaged file as the only other copy.
- Index folders of collections that no longer exist are removed.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import sqlite3
import time
from dataclasses import dataclass, field
from typing import Any, Dict, Iterator, List, Optional, Tuple

import numpy as np

from chromadb.engine.integrity import (
    PROBE_SPAN,
    Report,
    check_folder,
    has_collection_keys,
    readable_rows,
    sqlite_problems,
)
from chromadb.engine.sessions import Session, try_lock, unlock
from chromadb.errors import ChromaError

# Tables copied when salvaging, in an order that satisfies their foreign keys: (table, its
# columns, what a file from before collection keys (migration 0004) reads for them).
_TABLES: Tuple[Tuple[str, str, str], ...] = (
    ("tenants", "name", "name"),
    ("databases", "id, name, tenant", "id, name, tenant"),
    (
        "catalog_collections",
        "id, name, database_id, metadata, configuration, dimension, created_seq, key",
        "id, name, database_id, metadata, configuration, dimension, created_seq, created_seq",
    ),
    (
        "records",
        "label, collection, id, document, metadata, uri, vseq",
        "label, coalesce((SELECT c.created_seq FROM catalog_collections c "
        "WHERE c.id = records.collection_id), -1), id, document, metadata, uri, vseq",
    ),
    ("vectors", "label, embedding", "label, embedding"),
    ("deletions", "seq, collection_id, label", "seq, collection_id, label"),
)


@dataclass
class RepairResult:
    """What ``chroma repair`` found, did, and left."""

    before: Report
    after: Optional[Report] = None
    actions: List[str] = field(default_factory=list)
    lost: Dict[str, int] = field(default_factory=dict)
    kept: Optional[str] = None
    # Labels of the records whose write sequence was garbled (salvage dated them anew).
    redated: List[int] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.after is not None and self.after.ok

    def lines(self) -> List[str]:
        out = ["Before:"] + [f"  {line}" for line in self.before.lines()]
        out += ["Repairs:"] + [f"  {a}" for a in self.actions or ["none needed"]]
        if self.kept:
            out.append(f"The damaged database is kept at {self.kept}")
        if self.after is not None:
            out += ["After:"] + [f"  {line}" for line in self.after.lines()]
        total = sum(self.lost.values())
        out.append(f"{'REPAIRED' if self.ok else 'NOT REPAIRED'}: records lost: {total}")
        return out


def repair_folder(path: str) -> RepairResult:
    """Repair the data folder ``path``; every process must have closed it first."""
    from chromadb.engine.store import DB_FILE, LOCK_FILE

    with _exclusive(path, LOCK_FILE) as session:
        before = check_folder(path, full=True)
        result = RepairResult(before)
        db_file = os.path.join(path, DB_FILE)
        if before.sqlite:
            result.kept = _keep_copy(db_file)
            _repair_sqlite(db_file, result)
        removed = 0
        if before.sqlite or any(c.altered for c in before.collections):
            removed = _restore_embeddings(path, db_file, before, result)
        # Compare the checkpoints with the repaired database: what they hold beyond it is lost.
        middle = check_folder(path, full=False) if before.sqlite or removed else before
        _repair_caches(path, middle, result)
        _repair_fts(db_file, result)
        session.settle()
        result.after = check_folder(path, full=True)
    return result


@contextlib.contextmanager
def _exclusive(path: str, lock_file: str) -> Iterator[Session]:
    if not os.path.isdir(path):
        raise FileNotFoundError(f"no data folder {path}")
    fh = open(os.path.join(path, lock_file), "a+")
    try:
        try:
            try_lock(fh.fileno())
        except OSError:
            raise ChromaError(
                f"{path} is open in another process; stop every server and client using it "
                "before repairing"
            ) from None
        session = Session(path)
        try:
            if session.others_alive():
                raise ChromaError(f"{path} is open in another process; stop it before repairing")
            yield session
        finally:
            session.close()
            unlock(fh.fileno())
    finally:
        fh.close()


def _keep_copy(db_file: str) -> str:
    stamp = time.strftime("%Y%m%d-%H%M%S")
    kept = f"{db_file}.damaged-{stamp}"
    shutil.copy2(db_file, kept)
    if os.path.exists(db_file + "-wal"):
        shutil.copy2(db_file + "-wal", kept + "-wal")
    return kept


def _repair_sqlite(db_file: str, result: RepairResult) -> None:
    conn = sqlite3.connect(db_file, isolation_level=None)
    try:
        with contextlib.suppress(sqlite3.DatabaseError):
            conn.execute("REINDEX")
        whole = not sqlite_problems(conn, full=True)
    finally:
        conn.close()
    if whole:
        result.actions.append("rebuilt the database's indexes (REINDEX): no rows lost")
        return
    _salvage(db_file, result)


def _salvage(db_file: str, result: RepairResult) -> None:
    """Copy every readable row into a fresh database file and put it in place."""
    from chromadb.engine.store import Store

    folder = os.path.dirname(db_file)
    work = os.path.join(folder, ".repair")
    shutil.rmtree(work, ignore_errors=True)
    fresh = Store(work)
    old = sqlite3.connect(f"file:{db_file}?mode=ro", uri=True, isolation_level=None)
    try:
        read, lost = _copy_rows(old, fresh)
        with fresh.tx() as conn:
            result.redated = _restore_counters(old, conn)
            orphans = conn.execute(
                "SELECT count(*) FROM records r WHERE NOT EXISTS "
                "(SELECT 1 FROM vectors v WHERE v.label = r.label)"
            ).fetchone()[0]
            # A record whose embedding is gone cannot be searched or returned whole.
            conn.execute("DELETE FROM records WHERE label NOT IN (SELECT label FROM vectors)")
            conn.execute("DELETE FROM documents_fts")
            conn.execute(
                "INSERT INTO documents_fts (rowid, document) "
                "SELECT label, document FROM records WHERE document IS NOT NULL"
            )
    except BaseException:
        fresh.close()
        shutil.rmtree(work, ignore_errors=True)
        raise
    finally:
        old.close()
    fresh.close()
    for suffix in ("-wal", "-shm"):
        with contextlib.suppress(FileNotFoundError):
            os.remove(db_file + suffix)
    os.replace(os.path.join(work, os.path.basename(db_file)), db_file)
    shutil.rmtree(work, ignore_errors=True)
    result.actions.append(
        f"copied every readable row into a fresh database file: {read} rows read, "
        f"{lost} unreadable rows skipped, {orphans} records without their embedding dropped"
    )


def _copy_rows(old: sqlite3.Connection, fresh: Any) -> Tuple[int, int]:
    read = lost = 0
    with fresh.tx() as conn:
        conn.execute("PRAGMA defer_foreign_keys=ON")
        keyed = has_collection_keys(old)
        for table, columns, before_keys in _TABLES:
            marks = ",".join("?" * (columns.count(",") + 1))
            if table in ("tenants", "databases"):
                conn.execute(f"DELETE FROM {table}")  # the fresh file's defaults
            rows, bad = readable_rows(old, table, columns if keyed else before_keys)
            verb = "INSERT OR IGNORE" if table in ("tenants", "databases") else "INSERT"
            sql = f"{verb} INTO {table} ({columns}) VALUES ({marks})"
            for row in rows:
                try:  # a damaged page can yield rows that break the schema's constraints
                    conn.execute(sql, row)
                    read += 1
                except sqlite3.Error:
                    bad += 1
            lost += bad
        lost += _drop_garbled(conn)
    return read, lost


def _drop_garbled(conn: sqlite3.Connection) -> int:
    """Rows readable but garbled (or whose parent row was lost) would break the engine: drop
    them; returns how many."""
    dropped = 0
    for sql in (
        # Parents first: a garbled catalog row would otherwise fail the commit's key check.
        "DELETE FROM databases WHERE tenant NOT IN (SELECT name FROM tenants)",
        "DELETE FROM catalog_collections WHERE database_id NOT IN (SELECT id FROM databases) "
        "OR typeof(id) != 'text' OR typeof(name) != 'text' OR typeof(key) != 'integer'",
        "DELETE FROM records WHERE collection NOT IN (SELECT key FROM catalog_collections) "
        "OR typeof(id) != 'text' OR typeof(vseq) != 'integer' "
        "OR (metadata IS NOT NULL AND NOT json_valid(metadata))",
        "DELETE FROM vectors WHERE label NOT IN (SELECT label FROM records) "
        "OR typeof(embedding) != 'blob' OR length(embedding) != 4 * (SELECT c.dimension "
        "FROM records r JOIN catalog_collections c ON c.key = r.collection "
        "WHERE r.label = vectors.label)",
        "DELETE FROM deletions WHERE typeof(seq) != 'integer' OR typeof(label) != 'integer'",
    ):
        dropped += conn.execute(sql).rowcount
    return dropped


def _restore_counters(old: sqlite3.Connection, conn: sqlite3.Connection) -> List[int]:
    """The log sequence and the label counter never go back (labels are never reused).
    Returns the labels of the records whose write sequence was garbled."""
    seq = label = 0
    with contextlib.suppress(sqlite3.DatabaseError, TypeError):
        seq = int(old.execute("SELECT seq FROM sequence WHERE id = 0").fetchone()[0])
    with contextlib.suppress(sqlite3.DatabaseError, TypeError):
        label = int(
            old.execute("SELECT seq FROM sqlite_sequence WHERE name = 'records'").fetchone()[0]
        )
    seen = conn.execute(
        "SELECT coalesce(max(vseq), 0), coalesce(max(label), 0) FROM records"
    ).fetchone()
    created = conn.execute(
        "SELECT max(coalesce(max(created_seq), 0), coalesce(max(key), 0)) FROM catalog_collections"
    ).fetchone()
    # The old counter when it can be read (a garbled row may carry any number), else the
    # newest sequence any row shows.
    now = max(seq or int(seen[0]), int(created[0])) + 1
    conn.execute("UPDATE sequence SET seq = ? WHERE id = 0", (now,))
    # A garbled write sequence would hide a record from the index's replay: date it now, and
    # say which (their embeddings are still compared with the checkpoint).
    redated = [
        int(r[0])
        for r in conn.execute(
            "UPDATE records SET vseq = ? WHERE vseq < 1 OR vseq > ? RETURNING label", (now, now)
        )
    ]
    top = max(label, int(seen[1])) + PROBE_SPAN  # room past any label a lost page held
    conn.execute("DELETE FROM sqlite_sequence WHERE name = 'records'")
    conn.execute("INSERT INTO sqlite_sequence (name, seq) VALUES ('records', ?)", (top,))
    return redated


def _restore_embeddings(path: str, db_file: str, report: Report, result: RepairResult) -> int:
    """Embeddings whose bytes changed in SQLite are put back from the checkpoint's checksums
    and parity (records unchanged since it was written); records whose embedding cannot be put
    back are removed. Returns how many were removed."""
    removed = 0
    from chromadb.engine.integrity import altered_embeddings

    conn = sqlite3.connect(db_file, isolation_level=None)
    try:
        for c in report.collections:
            folder = os.path.join(path, _index_dir(), c.id)
            if c.checkpoint_error or not os.path.isdir(folder):
                continue
            try:
                altered = altered_embeddings(conn, c.id, folder, result.redated)
            except (ValueError, sqlite3.DatabaseError):
                continue
            if not altered:
                continue
            restorable = [(label, v) for label, v in altered if v is not None]
            # What cannot be put back is removed like an unreadable row (the damaged file is
            # kept): a garbled vector would be searched as if it were the record's.
            beyond = [label for label, v in altered if v is None]
            conn.execute("BEGIN IMMEDIATE")
            conn.executemany(
                "UPDATE vectors SET embedding = ? WHERE label = ?",
                [(vector.astype(np.float32).tobytes(), label) for label, vector in restorable],
            )
            for label in beyond:
                for table, key in (("vectors", "label"), ("records", "label")):
                    conn.execute(f"DELETE FROM {table} WHERE {key} = ?", (label,))
                with contextlib.suppress(sqlite3.Error):  # the FTS table is rebuilt later
                    conn.execute("DELETE FROM documents_fts WHERE rowid = ?", (label,))
            conn.execute("COMMIT")
            removed += len(beyond)
            from chromadb.engine import checkpoint

            info = checkpoint.read_info(folder)
            space = info is not None and info.space == "cosine"
            note = " (unit length: a cosine index keeps no vector lengths)" if space else ""
            if restorable:
                result.actions.append(
                    f"collection {c.name}: restored {len(restorable)} damaged embeddings from "
                    f"the checkpoint's checksums and parity{note}"
                )
            if beyond:
                result.actions.append(
                    f"collection {c.name}: {len(beyond)} records with damaged embeddings that "
                    "the checkpoint's parity cannot restore (other damage in their group) were "
                    "removed, and are counted as lost"
                )
    finally:
        conn.close()
    return removed


def _repair_caches(path: str, report: Report, result: RepairResult) -> None:
    for c in report.collections:
        folder = os.path.join(path, _index_dir(), c.id)
        if c.lost:
            result.lost[c.id] = c.lost
            result.actions.append(
                f"collection {c.name}: {c.lost} records its checkpoint held are not in the "
                "database and are lost; removed the checkpoint (rebuilt from the database on open)"
            )
        elif c.checkpoint_error:
            result.actions.append(
                f"collection {c.name}: removed its unreadable checkpoint ({c.checkpoint_error}); "
                "rebuilt from the database on open"
            )
        else:
            continue
        shutil.rmtree(folder, ignore_errors=True)
    for orphan in report.orphans:
        shutil.rmtree(orphan, ignore_errors=True)
        result.actions.append(f"removed {orphan}: the index of a collection that no longer exists")


def _repair_fts(db_file: str, result: RepairResult) -> None:
    """Rebuild the substring index of documents when it does not match the records."""
    conn = sqlite3.connect(db_file, isolation_level=None)
    try:
        docs = conn.execute("SELECT count(*) FROM records WHERE document IS NOT NULL").fetchone()[0]
        indexed = conn.execute("SELECT count(*) FROM documents_fts").fetchone()[0]
        if docs == indexed:
            return
        conn.execute("BEGIN IMMEDIATE")
        conn.execute("DELETE FROM documents_fts")
        conn.execute(
            "INSERT INTO documents_fts (rowid, document) "
            "SELECT label, document FROM records WHERE document IS NOT NULL"
        )
        conn.execute("COMMIT")
        result.actions.append(
            f"rebuilt the document search index ({indexed} entries for {docs} documents)"
        )
    finally:
        conn.close()


def _index_dir() -> str:
    from chromadb.engine.opened import INDEX_DIR

    return INDEX_DIR
