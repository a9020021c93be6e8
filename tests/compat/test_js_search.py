"""The official npm `chromadb` 3.x client's Search API, unmodified, against our server.

The test fills a collection on our server with random records, the 3.x client
builds each search with its own builders (scenarios/search_v3.mjs) and sends it
through ``collection.search``. Every answer is compared with our Python engine's
answer to the same search (built with our Python builders, run embedded on the
same records) and every ranking with a brute-force numpy reference: squared L2
for the dense key, ``1 - dot`` for the sparse key ``sp``, RRF by its formula.
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import chromadb
from chromadb import K, Knn, Rrf, Schema, Search, SparseVector, SparseVectorIndexConfig
from chromadb.execution.expression import GroupBy, MaxK, MinK

from . import installers
from .harness import RunningServer, reset_server, run_scenario

pytestmark = pytest.mark.compat

VERSION = "3.5.0"
SCENARIO = Path(__file__).parent / "scenarios" / "search_v3.mjs"
N, DIM = 90, 6
CATS = ("a", "b", "c")
COLOURS = ("red", "green", "blue", "amber", "grey")
SOME_IDS = ["r007", "r011", "r042"]
VOCAB = 12
SPARSE_QUERY = {"indices": [2, 5, 7], "values": [1.0, 0.5, 2.0]}
OTHER_SPACES = ("cosine", "ip")


class Data:
    """Random records (float32 embeddings, as stored) and two query vectors."""

    def __init__(self) -> None:
        rng = np.random.default_rng(13)
        self.emb = rng.standard_normal((N, DIM)).astype(np.float32)
        self.ids = [f"r{i:03d}" for i in range(N)]
        self.metas: list[dict[str, Any]] = [
            {"cat": CATS[i % 3], "n": i, "w": round(float(rng.random()), 4)} for i in range(N)
        ]
        self.docs = [f"record {i} is {COLOURS[(i * 7) % 5]}" for i in range(N)]
        # Sparse vectors (values in quarters, exact in float32) on about four records in five.
        self.sparse: list[dict[str, list[Any]] | None] = []
        for _ in range(N):
            if rng.random() < 0.2:
                self.sparse.append(None)
                continue
            indices = sorted(int(x) for x in rng.choice(VOCAB, size=3, replace=False))
            self.sparse.append(
                {"indices": indices, "values": [int(v) / 4 for v in rng.integers(1, 9, size=3)]}
            )
        q = rng.standard_normal((2, DIM)).astype(np.float32)
        self.queries = {"q1": q[0].tolist(), "q2": q[1].tolist()}

    def distances(self, name: str, space: str = "l2") -> np.ndarray:
        """From every record to a query: squared L2 (the default space), 1 - cosine, 1 - dot."""
        emb = self.emb.astype(np.float64)
        q = np.asarray(self.queries[name], dtype=np.float64)
        if space == "ip":
            return 1.0 - emb @ q
        if space == "cosine":
            return 1.0 - (emb @ q) / (np.linalg.norm(emb, axis=1) * np.linalg.norm(q))
        diff = emb - q
        return np.einsum("ij,ij->i", diff, diff)

    def nearest(
        self, name: str, limit: int, keep: Callable[[int], bool] = lambda i: True, space: str = "l2"
    ) -> list[int]:
        order = np.argsort(self.distances(name, space), kind="stable")
        return [int(i) for i in order if keep(int(i))][:limit]

    def sparse_nearest(self, limit: int, keep: Callable[[int], bool] = lambda i: True) -> list[int]:
        """Records sharing a term with the sparse query, by ``1 - dot`` then id."""
        scored = [(self.sparse_score(i), self.ids[i], i) for i in range(N) if keep(i)]
        return [i for score, _, i in sorted(x for x in scored if x[0] is not None)][:limit]

    def sparse_score(self, i: int) -> float | None:
        vector = self.sparse[i]
        q = dict(zip(SPARSE_QUERY["indices"], SPARSE_QUERY["values"]))
        if vector is None or not set(vector["indices"]) & set(q):
            return None
        return 1.0 - sum(v * q.get(j, 0.0) for j, v in zip(vector["indices"], vector["values"]))

    def wire_meta(self, i: int) -> dict[str, Any]:
        """Record i's metadata as the 3.x client reads it back."""
        vector = self.sparse[i]
        return self.metas[i] if vector is None else {**self.metas[i], "sp": vector}

    def fill(self, collection: Any) -> None:
        metas = [
            m if v is None else {**m, "sp": SparseVector(indices=v["indices"], values=v["values"])}
            for m, v in zip(self.metas, self.sparse)
        ]
        collection.add(
            ids=self.ids, embeddings=self.emb.tolist(), metadatas=metas, documents=self.docs
        )


