"""One client used from many threads at once: every write lands, reads never see half a batch,
and concurrent get_or_create calls agree on one collection."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any, List

THREADS = 8
BATCHES = 6
BATCH = 10


def _vector(t: int, b: int, i: int) -> List[float]:
    return [float(t), float(b), float(i), 1.0]


def test_many_threads_writing_and_reading_one_client(client: Any, make_ef: Any) -> None:
    col = client.create_collection("threads", embedding_function=make_ef(4))
    start = threading.Barrier(THREADS)

    def worker(t: int) -> int:
        start.wait(timeout=60)
        seen = 0
        for b in range(BATCHES):
            ids = [f"t{t}-b{b}-{i}" for i in range(BATCH)]
            col.add(
                ids=ids,
                embeddings=[_vector(t, b, i) for i in range(BATCH)],
                metadatas=[{"t": t, "b": b} for _ in ids],
                documents=[f"thread {t} batch {b} item {i}" for i in range(BATCH)],
            )
            col.update(ids=ids[:2], metadatas=[{"updated": True}] * 2)
            # A batch is visible whole or not at all, even while others write.
            for other in range(THREADS):
                got = col.get(where={"$and": [{"t": other}, {"b": 0}]}, include=[])
                assert len(got["ids"]) in (0, BATCH)
            res = col.query(query_embeddings=[_vector(t, b, 3)], n_results=1, include=["distances"])
            assert res["ids"] == [[ids[3]]]
            seen += col.count()
            if b % 2 == 1:
                col.delete(ids=[ids[-1]])
        return seen

    with ThreadPoolExecutor(THREADS) as pool:
        list(pool.map(worker, range(THREADS)))

    expected = {
        f"t{t}-b{b}-{i}"
        for t in range(THREADS)
        for b in range(BATCHES)
        for i in range(BATCH)
        if not (b % 2 == 1 and i == BATCH - 1)
    }
    got = col.get(include=["metadatas"])
    assert set(got["ids"]) == expected
    assert col.count() == len(expected)
    updated = {id_ for id_, m in zip(got["ids"], got["metadatas"]) if m and m.get("updated")}
    assert updated == {
        f"t{t}-b{b}-{i}" for t in range(THREADS) for b in range(BATCHES) for i in (0, 1)
    }


def test_concurrent_get_or_create_returns_one_collection(client: Any, make_ef: Any) -> None:
    start = threading.Barrier(THREADS)

    def worker(_: int) -> Any:
        start.wait(timeout=60)
        return client.get_or_create_collection("raced", embedding_function=make_ef(4)).id

    with ThreadPoolExecutor(THREADS) as pool:
        ids = set(pool.map(worker, range(THREADS)))
    assert len(ids) == 1
    assert client.count_collections() == 1


def test_readers_during_a_large_write(client: Any, make_ef: Any) -> None:
    col = client.create_collection("big-write", embedding_function=make_ef(4))
    col.add(ids=["seed"], embeddings=[[0.0, 0.0, 0.0, 0.0]])
    done = threading.Event()
    counts: List[int] = []

    def reader() -> None:
        while not done.is_set():
            counts.append(col.count())

    readers = [threading.Thread(target=reader) for _ in range(3)]
    for r in readers:
        r.start()
    try:
        col.add(
            ids=[f"w{i}" for i in range(3000)],
            embeddings=[[float(i), 1.0, 2.0, 3.0] for i in range(3000)],
        )
    finally:
        done.set()
        for r in readers:
            r.join(timeout=60)
    # Readers saw the collection before or after the batch, never in between.
    assert set(counts) <= {1, 3001}
    assert col.count() == 3001
