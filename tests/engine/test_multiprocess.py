"""Several processes on one data folder: each sees every write another committed before its call
began (records, vectors, metadata filters, document filters, the catalog, reset), and clients on
the same folder in one process share one engine.

The peer is a real second process (tests/helpers/peer.py) driven over a pipe.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any, Dict, Iterator, Optional

import pytest

import chromadb
from chromadb.api import API
from chromadb.api.client import clear_system_cache
from chromadb.config import Settings, System
from chromadb.engine.store import Store
from chromadb.errors import FolderInUseError, NotFoundError

PEER = Path(__file__).parent.parent / "helpers" / "peer.py"

pytestmark = [
    pytest.mark.skipif(sys.platform == "win32", reason="one process per folder on Windows"),
    pytest.mark.usefixtures("fresh_systems"),
]


class Peer:
    """The other process: ``call`` runs a client (or collection) method there."""

    def __init__(self, path: Path) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, str(PEER), str(path)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        assert self._answer() == "ready"

    def _answer(self) -> Any:
        assert self.proc.stdout is not None
        line = self.proc.stdout.readline()
        assert line, f"peer exited ({self.proc.poll()})"
        answer: Dict[str, Any] = json.loads(line)
        if "error" in answer:
            raise AssertionError(f"peer raised {answer['error']}: {answer['message']}")
        return answer["ok"]

    def call(self, call: str, collection: Optional[str] = None, **args: Any) -> Any:
        assert self.proc.stdin is not None
        command = {"call": call, "collection": collection, "args": args}
        self.proc.stdin.write(json.dumps(command) + "\n")
        self.proc.stdin.flush()
        return self._answer()

    def close(self) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.close()
        self.proc.wait(timeout=60)


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    return tmp_path / "shared"


@pytest.fixture
def peer(folder: Path) -> Iterator[Peer]:
    folder.mkdir()
    p = Peer(folder)
    try:
        yield p
    finally:
        p.close()


def _client(folder: Path) -> Any:
    return chromadb.PersistentClient(path=str(folder), settings=Settings(allow_reset=True))


def _vec(i: int) -> list[float]:
    return [float(i), float(i % 7), 1.0]


def test_each_process_sees_the_others_writes(folder: Path, peer: Peer) -> None:
    client = _client(folder)
    col = client.create_collection("shared", embedding_function=None)
    col.add(ids=["a", "b"], embeddings=[_vec(1), _vec(2)], documents=["apple pie", "bread"])
    # A query loads our index now, so what follows must reach it by catching up.
    assert col.query(query_embeddings=[_vec(2)], n_results=1)["ids"] == [["b"]]

    assert peer.call("count", "shared") == 2
    assert peer.call("query", "shared", query_embeddings=[_vec(1)], n_results=1)["ids"] == [["a"]]
    peer.call(
        "add",
        "shared",
        ids=["c", "d"],
        embeddings=[_vec(30), _vec(40)],
        metadatas=[{"kind": "peer"}, {"kind": "peer"}],
        documents=["cherry tart", "dough"],
    )
    assert col.query(query_embeddings=[_vec(30)], n_results=1)["ids"] == [["c"]]
    assert sorted(col.get(where={"kind": "peer"})["ids"]) == ["c", "d"]
    assert col.get(where_document={"$contains": "cherry"})["ids"] == ["c"]

    peer.call("update", "shared", ids=["c"], metadatas=[{"kind": "moved"}])
    assert col.get(where={"kind": "peer"})["ids"] == ["d"]
    found = col.query(query_embeddings=[_vec(30)], n_results=1, where={"kind": "moved"})
    assert found["ids"] == [["c"]]

    peer.call("upsert", "shared", ids=["a"], embeddings=[_vec(50)], metadatas=[{"kind": "peer"}])
    assert col.query(query_embeddings=[_vec(50)], n_results=1)["ids"] == [["a"]]
    assert sorted(col.get(where={"kind": "peer"})["ids"]) == ["a", "d"]

    peer.call("delete", "shared", ids=["d"])
    assert "d" not in col.query(query_embeddings=[_vec(40)], n_results=4)["ids"][0]
    assert col.count() == 3

    # And the other way round, for writes the peer's caches already hold.
    col.delete(ids=["c"])
    col.add(ids=["e"], embeddings=[_vec(60)], metadatas=[{"kind": "peer"}])
    assert peer.call("query", "shared", query_embeddings=[_vec(30)], n_results=3)["ids"] == [
        ["a", "b", "e"]
    ]
    assert sorted(peer.call("get", "shared", where={"kind": "peer"})["ids"]) == ["a", "e"]


def test_a_collection_deleted_elsewhere_is_gone_here(folder: Path, peer: Peer) -> None:
    client = _client(folder)
    col = client.create_collection("doomed", embedding_function=None)
    col.add(ids=["a"], embeddings=[_vec(1)])
    assert col.query(query_embeddings=[_vec(1)], n_results=1)["ids"] == [["a"]]
    peer.call("delete_collection", name="doomed")
    with pytest.raises(NotFoundError):
        col.query(query_embeddings=[_vec(1)], n_results=1)
    with pytest.raises(NotFoundError):
        col.add(ids=["b"], embeddings=[_vec(2)])
    again = client.create_collection("doomed", embedding_function=None)
    again.add(ids=["b"], embeddings=[_vec(2)])
    assert peer.call("get", "doomed")["ids"] == ["b"]
    clear_system_cache()  # closing saves checkpoints, but none for a collection that is gone
    assert not (folder / "index" / str(col.id)).exists()


def test_reset_by_another_process(folder: Path, peer: Peer) -> None:
    client = _client(folder)
    col = client.create_collection("before", embedding_function=None)
    col.add(ids=["a"], embeddings=[_vec(1)])
    peer.call("reset")
    assert client.list_collections() == []
    with pytest.raises(NotFoundError):
        col.count()
    after = client.create_collection("after", embedding_function=None)
    after.add(ids=["b"], embeddings=[_vec(2)])
    assert peer.call("count", "after") == 1


def test_catch_up_after_another_process_checkpointed(folder: Path, peer: Peer) -> None:
    """A checkpoint prunes the deletions it holds from the log: a process whose index is older
    than that checkpoint reloads it instead of missing the deletions."""
    client = _client(folder)
    col = client.create_collection("pruned", embedding_function=None)
    col.add(ids=[str(i) for i in range(50)], embeddings=[_vec(i) for i in range(50)])
    assert col.query(query_embeddings=[_vec(7)], n_results=1)["ids"] == [["7"]]
    peer.call("delete", "pruned", ids=["7"])
    peer.call("checkpoint", "pruned")
    assert client._api.store.query("SELECT count(*) FROM deletions")[0][0] == 0
    assert col.query(query_embeddings=[_vec(7)], n_results=1)["ids"] != [["7"]]
    assert col.count() == 49
    peer.call("add", "pruned", ids=["new"], embeddings=[_vec(70)])
    assert col.query(query_embeddings=[_vec(70)], n_results=1)["ids"] == [["new"]]


def test_clients_on_one_folder_in_one_process_share_an_engine(folder: Path) -> None:
    settings = Settings(is_persistent=True, persist_directory=str(folder), allow_reset=True)
    first, second = System(settings), System(settings.model_copy())
    one, two = first.instance(API), second.instance(API)
    first.start()
    second.start()
    try:
        assert one.store is two.store  # type: ignore[attr-defined]
        model = one.create_collection("together")
        one._add(model.id, ["a"], [[1.0, 2.0]])
        assert two._count(model.id) == 1
        first.stop()
        assert two._count(model.id) == 1  # the folder stays open for the other
    finally:
        second.stop()
    seed = chromadb.Client(Settings(chroma_db_impl="duckdb+parquet", persist_directory=str(folder)))
    assert seed.get_collection("together").count() == 1


def test_maintenance_needs_the_folder_alone(folder: Path) -> None:
    client = _client(folder)
    client.heartbeat()
    with pytest.raises(FolderInUseError, match="in use"):
        Store(str(folder), exclusive=True)
    clear_system_cache()
    alone = Store(str(folder), exclusive=True)
    try:
        with pytest.raises(FolderInUseError, match="maintenance"):
            _client(folder).heartbeat()
    finally:
        alone.close()


def test_a_call_when_nothing_changed_reads_the_log_once(folder: Path) -> None:
    client = _client(folder)
    col = client.create_collection("quiet", embedding_function=None)
    col.add(ids=["a", "b"], embeddings=[_vec(1), _vec(2)], metadatas=[{"k": 1}, {"k": 2}])
    col.query(query_embeddings=[_vec(1)], n_results=1, where={"k": 1})  # caches loaded
    statements: list[str] = []
    with client._api.store.read() as conn:  # this thread's reader: the one calls use here
        conn.set_trace_callback(statements.append)
    try:
        assert col.query(query_embeddings=[_vec(1)], n_results=1, where={"k": 1})["ids"] == [["a"]]
    finally:
        with client._api.store.read() as conn:
            conn.set_trace_callback(None)
    log_reads = [s for s in statements if "records" not in s]
    assert log_reads == ["SELECT seq FROM sequence WHERE id = 0"]
