"""The Collection object users hold: it normalises arguments, embeds documents and delegates to
the backend (embedded engine or HTTP client) through the API contract."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any, Dict, List, Optional, Sequence, Union, cast
from uuid import UUID

import numpy as np
from tqdm import tqdm

from chromadb.api.collection_configuration import (
    full_configuration,
    public_configuration,
    resolve_embedding_function,
    schema_json_of,
)
from chromadb.api.models import rules
from chromadb.api.schema import Schema
from chromadb.api.types import (
    DEFAULT_GET_INCLUDE,
    DEFAULT_QUERY_INCLUDE,
    ID,
    URI,
    CollectionMetadata,
    Document,
    Documents,
    Embedding,
    EmbeddingFunction,
    EmbeddingMatrix,
    GetResult,
    IDs,
    Include,
    Metadata,
    Metadatas,
    QueryResult,
    URIs,
    Where,
    WhereDocument,
    as_lists,
    maybe_cast_one_to_many,
    normalize_embeddings,
    normalize_include,
)
from chromadb.errors import ChromaError, InvalidArgumentError

if TYPE_CHECKING:
    from chromadb.api import API
    from chromadb.api.models.model import CollectionModel

logger = logging.getLogger(__name__)

# Documents per call to the embedding function when a write embeds many of them.
EMBED_BATCH = 512


class Collection:
    """A named set of records (id, embedding, document, metadata) with a vector index.

    Get one from a client: ``client.create_collection("docs")``, ``client.get_collection("docs")``.
    """

    def __init__(
        self,
        client: API,
        model: CollectionModel,
        embedding_function: Any = None,
    ) -> None:
        self._client = client
        self._model = model
        self._embedding_function = resolve_embedding_function(model, embedding_function)
        settings = getattr(client, "settings", None)
        # Seed-era clients keep the 0.3 rules and plain-list results (see rules.py).
        self._modern = not (settings is not None and settings.seed_era())

    # -- properties ------------------------------------------------------------------------------
    @property
    def id(self) -> UUID:
        return self._model.id

    @property
    def name(self) -> str:
        return self._model.name

    @property
    def metadata(self) -> Optional[CollectionMetadata]:
        return self._model.metadata

    @property
    def configuration(self) -> Dict[str, Any]:
        """The configuration, with the embedding function as an object (as real 1.x)."""
        config = self.configuration_json
        config["embedding_function"] = self._embedding_function
        return config

    @property
    def configuration_json(self) -> Dict[str, Any]:
        """The configuration in JSON form: HNSW parameters, spann, the embedding function by
        name and config."""
        return full_configuration(public_configuration(self._model.configuration))

    @property
    def schema(self) -> Schema:
        """The collection's schema, with its vector index filled from the configuration."""
        return Schema.deserialize_from_json(schema_json_of(self._model.configuration))

    @property
    def tenant(self) -> str:
        return self._model.tenant

    @property
    def database(self) -> str:
        return self._model.database

    @property
    def dimension(self) -> Optional[int]:
        return self._model.dimension

    @property
    def embedding_function(self) -> Optional[EmbeddingFunction[Any]]:
        return self._embedding_function

    def __repr__(self) -> str:
        return f"Collection(name={self.name}, id={self.id}, metadata={self.metadata})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Collection) and self.id == other.id and self.name == other.name

    def __hash__(self) -> int:
        return hash(self.id)

    # -- reading ---------------------------------------------------------------------------------
    def count(self) -> int:
        """The number of records in this collection."""
        return self._client._count(self.id)

    def get(
        self,
        ids: Optional[Union[ID, IDs]] = None,
        where: Optional[Where] = None,
        limit: Optional[int] = None,
        offset: Optional[int] = None,
        where_document: Optional[WhereDocument] = None,
        include: Include = cast(Include, DEFAULT_GET_INCLUDE),
    ) -> GetResult:
        """Get records by id and/or filter.

        Args:
            ids: The ids of the records to get; results come back in this order.
            where: A metadata filter, e.g. ``{"style": "style1"}`` or ``{"n": {"$gt": 3}}``.
            limit: The most records to return.
            offset: How many records to skip (records are in insertion order).
            where_document: A document filter, e.g. ``{"$contains": "hello"}``.
            include: Which fields to return: "embeddings", "metadatas", "documents", "uris".

        Returns:
            GetResult: ids and the included fields, aligned by position; embeddings as one
            2-d numpy array.
        """
        id_list = maybe_cast_one_to_many(ids)
        self._check_filters(where, where_document, "get")
        if self._modern:
            rules.check_ids_given(id_list, "get")
        result = self._client._get(
            self.id,
            ids=id_list,
            where=where,
            limit=limit,
            offset=offset,
            where_document=where_document,
            include=normalize_include(include, DEFAULT_GET_INCLUDE),
        )
        return self._arrays(result, query=False)

    def peek(self, limit: int = 10) -> GetResult:
        """The first ``limit`` records of the collection, with their embeddings."""
        return self._arrays(self._client._peek(self.id, limit), query=False)

    def query(
        self,
        query_embeddings: Optional[Union[Embedding, Sequence[Embedding]]] = None,
        query_texts: Optional[Union[Document, Documents]] = None,
        n_results: int = 10,
        where: Optional[Where] = None,
        where_document: Optional[WhereDocument] = None,
        include: Include = cast(Include, DEFAULT_QUERY_INCLUDE),
        ids: Optional[Union[ID, IDs]] = None,
        query_images: Any = None,
        query_uris: Any = None,
    ) -> QueryResult:
        """Find the ``n_results`` nearest records to each query embedding or text.

        Args:
            query_embeddings: One embedding or a list of them.
            query_texts: One text or a list of them, embedded with the collection's function.
            n_results: How many neighbours per query; fewer come back when the collection
                (or the filter) holds fewer.
            where: A metadata filter.
            where_document: A document filter.
            include: Which fields to return, among "embeddings", "metadatas", "documents",
                "distances", "uris".
            ids: Only consider records with these ids.

        Returns:
            QueryResult: one inner list per query, nearest first.
        """
        # As real Chroma 1.x: given both, the embeddings are used.
        if query_embeddings is None and query_texts is None:
            raise InvalidArgumentError("You must provide either query_embeddings or query_texts")
        embeddings = (
            normalize_embeddings(query_embeddings)
            if query_embeddings is not None
            else self._embed(maybe_cast_one_to_many(query_texts) or [])
        )
        self._check_filters(where, where_document, "query")
        result = self._client._query(
            self.id,
            query_embeddings=embeddings if embeddings is not None else [],
            n_results=n_results,
            where=where,
            where_document=where_document,
            include=normalize_include(include, DEFAULT_QUERY_INCLUDE),
            ids=maybe_cast_one_to_many(ids),
        )
        return self._arrays(result, query=True)

    # -- writing ---------------------------------------------------------------------------------
    def add(
        self,
        ids: Union[ID, IDs],
        embeddings: Optional[Union[Embedding, Sequence[Embedding]]] = None,
        metadatas: Optional[Union[Metadata, Metadatas]] = None,
        documents: Optional[Union[Document, Documents]] = None,
        uris: Optional[Union[URI, URIs]] = None,
        images: Any = None,
    ) -> None:
        """Add records. Either one at a time (``ids="uri9"``, ``embeddings=[1.5, 2.9, 3.4]``) or
        many. Records given documents but no embeddings are embedded with the collection's
        embedding function. The batch is stored whole or not at all.

        Raises:
            DuplicateIDError: an id appears twice in the batch.
            IDAlreadyExistsError: an id is already in the collection.
            InvalidDimensionException: an embedding has the wrong length.
        """
        id_list, emb, metas, docs, uri_list = self._prepare(
            ids, embeddings, metadatas, documents, uris, "add"
        )
        self._client._add(self.id, id_list, self._required(emb), metas, docs, uri_list)

    def update(
        self,
        ids: Union[ID, IDs],
        embeddings: Optional[Union[Embedding, Sequence[Embedding]]] = None,
        metadatas: Optional[Union[Metadata, Metadatas]] = None,
        documents: Optional[Union[Document, Documents]] = None,
        uris: Optional[Union[URI, URIs]] = None,
        images: Any = None,
    ) -> None:
        """Update the embeddings, metadatas or documents of existing records. A document given
        without an embedding is re-embedded. A metadata key set to None is removed."""
        self._client._update(
            self.id, *self._prepare(ids, embeddings, metadatas, documents, uris, "update")
        )

    def upsert(
        self,
        ids: Union[ID, IDs],
        embeddings: Optional[Union[Embedding, Sequence[Embedding]]] = None,
        metadatas: Optional[Union[Metadata, Metadatas]] = None,
        documents: Optional[Union[Document, Documents]] = None,
        uris: Optional[Union[URI, URIs]] = None,
        images: Any = None,
    ) -> None:
        """Add records that do not exist yet and update those that do."""
        id_list, emb, metas, docs, uri_list = self._prepare(
            ids, embeddings, metadatas, documents, uris, "upsert"
        )
        self._client._upsert(self.id, id_list, self._required(emb), metas, docs, uri_list)

    def delete(
        self,
        ids: Optional[Union[ID, IDs]] = None,
        where: Optional[Where] = None,
        where_document: Optional[WhereDocument] = None,
        limit: Optional[int] = None,
    ) -> Any:
        """Delete the records with these ids and/or matching these filters.

        Args:
            limit: The most records to delete (the first ones in insertion order); only with
                ``where`` or ``where_document``.

        Returns:
            ``{"deleted": n}``, the number of records deleted, as real Chroma 1.x (None for
            clients with the seed's settings, as 0.3). With no argument at all, every record is
            deleted, as the seed documents show.
        """
        id_list = maybe_cast_one_to_many(ids)
        self._check_filters(where, where_document, "delete")
        if self._modern:
            rules.check_ids_given(id_list, "delete")
            rules.check_delete_args(id_list, where, where_document, limit)
        deleted = self._client._delete(
            self.id, ids=id_list, where=where, where_document=where_document, limit=limit
        )
        if not self._modern:
            return None  # as Chroma 0.3
        return {"deleted": len(deleted)}

    def modify(
        self,
        name: Optional[str] = None,
        metadata: Optional[CollectionMetadata] = None,
        configuration: Optional[Dict[str, Any]] = None,
    ) -> None:
        """Change the name and/or the metadata of this collection."""
        self._model = self._client._modify(
            self.id, new_name=name, new_metadata=metadata, new_configuration=configuration
        )

    def create_index(self) -> bool:
        """Build the vector index now (it is kept up to date on every write anyway)."""
        return self._client._create_index(self.id)

    # -- helpers ---------------------------------------------------------------------------------
    def _check_filters(self, where: Any, where_document: Any, op: str) -> None:
        if self._modern:
            rules.check_where_shape(where, op)
            rules.check_where_document_shape(where_document, op)

    def _arrays(self, result: Any, query: bool) -> Any:
        if self._modern:
            return rules.embeddings_as_arrays(result, query)
        return rules.seed_shape(result, query)

    def _embed(self, documents: Documents) -> EmbeddingMatrix:
        if self._embedding_function is None:
            raise InvalidArgumentError(
                "You must provide an embedding function to compute embeddings from documents"
            )
        for i, doc in enumerate(documents):
            if not isinstance(doc, str):
                raise InvalidArgumentError(
                    f"Expected document {i} to be a str, got {type(doc).__name__}"
                )
        ef = self._embedding_function
        if len(documents) <= EMBED_BATCH:
            return self._embed_batch(ef, documents, 0)
        # Thousands of documents take a while: show progress, embed in batches, and say which
        # batch failed if one does.
        parts: List[EmbeddingMatrix] = []
        with tqdm(total=len(documents), desc="Embedding", unit="doc") as bar:
            for start in range(0, len(documents), EMBED_BATCH):
                batch = documents[start : start + EMBED_BATCH]
                parts.append(self._embed_batch(ef, batch, start))
                bar.update(len(batch))
        if all(isinstance(p, np.ndarray) for p in parts):
            return np.concatenate(parts)
        return [row for part in parts for row in (as_lists(part) or [])]

    @staticmethod
    def _embed_batch(
        ef: EmbeddingFunction[Any], documents: Documents, start: int
    ) -> EmbeddingMatrix:
        where = f"documents {start}-{start + len(documents) - 1}"
        try:
            normalized = normalize_embeddings(ef(documents))
            embeddings = normalized if normalized is not None else []
        except ChromaError as exc:
            raise type(exc)(f"Embedding {where} failed: {exc}") from exc
        except Exception as exc:
            raise ChromaError(f"Embedding {where} failed: {type(exc).__name__}: {exc}") from exc
        if len(embeddings) != len(documents):
            raise InvalidArgumentError(
                f"The embedding function returned {len(embeddings)} embeddings for "
                f"{len(documents)} documents ({where})"
            )
        return embeddings

    @staticmethod
    def _required(embeddings: Optional[EmbeddingMatrix]) -> EmbeddingMatrix:
        if embeddings is None:
            raise InvalidArgumentError(
                "You must provide embeddings or documents (with an embedding function)"
            )
        return embeddings

    def _prepare(
        self, ids: Any, embeddings: Any, metadatas: Any, documents: Any, uris: Any, op: str
    ) -> tuple[
        IDs, Optional[EmbeddingMatrix], Optional[Metadatas], Optional[Documents], Optional[URIs]
    ]:
        """Wrap single records into batches and embed documents that lack embeddings."""
        id_list = maybe_cast_one_to_many(ids)
        if id_list is None:
            raise InvalidArgumentError("Expected ids to be a list of str, got None")
        emb = normalize_embeddings(embeddings)
        metas = maybe_cast_one_to_many(metadatas)
        if self._modern:
            rules.check_metadatas_not_empty(metas, op)
        docs = maybe_cast_one_to_many(documents)
        uri_list = maybe_cast_one_to_many(uris)
        if emb is None and docs is not None:
            if len(docs) != len(id_list):
                raise InvalidArgumentError(
                    f"Number of documents ({len(docs)}) does not match number of ids ({len(id_list)})"
                )
            emb = self._embed(docs)
        return id_list, emb, metas, docs, uri_list


__all__ = ["Collection"]
