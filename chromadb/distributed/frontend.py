"""The API contract served from a Ray cluster: a catalog here, records in shards there.

The frontend keeps tenants, databases and collections in an embedded engine of its own (its
``persist_directory``), and how each collection is sharded in :class:`Layout`. Records live
only in the shards: ids are split by hash, writes go to every ready replica of each shard and
are acknowledged once all of them committed, reads go to one replica of each shard and are
merged exactly (:mod:`chromadb.distributed.merge`).

A collection takes its shard and replica counts from ``configuration={"sharding": {"shards":
N, "replicas": R}}`` when given, else from the frontend's defaults (``chroma run --ray ...
--shards N --replicas R``).
"""

from __future__ import annotations

import contextlib
import logging
import os
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from functools import partial
from typing import (
    Any,
    Callable,
    Dict,
    Iterator,
    List,
    Optional,
    Sequence,
    Tuple,
    Type,
    TypeVar,
    cast,
)
from uuid import UUID

import numpy as np

from chromadb.api import API
from chromadb.api.collection_configuration import schema_json_of
from chromadb.api.models.model import CollectionModel, Database, Tenant
from chromadb.api.schema import sparse_indexes_of
from chromadb.api.types import (
    DEFAULT_GET_INCLUDE,
    DEFAULT_QUERY_INCLUDE,
    GetResult,
    QueryResult,
)
from chromadb.base_types import SparseVector
from chromadb.config import DEFAULT_TENANT, Settings, System
from chromadb.distributed.layout import Layout
from chromadb.distributed.merge import merge_query, select_get
from chromadb.distributed.phases import PhaseLock
from chromadb.distributed.placement import split_by_shard
from chromadb.distributed.pool import Member, Replica, ReplicaPool, require_ray
from chromadb.engine import validation as v
from chromadb.engine.sparse import idf
from chromadb.errors import BatchSizeExceededError, InvalidArgumentError, NotFoundError

logger = logging.getLogger(__name__)
T = TypeVar("T")
SHARDING_KEY = "sharding"


def _take(value: Any, positions: List[int]) -> Any:
    if value is None:
        return None
    if isinstance(value, np.ndarray):
        return value[positions]
    return [value[p] for p in positions]


def _sharding(
    configuration: Optional[Dict[str, Any]], shards: int, replicas: int
) -> Tuple[int, int]:
    spec = (configuration or {}).get(SHARDING_KEY) or {}
    if not isinstance(spec, dict) or set(spec) - {"shards", "replicas"}:
        raise InvalidArgumentError('configuration["sharding"] takes {"shards": N, "replicas": R}')
    n, r = spec.get("shards", shards), spec.get("replicas", replicas)
    for what, value in (("shards", n), ("replicas", r)):
        if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 256:
            raise InvalidArgumentError(
                f"sharding {what} must be an integer from 1 to 256, got {value!r}"
            )
    return n, r


