"""A real Chroma folder is recognised before anything is opened for writing: 0.4-1.x folders
are refused with a pointer to ``chroma import``; a 0.3 folder opened with the seed's settings
shows its data, imported once into a store of ours beside the 0.3 files."""

from __future__ import annotations

import logging
import shutil
from pathlib import Path
from typing import Dict

import pytest

import chromadb
from chromadb.api.client import clear_system_cache
from chromadb.cli import run
from chromadb.config import Settings
from chromadb.errors import ForeignFolderError
from tests.portability.compare import mismatches
from tests.portability.conftest import ChromaFolder, file_hashes

pytestmark = pytest.mark.slow


@pytest.mark.parametrize("version", ["0.4.24", "0.5.23", "0.6.3", "1.5.9"])
def test_persistent_client_refuses_a_real_chroma_folder(
    version: str, chroma_folders: Dict[str, ChromaFolder]
) -> None:
    source = chroma_folders[version]
    for open_folder in (
        lambda: chromadb.PersistentClient(path=str(source.path)),
        lambda: chromadb.Client(
            Settings(chroma_db_impl="duckdb+parquet", persist_directory=str(source.path))
        ),
    ):
        with pytest.raises(ForeignFolderError, match="chroma import"):
            open_folder()
        clear_system_cache()
    assert run(str(source.path), "127.0.0.1", 0) == 1  # chroma run --path: refused, not served
    assert file_hashes(source.path) == source.hashes


def test_seed_settings_on_a_chroma_03_folder_show_its_data(
    chroma_folders: Dict[str, ChromaFolder], tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    source = chroma_folders["0.3.29"]
    folder = tmp_path / "seed"
    shutil.copytree(source.path, folder)
    settings = Settings(chroma_db_impl="duckdb+parquet", persist_directory=str(folder))
    try:
        with caplog.at_level(logging.INFO, logger="chromadb"):
            client = chromadb.Client(settings)
            assert mismatches(client, source.expected) == []
        imported = [r for r in caplog.records if "Imported" in r.getMessage()]
        assert len(imported) == 1 and "left unchanged" in imported[0].getMessage()
        clear_system_cache()
        caplog.clear()
        with caplog.at_level(logging.INFO, logger="chromadb"):
            client = chromadb.Client(settings)  # second open: nothing imported again
            client.get_collection("plain_l2", embedding_function=None).add(
                ids=["new"], embeddings=[[0.0, 0.0, 1.0]]
            )
            assert client.get_collection("plain_l2", embedding_function=None).count() == 153
        assert not [r for r in caplog.records if "Imported" in r.getMessage()]
    finally:
        clear_system_cache()
    after = file_hashes(folder)
    ours = {k: v for k, v in after.items() if not k.startswith("chromadb-imported/")}
    assert ours == source.hashes


def test_a_real_folder_with_our_tables_added_is_still_recognised(
    chroma_folders: Dict[str, ChromaFolder], tmp_path: Path
) -> None:
    # What an earlier version of ours did to such a file before failing.
    import sqlite3

    folder = tmp_path / "damaged"
    shutil.copytree(chroma_folders["1.5.9"].path, folder)
    conn = sqlite3.connect(folder / "chroma.sqlite3")
    conn.execute("CREATE TABLE catalog_collections (id TEXT PRIMARY KEY)")
    conn.commit()
    conn.close()
    with pytest.raises(ForeignFolderError, match="chroma import"):
        chromadb.PersistentClient(path=str(folder))
    clear_system_cache()
