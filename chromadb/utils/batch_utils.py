"""Splitting large writes into batches the server accepts."""

from __future__ import annotations

from typing import Any, List, Optional, Sequence, Tuple

from chromadb.api import ClientMethods

Batch = Tuple[List[str], Optional[List[Any]], Optional[List[Any]], Optional[List[Any]]]

# Room left under the body limit for the JSON around the batch and numbers that encode longer
# than the sample measured.
_BODY_MARGIN = 0.9


def create_batches(
    api: ClientMethods,
    ids: Sequence[str],
    embeddings: Optional[Sequence[Any]] = None,
    metadatas: Optional[Sequence[Any]] = None,
    documents: Optional[Sequence[Any]] = None,
) -> List[Batch]:
    """Cut (ids, embeddings, metadatas, documents) into batches of at most the client's
    ``get_max_batch_size()`` records each; over HTTP each batch also fits the request body
    limit (``chroma_server_max_body_bytes``).

    Examples:
        ```python
        for batch in create_batches(client, ids, embeddings, metadatas, documents):
            collection.add(*batch)
        ```
    """
    size = api.get_max_batch_size()
    batches: List[Batch] = []
    start = 0
    while start < len(ids):
        end = min(len(ids), start + size)
        batch = _cut(ids, embeddings, metadatas, documents, start, end)
        body_limit = _body_limit(api)
        while body_limit is not None and end - start > 1 and _encoded_size(batch) > body_limit:
            # Halve until it fits: the encoded size of records varies (documents, metadata).
            end = start + (end - start) // 2
            batch = _cut(ids, embeddings, metadatas, documents, start, end)
        batches.append(batch)
        start = end
    return batches


def _cut(
    ids: Sequence[str],
    embeddings: Optional[Sequence[Any]],
    metadatas: Optional[Sequence[Any]],
    documents: Optional[Sequence[Any]],
    start: int,
    end: int,
) -> Batch:
    return (
        list(ids[start:end]),
        list(embeddings[start:end]) if embeddings is not None else None,
        list(metadatas[start:end]) if metadatas is not None else None,
        list(documents[start:end]) if documents is not None else None,
    )


def _body_limit(api: ClientMethods) -> Optional[int]:
    """The body limit when ``api`` talks HTTP (None in-process, where no body is sent)."""
    settings = api._server().settings
    if not settings.is_rest():
        return None
    return int(settings.chroma_server_max_body_bytes * _BODY_MARGIN)


def _encoded_size(batch: Batch) -> int:
    import pydantic_core

    ids, embeddings, metadatas, documents = batch
    vectors = None
    if embeddings is not None:
        vectors = [e.tolist() if hasattr(e, "tolist") else e for e in embeddings]
    body = {
        "ids": ids,
        "embeddings": vectors,
        "metadatas": metadatas,
        "documents": documents,
    }
    return len(pydantic_core.to_json(body, inf_nan_mode="constants"))
