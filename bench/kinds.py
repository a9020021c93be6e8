"""Data of three kinds for recall at default settings: clustered (the main data set), uniform
random, and real text embedded with all-MiniLM-L6-v2.

The real text is English prose that ships with every Python: the docstrings of the standard
library's own source files (read with ``ast``, nothing is imported), split into sentences. It is
embedded once, in this (our) interpreter, with this project's default embedding function, and
saved, so that both implementations ingest the very same vectors. Ground truth is exact L2
(the default space) by brute force.

Files in ``<data>/kinds/``: ``<kind>_base.npy``, ``<kind>_queries.npy``, ``<kind>_gt.npy``
(top-10 row numbers) for kind in ``uniform``, ``sentences``; ``meta.json``.
"""

from __future__ import annotations

import ast
import json
import re
import sysconfig
from pathlib import Path
from typing import Callable, Dict, List

import numpy as np

K = 10
QUERIES = 200
_SENTENCE = re.compile(r"(?<=[.!?])\s+")


def stdlib_sentences(limit: int, seed: int = 0) -> List[str]:
    """Up to ``limit`` distinct English sentences from the standard library's docstrings."""
    root = Path(sysconfig.get_paths()["stdlib"])
    found: Dict[str, None] = {}
    for path in sorted(root.glob("*.py")) + sorted(root.glob("*/*.py")):
        if path.parent.name in ("test", "tests", "idlelib") or path.name.startswith("test"):
            continue
        try:
            tree = ast.parse(path.read_text(encoding="utf-8", errors="replace"))
        except (SyntaxError, ValueError):
            continue
        for node in ast.walk(tree):
            if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef)):
                doc = ast.get_docstring(node)
                for text in _SENTENCE.split(" ".join((doc or "").split())):
                    words = text.split()
                    if 6 <= len(words) <= 40 and sum(w.isalpha() for w in words) >= 0.7 * len(
                        words
                    ):
                        found.setdefault(text, None)
    sentences = list(found)
    order = np.random.default_rng(seed).permutation(len(sentences))
    return [sentences[i] for i in order[:limit]]


def _truth(base: np.ndarray, queries: np.ndarray) -> np.ndarray:
    """Exact L2 top-k row numbers of each query."""
    norms = (base.astype(np.float64) ** 2).sum(1)
    out = np.empty((len(queries), K), dtype=np.int32)
    for i, q in enumerate(queries.astype(np.float64)):
        d = norms - 2 * base @ q
        top = np.argpartition(d, K)[:K]
        out[i] = top[np.argsort(d[top], kind="stable")]
    return out


def ensure_kinds(
    data: Path, uniform_n: int, sentences_n: int, seed: int, log: Callable[[str], None]
) -> Path:
    """Write (or reuse) the kinds folder under ``data``; returns it."""
    folder = data / "kinds"
    meta_file = folder / "meta.json"
    want = {"uniform_n": uniform_n, "sentences_n": sentences_n, "seed": seed, "k": K}
    if meta_file.exists() and json.loads(meta_file.read_text()).get("want") == want:
        return folder
    folder.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(seed + 10)
    uniform = rng.random((uniform_n + QUERIES, 384), dtype=np.float32)
    sets = {"uniform": uniform}
    log(f"embedding {sentences_n + QUERIES} standard-library sentences with all-MiniLM-L6-v2")
    from chromadb.utils.embedding_functions import DefaultEmbeddingFunction

    texts = stdlib_sentences(sentences_n + QUERIES, seed)
    embed = DefaultEmbeddingFunction()
    vectors = [
        np.asarray(v, dtype=np.float32)
        for s in range(0, len(texts), 256)
        for v in embed(texts[s : s + 256])
    ]
    sets["sentences"] = np.asarray(vectors, dtype=np.float32)
    sizes = {}
    for kind, x in sets.items():
        base, queries = x[:-QUERIES], x[-QUERIES:]
        np.save(folder / f"{kind}_base.npy", base)
        np.save(folder / f"{kind}_queries.npy", queries)
        np.save(folder / f"{kind}_gt.npy", _truth(base, queries))
        sizes[kind] = len(base)
    meta_file.write_text(json.dumps({"want": want, "sizes": sizes}))
    return folder
