"""The Collection object users hold: it normalises arguments, embeds documents and delegates to
the backend (embedded engine or HTTP client) through the API contract."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any, Dict, Optional, Sequence, Union, cast

from chromadb.api.collection_configuration import (
    resolve_embedding_function as resolve_embedding_function,
)
from chromadb.api.models.CollectionCommon import EMBED_BATCH as EMBED_BATCH
from chromadb.api.models.CollectionCommon import CollectionCommon
from chromadb.api.types import (
    DEFAULT_GET_INCLUDE,
    DEFAULT_QUERY_INCLUDE,
    ID,
    URI,
    CollectionMetadata,
    Document,
    Documents,
    Embedding,
    GetResult,
    IDs,
    Include,
    Metadata,
    Metadatas,
    QueryResult,
    URIs,
    Where,
    WhereDocument,
)

if TYPE_CHECKING:
    from chromadb.api import API

logger = logging.getLogger(__name__)


class Collection(CollectionCommon):
    """A named set of records (id, embedding, document, metadata) with a vector index.

    Get one from a client: ``client.create_collection("docs")``, ``client.get_collection("docs")``.
    """

    @property
    def _api(self) -> API:
        return cast("API", self._client)

    # -- reading ---------------------------------------------------------------------------------
    def count(self) -> int:
        """The number of records in this collection."""
        return self._api._count(self.id)

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
            ids: The ids of the records to get (results come in insertion order, as real
                Chroma 1.x).
            where: A metadata filter, e.g. ``{"style": "style1"}`` or ``{"n": {"$gt": 3}}``.
            limit: The most records to return.
            offset: How many records to skip (records are in insertion order).
            where_document: A document filter, e.g. ``{"$contains": "hello"}``.
            include: Which fields to return: "embeddings", "metadatas", "documents", "uris".

        Returns:
            GetResult: ids and the included fields, aligned by position; embeddings as one
            2-d numpy array.
        """
        result = self._api._get(
            self.id, **self._get_args(ids, where, limit, offset, where_document, include)
        )
        return self._shaped(result, query=False)

    def peek(self, limit: int = 10) -> GetResult:
        """The first ``limit`` records of the collection, with their embeddings."""
        return self._shaped(self._api._peek(self.id, limit), query=False)

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
        args = self._query_args(
            query_embeddings, query_texts, n_results, where, where_document, include, ids
        )
        return self._shaped(self._api._query(self.id, **args), query=True)

    def search(self, searches: Any, read_level: Any = "index_and_wal") -> Any:
        """Hybrid search: run one ``Search`` or a list of them (from
        ``chromadb.execution.expression``) and return a ``SearchResult``: per search, the ids
        ranked best (lowest score) first and the selected fields; ``.rows()`` gives records.

        >>> from chromadb import Search, K, Knn
        >>> collection.search(Search().where(K("year") >= 2020).rank(Knn(query=[0.1, 0.2]))
        ...                   .limit(5).select(K.DOCUMENT, K.SCORE))
        """
        return self._api._search(
            self.id,
            self._search_args(searches),
            tenant=self.tenant,
            database=self.database,
            read_level=read_level,
        )

    # -- writing ---------------------------------------------------------------------------------
    def add(
        self,
        ids: Union[ID, IDs],
        embeddings: Optional[Union[Embedding, Sequence[Embedding]]] = None,
        metadatas: Optional[Union[Metadata, Metadatas]] = None,
        documents: Optional[Union[Document, Documents]] = None,
        uris: Optional[Union[URI, URIs]] = None,
        images: Any = None,
        increment_index: bool = True,
    ) -> None:
        """Add records. Either one at a time (``ids="uri9"``, ``embeddings=[1.5, 2.9, 3.4]``) or
        many. Records given documents but no embeddings are embedded with the collection's
        embedding function. Ids already in the collection are skipped (with a warning), as real
        Chroma does; the rest of the batch is stored whole or not at all.

        Raises:
            DuplicateIDError: an id appears twice in the batch.
            InvalidDimensionException: an embedding has the wrong length.

        ``increment_index`` is accepted for code written for 0.3; the index is always kept up
        to date.
        """
        id_list, emb, metas, docs, uri_list = self._prepare(
            ids, embeddings, metadatas, documents, uris, "add"
        )
        self._api._add(self.id, id_list, self._required(emb), metas, docs, uri_list)

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
        self._api._update(
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
        increment_index: bool = True,
    ) -> None:
        """Add records that do not exist yet and update those that do. (``increment_index``
        is accepted for 0.3 code: the index is always kept up to date.)"""
        id_list, emb, metas, docs, uri_list = self._prepare(
            ids, embeddings, metadatas, documents, uris, "upsert"
        )
        self._api._upsert(self.id, id_list, self._required(emb), metas, docs, uri_list)

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
        args = self._delete_args(ids, where, where_document, limit)
        return self._deleted(self._api._delete(self.id, **args))

    def modify(
        self,
        name: Optional[str] = None,
        metadata: Optional[CollectionMetadata] = None,
        configuration: Optional[Dict[str, Any]] = None,
    ) -> None:
        """Change the name and/or the metadata of this collection."""
        self._model = self._api._modify(
            self.id, new_name=name, new_metadata=metadata, new_configuration=configuration
        )

    def create_index(self) -> bool:
        """Build the vector index now (it is kept up to date on every write anyway)."""
        return self._api._create_index(self.id)


__all__ = ["Collection"]
