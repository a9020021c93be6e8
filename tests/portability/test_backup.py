"""``client.backup`` / ``chroma backup`` while writes go on, and ``chroma restore``: the
restored folder holds every write acknowledged before the backup began, and a damaged or
misplaced restore is refused."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import List

import pytest

import chromadb
from chromadb.api.client import clear_system_cache
from chromadb.cli import main
from chromadb.errors import InvalidArgumentError

pytestmark = pytest.mark.slow


def _vector(i: int) -> List[float]:
    return [float(i), float(i % 7), 0.5]


def test_backup_during_writes_restores_every_acknowledged_write(tmp_path: Path) -> None:
    src = str(tmp_path / "src")
    acked: List[str] = []
    stop = threading.Event()
    try:
        client = chromadb.PersistentClient(path=src)
        col = client.create_collection("live", embedding_function=None)
        col.add(ids=[f"old{i}" for i in range(3000)], embeddings=[_vector(i) for i in range(3000)])
        client.clear_system_cache()  # a clean stop writes the index checkpoint
        client = chromadb.PersistentClient(path=src)
        col = client.get_collection("live", embedding_function=None)
        acked.extend(f"old{i}" for i in range(3000))

        def write() -> None:
            n = 0
            while not stop.is_set():
                ids = [f"w{n}-{j}" for j in range(20)]
                col.add(ids=ids, embeddings=[_vector(n * 20 + j) for j in range(20)], documents=ids)
                acked.extend(ids)
                n += 1

        writer = threading.Thread(target=write)
        writer.start()
        while len(acked) < 3400:
            threading.Event().wait(0.01)
        before = list(acked)
        manifest = client.backup(str(tmp_path / "backup"))
        stop.set()
        writer.join()
        assert manifest["checkpoints"], "the clean stop's checkpoint should be in the backup"
        assert (
            main(["restore", str(tmp_path / "backup"), "--path", str(tmp_path / "restored")]) == 0
        )
        restored = chromadb.PersistentClient(path=str(tmp_path / "restored"))
        got = restored.get_collection("live", embedding_function=None)
        ids = set(got.get(include=[])["ids"])
        assert set(before) <= ids <= set(acked)
        sample = got.get(ids=before[-5:], include=["embeddings", "documents"])
        assert sample["documents"] == before[-5:]
        hit = got.query(query_embeddings=[_vector(5)], n_results=1, include=["distances"])
        assert hit["ids"] == [["old5"]] and hit["distances"][0][0] == 0.0
    finally:
        stop.set()
        clear_system_cache()


def test_restore_refuses_a_used_folder_and_a_damaged_backup(tmp_path: Path) -> None:
    src = str(tmp_path / "src")
    try:
        client = chromadb.PersistentClient(path=src)
        client.create_collection("kept", embedding_function=None).add(ids=["a"], embeddings=[[1.0]])
        client.backup(str(tmp_path / "b"))
        with pytest.raises(InvalidArgumentError, match="not an empty folder"):
            client.backup(str(tmp_path / "b"))
        with pytest.raises(InvalidArgumentError, match="needs a PersistentClient"):
            chromadb.EphemeralClient().backup(str(tmp_path / "c"))
    finally:
        clear_system_cache()
    assert main(["restore", str(tmp_path / "b"), "--path", src]) == 1
    db = tmp_path / "b" / "chroma.sqlite3"
    raw = bytearray(db.read_bytes())
    raw[5000] ^= 0xFF
    db.write_bytes(bytes(raw))
    assert main(["restore", str(tmp_path / "b"), "--path", str(tmp_path / "new")]) == 1
    assert not (tmp_path / "new" / "chroma.sqlite3").exists()
