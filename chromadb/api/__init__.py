"""The API contract.

``API`` is the seed's API class. Its abstract methods (the ones whose names start with ``_`` plus
``heartbeat``, ``reset`` ...) are what a backend implements: ``chromadb.engine.api.EmbeddedAPI``
in-process and ``chromadb.api.fastapi.FastAPI`` over REST. The public collection methods are
written once, in ``ClientMethods``, and shared by every backend and by ``chromadb.Client``.
"""

from __future__ import annotations

import importlib
from abc import ABC, abstractmethod
from typing import TYPE_CHECKING, Any, Dict, List, Optional, Tuple, cast
from uuid import UUID

from chromadb.api.collection_configuration import (
    DEFAULT_EMBEDDING_FUNCTION,
    SCHEMA_KEY,
    configuration_with_embedding_function,
)
from chromadb.api.models.Collection import Collection
from chromadb.api.models.model import CollectionModel, Database, Tenant
from chromadb.api.schema import Schema
from chromadb.api.types import (
    BOOL_INVERTED_INDEX_NAME as BOOL_INVERTED_INDEX_NAME,
)
from chromadb.api.types import (
    BOOL_VALUE_NAME as BOOL_VALUE_NAME,
)
from chromadb.api.types import (
    DOCUMENT_KEY as DOCUMENT_KEY,
)
from chromadb.api.types import (
    EMBEDDING_KEY as EMBEDDING_KEY,
)
from chromadb.api.types import (
    FLOAT_INVERTED_INDEX_NAME as FLOAT_INVERTED_INDEX_NAME,
)
from chromadb.api.types import (
    FLOAT_LIST_VALUE_NAME as FLOAT_LIST_VALUE_NAME,
)
from chromadb.api.types import (
    FLOAT_VALUE_NAME as FLOAT_VALUE_NAME,
)
from chromadb.api.types import (
    FTS_INDEX_NAME as FTS_INDEX_NAME,
)
from chromadb.api.types import (
    HNSW_INDEX_NAME as HNSW_INDEX_NAME,
)
from chromadb.api.types import (
    INT_INVERTED_INDEX_NAME as INT_INVERTED_INDEX_NAME,
)
from chromadb.api.types import (
    INT_VALUE_NAME as INT_VALUE_NAME,
)
from chromadb.api.types import (
    SPANN_INDEX_NAME as SPANN_INDEX_NAME,
)
from chromadb.api.types import (
    SPARSE_VECTOR_INDEX_NAME as SPARSE_VECTOR_INDEX_NAME,
)
from chromadb.api.types import (
    SPARSE_VECTOR_TYPE_VALUE as SPARSE_VECTOR_TYPE_VALUE,
)
from chromadb.api.types import (
    SPARSE_VECTOR_VALUE_NAME as SPARSE_VECTOR_VALUE_NAME,
)
from chromadb.api.types import (
    STRING_INVERTED_INDEX_NAME as STRING_INVERTED_INDEX_NAME,
)
from chromadb.api.types import (
    STRING_VALUE_NAME as STRING_VALUE_NAME,
)
from chromadb.api.types import (
    TYPE_KEY as TYPE_KEY,
)
from chromadb.api.types import (
    VECTOR_INDEX_NAME as VECTOR_INDEX_NAME,
)
from chromadb.api.types import (
    BoolInvertedIndexConfig as BoolInvertedIndexConfig,
)
from chromadb.api.types import (
    BoolInvertedIndexType as BoolInvertedIndexType,
)
from chromadb.api.types import (
    BoolValueType as BoolValueType,
)
from chromadb.api.types import (
    CollectionMetadata,
    Documents,
    EmbeddingFunction,
    EmbeddingMatrix,
    GetResult,
    IDs,
    Include,
    Metadatas,
    QueryResult,
    URIs,
    Where,
    WhereDocument,
)
from chromadb.api.types import (
    DataLoader as DataLoader,
)
from chromadb.api.types import (
    DeleteResult as DeleteResult,
)
from chromadb.api.types import (
    Embeddable as Embeddable,
)
from chromadb.api.types import (
    Embeddings as Embeddings,
)
from chromadb.api.types import (
    FloatInvertedIndexConfig as FloatInvertedIndexConfig,
)
from chromadb.api.types import (
    FloatInvertedIndexType as FloatInvertedIndexType,
)
from chromadb.api.types import (
    FloatListValueType as FloatListValueType,
)
from chromadb.api.types import (
    FloatValueType as FloatValueType,
)
from chromadb.api.types import (
    FtsIndexConfig as FtsIndexConfig,
)
from chromadb.api.types import (
    FtsIndexType as FtsIndexType,
)
from chromadb.api.types import (
    HnswIndexConfig as HnswIndexConfig,
)
from chromadb.api.types import (
    IncludeMetadataDocuments as IncludeMetadataDocuments,
)
from chromadb.api.types import (
    IncludeMetadataDocumentsDistances as IncludeMetadataDocumentsDistances,
)
from chromadb.api.types import (
    IndexConfig as IndexConfig,
)
from chromadb.api.types import (
    IndexingStatus as IndexingStatus,
)
from chromadb.api.types import (
    IntInvertedIndexConfig as IntInvertedIndexConfig,
)
from chromadb.api.types import (
    IntInvertedIndexType as IntInvertedIndexType,
)
from chromadb.api.types import (
    IntValueType as IntValueType,
)
from chromadb.api.types import (
    Loadable as Loadable,
)
from chromadb.api.types import (
    Metadata as Metadata,
)
from chromadb.api.types import (
    ReadLevel as ReadLevel,
)
from chromadb.api.types import (
    Space as Space,
)
from chromadb.api.types import (
    SpannIndexConfig as SpannIndexConfig,
)
from chromadb.api.types import (
    SparseEmbeddingFunction as SparseEmbeddingFunction,
)
from chromadb.api.types import (
    SparseVector as SparseVector,
)
from chromadb.api.types import (
    SparseVectorIndexConfig as SparseVectorIndexConfig,
)
from chromadb.api.types import (
    SparseVectorIndexType as SparseVectorIndexType,
)
from chromadb.api.types import (
    SparseVectors as SparseVectors,
)
from chromadb.api.types import (
    SparseVectorValueType as SparseVectorValueType,
)
from chromadb.api.types import (
    StringInvertedIndexConfig as StringInvertedIndexConfig,
)
from chromadb.api.types import (
    StringInvertedIndexType as StringInvertedIndexType,
)
from chromadb.api.types import (
    StringValueType as StringValueType,
)
from chromadb.api.types import (
    UpdateCollectionMetadata as UpdateCollectionMetadata,
)
from chromadb.api.types import (
    UpdateMetadata as UpdateMetadata,
)
from chromadb.api.types import (
    ValueTypes as ValueTypes,
)
from chromadb.api.types import (
    VectorIndexConfig as VectorIndexConfig,
)
from chromadb.api.types import (
    VectorIndexType as VectorIndexType,
)
from chromadb.api.types import (
    validate_embedding_function as validate_embedding_function,
)
from chromadb.api.types import (
    validate_sparse_embedding_function as validate_sparse_embedding_function,
)
from chromadb.api.types import (
    validate_sparse_vectors as validate_sparse_vectors,
)
from chromadb.config import DEFAULT_DATABASE, DEFAULT_TENANT, Component, Settings, System

