"""The embedded database: implements the ``API`` contract in-process over SQLite and faiss."""

from __future__ import annotations

import atexit
import contextlib
import json
import logging
import os
import shutil
import threading
import time
import uuid
import weakref
from typing import Any, Dict, List, Optional, Tuple
from uuid import UUID

import faiss

import chromadb
from chromadb.api import API
from chromadb.api.models.model import CollectionModel, Database, Tenant
from chromadb.api.types import (
    DEFAULT_GET_INCLUDE,
    DEFAULT_QUERY_INCLUDE,
    CollectionMetadata,
    Documents,
    EmbeddingMatrix,
    GetResult,
    IDs,
    Include,
    Metadatas,
    QueryResult,
    URIs,
    Where,
    WhereDocument,
    normalize_include,
)
from chromadb.config import DEFAULT_DATABASE, DEFAULT_TENANT, System
from chromadb.engine import validation as v
from chromadb.engine.filters import parse_where, parse_where_document
from chromadb.engine.segment import FLUSH_CHUNK, Segment, hnsw_settings
from chromadb.engine.store import Store
from chromadb.errors import (
    AuthorizationError,
    InvalidArgumentError,
    NotFoundError,
    UniqueConstraintError,
)

logger = logging.getLogger(__name__)

INDEX_DIR = "index"
_open_engines: weakref.WeakSet[EmbeddedAPI] = weakref.WeakSet()


@atexit.register
def _checkpoint_all() -> None:
    # A clean exit saves the indexes so the next open replays nothing.
    for engine in list(_open_engines):
        engine.stop()


def _uuid(value: Any) -> str:
    try:
        return str(UUID(str(value)))
    except ValueError:
        from chromadb.errors import InvalidUUIDError

        raise InvalidUUIDError(f"Could not parse {value!r} as a UUID") from None


