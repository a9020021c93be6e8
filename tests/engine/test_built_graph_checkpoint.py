"""A folder closed right after a bulk add holds the vectors the graph did not yet have; the
next process to open it builds them into the graph once and saves that, so that the processes
after it (a server's workers, every later start) load the graph instead of building it again."""

from __future__ import annotations

import subprocess
import sys
import textwrap
import time

import numpy as np

import chromadb
from chromadb.engine.index import VectorIndex

N, D = 12_000, 32


def _segment(client, col):
    return client._api._segment(col.id)  # type: ignore[attr-defined]


def test_the_graph_built_after_reopening_is_saved_for_the_next_open(
    tmp_path, fresh_systems
) -> None:
    path = tmp_path / "db"
    # The bulk load in a process of its own that ends right after its add (as a script would).
    script = textwrap.dedent(
        f"""
        import numpy as np, chromadb
        client = chromadb.PersistentClient({str(path)!r})
        col = client.create_collection("bulk", embedding_function=None)
        vectors = np.random.default_rng(0).normal(size=({N}, {D})).astype(np.float32)
        col.add(ids=[f"r{{i}}" for i in range({N})], embeddings=vectors)
        """
    )
    subprocess.run([sys.executable, "-c", script], check=True, timeout=300)

    client = chromadb.PersistentClient(str(path))
    col = client.get_collection("bulk")
    assert col.count() == N
    segment = _segment(client, col)
    folder = segment.index_folder
    saved = VectorIndex.checkpoint_state(folder)
    assert saved is not None and saved[1] < N, "the bulk load ended before its graph was built"

    deadline = time.monotonic() + 240
    while time.monotonic() < deadline:
        state = VectorIndex.checkpoint_state(folder)
        if state is not None and state[1] == N:
            break
        time.sleep(0.2)
    assert VectorIndex.checkpoint_state(folder) == (saved[0], N)

    # A new process (not this one's shared engine) loads the whole graph: nothing to build.
    probe = textwrap.dedent(
        f"""
        import chromadb
        client = chromadb.PersistentClient({str(path)!r})
        col = client.get_collection("bulk")
        got = col.get(ids=["r7"], include=["embeddings"])
        res = col.query(query_embeddings=got["embeddings"], n_results=1)
        print(res["ids"][0][0], client._api._segment(col.id).pending())
        """
    )
    out = subprocess.run(
        [sys.executable, "-c", probe], check=True, timeout=300, capture_output=True, text=True
    )
    assert out.stdout.split() == ["r7", "0"]


def test_a_long_ingest_does_not_rewrite_the_graph_after_every_add(
    tmp_path, fresh_systems, monkeypatch
) -> None:
    """Built-graph checkpoints come at geometrically growing sizes, so an ingest of many adds
    writes the graph a few times, not once per add."""
    from chromadb.engine import segment as segment_module

    monkeypatch.setattr(segment_module, "BUILT_CHECKPOINT_MIN", 500)
    client = chromadb.PersistentClient(str(tmp_path / "db"))
    col = client.create_collection("long", embedding_function=None)
    rng = np.random.default_rng(2)
    folder = None
    seen = set()
    for start in range(0, 20 * 500, 500):
        col.add(
            ids=[f"r{i}" for i in range(start, start + 500)],
            embeddings=rng.normal(size=(500, D)).astype(np.float32),
        )
        col.create_index()  # the graph built: the indexer decides on a checkpoint
        folder = _segment(client, col).index_folder
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and VectorIndex.checkpoint_state(folder) is None:
            time.sleep(0.05)
        time.sleep(0.2)  # the indexer's checkpoint follows its last step
        seen.add(VectorIndex.checkpoint_state(folder))
    assert folder is not None
    written = {s for s in seen if s is not None}
    assert 2 <= len(written) <= 10, sorted(written)


def test_create_index_returns_with_the_built_graph_saved(tmp_path, fresh_systems) -> None:
    """After ``create_index`` the folder holds the graph it built: a reopen loads it instead of
    building it again, and no checkpoint is left running beside the queries that follow."""
    client = chromadb.PersistentClient(str(tmp_path / "db"))
    col = client.create_collection("bulk", embedding_function=None)
    vectors = np.random.default_rng(4).normal(size=(N, D)).astype(np.float32)
    col.add(ids=[f"r{i}" for i in range(N)], embeddings=vectors)
    col.create_index()
    state = VectorIndex.checkpoint_state(_segment(client, col).index_folder)
    assert state is not None and state[1] == N
