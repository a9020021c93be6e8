"""One replica of one shard slot: our embedded engine on a folder of the node it runs on.

A shard slot ``s`` holds, for every collection that has more than ``s`` shards, the records
whose id hashes to ``s``. Inside the replica's folder each such collection is an ordinary
collection of our engine, named after the frontend's collection id, so the replica is a
complete, durable database that ``chroma check`` or ``PersistentClient`` can open on its own.

Beside the engine, a journal (``order.sqlite3``) keeps each record's global insertion ordinal,
the last change of every record (the frontend's write sequence number, and whether it was a
delete) and the highest sequence number applied. A replica that missed writes catches up from
a healthy one by asking for the changes after its own sequence number (:meth:`catch_up`),
instead of copying the whole slot.

The class is plain Python; :mod:`chromadb.distributed.pool` turns it into a Ray actor. It is
importable without Ray (only :meth:`ShardReplica.catch_up` calls another actor).
"""

from __future__ import annotations

import itertools
import os
import socket
import sqlite3
from typing import Any, Dict, List, Optional, Sequence, Tuple, Type, cast
from uuid import UUID

import numpy as np

from chromadb.api import API
from chromadb.base_types import SparseVector
from chromadb.config import Settings, System
from chromadb.errors import NotFoundError

# The record methods of the API contract a replica serves, called with the local collection id.
RECORD_METHODS = frozenset(
    {"_add", "_update", "_upsert", "_get", "_query", "_delete", "_count", "_create_index"}
)


def local_name(collection_id: str) -> str:
    """The name a replica gives the frontend's collection (a valid collection name)."""
    return "c" + UUID(collection_id).hex


# One change of the journal: (collection, id, seq, deleted, insertion ordinal or -1).
Change = Tuple[str, str, int, bool, int]
# Where a listing of changes goes on: (collection, ordinal or -1, id) of the last one given.
Cursor = Tuple[str, int, str]
START: Cursor = ("", -2, "")
# Changes handed over per call while catching up.
CATCH_UP_PAGE = 2000
ALL_FIELDS = ["embeddings", "documents", "metadatas", "uris"]

_SCHEMA = """
CREATE TABLE IF NOT EXISTS ord (collection TEXT NOT NULL, id TEXT NOT NULL,
    ord INTEGER NOT NULL, PRIMARY KEY (collection, id)) WITHOUT ROWID;
-- The last change of each record: a tombstone (deleted = 1) stays, so that a replica that was
-- away when the record went is told to drop it.
CREATE TABLE IF NOT EXISTS change (collection TEXT NOT NULL, id TEXT NOT NULL,
    seq INTEGER NOT NULL, deleted INTEGER NOT NULL, PRIMARY KEY (collection, id)) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS change_seq ON change (seq);
CREATE TABLE IF NOT EXISTS applied (one INTEGER PRIMARY KEY CHECK (one = 0),
    seq INTEGER NOT NULL);
"""


