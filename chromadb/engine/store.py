"""SQLite, the system of record: connections, the one transaction manager, migrations, and the
folder lock (shared by every process on the folder; exclusive for maintenance).

Persistent: WAL journal, ``synchronous=FULL`` (a write is on disk when its call returns), one
writer connection serialised by a lock and one reader connection per thread. In memory: one
connection behind one lock.
"""

from __future__ import annotations

import contextlib
import errno
import importlib.resources
import logging
import os
import re
import sqlite3
import sys
import threading
import time
from typing import Any, Iterator, List, NoReturn, Optional, Sequence, Tuple

from chromadb.engine.integrity import (
    damaged,
    disk_full,
    is_corruption,
    is_disk_full,
    sqlite_problems,
)
from chromadb.engine.sessions import Session
from chromadb.errors import DataIntegrityError, FolderInUseError, InvalidArgumentError

logger = logging.getLogger(__name__)

if sys.platform == "win32":  # pragma: no cover - exercised on Windows only
    import msvcrt

    def _try_lock(fd: int, shared: bool = False) -> None:
        # Windows has no shared file locks here: every open there is exclusive.
        msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)

    def _unlock(fd: int) -> None:
        msvcrt.locking(fd, msvcrt.LK_UNLCK, 1)

else:
    import fcntl

    def _try_lock(fd: int, shared: bool = False) -> None:
        fcntl.flock(fd, (fcntl.LOCK_SH if shared else fcntl.LOCK_EX) | fcntl.LOCK_NB)

    def _unlock(fd: int) -> None:
        fcntl.flock(fd, fcntl.LOCK_UN)


DB_FILE = "chroma.sqlite3"
LOCK_FILE = "chroma.lock"
# Pages of 32 KiB for new files: an embedding row (1.5 KiB at 384 dimensions) then wastes under
# 1% of its page, where 4 KiB pages held two such rows and left a quarter of each page empty.
PAGE_SIZE = 32_768
# The write-ahead log is folded into the file at about this size, and cut back to it after.
WAL_BYTES = 16 * 1024 * 1024
# SQLite's own page cache per connection, in KiB. Every reader thread has one: at 64 MiB
# each, three connections held 184 MB after a 100k ingest. The writer's holds the id index's
# pages that each insert walks. A reader's is what a query's result rows are read from: the
# records of 100k (ids, documents, metadata) take 14 MB, and fetching a query's 10 rows took
# 51 us a query with 16 MiB against 88-115 us with 4 MiB (each miss copies a 32 KiB page from
# the operating system's cache). A cache fills only with pages actually read.
WRITER_CACHE_KIB = 16_384
READER_CACHE_KIB = 16_384
_MIGRATION_RE = re.compile(r"^(\d{4})_[a-z0-9_]+\.sql$")
_KEYS_OFF = "-- foreign keys off"


