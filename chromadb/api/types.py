"""Public types of the chromadb API: aliases for inputs, result dicts, the embedding-function protocol.

Inputs are flexible (a single id, vector, dict or string stands for a batch of one; numpy arrays are
accepted); the ``normalize_*`` helpers turn them into the plain lists the backends work on.
"""

from __future__ import annotations

from typing import (
    Any,
    Dict,
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

from chromadb import errors as errors
from chromadb.api.record_types import (
    META_KEY_CHROMA_DOCUMENT as META_KEY_CHROMA_DOCUMENT,
)
from chromadb.api.record_types import (
    AddRequest as AddRequest,
)
from chromadb.api.record_types import (
    BaseRecordSet as BaseRecordSet,
)
from chromadb.api.record_types import (
    BoolInvertedIndexType as BoolInvertedIndexType,
)
from chromadb.api.record_types import (
    BoolValueType as BoolValueType,
)
from chromadb.api.record_types import (
    DataLoader as DataLoader,
)
from chromadb.api.record_types import (
    DeleteRequest as DeleteRequest,
)
from chromadb.api.record_types import (
    DeleteResult as DeleteResult,
)
from chromadb.api.record_types import (
    Embeddable as Embeddable,
)
from chromadb.api.record_types import (
    FilterSet as FilterSet,
)
from chromadb.api.record_types import (
    FloatInvertedIndexType as FloatInvertedIndexType,
)
from chromadb.api.record_types import (
    FloatListValueType as FloatListValueType,
)
from chromadb.api.record_types import (
    FloatValueType as FloatValueType,
)
from chromadb.api.record_types import (
    FtsIndexType as FtsIndexType,
)
from chromadb.api.record_types import (
    GetRequest as GetRequest,
)
from chromadb.api.record_types import (
    Image as Image,
)
from chromadb.api.record_types import (
    ImageDType as ImageDType,
)
from chromadb.api.record_types import (
    Images as Images,
)
from chromadb.api.record_types import (
    IncludeMetadataDocuments as IncludeMetadataDocuments,
)
from chromadb.api.record_types import (
    IncludeMetadataDocumentsDistances as IncludeMetadataDocumentsDistances,
)
from chromadb.api.record_types import (
    IncludeMetadataDocumentsEmbeddings as IncludeMetadataDocumentsEmbeddings,
)
from chromadb.api.record_types import (
    IncludeMetadataDocumentsEmbeddingsDistances as IncludeMetadataDocumentsEmbeddingsDistances,
)
from chromadb.api.record_types import (
    IndexingStatus as IndexingStatus,
)
from chromadb.api.record_types import (
    IndexMetadata as IndexMetadata,
)
from chromadb.api.record_types import (
    InsertRecordSet as InsertRecordSet,
)
from chromadb.api.record_types import (
    IntInvertedIndexType as IntInvertedIndexType,
)
from chromadb.api.record_types import (
    IntValueType as IntValueType,
)
from chromadb.api.record_types import (
    Loadable as Loadable,
)
from chromadb.api.record_types import (
    OneOrMany as OneOrMany,
)
from chromadb.api.record_types import (
    QueryRequest as QueryRequest,
)
from chromadb.api.record_types import (
    ReadLevel as ReadLevel,
)
from chromadb.api.record_types import (
    SparseEmbeddingFunction as SparseEmbeddingFunction,
)
from chromadb.api.record_types import (
    SparseVectorIndexType as SparseVectorIndexType,
)
from chromadb.api.record_types import (
    SparseVectors as SparseVectors,
)
from chromadb.api.record_types import (
    SparseVectorValueType as SparseVectorValueType,
)
from chromadb.api.record_types import (
    StringInvertedIndexType as StringInvertedIndexType,
)
from chromadb.api.record_types import (
    StringValueType as StringValueType,
)
from chromadb.api.record_types import (
    UpdateCollectionMetadata as UpdateCollectionMetadata,
)
from chromadb.api.record_types import (
    UpdateRequest as UpdateRequest,
)
from chromadb.api.record_types import (
    UpsertRequest as UpsertRequest,
)
from chromadb.api.record_types import (
    ValueTypes as ValueTypes,
)
from chromadb.api.record_types import (
    VectorIndexType as VectorIndexType,
)
from chromadb.api.record_types import (
    convert_list_embeddings_to_np as convert_list_embeddings_to_np,
)
from chromadb.api.record_types import (
    convert_np_embeddings_to_list as convert_np_embeddings_to_list,
)
from chromadb.api.record_types import (
    deserialize_metadata as deserialize_metadata,
)
from chromadb.api.record_types import (
    get_default_embeddable_record_set_fields as get_default_embeddable_record_set_fields,
)
from chromadb.api.record_types import (
    is_document as is_document,
)
from chromadb.api.record_types import (
    is_image as is_image,
)
from chromadb.api.record_types import (
    normalize_base_record_set as normalize_base_record_set,
)
from chromadb.api.record_types import (
    normalize_insert_record_set as normalize_insert_record_set,
)
from chromadb.api.record_types import (
    normalize_metadata as normalize_metadata,
)
from chromadb.api.record_types import (
    normalize_metadatas as normalize_metadatas,
)
from chromadb.api.record_types import (
    optional_base64_strings_to_embeddings as optional_base64_strings_to_embeddings,
)
from chromadb.api.record_types import (
    optional_embeddings_to_base64_strings as optional_embeddings_to_base64_strings,
)
from chromadb.api.record_types import (
    pack_embedding_safely as pack_embedding_safely,
)
from chromadb.api.record_types import (
    serialize_metadata as serialize_metadata,
)
from chromadb.api.record_types import (
    validate_base_record_set as validate_base_record_set,
)
from chromadb.api.record_types import (
    validate_batch as validate_batch,
)
from chromadb.api.record_types import (
    validate_documents as validate_documents,
)
from chromadb.api.record_types import (
    validate_embedding_function as validate_embedding_function,
)
from chromadb.api.record_types import (
    validate_embeddings as validate_embeddings,
)
from chromadb.api.record_types import (
    validate_filter_set as validate_filter_set,
)
from chromadb.api.record_types import (
    validate_ids as validate_ids,
)
from chromadb.api.record_types import (
    validate_images as validate_images,
)
from chromadb.api.record_types import (
    validate_include as validate_include,
)
from chromadb.api.record_types import (
    validate_insert_record_set as validate_insert_record_set,
)
from chromadb.api.record_types import (
    validate_metadata as validate_metadata,
)
from chromadb.api.record_types import (
    validate_metadatas as validate_metadatas,
)
from chromadb.api.record_types import (
    validate_n_results as validate_n_results,
)
from chromadb.api.record_types import (
    validate_record_set_contains_any as validate_record_set_contains_any,
)
from chromadb.api.record_types import (
    validate_record_set_contains_one as validate_record_set_contains_one,
)
from chromadb.api.record_types import (
    validate_record_set_for_embedding as validate_record_set_for_embedding,
)
from chromadb.api.record_types import (
    validate_sparse_embedding_function as validate_sparse_embedding_function,
)
from chromadb.api.record_types import (
    validate_sparse_vectors as validate_sparse_vectors,
)
from chromadb.api.record_types import (
    validate_update_metadata as validate_update_metadata,
)
from chromadb.api.record_types import (
    validate_where as validate_where,
)
from chromadb.api.record_types import (
    validate_where_document as validate_where_document,
)
from chromadb.api.schema import (
    BOOL_INVERTED_INDEX_NAME as BOOL_INVERTED_INDEX_NAME,
)
from chromadb.api.schema import (
    BOOL_VALUE_NAME as BOOL_VALUE_NAME,
)
from chromadb.api.schema import (
    DOCUMENT_KEY as DOCUMENT_KEY,
)
from chromadb.api.schema import (
    EMBEDDING_KEY as EMBEDDING_KEY,
)
from chromadb.api.schema import (
    FLOAT_INVERTED_INDEX_NAME as FLOAT_INVERTED_INDEX_NAME,
)
from chromadb.api.schema import (
    FLOAT_LIST_VALUE_NAME as FLOAT_LIST_VALUE_NAME,
)
from chromadb.api.schema import (
    FLOAT_VALUE_NAME as FLOAT_VALUE_NAME,
)
from chromadb.api.schema import (
    FTS_INDEX_NAME as FTS_INDEX_NAME,
)
from chromadb.api.schema import (
    HNSW_INDEX_NAME as HNSW_INDEX_NAME,
)
from chromadb.api.schema import (
    INT_INVERTED_INDEX_NAME as INT_INVERTED_INDEX_NAME,
)
from chromadb.api.schema import (
    INT_VALUE_NAME as INT_VALUE_NAME,
)
from chromadb.api.schema import (
    SPANN_INDEX_NAME as SPANN_INDEX_NAME,
)
from chromadb.api.schema import (
    SPARSE_VECTOR_INDEX_NAME as SPARSE_VECTOR_INDEX_NAME,
)
from chromadb.api.schema import (
    SPARSE_VECTOR_VALUE_NAME as SPARSE_VECTOR_VALUE_NAME,
)
from chromadb.api.schema import (
    STRING_INVERTED_INDEX_NAME as STRING_INVERTED_INDEX_NAME,
)
from chromadb.api.schema import (
    STRING_VALUE_NAME as STRING_VALUE_NAME,
)
from chromadb.api.schema import (
    VECTOR_INDEX_NAME as VECTOR_INDEX_NAME,
)
from chromadb.api.schema import (
    BoolInvertedIndexConfig as BoolInvertedIndexConfig,
)
from chromadb.api.schema import (
    FloatInvertedIndexConfig as FloatInvertedIndexConfig,
)
from chromadb.api.schema import (
    FtsIndexConfig as FtsIndexConfig,
)
from chromadb.api.schema import (
    HnswIndexConfig as HnswIndexConfig,
)
from chromadb.api.schema import (
    IndexConfig as IndexConfig,
)
from chromadb.api.schema import (
    IntInvertedIndexConfig as IntInvertedIndexConfig,
)
from chromadb.api.schema import (
    Schema as Schema,
)
from chromadb.api.schema import (
    Space as Space,
)
from chromadb.api.schema import (
    SpannIndexConfig as SpannIndexConfig,
)
from chromadb.api.schema import (
    SparseVectorIndexConfig as SparseVectorIndexConfig,
)
from chromadb.api.schema import (
    StringInvertedIndexConfig as StringInvertedIndexConfig,
)
from chromadb.api.schema import (
    VectorIndexConfig as VectorIndexConfig,
)
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


class SearchResultRow(TypedDict, total=False):
    """One record of a search result: ``id`` always, the other fields when selected."""

    id: str
    document: Optional[str]
    embedding: Optional[List[float]]
    metadata: Optional[Dict[str, Any]]
    score: Optional[float]
    knn_scores: Optional[List[Optional[float]]]


class SearchResult(dict):
    """What ``Collection.search`` returns: per search, column lists (``ids``, ``documents``,
    ``embeddings``, ``metadatas``, ``scores``; None where not selected) and the ``select``ed
    keys; with ``K.KNN_SCORES`` selected (ours), ``knn_scores`` too: per record, each Knn's own
    value. ``rows()`` gives the same records row by row."""

    def rows(self) -> List[List[SearchResultRow]]:
        """Per search, one dict per record with only the fields that have a value."""
        ids_per_search: List[List[str]] = self.get("ids") or []
        n = len(ids_per_search)
        columns = {
            name: self.get(plural) or [None] * n
            for name, plural in (
                ("document", "documents"),
                ("embedding", "embeddings"),
                ("metadata", "metadatas"),
                ("score", "scores"),
                ("knn_scores", "knn_scores"),
            )
        }
        out: List[List[SearchResultRow]] = []
        for i, ids in enumerate(ids_per_search):
            rows: List[SearchResultRow] = []
            for j, record_id in enumerate(ids):
                row: Dict[str, Any] = {"id": record_id}
                for name, per_search in columns.items():
                    values = per_search[i]
                    if values is not None and values[j] is not None:
                        row[name] = values[j]
                rows.append(row)  # type: ignore[arg-type]
            out.append(rows)
        return out


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

# The keys results had in Chroma 0.3 (the seed era): nothing else, and all of them always.
SEED_GET_KEYS = ("ids", "embeddings", "documents", "metadatas")
SEED_QUERY_KEYS = ("ids", "embeddings", "documents", "metadatas", "distances")


def seed_result(result: Mapping[str, Any], query: bool) -> Dict[str, Any]:
    """A result with exactly the keys Chroma 0.3 returned."""
    return {key: result.get(key) for key in (SEED_QUERY_KEYS if query else SEED_GET_KEYS)}


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


def __getattr__(name: str) -> Any:
    # Real Chroma defines the default embedding function here; ours lives with the providers
    # and is imported only when asked for (it would cost every ``import chromadb`` the model
    # loader).
    if name == "DefaultEmbeddingFunction":
        from chromadb.utils.embedding_functions.onnx_minilm import DefaultEmbeddingFunction

        return DefaultEmbeddingFunction
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


# The public names (aliases re-exported from record_types included).
__all__ = [
    "ALL_INCLUDE",
    "AddRequest",
    "BOOL_INVERTED_INDEX_NAME",
    "BOOL_VALUE_NAME",
    "BaseRecordSet",
    "BoolInvertedIndexConfig",
    "BoolInvertedIndexType",
    "BoolValueType",
    "DEFAULT_GET_INCLUDE",
    "DEFAULT_QUERY_INCLUDE",
    "DOCUMENT_KEY",
    "DataLoader",
    "DeleteRequest",
    "DeleteResult",
    "EMBEDDING_KEY",
    "Embeddable",
    "EmbeddingFunction",
    "FLOAT_INVERTED_INDEX_NAME",
    "FLOAT_LIST_VALUE_NAME",
    "FLOAT_VALUE_NAME",
    "FTS_INDEX_NAME",
    "FilterSet",
    "FloatInvertedIndexConfig",
    "FloatInvertedIndexType",
    "FloatListValueType",
    "FloatValueType",
    "FtsIndexConfig",
    "FtsIndexType",
    "GetRequest",
    "GetResult",
    "HNSW_INDEX_NAME",
    "HnswIndexConfig",
    "INT_INVERTED_INDEX_NAME",
    "INT_VALUE_NAME",
    "Image",
    "ImageDType",
    "Images",
    "IncludeMetadataDocuments",
    "IncludeMetadataDocumentsDistances",
    "IncludeMetadataDocumentsEmbeddings",
    "IncludeMetadataDocumentsEmbeddingsDistances",
    "IndexConfig",
    "IndexMetadata",
    "IndexingStatus",
    "InsertRecordSet",
    "IntInvertedIndexConfig",
    "IntInvertedIndexType",
    "IntValueType",
    "Loadable",
    "META_KEY_CHROMA_DOCUMENT",
    "OneOrMany",
    "QueryRequest",
    "QueryResult",
    "ReadLevel",
    "SPANN_INDEX_NAME",
    "SPARSE_VECTOR_INDEX_NAME",
    "SPARSE_VECTOR_VALUE_NAME",
    "STRING_INVERTED_INDEX_NAME",
    "STRING_VALUE_NAME",
    "Schema",
    "Space",
    "SpannIndexConfig",
    "SparseEmbeddingFunction",
    "SparseVectorIndexConfig",
    "SparseVectorIndexType",
    "SparseVectorValueType",
    "SparseVectors",
    "StringInvertedIndexConfig",
    "StringInvertedIndexType",
    "StringValueType",
    "UpdateCollectionMetadata",
    "UpdateRequest",
    "UpsertRequest",
    "VECTOR_INDEX_NAME",
    "ValueTypes",
    "VectorIndexConfig",
    "VectorIndexType",
    "as_lists",
    "convert_list_embeddings_to_np",
    "convert_np_embeddings_to_list",
    "deserialize_metadata",
    "get_default_embeddable_record_set_fields",
    "is_document",
    "is_image",
    "maybe_cast_one_to_many",
    "normalize_base_record_set",
    "normalize_embeddings",
    "normalize_include",
    "normalize_insert_record_set",
    "normalize_metadata",
    "normalize_metadatas",
    "optional_base64_strings_to_embeddings",
    "optional_embeddings_to_base64_strings",
    "pack_embedding_safely",
    "serialize_metadata",
    "validate_base_record_set",
    "validate_batch",
    "validate_documents",
    "validate_embedding_function",
    "validate_embeddings",
    "validate_filter_set",
    "validate_ids",
    "validate_images",
    "validate_include",
    "validate_insert_record_set",
    "validate_metadata",
    "validate_metadatas",
    "validate_n_results",
    "validate_record_set_contains_any",
    "validate_record_set_contains_one",
    "validate_record_set_for_embedding",
    "validate_sparse_embedding_function",
    "validate_sparse_vectors",
    "validate_update_metadata",
    "validate_where",
    "validate_where_document",
]
