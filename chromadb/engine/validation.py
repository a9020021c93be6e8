"""Checks on user input, done once in the engine so every client (embedded or HTTP) gets the same
errors. Each function returns the input in the normalised form the engine stores."""

from __future__ import annotations

import ipaddress
import math
import re
from typing import Any, Dict, List, Mapping, Optional

import numpy as np
from numpy.typing import NDArray

from chromadb.base_types import SparseVector, is_sparse_json
from chromadb.errors import DuplicateIDError, InvalidArgumentError, InvalidDimensionException

_NAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{1,510}[A-Za-z0-9]$")
_INT64_MIN, _INT64_MAX = -(2**63), 2**63 - 1
# Sparse vector indices are unsigned 32-bit numbers in real Chroma.
_UINT32_MAX = 2**32 - 1
_FLOAT32_MAX = float(np.finfo(np.float32).max)
SPACES = ("l2", "ip", "cosine")


def validate_collection_name(name: Any) -> str:
    """Chroma 1.x's naming rules: 3-512 characters of [A-Za-z0-9._-], starting and ending with
    an alphanumeric character, no '..', and not an IPv4 address."""
    if not isinstance(name, str):
        raise InvalidArgumentError(f"Expected collection name to be a str, got {name!r}")
    if not _NAME_RE.match(name):
        raise InvalidArgumentError(
            "Validation error: name: Expected a name containing 3-512 characters from "
            f"[a-zA-Z0-9._-], starting and ending with a character in [a-zA-Z0-9]. Got: {name}"
        )
    if ".." in name:
        raise InvalidArgumentError(
            "Validation error: name: Expected a name that does not contains two consecutive "
            f"periods (..). Got {name}"
        )
    try:
        ipaddress.IPv4Address(name)
    except ValueError:
        return name
    raise InvalidArgumentError(
        f"Validation error: name: Expected a name that is not a valid ip address. Got {name}"
    )


def validate_ids(ids: Any, allow_empty: bool = False) -> List[str]:
    if not isinstance(ids, (list, tuple)):
        raise InvalidArgumentError(f"Expected ids to be a list of str, got {type(ids).__name__}")
    if not ids and not allow_empty:
        raise InvalidArgumentError("Expected ids to be a non-empty list, got 0 ids")
    for i, id_ in enumerate(ids):
        if not isinstance(id_, str):
            raise InvalidArgumentError(f"Expected id {i} to be a str, got {id_!r}")
        if id_ == "":
            raise InvalidArgumentError(f"Expected id {i} to be a non-empty str")
    if len(set(ids)) != len(ids):
        seen: set[str] = set()
        dups = sorted({x for x in ids if x in seen or seen.add(x)})  # type: ignore[func-returns-value]
        shown = ", ".join(dups[:10]) + (f" and {len(dups) - 10} more" if len(dups) > 10 else "")
        raise DuplicateIDError(f"Expected ids to be unique, found duplicates of: {shown}")
    return list(ids)


def validate_lengths(n: int, **fields: Any) -> None:
    for field, values in fields.items():
        if values is not None and len(values) != n:
            raise InvalidArgumentError(
                f"Number of {field} ({len(values)}) does not match number of ids ({n})"
            )


