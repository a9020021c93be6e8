"""``chroma import`` of folders written by real Chroma 0.3.29, 0.4.24, 0.5.23, 0.6.3 and 1.5.9:
every record comes across as written, and the source folder is not changed in a byte."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Dict

import pytest

import chromadb
from chromadb.api.client import clear_system_cache
from chromadb.cli import main
from tests.portability.compare import mismatches, places
from tests.portability.conftest import VERSIONS, ChromaFolder, file_hashes

pytestmark = pytest.mark.slow


LISTS = "with_lists"  # the 1.x collection with list-valued metadata


@pytest.mark.parametrize("version", VERSIONS)
def test_import_brings_every_record_and_leaves_the_source_alone(
    version: str,
    chroma_folders: Dict[str, ChromaFolder],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    source = chroma_folders[version]
    expected = source.expected
    args = ["import", str(source.path), "--path", str(tmp_path / "ours"), "--quiet"]
    try:
        assert main(args) == 0
        summary = capsys.readouterr().out
        total = sum(len(c["records"]) for c in expected["collections"])
        assert f"{total} records written" in summary
        for tenant, database in places(expected):
            there = chromadb.PersistentClient(
                path=str(tmp_path / "ours"), tenant=tenant, database=database
            )
            assert mismatches(there, expected, tenant, database) == []
        client = chromadb.PersistentClient(path=str(tmp_path / "ours"))
        # Imported collections answer queries: the nearest record to a stored vector is itself.
        docs = client.get_collection("docs_cosine", embedding_function=None)
        probe = docs.get(ids=["doc-00500"], include=["embeddings"])["embeddings"][0]
        assert docs.query(query_embeddings=[probe], n_results=1)["ids"] == [["doc-00500"]]
    finally:
        clear_system_cache()
    assert file_hashes(source.path) == source.hashes


def test_list_metadata_is_read_from_chroma_1x(chroma_folders: Dict[str, ChromaFolder]) -> None:
    from chromadb.portability.chroma_sqlite import ChromaSqliteSource

    source = chroma_folders["1.5.9"]
    want = next(c for c in source.expected["collections"] if c["name"] == LISTS)["records"]
    with ChromaSqliteSource(str(source.path)) as reader:
        collection = next(c for c in reader.collections() if c.name == LISTS)
        got = {}
        for batch in reader.batches(collection, 7):
            got.update(zip(batch.ids, batch.metadatas))
    assert got == {rid: r["metadata"] for rid, r in want.items()}


def test_list_metadata_from_chroma_1x(
    chroma_folders: Dict[str, ChromaFolder], tmp_path: Path
) -> None:
    source = chroma_folders["1.5.9"]
    dest = str(tmp_path / "ours")
    try:
        assert (
            main(["import", str(source.path), "--path", dest, "--quiet", "--collection", LISTS])
            == 0
        )
        only = {
            **source.expected,
            "collections": [c for c in source.expected["collections"] if c["name"] == LISTS],
        }
        assert mismatches(chromadb.PersistentClient(path=dest), only) == []
    finally:
        clear_system_cache()


@pytest.mark.parametrize("version", ["0.3.29", "0.6.3"])
def test_a_second_import_skips_what_is_there(
    version: str,
    chroma_folders: Dict[str, ChromaFolder],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    source = chroma_folders[version]
    dest = str(tmp_path / "ours")
    try:
        assert (
            main(
                ["import", str(source.path), "--path", dest, "--quiet", "--collection", "plain_l2"]
            )
            == 0
        )
        capsys.readouterr()
        assert main(["import", str(source.path), "--path", dest, "--quiet"]) == 0
        out = capsys.readouterr().out
        assert "plain_l2: 0 records written (152 already there)" in out
        assert mismatches(chromadb.PersistentClient(path=dest), source.expected) == []
    finally:
        clear_system_cache()


def test_an_unreadable_record_is_named(
    chroma_folders: Dict[str, ChromaFolder], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # A copy whose HNSW files are gone: the records only those files held cannot be read.
    broken = tmp_path / "broken"
    shutil.copytree(chroma_folders["0.5.23"].path, broken)
    for header in broken.glob("*/index_metadata.pickle"):
        for part in header.parent.iterdir():
            part.unlink()
    try:
        assert main(["import", str(broken), "--path", str(tmp_path / "ours"), "--quiet"]) == 1
    finally:
        clear_system_cache()
    err = capsys.readouterr().err
    assert "record 'doc-" in err and "collection 'docs_cosine'" in err


def test_a_hostile_index_pickle_is_refused_unrun(
    chroma_folders: Dict[str, ChromaFolder], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import pickle

    broken = tmp_path / "hostile"
    shutil.copytree(chroma_folders["0.5.23"].path, broken)
    marker = tmp_path / "ran"

    class Evil:
        def __reduce__(self):  # type: ignore[no-untyped-def]
            return (open, (str(marker), "w"))

    for target in broken.glob("*/index_metadata.pickle"):
        target.write_bytes(pickle.dumps({"id_to_label": Evil()}))
    try:
        assert main(["import", str(broken), "--path", str(tmp_path / "ours"), "--quiet"]) == 1
    finally:
        clear_system_cache()
    assert "refusing to load" in capsys.readouterr().err
    assert not marker.exists()


def test_a_wal_mode_source_is_read_from_a_copy(
    chroma_folders: Dict[str, ChromaFolder], tmp_path: Path
) -> None:
    # Reading a WAL-mode database in place would create -shm/-wal files beside it.
    import sqlite3

    source = tmp_path / "wal"
    shutil.copytree(chroma_folders["0.6.3"].path, source)
    conn = sqlite3.connect(source / "chroma.sqlite3")
    conn.execute("PRAGMA journal_mode=WAL")
    conn.close()
    before = file_hashes(source)
    try:
        assert main(["import", str(source), "--path", str(tmp_path / "ours"), "--quiet"]) == 0
        client = chromadb.PersistentClient(path=str(tmp_path / "ours"))
        assert mismatches(client, chroma_folders["0.6.3"].expected) == []
    finally:
        clear_system_cache()
    assert file_hashes(source) == before
