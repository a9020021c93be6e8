"""The REST API, the official Python and JS clients, a node lost mid-ingest and a rebalance, on a real
three-node Ray cluster behind ``chroma run --ray`` (run by ``test_cluster.py`` in a private
network namespace; the tests share one cluster and run in order)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any, Dict, List

import httpx
import numpy as np
import pytest

import chromadb
from chromadb import Schema, SparseVector, SparseVectorIndexConfig
from chromadb.config import Settings
from chromadb.distributed.placement import place, shard_of
from chromadb.execution.expression import K, Knn, Rrf, Search
from tests.compat.expectations import Names, check_scenario

from .plugin import FRONTEND_PORT, REPLICAS, SHARDS, Frontend
from .ray_cluster import RayCluster

DIM = 16
# Records the mid-ingest test got acknowledged: id -> embedding (the catch-up test checks them).
ACKNOWLEDGED: Dict[str, List[float]] = {}


def _client() -> Any:
    return chromadb.HttpClient(host="127.0.0.1", port=FRONTEND_PORT)


@pytest.fixture(scope="module", autouse=True)
def _starts_empty(frontend: Frontend) -> None:
    """The API suite ran first on the same frontend: start from an empty database."""
    chromadb.HttpClient(
        host="127.0.0.1", port=FRONTEND_PORT, settings=Settings(allow_reset=True)
    ).reset()


def _records(n: int, seed: int, prefix: str = "r") -> Dict[str, Any]:
    rng = np.random.default_rng(seed)
    return {
        "ids": [f"{prefix}{i}" for i in range(n)],
        "embeddings": rng.normal(size=(n, DIM)).astype(np.float32),
        "metadatas": [{"group": i % 5, "even": i % 2 == 0} for i in range(n)],
        "documents": [f"document {i} about {'cats' if i % 3 == 0 else 'dogs'}" for i in range(n)],
    }


def _cluster_view(frontend: Frontend) -> Dict[str, Any]:
    answer = httpx.get(f"{frontend.url}/api/v2/cluster", timeout=30)
    assert answer.status_code == 200, answer.text
    return dict(answer.json())


def _wait_replicated(frontend: Frontend, gone: str = "", timeout: float = 180.0) -> Dict[str, Any]:
    deadline = time.monotonic() + timeout
    while True:
        view = _cluster_view(frontend)
        alive = set(view["nodes"])
        if gone in alive:
            assert time.monotonic() < deadline, f"node {gone} still seen alive: {view}"
            time.sleep(1)
            continue
        shards = {slot: view["shards"].get(str(slot), []) for slot in range(SHARDS)}
        if all(len(set(nodes) & alive) >= min(REPLICAS, len(alive)) for nodes in shards.values()):
            return view
        if time.monotonic() > deadline:
            raise AssertionError(f"shards not back to {REPLICAS} replicas: {view}")
        time.sleep(1)


def _as_list(value: Any) -> List[Any]:
    return [list(map(float, row)) for row in value]


def test_api_answers_as_one_engine_would(frontend: Frontend) -> None:
    client = _client()
    data = _records(600, seed=1)
    col = client.create_collection("scatter", metadata={"hnsw:space": "l2"})
    col.add(**data)
    single = chromadb.EphemeralClient().create_collection("scatter", metadata={"hnsw:space": "l2"})
    single.add(**data)
    assert col.count() == 600
    # By ids: the records found, in insertion order as one engine gives them, exactly.
    asked = ["r17", "r3", "r599", "missing", "r250"]
    got = col.get(ids=asked, include=["embeddings", "metadatas", "documents"])
    expected = single.get(ids=asked, include=["embeddings", "metadatas", "documents"])
    assert got["ids"] == expected["ids"] == ["r3", "r17", "r250", "r599"]
    assert _as_list(got["embeddings"]) == _as_list(expected["embeddings"])
    assert got["metadatas"] == expected["metadatas"] and got["documents"] == expected["documents"]
    # Paging lists every record once, in insertion order, as one engine does.
    pages = [col.get(limit=70, offset=o, include=[])["ids"] for o in range(0, 600, 70)]
    assert [i for page in pages for i in page] == data["ids"]
    # Queries, plain and filtered: the same neighbours and distances as one engine (exact here).
    queries = np.random.default_rng(2).normal(size=(5, DIM)).astype(np.float32)
    for where in (None, {"group": 2}, {"$and": [{"even": True}, {"group": {"$in": [1, 3]}}]}):
        ours = col.query(query_embeddings=queries, n_results=7, where=where)
        theirs = single.query(query_embeddings=queries, n_results=7, where=where)
        assert ours["ids"] == theirs["ids"]
        np.testing.assert_allclose(ours["distances"], theirs["distances"], rtol=1e-5, atol=1e-5)
        assert ours["metadatas"] == theirs["metadatas"]
    hits = col.get(where_document={"$contains": "cats"}, include=[])["ids"]
    assert sorted(hits) == sorted(
        single.get(where_document={"$contains": "cats"}, include=[])["ids"]
    )
    # Writes that change records, then the same answers again.
    for target in (col, single):
        target.update(ids=["r1", "r2"], metadatas=[{"group": 9}, {"group": 9}])
        target.upsert(
            ids=["r3", "new"], embeddings=[[0.5] * DIM, [0.25] * DIM], documents=["u", "n"]
        )
        target.delete(where={"group": 4})
    assert col.count() == single.count()
    assert sorted(col.get(where={"group": 9}, include=[])["ids"]) == ["r1", "r2"]
    assert col.get(ids=["new"])["documents"] == ["n"]
    col.modify(name="scatter2", metadata={"kind": "renamed"})
    assert client.get_collection("scatter2").metadata == {"kind": "renamed"}
    client.delete_collection("scatter2")
    assert "scatter2" not in [c.name for c in client.list_collections()]


def _search_records(n: int) -> Dict[str, Any]:
    rng = np.random.default_rng(7)
    metadatas: List[Dict[str, Any]] = []
    for i in range(n):
        meta: Dict[str, Any] = {"group": i % 4}
        if i % 7:  # some records have no sparse vectors
            for key in ("sp", "bm"):
                terms = sorted(rng.choice(30, size=int(rng.integers(1, 6)), replace=False))
                # Quarter steps: several records tie on score, so the tie rule is tested too.
                values = [float(v) for v in rng.integers(1, 8, size=len(terms)) / 4]
                meta[key] = SparseVector(indices=[int(t) for t in terms], values=values)
        metadatas.append(meta)
    return {
        "ids": [f"s{i}" for i in range(n)],
        "embeddings": rng.normal(size=(n, DIM)).astype(np.float32),
        "metadatas": metadatas,
        "documents": [f"doc {i}" for i in range(n)],
    }


@pytest.mark.parametrize("bm25", [False, True], ids=["dot", "bm25"])
def test_search_answers_as_one_engine_would(frontend: Frontend, bm25: bool) -> None:
    """Collection.search through the Ray frontend (dense, sparse or BM25-weighted sparse, Rrf,
    filters, paging) gives one engine's answer on the same records: ids, scores, fields."""

    def schema() -> Schema:
        made = Schema()
        made.create_index(config=SparseVectorIndexConfig(bm25=bm25), key="sp")
        return made

    data = _search_records(400)
    name = f"search-{bm25}".lower()
    ours = _client().create_collection(name, schema=schema(), embedding_function=None)
    single = chromadb.EphemeralClient().create_collection(
        name, schema=schema(), embedding_function=None
    )
    for target in (ours, single):
        for start in range(0, 400, 100):
            target.add(**{k: v[start : start + 100] for k, v in data.items()})
        target.delete(ids=["s5", "s6"])  # deleted records leave BM25's counts too
    dense = [float(x) for x in np.random.default_rng(8).normal(size=DIM)]
    sparse = SparseVector(indices=[1, 4, 9, 17], values=[1.0, 0.5, 2.0, 0.25])
    searches = [
        Search().rank(Knn(query=dense, limit=12)).limit(12).select(K.SCORE, K.DOCUMENT),
        Search().where(K("group") == 2).rank(Knn(query=dense, limit=8)).limit(8),
        Search().rank(Knn(query=sparse, key="sp", limit=15)).limit(15).select(K.SCORE),
        Search()
        .where(K("group") != 1)
        .rank(Knn(query=sparse, key="sp", limit=10))
        .limit(10)
        .select(K.SCORE, K.METADATA),
        Search()
        .rank(
            Rrf(
                [
                    Knn(query=dense, limit=20, return_rank=True, default=20),
                    Knn(query=sparse, key="sp", limit=20, return_rank=True, default=20),
                ],
                k=30,
            )
        )
        .limit(10, offset=3)
        .select(K.SCORE),
        Search().where(K("group") == 3).limit(9, offset=5),
    ]
    got, expected = ours.search(searches), single.search(searches)
    assert got["ids"] == expected["ids"]
    for mine, theirs in zip(got["scores"], expected["scores"]):
        if theirs is None or None in theirs:
            assert mine == theirs
        else:
            np.testing.assert_allclose(mine, theirs, rtol=1e-6, atol=1e-6)
    assert got["documents"] == expected["documents"]
    assert got["metadatas"] == expected["metadatas"]
    _client().delete_collection(name)