class _Journal:
    """Each record's global insertion ordinal (given by the frontend), so that records of
    several shards can be listed in the order they were added, as one engine lists them; and
    each record's last change, so that a replica can catch up.

    Written after the engine committed the records. A record whose journal entry a crash lost
    sorts last, and is copied again at the next catch-up if another replica changed it (its
    data is safe either way: the engine is the record of truth)."""

    def __init__(self, folder: str) -> None:
        self._db = sqlite3.connect(
            os.path.join(folder, "order.sqlite3"), check_same_thread=False, isolation_level=None
        )
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=FULL")
        self._db.executescript(_SCHEMA)

    def add(self, collection: str, ids: List[str], ords: List[int]) -> None:
        with self._db:
            self._db.executemany(
                "INSERT OR IGNORE INTO ord (collection, id, ord) VALUES (?, ?, ?)",
                [(collection, i, o) for i, o in zip(ids, ords)],
            )

    def record(
        self,
        collection: str,
        changes: Sequence[Tuple[str, int, bool]],
        applied: int,
        ords: Optional[Dict[str, int]] = None,
    ) -> None:
        """Note ``(id, seq, deleted)`` changes (and new records' ordinals) in one transaction,
        and that every write up to ``applied`` is in."""
        with self._db:
            if ords:
                self._db.executemany(
                    "INSERT OR IGNORE INTO ord (collection, id, ord) VALUES (?, ?, ?)",
                    [(collection, i, o) for i, o in ords.items()],
                )
            gone = [(collection, i) for i, _, deleted in changes if deleted]
            if gone:
                self._db.executemany("DELETE FROM ord WHERE collection = ? AND id = ?", gone)
            self._db.executemany(
                "INSERT INTO change (collection, id, seq, deleted) VALUES (?, ?, ?, ?) "
                "ON CONFLICT (collection, id) DO UPDATE SET seq = excluded.seq, "
                "deleted = excluded.deleted",
                [(collection, i, seq, int(deleted)) for i, seq, deleted in changes],
            )
            self._set_applied(applied)

    def _set_applied(self, seq: int) -> None:
        self._db.execute(
            "INSERT INTO applied (one, seq) VALUES (0, ?) "
            "ON CONFLICT (one) DO UPDATE SET seq = max(seq, excluded.seq)",
            (seq,),
        )

    def set_applied(self, seq: int) -> None:
        with self._db:
            self._set_applied(seq)

    def applied(self) -> int:
        row = self._db.execute("SELECT seq FROM applied WHERE one = 0").fetchone()
        return int(row[0]) if row else 0

    def changes_since(self, seq: int, after: Cursor, limit: int) -> List[Change]:
        """Changes after ``seq``, by collection, then insertion ordinal (deletes first), so
        that a replica catching up appends new records in the order they were added."""
        rows = self._db.execute(
            "SELECT collection, id, seq, deleted, k FROM ("
            " SELECT c.collection, c.id, c.seq, c.deleted, COALESCE(o.ord, -1) AS k"
            " FROM change c LEFT JOIN ord o ON o.collection = c.collection AND o.id = c.id"
            " WHERE c.seq > ?)"
            " WHERE (collection, k, id) > (?, ?, ?) ORDER BY collection, k, id LIMIT ?",
            (seq, *after, limit),
        )
        return [(str(r[0]), str(r[1]), int(r[2]), bool(r[3]), int(r[4])) for r in rows]

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
                self._db.execute("DELETE FROM change WHERE collection = ?", (collection,))
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
        self._order = _Journal(folder)

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
        if method == "_sparse_stats":
            return self.sparse_stats(collection_id, **kwargs)
        if method == "_sparse_knn":
            return self.sparse_knn(collection_id, **kwargs)
        if method not in RECORD_METHODS:
            raise ValueError(f"{method} is not a record method")
        ords = kwargs.pop("ords", None)
        seq = kwargs.pop("seq", None)
        answer = getattr(self._api, method)(self._id(collection_id), **kwargs)
        if seq is not None:
            # A write of the frontend: journal what it changed, and that it is applied.
            deleted = method == "_delete"
            changed = list(answer or []) if deleted else list(kwargs.get("ids") or [])
            given = dict(zip(kwargs["ids"], ords)) if ords is not None else None
            self._order.record(
                collection_id, [(i, int(seq), deleted) for i in changed], int(seq), given
            )
        elif ords is not None:
            self._order.add(collection_id, list(kwargs["ids"]), list(ords))
        elif method == "_delete" and answer:
            self._order.remove(collection_id, list(answer))
        if method == "_get":
            answer = {**answer, "ords": self._order.of(collection_id, list(answer["ids"]))}
        return answer

    # -- catching up -------------------------------------------------------------------------
    def applied_seq(self) -> int:
        """The highest write sequence number this replica applied (0 when it has none)."""
        return self._order.applied()

    def changes_since(self, seq: int, after: Cursor, limit: int) -> List[Change]:
        """Up to ``limit`` journal changes after ``seq``, going on from ``after``."""
        return self._order.changes_since(seq, tuple(after), limit)  # type: ignore[arg-type]

    def catch_up(
        self, source: Any, members: List[Tuple[str, Any, Any]], full: bool = False
    ) -> Dict[str, int]:
        """Bring this replica to ``source``'s state (a ready replica of the same slot, as a
        Ray actor handle): the collections of ``members`` (id, metadata, configuration), and
        every record changed after this replica's applied sequence number (every record when
        ``full``). Call only while no write reaches the slot. Returns what was done.
        A plain ``ShardReplica`` as ``source`` is called directly (tests, tools)."""

        def ask(method: str, *args: Any) -> Any:
            if isinstance(source, ShardReplica):
                return getattr(source, method)(*args)
            import ray

            return ray.get(getattr(source, method).remote(*args))

        since = 0 if full else self._order.applied()
        keep = {cid for cid, _, _ in members}
        for cid in self.collections():
            if cid not in keep:
                self.drop(cid)
        for cid, metadata, configuration in members:
            self.ensure(cid, metadata, configuration)
            self._api._modify(self._id(cid), new_metadata=metadata or None)
        upto = int(ask("applied_seq"))
        stats = {"since": since, "upto": upto, "changes": 0, "copied": 0, "updated": 0}
        stats["deleted"] = 0
        cursor: Cursor = START
        while True:
            page: List[Change] = ask("changes_since", since, cursor, CATCH_UP_PAGE)
            if not page:
                break
            last = page[-1]
            cursor = (last[0], last[4], last[1])
            stats["changes"] += len(page)
            for cid, group in itertools.groupby(page, key=lambda change: change[0]):
                if cid in keep:
                    self._apply(cid, list(group), ask, stats)
        self._order.set_applied(upto)
        return stats

    def _apply(self, cid: str, changes: List[Change], ask: Any, stats: Dict[str, int]) -> None:
        """Make the records of ``changes`` what they are on the source, keeping this engine's
        insertion order the ordinals' order: a record kept (same ordinal) is updated in
        place; a new one (or one deleted and added again) is appended, in ordinal order."""
        local = self._id(cid)
        live = [c[1] for c in changes if not c[3]]
        empty: Dict[str, Any] = {"ids": [], "ords": []}
        theirs: Dict[str, Any] = (
            ask("call", "_get", cid, {"ids": live, "include": ALL_FIELDS}) if live else empty
        )
        mine: Dict[str, Any] = (
            self.call("_get", cid, {"ids": live, "include": ["metadatas"]}) if live else empty
        )
        mine_at = {i: p for p, i in enumerate(mine["ids"])}
        their_at = {i: p for p, i in enumerate(theirs["ids"])}
        their_ord = {i: int(theirs["ords"][p]) for i, p in their_at.items()}
        kept = [
            i for i in live
            if i in their_at and i in mine_at and their_ord[i] == mine["ords"][mine_at[i]]
        ]  # fmt: skip
        kept_set = set(kept)
        fresh = sorted(
            (i for i in live if i in their_at and i not in kept_set), key=lambda i: their_ord[i]
        )
        doomed = [c[1] for c in changes if c[3] or c[1] not in their_at]
        doomed += [i for i in fresh if i in mine_at]
        if doomed:
            stats["deleted"] += len(self._api._delete(local, ids=doomed) or [])
            self._order.remove(cid, doomed)
        if kept:
            rows = [their_at[i] for i in kept]
            metadatas: List[Any] = []
            for i, row in zip(kept, rows):
                now = mine["metadatas"][mine_at[i]] or {}
                then = theirs["metadatas"][row] or {}
                # None removes a key on update: the record's metadata becomes exactly theirs.
                exact = {**{k: None for k in now if k not in then}, **then}
                metadatas.append(exact or None)
            self._api._update(
                local,
                ids=kept,
                embeddings=np.asarray(theirs["embeddings"])[rows],
                metadatas=metadatas,
                documents=[theirs["documents"][r] for r in rows],
                uris=[theirs["uris"][r] for r in rows],
            )
            stats["updated"] += len(kept)
        if fresh:
            rows = [their_at[i] for i in fresh]
            self._api._add(
                local,
                ids=fresh,
                embeddings=np.asarray(theirs["embeddings"])[rows],
                metadatas=[theirs["metadatas"][r] for r in rows],
                documents=[theirs["documents"][r] for r in rows],
                uris=[theirs["uris"][r] for r in rows],
            )
            stats["copied"] += len(fresh)
        ords = {i: their_ord[i] for i in fresh}
        self._order.record(cid, [(c[1], c[2], c[3]) for c in changes], 0, ords)

    def dimension(self, collection_id: str) -> Optional[int]:
        """The dimension of this replica's part of a collection (None while it has none)."""
        segment = self._api._segment(self._id(collection_id))  # type: ignore[attr-defined]
        segment.sync()
        return cast(Optional[int], segment.dimension)

    def sparse_stats(self, collection_id: str, key: str, terms: List[int]) -> Tuple[int, List[int]]:
        """BM25's counts on this replica's part: its records, and per term how many live
        sparse vectors at ``key`` hold it (the frontend sums them over the shards, so that a
        sharded collection weighs query terms as one engine over all its records would)."""
        segment = self._api._segment(self._id(collection_id))  # type: ignore[attr-defined]
        segment.sync()
        with segment.lock.read():
            index = segment._index_or_none()
            if index is None:
                return 0, [0] * len(terms)
            sparse = segment._columns_for(index).sparse.get(key)
            live = index.live_mask()
            counts = []
            for term in terms:
                if sparse is None:
                    counts.append(0)
                    continue
                # The live vectors holding the term: a one-term query returns every one.
                probe = SparseVector(indices=[int(term)], values=[1.0])
                slots, _ = sparse.search(probe, max(len(live), 1), live)
                counts.append(len(slots))
            return int(index.count), counts

    def sparse_knn(
        self,
        collection_id: str,
        key: str,
        query: Any,
        limit: int,
        where: Any = None,
        where_document: Any = None,
        ids: Optional[List[str]] = None,
    ) -> Dict[str, Any]:
        """The ``limit`` records of this part with the largest plain dot product with
        ``query`` at ``key`` (the frontend weighted a BM25 query already), with their scores
        and insertion ordinals (which break ties across shards as one engine breaks them)."""
        from chromadb.engine.filters import parse_where, parse_where_document

        segment = self._api._segment(self._id(collection_id))  # type: ignore[attr-defined]
        found, scores = segment.sparse_knn(
            key, query, limit, parse_where(where), parse_where_document(where_document), ids
        )
        return {"ids": found, "scores": scores, "ords": self._order.of(collection_id, found)}

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
