"""The rest of ``chromadb.api.types`` as Chroma 1.x names it: images and loadables, request and
record-set dicts, index types, and the ``validate_*`` / ``normalize_*`` helpers integrations call.

Each validator checks with the same rule the engine applies (``chromadb.engine.validation`` and
``chromadb.engine.filters``), so a value passes here exactly when the engine accepts it, and
raises the same ``ValueError`` subclass with the same message.
"""

from __future__ import annotations

import base64
import enum
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
    runtime_checkable,
)

import numpy as np
from numpy.typing import NDArray
from pydantic import BaseModel

from chromadb import errors as errors
from chromadb.api.schema import (
    BoolInvertedIndexConfig,
    FloatInvertedIndexConfig,
    FtsIndexConfig,
    IntInvertedIndexConfig,
    SparseVectorIndexConfig,
    StringInvertedIndexConfig,
    VectorIndexConfig,
)
from chromadb.base_types import (
    Documents,
    IDs,
    Include,
    Metadata,
    PyEmbeddings,
    SparseVector,
    URIs,
    Where,
    WhereDocument,
)
from chromadb.errors import InvalidArgumentError

T = TypeVar("T")
OneOrMany = Union[T, List[T]]

ImageDType = Union[np.uint, np.int64, np.float64]
Image = NDArray[Any]
Images = List[Image]
Embeddable = Union[Documents, Images]
Loadable = List[Optional[Image]]
SparseVectors = List[SparseVector]
UpdateCollectionMetadata = Dict[str, Any]

# The metadata key real Chroma's engine keeps a document under (never a user key).
META_KEY_CHROMA_DOCUMENT = "chroma:document"

IncludeMetadataDocuments: Include = ["metadatas", "documents"]
IncludeMetadataDocumentsDistances: Include = ["metadatas", "documents", "distances"]
IncludeMetadataDocumentsEmbeddings: Include = ["metadatas", "documents", "embeddings"]
IncludeMetadataDocumentsEmbeddingsDistances: Include = [
    "metadatas",
    "documents",
    "embeddings",
    "distances",
]

L = TypeVar("L", covariant=True)


@runtime_checkable
class DataLoader(Protocol[L]):
    """Loads the data behind URIs (images from files, say)."""

    def __call__(self, uris: Sequence[Optional[str]]) -> L: ...


D = TypeVar("D", contravariant=True)


@runtime_checkable
class SparseEmbeddingFunction(Protocol[D]):
    """Turns a batch of documents into sparse vectors. Implementations also give ``name()``,
    ``get_config()`` and ``build_from_config(config)`` so that a collection's schema can record
    and rebuild them, and may embed queries differently (``embed_query``)."""

    def __call__(self, input: D) -> SparseVectors: ...

    def embed_query(self, input: D) -> SparseVectors:
        """Embed queries; unless overridden, as documents."""
        return self.__call__(input)


class ReadLevel(enum.StrEnum):
    """How fresh a read must be (Chroma Cloud). Every read of ours sees every acknowledged
    write, so both levels read the same."""

    INDEX_AND_WAL = "index_and_wal"
    INDEX_ONLY = "index_only"
    INDEX_AND_BOUNDED_WAL = "index_and_bounded_wal"


class DeleteResult(TypedDict):
    """What ``Collection.delete`` answers over the 1.x REST API."""

    deleted: int


class IndexingStatus(TypedDict):
    """How far the index has caught up with the writes."""

    num_indexed_ops: int
    num_unindexed_ops: int
    total_ops: int
    op_indexing_progress: float


class IndexMetadata(TypedDict):
    dimensionality: int
    curr_elements: int
    total_elements_added: int
    time_created: float


class BaseRecordSet(TypedDict):
    embeddings: Optional[PyEmbeddings]
    documents: Optional[List[str]]
    images: Optional[Images]
    uris: Optional[URIs]


class InsertRecordSet(BaseRecordSet):
    ids: IDs
    metadatas: Optional[List[Optional[Metadata]]]


class FilterSet(TypedDict):
    where: Optional[Where]
    where_document: Optional[WhereDocument]


class AddRequest(TypedDict):
    ids: IDs
    embeddings: PyEmbeddings
    metadatas: Optional[List[Optional[Metadata]]]
    documents: Optional[List[str]]
    uris: Optional[URIs]


UpdateRequest = AddRequest
UpsertRequest = AddRequest


class GetRequest(TypedDict):
    ids: Optional[IDs]
    where: Optional[Where]
    where_document: Optional[WhereDocument]
    include: Include