def sparse_schema() -> Schema:
    schema = Schema()
    schema.create_index(config=SparseVectorIndexConfig(), key="sp")
    return schema


def python_searches(data: Data) -> dict[str, Search]:
    """The scenario's searches, built with our Python builders."""
    q1, q2 = data.queries["q1"], data.queries["q2"]
    return {
        "knn": Search()
        .rank(Knn(query=q1, limit=20))
        .limit(10)
        .select(K.DOCUMENT, K.SCORE, K.METADATA),
        "where_offset": Search()
        .where((K("cat") == "a") & (K("n") >= 10))
        .rank(Knn(query=q1, limit=200))
        .limit(5, offset=3)
        .select(K.SCORE),
        "where_document_or_ids": Search(
            where=K.DOCUMENT.contains("red") | K.ID.is_in(SOME_IDS),
            limit=6,
            select=[K.DOCUMENT.name],
        ),
        "select_keys": Search().rank(Knn(query=q2, limit=5)).select(K.EMBEDDING, "cat", K.ID),
        "rrf": Search()
        .rank(
            Rrf(
                ranks=[
                    Knn(query=q1, limit=30, return_rank=True, default=1000),
                    Knn(query=q2, limit=30, return_rank=True, default=1000),
                ],
                k=60,
                weights=[2, 1],
                normalize=True,
            )
        )
        .limit(10)
        .select(K.SCORE),
        "group_min_k": Search()
        .rank(Knn(query=q1, limit=40))
        .group_by(GroupBy(keys=[K("cat")], aggregate=MinK(keys=[K.SCORE], k=2)))
        .limit(6)
        .select(K.SCORE, "cat"),
        "group_max_k": Search()
        .rank(Knn(query=q2, limit=40))
        .group_by(GroupBy(keys=[K("cat")], aggregate=MaxK(keys=[K("n")], k=1)))
        .select(K.SCORE, K.METADATA),
        "string_query": Search().rank(Knn(query=q1, limit=20)).limit(10).select(K.SCORE),
        "sparse_knn": Search()
        .rank(Knn(query=SparseVector(**SPARSE_QUERY), key="sp", limit=15))
        .limit(12)
        .select(K.SCORE, K.METADATA),
        "hybrid_rrf": Search()
        .where(K("n") < 80)
        .rank(
            Rrf(
                ranks=[
                    Knn(query=q1, limit=25, return_rank=True, default=100),
                    Knn(
                        query=SparseVector(**SPARSE_QUERY),
                        key="sp",
                        limit=25,
                        return_rank=True,
                        default=100,
                    ),
                ],
                weights=[1, 2],
            )
        )
        .limit(10)
        .select(K.SCORE),
    }


@pytest.fixture(scope="module")
def scenario(
    compat_server: RunningServer, tmp_path_factory: pytest.TempPathFactory
) -> dict[str, Any]:
    """Run the 3.x client's searches once; the tests below read its answers."""
    if shutil.which("node") is None or shutil.which("npm") is None:
        pytest.skip("node/npm not on PATH")
    try:
        install_dir = installers.npm_client(VERSION)
    except installers.RegistryUnreachable as exc:
        pytest.skip(f"npm registry unreachable: {exc}")
    reset_server(compat_server)
    data = Data()
    host, port = compat_server.url.removeprefix("http://").split(":")
    remote = chromadb.HttpClient(host=host, port=int(port))
    data.fill(remote.create_collection("js_search_v3", schema=sparse_schema()))
    spaces = {space: f"js_search_v3_{space}" for space in OTHER_SPACES}
    for space, name in spaces.items():
        data.fill(remote.create_collection(name, metadata={"hnsw:space": space}))
    folder = tmp_path_factory.mktemp("js-search")
    plan = folder / "plan.json"
    plan.write_text(
        json.dumps(
            {
                "collection": "js_search_v3",
                "writes_collection": "js_search_v3_writes",
                "queries": data.queries,
                "sparse_query": SPARSE_QUERY,
                "some_ids": SOME_IDS,
                "space_collections": spaces,
            }
        )
    )
    mark = compat_server.log_mark()
    out = run_scenario(
        ["node", str(SCENARIO), str(install_dir), compat_server.url, str(plan)],
        env=dict(os.environ),
        server=compat_server,
    )
    local = chromadb.PersistentClient(path=str(folder / "engine"))
    collection = local.create_collection("js_search_v3", schema=sparse_schema())
    data.fill(collection)
    engine = {name: collection.search(s) for name, s in python_searches(data).items()}
    return {
        "out": out,
        "data": data,
        "engine": engine,
        "requests": compat_server.requests_since(mark),
    }