def validate_embeddings(
    embeddings: Any, dimension: Optional[int], what: str = "embedding"
) -> NDArray[np.float32]:
    """Return an (n, d) float32 array, checking every row has the same, expected dimension."""
    if isinstance(embeddings, np.ndarray) and embeddings.ndim == 2:
        rows = embeddings
    else:
        if not isinstance(embeddings, (list, tuple)):
            raise InvalidArgumentError(
                f"Expected embeddings to be a list of lists of numbers, got {type(embeddings).__name__}"
            )
        lengths = set()
        for i, emb in enumerate(embeddings):
            if not isinstance(emb, (list, tuple, np.ndarray)):
                raise InvalidArgumentError(
                    f"Expected {what} {i} to be a list of numbers, got {type(emb).__name__}"
                )
            lengths.add(len(emb))
        if len(lengths) > 1:
            raise InvalidDimensionException(
                f"Expected every {what} in a batch to have the same dimension, got {sorted(lengths)}"
            )
        if 0 in lengths:
            raise InvalidArgumentError(f"Expected {what}s to be non-empty")
        try:
            rows = np.asarray(embeddings, dtype=np.float64)
        except (TypeError, ValueError) as exc:
            raise InvalidArgumentError(f"Expected {what}s to contain only numbers: {exc}") from None
        if rows.dtype == object or (rows.ndim != 2 and len(embeddings) > 0):
            raise InvalidArgumentError(f"Expected {what}s to contain only numbers")
        if len(embeddings) == 0:
            rows = rows.reshape(0, dimension or 0)
        for emb in embeddings:
            for v in emb[:1]:
                if isinstance(v, (bool, np.bool_)):
                    raise InvalidArgumentError(f"Expected {what}s to contain numbers, got a bool")
    if rows.size and not np.all(np.isfinite(rows)):
        raise InvalidArgumentError(
            f"Expected {what}s to contain only finite numbers (no NaN or inf)"
        )
    if rows.size and rows.dtype != np.float32 and np.abs(rows).max() > _FLOAT32_MAX:
        # Stored as float32, such a value would become inf (real Chroma refuses it too).
        raise InvalidArgumentError(
            f"Expected {what}s to fit in float32 (magnitude at most {_FLOAT32_MAX:.4g}); "
            "they must not contain NaN or Infinity values once stored"
        )
    if dimension is not None and rows.shape[0] and rows.shape[1] != dimension:
        raise InvalidDimensionException(
            f"Embedding dimension {rows.shape[1]} does not match collection dimensionality {dimension}"
        )
    return np.ascontiguousarray(rows, dtype=np.float32)


def _check_list(key: str, value: List[Any]) -> None:
    # Chroma 1.5's list values: non-empty, and every item of one scalar type.
    if not value:
        raise InvalidArgumentError(f"Expected metadata list value for key {key!r} to be non-empty")
    first = type(value[0])
    if first not in (str, int, float, bool) or any(type(x) is not first for x in value):
        raise InvalidArgumentError(
            f"Expected metadata list value for key {key!r} to contain only str, int, float, or "
            f"bool and all elements must be the same type, got {value!r}"
        )
    for item in value:
        _check_value(key, item, allow_none=False)


def _sparse_value(key: str, value: Any) -> SparseVector:
    """A metadata value that is a sparse vector (or its tagged JSON form), checked."""
    try:
        if isinstance(value, SparseVector):
            value.__post_init__()  # its fields may have changed since construction
            vector = value
        else:
            vector = SparseVector.from_dict(value)
    except (KeyError, TypeError, ValueError) as exc:
        raise InvalidArgumentError(
            f"Invalid sparse vector for metadata key {key!r}: {exc}"
        ) from None
    for i, x in enumerate(vector.values):
        if not math.isfinite(float(x)):
            raise InvalidArgumentError(
                f"Sparse vector for metadata key {key!r} has a value that is not finite "
                f"at position {i}: {x}"
            )
    for i, index in enumerate(vector.indices):
        if index > _UINT32_MAX:
            raise InvalidArgumentError(
                f"Sparse vector for metadata key {key!r} has an index that does not fit in "
                f"32 bits at position {i}: {index}"
            )
    return vector