def test_a_collection_chooses_its_own_shard_count(frontend: Frontend) -> None:
    client = _client()
    col = client.create_collection("six", configuration={"sharding": {"shards": 6, "replicas": 1}})
    data = _records(120, seed=5)
    col.add(**data)
    assert col.count() == 120
    shards = _cluster_view(frontend)["shards"]
    assert len(shards["4"]) == 1 and len(shards["5"]) == 1  # slots only this collection uses
    assert sorted(col.get(include=[])["ids"]) == sorted(data["ids"])
    client.delete_collection("six")


def test_official_python_client_runs_its_scenario(frontend: Frontend) -> None:
    python = os.environ.get("CHROMA_TEST_THIN_CLIENT")
    if not python:
        pytest.skip("no official thin client was installed for this run")
    env = {k: v for k, v in os.environ.items() if k not in ("VIRTUAL_ENV", "PYTHONPATH")}
    env["ANONYMIZED_TELEMETRY"] = "False"
    scenario = os.path.join(
        os.path.dirname(__file__), "..", "..", "compat", "scenarios", "scenario_py.py"
    )
    out = subprocess.run(
        [python, scenario, frontend.url, "1_5_9"],
        capture_output=True,
        text=True,
        timeout=300,
        env=env,
    )
    assert out.returncode == 0, out.stderr[-3000:]
    lines = [line for line in out.stdout.splitlines() if line.startswith("{")]
    check_scenario(
        json.loads(lines[-1]),
        Names.of("py", "1_5_9"),
        client_version="1.5.9",
        counts_collections=True,
    )