if TYPE_CHECKING:
    import pandas as pd


class ClientMethods(ABC):
    """The public client methods of the seed's API, shared by every client and backend."""

    tenant: str = DEFAULT_TENANT
    database: str = DEFAULT_DATABASE

    @abstractmethod
    def _server(self) -> API: ...

    def heartbeat(self) -> int:
        """Get the current time in nanoseconds since epoch. Used to check if the server is alive.

        Returns:
            int: The current time in nanoseconds since epoch
        """
        return self._server()._heartbeat()

    def list_collections(
        self, limit: Optional[int] = None, offset: Optional[int] = None
    ) -> List[Collection]:
        """List all collections.

        Args:
            limit: The most collections to return.
            offset: How many collections to skip, in creation order.

        Returns:
            Sequence[Collection]: A list of collections

        Examples:
            ```python
            client.list_collections()
            # [collection(name="my_collection", metadata={})]
            ```
        """
        server = self._server()
        models = server._list_collections(limit, offset, tenant=self.tenant, database=self.database)
        return [self._wrap(m, DEFAULT_EMBEDDING_FUNCTION) for m in models]

    def count_collections(self) -> int:
        """Count the collections in this client's database."""
        return self._server()._count_collections(tenant=self.tenant, database=self.database)

    def create_collection(
        self,
        name: str,
        metadata: Optional[CollectionMetadata] = None,
        embedding_function: Optional[EmbeddingFunction[Any]] = DEFAULT_EMBEDDING_FUNCTION,
        get_or_create: bool = False,
        configuration: Optional[Dict[str, Any]] = None,
        data_loader: Any = None,
        schema: Optional[Schema] = None,
    ) -> Collection:
        """Create a new collection with the given name and metadata.

        Args:
            name: The name of the collection to create.
            metadata: Optional metadata to associate with the collection.
            embedding_function: Optional function to use to embed documents.
                Uses the default embedding function if not provided.
            get_or_create: If True, return the existing collection if it exists.
            configuration: Optional configuration (``{"hnsw": {"space": "cosine"}}`` ...).
            schema: Optional ``Schema``: its vector index gives the space, HNSW parameters
                and embedding function where the configuration names none.

        Returns:
            Collection: The newly created collection.

        Raises:
            ValueError: If the collection already exists and get_or_create is False.
            ValueError: If the collection name is invalid.

        Examples:
            ```python
            client.create_collection("my_collection")
            # collection(name="my_collection", metadata={})

            client.create_collection("my_collection", metadata={"foo": "bar"})
            # collection(name="my_collection", metadata={"foo": "bar"})
            ```
        """
        config = configuration_with_embedding_function(configuration, embedding_function)
        if schema is not None:
            config[SCHEMA_KEY] = schema.serialize_to_json()
        model = self._server()._create_collection(
            name,
            metadata=metadata,
            configuration=config,
            get_or_create=get_or_create,
            tenant=self.tenant,
            database=self.database,
        )
        return self._wrap(model, embedding_function)

    def get_collection(
        self,
        name: str,
        embedding_function: Optional[EmbeddingFunction[Any]] = DEFAULT_EMBEDDING_FUNCTION,
        id: Optional[UUID] = None,
        data_loader: Any = None,
    ) -> Collection:
        """Get a collection with the given name.

        Args:
            name: The name of the collection to get
            embedding_function: Optional function to use to embed documents.
                Uses the function the collection was created with if not provided.

        Returns:
            Collection: The collection

        Raises:
            ValueError: If the collection does not exist

        Examples:
            ```python
            client.get_collection("my_collection")
            # collection(name="my_collection", metadata={})
            ```
        """
        model = self._server()._get_collection(name, tenant=self.tenant, database=self.database)
        return self._wrap(model, embedding_function)

    def get_or_create_collection(
        self,
        name: str,
        metadata: Optional[CollectionMetadata] = None,
        embedding_function: Optional[EmbeddingFunction[Any]] = DEFAULT_EMBEDDING_FUNCTION,
        configuration: Optional[Dict[str, Any]] = None,
        data_loader: Any = None,
        schema: Optional[Schema] = None,
    ) -> Collection:
        """Get or create a collection with the given name and metadata.

        Args:
            name: The name of the collection to get or create
            metadata: Optional metadata to associate with the collection
            embedding_function: Optional function to use to embed documents

        Returns:
            The collection

        Examples:
            ```python
            client.get_or_create_collection("my_collection")
            # collection(name="my_collection", metadata={})
            ```
        """
        return self.create_collection(
            name,
            metadata,
            embedding_function,
            get_or_create=True,
            configuration=configuration,
            schema=schema,
        )

    def delete_collection(self, name: str) -> None:
        """Delete a collection with the given name.

        Args:
            name: The name of the collection to delete.

        Raises:
            ValueError: If the collection does not exist.

        Examples:
            ```python
            client.delete_collection("my_collection")
            ```
        """
        self._server()._delete_collection(name, tenant=self.tenant, database=self.database)

    def reset(self) -> bool:
        """Resets the database. This will delete all collections and entries.

        Refused with ``AuthorizationError`` unless the settings say ``allow_reset=True``.

        Returns:
            bool: True if the database was reset successfully.
        """
        return self._server()._reset()

    def raw_sql(self, sql: str) -> pd.DataFrame:
        """Runs a raw SQL query against the database, read-only.

        The stable views are ``collections`` (id, name, metadata, tenant, database) and
        ``embeddings`` (collection_id, collection_name, id, document, metadata, uri).

        Args:
            sql: The SQL query to run

        Returns:
            pd.DataFrame: A pandas dataframe containing the results of the query
        """
        try:
            import pandas as pd
        except ImportError as exc:  # pragma: no cover - depends on the extra
            raise ImportError(
                "raw_sql returns a pandas DataFrame: install it with `pip install chromadb[pandas]`"
            ) from exc
        columns, rows = self._server()._raw_sql(sql)
        return pd.DataFrame.from_records(rows, columns=columns)

    def create_index(self, collection_name: str) -> bool:
        """Creates an index for the given collection (our index is always kept up to date,
        so this only checks the collection exists and brings its index in memory).

        Args:
            collection_name: The collection to create the index for.

        Returns:
            bool: True if the index was created successfully
        """
        model = self._server()._get_collection(
            collection_name, tenant=self.tenant, database=self.database
        )
        return self._server()._create_index(model.id)

    def get_version(self) -> str:
        """Get the version of Chroma.

        Returns:
            str: The version of Chroma
        """
        return self._server()._get_version()

    def get_settings(self) -> Settings:
        """Get the settings used to initialize the client.

        Returns:
            Settings: The settings used to initialize the client.
        """
        return self._server().settings

    def get_max_batch_size(self) -> int:
        """The largest batch one add/update/upsert call accepts."""
        return self._server()._get_max_batch_size()

    @property
    def max_batch_size(self) -> int:
        return self.get_max_batch_size()

    def persist(self) -> bool:
        """Kept for code written against the seed: every write is already on disk."""
        return True

    def _wrap(self, model: CollectionModel, embedding_function: Any) -> Collection:
        return Collection(self._server(), model, embedding_function)