class QueryRequest(TypedDict):
    embeddings: PyEmbeddings
    ids: Optional[IDs]
    where: Optional[Where]
    where_document: Optional[WhereDocument]
    include: Include
    n_results: int


class DeleteRequest(TypedDict):
    ids: Optional[IDs]
    where: Optional[Where]
    where_document: Optional[WhereDocument]


# -- index types of a schema (the JSON form's per-value-type objects) ----------------------------


class _IndexType(BaseModel):
    enabled: bool = True


class FtsIndexType(_IndexType):
    config: FtsIndexConfig = FtsIndexConfig()


class StringInvertedIndexType(_IndexType):
    config: StringInvertedIndexConfig = StringInvertedIndexConfig()


class VectorIndexType(_IndexType):
    config: VectorIndexConfig = VectorIndexConfig()


class SparseVectorIndexType(_IndexType):
    config: SparseVectorIndexConfig = SparseVectorIndexConfig()


class IntInvertedIndexType(_IndexType):
    config: IntInvertedIndexConfig = IntInvertedIndexConfig()


class FloatInvertedIndexType(_IndexType):
    config: FloatInvertedIndexConfig = FloatInvertedIndexConfig()


class BoolInvertedIndexType(_IndexType):
    config: BoolInvertedIndexConfig = BoolInvertedIndexConfig()


class StringValueType(BaseModel):
    fts_index: Optional[FtsIndexType] = None
    string_inverted_index: Optional[StringInvertedIndexType] = None


class FloatListValueType(BaseModel):
    vector_index: Optional[VectorIndexType] = None


class SparseVectorValueType(BaseModel):
    sparse_vector_index: Optional[SparseVectorIndexType] = None


class IntValueType(BaseModel):
    int_inverted_index: Optional[IntInvertedIndexType] = None


class FloatValueType(BaseModel):
    float_inverted_index: Optional[FloatInvertedIndexType] = None


class BoolValueType(BaseModel):
    bool_inverted_index: Optional[BoolInvertedIndexType] = None


class ValueTypes(BaseModel):
    """The index types of one key (or of the defaults), by value type."""

    string: Optional[StringValueType] = None
    float_list: Optional[FloatListValueType] = None
    sparse_vector: Optional[SparseVectorValueType] = None
    int: Optional[IntValueType] = None
    float: Optional[FloatValueType] = None
    bool: Optional[BoolValueType] = None


# -- validators: the engine's rules, callable before a request is sent ---------------------------


def validate_ids(ids: Any) -> IDs:
    """Ids: a non-empty list of non-empty strings, none repeated."""
    from chromadb.engine import validation

    return validation.validate_ids(ids)


def validate_embeddings(embeddings: Any) -> Any:
    """Embeddings: a non-empty list of non-empty numeric vectors of finite numbers."""
    from chromadb.engine import validation

    if isinstance(embeddings, np.ndarray):
        embeddings = list(embeddings)
    if not isinstance(embeddings, list) or not embeddings:
        raise InvalidArgumentError(
            f"Expected embeddings to be a non-empty list, got {embeddings!r}"
        )
    validation.validate_embeddings(embeddings, None)
    return embeddings


def validate_metadata(metadata: Any) -> Any:
    """One metadata dict: str keys, values str/int/float/bool (or lists of one of those)."""
    from chromadb.engine import validation

    if not isinstance(metadata, Mapping):
        raise InvalidArgumentError(f"Expected metadata to be a dict, got {metadata!r}")
    validation.validate_metadata(metadata)
    return metadata


def validate_update_metadata(metadata: Any) -> Any:
    """A metadata update: as ``validate_metadata``; None removes a key."""
    from chromadb.engine import validation

    if not isinstance(metadata, Mapping):
        raise InvalidArgumentError(f"Expected metadata to be a dict, got {metadata!r}")
    validation.validate_metadata(metadata, allow_none_values=True)
    return metadata


def validate_metadatas(metadatas: Any) -> Any:
    """A list of metadata dicts."""
    if not isinstance(metadatas, list):
        raise InvalidArgumentError(f"Expected metadatas to be a list, got {metadatas!r}")
    for metadata in metadatas:
        validate_metadata(metadata)
    return metadatas


def validate_documents(documents: Any, nullable: bool = False) -> None:
    """Documents: a list of strings (None entries only when ``nullable``)."""
    if not isinstance(documents, list):
        raise InvalidArgumentError(f"Expected documents to be a list, got {documents!r}")
    for document in documents:
        if document is None and nullable:
            continue
        if not isinstance(document, str):
            raise InvalidArgumentError(f"Expected document to be a str, got {document!r}")