class RayAPI(API):
    """Implements the API contract over shard replicas on a Ray cluster."""

    def __init__(
        self,
        system: System,
        address: str,
        shards: int = 2,
        replicas: int = 2,
        data_root: Optional[str] = None,
        poll_s: float = 1.0,
    ) -> None:
        super().__init__(system)
        ray = require_ray()
        self._ray = ray
        if not ray.is_initialized():
            ray.init(address=address, namespace="chromadb", log_to_driver=False)
        folder = os.path.abspath(self.settings.persist_directory)
        local = Settings(
            is_persistent=True, persist_directory=folder, allow_reset=self.settings.allow_reset
        )
        self._catalog_system = System(local)
        self._catalog = self._catalog_system.instance(cast(Type[API], API))
        self._catalog_system.start()
        self._defaults = _sharding(None, shards, replicas)
        self._layout = Layout(folder)
        # Before the pool: its repair thread asks for members (the catalog's models) at once.
        self._models: Dict[str, CollectionModel] = {}
        self._models_lock = threading.Lock()
        self._pool = ReplicaPool(
            self._layout,
            data_root or os.path.join(folder, "shards"),
            self._members,
            namespace="chromadb",
            poll_s=poll_s,
        )
        self._fanout = ThreadPoolExecutor(max_workers=16, thread_name_prefix="chromadb-ray")
        self._ord_lock = threading.Lock()
        self._last_ord = 0
        # Per collection: reads never overlap a write half applied (see phases.py).
        self._phases: Dict[str, PhaseLock] = {}
        # Per collection: its embeddings' dimension once known, so that a batch is checked
        # whole before any shard writes a part of it. A first write holds _first_write.
        self._dims: Dict[str, int] = {}
        self._first_write = threading.Lock()

    # -- cluster ------------------------------------------------------------------------------
    @property
    def pool(self) -> ReplicaPool:
        """The shard replicas (placement, rebalance)."""
        return self._pool

    def stop(self) -> None:
        self._pool.stop()
        self._fanout.shutdown(wait=False)
        self._catalog_system.stop()
        self._layout.close()

    def _members(self, slot: int) -> List[Member]:
        members = []
        for cid, (shards, _) in self._layout.all_sharding().items():
            if shards > slot:
                model = self._model(cid)
                members.append(Member(cid, model.metadata, self._shard_configuration(model)))
        return members

    @staticmethod
    def _shard_configuration(model: CollectionModel) -> Optional[Dict[str, Any]]:
        configuration = dict(model.configuration or {})
        configuration.pop(SHARDING_KEY, None)
        return configuration or None

    def _model(self, collection_id: str) -> CollectionModel:
        with self._models_lock:
            model = self._models.get(collection_id)
        if model is None:
            model = self._catalog._get_collection(collection_id)
            with self._models_lock:
                self._models[collection_id] = model
        return model

    def _phase(self, collection_id: str) -> PhaseLock:
        with self._models_lock:
            return self._phases.setdefault(collection_id, PhaseLock())

    def _dimension(self, cid: str, shards: int) -> Optional[int]:
        """The collection's dimension (asked of its shards until one holds a vector)."""
        known = self._dims.get(cid)
        if known is None:
            asked = self._each(
                [partial(self._read_slot, s, "_dimension", cid, {}) for s in range(shards)]
            )
            found = [int(d) for d in asked if d is not None]
            if found:
                known = self._dims[cid] = found[0]
        return known

    def _shards(self, collection_id: Any) -> int:
        cid = str(collection_id)
        found = self._layout.sharding(cid)
        if found is None:
            raise NotFoundError(f"Collection {cid} does not exist.")
        return found[0]

    # -- calling replicas ------------------------------------------------------------------------
    def _resolve(self, ref: Any, replica: Replica) -> Any:
        """The answer of a call made on ``replica``: its own error re-raised as is, a dead
        replica recorded as lost (and RayActorError raised)."""
        exceptions = self._ray.exceptions
        try:
            return self._ray.get(ref)
        except exceptions.RayTaskError as exc:
            cause = exc.cause if isinstance(getattr(exc, "cause", None), BaseException) else None
            if cause is not None:
                raise cause from None
            raise
        except (exceptions.RayActorError, exceptions.ActorUnavailableError):
            self._pool.lost(replica)
            raise

    @contextlib.contextmanager
    def _holding(self, slots: Sequence[int]) -> Iterator[int]:
        """Hold the locks of ``slots`` (in slot order, so two writers never deadlock) and give
        the write its sequence number. A write holds every slot it touches for its whole
        time, so that on every replica writes apply in sequence and ordinal order."""
        with contextlib.ExitStack() as stack:
            for slot in sorted(slots):
                stack.enter_context(self._pool.slot_lock(slot))
            yield self._ords(1)[0]

    def _write_slot(self, slot: int, method: str, cid: str, kwargs: Dict[str, Any]) -> Any:
        """Run a write on every ready replica of ``slot`` (whose lock the caller holds, see
        :meth:`_holding`, and whose ``seq`` is in ``kwargs``); the first replica's answer."""
        replicas = self._pool.writers(slot)
        refs = [(r, r.handle.call.remote(method, cid, kwargs)) for r in replicas]
        answers = []
        for replica, ref in refs:
            try:
                answers.append(self._resolve(ref, replica))
            except (
                self._ray.exceptions.RayActorError,
                self._ray.exceptions.ActorUnavailableError,
            ):
                continue  # dropped from the slot; the others hold the write
        if not answers:
            from chromadb.errors import ShardUnavailableError

            raise ShardUnavailableError(f"Every replica of shard {slot} failed during {method}")
        self._pool.committed(slot)
        return answers[0]

    def _read_slot(self, slot: int, method: str, cid: str, kwargs: Dict[str, Any]) -> Any:
        tried: List[str] = []
        while True:
            replica = self._pool.reader(slot, avoid=tried)
            try:
                return self._resolve(replica.handle.call.remote(method, cid, kwargs), replica)
            except (self._ray.exceptions.RayActorError, self._ray.exceptions.ActorUnavailableError):
                tried.append(replica.node)

    def _each(self, calls: Sequence[Callable[[], T]]) -> List[T]:
        """Run ``calls`` at once (one per shard); re-raise the first failure."""
        return [f.result() for f in [self._fanout.submit(c) for c in calls]]

    def _broadcast(self, collection_id: str, method: str, *args: Any) -> None:
        """Run a per-collection replica method (ensure, drop, modify) on every replica of the
        collection's slots."""
        for slot in range(self._shards(collection_id)):
            with self._pool.slot_lock(slot):
                for replica in self._pool.writers(slot):
                    call = getattr(replica.handle, method)
                    self._resolve(call.remote(collection_id, *args), replica)

    # -- tenants, databases, collections: the catalog ---------------------------------------------
    def create_tenant(self, name: str) -> None:
        self._catalog.create_tenant(name)

    def get_tenant(self, name: str) -> Tenant:
        return self._catalog.get_tenant(name)

    def create_database(self, name: str, tenant: str = DEFAULT_TENANT) -> None:
        self._catalog.create_database(name, tenant)

    def get_database(self, name: str, tenant: str = DEFAULT_TENANT) -> Database:
        return self._catalog.get_database(name, tenant)

    def delete_database(self, name: str, tenant: str = DEFAULT_TENANT) -> None:
        for model in self._catalog._list_collections(tenant=tenant, database=name):
            self._drop_records(str(model.id))
        self._catalog.delete_database(name, tenant)

    def list_databases(
        self,
        limit: Optional[int] = None,
        offset: Optional[int] = None,
        tenant: str = DEFAULT_TENANT,
    ) -> List[Database]:
        return self._catalog.list_databases(limit, offset, tenant)

    def _heartbeat(self) -> int:
        return self._catalog._heartbeat()

    def _list_collections(self, *args: Any, **kwargs: Any) -> List[CollectionModel]:
        return self._catalog._list_collections(*args, **kwargs)

    def _count_collections(self, *args: Any, **kwargs: Any) -> int:
        return self._catalog._count_collections(*args, **kwargs)

    def _get_collection(self, *args: Any, **kwargs: Any) -> CollectionModel:
        return self._catalog._get_collection(*args, **kwargs)

    def _create_collection(self, name: str, *args: Any, **kwargs: Any) -> CollectionModel:
        configuration = kwargs.get("configuration")
        shards, replicas = _sharding(configuration, *self._defaults)
        if configuration and SHARDING_KEY in configuration:
            # The catalog stores the collection's own configuration; sharding is the layout's.
            rest = {k: v for k, v in configuration.items() if k != SHARDING_KEY}
            kwargs["configuration"] = rest or None
        model = self._catalog._create_collection(name, *args, **kwargs)
        cid = str(model.id)
        if self._layout.sharding(cid) is None:
            self._layout.set_sharding(cid, shards, replicas)
            for slot in range(shards):
                self._pool.want(slot, replicas)
            self._broadcast(cid, "ensure", model.metadata, self._shard_configuration(model))
        return model

    def _delete_collection(self, *args: Any, **kwargs: Any) -> None:
        model = self._catalog._get_collection(*args, **kwargs)
        self._drop_records(str(model.id))
        self._catalog._delete_collection(*args, **kwargs)

    def _drop_records(self, cid: str) -> None:
        if self._layout.sharding(cid) is not None:
            self._broadcast(cid, "drop")
            self._layout.forget_collection(cid)
        with self._models_lock:
            self._models.pop(cid, None)
            self._dims.pop(cid, None)

    def _modify(self, id: UUID, *args: Any, **kwargs: Any) -> CollectionModel:
        model = self._catalog._modify(id, *args, **kwargs)
        cid = str(model.id)
        with self._models_lock:
            self._models[cid] = model
        self._broadcast(cid, "modify", model.metadata)
        return model

    # -- records: the shards -----------------------------------------------------------------------
    def _ords(self, n: int) -> List[int]:
        """``n`` fresh insertion ordinals, increasing across calls and restarts."""
        with self._ord_lock:
            start = max(time.time_ns(), self._last_ord + 1)
            self._last_ord = start + n - 1
        return list(range(start, start + n))

    def _split_write(
        self,
        method: str,
        collection_id: UUID,
        ids: Any,
        fields: Dict[str, Any],
        extra: Dict[str, Any],
    ) -> bool:
        """Check the whole batch as one engine would, then send each shard its records
        (``fields`` are per record, ``extra`` as given)."""
        cid = str(collection_id)
        shards = self._shards(cid)
        ids = v.validate_ids(ids)
        v.validate_lengths(len(ids), **fields)
        if len(ids) > self._get_max_batch_size():
            raise BatchSizeExceededError(
                f"Batch of {len(ids)} records exceeds the maximum batch size "
                f"{self._get_max_batch_size()}"
            )
        fields = {
            "embeddings": fields["embeddings"],
            "metadatas": v.validate_metadatas(fields["metadatas"]),
            "documents": v.validate_documents(fields["documents"]),
            "uris": v.validate_documents(fields["uris"], field="uris"),
        }
        with self._phase(cid).writing():
            first = self._dims.get(cid) is None
            with self._first_write if first else contextlib.nullcontext():
                if fields["embeddings"] is not None:
                    fields["embeddings"] = v.validate_embeddings(
                        fields["embeddings"], self._dimension(cid, shards)
                    )
                groups = split_by_shard(ids, shards)
                slots = [slot for slot, positions in enumerate(groups) if positions]
                with self._holding(slots) as seq:
                    if method in ("_add", "_upsert"):
                        fields["ords"] = self._ords(len(ids))
                    calls = []
                    for slot in slots:
                        part = {"ids": _take(ids, groups[slot]), "seq": seq, **extra}
                        part.update({k: _take(f, groups[slot]) for k, f in fields.items()})
                        calls.append(partial(self._write_slot, slot, method, cid, part))
                    self._each(calls)
                vectors = fields["embeddings"]
                if first and vectors is not None and len(vectors):
                    self._dims[cid] = int(vectors.shape[1])
        return True

    def _add(
        self,
        collection_id: UUID,
        ids: Any,
        embeddings: Any,
        metadatas: Any = None,
        documents: Any = None,
        uris: Any = None,
        **kwargs: Any,
    ) -> bool:
        fields = {"embeddings": embeddings, "metadatas": metadatas, "documents": documents}
        return self._split_write("_add", collection_id, ids, {**fields, "uris": uris}, kwargs)

    def _update(
        self,
        collection_id: UUID,
        ids: Any,
        embeddings: Any = None,
        metadatas: Any = None,
        documents: Any = None,
        uris: Any = None,
        **kwargs: Any,
    ) -> bool:
        fields = {"embeddings": embeddings, "metadatas": metadatas, "documents": documents}
        return self._split_write("_update", collection_id, ids, {**fields, "uris": uris}, kwargs)

    def _upsert(
        self,
        collection_id: UUID,
        ids: Any,
        embeddings: Any,
        metadatas: Any = None,
        documents: Any = None,
        uris: Any = None,
        **kwargs: Any,
    ) -> bool:
        fields = {"embeddings": embeddings, "metadatas": metadatas, "documents": documents}
        return self._split_write("_upsert", collection_id, ids, {**fields, "uris": uris}, kwargs)

    def _delete(
        self,
        collection_id: UUID,
        ids: Any = None,
        where: Any = None,
        where_document: Any = None,
        limit: Optional[int] = None,
        **kwargs: Any,
    ) -> Any:
        cid = str(collection_id)
        shards = self._shards(cid)
        ids = v.validate_ids(ids) if ids is not None else None
        limit, _ = v.validate_limit_offset(limit, None)
        with self._phase(cid).writing():
            return self._delete_records(cid, shards, ids, where, where_document, limit, kwargs)

    def _delete_records(
        self,
        cid: str,
        shards: int,
        ids: Optional[List[str]],
        where: Any,
        where_document: Any,
        limit: Optional[int],
        kwargs: Dict[str, Any],
    ) -> List[str]:
        filters = {"where": where, "where_document": where_document, **kwargs}
        if limit is not None and shards > 1:
            # Per shard, a limit would delete up to limit x shards records. The first `limit`
            # matches in global insertion order are the ones one engine deletes: find them,
            # then delete those ids (still under the filters, in case one changed meanwhile).
            found = self._get_records(cid, shards, ids, limit, None, {**filters, "include": []}, [])
            ids = list(found["ids"])
            if not ids:
                return []
        elif limit is not None:
            filters["limit"] = limit
        if ids is not None:
            groups = split_by_shard(ids, shards)
            parts = {slot: {"ids": _take(ids, p)} for slot, p in enumerate(groups) if p}
        else:
            parts = {slot: {"ids": None} for slot in range(shards)}
        deleted: List[str] = []
        with self._holding(list(parts)) as seq:
            calls = [
                partial(self._write_slot, slot, "_delete", cid, {**part, **filters, "seq": seq})
                for slot, part in parts.items()
            ]
            for answer in self._each(calls):
                deleted.extend(answer or [])
        return deleted

    def _search(
        self,
        collection_id: UUID,
        searches: List[Any],
        tenant: str = DEFAULT_TENANT,
        database: str = "default_database",
        read_level: Any = "index_and_wal",
    ) -> Any:
        # The evaluator runs over this API's own _query / _get, which fan out to every shard
        # and merge nearest-first, so the ranking is the same as on one node.
        from chromadb.engine.search import run_searches

        return run_searches(self, collection_id, searches)

    def _sparse_knn(
        self,
        collection_id: UUID,
        key: str,
        query: SparseVector,
        limit: int,
        where: Any = None,
        where_document: Any = None,
        ids: Any = None,
    ) -> Dict[str, List[Any]]:
        """The ``limit`` records whose sparse vector at metadata ``key`` is nearest ``query``,
        as one engine answers it (see the engine's ``_sparse_knn``): every shard gives its own
        top ``limit``, merged by score, ties by insertion order, which is exact. A ``bm25``
        key's query terms are weighted by the IDF of the whole collection (counts summed over
        the shards) before the shards see the query."""
        if not isinstance(query, SparseVector):
            raise InvalidArgumentError(
                f"A sparse Knn query must be a SparseVector, got {type(query).__name__}"
            )
        if isinstance(limit, bool) or not isinstance(limit, int) or limit < 1:
            raise InvalidArgumentError(f"Knn limit must be a positive integer, got {limit!r}")
        cid = str(collection_id)
        shards = self._shards(cid)
        indexes = sparse_indexes_of(schema_json_of(self._model(cid).configuration))
        if key not in indexes:
            raise InvalidArgumentError(
                f"Knn over '{key}': this collection has no sparse vector index on that key "
                "(give its schema a SparseVectorIndexConfig for the key)"
            )
        id_list = v.validate_ids(ids, allow_empty=True) if ids is not None else None
        groups = split_by_shard(id_list, shards) if id_list is not None else None
        slots = [s for s in range(shards) if groups is None or groups[s]]
        with self._phase(cid).reading():
            if (indexes[key] or {}).get("bm25"):
                query = self._weighted(cid, shards, key, query)
            base = {"key": key, "query": query, "limit": limit}
            base.update(where=where, where_document=where_document)
            parts = self._each(
                [
                    partial(
                        self._read_slot,
                        slot,
                        "_sparse_knn",
                        cid,
                        {**base, "ids": None if groups is None else _take(id_list, groups[slot])},
                    )
                    for slot in slots
                ]
            )
        hits = sorted(
            (float(score), int(ord_), rid)
            for part in parts
            for rid, score, ord_ in zip(part["ids"], part["scores"], part["ords"])
        )[:limit]
        return {"ids": [h[2] for h in hits], "scores": [h[0] for h in hits]}

    def _weighted(self, cid: str, shards: int, key: str, query: SparseVector) -> SparseVector:
        """``query`` with each term's value times its BM25 IDF over the whole collection."""
        counts = self._each(
            [
                partial(
                    self._read_slot, s, "_sparse_stats", cid, {"key": key, "terms": query.indices}
                )
                for s in range(shards)
            ]
        )
        records = sum(int(n) for n, _ in counts)
        values = [
            weight * idf(records, sum(int(per[i]) for _, per in counts))
            for i, weight in enumerate(query.values)
        ]
        return SparseVector(indices=list(query.indices), values=values)

    def _count(self, collection_id: UUID) -> int:
        cid = str(collection_id)
        shards = self._shards(cid)
        with self._phase(cid).reading():
            return sum(
                self._each(
                    [partial(self._read_slot, slot, "_count", cid, {}) for slot in range(shards)]
                )
            )

    def _get(
        self,
        collection_id: UUID,
        ids: Any = None,
        where: Any = None,
        limit: Optional[int] = None,
        offset: Optional[int] = None,
        where_document: Any = None,
        include: Any = None,
        **kwargs: Any,
    ) -> GetResult:
        cid = str(collection_id)
        shards = self._shards(cid)
        include = list(include) if include is not None else list(DEFAULT_GET_INCLUDE)
        filters = {"where": where, "where_document": where_document, "include": include, **kwargs}
        ids = v.validate_ids(ids, allow_empty=True) if ids is not None else None
        limit, offset = v.validate_limit_offset(limit, offset)
        with self._phase(cid).reading():
            return self._get_records(cid, shards, ids, limit, offset, filters, include)

    def _get_records(
        self,
        cid: str,
        shards: int,
        ids: Optional[List[str]],
        limit: Optional[int],
        offset: Optional[int],
        filters: Dict[str, Any],
        include: List[str],
    ) -> GetResult:
        if ids is not None:
            groups = split_by_shard(ids, shards)
            slots = [slot for slot, positions in enumerate(groups) if positions]
            parts = self._each(
                [
                    partial(
                        self._read_slot,
                        slot,
                        "_get",
                        cid,
                        {"ids": _take(ids, groups[slot]), **filters},
                    )
                    for slot in slots
                ]
            )
            # As one engine does: the records found, in insertion order.
            return self._in_order(parts, limit, offset, include)
        return self._get_paged(cid, shards, limit, offset, filters, include)

    def _get_paged(
        self,
        cid: str,
        shards: int,
        limit: Optional[int],
        offset: Optional[int],
        filters: Dict[str, Any],
        include: List[str],
    ) -> GetResult:
        # Every shard lists its matches in insertion order, so the page's records are among
        # each shard's first (offset + limit); merging them by insertion ordinal is exact.
        want = None if limit is None else (offset or 0) + limit
        parts = self._each(
            [
                partial(
                    self._read_slot,
                    slot,
                    "_get",
                    cid,
                    {"ids": None, "limit": want, "offset": None, **filters},
                )
                for slot in range(shards)
            ]
        )
        return self._in_order(parts, limit, offset, include)

    @staticmethod
    def _in_order(
        parts: List[Dict[str, Any]], limit: Optional[int], offset: Optional[int], include: List[str]
    ) -> GetResult:
        """The shards' records (replica answers: a get plus each record's ``ords``) merged by
        insertion ordinal, then paged by offset/limit."""
        order = sorted(
            (ord_, i, j) for i, part in enumerate(parts) for j, ord_ in enumerate(part["ords"])
        )
        start = offset or 0
        end = len(order) if limit is None else start + limit
        picks = [(i, j) for _, i, j in order[start:end]]
        return select_get(cast(List[GetResult], parts), picks, include)

    def _query(
        self,
        collection_id: UUID,
        query_embeddings: Any,
        n_results: int = 10,
        where: Any = None,
        where_document: Any = None,
        include: Any = None,
        ids: Any = None,
        **kwargs: Any,
    ) -> QueryResult:
        cid = str(collection_id)
        shards = self._shards(cid)
        include = list(include) if include is not None else list(DEFAULT_QUERY_INCLUDE)
        asked = include if "distances" in include else [*include, "distances"]
        base = {
            "query_embeddings": query_embeddings,
            "n_results": n_results,
            "where": where,
            "where_document": where_document,
            "include": asked,
            **kwargs,
        }
        calls = []
        if ids is None:
            calls = [
                partial(self._read_slot, slot, "_query", cid, {**base, "ids": None})
                for slot in range(shards)
            ]
        else:
            ids = list(ids)
            groups = split_by_shard(ids, shards)
            calls = [
                partial(self._read_slot, slot, "_query", cid, {**base, "ids": _take(ids, p)})
                for slot, p in enumerate(groups)
                if p
            ]
        with self._phase(cid).reading():
            parts = self._each(calls)
            if not parts:
                parts = [self._read_slot(0, "_query", cid, {**base, "ids": list(ids or [])})]
        return merge_query(parts, n_results, include)

    def _create_index(self, collection_id: UUID) -> bool:
        cid = str(collection_id)
        for slot in range(self._shards(cid)):
            with self._holding([slot]) as seq:
                self._write_slot(slot, "_create_index", cid, {"seq": seq})
        return True

    # -- the rest ----------------------------------------------------------------------------------
    def _reset(self) -> bool:
        done = self._catalog._reset()
        for replica in self._pool.every_replica():
            self._resolve(replica.handle.reset.remote(), replica)
        self._layout.forget_collections()
        with self._models_lock:
            self._models.clear()
            self._dims.clear()
        return done

    def _raw_sql(self, sql: str) -> Tuple[List[str], List[Tuple[Any, ...]]]:
        raise InvalidArgumentError(
            "raw_sql is not available on a Ray cluster: records live in many shard databases"
        )

    def _get_version(self) -> str:
        return self._catalog._get_version()

    def _get_max_batch_size(self) -> int:
        return self._catalog._get_max_batch_size()

    def register_routes(self, application: Any) -> None:
        """The cluster routes (placement, rebalance) beside the REST API."""
        from chromadb.distributed import routes

        routes.register(application, self._pool)
