"""The three distances of Chroma (``hnsw:space``), for one pair of vectors.

- ``l2``: squared Euclidean distance.
- ``ip``: 1 - dot product.
- ``cosine``: 1 - cosine similarity (a tiny epsilon keeps zero vectors finite).
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import NDArray

__all__ = ["cosine", "ip", "l2"]

Vector = NDArray[Any]
_EPSILON = 1e-30


def l2(x: Vector, y: Vector) -> float:
    """Squared Euclidean distance."""
    d = np.asarray(x, dtype=np.float64) - np.asarray(y, dtype=np.float64)
    return float(np.dot(d, d))


def ip(x: Vector, y: Vector) -> float:
    """One minus the dot product."""
    return float(1.0 - np.dot(np.asarray(x, dtype=np.float64), np.asarray(y, dtype=np.float64)))


def cosine(x: Vector, y: Vector) -> float:
    """One minus the cosine similarity."""
    a, b = np.asarray(x, dtype=np.float64), np.asarray(y, dtype=np.float64)
    return float(1.0 - np.dot(a, b) / ((np.linalg.norm(a) * np.linalg.norm(b)) + _EPSILON))