def validate_images(images: Any) -> None:
    """Images: a list of numpy arrays."""
    if not isinstance(images, list) or not all(isinstance(i, np.ndarray) for i in images):
        raise InvalidArgumentError("Expected images to be a list of numpy arrays")


def validate_where(where: Any) -> None:
    """A metadata filter, by the rules the engine applies."""
    from chromadb.engine.filters import parse_where

    if not isinstance(where, dict):
        raise InvalidArgumentError(f"Expected where to be a dict, got {where!r}")
    parse_where(where)


def validate_where_document(where_document: Any) -> None:
    """A document filter, by the rules the engine applies."""
    from chromadb.engine.filters import parse_where_document

    if not isinstance(where_document, dict):
        raise InvalidArgumentError(f"Expected where_document to be a dict, got {where_document!r}")
    parse_where_document(where_document)


def validate_include(include: Any, dissalowed: Optional[List[str]] = None) -> None:
    """Include: a list of known field names (none of ``dissalowed``, real's spelling)."""
    from chromadb.api.types import ALL_INCLUDE

    if not isinstance(include, list):
        raise InvalidArgumentError(f"Expected include to be a list, got {include!r}")
    for item in include:
        if item not in ALL_INCLUDE:
            raise InvalidArgumentError(
                f"Expected include item to be one of {', '.join(ALL_INCLUDE)}, got {item!r}"
            )
        if dissalowed and item in dissalowed:
            raise InvalidArgumentError(f"Include item {item!r} is not allowed here")


def validate_n_results(n_results: Any) -> int:
    """n_results: a positive int."""
    if isinstance(n_results, bool) or not isinstance(n_results, int):
        raise InvalidArgumentError(
            f"Expected requested number of results to be a int, got {n_results!r}"
        )
    if n_results <= 0:
        raise InvalidArgumentError(
            f"Number of requested results {n_results}, cannot be negative, or zero."
        )
    return n_results


def validate_embedding_function(embedding_function: Any) -> None:
    """An embedding function: callable as ``f(input)``."""
    if not callable(embedding_function):
        raise InvalidArgumentError(f"Expected an embedding function, got {embedding_function!r}")


validate_sparse_embedding_function = validate_embedding_function


def validate_sparse_vectors(vectors: Any) -> None:
    """Sparse vectors: a list of ``SparseVector``."""
    if not isinstance(vectors, list) or not all(isinstance(v, SparseVector) for v in vectors):
        raise InvalidArgumentError("Expected a list of SparseVector")


def validate_filter_set(filter_set: Mapping[str, Any]) -> None:
    if filter_set.get("where") is not None:
        validate_where(filter_set["where"])
    if filter_set.get("where_document") is not None:
        validate_where_document(filter_set["where_document"])


def validate_record_set_contains_any(
    record_set: Mapping[str, Any], contains_any: Sequence[str]
) -> None:
    """At least one of the fields ``contains_any`` is given."""
    if not any(record_set.get(field) is not None for field in contains_any):
        raise InvalidArgumentError(f"You must include at least one of {', '.join(contains_any)}")


def validate_record_set_contains_one(
    record_set: Mapping[str, Any], contains_one: Sequence[str]
) -> None:
    """Exactly one of the fields ``contains_one`` is given."""
    given = [field for field in contains_one if record_set.get(field) is not None]
    if len(given) != 1:
        raise InvalidArgumentError(f"Exactly one of {', '.join(contains_one)} must be given")


def get_default_embeddable_record_set_fields() -> List[str]:
    return ["documents", "images", "uris"]


def validate_record_set_for_embedding(
    record_set: Mapping[str, Any], embeddable_fields: Optional[List[str]] = None
) -> None:
    """A record set that needs embedding carries no embeddings and one embeddable field."""
    if record_set.get("embeddings") is not None:
        raise InvalidArgumentError("Attempting to embed a record that already has embeddings")
    validate_record_set_contains_one(
        record_set, embeddable_fields or get_default_embeddable_record_set_fields()
    )


def validate_base_record_set(record_set: Mapping[str, Any]) -> None:
    """Each field given has one entry per record."""
    lengths = {k: len(v) for k, v in record_set.items() if v is not None and k != "ids"}
    if len(set(lengths.values())) > 1:
        raise InvalidArgumentError(f"Unequal lengths for fields: {lengths}")
    if record_set.get("embeddings") is not None:
        validate_embeddings(record_set["embeddings"])
    if record_set.get("documents") is not None:
        validate_documents(record_set["documents"], nullable=True)


