"""Type aliases every layer shares (ids, vectors, metadata, filters). A leaf: it imports nothing
from chromadb, so config, the engine, the server and the API types can all use it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Dict, Final, List, Literal, Mapping, Optional, Sequence, Union

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
    """A sparse vector: strictly increasing non-negative ``indices``, one ``value`` per index,
    and optionally one ``label`` (the token) per index."""

    indices: List[int]
    values: List[float]
    labels: Optional[List[str]] = None

    def __post_init__(self) -> None:
        if not isinstance(self.indices, list):
            raise ValueError(
                f"Expected SparseVector indices to be a list, got {type(self.indices).__name__}"
            )
        if not isinstance(self.values, list):
            raise ValueError(
                f"Expected SparseVector values to be a list, got {type(self.values).__name__}"
            )
        if len(self.indices) != len(self.values):
            raise ValueError(
                "SparseVector indices and values must have the same length, "
                f"got {len(self.indices)} indices and {len(self.values)} values"
            )
        if self.labels is not None:
            if not isinstance(self.labels, list):
                raise ValueError(
                    f"Expected SparseVector labels to be a list, got {type(self.labels).__name__}"
                )
            if len(self.labels) != len(self.indices):
                raise ValueError(
                    "SparseVector labels must have the same length as indices and values, "
                    f"got {len(self.labels)} labels, {len(self.indices)} indices"
                )
        if self._plainly_valid():
            return
        for i, index in enumerate(self.indices):
            if not isinstance(index, int):  # a bool is an int here, as in real Chroma
                raise ValueError(
                    f"SparseVector indices must be integers, got {type(index).__name__} "
                    f"at position {i}"
                )
            if index < 0:
                raise ValueError(
                    f"SparseVector indices must be non-negative, got {index} at position {i}"
                )
        for i, value in enumerate(self.values):
            if not isinstance(value, (int, float)):
                raise ValueError(
                    f"SparseVector values must be numbers, got {type(value).__name__} "
                    f"at position {i}"
                )
        for i in range(1, len(self.indices)):
            if self.indices[i] <= self.indices[i - 1]:
                raise ValueError(
                    "SparseVector indices must be sorted in strictly ascending order, "
                    f"found indices[{i}]={self.indices[i]} <= indices[{i - 1}]="
                    f"{self.indices[i - 1]}"
                )

    def _plainly_valid(self) -> bool:
        # The common case, checked in a few passes at C speed; anything else takes the loops
        # below, which name the first problem.
        indices, values = self.indices, self.values
        return (
            all(type(i) is int for i in indices)
            and all(type(v) is float or type(v) is int for v in values)
            and all(a < b for a, b in zip(indices, indices[1:]))
            and (not indices or indices[0] >= 0)
        )

    def to_dict(self) -> Dict[str, Any]:
        """The JSON form: ``{"#type": "sparse_vector", "indices": [...], "values": [...]}``,
        with the labels as ``tokens`` when there are any (the wire name real Chroma uses)."""
        out: Dict[str, Any] = {
            TYPE_KEY: SPARSE_VECTOR_TYPE_VALUE,
            "indices": list(self.indices),
            "values": list(self.values),
        }
        if self.labels is not None:
            out["tokens"] = list(self.labels)
        return out

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> SparseVector:
        """Read the JSON form back (the ``#type`` tag is required)."""
        if data.get(TYPE_KEY) != SPARSE_VECTOR_TYPE_VALUE:
            raise ValueError(
                f"Expected {TYPE_KEY}='{SPARSE_VECTOR_TYPE_VALUE}', got {data.get(TYPE_KEY)}"
            )
        tokens = data.get("tokens")
        return cls(
            indices=list(data["indices"]),
            values=list(data["values"]),
            labels=None if tokens is None else list(tokens),
        )


def is_sparse_json(value: Any) -> bool:
    """Whether ``value`` is the JSON form of a sparse vector (a dict tagged ``#type``)."""
    return isinstance(value, Mapping) and value.get(TYPE_KEY) == SPARSE_VECTOR_TYPE_VALUE
