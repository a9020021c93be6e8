"""The embedded database: implements the ``API`` contract in-process over SQLite and faiss."""

from __future__ import annotations

import logging
import os
import threading
import time
from typing import Any, Dict, List, Optional, Tuple
from uuid import UUID

from chromadb._version import __version__
from chromadb.api import API
from chromadb.api.collection_configuration import SCHEMA_KEY, full_configuration, schema_json_of
from chromadb.api.models.model import CollectionModel, Database, Tenant
from chromadb.api.schema import sparse_indexes_of
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
from chromadb.base_types import SparseVector
from chromadb.config import DEFAULT_DATABASE, DEFAULT_TENANT, System
from chromadb.engine import catalog, foreign, opened
from chromadb.engine import validation as v
from chromadb.engine.filters import parse_where, parse_where_document
from chromadb.engine.records import RecordBatch
from chromadb.engine.segment import Segment
from chromadb.engine.store import Store
from chromadb.errors import (
    AuthorizationError,
    InvalidArgumentError,
    NotFoundError,
    UniqueConstraintError,
)

logger = logging.getLogger(__name__)


def _uuid(value: Any) -> str:
    try:
        return str(UUID(str(value)))
    except ValueError:
        from chromadb.errors import InvalidUUIDError

        raise InvalidUUIDError(f"Could not parse {value!r} as a UUID") from None


