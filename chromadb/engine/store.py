"""SQLite, the system of record: connections, the one transaction manager, migrations, and the
folder lock (shared by every process on the folder; exclusive for maintenance).

Persistent: WAL journal, ``synchronous=FULL`` (a write is on disk when its call returns), one
writer connection serialised by a lock and one reader connection per thread. In memory: one
connection behind one lock.
"""

from __future__ import annotations

import contextlib
import importlib.resources
import os
import re
import sqlite3
import sys
import threading
from typing import Any, Iterator, List, Optional, Sequence, Tuple

from chromadb.errors import FolderInUseError

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
_MIGRATION_RE = re.compile(r"^(\d{4})_[a-z0-9_]+\.sql$")


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
        if path is not None:
            os.makedirs(path, exist_ok=True)
            self._lock_folder(path)
            self._file = os.path.join(path, DB_FILE)
        else:
            self._file = ":memory:"
        self._writer = self._connect()
        if path is not None:
            self._writer.execute("PRAGMA journal_mode=WAL")
            self._writer.execute("PRAGMA synchronous=FULL")
        self._depth = 0
        self.migrate()

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

    def _connect(self, readonly: bool = False) -> sqlite3.Connection:
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
        conn.execute("PRAGMA cache_size=-65536")
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
            if self._depth == 0:
                conn.execute("BEGIN IMMEDIATE")
            else:
                conn.execute(f"SAVEPOINT sp{self._depth}")
            self._depth += 1
            try:
                yield conn
            except BaseException:
                self._depth -= 1
                if self._depth == 0:
                    conn.execute("ROLLBACK")
                else:
                    conn.execute(f"ROLLBACK TO sp{self._depth}")
                    conn.execute(f"RELEASE sp{self._depth}")
                raise
            else:
                self._depth -= 1
                if self._depth == 0:
                    conn.execute("COMMIT")
                else:
                    conn.execute(f"RELEASE sp{self._depth}")

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
    def read(self) -> Iterator[sqlite3.Connection]:
        """A connection for reading. In memory it is the single connection (under the lock)."""
        if self.path is None:
            with self._write_lock:
                yield self._writer
            return
        conn: Optional[sqlite3.Connection] = getattr(self._local, "conn", None)
        if conn is None:
            conn = self._local.conn = self._connect()
        yield conn

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
            with self.tx() as c:
                # Another process opening the same folder may have applied it meanwhile.
                if c.execute(
                    "SELECT 1 FROM schema_migrations WHERE version = ?", (version,)
                ).fetchone():
                    continue
                for statement in _split_sql(script):
                    c.execute(statement)
                c.execute(
                    "INSERT INTO schema_migrations (version, name) VALUES (?, ?)", (version, name)
                )

    def close(self) -> None:
        with self._all_lock:
            conns, self._all = self._all, []
        for conn in conns:
            with contextlib.suppress(sqlite3.Error):
                conn.close()
        if self._lock_fh is not None:
            with contextlib.suppress(OSError):
                _unlock(self._lock_fh.fileno())
                self._lock_fh.close()
            self._lock_fh = None


def _split_sql(script: str) -> List[str]:
    """Split a migration into statements (our migrations hold no semicolons inside strings)."""
    lines = [line for line in script.splitlines() if not line.strip().startswith("--")]
    return [s.strip() for s in "\n".join(lines).split(";") if s.strip()]
