"""Public types of the chromadb API: aliases for inputs, result dicts, the embedding-function protocol.

Inputs are flexible (a single id, vector, dict or string stands for a batch of one; numpy arrays are
accepted); the ``normalize_*`` helpers turn them into the plain lists the backends work on.
"""

from __future__ import annotations

from typing import (
    Any,
    List,
    Mapping,
    Optional,
    Protocol,
    Sequence,
    TypedDict,
    TypeVar,
    Union,
    cast,
    runtime_checkable,
)

import numpy as np

from chromadb.base_types import (
    ID as ID,
)
from chromadb.base_types import (
    SPARSE_VECTOR_TYPE_VALUE as SPARSE_VECTOR_TYPE_VALUE,
)
from chromadb.base_types import (
    TYPE_KEY as TYPE_KEY,
)
from chromadb.base_types import (
    URI as URI,
)
from chromadb.base_types import (
    ArrayContainsOperator as ArrayContainsOperator,
)
from chromadb.base_types import (
    CollectionMetadata as CollectionMetadata,
)
from chromadb.base_types import (
    Document as Document,
)
from chromadb.base_types import (
    Documents as Documents,
)
from chromadb.base_types import (
    Embedding as Embedding,
)
from chromadb.base_types import (
    EmbeddingMatrix as EmbeddingMatrix,
)
from chromadb.base_types import (
    Embeddings as Embeddings,
)
from chromadb.base_types import (
    IDs as IDs,
)
from chromadb.base_types import (
    Include as Include,
)
from chromadb.base_types import (
    IncludeEnum as IncludeEnum,
)
from chromadb.base_types import (
    InclusionExclusionOperator as InclusionExclusionOperator,
)
from chromadb.base_types import (
    LiteralValue as LiteralValue,
)
from chromadb.base_types import (
    LogicalOperator as LogicalOperator,
)
from chromadb.base_types import (
    Metadata as Metadata,
)
from chromadb.base_types import (
    MetadataListValue as MetadataListValue,
)
from chromadb.base_types import (
    Metadatas as Metadatas,
)
from chromadb.base_types import (
    MetadataValue as MetadataValue,
)
from chromadb.base_types import (
    OperatorExpression as OperatorExpression,
)
from chromadb.base_types import (
    PyEmbedding as PyEmbedding,
)
from chromadb.base_types import (
    PyEmbeddings as PyEmbeddings,
)
from chromadb.base_types import (
    PyVector as PyVector,
)
from chromadb.base_types import (
    SparseVector as SparseVector,
)
from chromadb.base_types import (
    UpdateMetadata as UpdateMetadata,
)
from chromadb.base_types import (
    URIs as URIs,
)
from chromadb.base_types import (
    Vector as Vector,
)
from chromadb.base_types import (
    Where as Where,
)
from chromadb.base_types import (
    WhereDocument as WhereDocument,
)
from chromadb.base_types import (
    WhereDocumentOperator as WhereDocumentOperator,
)
from chromadb.base_types import (
    WhereOperator as WhereOperator,
)
from chromadb.errors import InvalidArgumentError

ALL_INCLUDE: tuple[str, ...] = ("documents", "embeddings", "metadatas", "distances", "uris", "data")
DEFAULT_GET_INCLUDE: Include = ["metadatas", "documents"]
DEFAULT_QUERY_INCLUDE: Include = ["metadatas", "documents", "distances"]


class GetResult(TypedDict):
    """What ``Collection.get`` and ``peek`` return: one list per field, aligned by position."""

    ids: List[ID]
    embeddings: Optional[List[PyEmbedding]]
    documents: Optional[List[Optional[Document]]]
    uris: Optional[List[Optional[URI]]]
    data: Optional[List[Any]]
    metadatas: Optional[List[Optional[Metadata]]]
    included: Include