class EmbeddedAPI(API):
    """In-process implementation of the API: in memory, or persisted to ``persist_directory``.

    Engines on the same folder in one process share its ``OpenFolder``; engines in other
    processes on the folder see every write committed before each of their calls began."""

    def __init__(self, system: System) -> None:
        super().__init__(system)
        settings = system.settings
        path = os.path.abspath(settings.persist_directory) if settings.persistent() else None
        # A real Chroma folder is recognised before anything is opened for writing.
        self._path = foreign.store_folder(path) if path is not None else None
        self._opened: Optional[opened.OpenFolder] = None
        self._open_lock = threading.Lock()
        self._open()
        if path is not None and self._path != path:
            foreign.import_v03_once(self, path)

    def _open(self) -> opened.OpenFolder:
        with self._open_lock:
            if self._opened is None:
                self._opened = opened.acquire(self._path)
            return self._opened

    @property
    def store(self) -> Store:
        return self._open().store

    def stop(self) -> None:
        """Release the folder: the last engine on it in this process saves every index
        checkpoint and closes the database."""
        with self._open_lock:
            folder, self._opened = self._opened, None
        if folder is not None:
            opened.release(folder)
        super().stop()

    # -- tenants and databases -------------------------------------------------------------------
    def create_tenant(self, name: str) -> None:
        self._check_name(name, "tenant")
        with self.store.tx() as conn:
            catalog.insert_tenant(conn, name)

    def get_tenant(self, name: str) -> Tenant:
        with self.store.read() as conn:
            if not catalog.tenant_exists(conn, name):
                raise NotFoundError(f"Tenant {name} does not exist")
        return Tenant(name=name)

    def create_database(self, name: str, tenant: str = DEFAULT_TENANT) -> None:
        self._check_name(name, "database")
        self.get_tenant(tenant)
        with self.store.tx() as conn:
            catalog.insert_database(conn, tenant, name)

    def get_database(self, name: str, tenant: str = DEFAULT_TENANT) -> Database:
        with self.store.read() as conn:
            return catalog.get_database(conn, tenant, name)

    def delete_database(self, name: str, tenant: str = DEFAULT_TENANT) -> None:
        db = self.get_database(name, tenant)
        for model in self._list_collections(tenant=tenant, database=name):
            self._drop_collection(str(model.id))
        with self.store.tx() as conn:
            catalog.delete_database(conn, db["id"])

    def list_databases(
        self,
        limit: Optional[int] = None,
        offset: Optional[int] = None,
        tenant: str = DEFAULT_TENANT,
    ) -> List[Database]:
        limit, offset = v.validate_limit_offset(limit, offset)
        with self.store.read() as conn:
            return catalog.list_databases(conn, tenant, limit, offset)

    @staticmethod
    def _check_name(name: Any, what: str) -> None:
        if not isinstance(name, str) or not name.strip():
            raise InvalidArgumentError(f"Expected {what} name to be a non-empty str, got {name!r}")
        if len(name) < 3:  # real Chroma 1.x's rule for both
            raise InvalidArgumentError(f"{what} name must be at least 3 characters, got {name!r}")

    def _database_id(self, tenant: str, database: str) -> str:
        return self.get_database(database, tenant)["id"]

    # -- collections -----------------------------------------------------------------------------
    def _heartbeat(self) -> int:
        return time.time_ns()

    def _list_collections(
        self,
        limit: Optional[int] = None,
        offset: Optional[int] = None,
        tenant: str = DEFAULT_TENANT,
        database: str = DEFAULT_DATABASE,
    ) -> List[CollectionModel]:
        limit, offset = v.validate_limit_offset(limit, offset)
        db_id = self._database_id(tenant, database)
        with self.store.read() as conn:
            return catalog.list_collections(conn, db_id, limit, offset)

    def _count_collections(
        self, tenant: str = DEFAULT_TENANT, database: str = DEFAULT_DATABASE
    ) -> int:
        db_id = self._database_id(tenant, database)
        with self.store.read() as conn:
            return catalog.count_collections(conn, db_id)

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
        # Real 1.x fills every HNSW default in and takes hnsw:* metadata into the configuration
        # (never the other way round); invalid values are refused here.
        config = full_configuration(configuration, meta, (configuration or {}).get(SCHEMA_KEY))
        db_id = self._database_id(tenant, database)
        with self.store.tx() as conn:
            found = catalog.collection_by_name(conn, db_id, name)
            if found is not None:
                if get_or_create:
                    return found
                raise UniqueConstraintError(f"Collection {name} already exists")
            seq = self.store.next_seq(conn)
            cid = catalog.insert_collection(conn, seq, db_id, name, meta, config)
        return CollectionModel(
            id=UUID(cid),
            name=name,
            metadata=meta,
            configuration=config,
            dimension=None,
            tenant=tenant,
            database=database,
        )

    def _get_collection(
        self, name: str, tenant: str = DEFAULT_TENANT, database: str = DEFAULT_DATABASE
    ) -> CollectionModel:
        if not isinstance(name, str):
            raise InvalidArgumentError(f"Expected collection name to be a str, got {name!r}")
        db_id = self._database_id(tenant, database)
        with self.store.read() as conn:
            model = catalog.find_collection(conn, db_id, name)
        if model is None:
            raise NotFoundError(f"Collection {name} does not exist")
        return model

    def _by_id(self, collection_id: Any) -> CollectionModel:
        cid = _uuid(collection_id)
        with self.store.read() as conn:
            model = catalog.collection_by_id(conn, cid)
        if model is None:
            raise NotFoundError(f"Collection {cid} does not exist")
        return model

    def _delete_collection(
        self, name: str, tenant: str = DEFAULT_TENANT, database: str = DEFAULT_DATABASE
    ) -> None:
        model = self._get_collection(name, tenant, database)
        self._drop_collection(str(model.id))

    def _drop_collection(self, cid: str) -> None:
        folder = self._open()
        with folder.lock:
            segment = self._segment(cid)
            with segment.lock.write():
                with self.store.tx() as conn:
                    catalog.delete_collection_rows(conn, cid)
                    self.store.next_seq(conn)  # other processes learn of it from the log
                folder.forget(cid)
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
        cid = str(model.id)
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
                if catalog.name_taken(conn, db_id, new_name):
                    raise UniqueConstraintError(f"Collection {new_name} already exists")
                catalog.rename_collection(conn, cid, new_name)
            if meta is not None:
                catalog.set_collection_metadata(conn, cid, meta)
            if new_configuration:
                config = catalog.merge_configuration(model.configuration, new_configuration)
                old_space = catalog.space_of(model.metadata, model.configuration)
                if catalog.space_of(model.metadata, config) != old_space:
                    raise InvalidArgumentError(
                        "Changing the distance function (hnsw space) of a collection once it is "
                        "created is not supported"
                    )
                catalog.set_collection_configuration(conn, cid, config)
            self.store.next_seq(conn)  # other processes learn of it from the log
        updated = self._by_id(model.id)
        folder = self._open()
        with folder.lock:
            segment = folder.segments.get(cid)
        search_ef = catalog.hnsw_settings(updated.metadata, updated.configuration).get("search_ef")
        if segment is not None and search_ef is not None:
            segment.set_search_ef(int(search_ef))
        return updated

    # -- records ---------------------------------------------------------------------------------
    def _segment(self, collection_id: Any) -> Segment:
        cid = _uuid(collection_id)
        folder = self._open()

        def make() -> Segment:
            model = self._by_id(cid)
            return Segment(
                folder.store,
                cid,
                model.metadata,
                model.dimension,
                folder.index_folder(cid),
                folder.indexer.wake,
                model.configuration,
            )

        return folder.segment(cid, make)

    def _answers_at_once(self, collection_id: UUID, filtered: bool) -> bool:
        """True when a small query of this collection would be answered from memory straight
        away (see ``Segment.answers_at_once``); False for a collection not opened yet."""
        folder = self._opened
        segment = folder.segments.get(str(collection_id)) if folder is not None else None
        return segment is not None and segment.answers_at_once(filtered)

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
        batch = RecordBatch(
            ids,
            embeddings,  # type: ignore[arg-type]  # checked against the collection by write
            v.validate_metadatas(metadatas),
            v.validate_documents(documents),
            v.validate_documents(uris, field="uris"),
        )
        self._segment(collection_id).write(mode, batch)
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
        # New records without embeddings are refused where rows are written (segment).
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

    def _search(
        self,
        collection_id: UUID,
        searches: List[Any],
        tenant: str = DEFAULT_TENANT,
        database: str = DEFAULT_DATABASE,
        read_level: Any = "index_and_wal",
    ) -> Any:
        # Every read here sees every acknowledged write, so each read level reads the same.
        from chromadb.engine.search import run_searches

        self._segment(collection_id)  # an unknown collection is NotFoundError before any work
        return run_searches(self, collection_id, searches)

    def _sparse_knn(
        self,
        collection_id: UUID,
        key: str,
        query: SparseVector,
        limit: int,
        where: Optional[Where] = None,
        where_document: Optional[WhereDocument] = None,
        ids: Optional[IDs] = None,
    ) -> Dict[str, List[Any]]:
        """The ``limit`` records whose sparse vector at metadata ``key`` is nearest ``query``
        (largest dot product; with IDF weighting when the collection's schema marks the key's
        sparse index ``bm25``): ``{"ids": [...], "scores": [1 - dot, ...]}``, best first."""
        if not isinstance(query, SparseVector):
            raise InvalidArgumentError(
                f"A sparse Knn query must be a SparseVector, got {type(query).__name__}"
            )
        if isinstance(limit, bool) or not isinstance(limit, int) or limit < 1:
            raise InvalidArgumentError(f"Knn limit must be a positive integer, got {limit!r}")
        model = self._by_id(collection_id)
        indexes = sparse_indexes_of(schema_json_of(model.configuration))
        if key not in indexes:
            raise InvalidArgumentError(
                f"Knn over '{key}': this collection has no sparse vector index on that key "
                "(give its schema a SparseVectorIndexConfig for the key)"
            )
        sparse = indexes[key] or {}
        id_list = v.validate_ids(ids, allow_empty=True) if ids is not None else None
        found, scores = self._segment(collection_id).sparse_knn(
            key,
            query,
            limit,
            parse_where(where),
            parse_where_document(where_document),
            id_list,
            bm25=bool(sparse.get("bm25")),
        )
        return {"ids": found, "scores": scores}

    def _delete(
        self,
        collection_id: UUID,
        ids: Optional[IDs] = None,
        where: Optional[Where] = None,
        where_document: Optional[WhereDocument] = None,
        limit: Optional[int] = None,
    ) -> IDs:
        # ids=[] names no record: refused (as real Chroma) rather than silently deleting none.
        id_list = v.validate_ids(ids) if ids is not None else None
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
        self._open().reset()
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
        return __version__

    def _get_max_batch_size(self) -> int:
        return int(self.settings.chroma_server_max_batch_size)