def _check_value(key: str, value: Any, allow_none: bool, allow_list: bool = False) -> None:
    if allow_list and isinstance(value, list):
        _check_list(key, value)
        return
    if isinstance(value, SparseVector) or is_sparse_json(value):
        _sparse_value(key, value)
        return
    if value is None:
        if allow_none:
            return
        raise InvalidArgumentError(
            f"Expected metadata value for key {key!r} to be a str, int, float or bool, got None"
        )
    if isinstance(value, bool) or isinstance(value, str):
        return
    if isinstance(value, int):
        if not _INT64_MIN <= value <= _INT64_MAX:
            raise InvalidArgumentError(
                f"Metadata value for key {key!r} does not fit in 64 bits: {value}"
            )
        return
    if isinstance(value, float):
        if not math.isfinite(value):
            raise InvalidArgumentError(
                f"Expected metadata value for key {key!r} to be finite, got {value}"
            )
        return
    raise InvalidArgumentError(
        f"Expected metadata value for key {key!r} to be a str, int, float or bool, "
        f"got {value!r} ({type(value).__name__})"
    )


def validate_metadata(
    metadata: Any, allow_none_values: bool = True, allow_lists: bool = True
) -> Optional[Dict[str, Any]]:
    """A record's metadata as stored: None values kept only to mark deletions on update; list
    values (of one scalar type) as Chroma 1.5 allows on records."""
    if metadata is None:
        return None
    if not isinstance(metadata, Mapping):
        raise InvalidArgumentError(f"Expected metadata to be a dict, got {metadata!r}")
    out: Dict[str, Any] = {}
    for key, value in metadata.items():
        if not isinstance(key, str) or key == "":
            raise InvalidArgumentError(f"Expected metadata key to be a non-empty str, got {key!r}")
        _check_value(key, value, allow_none_values, allow_lists)
        if isinstance(value, np.generic):
            value = value.item()
        elif isinstance(value, SparseVector) or is_sparse_json(value):
            value = _sparse_value(key, value)
        out[key] = value
    return out


def validate_metadatas(metadatas: Any) -> Optional[List[Optional[Dict[str, Any]]]]:
    if metadatas is None:
        return None
    if not isinstance(metadatas, (list, tuple)):
        raise InvalidArgumentError(f"Expected metadatas to be a list of dicts, got {metadatas!r}")
    return [validate_metadata(m) for m in metadatas]


def validate_documents(documents: Any, field: str = "documents") -> Optional[List[Optional[str]]]:
    if documents is None:
        return None
    if not isinstance(documents, (list, tuple)):
        raise InvalidArgumentError(f"Expected {field} to be a list of str, got {documents!r}")
    for i, doc in enumerate(documents):
        if doc is not None and not isinstance(doc, str):
            raise InvalidArgumentError(
                f"Expected {field} {i} to be a str, got {type(doc).__name__}"
            )
    return list(documents)


def validate_collection_metadata(metadata: Any) -> Optional[Dict[str, Any]]:
    if metadata is None:
        return None
    if isinstance(metadata, Mapping) and len(metadata) == 0:
        raise InvalidArgumentError("Validation error: metadata: Metadata cannot be empty")
    # Real Chroma 1.5.9 accepts lists here and then fails inside its engine: refused up front.
    out = validate_metadata(metadata, allow_none_values=False, allow_lists=False)
    assert out is not None
    space = out.get("hnsw:space")
    if space is not None and space not in SPACES:
        raise InvalidArgumentError(
            f"Invalid hnsw:space {space!r}: expected one of {', '.join(SPACES)}"
        )
    for key in ("hnsw:M", "hnsw:construction_ef", "hnsw:search_ef"):
        value = out.get(key)
        if value is not None and (
            isinstance(value, bool) or not isinstance(value, int) or value < 1
        ):
            raise InvalidArgumentError(f"Expected {key} to be a positive int, got {value!r}")
    return out or None


def validate_limit_offset(limit: Any, offset: Any) -> tuple[Optional[int], int]:
    for name, value in (("limit", limit), ("offset", offset)):
        if value is not None and (
            isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= _INT64_MAX
        ):
            raise InvalidArgumentError(
                f"Expected {name} to be a non-negative int below 2**63, got {value!r}"
            )
    return limit, offset or 0