class Store:
    """Connections to one database file (or one in-memory database)."""

    def __init__(self, path: Optional[str], exclusive: bool = False) -> None:
        self.path = path
        self._exclusive = exclusive
        self._write_lock = threading.RLock()
        self._local = threading.local()
        self._all: List[sqlite3.Connection] = []
        self._all_lock = threading.Lock()
        self._lock_fh: Any = None
        self._session: Optional[Session] = None
        if path is None:
            self._file = ":memory:"
            self._writer = self._connect(cache_kib=WRITER_CACHE_KIB)
            self._depth = 0
            self.migrate()
            return
        self._file = os.path.join(path, DB_FILE)
        try:
            self._open_folder(path)
        except BaseException:
            self.close()
            raise

    def _open_folder(self, path: str) -> None:
        if os.path.exists(path) and not os.path.isdir(path):
            raise InvalidArgumentError(
                f"The persist directory {path!r} is a file, not a folder: give the path of a "
                "folder (it is created if missing)"
            )
        try:
            os.makedirs(path, exist_ok=True)
            self._lock_folder(path)
            self._session = Session(path)
            self._writer = self._connect(cache_kib=WRITER_CACHE_KIB)
            # Takes effect only on a new, empty file (chroma vacuum converts older ones).
            self._writer.execute(f"PRAGMA page_size={PAGE_SIZE}")
            self._writer.execute("PRAGMA journal_mode=WAL")
            self._writer.execute("PRAGMA synchronous=FULL")
            self._size_wal()
            self._depth = 0
            self._check_after_unclean_stop()
            self.migrate()
        except (OSError, sqlite3.OperationalError) as exc:
            raise _unusable(path, exc) from None
        except sqlite3.DatabaseError as exc:
            if is_corruption(exc):
                raise damaged(self._file, exc) from None
            raise

    def _size_wal(self) -> None:
        """Size the log and the writer's cache for the file's page size (call after a change
        of it)."""
        # SQLite turns a cache size in KiB into pages of the page size at the time: set
        # before a new file took PAGE_SIZE, the writer's cache grew to eight times its limit.
        self._writer.execute(f"PRAGMA cache_size=-{WRITER_CACHE_KIB}")
        page = int(self._writer.execute("PRAGMA page_size").fetchone()[0])
        self._writer.execute(f"PRAGMA wal_autocheckpoint={max(1, WAL_BYTES // page)}")
        self._writer.execute(f"PRAGMA journal_size_limit={WAL_BYTES}")

    def vacuum(self) -> None:
        """Rewrite the file without free pages, at ``PAGE_SIZE``, and empty the log. Only on a
        store opened ``exclusive`` (no other connection may be open)."""
        if self.path is None or not self._exclusive:
            raise RuntimeError("vacuum needs the folder alone")
        with self._write_lock:
            with self._all_lock:
                others = [c for c in self._all if c is not self._writer]
                self._all = [self._writer]
            for conn in others:
                with contextlib.suppress(sqlite3.Error):
                    conn.close()
            self._local = threading.local()
            w = self._writer
            try:
                page = int(w.execute("PRAGMA page_size").fetchone()[0])
                if page != PAGE_SIZE:
                    # A log-mode file keeps its page size: leave the log mode to change it.
                    w.execute("PRAGMA journal_mode=DELETE").fetchall()
                    w.execute(f"PRAGMA page_size={PAGE_SIZE}")
                    w.execute("VACUUM")
                    w.execute("PRAGMA journal_mode=WAL").fetchall()
                    self._size_wal()
                else:
                    w.execute("VACUUM")
                w.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchall()
            except sqlite3.Error as exc:
                self._raise(exc)

    def _check_after_unclean_stop(self) -> None:
        """After a process stopped without closing, check every page before trusting the file;
        on a clean open this costs nothing."""
        session = self._session
        if session is None or not session.stale:
            return
        started = time.perf_counter()
        problems = sqlite_problems(self._writer)
        took = time.perf_counter() - started
        if problems:
            session.release()  # the next open checks again
            raise DataIntegrityError(
                f"{self._file} failed its integrity check after an unclean stop: "
                + "; ".join(problems[:3])
                + f". Nothing was changed; run `chroma check --path {self.path}` for a report "
                f"and `chroma repair --path {self.path}` to recover what can be recovered"
            )
        logger.warning(
            "%s was not closed cleanly by %d process(es); integrity check passed in %.2f s",
            self._file,
            len(session.stale),
            took,
        )
        session.settle()

    def _lock_folder(self, path: str) -> None:
        # Every process on the folder holds a shared lock for as long as it has it open; only
        # work that needs the folder alone takes it exclusively.
        fh = open(os.path.join(path, LOCK_FILE), "a+")
        try:
            _try_lock(fh.fileno(), shared=not self._exclusive)
        except OSError:
            fh.close()
            if self._exclusive:
                raise FolderInUseError(
                    f"The persist directory {path!r} is in use by another client or server; close every "
                    "client and server on it first"
                ) from None
            raise FolderInUseError(
                f"The persist directory {path!r} is held alone by a maintenance command "
                "(check, repair, restore); try again when it has finished"
            ) from None
        self._lock_fh = fh

    def _connect(
        self, readonly: bool = False, cache_kib: int = READER_CACHE_KIB
    ) -> sqlite3.Connection:
        if readonly and self.path is not None:
            conn = sqlite3.connect(
                f"file:{self._file}?mode=ro",
                uri=True,
                check_same_thread=False,
                isolation_level=None,
            )
        else:
            conn = sqlite3.connect(self._file, check_same_thread=False, isolation_level=None)
        conn.execute("PRAGMA foreign_keys=ON")
        conn.execute("PRAGMA busy_timeout=30000")
        conn.execute(f"PRAGMA cache_size=-{int(cache_kib)}")
        with self._all_lock:
            self._all.append(conn)
        return conn

    # -- transactions --------------------------------------------------------------------------
    @contextlib.contextmanager
    def tx(self) -> Iterator[sqlite3.Connection]:
        """The one way to write: BEGIN IMMEDIATE ... COMMIT, or ROLLBACK on any error. Nested
        blocks become savepoints, so an inner failure undoes only the inner part."""
        with self._write_lock:
            conn = self._writer
            try:
                conn.execute(
                    "BEGIN IMMEDIATE" if self._depth == 0 else f"SAVEPOINT sp{self._depth}"
                )
            except sqlite3.Error as exc:
                self._raise(exc)
            self._depth += 1
            try:
                yield conn
                if self._depth == 1:
                    conn.execute("COMMIT")  # may fail too (a full disk): then rolled back below
                else:
                    conn.execute(f"RELEASE sp{self._depth - 1}")
            except BaseException as exc:
                with contextlib.suppress(sqlite3.Error):  # a damaged file may refuse this too
                    if self._depth == 1:
                        conn.execute("ROLLBACK")
                    else:
                        conn.execute(f"ROLLBACK TO sp{self._depth - 1}")
                        conn.execute(f"RELEASE sp{self._depth - 1}")
                self._raise(exc)
            finally:
                self._depth -= 1

    def _raise(self, exc: BaseException) -> NoReturn:
        """Raise a damaged file or a full disk as a clear chromadb error; anything else as is."""
        if is_corruption(exc):
            raise damaged(self._file, exc) from exc
        if is_disk_full(exc):
            raise disk_full(self.path, exc) from exc
        raise exc

    @staticmethod
    def next_seq(conn: sqlite3.Connection) -> int:
        """Take the next log sequence number; call inside ``tx()``."""
        return int(
            conn.execute("UPDATE sequence SET seq = seq + 1 WHERE id = 0 RETURNING seq").fetchone()[
                0
            ]
        )

    def current_seq(self, conn: Optional[sqlite3.Connection] = None) -> int:
        """The newest log sequence committed (by any process): one primary-key read."""
        if conn is not None:
            return int(conn.execute("SELECT seq FROM sequence WHERE id = 0").fetchone()[0])
        with self.read() as reader:
            return int(reader.execute("SELECT seq FROM sequence WHERE id = 0").fetchone()[0])

    @contextlib.contextmanager
    def snapshot(self) -> Iterator[sqlite3.Connection]:
        """A read transaction: every statement in it sees the same committed state."""
        with self.read() as conn:
            if self.path is None or conn.in_transaction:
                yield conn
                return
            conn.execute("BEGIN")
            try:
                yield conn
            finally:
                conn.execute("COMMIT")

    @contextlib.contextmanager
    def scan(self) -> Iterator[sqlite3.Connection]:
        """A read transaction on a connection of its own, closed after: for one long scan (an
        index refill), whose pages are then not kept in a reader's cache. Usable from any
        thread."""
        if self.path is None:
            with self.snapshot() as conn:
                yield conn
            return
        conn = sqlite3.connect(self._file, check_same_thread=False, isolation_level=None)
        try:
            conn.execute("PRAGMA cache_size=-4096")  # each page is read once
            conn.execute("BEGIN")
            yield conn
        except sqlite3.DatabaseError as exc:
            self._raise(exc)
        finally:
            conn.close()

    @contextlib.contextmanager
    def read(self) -> Iterator[sqlite3.Connection]:
        """A connection for reading. In memory it is the single connection (under the lock)."""
        if self.path is None:
            with self._write_lock:
                yield self._writer
            return
        conn: Optional[sqlite3.Connection] = getattr(self._local, "conn", None)
        if conn is None:
            conn = self._local.conn = self._connect()
        try:
            yield conn
        except sqlite3.DatabaseError as exc:
            self._raise(exc)

    def query(self, sql: str, params: Sequence[Any] = ()) -> List[Tuple[Any, ...]]:
        with self.read() as conn:
            return conn.execute(sql, params).fetchall()

    def raw_sql(self, sql: str) -> Tuple[List[str], List[Tuple[Any, ...]]]:
        """Run user SQL on a connection that cannot write."""
        if self.path is None:
            with self._write_lock:
                writer = self._writer
                writer.execute("PRAGMA query_only=ON")
                try:
                    cur = writer.execute(sql)
                    rows = cur.fetchall()
                finally:
                    writer.execute("PRAGMA query_only=OFF")
        else:
            # User SQL reads the file: fold the log into it first, so what raw_sql shows is
            # also what a copy of chroma.sqlite3 alone holds.
            self.checkpoint_wal(blocking=False)
            ro: Optional[sqlite3.Connection] = getattr(self._local, "ro", None)
            if ro is None:
                ro = self._local.ro = self._connect(readonly=True)
                ro.execute("PRAGMA query_only=ON")
            cur = ro.execute(sql)
            rows = cur.fetchall()
        columns = [d[0] for d in cur.description or ()]
        return columns, rows

    # -- schema --------------------------------------------------------------------------------
    def migrate(self) -> None:
        """Apply the numbered migration files not yet recorded, each in its own transaction."""
        conn = self._writer
        conn.execute(
            "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL)"
        )
        done = {row[0] for row in conn.execute("SELECT version FROM schema_migrations")}
        folder = importlib.resources.files("chromadb.engine") / "migrations"
        files = sorted(p.name for p in folder.iterdir() if _MIGRATION_RE.match(p.name))
        for name in files:
            version = int(name[:4])
            if version in done:
                continue
            script = (folder / name).read_text(encoding="utf-8")
            # A migration that rebuilds a table others reference says so on its first line:
            # dropping the old table must not cascade, and the pragma only changes outside a
            # transaction.
            keys_off = script.startswith(_KEYS_OFF)
            if done:  # an existing database: a rebuild of a big table takes a while
                logger.info("Upgrading the database in %s (%s)", self.path, name)
            if keys_off:
                conn.execute("PRAGMA foreign_keys=OFF")
            try:
                self._apply(version, name, script, check_keys=keys_off)
            finally:
                if keys_off:
                    conn.execute("PRAGMA foreign_keys=ON")

    def _apply(self, version: int, name: str, script: str, check_keys: bool) -> None:
        with self.tx() as c:
            # Another process opening the same folder may have applied it meanwhile.
            if c.execute(
                "SELECT 1 FROM schema_migrations WHERE version = ?", (version,)
            ).fetchone():
                return
            for statement in _split_sql(script):
                c.execute(statement)
            if check_keys:
                broken = c.execute("PRAGMA foreign_key_check").fetchmany(5)
                if broken:
                    raise sqlite3.IntegrityError(
                        f"migration {name} would break references ({broken}); nothing was changed"
                    )
            c.execute(
                "INSERT INTO schema_migrations (version, name) VALUES (?, ?)", (version, name)
            )

    def checkpoint_wal(self, blocking: bool = True) -> None:
        """Copy the write-ahead log into the database file (``blocking``: and empty the log,
        waiting for readers of other processes); after it, chroma.sqlite3 alone is complete."""
        if self.path is None:
            return
        mode = "TRUNCATE" if blocking else "PASSIVE"
        with self._write_lock, contextlib.suppress(sqlite3.Error):
            self._writer.execute(f"PRAGMA wal_checkpoint({mode})").fetchall()

    def close(self) -> None:
        """Close every connection, the writer last after folding the log into the file."""
        writer = getattr(self, "_writer", None)
        with self._all_lock:
            conns, self._all = self._all, []
        for conn in conns:
            if conn is not writer:
                with contextlib.suppress(sqlite3.Error):
                    conn.close()
        if writer is not None:
            if self._session is not None:
                # Another process still reading must not hold this close up: then fold in
                # what can be folded without waiting.
                self.checkpoint_wal(blocking=not self._session.others_alive())
            with contextlib.suppress(sqlite3.Error):
                writer.close()
        if self._session is not None:
            self._session.close()
            self._session = None
        if self._lock_fh is not None:
            with contextlib.suppress(OSError):
                _unlock(self._lock_fh.fileno())
                self._lock_fh.close()
            self._lock_fh = None


def _unusable(path: str, exc: BaseException) -> InvalidArgumentError:
    """A clear error for a folder the database cannot live in."""
    read_only = isinstance(exc, OSError) and exc.errno in (errno.EROFS, errno.EACCES, errno.EPERM)
    if read_only or "readonly" in str(exc) or "read-only" in str(exc):
        reason = "it is not writable (read-only folder or file, or no permission)"
    elif isinstance(exc, OSError) and exc.strerror:
        reason = exc.strerror
    else:
        reason = str(exc)
    return InvalidArgumentError(
        f"Cannot use {path!r} as the persist directory: {reason}. The database needs a folder "
        f"it can write ({exc})"
    )


def _split_sql(script: str) -> List[str]:
    """Split a migration into statements (our migrations hold no semicolons inside strings)."""
    lines = [line for line in script.splitlines() if not line.strip().startswith("--")]
    return [s.strip() for s in "\n".join(lines).split(";") if s.strip()]
