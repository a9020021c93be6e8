"""Synthetic benchmark data: clustered unit vectors, metadata columns and exact ground truth.

Everything is written as ``.npy`` files in one folder per (n, queries, seed), so that both
interpreters (ours and real Chroma's) read the very same data, and a second run reuses it.

Files in a data folder:
    base.npy        float32 (n, dim), unit rows: the records' embeddings
    queries.npy     float32 (q, dim), unit rows drawn the same way, held out of ``base``
    category.npy    int16 (n,): 0..9, ``{"category": 3}`` admits about 10%
    rand.npy        int32 (n,): 0..999, ``{"rand": {"$lt": 10}}`` admits about 1%
    word.npy        int16 (n,): index into WORDS, the distinctive word of each document
    gt_<name>.npy   int32 (q, k): exact top-k row numbers for each filter in FILTERS
    meta.json       the parameters and the filters, for the workload and the report
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Dict, Optional

import numpy as np

DIM = 384
K = 10
CLUSTERS = 100
# Per-dimension noise around a unit centre: the noise vector's norm (about 0.05 * sqrt(384),
# i.e. ~1) matches the centre's, so clusters overlap and approximate search has real work to do.
NOISE = 0.05
# Ten words that occur nowhere else in a document (no word is a substring of another), so
# ``$contains`` on one of them admits about 10% of the records.
WORDS = [
    "alpha",
    "bravo",
    "charlie",
    "delta",
    "echo",
    "foxtrot",
    "golf",
    "hotel",
    "india",
    "juliett",
]
DOC_WORD = 6  # "golf"

# name -> (where, where_document) as the workload passes them; None means no filter.
FILTERS: Dict[str, Dict[str, Optional[dict]]] = {
    "all": {"where": None, "where_document": None},
    "where10": {"where": {"category": 3}, "where_document": None},
    "where1": {"where": {"rand": {"$lt": 10}}, "where_document": None},
    "doc": {"where": None, "where_document": {"$contains": WORDS[DOC_WORD]}},
}


def data_dir(out: Path, n: int, queries: int, seed: int) -> Path:
    """The cache folder for one data set."""
    return out / "data" / f"n{n}_q{queries}_s{seed}"


def _unit_rows(x: np.ndarray) -> np.ndarray:
    x /= np.linalg.norm(x, axis=1, keepdims=True)
    return x


def _clustered(rng: np.random.Generator, centres: np.ndarray, count: int) -> np.ndarray:
    """``count`` points, each a random centre plus gaussian noise, normalised; built in chunks
    so that a million rows never need a float64 copy."""
    out = np.empty((count, centres.shape[1]), dtype=np.float32)
    step = 50_000
    for start in range(0, count, step):
        stop = min(count, start + step)
        which = rng.integers(0, len(centres), stop - start)
        noise = rng.standard_normal((stop - start, centres.shape[1]), dtype=np.float32)
        out[start:stop] = _unit_rows(centres[which] + NOISE * noise)
    return out


def exact_top_k(base: np.ndarray, queries: np.ndarray, rows: np.ndarray, k: int = K) -> np.ndarray:
    """Exact cosine top-k among ``base[rows]`` for each query (row numbers into ``base``).

    Rows are unit vectors, so the largest dot product is the smallest cosine distance. Scores
    are computed in chunks of rows, keeping the best k of each chunk and merging.
    """
    q = len(queries)
    best_scores = np.full((q, 0), -np.inf, dtype=np.float32)
    best_rows = np.zeros((q, 0), dtype=np.int64)
    step = 50_000
    for start in range(0, len(rows), step):
        chunk_rows = rows[start : start + step]
        scores = queries @ base[chunk_rows].T
        take = min(k, scores.shape[1])
        part = np.argpartition(-scores, take - 1, axis=1)[:, :take]
        best_scores = np.concatenate([best_scores, np.take_along_axis(scores, part, 1)], axis=1)
        best_rows = np.concatenate([best_rows, chunk_rows[part]], axis=1)
        keep = np.argsort(-best_scores, axis=1, kind="stable")[:, :k]
        best_scores = np.take_along_axis(best_scores, keep, 1)
        best_rows = np.take_along_axis(best_rows, keep, 1)
    return best_rows.astype(np.int32)


def allowed_rows(name: str, category: np.ndarray, rand: np.ndarray, word: np.ndarray) -> np.ndarray:
    """Row numbers that filter ``name`` admits (mirrors FILTERS)."""
    if name == "all":
        return np.arange(len(category))
    if name == "where10":
        return np.flatnonzero(category == 3)
    if name == "where1":
        return np.flatnonzero(rand < 10)
    if name == "doc":
        return np.flatnonzero(word == DOC_WORD)
    raise ValueError(f"unknown filter {name!r}")


def ensure_data(out: Path, n: int, queries: int, seed: int, log: bool = True) -> Path:
    """Create the data folder for (n, queries, seed) unless it is already complete."""
    folder = data_dir(out, n, queries, seed)
    if (folder / "meta.json").exists():
        return folder
    folder.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    rng = np.random.default_rng(seed)
    centres = _unit_rows(rng.standard_normal((CLUSTERS, DIM), dtype=np.float32))
    base = _clustered(rng, centres, n)
    qs = _clustered(rng, centres, queries)
    category = rng.integers(0, 10, n).astype(np.int16)
    rand = rng.integers(0, 1000, n).astype(np.int32)
    word = rng.integers(0, len(WORDS), n).astype(np.int16)
    for name, arr in [
        ("base", base),
        ("queries", qs),
        ("category", category),
        ("rand", rand),
        ("word", word),
    ]:
        np.save(folder / f"{name}.npy", arr)
    selectivity = {}
    for name in FILTERS:
        rows = allowed_rows(name, category, rand, word)
        selectivity[name] = len(rows) / n
        np.save(folder / f"gt_{name}.npy", exact_top_k(base, qs, rows))
    meta = {
        "n": n,
        "queries": queries,
        "seed": seed,
        "dim": DIM,
        "k": K,
        "clusters": CLUSTERS,
        "noise": NOISE,
        "words": WORDS,
        "filters": FILTERS,
        "selectivity": selectivity,
    }
    # meta.json last: its presence marks a complete folder.
    (folder / "meta.json").write_text(json.dumps(meta, indent=2))
    if log:
        print(f"[bench] data n={n} q={queries} seed={seed}: {time.perf_counter() - started:.1f}s")
    return folder