# Where each kind of API lives; imported only when asked for, so `import chromadb` stays light.
_LOCAL_IMPL = "chromadb.engine.api.EmbeddedAPI"
_REST_IMPL = "chromadb.api.fastapi.FastAPI"


class API(ClientMethods, Component):
    """The seed's API class: what a backend implements, plus the shared public methods."""

    def __init__(self, system: System) -> None:
        super().__init__(system)
        self.settings = system.settings

    @classmethod
    def implementation_for(cls, settings: Settings) -> type[API]:
        """The backend ``System.instance(API)`` builds for these settings (a concrete backend
        builds itself)."""
        if not getattr(cls, "__abstractmethods__", None):
            return cls
        path = _REST_IMPL if settings.is_rest() else _LOCAL_IMPL
        module, _, name = path.rpartition(".")
        return cast(type[API], getattr(importlib.import_module(module), name))

    def _server(self) -> API:
        return self

    # -- tenants and databases -------------------------------------------------------------
    @abstractmethod
    def create_tenant(self, name: str) -> None:
        """Create a tenant. Raises UniqueConstraintError if it exists."""

    @abstractmethod
    def get_tenant(self, name: str) -> Tenant:
        """Get a tenant. Raises NotFoundError if it does not exist."""

    @abstractmethod
    def create_database(self, name: str, tenant: str = DEFAULT_TENANT) -> None:
        """Create a database in a tenant. Raises UniqueConstraintError if it exists."""

    @abstractmethod
    def get_database(self, name: str, tenant: str = DEFAULT_TENANT) -> Database:
        """Get a database. Raises NotFoundError if it does not exist."""

    @abstractmethod
    def delete_database(self, name: str, tenant: str = DEFAULT_TENANT) -> None:
        """Delete a database and every collection in it."""

    @abstractmethod
    def list_databases(
        self,
        limit: Optional[int] = None,
        offset: Optional[int] = None,
        tenant: str = DEFAULT_TENANT,
    ) -> List[Database]:
        """List the databases of a tenant."""

    # -- collections -------------------------------------------------------------------------
    @abstractmethod
    def _heartbeat(self) -> int: ...

    @abstractmethod
    def _list_collections(
        self,
        limit: Optional[int] = None,
        offset: Optional[int] = None,
        tenant: str = DEFAULT_TENANT,
        database: str = DEFAULT_DATABASE,
    ) -> List[CollectionModel]: ...

    @abstractmethod
    def _count_collections(
        self, tenant: str = DEFAULT_TENANT, database: str = DEFAULT_DATABASE
    ) -> int: ...

    @abstractmethod
    def _create_collection(
        self,
        name: str,
        metadata: Optional[CollectionMetadata] = None,
        configuration: Optional[Dict[str, Any]] = None,
        get_or_create: bool = False,
        tenant: str = DEFAULT_TENANT,
        database: str = DEFAULT_DATABASE,
    ) -> CollectionModel:
        """Create (or with get_or_create, fetch) a collection. Raises UniqueConstraintError
        when it exists and get_or_create is False, InvalidArgumentError for a bad name."""

    @abstractmethod
    def _get_collection(
        self, name: str, tenant: str = DEFAULT_TENANT, database: str = DEFAULT_DATABASE
    ) -> CollectionModel:
        """Fetch a collection by name (an id string is accepted too). Raises NotFoundError."""

    @abstractmethod
    def _delete_collection(
        self, name: str, tenant: str = DEFAULT_TENANT, database: str = DEFAULT_DATABASE
    ) -> None:
        """Delete a collection by name (an id string is accepted too). Raises NotFoundError."""

    @abstractmethod
    def _modify(
        self,
        id: UUID,
        new_name: Optional[str] = None,
        new_metadata: Optional[CollectionMetadata] = None,
        new_configuration: Optional[Dict[str, Any]] = None,
    ) -> CollectionModel:
        """Rename a collection and/or replace its metadata; returns the collection as stored."""

    # -- records -------------------------------------------------------------------------------
    @abstractmethod
    def _add(
        self,
        collection_id: UUID,
        ids: IDs,
        embeddings: EmbeddingMatrix,
        metadatas: Optional[Metadatas] = None,
        documents: Optional[Documents] = None,
        uris: Optional[URIs] = None,
    ) -> bool:
        """Add records; every id must be new. The batch is stored whole or not at all."""

    @abstractmethod
    def _update(
        self,
        collection_id: UUID,
        ids: IDs,
        embeddings: Optional[EmbeddingMatrix] = None,
        metadatas: Optional[Metadatas] = None,
        documents: Optional[Documents] = None,
        uris: Optional[URIs] = None,
    ) -> bool:
        """Update existing records (a metadata key set to None is removed). Unknown ids are
        skipped with a warning, as in Chroma."""

    @abstractmethod
    def _upsert(
        self,
        collection_id: UUID,
        ids: IDs,
        embeddings: EmbeddingMatrix,
        metadatas: Optional[Metadatas] = None,
        documents: Optional[Documents] = None,
        uris: Optional[URIs] = None,
    ) -> bool:
        """Add the records that are new, update the ones that exist."""

    @abstractmethod
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
        """Records by id and/or filter. With ids, in the order asked; otherwise in insertion
        order, paged by limit/offset."""

    @abstractmethod
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
        """The n_results nearest records to each query embedding, nearest first."""

    @abstractmethod
    def _search(
        self,
        collection_id: UUID,
        searches: List[Any],
        tenant: str = DEFAULT_TENANT,
        database: str = DEFAULT_DATABASE,
        read_level: ReadLevel = ReadLevel.INDEX_AND_WAL,
    ) -> Any:
        """Run each ``Search`` (chromadb.execution.expression) on the collection; returns a
        ``SearchResult`` with one entry per search."""

    @abstractmethod
    def _delete(
        self,
        collection_id: UUID,
        ids: Optional[IDs] = None,
        where: Optional[Where] = None,
        where_document: Optional[WhereDocument] = None,
        limit: Optional[int] = None,
    ) -> IDs:
        """Delete the records matching ids and filters (at most ``limit`` of them, first in
        insertion order, when given); returns the ids deleted."""

    @abstractmethod
    def _count(self, collection_id: UUID) -> int: ...

    def _peek(self, collection_id: UUID, n: int = 10) -> GetResult:
        return self._get(collection_id, limit=n, include=["metadatas", "documents", "embeddings"])

    # -- the rest ------------------------------------------------------------------------------
    @abstractmethod
    def _reset(self) -> bool: ...

    @abstractmethod
    def _raw_sql(self, sql: str) -> Tuple[List[str], List[Tuple[Any, ...]]]:
        """Run read-only SQL; returns (column names, rows)."""

    @abstractmethod
    def _create_index(self, collection_id: UUID) -> bool: ...

    @abstractmethod
    def _get_version(self) -> str: ...

    @abstractmethod
    def _get_max_batch_size(self) -> int: ...


