"""The checks real Chroma 1.x's ``Collection`` makes before a call reaches any backend, and the
result types it hands back.

They live here, above the backends, because real Chroma makes them in its client: the same call
then fails the same way in process and over HTTP, while our server still accepts the looser
bodies older clients send (``where: {}``, several keys in one ``where``). Clients made with the
seed documents' settings (``Settings.is_seed_era()``) keep the 0.3 rules and plain lists.
"""

from __future__ import annotations

from typing import Any, Optional, Sequence

import numpy as np

from chromadb.errors import InvalidArgumentError

LOGICAL = ("$and", "$or")


def check_where_shape(where: Any, op: str) -> None:
    """Every ``where`` dict holds exactly one key (a field or ``$and``/``$or``)."""
    if where is None or not isinstance(where, dict):
        return  # the engine names any other wrong type
    if len(where) != 1:
        raise InvalidArgumentError(
            f"Expected where to have exactly one operator, got {where} in {op}."
        )
    ((key, value),) = where.items()
    if key in LOGICAL and isinstance(value, list):
        for child in value:
            check_where_shape(child, op)
    elif isinstance(value, dict):
        for operator, operand in value.items():
            # A tuple would pass as a list over JSON; real Chroma refuses it everywhere.
            if operator in ("$in", "$nin") and not isinstance(operand, list):
                raise InvalidArgumentError(
                    f"Expected operand value to be an list for operator {operator}, "
                    f"got {operand} in {op}."
                )


def check_where_document_shape(where_document: Any, op: str) -> None:
    """Every ``where_document`` dict holds exactly one operator."""
    if where_document is None or not isinstance(where_document, dict):
        return
    if len(where_document) != 1:
        raise InvalidArgumentError(
            f"Expected where document to have exactly one operator, got {where_document} in {op}."
        )
    ((key, value),) = where_document.items()
    if key in LOGICAL and isinstance(value, list):
        for child in value:
            check_where_document_shape(child, op)


def check_ids_given(ids: Optional[Sequence[Any]], op: str) -> None:
    """``ids=[]`` is refused: it means no record, and a caller passing it rarely means that."""
    if ids is not None and len(ids) == 0:
        raise InvalidArgumentError(f"Expected IDs to be a non-empty list, got 0 IDs in {op}.")


def check_metadatas_not_empty(metadatas: Optional[Sequence[Any]], op: str) -> None:
    for metadata in metadatas or ():
        if isinstance(metadata, dict) and len(metadata) == 0:
            raise InvalidArgumentError(
                f"Expected metadata to be a non-empty dict, got 0 metadata attributes in {op}."
            )


def check_delete_args(ids: Any, where: Any, where_document: Any, limit: Any) -> None:
    # ``delete()`` with no argument at all deletes every record, as the seed documents show
    # (real Chroma 1.x refuses it; docs/differences.md).
    if limit is not None and where is None and where_document is None:
        raise InvalidArgumentError(
            "limit can only be specified when a where or where_document clause is provided "
            "in delete."
        )


def embeddings_as_arrays(result: Any, query: bool) -> Any:
    """Embeddings as real Chroma 1.x returns them: get one 2-d array, query one per query."""
    embeddings = result.get("embeddings")
    if embeddings is None:
        return result
    if query:
        result["embeddings"] = [np.array(rows) for rows in embeddings]
    else:
        result["embeddings"] = np.array(embeddings)
    return result
