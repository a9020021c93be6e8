"""Give disk space back after deletes: SQLite's VACUUM, and index checkpoints that still carry
deleted vectors dropped so the engine rebuilds them compact (from SQLite, the system of record)."""

from __future__ import annotations

import os
import shutil
from typing import List, Tuple
from uuid import UUID

from chromadb.engine import checkpoint
from chromadb.engine.store import Store
from chromadb.errors import ChromaError
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
        info = checkpoint.read_info(folder)
    except checkpoint.CheckpointDamaged:
        return True  # the engine would rebuild it anyway
    return info is not None and info.slots != info.count


def _rebuild(path: str, collection_ids: List[str]) -> None:
    """Build the indexes whose checkpoints were dropped and checkpoint them, so the next open
    of the folder is as fast as before (a private engine: other clients stay untouched)."""
    from chromadb.api import API
    from chromadb.config import Settings, System

    system = System(Settings(is_persistent=True, persist_directory=path, chroma_api_impl="local"))
    api = system.instance(API)
    system.start()
    try:
        for cid in collection_ids:
            try:
                api._create_index(UUID(cid))
            except (ChromaError, ValueError):  # a folder left by a deleted collection
                continue
    finally:
        system.stop()


def vacuum_folder(path: str) -> Tuple[int, int]:
    """Compact the data folder ``path`` (which no other client or server may have open):
    SQLite's VACUUM, and the index of every collection with deleted vectors rebuilt from its
    live ones. Returns the bytes on disk before and after."""
    path = our_store(path)
    before = folder_bytes(path)
    dropped = []
    store = Store(path, exclusive=True)  # refuses while any server or client has it open
    try:
        index = os.path.join(path, INDEX_DIR)
        if os.path.isdir(index):
            for name in os.listdir(index):
                folder = os.path.join(index, name)
                if os.path.isdir(folder) and _has_dead_slots(folder):
                    shutil.rmtree(folder)
                    dropped.append(name)
        store.vacuum()
    finally:
        store.close()
    if dropped:
        _rebuild(path, dropped)
    return before, folder_bytes(path)
