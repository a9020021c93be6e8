"""Many clients reading and writing at once get correct answers: a bounded load test against a
real ``chroma run`` server on 127.0.0.1 (8 clients, a few hundred requests)."""

from __future__ import annotations

import uuid
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Dict, List

import chromadb
from chromadb.config import Settings

CLIENTS = 8
BATCHES = 8
PER_BATCH = 10
DIM = 6


def _vector(client: int, batch: int, k: int) -> List[float]:
    # Distinct, exactly representable vectors, so nearest-neighbour answers are exact.
    return [float(client), float(batch), float(k), 1.0, float(client * 100 + batch), float(k % 3)]


def _record_id(client: int, batch: int, k: int) -> str:
    return f"c{client}-b{batch}-k{k}"


def _new_client(server: Any, number: int) -> Any:
    # A header of its own gives each client its own connection pool (clients with equal
    # settings share one), so the server sees CLIENTS independent connections.
    return chromadb.HttpClient(
        host=server.host, port=server.port, headers={"X-Load-Client": str(number)}
    )


def _work(server: Any, name: str, number: int) -> Dict[str, List[float]]:
    """One client's session: write batches, read its own writes back, query, update, delete.
    Returns the records it expects to remain."""
    collection = _new_client(server, number).get_collection(name, embedding_function=None)
    kept: Dict[str, List[float]] = {}
    for batch in range(BATCHES):
        ids = [_record_id(number, batch, k) for k in range(PER_BATCH)]
        vectors = [_vector(number, batch, k) for k in range(PER_BATCH)]
        collection.add(
            ids=ids,
            embeddings=vectors,
            metadatas=[{"client": number, "batch": batch, "k": k} for k in range(PER_BATCH)],
            documents=[f"client {number} batch {batch} item {k}" for k in range(PER_BATCH)],
        )
        got = collection.get(ids=ids, include=["embeddings", "metadatas"])
        assert got["ids"] == ids
        assert [
            list(e) for e in (got["embeddings"] if got["embeddings"] is not None else [])
        ] == vectors
        probe = PER_BATCH // 2
        found = collection.query(
            query_embeddings=[vectors[probe]], n_results=1, where={"client": number}
        )
        assert found["ids"] == [[ids[probe]]]
        collection.update(ids=[ids[0]], metadatas=[{"updated": True}])
        assert collection.get(ids=[ids[0]])["metadatas"] == [
            {"client": number, "batch": batch, "k": 0, "updated": True}
        ]
        collection.delete(ids=[ids[-1]])
        kept.update(zip(ids[:-1], vectors[:-1]))
        mine = collection.get(where={"client": number}, include=[])
        assert sorted(mine["ids"]) == sorted(kept)
    return kept


def test_concurrent_clients_get_correct_answers(http_server: Any) -> None:
    name = f"load-{uuid.uuid4().hex[:10]}"
    admin = chromadb.HttpClient(host=http_server.host, port=http_server.port, settings=Settings())
    admin.create_collection(name, embedding_function=None)
    with ThreadPoolExecutor(max_workers=CLIENTS) as pool:
        futures = [pool.submit(_work, http_server, name, n) for n in range(CLIENTS)]
        expected: Dict[str, List[float]] = {}
        for future in futures:
            expected.update(future.result(timeout=300))

    collection = admin.get_collection(name, embedding_function=None)
    assert collection.count() == CLIENTS * BATCHES * (PER_BATCH - 1)
    everything = collection.get(include=["embeddings", "metadatas"])
    stored = {
        i: list(e)
        for i, e in zip(
            everything["ids"],
            (everything["embeddings"] if everything["embeddings"] is not None else []),
        )
    }
    assert stored == expected
    updated = collection.get(where={"updated": True}, include=[])
    assert len(updated["ids"]) == CLIENTS * BATCHES
    admin.delete_collection(name)
