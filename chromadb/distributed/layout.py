"""The frontend's own record of the cluster: how each collection is sharded and which node
holds which replica of which shard slot, in a small SQLite file beside the catalog.

It lets a restarted frontend find every replica again (and know which of them missed writes)
instead of guessing from the nodes that happen to be up.
"""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path
from typing import Dict, List, Tuple

READY = "ready"
STALE = "stale"

_SCHEMA = """
CREATE TABLE IF NOT EXISTS sharding (
    collection_id TEXT PRIMARY KEY,
    shards INTEGER NOT NULL CHECK (shards >= 1),
    replicas INTEGER NOT NULL CHECK (replicas >= 1)
);
-- state: 'ready' (holds every acknowledged write of its slot) or 'stale' (missed some).
CREATE TABLE IF NOT EXISTS replica (
    slot INTEGER NOT NULL,
    node TEXT NOT NULL,
    state TEXT NOT NULL CHECK (state IN ('ready', 'stale')),
    PRIMARY KEY (slot, node)
);
"""


class Layout:
    """Sharding per collection and replica states per slot, durable on every change."""

    def __init__(self, folder: str) -> None:
        Path(folder).mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(
            str(Path(folder) / "ray-layout.sqlite3"), check_same_thread=False, isolation_level=None
        )
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=FULL")
        self._db.executescript(_SCHEMA)
        self._lock = threading.Lock()

    def set_sharding(self, collection_id: str, shards: int, replicas: int) -> None:
        with self._lock:
            self._db.execute(
                "INSERT OR IGNORE INTO sharding (collection_id, shards, replicas) VALUES (?, ?, ?)",
                (collection_id, shards, replicas),
            )

    def sharding(self, collection_id: str) -> Tuple[int, int] | None:
        with self._lock:
            row = self._db.execute(
                "SELECT shards, replicas FROM sharding WHERE collection_id = ?", (collection_id,)
            ).fetchone()
        return (int(row[0]), int(row[1])) if row else None

    def all_sharding(self) -> Dict[str, Tuple[int, int]]:
        with self._lock:
            rows = self._db.execute(
                "SELECT collection_id, shards, replicas FROM sharding"
            ).fetchall()
        return {str(r[0]): (int(r[1]), int(r[2])) for r in rows}

    def forget_collection(self, collection_id: str) -> None:
        with self._lock:
            self._db.execute("DELETE FROM sharding WHERE collection_id = ?", (collection_id,))

    def set_replica(self, slot: int, node: str, state: str) -> None:
        with self._lock:
            self._db.execute(
                "INSERT INTO replica (slot, node, state) VALUES (?, ?, ?) "
                "ON CONFLICT (slot, node) DO UPDATE SET state = excluded.state",
                (slot, node, state),
            )

    def forget_replica(self, slot: int, node: str) -> None:
        with self._lock:
            self._db.execute("DELETE FROM replica WHERE slot = ? AND node = ?", (slot, node))

    def replicas(self) -> List[Tuple[int, str, str]]:
        with self._lock:
            rows = self._db.execute(
                "SELECT slot, node, state FROM replica ORDER BY slot"
            ).fetchall()
        return [(int(r[0]), str(r[1]), str(r[2])) for r in rows]

    def forget_collections(self) -> None:
        """Forget every collection's sharding (a reset). The replicas stay on record: their
        actors live on, emptied, and a restarted frontend must find them again."""
        with self._lock:
            self._db.execute("DELETE FROM sharding")

    def close(self) -> None:
        with self._lock:
            self._db.close()
