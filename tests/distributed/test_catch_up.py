"""A replica that missed writes catches up from another's journal, without Ray: two (three)
real replicas (our engine on folders of their own), writes applied as the frontend applies
them, then only to one; after the catch-up both hold the same records, in the same order."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any, Dict, List

import numpy as np
import pytest

from chromadb.distributed.shard import ShardReplica

DIM = 4
FIELDS = ["embeddings", "metadatas", "documents", "uris"]


class Writer:
    """Hands out sequence numbers and insertion ordinals as the frontend does."""

    def __init__(self) -> None:
        self.seq = 0
        self.ord = 0

    def write(self, replicas: List[ShardReplica], method: str, cid: str, **kw: Any) -> None:
        self.seq += 1
        if method in ("_add", "_upsert"):
            kw["ords"] = list(range(self.ord + 1, self.ord + 1 + len(kw["ids"])))
            self.ord += len(kw["ids"])
        for replica in replicas:
            replica.call(method, cid, {**kw, "seq": self.seq})


def _vectors(n: int, seed: int) -> np.ndarray:
    return np.random.default_rng(seed).normal(size=(n, DIM)).astype(np.float32)


def _content(replica: ShardReplica, cid: str) -> Dict[str, Any]:
    got = replica.call("_get", cid, {"ids": None, "include": FIELDS})
    return {
        "ids": got["ids"],
        "ords": got["ords"],
        "embeddings": [list(map(float, e)) for e in got["embeddings"]],
        "metadatas": got["metadatas"],
        "documents": got["documents"],
        "uris": got["uris"],
    }


@pytest.fixture
def replicas(tmp_path: Path) -> Any:
    made = [ShardReplica(str(tmp_path / name)) for name in ("a", "b", "c")]
    yield made
    for replica in made:
        replica.stop()


def test_a_replica_that_missed_writes_catches_up_incrementally(replicas: Any) -> None:
    a, b, c = replicas
    cid, gone = str(uuid.uuid4()), str(uuid.uuid4())
    members = [(cid, {"topic": "t"}, None)]
    for replica in (a, b):
        replica.ensure(cid, None, None)
        replica.ensure(gone, None, None)
    w = Writer()
    ids = [f"r{i}" for i in range(60)]
    meta = [{"k": i, "drop": True} for i in range(60)]
    w.write([a, b], "_add", cid, ids=ids, embeddings=_vectors(60, 1), metadatas=meta,
            documents=[f"d{i}" for i in range(60)], uris=None)  # fmt: skip
    # b is away from here on: updates in place (a key removed), deletes, a deleted id added
    # again (a new ordinal), upserts of old and new ids; a collection dropped meanwhile.
    w.write([a], "_update", cid, ids=ids[:10], embeddings=None,
            metadatas=[{"k": -1, "drop": None}] * 10, documents=None, uris=None)  # fmt: skip
    w.write([a], "_delete", cid, ids=ids[10:20], where=None, where_document=None)
    w.write([a], "_add", cid, ids=["r12", "new1"], embeddings=_vectors(2, 2),
            metadatas=None, documents=["again", "new"], uris=["u1", None])  # fmt: skip
    w.write([a], "_upsert", cid, ids=["r30", "new2"], embeddings=_vectors(2, 3),
            metadatas=[{"up": 1}, None], documents=None, uris=None)  # fmt: skip
    w.write([a], "_delete", cid, ids=None, where={"k": {"$gte": 50}}, where_document=None)
    a.drop(gone)
    a.modify(cid, {"topic": "t"})

    stats = b.catch_up(a, members)
    assert stats["since"] == 1 and stats["upto"] == w.seq
    assert stats["copied"] == 3  # r12 (new ordinal), new1, new2; nothing else moved
    assert stats["updated"] == 11  # r0..r9 and r30, in place
    assert stats["deleted"] == 10 + 10  # r10..r19 (r12 to be added again), and k >= 50
    assert _content(b, cid) == _content(a, cid)
    assert b.collections() == [cid] and b.applied_seq() == a.applied_seq()

    # A replica with nothing copies everything; then, caught up, nothing more.
    c.catch_up(a, members)
    assert _content(c, cid) == _content(a, cid)
    again = b.catch_up(a, members)
    assert again["changes"] == 0 and again["copied"] == 0
    # The caught-up replica serves as a source in turn: a later write reaches it alone.
    w.write([b], "_delete", cid, ids=["new1"], where=None, where_document=None)
    a.catch_up(b, members)
    assert _content(a, cid) == _content(b, cid)
    assert "new1" not in _content(a, cid)["ids"]
