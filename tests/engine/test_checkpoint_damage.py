"""A damaged index checkpoint is never searched: every checkpoint file carries a checksum that is
verified on open, and damage means a rebuild from SQLite with a warning, then correct answers.
The manifest alone tells what a checkpoint claims to hold (sequence, record count)."""

from __future__ import annotations

import json
import logging
import os
from pathlib import Path
from typing import Callable

import numpy as np
import pytest

import chromadb
from chromadb.api.client import clear_system_cache
from chromadb.engine import checkpoint
from chromadb.engine.index import IndexParams, VectorIndex

pytestmark = pytest.mark.usefixtures("fresh_systems")

N, D = 6_000, 32  # past the exact-search limit: queries go through the graph


def _vectors() -> np.ndarray:
    return np.random.default_rng(11).normal(size=(N, D)).astype(np.float32)


def _build(path: str) -> Path:
    """A persistent collection with its graph built and checkpointed; returns its index folder."""
    client = chromadb.PersistentClient(path)
    col = client.create_collection("damaged", embedding_function=None)
    col.add(ids=[f"v{i}" for i in range(N)], embeddings=_vectors())
    segment = client._api._segment(col.id)  # type: ignore[attr-defined]
    segment.flush()
    folder = Path(path) / "index" / str(col.id)
    clear_system_cache()  # closes the engine: the checkpoint is written
    return folder


def _flip_tail_of(name_suffix: str) -> Callable[[Path], None]:
    def damage(folder: Path) -> None:
        (target,) = [p for p in folder.iterdir() if p.name.endswith(name_suffix)]
        data = bytearray(target.read_bytes())
        rng = np.random.default_rng(0)
        start = int(len(data) * 0.7)  # the last 30%, as the torture run did
        for pos in rng.integers(start, len(data), size=200):
            data[pos] ^= 0xFF
        target.write_bytes(bytes(data))

    return damage


def _truncate_graph(folder: Path) -> None:
    (target,) = folder.glob("*.graph")
    target.write_bytes(target.read_bytes()[:-100])


def _edit_manifest(folder: Path) -> None:
    manifest = folder / "CURRENT"
    doc = json.loads(manifest.read_text())
    doc["count"] += 1
    manifest.write_text(json.dumps(doc))


def _old_format_manifest(folder: Path) -> None:
    manifest = folder / "CURRENT"
    manifest.write_text(str(json.loads(manifest.read_text())["seq"]))


@pytest.mark.parametrize(
    "damage",
    [
        pytest.param(_flip_tail_of(".graph"), id="graph-last-30%"),
        pytest.param(_flip_tail_of(".npz"), id="slot-map-last-30%"),
        pytest.param(_truncate_graph, id="graph-truncated"),
        pytest.param(_edit_manifest, id="manifest-edited"),
        pytest.param(_old_format_manifest, id="manifest-without-checksums"),
    ],
)
def test_damaged_checkpoint_is_rebuilt_with_a_warning(
    tmp_path, caplog: pytest.LogCaptureFixture, damage: Callable[[Path], None]
) -> None:
    path = str(tmp_path / "db")
    folder = _build(path)
    damage(folder)
    vectors = _vectors()
    caplog.set_level(logging.WARNING, logger="chromadb")
    col = chromadb.PersistentClient(path).get_collection("damaged", embedding_function=None)
    picks = [0, 1234, 4321, N - 1]
    res = col.query(query_embeddings=vectors[picks], n_results=5, include=["distances"])
    assert [r[0] for r in res["ids"]] == [f"v{i}" for i in picks]
    assert max(r[0] for r in res["distances"]) < 1e-4
    others = vectors[[7, 8]] + 0.01
    got = col.query(query_embeddings=others, n_results=3, include=["distances"])
    true = ((vectors[[7, 8]] - others) ** 2).sum(1)
    np.testing.assert_allclose([r[0] for r in got["distances"]], true, rtol=1e-3)
    assert col.count() == N
    warned = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert any("checkpoint" in r.getMessage() and "rebuilding" in r.getMessage() for r in warned)


def test_intact_checkpoint_opens_without_a_warning(tmp_path, caplog) -> None:
    path = str(tmp_path / "db")
    _build(path)
    caplog.set_level(logging.WARNING, logger="chromadb")
    col = chromadb.PersistentClient(path).get_collection("damaged", embedding_function=None)
    res = col.query(query_embeddings=_vectors()[:1], n_results=1)
    assert res["ids"] == [["v0"]]
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING]


def test_manifest_tells_sequence_and_count_without_the_big_files(tmp_path) -> None:
    index = VectorIndex(IndexParams(D, "l2"))
    index.add(np.arange(1, 101, dtype=np.int64), _vectors()[:100])
    index.flush(60)
    index.remove([3, 4])
    index.save(str(tmp_path), seq=77)
    for name in os.listdir(tmp_path):
        if name != "CURRENT":
            os.remove(tmp_path / name)
    info = checkpoint.read_info(str(tmp_path))
    assert info is not None
    assert (info.seq, info.count, info.slots, info.indexed) == (77, 98, 100, 60)
    with pytest.raises(checkpoint.CheckpointDamaged, match="missing"):
        checkpoint.verify(str(tmp_path), info)
    assert checkpoint.read_info(str(tmp_path / "nothing-here")) is None
