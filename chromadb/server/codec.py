"""JSON in and out of the server: fast response encoding and base64 embeddings."""

from __future__ import annotations

import base64
import binascii
import uuid
from typing import Any, List, Optional, Sequence, Union

import numpy as np
import pydantic_core
from fastapi.responses import Response

from chromadb.api.types import PyEmbeddings
from chromadb.base_types import SparseVector
from chromadb.errors import InvalidArgumentError

JSON_MEDIA_TYPE = "application/json"


def _default(value: Any) -> Any:
    # Backends may hand back numpy values or UUIDs; everything else is plain JSON already.
    if isinstance(value, np.ndarray):
        return value.tolist()
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, SparseVector):
        return value.to_dict()
    if isinstance(value, memoryview):
        return base64.b64encode(bytes(value)).decode("ascii")
    raise TypeError(f"Cannot encode {type(value).__name__} as JSON")


def tagged_metadatas(metadatas: Any, nested: bool = False) -> Any:
    """Metadatas with their sparse vectors in the tagged JSON form clients read (pydantic's
    encoder would write a dataclass as a plain object, without the tag)."""
    if not isinstance(metadatas, list):
        return metadatas
    if nested:
        return [tagged_metadatas(inner) for inner in metadatas]
    out = []
    for meta in metadatas:
        # ``in`` over the value types runs in C: this is on every query's answer.
        if isinstance(meta, dict) and SparseVector in map(type, meta.values()):
            meta = {k: v.to_dict() if isinstance(v, SparseVector) else v for k, v in meta.items()}
        out.append(meta)
    return out


def dumps(value: Any) -> bytes:
    """Encode a response body. pydantic's serializer is several times faster than json.dumps
    (and far faster than FastAPI's jsonable_encoder) on get/query answers full of floats."""
    return pydantic_core.to_json(value, fallback=_default, bytes_mode="base64")


def json_response(value: Any, status_code: int = 200) -> Response:
    """A JSON response whose body is encoded once, without FastAPI's validation pass."""
    return Response(content=dumps(value), status_code=status_code, media_type=JSON_MEDIA_TYPE)


def _decode_base64(text: str, field: str, index: int) -> List[float]:
    try:
        raw = base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise InvalidArgumentError(
            f"Expected {field}[{index}] to be a list of numbers or base64 float32 data: {exc}"
        ) from None
    if len(raw) % 4 != 0:
        raise InvalidArgumentError(
            f"Expected {field}[{index}] to hold little-endian float32 values, "
            f"got {len(raw)} bytes (not a multiple of 4)"
        )
    values: List[float] = np.frombuffer(raw, dtype="<f4").astype(np.float64).tolist()
    return values


def decode_embeddings(
    items: Optional[Sequence[Union[Sequence[float], str]]], field: str
) -> Optional[PyEmbeddings]:
    """Embeddings from a request body: lists of numbers, or (from clients told
    ``supports_base64_encoding``) base64 strings of little-endian float32."""
    if items is None:
        return None
    out: PyEmbeddings = []
    for i, item in enumerate(items):
        if isinstance(item, str):
            out.append(_decode_base64(item, field, i))
        else:
            out.append(list(item))
    return out
