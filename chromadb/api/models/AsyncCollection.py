"""The collection handle of the async client: the methods of ``Collection``, awaited.

Arguments are normalised exactly as in ``Collection`` (``CollectionCommon``); documents are
embedded in a worker thread, so a slow embedding function does not block the event loop.
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Any, Dict, Optional, Sequence, Union, cast

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
    from chromadb.api.async_api import AsyncServerAPI

__all__ = ["AsyncCollection"]


class AsyncCollection(CollectionCommon):
    """A collection reached through ``chromadb.AsyncHttpClient``; every method is a coroutine."""

    @property
    def _api(self) -> AsyncServerAPI:
        return cast("AsyncServerAPI", self._client)

    async def count(self) -> int:
        """The number of records in this collection."""
        return await self._api._count(self.id)

    async def get(
        self,
        ids: Optional[Union[ID, IDs]] = None,
        where: Optional[Where] = None,
        limit: Optional[int] = None,
        offset: Optional[int] = None,
        where_document: Optional[WhereDocument] = None,
        include: Include = cast(Include, DEFAULT_GET_INCLUDE),
    ) -> GetResult:
        """Records by id and/or filter (see ``Collection.get``)."""
        args = self._get_args(ids, where, limit, offset, where_document, include)
        return cast(GetResult, self._shaped(await self._api._get(self.id, **args), query=False))

    async def peek(self, limit: int = 10) -> GetResult:
        """The first ``limit`` records, with their embeddings."""
        include = cast(Include, ["metadatas", "documents", "embeddings"])
        result = await self._api._get(self.id, limit=limit, include=include)
        return cast(GetResult, self._shaped(result, query=False))

    async def query(
        self,
        query_embeddings: Optional[Union[Embedding, Sequence[Embedding]]] = None,
        query_texts: Optional[Union[Document, Documents]] = None,
        n_results: int = 10,
        where: Optional[Where] = None,
        where_document: Optional[WhereDocument] = None,
        include: Include = cast(Include, DEFAULT_QUERY_INCLUDE),
        ids: Optional[Union[ID, IDs]] = None,
    ) -> QueryResult:
        """The ``n_results`` nearest records to each query (see ``Collection.query``)."""
        args = await asyncio.to_thread(
            self._query_args,
            query_embeddings,
            query_texts,
            n_results,
            where,
            where_document,
            include,
            ids,
        )
        result = await self._api._query(self.id, **args)
        return cast(QueryResult, self._shaped(result, query=True))

    async def search(self, searches: Any, read_level: Any = "index_and_wal") -> Any:
        """Hybrid search (see ``Collection.search``): one ``Search`` or a list of them; returns
        a ``SearchResult``."""
        prepared = await asyncio.to_thread(self._search_args, searches)
        return await self._api._search(
            self.id, prepared, tenant=self.tenant, database=self.database, read_level=read_level
        )

    async def _write(
        self, operation: str, ids: Any, embeddings: Any, metadatas: Any, documents: Any, uris: Any
    ) -> None:
        id_list, emb, metas, docs, uri_list = await asyncio.to_thread(
            self._prepare, ids, embeddings, metadatas, documents, uris, operation
        )
        if operation != "update":
            emb = self._required(emb)
        await self._api._write(operation, self.id, id_list, emb, metas, docs, uri_list)

    async def add(
        self,
        ids: Union[ID, IDs],
        embeddings: Optional[Union[Embedding, Sequence[Embedding]]] = None,
        metadatas: Optional[Union[Metadata, Metadatas]] = None,
        documents: Optional[Union[Document, Documents]] = None,
        uris: Optional[Union[URI, URIs]] = None,
    ) -> None:
        """Add records (see ``Collection.add``)."""
        await self._write("add", ids, embeddings, metadatas, documents, uris)

    async def update(
        self,
        ids: Union[ID, IDs],
        embeddings: Optional[Union[Embedding, Sequence[Embedding]]] = None,
        metadatas: Optional[Union[Metadata, Metadatas]] = None,
        documents: Optional[Union[Document, Documents]] = None,
        uris: Optional[Union[URI, URIs]] = None,
    ) -> None:
        """Update existing records (see ``Collection.update``)."""
        await self._write("update", ids, embeddings, metadatas, documents, uris)

    async def upsert(
        self,
        ids: Union[ID, IDs],
        embeddings: Optional[Union[Embedding, Sequence[Embedding]]] = None,
        metadatas: Optional[Union[Metadata, Metadatas]] = None,
        documents: Optional[Union[Document, Documents]] = None,
        uris: Optional[Union[URI, URIs]] = None,
    ) -> None:
        """Add new records and update existing ones (see ``Collection.upsert``)."""
        await self._write("upsert", ids, embeddings, metadatas, documents, uris)

    async def delete(
        self,
        ids: Optional[Union[ID, IDs]] = None,
        where: Optional[Where] = None,
        where_document: Optional[WhereDocument] = None,
        limit: Optional[int] = None,
    ) -> Any:
        """Delete records by id and/or filter (see ``Collection.delete``)."""
        args = self._delete_args(ids, where, where_document, limit)
        return self._deleted(await self._api._delete(self.id, **args))

    async def modify(
        self,
        name: Optional[str] = None,
        metadata: Optional[CollectionMetadata] = None,
        configuration: Optional[Dict[str, Any]] = None,
    ) -> None:
        """Rename the collection and/or replace its metadata or configuration."""
        self._model = await self._api._modify(
            self.id, new_name=name, new_metadata=metadata, new_configuration=configuration
        )
