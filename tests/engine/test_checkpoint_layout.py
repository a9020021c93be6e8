"""Index checkpoints hold the graph without the vectors (SQLite has them): a reopened collection
answers exactly as before, the older layout (graph with vectors) still opens, and the
checkpoint's checksums and parity find and put back an embedding damaged in SQLite."""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

import faiss
import numpy as np
import pytest

import chromadb
from chromadb.api.client import clear_system_cache
from chromadb.engine import checkpoint, slotsums
from chromadb.engine.checkpoint import CheckpointInfo
from chromadb.engine.index import VectorIndex
from chromadb.engine.integrity import altered_embeddings

N, D = 6_000, 32  # past the exact-search limit: queries go through the graph


def _vectors(n: int = N) -> np.ndarray:
    return np.random.default_rng(5).normal(size=(n, D)).astype(np.float32)


def _build(path: str, space: str) -> tuple[str, Path]:
    """A persistent collection, graph built, updated and deleted in, closed; (id, index
    folder)."""
    client = chromadb.PersistentClient(path)
    col = client.create_collection(
        "layout", embedding_function=None, metadata={"hnsw:space": space}
    )
    col.add(ids=[f"v{i}" for i in range(N)], embeddings=_vectors())
    client._api._segment(col.id).flush()  # type: ignore[attr-defined]
    col.update(ids=["v3"], embeddings=_vectors()[4:5] * 2)  # old slot dead, graph-routed
    col.delete(ids=["v7"])
    clear_system_cache()  # closes the engine: the checkpoint is written
    return str(col.id), Path(path) / "index" / str(col.id)


def _answers(path: str) -> list[list[str]]:
    col = chromadb.PersistentClient(path).get_collection("layout", embedding_function=None)
    return col.query(query_embeddings=_vectors()[:40], n_results=10)["ids"]


def test_graph_only_checkpoint_reopens_to_the_same_answers(tmp_path: Path) -> None:
    for space in ("l2", "cosine"):
        path = str(tmp_path / space)
        try:
            _, folder = _build(path, space)
            info = checkpoint.read_info(str(folder))
            assert info is not None and info.format == checkpoint.FORMAT
            # The graph file keeps the links only (3 bytes each: 2M = 32 at the ground level
            # of M=16), not the vectors.
            (graph,) = folder.glob("*.graph")
            assert graph.stat().st_size < N * 32 * 3 * 1.1
            assert not list(folder.glob("*.faiss"))
            before = _answers(path)
            clear_system_cache()
            assert _answers(path) == before  # reopened from the checkpoint, refilled
            assert "v4" in before[4][:2] and "v7" not in sum(before, [])
        finally:
            clear_system_cache()


def _write_format_2(folder: str, index: VectorIndex, seq: int) -> None:
    """A checkpoint as the previous release wrote it: the graph with its vectors."""
    for name in os.listdir(folder):
        if name != ".lock":
            os.remove(os.path.join(folder, name))
    n, indexed = index.n, index.indexed
    tail = index.vectors_at(np.arange(indexed, n, dtype=np.int64))
    files = {
        f"{seq}.faiss": checkpoint.write_file(
            folder, f"{seq}.faiss", lambda p: faiss.write_index(index.index, p)
        )
    }

    def slots(p: str) -> None:
        with open(p, "wb") as fh:
            np.savez(
                fh,
                rowids=index.rowids[:n],
                alive=index.alive[:n],
                tail=tail,
                seq=np.int64(seq),
                dimension=np.int64(D),
            )

    files[f"{seq}.npz"] = checkpoint.write_file(folder, f"{seq}.npz", slots)
    info = CheckpointInfo(seq, index.count, n, indexed, D, index.params.space, files, format=2)
    checkpoint.write_manifest(folder, info)


def test_a_checkpoint_of_the_older_layout_still_opens(tmp_path: Path) -> None:
    path = str(tmp_path / "old")
    try:
        _, folder = _build(path, "cosine")
        before = _answers(path)
        client = chromadb.PersistentClient(path)
        col = client.get_collection("layout", embedding_function=None)
        segment = client._api._segment(col.id)  # type: ignore[attr-defined]
        index = segment._index_or_none()
        seq = checkpoint.read_info(str(folder)).seq  # type: ignore[union-attr]
        _write_format_2(str(folder), index, seq)
        clear_system_cache()
        assert checkpoint.read_info(str(folder)).format == 2  # type: ignore[union-attr]
        assert _answers(path) == before
        col = chromadb.PersistentClient(path).get_collection("layout", embedding_function=None)
        fresh = np.random.default_rng(99).normal(size=(1, D)).astype(np.float32)
        col.add(ids=["new"], embeddings=fresh)  # writes go on over the old layout
        assert col.query(query_embeddings=fresh, n_results=1)["ids"] == [["new"]]
    finally:
        clear_system_cache()


