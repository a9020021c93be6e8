"""What this process holds open for one data folder: the SQLite store, the collections' segments
(their caches) and the background indexer. Every client on the same folder in this process
shares one ``OpenFolder`` (so they share caches and see each other's writes at once); other
processes on the folder have their own and catch up from the write log.

An in-memory database is one ``OpenFolder`` per engine, never shared by path.
"""

from __future__ import annotations

import atexit
import logging
import os
import shutil
import threading
from typing import Callable, Dict, List, Optional

from chromadb.config import DEFAULT_DATABASE, DEFAULT_TENANT
from chromadb.engine.indexer import Indexer
from chromadb.engine.segment import Segment
from chromadb.engine.store import Store

logger = logging.getLogger(__name__)

INDEX_DIR = "index"
DEFAULT_DATABASE_ID = "00000000-0000-0000-0000-000000000000"

_by_path: Dict[str, OpenFolder] = {}
_by_path_lock = threading.Lock()
_in_memory: List[OpenFolder] = []


@atexit.register
def _close_all() -> None:
    # A clean exit saves the indexes so the next open replays nothing.
    with _by_path_lock:
        folders = list(_by_path.values()) + list(_in_memory)
        _by_path.clear()
        _in_memory.clear()
    for folder in folders:
        folder.close()


def acquire(path: Optional[str]) -> OpenFolder:
    """The open folder at ``path`` (opened now if no client in this process has it open), or
    a new in-memory database for None; pair with ``release``."""
    with _by_path_lock:
        if path is None:
            folder = OpenFolder(None)
            _in_memory.append(folder)
            return folder
        key = os.path.realpath(path)
        shared = _by_path.get(key)
        if shared is None:
            shared = _by_path[key] = OpenFolder(key)
        shared.users += 1
        return shared


def release(folder: OpenFolder) -> None:
    """One user fewer; the last one closes the folder (checkpoints saved)."""
    with _by_path_lock:
        if folder.path is None:
            if folder in _in_memory:
                _in_memory.remove(folder)
        else:
            folder.users -= 1
            if folder.users > 0:
                return
            if _by_path.get(folder.path) is folder:
                del _by_path[folder.path]
    folder.close()


class OpenFolder:
    """The store, segments and indexer of one folder in this process."""

    def __init__(self, path: Optional[str]) -> None:
        self.path = path
        self.users = 0
        self.store = Store(path)
        self.segments: Dict[str, Segment] = {}
        # Lock order everywhere: this lock, then a segment's lock.
        self.lock = threading.RLock()
        self.indexer = Indexer(self._pending)
        self.indexer.start()

    def _pending(self) -> List[Segment]:
        with self.lock:
            return [s for s in self.segments.values() if s.pending()]

    def index_folder(self, cid: str) -> Optional[str]:
        return os.path.join(self.path, INDEX_DIR, cid) if self.path else None

    def segment(self, cid: str, make: Callable[[], Segment]) -> Segment:
        """The cached segment of a collection (``make`` builds it on first use); a segment of
        a collection deleted since (here or by another process) is replaced."""
        with self.lock:
            segment = self.segments.get(cid)
            if segment is None or segment.dropped:
                segment = self.segments[cid] = make()
            return segment

    def forget(self, cid: str) -> None:
        with self.lock:
            self.segments.pop(cid, None)

    def close(self) -> None:
        """Stop the indexer, save every index checkpoint and close the database."""
        self.indexer.stop()
        with self.lock:
            for segment in list(self.segments.values()):
                with segment.lock.write():
                    try:
                        segment.checkpoint()
                    except Exception:  # the log replays what a failed checkpoint misses
                        logger.exception("Could not checkpoint collection %s", segment.cid)
            self.segments.clear()
            self.store.close()

    def reset(self) -> None:
        """Delete every tenant, database, collection and record, in one transaction that other
        processes on the folder see like any other write; then the checkpoint files."""
        with self.lock:
            for segment in self.segments.values():
                with segment.lock.write():
                    segment.dropped = True
            self.segments.clear()
            with self.store.tx() as conn:
                tables = [
                    r[0]
                    for r in conn.execute(
                        "SELECT name FROM sqlite_master WHERE type = 'table' "
                        "AND sql NOT LIKE 'CREATE VIRTUAL TABLE%' AND name NOT LIKE 'sqlite_%'"
                    )
                ]
                virtual = [
                    r[0]
                    for r in conn.execute(
                        "SELECT name FROM sqlite_master WHERE type = 'table' "
                        "AND sql LIKE 'CREATE VIRTUAL TABLE%'"
                    )
                ]
                shadow = {t for t in tables for v in virtual if t.startswith(v + "_")}
                for table in [*virtual, *(t for t in tables if t not in shadow)]:
                    if table in ("schema_migrations", "sequence"):
                        continue  # the log sequence goes on: other processes compare with it
                    # Names from sqlite_master, never from a user.
                    conn.execute(f'DELETE FROM "{table}"')  # noqa: S608
                conn.execute("INSERT INTO tenants (name) VALUES (?)", (DEFAULT_TENANT,))
                conn.execute(
                    "INSERT INTO databases (id, name, tenant) VALUES (?, ?, ?)",
                    (DEFAULT_DATABASE_ID, DEFAULT_DATABASE, DEFAULT_TENANT),
                )
                self.store.next_seq(conn)
            if self.path is not None:
                shutil.rmtree(os.path.join(self.path, INDEX_DIR), ignore_errors=True)