def test_official_js_client_runs_its_scenario(frontend: Frontend) -> None:
    install_dir = os.environ.get("CHROMA_TEST_NPM_CLIENT")
    if not install_dir or shutil.which("node") is None:
        pytest.skip("no official npm client (or no node) for this run")
    scenario = Path(__file__).parents[2] / "compat" / "scenarios" / "scenario_v3.mjs"
    out = subprocess.run(
        ["node", str(scenario), install_dir, frontend.url, "v3_5_0"],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert out.returncode == 0, out.stderr[-3000:]
    lines = [line for line in out.stdout.splitlines() if line.startswith("{")]
    check_scenario(
        json.loads(lines[-1]),
        Names.of("js", "v3_5_0"),
        client_version="3.5.0",
        counts_collections=True,
    )


def test_a_restarted_frontend_finds_its_replicas_and_evens_them_out(
    cluster: RayCluster, frontend: Frontend
) -> None:
    """The frontend stops and starts again on its catalog: it finds every replica again (by
    name, from its layout file), and a write it left on one replica of a shard only (as when
    it dies between two replicas' answers) reaches the other before they serve."""
    col = _client().create_collection("restart")
    data = _records(200, seed=9)
    col.add(ids=data["ids"], embeddings=data["embeddings"], documents=data["documents"])
    nodes = _cluster_view(frontend)["shards"]["0"]
    assert len(nodes) == REPLICAS
    extra = next(f"x{i}" for i in range(1000) if shard_of(f"x{i}", SHARDS) == 0)
    ahead = cluster.actor(f"slot-0@{nodes[0]}")
    seq = int(ray_get(ahead.applied_seq.remote())) + 1
    part = {"ids": [extra], "embeddings": [[0.25] * DIM], "documents": ["half"]}
    ray_get(ahead.call.remote("_add", str(col.id), {**part, "ords": [time.time_ns()], "seq": seq}))
    frontend.restart()
    col = _client().get_collection("restart")
    assert col.count() == 201
    assert sorted(col.get(include=[])["ids"]) == sorted([*data["ids"], extra])
    assert _cluster_view(frontend)["shards"]["0"] == nodes
    for node in nodes:
        replica = cluster.actor(f"slot-0@{node}")
        got = ray_get(replica.call.remote("_get", str(col.id), {"ids": [extra], "include": []}))
        assert got["ids"] == [extra], node
    _client().delete_collection("restart")


def test_losing_a_node_mid_ingest_loses_nothing_acknowledged(
    cluster: RayCluster, frontend: Frontend
) -> None:
    client = _client()
    col = client.create_collection("ingest")
    acknowledged: Dict[str, List[float]] = {}
    failures: List[str] = []
    batches_done = threading.Event()

    def write() -> None:
        for b in range(40):
            data = _records(50, seed=100 + b, prefix=f"b{b}-")
            try:
                col.add(ids=data["ids"], embeddings=data["embeddings"], documents=data["documents"])
            except Exception as exc:  # noqa: BLE001 - an unacknowledged batch may fail
                failures.append(f"batch {b}: {exc}")
                continue
            for rid, vector in zip(data["ids"], data["embeddings"]):
                acknowledged[rid] = [float(x) for x in vector]
            if b == 10:
                batches_done.set()

    writer = threading.Thread(target=write)
    writer.start()
    assert batches_done.wait(300), f"ingest stalled: {failures}\n{frontend.log_tail()}"
    cluster.kill("w1")
    writer.join(600)
    assert not writer.is_alive()
    assert len(acknowledged) >= 30 * 50, f"too few writes acknowledged: {failures}"
    # Every acknowledged record is there, exactly, and queries answer.
    ids = sorted(acknowledged)
    got = col.get(ids=ids, include=["embeddings"])
    assert sorted(got["ids"]) == ids
    for rid, vector in zip(got["ids"], got["embeddings"]):
        assert [float(x) for x in vector] == acknowledged[rid]
    assert col.count() >= len(acknowledged)
    first = acknowledged[ids[0]]
    assert col.query(query_embeddings=[first], n_results=1)["ids"] == [[ids[0]]]
    # The lost replicas are rebuilt on the nodes that are left.
    view = _wait_replicated(frontend, gone="w1")
    assert "w2" in view["nodes"]
    got = col.get(ids=ids, include=[])
    assert sorted(got["ids"]) == ids
    ACKNOWLEDGED.update(acknowledged)


def _placed_as_wanted(view: Dict[str, Any]) -> bool:
    alive = view["nodes"]
    return all(
        sorted(view["shards"].get(str(slot), [])) == sorted(place(f"slot-{slot}", alive, REPLICAS))
        for slot in range(SHARDS)
    )


def test_a_returning_node_catches_up_before_it_serves(
    cluster: RayCluster, frontend: Frontend
) -> None:
    """w1 (SIGKILLed mid-ingest above) starts again under its name: its replicas catch up
    from the journal of a ready replica (only what they missed), then serve; every
    acknowledged record is then on every replica of its shard, exactly."""
    col = _client().get_collection("ingest")
    assert ACKNOWLEDGED, "the mid-ingest test did not run"
    earlier = max([c["n"] for c in _cluster_view(frontend)["catch_ups"]], default=0)
    # While w1 is away: updates in place, deletes, and deleted ids added again (new ordinals).
    ids = sorted(ACKNOWLEDGED)[:60]
    col.update(ids=ids[:20], metadatas=[{"while": "away", "n": i} for i in range(20)])
    col.delete(ids=ids[20:40])
    again = np.full((10, DIM), 0.5, dtype=np.float32)
    col.add(ids=ids[30:40], embeddings=again, documents=["again"] * 10)
    for rid in ids[20:30]:
        del ACKNOWLEDGED[rid]
    for rid in ids[30:40]:
        ACKNOWLEDGED[rid] = [0.5] * DIM
    cluster.start("w1")
    deadline = time.monotonic() + 180
    while True:
        view = _cluster_view(frontend)
        if "w1" in view["nodes"] and _placed_as_wanted(view):
            break
        assert time.monotonic() < deadline, f"w1 not back: {view}\n{frontend.log_tail()}"
        time.sleep(1)
    back = [c for c in view["catch_ups"] if c["node"] == "w1" and c["n"] > earlier]
    w1_slots = [slot for slot in range(SHARDS) if "w1" in view["shards"][str(slot)]]
    assert w1_slots and sorted({c["slot"] for c in back}) == w1_slots, view["catch_ups"]
    for slot in range(SHARDS):
        ids = sorted(i for i in ACKNOWLEDGED if shard_of(i, SHARDS) == slot)
        for node in view["shards"][str(slot)]:
            replica = cluster.actor(f"slot-{slot}@{node}")
            got = ray_get(
                replica.call.remote("_get", str(col.id), {"ids": ids, "include": ["embeddings"]})
            )
            assert sorted(got["ids"]) == ids, (slot, node)
            for rid, vector in zip(got["ids"], got["embeddings"]):
                assert [float(x) for x in vector] == ACKNOWLEDGED[rid], (slot, node, rid)
    # The replicas of each shard hold the same records, in the same order, field for field.
    fields = ["embeddings", "metadatas", "documents", "uris"]
    for slot in range(SHARDS):
        answers = [
            ray_get(
                cluster.actor(f"slot-{slot}@{node}").call.remote(
                    "_get", str(col.id), {"ids": None, "include": fields}
                )
            )
            for node in view["shards"][str(slot)]
        ]
        first = answers[0]
        for other in answers[1:]:
            assert other["ids"] == first["ids"] and other["ords"] == first["ords"], slot
            assert _as_list(other["embeddings"]) == _as_list(first["embeddings"]), slot
            assert other["metadatas"] == first["metadatas"], slot
            assert other["documents"] == first["documents"], slot
    for slot in w1_slots:
        # Incremental: from the last write w1 applied before it was killed, not from zero;
        # only the records changed since are copied, not the whole shard (the bulk before
        # the shard's lock is taken, the rest under it).
        size = _slot_size(cluster, view, slot, str(col.id))
        mine = [c for c in back if c["slot"] == slot]
        assert all(c["since"] > 0 for c in mine) and any(c["locked"] for c in mine), mine
        assert sum(c["copied"] for c in mine) < size and mine[0]["changes"] < size, (mine, size)
    assert col.count() >= len(ACKNOWLEDGED)


def _slot_size(cluster: RayCluster, view: Dict[str, Any], slot: int, cid: str) -> int:
    node = view["shards"][str(slot)][0]
    return int(ray_get(cluster.actor(f"slot-{slot}@{node}").call.remote("_count", cid, {})))


def ray_get(ref: Any) -> Any:
    import ray

    return ray.get(ref, timeout=120)


def test_rebalance_moves_shards_onto_a_new_node(cluster: RayCluster, frontend: Frontend) -> None:
    col = _client().get_collection("ingest")
    before = col.count()
    cluster.start("w3")
    out = subprocess.run(
        [
            str(Path(sys.executable).with_name("chroma")),
            "rebalance",
            "--url",
            frontend.url,
        ],
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert out.returncode == 0, out.stderr[-3000:] + frontend.log_tail()
    view = _cluster_view(frontend)
    alive = view["nodes"]
    for slot in range(SHARDS):
        nodes = view["shards"][str(slot)]
        assert sorted(nodes) == sorted(place(f"slot-{slot}", alive, REPLICAS))
    assert any("w3" in nodes for nodes in view["shards"].values())
    assert col.count() == before
