"""Give disk space back after deletes: SQLite's VACUUM, and index checkpoints that still carry
deleted vectors dropped so the engine rebuilds them compact (from SQLite, the system of record)."""

from __future__ import annotations

import os
import shutil
from typing import Tuple

import numpy as np

from chromadb.engine.store import Store
from chromadb.portability.backup import INDEX_DIR, our_store


def folder_bytes(path: str) -> int:
    """Bytes of every file under ``path``."""
    total = 0
    for root, _, files in os.walk(path):
        for name in files:
            full = os.path.join(root, name)
            if os.path.isfile(full):
                total += os.path.getsize(full)
    return total


def _has_dead_slots(folder: str) -> bool:
    try:
        with open(os.path.join(folder, "CURRENT")) as fh:
            seq = fh.read().strip()
        with np.load(os.path.join(folder, f"{seq}.npz")) as data:
            return not bool(np.all(data["alive"]))
    except (OSError, ValueError, KeyError):
        return True  # unreadable: the engine would rebuild it anyway


def vacuum_folder(path: str) -> Tuple[int, int]:
    """Compact the data folder ``path`` (which no other process may have open); returns the
    bytes on disk before and after."""
    path = our_store(path)
    before = folder_bytes(path)
    store = Store(path)  # takes the folder lock: refuses while a server or client has it
    try:
        index = os.path.join(path, INDEX_DIR)
        if os.path.isdir(index):
            for name in os.listdir(index):
                folder = os.path.join(index, name)
                if os.path.isdir(folder) and _has_dead_slots(folder):
                    shutil.rmtree(folder)
        with store.read() as conn:
            conn.execute("VACUUM")
            conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        store.close()
    return before, folder_bytes(path)