class QueryResult(TypedDict):
    """What ``Collection.query`` returns: one inner list per query, nearest first."""

    ids: List[IDs]
    embeddings: Optional[List[List[PyEmbedding]]]
    documents: Optional[List[List[Optional[Document]]]]
    uris: Optional[List[List[Optional[URI]]]]
    data: Optional[List[List[Any]]]
    metadatas: Optional[List[List[Optional[Metadata]]]]
    distances: Optional[List[List[float]]]
    included: Include


D = TypeVar("D", contravariant=True)


@runtime_checkable
class EmbeddingFunction(Protocol[D]):
    """Turns a batch of documents into a batch of embeddings, one per document.

    Implementations may also offer ``name()`` (a static name), ``get_config()`` and a
    ``build_from_config(config)`` classmethod; a collection then records which function
    it was created with, and ``get_collection`` rebuilds it.
    """

    def __call__(self, input: D) -> Embeddings: ...


T = TypeVar("T")


def maybe_cast_one_to_many(value: Optional[Union[T, List[T]]]) -> Optional[List[T]]:
    """Wrap a single id, document, metadata dict or URI into a one-item list."""
    if value is None:
        return None
    if isinstance(value, (str, dict)):
        return [cast(T, value)]
    if isinstance(value, Mapping):
        return [cast(T, dict(value))]
    return list(cast(Sequence[T], value))


def as_lists(embeddings: Optional[EmbeddingMatrix]) -> Optional[PyEmbeddings]:
    """Embeddings as plain lists of floats (for JSON)."""
    if isinstance(embeddings, np.ndarray):
        return cast(PyEmbeddings, embeddings.tolist())
    return embeddings


def normalize_embeddings(value: Any) -> Optional[EmbeddingMatrix]:
    """Accept one embedding, a list of them, or a 1-d/2-d numpy array. Arrays (and lists of
    equal-length arrays, as embedding functions return) become one 2-d float32 array; lists
    stay lists of floats."""
    if value is None:
        return None
    if isinstance(value, np.ndarray):
        if value.ndim == 1:
            value = value[np.newaxis, :]
        if value.ndim != 2:
            raise InvalidArgumentError(
                f"Expected embeddings to be a 1-d or 2-d array, got {value.ndim} dimensions"
            )
        if value.dtype.kind not in "fiu":
            raise InvalidArgumentError(
                f"Expected embeddings to hold numbers, got an array of {value.dtype}"
            )
        return np.ascontiguousarray(value, dtype=np.float32)
    if (
        isinstance(value, list)
        and value
        and all(isinstance(v, np.ndarray) and v.ndim == 1 for v in value)
        and len({len(v) for v in value}) == 1
    ):
        return normalize_embeddings(np.stack(value))
    if not isinstance(value, (list, tuple)):
        raise InvalidArgumentError(
            f"Expected embeddings to be a list of floats or a list of lists, got {type(value).__name__}"
        )
    if len(value) == 0:
        return []
    first = value[0]
    if isinstance(first, (int, float, np.integer, np.floating)) and not isinstance(first, bool):
        value = [value]
    out: PyEmbeddings = []
    for i, emb in enumerate(value):
        if isinstance(emb, np.ndarray):
            out.append(cast(PyEmbedding, emb.astype(np.float64).ravel().tolist()))
        elif isinstance(emb, (list, tuple)):
            out.append(list(emb))
        else:
            raise InvalidArgumentError(
                f"Expected embedding {i} to be a list of numbers, got {type(emb).__name__}"
            )
    return out


def normalize_include(include: Optional[Sequence[str]], default: Include) -> Include:
    """Check ``include`` names and return them as a list (default when None)."""
    if include is None:
        return list(default)
    if isinstance(include, str) or not isinstance(include, (list, tuple)):
        raise InvalidArgumentError(f"Expected include to be a list, got {include!r}")
    for item in include:
        if item not in ALL_INCLUDE:
            raise InvalidArgumentError(
                f"Expected include item to be one of {', '.join(ALL_INCLUDE)}, got {item!r}"
            )
    return cast(Include, list(include))