class EmbeddedAPI(API):
    """In-process implementation of the API: in memory, or persisted to ``persist_directory``."""

    def __init__(self, system: System) -> None:
        super().__init__(system)
        settings = system.settings
        self._path = os.path.abspath(settings.persist_directory) if settings.persistent() else None
        self._store: Optional[Store] = None
        self._segments: Dict[str, Segment] = {}
        self._lock = threading.RLock()
        self._wake = threading.Event()
        self._halt = threading.Event()
        self._indexer: Optional[threading.Thread] = None
        self._open()

    def _open(self) -> None:
        self._store = Store(self._path)
        _open_engines.add(self)
        if self._indexer is None or not self._indexer.is_alive():
            self._halt.clear()
            self._indexer = threading.Thread(
                target=self._index_in_background, name="chromadb-indexer", daemon=True
            )
            self._indexer.start()

    def _index_in_background(self) -> None:
        """Move written vectors into the HNSW graphs, a chunk at a time, so that writes
        return as soon as SQLite has them and searches stay fast."""
        # One core for the graph (OpenMP's thread count is per calling thread): the other
        # stays free for the writes and searches this work is meant not to slow down.
        faiss.omp_set_num_threads(1)
        while not self._halt.is_set():
            with self._lock:
                segments = [s for s in self._segments.values() if s.pending()]
            moved = 0
            for segment in segments:
                if self._halt.is_set():
                    break
                try:
                    moved += segment.flush(FLUSH_CHUNK)
                except Exception:  # the tail stays searchable exactly; retry next turn
                    logger.exception("Background indexing of %s failed", segment.cid)
            if not moved:
                self._wake.wait(1.0)
                self._wake.clear()

    @property
    def store(self) -> Store:
        if self._store is None:
            self._open()
        assert self._store is not None
        return self._store

    def stop(self) -> None:
        """Save every index checkpoint and close the database."""
        self._halt.set()
        self._wake.set()
        if self._indexer is not None and self._indexer is not threading.current_thread():
            self._indexer.join()
        with self._lock:
            for segment in list(self._segments.values()):
                with segment.lock.write():
                    try:
                        segment.checkpoint()
                    except Exception:  # the log replays what a failed checkpoint misses
                        logger.exception("Could not checkpoint collection %s", segment.cid)
            self._segments.clear()
            if self._store is not None:
                self._store.close()
                self._store = None
            _open_engines.discard(self)
        super().stop()

    # -- tenants and databases -------------------------------------------------------------------
    def create_tenant(self, name: str) -> None:
        self._check_name(name, "tenant")
        with self.store.tx() as conn:
            if conn.execute("SELECT 1 FROM tenants WHERE name = ?", (name,)).fetchone():
                raise UniqueConstraintError(f"Tenant {name} already exists")
            conn.execute("INSERT INTO tenants (name) VALUES (?)", (name,))

    def get_tenant(self, name: str) -> Tenant:
        if not self.store.query("SELECT 1 FROM tenants WHERE name = ?", (name,)):
            raise NotFoundError(f"Tenant {name} does not exist")
        return Tenant(name=name)

    def create_database(self, name: str, tenant: str = DEFAULT_TENANT) -> None:
        self._check_name(name, "database")
        self.get_tenant(tenant)
        with self.store.tx() as conn:
            if conn.execute(
                "SELECT 1 FROM databases WHERE tenant = ? AND name = ?", (tenant, name)
            ).fetchone():
                raise UniqueConstraintError(f"Database {name} already exists for tenant {tenant}")
            conn.execute(
                "INSERT INTO databases (id, name, tenant) VALUES (?, ?, ?)",
                (str(uuid.uuid4()), name, tenant),
            )

    def get_database(self, name: str, tenant: str = DEFAULT_TENANT) -> Database:
        rows = self.store.query(
            "SELECT id, name, tenant FROM databases WHERE tenant = ? AND name = ?", (tenant, name)
        )
        if not rows:
            raise NotFoundError(f"Database {name} does not exist for tenant {tenant}")
        return Database(id=rows[0][0], name=rows[0][1], tenant=rows[0][2])

    def delete_database(self, name: str, tenant: str = DEFAULT_TENANT) -> None:
        db = self.get_database(name, tenant)
        for model in self._list_collections(tenant=tenant, database=name):
            self._drop_collection(str(model.id))
        with self.store.tx() as conn:
            conn.execute("DELETE FROM databases WHERE id = ?", (db["id"],))

    def list_databases(
        self,
        limit: Optional[int] = None,
        offset: Optional[int] = None,
        tenant: str = DEFAULT_TENANT,
    ) -> List[Database]:
        limit, offset = v.validate_limit_offset(limit, offset)
        rows = self.store.query(
            "SELECT id, name, tenant FROM databases WHERE tenant = ? ORDER BY rowid LIMIT ? OFFSET ?",
            (tenant, -1 if limit is None else limit, offset),
        )
        return [Database(id=r[0], name=r[1], tenant=r[2]) for r in rows]

    @staticmethod
    def _check_name(name: Any, what: str) -> None:
        if not isinstance(name, str) or not name.strip():
            raise InvalidArgumentError(f"Expected {what} name to be a non-empty str, got {name!r}")

    def _database_id(self, tenant: str, database: str) -> str:
        return self.get_database(database, tenant)["id"]

    # -- collections -----------------------------------------------------------------------------
    def _heartbeat(self) -> int:
        return time.time_ns()

    _COLUMNS = (
        "c.id, c.name, c.metadata, c.configuration, c.dimension, d.tenant, d.name "
        "FROM catalog_collections c JOIN databases d ON d.id = c.database_id"
    )

    @staticmethod
    def _model(row: Tuple[Any, ...]) -> CollectionModel:
        return CollectionModel(
            id=UUID(row[0]),
            name=row[1],
            metadata=json.loads(row[2]) if row[2] else None,
            configuration=json.loads(row[3]) if row[3] else {},
            dimension=row[4],
            tenant=row[5],
            database=row[6],
        )

    def _list_collections(
        self,
        limit: Optional[int] = None,
        offset: Optional[int] = None,
        tenant: str = DEFAULT_TENANT,
        database: str = DEFAULT_DATABASE,
    ) -> List[CollectionModel]:
        limit, offset = v.validate_limit_offset(limit, offset)
        db_id = self._database_id(tenant, database)
        rows = self.store.query(
            f"SELECT {self._COLUMNS} WHERE c.database_id = ? ORDER BY c.created_seq LIMIT ? OFFSET ?",
            (db_id, -1 if limit is None else limit, offset),
        )
        return [self._model(r) for r in rows]

    def _count_collections(
        self, tenant: str = DEFAULT_TENANT, database: str = DEFAULT_DATABASE
    ) -> int:
        db_id = self._database_id(tenant, database)
        return int(
            self.store.query(
                "SELECT count(*) FROM catalog_collections WHERE database_id = ?", (db_id,)
            )[0][0]
        )

    def _create_collection(
        self,
        name: str,
        metadata: Optional[CollectionMetadata] = None,
        configuration: Optional[Dict[str, Any]] = None,
        get_or_create: bool = False,
        tenant: str = DEFAULT_TENANT,
        database: str = DEFAULT_DATABASE,
    ) -> CollectionModel:
        v.validate_collection_name(name)
        meta = v.validate_collection_metadata(metadata)
        config = dict(configuration or {})
        space = (meta or {}).get("hnsw:space") or ((config.get("hnsw") or {}).get("space"))
        if space is not None:
            if space not in v.SPACES:
                raise InvalidArgumentError(
                    f"Invalid hnsw space {space!r}: expected one of l2, ip, cosine"
                )
            meta = dict(meta or {})
            meta.setdefault("hnsw:space", space)
        db_id = self._database_id(tenant, database)
        with self.store.tx() as conn:
            row = conn.execute(
                f"SELECT {self._COLUMNS} WHERE c.database_id = ? AND c.name = ?", (db_id, name)
            ).fetchone()
            if row is not None:
                if get_or_create:
                    return self._model(row)
                raise UniqueConstraintError(f"Collection {name} already exists")
            seq = self.store.next_seq(conn)
            cid = str(uuid.uuid4())
            conn.execute(
                "INSERT INTO catalog_collections (id, name, database_id, metadata, configuration, created_seq) "
                "VALUES (?, ?, ?, ?, ?, ?)",
                (cid, name, db_id, json.dumps(meta) if meta else None, json.dumps(config), seq),
            )
        return CollectionModel(
            id=UUID(cid),
            name=name,
            metadata=meta,
            configuration=config,
            dimension=None,
            tenant=tenant,
            database=database,
        )

    def _find(self, name_or_id: str, tenant: str, database: str) -> Optional[CollectionModel]:
        db_id = self._database_id(tenant, database)
        rows = self.store.query(
            f"SELECT {self._COLUMNS} WHERE c.database_id = ? AND (c.name = ? OR c.id = ?)",
            (db_id, name_or_id, name_or_id),
        )
        return self._model(rows[0]) if rows else None

    def _get_collection(
        self, name: str, tenant: str = DEFAULT_TENANT, database: str = DEFAULT_DATABASE
    ) -> CollectionModel:
        if not isinstance(name, str):
            raise InvalidArgumentError(f"Expected collection name to be a str, got {name!r}")
        model = self._find(name, tenant, database)
        if model is None:
            raise NotFoundError(f"Collection {name} does not exist")
        return model

    def _by_id(self, collection_id: Any) -> CollectionModel:
        cid = _uuid(collection_id)
        rows = self.store.query(f"SELECT {self._COLUMNS} WHERE c.id = ?", (cid,))
        if not rows:
            raise NotFoundError(f"Collection {cid} does not exist")
        return self._model(rows[0])

    def _delete_collection(
        self, name: str, tenant: str = DEFAULT_TENANT, database: str = DEFAULT_DATABASE
    ) -> None:
        model = self._get_collection(name, tenant, database)
        self._drop_collection(str(model.id))

    def _drop_collection(self, cid: str) -> None:
        # Lock order everywhere: the engine lock, then a segment's lock (as reset does).
        with self._lock:
            segment = self._segment(cid)
            with segment.lock.write():
                with self.store.tx() as conn:
                    conn.execute(
                        "DELETE FROM documents_fts WHERE rowid IN "
                        "(SELECT label FROM records WHERE collection_id = ?)",
                        (cid,),
                    )
                    conn.execute("DELETE FROM records WHERE collection_id = ?", (cid,))
                    conn.execute("DELETE FROM deletions WHERE collection_id = ?", (cid,))
                    conn.execute("DELETE FROM catalog_collections WHERE id = ?", (cid,))
                self._segments.pop(cid, None)
                segment.dropped = True
        segment.drop_files()

    def _modify(
        self,
        id: UUID,
        new_name: Optional[str] = None,
        new_metadata: Optional[CollectionMetadata] = None,
        new_configuration: Optional[Dict[str, Any]] = None,
    ) -> CollectionModel:
        model = self._by_id(id)
        if new_name is not None:
            v.validate_collection_name(new_name)
        meta = v.validate_collection_metadata(new_metadata) if new_metadata is not None else None
        if meta is not None:
            old_space = (model.metadata or {}).get("hnsw:space", "l2")
            if meta.get("hnsw:space", old_space) != old_space:
                raise InvalidArgumentError(
                    "Changing the distance function (hnsw:space) of a collection once it is created is not supported"
                )
        with self.store.tx() as conn:
            if new_name is not None and new_name != model.name:
                db_id = self._database_id(model.tenant, model.database)
                if conn.execute(
                    "SELECT 1 FROM catalog_collections WHERE database_id = ? AND name = ?",
                    (db_id, new_name),
                ).fetchone():
                    raise UniqueConstraintError(f"Collection {new_name} already exists")
                conn.execute(
                    "UPDATE catalog_collections SET name = ? WHERE id = ?",
                    (new_name, str(model.id)),
                )
            if meta is not None:
                conn.execute(
                    "UPDATE catalog_collections SET metadata = ? WHERE id = ?",
                    (json.dumps(meta), str(model.id)),
                )
            if new_configuration:
                config = dict(model.configuration)
                for key, value in new_configuration.items():
                    old = config.get(key)
                    merge = isinstance(old, dict) and isinstance(value, dict)
                    config[key] = {**old, **value} if merge else value  # type: ignore[dict-item]
                old_space = hnsw_settings(model.metadata, model.configuration).get("space", "l2")
                new_space = (new_configuration.get("hnsw") or {}).get("space", old_space)
                if new_space != old_space:
                    raise InvalidArgumentError(
                        "Changing the distance function (hnsw space) of a collection once it is "
                        "created is not supported"
                    )
                conn.execute(
                    "UPDATE catalog_collections SET configuration = ? WHERE id = ?",
                    (json.dumps(config), str(model.id)),
                )
        updated = self._by_id(model.id)
        with self._lock:
            segment = self._segments.get(str(model.id))
        search_ef = hnsw_settings(updated.metadata, updated.configuration).get("search_ef")
        if segment is not None and search_ef is not None:
            segment.set_search_ef(int(search_ef))
        return updated

    # -- records ---------------------------------------------------------------------------------
    def _segment(self, collection_id: Any) -> Segment:
        cid = _uuid(collection_id)
        with self._lock:
            segment = self._segments.get(cid)
            if segment is None:
                model = self._by_id(cid)
                folder = os.path.join(self._path, INDEX_DIR, cid) if self._path else None
                segment = Segment(
                    self.store,
                    cid,
                    model.metadata,
                    model.dimension,
                    folder,
                    self._wake.set,
                    model.configuration,
                )
                self._segments[cid] = segment
            return segment

    def _write(
        self,
        mode: str,
        collection_id: UUID,
        ids: IDs,
        embeddings: Optional[EmbeddingMatrix],
        metadatas: Optional[Metadatas],
        documents: Optional[Documents],
        uris: Optional[URIs],
    ) -> bool:
        ids = v.validate_ids(ids)
        v.validate_lengths(
            len(ids), embeddings=embeddings, metadatas=metadatas, documents=documents, uris=uris
        )
        if len(ids) > self._get_max_batch_size():
            from chromadb.errors import BatchSizeExceededError

            raise BatchSizeExceededError(
                f"Batch of {len(ids)} records exceeds the maximum batch size {self._get_max_batch_size()}"
            )
        metas = v.validate_metadatas(metadatas)
        docs = v.validate_documents(documents)
        uri_list = v.validate_documents(uris, field="uris")
        self._segment(collection_id).write(mode, ids, embeddings, metas, docs, uri_list)
        return True

    def _add(
        self,
        collection_id: UUID,
        ids: IDs,
        embeddings: EmbeddingMatrix,
        metadatas: Optional[Metadatas] = None,
        documents: Optional[Documents] = None,
        uris: Optional[URIs] = None,
    ) -> bool:
        if embeddings is None:
            raise InvalidArgumentError("Embeddings are required to add records")
        return self._write("add", collection_id, ids, embeddings, metadatas, documents, uris)

    def _update(
        self,
        collection_id: UUID,
        ids: IDs,
        embeddings: Optional[EmbeddingMatrix] = None,
        metadatas: Optional[Metadatas] = None,
        documents: Optional[Documents] = None,
        uris: Optional[URIs] = None,
    ) -> bool:
        return self._write("update", collection_id, ids, embeddings, metadatas, documents, uris)

    def _upsert(
        self,
        collection_id: UUID,
        ids: IDs,
        embeddings: EmbeddingMatrix,
        metadatas: Optional[Metadatas] = None,
        documents: Optional[Documents] = None,
        uris: Optional[URIs] = None,
    ) -> bool:
        return self._write("upsert", collection_id, ids, embeddings, metadatas, documents, uris)

    def _get(
        self,
        collection_id: UUID,
        ids: Optional[IDs] = None,
        where: Optional[Where] = None,
        limit: Optional[int] = None,
        offset: Optional[int] = None,
        where_document: Optional[WhereDocument] = None,
        include: Optional[Include] = None,
    ) -> GetResult:
        inc = normalize_include(include, DEFAULT_GET_INCLUDE)
        if "distances" in inc:
            raise InvalidArgumentError("Expected include in get to not contain 'distances'")
        id_list = v.validate_ids(ids, allow_empty=True) if ids is not None else None
        limit, off = v.validate_limit_offset(limit, offset)
        return self._segment(collection_id).get(
            id_list, parse_where(where), parse_where_document(where_document), limit, off, list(inc)
        )

    def _query(
        self,
        collection_id: UUID,
        query_embeddings: EmbeddingMatrix,
        n_results: int = 10,
        where: Optional[Where] = None,
        where_document: Optional[WhereDocument] = None,
        include: Optional[Include] = None,
        ids: Optional[IDs] = None,
    ) -> QueryResult:
        inc = normalize_include(include, DEFAULT_QUERY_INCLUDE)
        if isinstance(n_results, bool) or not isinstance(n_results, int) or n_results < 1:
            raise InvalidArgumentError(
                f"Expected n_results to be a positive int, got {n_results!r}"
            )
        segment = self._segment(collection_id)
        queries = v.validate_embeddings(query_embeddings, None, what="query embedding")
        id_list = v.validate_ids(ids, allow_empty=True) if ids is not None else None
        return segment.query(
            queries,
            n_results,
            parse_where(where),
            parse_where_document(where_document),
            id_list,
            list(inc),
        )

    def _delete(
        self,
        collection_id: UUID,
        ids: Optional[IDs] = None,
        where: Optional[Where] = None,
        where_document: Optional[WhereDocument] = None,
        limit: Optional[int] = None,
    ) -> IDs:
        id_list = v.validate_ids(ids, allow_empty=True) if ids is not None else None
        limit, _ = v.validate_limit_offset(limit, None)
        return self._segment(collection_id).delete(
            id_list, parse_where(where), parse_where_document(where_document), limit
        )

    def _count(self, collection_id: UUID) -> int:
        return self._segment(collection_id).count()

    # -- the rest --------------------------------------------------------------------------------
    def _reset(self) -> bool:
        if not self.settings.allow_reset:
            raise AuthorizationError(
                "Resetting is not allowed by this configuration (set allow_reset=True to enable)"
            )
        with self._lock, contextlib.ExitStack() as held:
            # Wait for every write and search in flight to finish before the files go.
            for segment in self._segments.values():
                held.enter_context(segment.lock.write())
                segment.dropped = True
            self._segments.clear()
            if self._store is not None:
                self._store.close()
                self._store = None
            if self._path is not None:
                for name in os.listdir(self._path):
                    full = os.path.join(self._path, name)
                    if os.path.isdir(full):
                        shutil.rmtree(full, ignore_errors=True)
                    elif name.startswith("chroma.sqlite3"):
                        os.remove(full)
            self._open()
        self._system.reset_state()
        return True

    def _raw_sql(self, sql: str) -> Tuple[List[str], List[Tuple[Any, ...]]]:
        if not isinstance(sql, str) or not sql.strip():
            raise InvalidArgumentError("Expected raw_sql to be a non-empty SQL string")
        import sqlite3

        try:
            return self.store.raw_sql(sql)
        except sqlite3.Error as exc:
            raise InvalidArgumentError(f"raw_sql failed: {exc}") from None

    def _create_index(self, collection_id: UUID) -> bool:
        return self._segment(collection_id).ensure_index()

    def _get_version(self) -> str:
        return chromadb.__version__

    def _get_max_batch_size(self) -> int:
        return int(self.settings.chroma_server_max_batch_size)
