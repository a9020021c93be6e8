"""2-D projections of embeddings for the console's map: PCA with numpy (always there) or UMAP
(when the optional ``umap-learn`` package is installed)."""

from __future__ import annotations

import importlib.util
from typing import List

import numpy as np
import numpy.typing as npt

from chromadb.errors import InvalidArgumentError

METHODS = ("pca", "umap")

Matrix = npt.NDArray[np.float32]


def available_methods() -> List[str]:
    """The projection methods this installation can run."""
    found = ["pca"]
    if importlib.util.find_spec("umap") is not None:
        found.append("umap")
    return found


def pca_2d(vectors: Matrix) -> Matrix:
    """The first two principal components of ``vectors`` (n x d), as n x 2 float32.

    The eigenvectors of the d x d covariance matrix are found instead of an SVD of the n x d
    data: for 100k x 384 that is a few hundred milliseconds rather than seconds. Each
    component's sign is fixed (largest loading positive) so the same data gives the same map.
    """
    n = vectors.shape[0]
    if n == 0:
        return np.zeros((0, 2), dtype=np.float32)
    data = vectors.astype(np.float64, copy=False)
    centred = data - data.mean(axis=0)
    if n == 1 or vectors.shape[1] == 1:
        out = np.zeros((n, 2), dtype=np.float32)
        out[:, 0] = centred[:, 0] if vectors.shape[1] else 0.0
        return out
    covariance = centred.T @ centred / (n - 1)
    values, vecs = np.linalg.eigh(covariance)
    top = vecs[:, np.argsort(values)[::-1][:2]]
    signs = np.sign(top[np.abs(top).argmax(axis=0), range(top.shape[1])])
    top = top * np.where(signs == 0, 1.0, signs)
    return (centred @ top).astype(np.float32)


def umap_2d(vectors: Matrix) -> Matrix:
    """A UMAP embedding of ``vectors`` in 2-D (needs the ``umap`` extra)."""
    try:
        import umap
    except ImportError as exc:
        raise InvalidArgumentError(
            "UMAP needs the optional umap-learn package: pip install 'chromadb[umap]'"
        ) from exc
    n = vectors.shape[0]
    if n < 4:
        return pca_2d(vectors)
    reducer = umap.UMAP(n_components=2, n_neighbors=min(15, n - 1), random_state=0)
    return np.asarray(reducer.fit_transform(vectors), dtype=np.float32)


def project(vectors: Matrix, method: str) -> Matrix:
    """``vectors`` projected to 2-D by ``method`` (``pca`` or ``umap``)."""
    if method == "pca":
        return pca_2d(vectors)
    if method == "umap":
        return umap_2d(vectors)
    raise InvalidArgumentError(f"Unknown projection {method!r}: use one of {', '.join(METHODS)}")