def validate_insert_record_set(record_set: Mapping[str, Any]) -> None:
    """Ids and, per record, at most one entry of each field."""
    ids = validate_ids(record_set["ids"])
    validate_base_record_set({k: v for k, v in record_set.items() if k != "metadatas"})
    for field in ("embeddings", "documents", "uris", "metadatas", "images"):
        value = record_set.get(field)
        if value is not None and len(value) != len(ids):
            raise InvalidArgumentError(
                f"Number of {field} ({len(value)}) does not match number of ids ({len(ids)})"
            )


def validate_batch(batch: Any, limits: Mapping[str, Any]) -> None:
    """A batch within the server's ``max_batch_size``."""
    ids = batch[0] if isinstance(batch, tuple) else batch.get("ids", [])
    if len(ids) > int(limits["max_batch_size"]):
        raise errors.BatchSizeExceededError(
            f"Cannot submit more than {limits['max_batch_size']:,} embeddings at once."
        )


# -- normalisers ----------------------------------------------------------------------------------


def normalize_metadata(metadata: Optional[Mapping[str, Any]]) -> Optional[Dict[str, Any]]:
    return None if metadata is None else dict(metadata)


def normalize_metadatas(metadatas: Any) -> Optional[List[Any]]:
    from chromadb.api.types import maybe_cast_one_to_many

    return maybe_cast_one_to_many(metadatas)


def normalize_base_record_set(
    embeddings: Any = None, documents: Any = None, images: Any = None, uris: Any = None
) -> Dict[str, Any]:
    """One value or a list for each field, as lists; embeddings as numpy arrays."""
    from chromadb.api.types import maybe_cast_one_to_many, normalize_embeddings

    return {
        "embeddings": normalize_embeddings(embeddings),
        "documents": maybe_cast_one_to_many(documents),
        "images": images if images is None or isinstance(images, list) else [images],
        "uris": maybe_cast_one_to_many(uris),
    }


def normalize_insert_record_set(
    ids: Any,
    embeddings: Any = None,
    metadatas: Any = None,
    documents: Any = None,
    images: Any = None,
    uris: Any = None,
) -> Dict[str, Any]:
    from chromadb.api.types import maybe_cast_one_to_many

    base = normalize_base_record_set(embeddings, documents, images, uris)
    return {
        "ids": maybe_cast_one_to_many(ids),
        "metadatas": maybe_cast_one_to_many(metadatas),
        **base,
    }


def is_document(target: Any) -> bool:
    return isinstance(target, str)


def is_image(target: Any) -> bool:
    return isinstance(target, np.ndarray) and target.ndim in (2, 3)


def convert_np_embeddings_to_list(embeddings: Any) -> Optional[PyEmbeddings]:
    if embeddings is None:
        return None
    return [e.tolist() if isinstance(e, np.ndarray) else list(e) for e in embeddings]


def convert_list_embeddings_to_np(embeddings: Any) -> Any:
    return [np.array(e, dtype=np.float32) for e in embeddings]


def pack_embedding_safely(embedding: Any) -> str:
    """One embedding as base64 of little-endian float32 (Chroma's compact wire form)."""
    array = np.asarray(embedding, dtype="<f4")
    return base64.b64encode(array.tobytes()).decode("ascii")


def optional_embeddings_to_base64_strings(embeddings: Any) -> Optional[List[Optional[str]]]:
    if embeddings is None:
        return None
    return [None if e is None else pack_embedding_safely(e) for e in embeddings]


def optional_base64_strings_to_embeddings(strings: Any) -> Optional[List[Any]]:
    if strings is None:
        return None
    return [
        None if s is None else np.frombuffer(base64.b64decode(s), dtype="<f4").tolist()
        for s in strings
    ]


def serialize_metadata(metadata: Optional[Mapping[str, Any]]) -> Optional[Dict[str, Any]]:
    """Metadata as JSON carries it (sparse vectors tagged)."""
    if metadata is None:
        return None
    return {k: v.to_dict() if isinstance(v, SparseVector) else v for k, v in metadata.items()}


def deserialize_metadata(metadata: Optional[Mapping[str, Any]]) -> Optional[Dict[str, Any]]:
    """Metadata read from JSON (tagged sparse vectors become ``SparseVector``)."""
    from chromadb.base_types import SPARSE_VECTOR_TYPE_VALUE, TYPE_KEY

    if metadata is None:
        return None
    out: Dict[str, Any] = {}
    for key, value in metadata.items():
        if isinstance(value, Mapping) and value.get(TYPE_KEY) == SPARSE_VECTOR_TYPE_VALUE:
            out[key] = SparseVector.from_dict(value)
        else:
            out[key] = value
    return out
