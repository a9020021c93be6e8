"""Recognise a real Chroma folder before anything is opened for writing.

- Chroma 0.4-1.x (``chroma.sqlite3`` with Chroma's own tables): refused with an error naming
  ``chroma import``; not a byte is written (opening it as ours would add our tables to it).
- Chroma 0.3 (``chroma-collections.parquet``): our store goes in a sub-folder, and the 0.3
  data is imported into it on first open. The 0.3 files are only read.
"""

from __future__ import annotations

import json
import logging
import os
import sqlite3
import time
import urllib.request
from typing import Any, Optional

from chromadb.errors import ForeignFolderError

logger = logging.getLogger(__name__)

DB_FILE = "chroma.sqlite3"
V03_MARKER_FILE = "chroma-collections.parquet"
# Our store inside a Chroma 0.3 folder, apart from its files (its ``index/`` folder included).
V03_STORE_DIR = "chromadb-imported"
V03_DONE_FILE = "imported-from-chroma-0.3.json"

CHROMA_SQLITE = "chroma-sqlite"
CHROMA_V03 = "chroma-0.3"


def _tables(db: str) -> set[str]:
    # immutable: no lock, no -shm/-wal file created, nothing written.
    uri = f"file:{urllib.request.pathname2url(db)}?mode=ro&immutable=1"
    try:
        conn = sqlite3.connect(uri, uri=True)
        try:
            return {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        finally:
            conn.close()
    except sqlite3.Error:
        return set()  # not a database we can read: let the store report it


def folder_kind(path: Optional[str]) -> Optional[str]:
    """``CHROMA_SQLITE``, ``CHROMA_V03`` or None (ours, empty, or not there)."""
    if not path or not os.path.isdir(path):
        return None
    db = os.path.join(path, DB_FILE)
    if os.path.isfile(db) and os.path.getsize(db) > 0:
        tables = _tables(db)
        # Chroma's own tables, even beside ours (an earlier version of ours added its tables
        # to such files before failing): ours has no such tables ("collections" is a view).
        if "embeddings_queue" in tables or {"segments", "collections"} <= tables:
            return CHROMA_SQLITE
    if os.path.isfile(os.path.join(path, V03_MARKER_FILE)):
        return CHROMA_V03
    return None


def store_folder(path: str) -> str:
    """The folder our store uses for the persist directory ``path``; raises
    :class:`ForeignFolderError` for a real Chroma 0.4-1.x folder."""
    kind = folder_kind(path)
    if kind == CHROMA_SQLITE:
        raise ForeignFolderError(
            f"{path} holds a real Chroma (0.4 or later) database; it is left unchanged. "
            f"Import it into a folder of its own with: chroma import {path} --path NEW_FOLDER"
        )
    if kind == CHROMA_V03:
        return os.path.join(path, V03_STORE_DIR)
    return path


def import_v03_once(api: Any, folder: str) -> None:
    """Import the Chroma 0.3 files of ``folder`` into ``api`` unless that was done before
    (a run cut short resumes: ids already imported are skipped)."""
    from chromadb.portability.chroma_v03 import ChromaV03Source
    from chromadb.portability.writer import write_source

    done = os.path.join(folder, V03_STORE_DIR, V03_DONE_FILE)
    if os.path.exists(done):
        return

    def open_collection(collection: Any) -> Any:
        return api.get_or_create_collection(
            collection.name, metadata=collection.metadata, embedding_function=None
        )

    with ChromaV03Source(folder) as source:
        summary = write_source(source, open_collection, progress=False)
    with open(done, "w") as fh:
        json.dump({"at": time.time(), "written": summary.written}, fh)
    logger.warning(
        "Imported %d collections (%d records) from the Chroma 0.3 files in %s into %s; "
        "the 0.3 files are left unchanged",
        len(summary.written),
        summary.records,
        folder,
        os.path.join(folder, V03_STORE_DIR),
    )
