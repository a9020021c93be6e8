"""One replica of one shard slot: our embedded engine on a folder of the node it runs on.

A shard slot ``s`` holds, for every collection that has more than ``s`` shards, the records
whose id hashes to ``s``. Inside the replica's folder each such collection is an ordinary
collection of our engine, named after the frontend's collection id, so the replica is a
complete, durable database that ``chroma check`` or ``PersistentClient`` can open on its own.

The class is plain Python; :mod:`chromadb.distributed.pool` turns it into a Ray actor. It is
importable and testable without Ray.
"""

from __future__ import annotations

import os
import socket
import sqlite3
from typing import Any, Dict, List, Optional, Type, cast
from uuid import UUID

from chromadb.api import API
from chromadb.config import Settings, System
from chromadb.errors import NotFoundError

# The record methods of the API contract a replica serves, called with the local collection id.
RECORD_METHODS = frozenset(
    {"_add", "_update", "_upsert", "_get", "_query", "_delete", "_count", "_create_index"}
)


def local_name(collection_id: str) -> str:
    """The name a replica gives the frontend's collection (a valid collection name)."""
    return "c" + UUID(collection_id).hex


class _Order:
    """Each record's global insertion ordinal (given by the frontend), so that records of
    several shards can be listed in the order they were added, as one engine lists them.

    Written after the engine committed the records; a record whose ordinal a crash lost sorts
    last (its data is safe either way: the engine is the record of truth)."""

    def __init__(self, folder: str) -> None:
        self._db = sqlite3.connect(
            os.path.join(folder, "order.sqlite3"), check_same_thread=False, isolation_level=None
        )
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute(
            "CREATE TABLE IF NOT EXISTS ord (collection TEXT NOT NULL, id TEXT NOT NULL, "
            "ord INTEGER NOT NULL, PRIMARY KEY (collection, id)) WITHOUT ROWID"
        )

    def add(self, collection: str, ids: List[str], ords: List[int]) -> None:
        with self._db:
            self._db.executemany(
                "INSERT OR IGNORE INTO ord (collection, id, ord) VALUES (?, ?, ?)",
                [(collection, i, o) for i, o in zip(ids, ords)],
            )

    def of(self, collection: str, ids: List[str]) -> List[int]:
        found: Dict[str, int] = {}
        for start in range(0, len(ids), 500):
            chunk = ids[start : start + 500]
            marks = ",".join("?" * len(chunk))
            rows = self._db.execute(
                f"SELECT id, ord FROM ord WHERE collection = ? AND id IN ({marks})",
                [collection, *chunk],
            )
            found.update({str(r[0]): int(r[1]) for r in rows})
        return [found.get(i, LAST) for i in ids]

    def remove(self, collection: str, ids: Optional[List[str]] = None) -> None:
        with self._db:
            if ids is None:
                self._db.execute("DELETE FROM ord WHERE collection = ?", (collection,))
            else:
                self._db.executemany(
                    "DELETE FROM ord WHERE collection = ? AND id = ?",
                    [(collection, i) for i in ids],
                )


# The ordinal of a record whose own was lost: after every other.
LAST = 2**63 - 1


class ShardReplica:
    """The engine of one replica; every method is one call of the frontend."""

    def __init__(self, folder: str) -> None:
        os.makedirs(folder, exist_ok=True)
        settings = Settings(is_persistent=True, persist_directory=folder, allow_reset=True)
        self._system = System(settings)
        self._api = self._system.instance(cast(Type[API], API))
        self._system.start()
        self._folder = folder
        self._local: Dict[str, UUID] = {}
        self._order = _Order(folder)

    def where(self) -> Dict[str, Any]:
        """Where this replica runs (host, pid, folder): for health checks and the docs."""
        return {"host": socket.gethostname(), "pid": os.getpid(), "folder": self._folder}

    def ensure(
        self,
        collection_id: str,
        metadata: Optional[Dict[str, Any]],
        configuration: Optional[Dict[str, Any]],
    ) -> None:
        """Create this replica's part of a collection, or keep the one that exists."""
        model = self._api._create_collection(
            local_name(collection_id),
            metadata=metadata or None,
            configuration=configuration or None,
            get_or_create=True,
        )
        self._local[collection_id] = model.id

    def drop(self, collection_id: str) -> None:
        """Delete this replica's part of a collection (nothing when it has none)."""
        self._local.pop(collection_id, None)
        self._order.remove(collection_id)
        try:
            self._api._delete_collection(local_name(collection_id))
        except NotFoundError:
            pass

    def modify(self, collection_id: str, metadata: Optional[Dict[str, Any]]) -> None:
        """Replace the collection's metadata, as the frontend's catalog did."""
        self._api._modify(self._id(collection_id), new_metadata=metadata)

    def call(self, method: str, collection_id: str, kwargs: Dict[str, Any]) -> Any:
        """Run one record method of the API contract on this replica's part of a collection."""
        if method == "_dimension":
            return self.dimension(collection_id)
        if method not in RECORD_METHODS:
            raise ValueError(f"{method} is not a record method")
        ords = kwargs.pop("ords", None)
        answer = getattr(self._api, method)(self._id(collection_id), **kwargs)
        if ords is not None:
            self._order.add(collection_id, list(kwargs["ids"]), list(ords))
        elif method == "_delete" and answer:
            self._order.remove(collection_id, list(answer))
        elif method == "_get":
            answer = {**answer, "ords": self._order.of(collection_id, list(answer["ids"]))}
        return answer

    def dimension(self, collection_id: str) -> Optional[int]:
        """The dimension of this replica's part of a collection (None while it has none)."""
        segment = self._api._segment(self._id(collection_id))  # type: ignore[attr-defined]
        segment.sync()
        return cast(Optional[int], segment.dimension)

    def collections(self) -> List[str]:
        """The frontend collection ids this replica holds a part of."""
        names = [model.name for model in self._api._list_collections()]
        return [str(UUID(name[1:])) for name in names if name.startswith("c") and len(name) == 33]

    def reset(self) -> bool:
        """Forget every collection (the frontend's ``reset``)."""
        # Drop collection by collection: the engine's own reset removes the folder's files.
        for collection_id in self.collections():
            self.drop(collection_id)
        self._local.clear()
        return True

    def stop(self) -> None:
        """Checkpoint and close the engine (before the actor is retired)."""
        self._system.stop()

    def _id(self, collection_id: str) -> UUID:
        known = self._local.get(collection_id)
        if known is None:
            known = self._api._get_collection(local_name(collection_id)).id
            self._local[collection_id] = known
        return known
