"""Helpers that build a data folder and damage it, for the integrity tests."""

from __future__ import annotations

import hashlib
import os
import random
import subprocess
import sys
from pathlib import Path
from typing import Dict, List

import numpy as np

import chromadb
from chromadb.api.client import clear_system_cache

DIM = 16


def vectors(n: int, seed: int = 0) -> np.ndarray:
    return np.random.default_rng(seed).random((n, DIM), dtype=np.float32)


def build(path: Path, n: int = 6_000, name: str = "docs") -> Dict[str, List[float]]:
    """A folder with one collection of ``n`` records, closed cleanly (checkpoint written);
    returns each id's embedding."""
    client = chromadb.PersistentClient(path=str(path))
    col = client.create_collection(name, embedding_function=None)
    emb = vectors(n)
    ids = [f"id{i}" for i in range(n)]
    col.add(
        ids=ids,
        embeddings=emb,
        documents=[f"document number {i}" for i in range(n)],
        metadatas=[{"i": i} for i in range(n)],
    )
    clear_system_cache()  # stops the engine: checkpoints and closes, as a process exit does
    return {i: list(map(float, e)) for i, e in zip(ids, emb)}


def flip_pages(db_file: Path, share: float = 0.1, start: float = 0.3, seed: int = 1) -> int:
    """Flip bytes in ``share`` of the SQLite pages after the first ``start`` of the file (the
    pages of record rows); returns how many pages were damaged."""
    data = bytearray(db_file.read_bytes())
    page = 4096
    pages = len(data) // page
    rnd = random.Random(seed)
    chosen = rnd.sample(range(int(pages * start), pages), max(1, int(pages * share)))
    for number in chosen:
        for _ in range(20):
            data[number * page + rnd.randrange(page)] ^= 0xFF
    db_file.write_bytes(bytes(data))
    return len(chosen)


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def chroma(*args: str) -> subprocess.CompletedProcess[str]:
    """The ``chroma`` command, as a user runs it."""
    return subprocess.run(
        [sys.executable, "-m", "chromadb.cli", *args],
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, "PYTHONWARNINGS": "ignore"},
    )
