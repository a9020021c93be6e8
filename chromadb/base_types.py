"""Type aliases every layer shares (ids, vectors, metadata, filters). A leaf: it imports nothing
from chromadb, so config, the engine, the server and the API types can all use it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Dict, Final, List, Literal, Mapping, Sequence, Union

import numpy as np
from numpy.typing import NDArray

ID = str
IDs = List[ID]

PyVector = Union[Sequence[float], Sequence[int]]
Vector = NDArray[Union[np.int32, np.float32]]
Embedding = Union[Sequence[float], NDArray[Any]]
Embeddings = List[Embedding]
PyEmbedding = List[float]
PyEmbeddings = List[PyEmbedding]
# A batch of embeddings on its way to a backend: lists, or one 2-d float32 array (numpy input
# stays an array in-process; the HTTP client turns it into lists).
EmbeddingMatrix = Union[PyEmbeddings, NDArray[Any]]

LiteralValue = Union[str, int, float, bool]
MetadataListValue = List[LiteralValue]
MetadataValue = Union[str, int, float, bool, None]
Metadata = Mapping[str, MetadataValue]
UpdateMetadata = Mapping[str, MetadataValue]
Metadatas = List[Metadata]
CollectionMetadata = Dict[str, Any]

Document = str
Documents = List[Document]
URI = str
URIs = List[URI]

WhereOperator = Literal["$gt", "$gte", "$lt", "$lte", "$ne", "$eq"]
InclusionExclusionOperator = Literal["$in", "$nin"]
ArrayContainsOperator = Literal["$contains", "$not_contains"]
LogicalOperator = Literal["$and", "$or"]
OperatorExpression = Dict[str, Any]
Where = Dict[str, Any]
WhereDocumentOperator = Literal["$contains", "$not_contains", "$regex", "$not_regex", "$and", "$or"]
WhereDocument = Dict[str, Any]

IncludeEnum = Literal["documents", "embeddings", "metadatas", "distances", "uris", "data"]
Include = List[IncludeEnum]

# How a sparse vector is tagged when it travels as JSON (as Chroma 1.x tags it).
TYPE_KEY: Final = "#type"
SPARSE_VECTOR_TYPE_VALUE: Final = "sparse_vector"


@dataclass
class SparseVector:
    """A sparse vector: strictly increasing ``indices`` and one ``value`` per index."""

    indices: List[int]
    values: List[float]

    def __post_init__(self) -> None:
        if len(self.indices) != len(self.values):
            raise ValueError(
                f"SparseVector needs one value per index: {len(self.indices)} indices, "
                f"{len(self.values)} values"
            )
        if any(b <= a for a, b in zip(self.indices, self.indices[1:])):
            raise ValueError("SparseVector indices must be strictly increasing")
        if any(i < 0 for i in self.indices):
            raise ValueError("SparseVector indices must not be negative")

    def to_dict(self) -> Dict[str, Any]:
        """The JSON form: ``{"#type": "sparse_vector", "indices": [...], "values": [...]}``."""
        return {
            TYPE_KEY: SPARSE_VECTOR_TYPE_VALUE,
            "indices": list(self.indices),
            "values": list(self.values),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> SparseVector:
        """Read the JSON form back."""
        return cls(indices=list(data["indices"]), values=list(data["values"]))
