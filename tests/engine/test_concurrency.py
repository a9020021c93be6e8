"""Many threads writing, deleting and searching one persistent collection while the background
indexer moves vectors into the graph: every answer is well-formed, and the end state agrees
with what was acknowledged, before and after the graph is complete and after a reopen."""

from __future__ import annotations

import threading
from typing import List

import numpy as np

import chromadb
from chromadb.api.client import clear_system_cache

D = 16
WRITERS, BATCHES, BATCH = 3, 6, 400  # 7,200 vectors: past the exact-search limit


def _vector(i: int) -> np.ndarray:
    return np.random.default_rng(i).normal(size=D).astype(np.float32)


def test_concurrent_writes_deletes_and_searches(tmp_path) -> None:
    path = str(tmp_path / "db")
    col = chromadb.PersistentClient(path).create_collection("stress", embedding_function=None)
    errors: List[BaseException] = []
    deleted: List[str] = []
    stop = threading.Event()

    def writer(w: int) -> None:
        try:
            for b in range(BATCHES):
                start = (w * BATCHES + b) * BATCH
                ids = [f"id{i}" for i in range(start, start + BATCH)]
                col.add(
                    ids=ids,
                    embeddings=np.stack([_vector(i) for i in range(start, start + BATCH)]),
                    metadatas=[{"w": w, "i": i} for i in range(start, start + BATCH)],
                )
                col.delete(ids=ids[:10])
                deleted.extend(ids[:10])
        except BaseException as exc:  # reported by the main thread
            errors.append(exc)

    def searcher(s: int) -> None:
        try:
            rng = np.random.default_rng(100 + s)
            while not stop.is_set():
                where = {"w": int(rng.integers(WRITERS))} if s % 2 else None
                res = col.query(query_embeddings=rng.normal(size=D), n_results=5, where=where)
                ids = res["ids"][0]
                assert len(ids) == len(set(ids)) <= 5
                if where is not None:
                    assert all(m["w"] == where["w"] for m in res["metadatas"][0])
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=writer, args=(w,)) for w in range(WRITERS)]
    searchers = [threading.Thread(target=searcher, args=(s,)) for s in range(3)]
    for t in threads + searchers:
        t.start()
    for t in threads:
        t.join()
    stop.set()
    for t in searchers:
        t.join()
    assert not errors, errors

    total = WRITERS * BATCHES * BATCH
    gone = set(deleted)
    assert col.count() == total - len(gone)

    def finds_itself(sample: range) -> None:
        found = tried = 0
        for i in sample:
            res = col.query(query_embeddings=_vector(i), n_results=1, include=["distances"])
            if f"id{i}" in gone:
                assert res["ids"][0][0] != f"id{i}", "a deleted record came back"
            else:
                tried += 1
                found += res["ids"][0][0] == f"id{i}"
        # HNSW is approximate: on these unclustered vectors a rare point is unreachable in the
        # graph (seen: 2 of 7,000), so ask for nearly all, not all.
        assert found >= 0.97 * tried, f"{found} of {tried} records found themselves"

    finds_itself(range(0, total, 97))  # some vectors may still be in the tail
    col.create_index()  # waits until the graph holds every vector
    finds_itself(range(5, total, 89))

    clear_system_cache()  # close (checkpoint) and reopen from disk
    col = chromadb.PersistentClient(path).get_collection("stress", embedding_function=None)
    assert col.count() == total - len(gone)
    finds_itself(range(11, total, 101))