# Names other Chroma versions export from here.
ServerAPI = API
BaseAPI = API
ClientAPI = ClientMethods
AdminAPI = API
CreateCollectionConfiguration = Dict[str, Any]

UpdateCollectionConfiguration = Dict[str, Any]


# The Search API's expression classes, which real Chroma also exports here.
_SEARCH_EXPRESSIONS = frozenset(
    "Abs Aggregate And Contains Div Eq Exp GroupBy Gt Gte In Limit Log Lt Lte Max MaxK Min "
    "MinK Mul Ne Nin NotContains NotRegex Or Rank Regex SearchWhere Select Sub Sum Val".split()
)


def __getattr__(name: str) -> Any:
    # Named here as in real Chroma, imported only when asked for (see chromadb.api.types).
    if name == "DefaultEmbeddingFunction":
        from chromadb.utils.embedding_functions.onnx_minilm import DefaultEmbeddingFunction

        return DefaultEmbeddingFunction
    if name == "UserIdentity":
        from chromadb.auth import UserIdentity

        return UserIdentity
    if name in ("AsyncAdminAPI", "AsyncBaseAPI", "AsyncClientAPI", "AsyncServerAPI"):
        from chromadb.api import async_api

        return getattr(async_api, name)
    if name in ("Search", "K", "Key", "Knn", "Rrf"):
        from chromadb.api import search

        return getattr(search, name)
    if name in ("SearchResult", "SearchResultRow"):
        from chromadb.api import types

        return getattr(types, name)
    if name in _SEARCH_EXPRESSIONS:
        from chromadb.execution.expression import operator

        return getattr(operator, "Where" if name == "SearchWhere" else name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "API",
    "AdminAPI",
    "BaseAPI",
    "ClientAPI",
    "ClientMethods",
    "CreateCollectionConfiguration",
    "DEFAULT_EMBEDDING_FUNCTION",
    "ServerAPI",
]
