"""One of our databases as a source: a folder (opened with a persistent client) or a server
(over HTTP), read through the public API a page at a time."""

from __future__ import annotations

from typing import Any, Iterator, List, Optional

import numpy as np

from chromadb.api.collection_configuration import SCHEMA_KEY
from chromadb.config import DEFAULT_DATABASE, DEFAULT_TENANT
from chromadb.portability.model import RecordBatch, SourceCollection

_INCLUDE = ["embeddings", "documents", "metadatas", "uris"]


class ClientSource:
    """The collections of one tenant and database behind ``client``."""

    def __init__(self, client: Any, label: str) -> None:
        self.client = client
        self.label = label

    def describe(self) -> str:
        return self.label

    def collections(self) -> List[SourceCollection]:
        out = []
        for listed in self.client.list_collections():
            name = listed if isinstance(listed, str) else listed.name
            collection = self.client.get_collection(name, embedding_function=None)
            configuration = dict(getattr(collection, "configuration", None) or {})
            # The schema as created (its sparse vector index) travels with the configuration.
            stored = getattr(getattr(collection, "_model", None), "configuration", None) or {}
            if stored.get(SCHEMA_KEY):
                configuration[SCHEMA_KEY] = stored[SCHEMA_KEY]
            out.append(
                SourceCollection(
                    name=name,
                    metadata=collection.metadata,
                    configuration=configuration,
                    tenant=getattr(self.client, "tenant", DEFAULT_TENANT),
                    database=getattr(self.client, "database", DEFAULT_DATABASE),
                    count=collection.count(),
                    key=name,
                )
            )
        return out

    def batches(self, collection: SourceCollection, size: int) -> Iterator[RecordBatch]:
        handle = self.client.get_collection(collection.key, embedding_function=None)
        # Whole pages: fewer round trips over HTTP, and each page re-reads only its offset.
        size = max(size, 5000)
        offset = 0
        while True:
            page = handle.get(include=_INCLUDE, limit=size, offset=offset)
            ids = page["ids"]
            if not ids:
                return
            offset += len(ids)
            yield _batch(page)
            if len(ids) < size:
                return


def _column(page: Any, key: str, n: int) -> List[Optional[Any]]:
    values = page.get(key)
    return list(values) if values is not None else [None] * n


def _batch(page: Any) -> RecordBatch:
    ids = list(page["ids"])
    embeddings = page.get("embeddings")
    matrix = None
    if embeddings is not None and len(embeddings):
        matrix = np.asarray(embeddings, dtype=np.float32)
    return RecordBatch(
        ids=ids,
        embeddings=matrix,
        documents=_column(page, "documents", len(ids)),
        metadatas=[dict(m) if m else None for m in _column(page, "metadatas", len(ids))],
        uris=_column(page, "uris", len(ids)),
    )