def test_parity_puts_back_damaged_vectors_one_per_group() -> None:
    rows = _vectors(1_000)
    sums = slotsums.row_sums(rows)
    parity = slotsums.parity([rows[:300], rows[300:]], D)  # graph and tail, as saved
    damaged = rows.copy()
    damaged[10:14] += 1.0  # a run of neighbours (one page): each in its own group
    groups = slotsums.groups_for(len(rows))
    damaged[10 + groups] += 1.0  # a second member of row 10's group
    known = np.ones(len(rows), dtype=np.bool_)
    found = dict(slotsums.restore(damaged, known, sums, parity))
    assert sorted(found) == [10, 11, 12, 13, 10 + groups]
    assert found[10] is None and found[10 + groups] is None
    for slot in (11, 12, 13):
        assert np.array_equal(found[slot], rows[slot])


def test_check_finds_an_embedding_changed_behind_the_engine(tmp_path: Path) -> None:
    path = str(tmp_path / "db")
    try:
        cid, folder = _build(path, "l2")
        with sqlite3.connect(os.path.join(path, "chroma.sqlite3")) as conn:
            label, blob = conn.execute(
                "SELECT r.label, v.embedding FROM records r JOIN vectors v ON v.label = r.label "
                "WHERE r.id = 'v100'"
            ).fetchone()
            bad = bytearray(blob)
            bad[9] ^= 0x10
            conn.execute("UPDATE vectors SET embedding = ? WHERE label = ?", (bytes(bad), label))
            found = altered_embeddings(conn, cid, str(folder))
        assert [lb for lb, _ in found] == [label]
        assert found[0][1] is not None and found[0][1].tobytes() == blob
    finally:
        clear_system_cache()


def test_refill_reads_ranges_in_parallel_past_another_collections_records(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from chromadb.engine import index as index_module

    monkeypatch.setattr(index_module, "REFILL_SPLIT", 100)  # threads even for this size
    path = str(tmp_path / "two")
    vectors = _vectors()
    try:
        client = chromadb.PersistentClient(path)
        a = client.create_collection("first", embedding_function=None)
        b = client.create_collection("second", embedding_function=None)
        for start in range(0, N, 500):  # interleaved: each one's labels have the other's between
            chunk = vectors[start : start + 500]
            a.add(ids=[f"a{i}" for i in range(start, start + 500)], embeddings=chunk)
            b.add(ids=[f"b{i}" for i in range(start, start + 500)], embeddings=-chunk)
        before = a.query(query_embeddings=vectors[:30], n_results=5)["ids"]
        clear_system_cache()
        assert len(list(Path(path).glob("index/*/CURRENT"))) == 2
        a = chromadb.PersistentClient(path).get_collection("first", embedding_function=None)
        assert a.query(query_embeddings=vectors[:30], n_results=5)["ids"] == before
        assert [row[0] for row in before] == [f"a{i}" for i in range(30)]
    finally:
        clear_system_cache()


@pytest.mark.parametrize("other_dimension", [3, D])  # rows of another length, or the same
def test_refill_restores_every_vector_bit_for_bit_past_another_collections_rows(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, other_dimension: int
) -> None:
    from chromadb.engine import index as index_module

    monkeypatch.setattr(index_module, "REFILL_SPLIT", 100)  # threads even for this size
    path = str(tmp_path / "mixed")
    vectors = _vectors(3_000)
    small = np.random.default_rng(6).normal(size=(3_000, other_dimension)).astype(np.float32)
    try:
        client = chromadb.PersistentClient(path)
        a = client.create_collection(
            "wide", embedding_function=None, metadata={"hnsw:space": "cosine"}
        )
        b = client.create_collection("narrow", embedding_function=None)
        for start in range(0, 3_000, 6):  # each read of the refill meets the other's rows
            a.add(ids=[f"a{i}" for i in range(start, start + 6)], embeddings=vectors[start:][:6])
            b.add(ids=[f"b{i}" for i in range(start, start + 6)], embeddings=small[start:][:6])
        a.delete(ids=["a5"])
        index = client._api._segment(a.id)._index_or_none()  # type: ignore[attr-defined]
        slots = np.flatnonzero(index.live_mask())
        held = index.vectors_at(slots)
        labels = index.rowids_at(slots)
        clear_system_cache()
        client = chromadb.PersistentClient(path)
        a = client.get_collection("wide", embedding_function=None)
        reopened = client._api._segment(a.id)._index_or_none()  # type: ignore[attr-defined]
        again = reopened.vectors_at(np.array([reopened.slot(int(lb)) for lb in labels]))
        assert again.tobytes() == held.tobytes()
        got = a.get(ids=["a0", "a5", "a2999"], include=["embeddings"])
        assert got["ids"] == ["a0", "a2999"]
    finally:
        clear_system_cache()