def _case(scenario: dict[str, Any], name: str) -> dict[str, Any]:
    case: dict[str, Any] = scenario["out"]["cases"][name]
    return case


def _ids(data: Data, positions: list[int]) -> list[str]:
    return [data.ids[i] for i in positions]


def test_official_client_ran_and_used_the_search_route(scenario: dict[str, Any]) -> None:
    assert scenario["out"]["client_version"] == VERSION
    searches = [r for r in scenario["requests"] if r.endswith("/search")]
    # one per case, one carrying three searches, one per other space, one where it wrote
    expected = len(scenario["out"]["cases"]) + 1 + len(OTHER_SPACES) + 1
    assert len(searches) == expected, scenario["requests"]
    assert all(r.startswith("POST /api/v2/tenants/") for r in searches)


def _plain(value: Any) -> Any:
    """Sparse vectors as the 3.x client reads them: ``{indices, values}``."""
    if isinstance(value, SparseVector):
        return {"indices": list(value.indices), "values": list(value.values)}
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


@pytest.mark.parametrize("name", list(python_searches(Data())))
def test_answer_equals_our_python_engine(scenario: dict[str, Any], name: str) -> None:
    got = _case(scenario, name)["result"]
    want = scenario["engine"][name]
    assert got["ids"] == want["ids"]
    assert got["select"] == want["select"]
    for column in ("documents", "metadatas"):
        # the 3.x client turns an unselected column into [null] per search
        assert got[column] == _plain(want[column] or [None])
    for column in ("scores", "embeddings"):
        for got_one, want_one in zip(got[column], want[column] or [None]):
            if want_one is None:
                assert got_one is None
            else:
                assert np.allclose(
                    np.asarray(got_one, float), np.asarray(want_one, float), atol=1e-5
                )


def test_dense_knn_matches_brute_force(scenario: dict[str, Any]) -> None:
    data: Data = scenario["data"]
    case = _case(scenario, "knn")
    top = data.nearest("q1", 10)
    assert case["result"]["ids"] == [_ids(data, top)]
    assert np.allclose(case["result"]["scores"][0], data.distances("q1")[top], rtol=1e-4, atol=1e-5)
    rows = case["rows"][0]
    assert [r["id"] for r in rows] == _ids(data, top)
    assert [r["document"] for r in rows] == [data.docs[i] for i in top]
    assert [r["metadata"] for r in rows] == [data.wire_meta(i) for i in top]
    assert case["payload"]["rank"] == {
        "$knn": {"query": data.queries["q1"], "key": "#embedding", "limit": 20}
    }


def test_where_and_offset_match_brute_force(scenario: dict[str, Any]) -> None:
    data: Data = scenario["data"]
    kept = data.nearest("q1", N, lambda i: data.metas[i]["cat"] == "a" and data.metas[i]["n"] >= 10)
    assert _case(scenario, "where_offset")["result"]["ids"] == [_ids(data, kept[3:8])]


def test_document_or_id_filter_without_rank(scenario: dict[str, Any]) -> None:
    data: Data = scenario["data"]
    matching = [i for i in range(N) if "red" in data.docs[i] or data.ids[i] in SOME_IDS]
    case = _case(scenario, "where_document_or_ids")
    assert case["result"]["ids"] == [_ids(data, matching[:6])]
    assert case["result"]["documents"] == [[data.docs[i] for i in matching[:6]]]


def test_select_returns_only_the_chosen_fields(scenario: dict[str, Any]) -> None:
    data: Data = scenario["data"]
    top = data.nearest("q2", 5)
    rows = _case(scenario, "select_keys")["rows"][0]
    assert [r["id"] for r in rows] == _ids(data, top)
    assert [r["metadata"] for r in rows] == [{"cat": data.metas[i]["cat"]} for i in top]
    assert np.allclose([r["embedding"] for r in rows], data.emb[top], atol=1e-6)
    assert all("score" not in r and "document" not in r for r in rows)


def test_rrf_of_two_knns_matches_the_formula(scenario: dict[str, Any]) -> None:
    data: Data = scenario["data"]
    weights, k, default = [2 / 3, 1 / 3], 60, 1000
    ranks = [{i: pos for pos, i in enumerate(data.nearest(q, 30))} for q in ("q1", "q2")]
    candidates = set(ranks[0]) | set(ranks[1])
    fused = {
        i: -sum(w / (k + r.get(i, default)) for w, r in zip(weights, ranks)) for i in candidates
    }
    top = sorted(candidates, key=lambda i: (fused[i], data.ids[i]))[:10]
    result = _case(scenario, "rrf")["result"]
    assert result["ids"] == [_ids(data, top)]
    assert np.allclose(result["scores"][0], [fused[i] for i in top], rtol=1e-9)


