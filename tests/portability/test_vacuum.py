"""``chroma vacuum``: disk given back after deletes, every live record kept and found."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import chromadb
from chromadb.api.client import clear_system_cache
from chromadb.cli import main
from chromadb.portability.vacuum import folder_bytes

pytestmark = pytest.mark.slow


def test_vacuum_gives_space_back_and_keeps_live_records(tmp_path: Path) -> None:
    path = str(tmp_path / "data")
    try:
        client = chromadb.PersistentClient(path=path)
        col = client.create_collection("shrinks", embedding_function=None)
        n = 4000
        col.add(
            ids=[f"r{i}" for i in range(n)],
            embeddings=[[float(i), float(i % 13), float(i % 5), 1.0] for i in range(n)],
            documents=[f"document {i} " * 24 for i in range(n)],
        )
        col.delete(ids=[f"r{i}" for i in range(n) if i % 4])
        clear_system_cache()
        before = folder_bytes(path)
        assert main(["vacuum", "--path", path]) == 0
        assert folder_bytes(path) < before * 0.6
        # The index was rebuilt compact and checkpointed: the next open replays nothing.
        assert len(list(Path(path).glob("index/*/CURRENT"))) == 1
        client = chromadb.PersistentClient(path=path)
        col = client.get_collection("shrinks", embedding_function=None)
        assert sorted(col.get(include=[])["ids"]) == sorted(f"r{i}" for i in range(0, n, 4))
        hit = col.query(query_embeddings=[[400.0, 400 % 13, 0.0, 1.0]], n_results=1)
        assert hit["ids"] == [["r400"]]
        assert col.get(ids=["r8"])["documents"] == ["document 8 " * 24]
    finally:
        clear_system_cache()


def test_vacuum_refuses_a_folder_in_use(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = str(tmp_path / "busy")
    try:
        chromadb.PersistentClient(path=path).create_collection("open", embedding_function=None)
        assert main(["vacuum", "--path", path]) == 1
    finally:
        clear_system_cache()
    assert "in use" in capsys.readouterr().err


def test_vacuum_moves_an_older_folder_to_the_larger_pages(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Folders made before 32 KiB pages (4 KiB: two 384-d embeddings a page, a quarter of it
    empty) are rewritten at the new page size, every record kept."""
    import sqlite3

    from chromadb.engine import store

    path = str(tmp_path / "old")
    vectors = np.random.default_rng(3).normal(size=(5000, 384)).astype(np.float32)
    try:
        monkeypatch.setattr(store, "PAGE_SIZE", 4096)
        col = chromadb.PersistentClient(path=path).create_collection(
            "pages", embedding_function=None
        )
        col.add(ids=[f"p{i}" for i in range(5000)], embeddings=vectors)
        clear_system_cache()
        monkeypatch.undo()
        before = folder_bytes(path)
        assert main(["vacuum", "--path", path]) == 0
        with sqlite3.connect(Path(path) / "chroma.sqlite3") as conn:
            assert conn.execute("PRAGMA page_size").fetchone()[0] == store.PAGE_SIZE
            assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert folder_bytes(path) < before
        col = chromadb.PersistentClient(path=path).get_collection("pages", embedding_function=None)
        got = col.get(ids=["p17"], include=["embeddings"])["embeddings"]
        assert np.array_equal(np.asarray(got[0], dtype=np.float32), vectors[17])
        assert col.query(query_embeddings=vectors[42:43], n_results=1)["ids"] == [["p42"]]
    finally:
        clear_system_cache()
