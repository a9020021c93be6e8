"""The console map's data: a collection's records projected to 2-D, as compact arrays.

Points travel as base64 little-endian float32 (x, y interleaved) and colours as base64 uint8
category codes, so 100k points are about 1.5 MB of JSON instead of ten times that as number
lists. The projection of the same vectors is cached (keyed by a digest of them), so recolouring
by another metadata key does not recompute it.
"""

from __future__ import annotations

import base64
import hashlib
import threading
from collections import Counter, OrderedDict
from typing import Any, Dict, List, Mapping, Optional, Sequence, Tuple
from uuid import UUID

import numpy as np

from chromadb.api import API
from chromadb.console.projection import Matrix, available_methods, project

DEFAULT_POINTS = 100_000
MAX_POINTS = 250_000
# Categories beyond these share one colour ("other"): a map with 40 hues reads as noise.
MAX_CATEGORIES = 12
_CACHE_SIZE = 4
# Records whose metadata keys are offered for colouring.
KEY_SAMPLE = 1000

_cache: OrderedDict[Tuple[str, str], Matrix] = OrderedDict()
_cache_lock = threading.Lock()


def _b64(array: np.ndarray) -> str:
    return base64.b64encode(
        np.ascontiguousarray(array).astype(array.dtype.newbyteorder("<")).tobytes()
    ).decode("ascii")


def _projected(vectors: Matrix, method: str) -> Matrix:
    digest = hashlib.blake2b(vectors.tobytes(), digest_size=16).hexdigest()
    key = (digest, method)
    with _cache_lock:
        if key in _cache:
            _cache.move_to_end(key)
            return _cache[key]
    points = project(vectors, method)
    with _cache_lock:
        _cache[key] = points
        while len(_cache) > _CACHE_SIZE:
            _cache.popitem(last=False)
    return points


def _label(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _colours(
    metadatas: Sequence[Optional[Mapping[str, Any]]], key: str
) -> Tuple[List[str], np.ndarray]:
    """The most common values of ``key`` as categories, and each record's category code:
    codes 0..k-1 name a category, k is "other", k+1 is "no value"."""
    labels = [
        _label(m[key]) if m is not None and key in m and m[key] is not None else None
        for m in metadatas
    ]
    counts = Counter(label for label in labels if label is not None)
    categories = [label for label, _ in counts.most_common(MAX_CATEGORIES)]
    index = {label: i for i, label in enumerate(categories)}
    other, missing = len(categories), len(categories) + 1
    codes = np.fromiter(
        (missing if label is None else index.get(label, other) for label in labels),
        dtype=np.uint8,
        count=len(labels),
    )
    return categories, codes


def _keys(metadatas: Sequence[Optional[Mapping[str, Any]]]) -> List[str]:
    counts: Counter[str] = Counter()
    for m in metadatas:
        if m:
            counts.update(k for k in m if not k.startswith("chroma:"))
    return sorted(counts)


def map_json(api: API, collection: UUID, method: str, limit: int) -> Dict[str, Any]:
    """The map of up to ``limit`` records of ``collection`` (the first ones stored)."""
    result = api._get(collection, limit=limit, include=["embeddings"])
    ids = list(result["ids"])
    embeddings = result.get("embeddings")
    vectors = np.asarray(embeddings if embeddings is not None else [], dtype=np.float32)
    vectors = vectors.reshape(len(ids), -1) if ids else np.zeros((0, 0), dtype=np.float32)
    points = _projected(vectors, method)
    sample = api._get(collection, limit=KEY_SAMPLE, include=["metadatas"])
    return {
        "method": method,
        "methods": available_methods(),
        "total": api._count(collection),
        "ids": ids,
        "points": _b64(points.reshape(-1)),
        "keys": _keys(list(sample.get("metadatas") or [])),
    }


def colours_json(api: API, collection: UUID, key: str, limit: int) -> Dict[str, Any]:
    """Each record's category for metadata ``key``: the browser matches them to its points by
    id, so a write between the two requests costs a colour, never a wrong one."""
    result = api._get(collection, limit=limit, include=["metadatas"])
    categories, codes = _colours(list(result.get("metadatas") or []), key)
    return {"key": key, "ids": list(result["ids"]), "categories": categories, "codes": _b64(codes)}
