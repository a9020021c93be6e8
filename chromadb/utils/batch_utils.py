"""Splitting large writes into batches the server accepts."""

from __future__ import annotations

from typing import Any, List, Optional, Sequence, Tuple

from chromadb.api import ClientMethods

Batch = Tuple[List[str], Optional[List[Any]], Optional[List[Any]], Optional[List[Any]]]


def create_batches(
    api: ClientMethods,
    ids: Sequence[str],
    embeddings: Optional[Sequence[Any]] = None,
    metadatas: Optional[Sequence[Any]] = None,
    documents: Optional[Sequence[Any]] = None,
) -> List[Batch]:
    """Cut (ids, embeddings, metadatas, documents) into batches of at most the client's
    ``get_max_batch_size()`` records each.

    Examples:
        ```python
        for batch in create_batches(client, ids, embeddings, metadatas, documents):
            collection.add(*batch)
        ```
    """
    size = api.get_max_batch_size()
    batches: List[Batch] = []
    for start in range(0, len(ids), size):
        end = start + size
        batches.append(
            (
                list(ids[start:end]),
                list(embeddings[start:end]) if embeddings is not None else None,
                list(metadatas[start:end]) if metadatas is not None else None,
                list(documents[start:end]) if documents is not None else None,
            )
        )
    return batches