def test_group_by_min_k_keeps_the_best_of_each_group(scenario: dict[str, Any]) -> None:
    data: Data = scenario["data"]
    top = data.nearest("q1", 40)
    kept = [
        i
        for i in top
        if [j for j in top if data.metas[j]["cat"] == data.metas[i]["cat"]].index(i) < 2
    ]
    rows = _case(scenario, "group_min_k")["rows"][0]
    assert [r["id"] for r in rows] == _ids(data, kept[:6])
    assert [r["metadata"] for r in rows] == [{"cat": data.metas[i]["cat"]} for i in kept[:6]]


def test_group_by_max_k_on_a_metadata_key(scenario: dict[str, Any]) -> None:
    data: Data = scenario["data"]
    top = data.nearest("q2", 40)
    best = {
        cat: max((i for i in top if data.metas[i]["cat"] == cat), key=lambda i: data.metas[i]["n"])
        for cat in CATS
    }
    kept = [i for i in top if i in best.values()]
    rows = _case(scenario, "group_max_k")["rows"][0]
    assert [r["id"] for r in rows] == _ids(data, kept)
    assert np.allclose([r["score"] for r in rows], data.distances("q2")[kept], rtol=1e-4, atol=1e-5)


def test_string_query_is_embedded_by_the_client(scenario: dict[str, Any]) -> None:
    string_case = _case(scenario, "string_query")
    assert string_case["payload"]["rank"]["$knn"]["query"] == "q1"
    assert string_case["result"]["ids"] == _case(scenario, "knn")["result"]["ids"]


def test_several_searches_in_one_call(scenario: dict[str, Any]) -> None:
    many = scenario["out"]["many"]
    singles = [_case(scenario, n) for n in ("knn", "rrf", "group_min_k")]
    assert many["result"]["ids"] == [s["result"]["ids"][0] for s in singles]
    assert many["result"]["select"] == [s["result"]["select"][0] for s in singles]
    assert many["rows"] == [s["rows"][0] for s in singles]


def test_sparse_knn_matches_brute_force(scenario: dict[str, Any]) -> None:
    data: Data = scenario["data"]
    case = _case(scenario, "sparse_knn")
    top = data.sparse_nearest(12)
    assert case["payload"]["rank"]["$knn"]["query"] == SPARSE_QUERY  # untagged on the wire
    assert case["result"]["ids"] == [_ids(data, top)]
    assert np.allclose(case["result"]["scores"][0], [data.sparse_score(i) for i in top])
    assert [r["metadata"] for r in case["rows"][0]] == [data.wire_meta(i) for i in top]


def test_hybrid_rrf_of_dense_and_sparse_matches_the_formula(scenario: dict[str, Any]) -> None:
    data: Data = scenario["data"]
    weights, k, default = [1, 2], 60, 100

    def kept(i: int) -> bool:
        return bool(data.metas[i]["n"] < 80)

    ranks = [
        {i: pos for pos, i in enumerate(data.nearest("q1", 25, kept))},
        {i: pos for pos, i in enumerate(data.sparse_nearest(25, kept))},
    ]
    candidates = set(ranks[0]) | set(ranks[1])
    fused = {
        i: -sum(w / (k + r.get(i, default)) for w, r in zip(weights, ranks)) for i in candidates
    }
    top = sorted(candidates, key=lambda i: (fused[i], data.ids[i]))[:10]
    result = _case(scenario, "hybrid_rrf")["result"]
    assert result["ids"] == [_ids(data, top)]
    assert np.allclose(result["scores"][0], [fused[i] for i in top], rtol=1e-9)


def test_sparse_index_and_vectors_from_the_client_work(scenario: dict[str, Any]) -> None:
    # the client's own Schema(...).createIndex(SparseVectorIndexConfig, "sp") is kept
    assert scenario["out"]["writes"]["sparse_index"]["enabled"] is True
    rows = scenario["out"]["writes"]["rows"][0]
    # 1 - dot with {4: 1}: w1 scores 1 - 2, w2 1 - 0.5; w3 has no sparse vector
    assert rows == [
        {"id": "w1", "metadata": {"sp": {"indices": [1, 4], "values": [1, 2]}}, "score": -1},
        {"id": "w2", "metadata": {"sp": {"indices": [4], "values": [0.5]}}, "score": 0.5},
    ]


@pytest.mark.parametrize("space", OTHER_SPACES)
def test_dense_knn_in_the_other_spaces_matches_brute_force(
    scenario: dict[str, Any], space: str
) -> None:
    data: Data = scenario["data"]
    top = data.nearest("q2", 10, space=space)
    result = scenario["out"]["spaces"][space]
    assert result["ids"] == [_ids(data, top)]
    assert np.allclose(result["scores"][0], data.distances("q2", space)[top], atol=1e-5)
