"""A folder written before a schema change opens with this version and keeps every record.

The folder is made as the earlier version left it: migrations 0001-0003 applied, rows written
with their column layout (records naming their collection by its id), nothing else.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import List

import numpy as np
import pytest

import chromadb
from chromadb.api.client import clear_system_cache
from chromadb.engine.store import _split_sql

pytestmark = pytest.mark.usefixtures("fresh_systems")

MIGRATIONS = Path(chromadb.__file__).parent / "engine" / "migrations"
DEFAULT_DB = "00000000-0000-0000-0000-000000000000"
DIM = 8


def _old_folder(path: Path) -> List[str]:
    """Two collections of records in the layout before migration 0004; returns their ids."""
    path.mkdir()
    conn = sqlite3.connect(path / "chroma.sqlite3", isolation_level=None)
    conn.execute("PRAGMA foreign_keys=ON")
    conn.execute("CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL)")
    for name in ("0001_init.sql", "0002_change_log.sql", "0003_one_change_index.sql"):
        for statement in _split_sql((MIGRATIONS / name).read_text()):
            conn.execute(statement)
        conn.execute("INSERT INTO schema_migrations VALUES (?, ?)", (int(name[:4]), name))
    cids = ["11111111-1111-1111-1111-111111111111", "22222222-2222-2222-2222-222222222222"]
    rng = np.random.default_rng(0)
    seq = 0
    for cid, name in zip(cids, ["first", "second"]):
        seq += 1
        conn.execute(
            "INSERT INTO catalog_collections "
            "(id, name, database_id, metadata, configuration, dimension, created_seq) "
            "VALUES (?, ?, ?, ?, '{}', ?, ?)",
            (cid, name, DEFAULT_DB, '{"hnsw:space": "l2"}', DIM, seq),
        )
    seq += 1
    for i in range(40):
        cid = cids[i % 2]
        label = conn.execute(
            "INSERT INTO records (collection_id, id, document, metadata, uri, vseq, mseq) "
            "VALUES (?, ?, ?, ?, NULL, ?, ?) RETURNING label",
            (cid, f"r{i}", f"document {i}", f'{{"i": {i}}}', seq, seq),
        ).fetchone()[0]
        vector = (rng.random(DIM, dtype=np.float32) + i).astype("<f4")
        conn.execute(
            "INSERT INTO vectors (label, embedding) VALUES (?, ?)", (label, vector.tobytes())
        )
        conn.execute(
            "INSERT INTO documents_fts (rowid, document) VALUES (?, ?)", (label, f"document {i}")
        )
    # The newest record was deleted: its label must not come back.
    conn.execute("DELETE FROM documents_fts WHERE rowid = 40")
    conn.execute("DELETE FROM records WHERE label = 40")
    conn.execute("UPDATE sequence SET seq = ?", (seq,))
    conn.close()
    return cids


def test_records_of_an_older_folder_are_all_there_after_the_upgrade(tmp_path: Path) -> None:
    path = tmp_path / "old"
    _old_folder(path)
    client = chromadb.PersistentClient(path=str(path))
    first, second = client.get_collection("first"), client.get_collection("second")
    assert (first.count(), second.count()) == (20, 19)
    got = first.get(ids=["r0", "r2"], include=["documents", "metadatas", "embeddings"])
    assert got["documents"] == ["document 0", "document 2"]
    assert got["metadatas"] == [{"i": 0}, {"i": 2}]
    assert np.asarray(got["embeddings"]).shape == (2, DIM)
    # Searches, filters and document filters see the same records as before.
    assert second.query(query_embeddings=[[7.5] * DIM], n_results=1)["ids"] == [["r7"]]
    assert first.get(where={"i": {"$gte": 30}})["ids"] == ["r30", "r32", "r34", "r36", "r38"]
    assert second.get(where_document={"$contains": "document 37"})["ids"] == ["r37"]
    # New records of each collection stay in it; the deleted record's label is not reused.
    first.add(ids=["new"], embeddings=[[0.0] * DIM])
    assert (first.count(), second.count()) == (21, 19)
    assert second.get(ids=["new"])["ids"] == []
    clear_system_cache()
    conn = sqlite3.connect(path / "chroma.sqlite3")
    label = conn.execute("SELECT label FROM records WHERE id = 'new'").fetchone()[0]
    assert label == 41
    # The documented view still names collections by their id.
    rows = conn.execute(
        "SELECT collection_id, collection_name, count(*) FROM embeddings GROUP BY 1, 2 ORDER BY 2"
    ).fetchall()
    assert rows == [
        ("11111111-1111-1111-1111-111111111111", "first", 21),
        ("22222222-2222-2222-2222-222222222222", "second", 19),
    ]
    assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
    # Records name their collection by its key now, not by its 36-character id.
    assert [r[1] for r in conn.execute("PRAGMA table_info(records)")][:2] == ["label", "collection"]
    conn.close()


def test_deleting_a_collection_leaves_the_others_records(tmp_path: Path) -> None:
    path = tmp_path / "old"
    _old_folder(path)
    client = chromadb.PersistentClient(path=str(path))
    client.delete_collection("first")
    again = client.create_collection("first")
    assert again.count() == 0
    assert client.get_collection("second").count() == 19
    clear_system_cache()
    conn = sqlite3.connect(path / "chroma.sqlite3")
    # The vectors went with their records (the rebuilt table kept the reference).
    assert conn.execute("SELECT count(*) FROM vectors").fetchone()[0] == 19
    keys = [r[0] for r in conn.execute("SELECT key FROM catalog_collections ORDER BY key")]
    assert len(set(keys)) == 2 and keys[0] == 2  # the new collection has a key of its own
    conn.close()


def test_check_reads_an_older_folder_as_it_is(tmp_path: Path) -> None:
    import hashlib
    import subprocess
    import sys

    path = tmp_path / "old"
    _old_folder(path)
    before = hashlib.sha256((path / "chroma.sqlite3").read_bytes()).hexdigest()
    done = subprocess.run(
        [sys.executable, "-m", "chromadb.cli", "check", "--path", str(path)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "OK: 2 collections, 39 records checked, lost: 0" in done.stdout
    # A check changes nothing, not even the schema.
    assert hashlib.sha256((path / "chroma.sqlite3").read_bytes()).hexdigest() == before
