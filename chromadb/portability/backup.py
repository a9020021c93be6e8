"""Backups of one of our data folders, taken while writes go on, and their restore.

A backup is a folder: ``chroma.sqlite3`` copied with SQLite's online backup API (one read
transaction, so it is a consistent snapshot at log sequence S, and writers are not stopped),
the index checkpoints that hold nothing past S (others would be ahead of the snapshot and are
left out: the engine rebuilds those collections' indexes from SQLite on first open), and
``backup.json`` with S and the database file's sha256, checked on restore.

Order matters: SQLite first, checkpoints second. A checkpoint at sequence C <= S is consistent
with the snapshot because the engine prunes its deletion log only up to a checkpoint that is
already written, so the snapshot still holds every deletion after C.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sqlite3
import time
from typing import Any, Dict

from chromadb.engine import checkpoint, foreign
from chromadb.errors import InvalidArgumentError

DB_FILE = "chroma.sqlite3"
INDEX_DIR = "index"
MANIFEST = "backup.json"
FORMAT = 1


def _sha256(path: str) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _empty_target(path: str, what: str) -> None:
    if os.path.exists(path) and (not os.path.isdir(path) or os.listdir(path)):
        raise InvalidArgumentError(f"The {what} {path} already exists and is not an empty folder")
    os.makedirs(path, exist_ok=True)


def our_store(path: str) -> str:
    """The folder holding our store for the data folder ``path`` (inside a Chroma 0.3 folder
    it is a sub-folder); raises for a real Chroma 0.4+ folder or one with no data of ours."""
    if foreign.folder_kind(path) == foreign.CHROMA_SQLITE:
        raise InvalidArgumentError(f"{path} is a real Chroma folder; use chroma import on it")
    store = foreign.store_folder(path)
    if not os.path.isfile(os.path.join(store, DB_FILE)):
        raise InvalidArgumentError(f"{path} holds no chromadb data ({DB_FILE} not found)")
    return store


def _copy_checkpoint(src: str, dest: str, up_to: int) -> bool:
    """Copy the checkpoint in ``src`` if it holds nothing past ``up_to``; False when there is
    none, it is newer, or it was replaced while being copied (its checksums then fail)."""
    os.makedirs(dest, exist_ok=True)
    try:
        # The manifest first, and from the copy on: the files it names are the ones to take.
        shutil.copyfile(
            os.path.join(src, checkpoint.MANIFEST), os.path.join(dest, checkpoint.MANIFEST)
        )
        info = checkpoint.read_info(dest)
        if info is None or info.seq > up_to:
            raise checkpoint.CheckpointDamaged("none, or ahead of the snapshot")
        for name in info.files:
            shutil.copyfile(os.path.join(src, name), os.path.join(dest, name))
        checkpoint.verify(dest, info)
    except (OSError, checkpoint.CheckpointDamaged):
        shutil.rmtree(dest, ignore_errors=True)
        return False
    return True


def backup_folder(path: str, dest: str) -> Dict[str, Any]:
    """Write a consistent backup of the data folder ``path`` into the new folder ``dest``
    (the folder may be in use by a server or client meanwhile). Returns the manifest."""
    path = our_store(path)
    db = os.path.join(path, DB_FILE)
    _empty_target(dest, "backup folder")
    target_db = os.path.join(dest, DB_FILE)
    src = sqlite3.connect(db)
    try:
        src.execute("PRAGMA busy_timeout=30000")
        dst = sqlite3.connect(target_db)
        try:
            src.backup(dst)  # all pages in one step: one read transaction, one snapshot
            seq = int(dst.execute("SELECT seq FROM sequence WHERE id = 0").fetchone()[0])
            dst.execute("PRAGMA journal_mode=DELETE")
        finally:
            dst.close()
    finally:
        src.close()
    kept = []
    index = os.path.join(path, INDEX_DIR)
    if os.path.isdir(index):
        for name in sorted(os.listdir(index)):
            if _copy_checkpoint(
                os.path.join(index, name), os.path.join(dest, INDEX_DIR, name), seq
            ):
                kept.append(name)
    manifest = {
        "format": FORMAT,
        "created": time.time(),
        "source": os.path.abspath(path),
        "seq": seq,
        "sha256": _sha256(target_db),
        "checkpoints": kept,
    }
    with open(os.path.join(dest, MANIFEST), "w") as fh:
        json.dump(manifest, fh, indent=1)
    return manifest


def restore_folder(backup: str, path: str) -> Dict[str, Any]:
    """Restore the backup folder ``backup`` into ``path`` (new or empty); the database file
    is checked against the backup's sha256 and SQLite's integrity check first."""
    try:
        with open(os.path.join(backup, MANIFEST)) as fh:
            manifest: Dict[str, Any] = json.load(fh)
    except (OSError, ValueError) as exc:
        raise InvalidArgumentError(f"{backup} is not a chromadb backup: {exc}") from None
    db = os.path.join(backup, DB_FILE)
    if not os.path.isfile(db) or _sha256(db) != manifest.get("sha256"):
        raise InvalidArgumentError(f"The backup in {backup} is damaged: {DB_FILE} does not match")
    _empty_target(path, "data folder")
    target_db = os.path.join(path, DB_FILE)
    shutil.copyfile(db, target_db + ".restoring")
    conn = sqlite3.connect(target_db + ".restoring")
    try:
        verdict = conn.execute("PRAGMA integrity_check").fetchone()[0]
    finally:
        conn.close()
    if verdict != "ok":
        os.remove(target_db + ".restoring")
        raise InvalidArgumentError(f"The backup in {backup} is damaged: {verdict}")
    if os.path.isdir(os.path.join(backup, INDEX_DIR)):
        shutil.copytree(os.path.join(backup, INDEX_DIR), os.path.join(path, INDEX_DIR))
    os.replace(target_db + ".restoring", target_db)
    return manifest
