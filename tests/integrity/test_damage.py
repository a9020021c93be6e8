"""Damaged SQLite pages: never a silently smaller answer. The damage is reported (the folder left
as it was), ``chroma check`` says what is wrong, and ``chroma repair`` recovers every readable
record and says how many were lost."""

from __future__ import annotations

import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

import chromadb
from chromadb.errors import DataIntegrityError
from tests.integrity.damage import build, chroma, digest, flip_pages

pytestmark = pytest.mark.usefixtures("fresh_systems")
N = 6_000


@pytest.fixture(scope="module")
def whole(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A clean folder, built once; tests damage copies of it."""
    path = tmp_path_factory.mktemp("whole") / "data"
    build(path, N)
    return path


def _damaged_copy(whole: Path, tmp_path: Path) -> Path:
    path = tmp_path / "data"
    shutil.copytree(whole, path)
    flip_pages(path / "chroma.sqlite3")
    return path


def test_a_whole_folder_checks_ok(whole: Path) -> None:
    done = chroma("check", "--path", str(whole))
    assert done.returncode == 0, done.stdout + done.stderr
    assert "SQLite integrity: ok" in done.stdout
    assert f"{N} records checked, lost: 0" in done.stdout


def test_damaged_pages_are_an_error_not_a_smaller_count(whole: Path, tmp_path: Path) -> None:
    path = _damaged_copy(whole, tmp_path)
    before = digest(path / "chroma.sqlite3")
    client = chromadb.PersistentClient(path=str(path))
    col = client.get_collection("docs")
    with pytest.raises(DataIntegrityError, match="chroma check") as raised:
        col.count()
    assert "nothing was rebuilt or changed" in str(raised.value)
    with pytest.raises(DataIntegrityError):
        col.query(query_embeddings=[[0.5] * 16], n_results=3)
    from chromadb.api.client import clear_system_cache

    clear_system_cache()
    # The evidence stays: the checkpoint was not rebuilt from the damaged table, and the
    # database file is as it was.
    assert digest(path / "chroma.sqlite3") == before
    again = chromadb.PersistentClient(path=str(path)).get_collection("docs")
    with pytest.raises(DataIntegrityError):
        again.count()


def test_check_reports_damage_and_repair_recovers_what_is_readable(
    whole: Path, tmp_path: Path
) -> None:
    path = _damaged_copy(whole, tmp_path)
    checked = chroma("check", "--path", str(path))
    assert checked.returncode == 1
    assert "SQLite integrity: DAMAGED" in checked.stdout
    assert "missing from the database" in checked.stdout

    repaired = chroma("repair", "--path", str(path))
    print("\n" + repaired.stdout)
    assert repaired.returncode == 0, repaired.stdout + repaired.stderr
    assert "REPAIRED" in repaired.stdout
    kept = [p for p in os.listdir(path) if p.startswith("chroma.sqlite3.damaged-")]
    assert kept, "the damaged database is kept beside the repaired one"
    assert chroma("check", "--path", str(path)).returncode == 0

    col = chromadb.PersistentClient(path=str(path)).get_collection("docs")
    survivors = col.get(include=["embeddings", "documents"])
    count = col.count()
    assert count == len(survivors["ids"]) > 0
    lost = int(repaired.stdout.rsplit("records lost: ", 1)[1].split()[0])
    # Every record is accounted for: recovered or reported lost.
    expected = np.random.default_rng(0).random((N, 16), dtype=np.float32)
    garbled = 0
    for id_, emb, doc in zip(survivors["ids"], survivors["embeddings"], survivors["documents"]):
        i = int(id_[2:]) if id_[2:].isdigit() else -1
        same = 0 <= i < N and doc == f"document number {i}"
        garbled += not (same and np.array_equal(np.asarray(emb, dtype=np.float32), expected[i]))
    # SQLite keeps no checksum of a row's bytes: flips inside rows that still parse are found
    # against the checkpoint's checksums, and each embedding is put back from its parity or,
    # where damage this heavy leaves its parity group short, the record counted lost: no
    # survivor carries a garbled vector.
    print(f"damaged: {N} records, {count} recovered ({garbled} with flipped bytes), {lost} lost")
    assert "damaged embeddings" in repaired.stdout
    assert garbled == 0
    assert count + lost == N
    found = col.query(query_embeddings=expected[:1], n_results=1)
    assert len(found["ids"][0]) == 1
    col.add(ids=["after-repair"], embeddings=[[0.0] * 16])
    assert col.count() == count + 1


def test_damage_after_kill_9_is_found_by_the_check_on_open(tmp_path: Path) -> None:
    # Killed before any checkpoint: SQLite's own check on the next open is the only evidence.
    path = tmp_path / "data"
    writer = subprocess.Popen(
        [sys.executable, "-m", "tests.integrity.writer", str(path)],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert writer.stdout is not None
    for line in writer.stdout:
        if line.startswith("ACK 40"):
            break
    os.kill(writer.pid, signal.SIGKILL)
    writer.wait()
    assert os.listdir(path / "chroma.sessions"), "the killed writer's session is left behind"
    # The log is folded into the file here so the damage lands on the table's pages.
    with sqlite3.connect(path / "chroma.sqlite3") as conn:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    flip_pages(path / "chroma.sqlite3", share=0.2)
    with pytest.raises(DataIntegrityError, match="after an unclean stop"):
        chromadb.PersistentClient(path=str(path))
    # Not forgotten: the next open checks again.
    with pytest.raises(DataIntegrityError):
        chromadb.PersistentClient(path=str(path))


def test_clean_open_after_kill_9_checks_once(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = tmp_path / "data"
    writer = subprocess.Popen(
        [sys.executable, "-m", "tests.integrity.writer", str(path)],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert writer.stdout is not None
    acked = -1
    for line in writer.stdout:
        acked = int(line.split()[1])
        if acked >= 20:
            break
    os.kill(writer.pid, signal.SIGKILL)
    writer.wait()
    from chromadb.api.client import clear_system_cache

    started = time.perf_counter()
    with caplog.at_level("WARNING", logger="chromadb"):
        client = chromadb.PersistentClient(path=str(path))
    took = time.perf_counter() - started
    assert "not closed cleanly" in caplog.text and "integrity check passed" in caplog.text
    assert client.get_collection("writes").count() >= (acked + 1) * 50
    clear_system_cache()
    caplog.clear()
    with caplog.at_level("WARNING", logger="chromadb"):
        chromadb.PersistentClient(path=str(path))
    assert "not closed cleanly" not in caplog.text  # a clean stop: no check the next time
    print(f"\nopen after kill -9 with the integrity check: {took:.2f} s")


def test_a_flipped_embedding_is_found_and_put_back(whole: Path, tmp_path: Path) -> None:
    path = tmp_path / "data"
    shutil.copytree(whole, path)
    with sqlite3.connect(path / "chroma.sqlite3") as conn:
        label, blob = conn.execute(
            "SELECT label, embedding FROM vectors LIMIT 1 OFFSET 7"
        ).fetchone()
        flipped = bytearray(blob)
        flipped[5] ^= 0x40
        # Written behind the engine's back (as a bad disk would): no log entry, no new vseq.
        conn.execute("UPDATE vectors SET embedding = ? WHERE label = ?", (bytes(flipped), label))
    checked = chroma("check", "--path", str(path))
    assert checked.returncode == 1
    assert "1 embeddings in the database differ" in checked.stdout
    repaired = chroma("repair", "--path", str(path))
    assert repaired.returncode == 0, repaired.stdout
    assert "restored 1 damaged embeddings" in repaired.stdout
    assert "records lost: 0" in repaired.stdout
    with sqlite3.connect(path / "chroma.sqlite3") as conn:
        assert (
            conn.execute("SELECT embedding FROM vectors WHERE label = ?", (label,)).fetchone()[0]
            == blob
        )
