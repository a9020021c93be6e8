"""2-D projections of embeddings for the console's map: PCA with numpy (always there) or UMAP
(when the optional ``umap-learn`` package is installed)."""

from __future__ import annotations

import importlib.util
import warnings
from typing import List

import numpy as np
import numpy.typing as npt

from chromadb.errors import InvalidArgumentError

METHODS = ("pca", "umap")
# Rows the PCA axes are fitted on (all rows are projected).
FIT_ROWS = 10_000

Matrix = npt.NDArray[np.float32]


def available_methods() -> List[str]:
    """The projection methods this installation can run."""
    found = ["pca"]
    if importlib.util.find_spec("umap") is not None:
        found.append("umap")
    return found


def pca_2d(vectors: Matrix, fit_rows: int = FIT_ROWS) -> Matrix:
    """The first two principal components of ``vectors`` (n x d), as n x 2 float32.

    The axes come from the d x d covariance of at most ``fit_rows`` rows picked evenly (a
    sample that size finds the top two axes of any real collection, and keeps 100k x 384 under
    a second); every row is then projected on them. Each axis's sign is fixed (largest loading
    positive), so the same data gives the same map.
    """
    n, d = vectors.shape if vectors.ndim == 2 else (0, 0)
    out = np.zeros((n, 2), dtype=np.float32)
    if n == 0 or d == 0:
        return out
    step = max(1, n // fit_rows)
    sample = vectors[::step].astype(np.float32)
    mean = sample.mean(axis=0)
    centred = sample - mean
    if len(sample) < 2:
        return out
    covariance = centred.T @ centred / (len(sample) - 1)
    values, vecs = np.linalg.eigh(covariance)
    top = vecs[:, np.argsort(values)[::-1][: min(2, d)]]
    signs = np.sign(top[np.abs(top).argmax(axis=0), range(top.shape[1])])
    top = (top * np.where(signs == 0, 1.0, signs)).astype(np.float32)
    # (x - mean) @ top without a centred copy of all rows.
    out[:, : top.shape[1]] = vectors @ top - mean.astype(np.float32) @ top
    return out


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
    reducer = umap.UMAP(n_components=2, n_neighbors=min(15, n - 1), random_state=0, n_jobs=1)
    with warnings.catch_warnings():
        # A fixed seed (the same data, the same map) makes UMAP single-threaded, and it says so.
        warnings.filterwarnings("ignore", message="n_jobs value", category=UserWarning)
        return np.asarray(reducer.fit_transform(vectors), dtype=np.float32)


def project(vectors: Matrix, method: str) -> Matrix:
    """``vectors`` projected to 2-D by ``method`` (``pca`` or ``umap``)."""
    if method == "pca":
        return pca_2d(vectors)
    if method == "umap":
        return umap_2d(vectors)
    raise InvalidArgumentError(f"Unknown projection {method!r}: use one of {', '.join(METHODS)}")
