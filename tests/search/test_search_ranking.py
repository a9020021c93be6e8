"""Collection.search ranks exactly as a brute-force reference computes Chroma's Search
semantics: each dense Knn is the ``limit`` nearest records (squared L2) under the filter,
scored by distance or 0-based rank; a record a Knn did not return takes that Knn's ``default``
or leaves the results; lower scores first; then group_by, offset and limit. Random collections
(hypothesis), in process and over HTTP through our client."""

from __future__ import annotations

import math
import uuid
from typing import Any, Callable, Dict, Iterator, List, Optional, Tuple

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import chromadb
from chromadb.execution.expression import GroupBy, K, Knn, MaxK, MinK, Rrf, Search, Val
from chromadb.execution.expression.operator import Rank, Where
from tests.conftest import ServerHandle, make_http_client

DIM = 4
SETTINGS = settings(
    max_examples=20,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

Record = Tuple[str, np.ndarray, Dict[str, Any], str]


@pytest.fixture(scope="module")
def embedded() -> Iterator[Any]:
    from chromadb.api.shared_system_client import SharedSystemClient

    SharedSystemClient.clear_system_cache()
    yield chromadb.EphemeralClient()
    SharedSystemClient.clear_system_cache()


@pytest.fixture(scope="module")
def over_http(http_server: ServerHandle) -> Any:
    return make_http_client(http_server)


@pytest.fixture(params=["embedded", "http"])
def client(request: pytest.FixtureRequest) -> Any:
    return request.getfixturevalue("embedded" if request.param == "embedded" else "over_http")


# -- the reference -----------------------------------------------------------------------------
def _admits(where: Optional[Tuple[str, Any]], rec: Record) -> bool:
    if where is None:
        return True
    kind, value = where
    rid, _, meta, doc = rec
    if kind == "g":
        return bool(meta["g"] == value)
    if kind == "doc":
        return value in doc
    if kind == "ids_or_g":  # K.ID.is_in(ids) | (K("g") == g)
        ids, g = value
        return rid in ids or meta["g"] == g
    raise AssertionError(kind)


def _where(where: Optional[Tuple[str, Any]]) -> Optional[Where]:
    if where is None:
        return None
    kind, value = where
    if kind == "g":
        return K("g") == value
    if kind == "doc":
        return K.DOCUMENT.contains(value)
    ids, g = value
    return K.ID.is_in(list(ids)) | (K("g") == g)


def _knn_table(
    records: List[Record], where: Any, q: np.ndarray, limit: int, rank: bool
) -> Dict[str, float]:
    admitted = [r for r in records if _admits(where, r)]
    dist = sorted((float(np.sum((r[1].astype(np.float64) - q) ** 2)), r[0]) for r in admitted)[
        :limit
    ]
    return {rid: (float(i) if rank else d) for i, (d, rid) in enumerate(dist)}


def reference(
    records: List[Record],
    where: Any,
    knns: List[Tuple[np.ndarray, int, Optional[float], bool]],
    combine: Callable[[List[float]], float],
) -> List[Tuple[str, float]]:
    tables = [_knn_table(records, where, q, lim, rr) for q, lim, _, rr in knns]
    candidates = {rid for t in tables for rid in t}
    out = []
    for rid in candidates:
        parts = []
        for table, (_, _, default, _) in zip(tables, knns):
            if rid in table:
                parts.append(table[rid])
            elif default is not None:
                parts.append(default)
            else:
                break
        else:
            out.append((rid, combine(parts)))
    return sorted(out, key=lambda x: (x[1], x[0]))


def _assert_same_ranking(
    got_ids: List[str], got_scores: List[float], want: List[Tuple[str, float]]
) -> None:
    assert len(got_ids) == len(want), (got_ids, want)
    by_id = dict(want)
    for rid, score, (_, want_score) in zip(got_ids, got_scores, want):
        # Float32 distances may swap records whose scores tie to 1e-5; each record's own score
        # and each position's score must match the reference.
        assert math.isclose(score, want_score, rel_tol=1e-4, abs_tol=1e-5), (got_ids, want)
        assert math.isclose(by_id[rid], score, rel_tol=1e-4, abs_tol=1e-5), (got_ids, want)


# -- random collections ------------------------------------------------------------------------
@st.composite
def collections(draw: Any) -> List[Record]:
    n = draw(st.integers(min_value=1, max_value=40))
    seed = draw(st.integers(min_value=0, max_value=2**31))
    rng = np.random.default_rng(seed)
    vectors = rng.random((n, DIM)).astype(np.float32)
    return [
        (
            f"r{i:03d}",
            vectors[i],
            {"g": int(rng.integers(0, 3)), "n": i},
            f"doc {i} {'red' if rng.random() < 0.5 else 'blue'}",
        )
        for i in range(n)
    ]


wheres = st.one_of(
    st.none(),
    st.tuples(st.just("g"), st.integers(0, 2)),
    st.tuples(st.just("doc"), st.sampled_from(["red", "blue"])),
    st.tuples(
        st.just("ids_or_g"),
        st.tuples(
            st.frozensets(st.sampled_from([f"r{i:03d}" for i in range(40)]), max_size=5),
            st.integers(0, 2),
        ),
    ),
)
knn_specs = st.tuples(
    st.lists(st.floats(0, 1, width=32), min_size=DIM, max_size=DIM),
    st.integers(1, 50),
    st.one_of(st.none(), st.floats(0, 5, width=32)),
    st.booleans(),
)


def _load(client: Any, records: List[Record]) -> Any:
    col = client.create_collection(f"s-{uuid.uuid4().hex[:12]}")
    col.add(
        ids=[r[0] for r in records],
        embeddings=np.stack([r[1] for r in records]),
        metadatas=[r[2] for r in records],
        documents=[r[3] for r in records],
    )
    return col


def _knn(spec: Tuple[List[float], int, Optional[float], bool]) -> Knn:
    q, limit, default, rr = spec
    return Knn(query=q, limit=limit, default=default, return_rank=rr)


def _spec_np(
    spec: Tuple[List[float], int, Optional[float], bool],
) -> Tuple[np.ndarray, int, Optional[float], bool]:
    return (np.asarray(spec[0], dtype=np.float64), spec[1], spec[2], spec[3])


@SETTINGS
@given(
    records=collections(),
    where=wheres,
    a=knn_specs,
    b=knn_specs,
    w=st.floats(0.1, 2),
    offset=st.integers(0, 5),
    limit=st.one_of(st.none(), st.integers(1, 20)),
)
def test_weighted_sum_of_two_knns(
    client: Any,
    records: List[Record],
    where: Any,
    a: Any,
    b: Any,
    w: float,
    offset: int,
    limit: Optional[int],
) -> None:
    col = _load(client, records)
    try:
        rank: Rank = _knn(a) * w + _knn(b)
        result = col.search(
            Search(where=_where(where), rank=rank).limit(limit, offset=offset).select(K.SCORE)
        )
        want = reference(records, where, [_spec_np(a), _spec_np(b)], lambda p: p[0] * w + p[1])
        end = None if limit is None else offset + limit
        _assert_same_ranking(result["ids"][0], result["scores"][0], want[offset:end])
    finally:
        client.delete_collection(col.name)


@SETTINGS
@given(records=collections(), where=wheres, a=knn_specs, b=knn_specs, k=st.integers(1, 100))
def test_rrf(client: Any, records: List[Record], where: Any, a: Any, b: Any, k: int) -> None:
    a, b = (a[0], a[1], a[2], True), (b[0], b[1], b[2], True)
    col = _load(client, records)
    try:
        result = col.search(
            Search(
                where=_where(where), rank=Rrf([_knn(a), _knn(b)], k=k, weights=[0.7, 0.3])
            ).select(K.SCORE)
        )
        want = reference(
            records,
            where,
            [_spec_np(a), _spec_np(b)],
            lambda p: -(0.7 / (k + p[0]) + 0.3 / (k + p[1])),
        )
        _assert_same_ranking(result["ids"][0], result["scores"][0], want)
    finally:
        client.delete_collection(col.name)


@SETTINGS
@given(records=collections(), a=knn_specs, per_group=st.integers(1, 3), largest=st.booleans())
def test_group_by_keeps_best_per_group(
    client: Any, records: List[Record], a: Any, per_group: int, largest: bool
) -> None:
    col = _load(client, records)
    try:
        agg = (MaxK if largest else MinK)(keys=[K.SCORE], k=per_group)
        result = col.search(
            Search(rank=_knn(a), group_by=GroupBy(keys=[K("g")], aggregate=agg)).select(
                K.SCORE, "g"
            )
        )
        ranked = reference(records, None, [_spec_np(a)], lambda p: p[0])
        meta = {r[0]: r[2] for r in records}
        kept: List[Tuple[str, float]] = []
        for g in range(3):
            members = [x for x in ranked if meta[x[0]]["g"] == g]
            members = sorted(members, key=lambda x: -x[1]) if largest else members
            kept.extend(members[:per_group])
        kept.sort(key=lambda x: (x[1], x[0]))
        _assert_same_ranking(result["ids"][0], result["scores"][0], kept)
        assert [m["g"] for m in result["metadatas"][0]] == [meta[i]["g"] for i in result["ids"][0]]
    finally:
        client.delete_collection(col.name)


def test_no_rank_is_a_filtered_get_and_select_shapes(client: Any) -> None:
    rng = np.random.default_rng(7)
    records = [
        (f"r{i:03d}", rng.random(DIM).astype(np.float32), {"g": i % 3, "n": i}, f"doc {i}")
        for i in range(12)
    ]
    col = _load(client, records)
    try:
        result = col.search(
            [
                Search().where(K("g") == 1).limit(2, offset=1).select(K.DOCUMENT, "n"),
                Search(rank=Knn(query=[0.5] * DIM, limit=3) + Val(1)).select_all(),
            ]
        )
        assert result["ids"][0] == ["r004", "r007"]
        assert result["documents"][0] == ["doc 4", "doc 7"]
        assert result["metadatas"][0] == [{"n": 4}, {"n": 7}]
        assert result["embeddings"][0] is None and result["scores"][0] is None
        assert sorted(result["select"][1]) == ["#document", "#embedding", "#metadata", "#score"]
        rows = result.rows()[1]
        assert len(rows) == 3 and set(rows[0]) == {
            "id",
            "document",
            "embedding",
            "metadata",
            "score",
        }
        assert rows[0]["score"] >= 1.0 and len(rows[0]["embedding"]) == DIM
    finally:
        client.delete_collection(col.name)


def test_string_queries_are_embedded_with_the_collection_function(client: Any) -> None:
    class Fixed:
        def __call__(self, input: Any) -> Any:
            return [[float(len(t)), 0.0, 0.0, 0.0] for t in input]

        def name(self) -> str:
            return "fixed-test"

    col = client.create_collection(f"s-{uuid.uuid4().hex[:12]}", embedding_function=Fixed())
    try:
        col.add(ids=["a", "b"], embeddings=[[1.0, 0, 0, 0], [9.0, 0, 0, 0]])
        got = col.search(Search(rank=Knn(query="xxxxxxxx")).select(K.SCORE))
        assert got["ids"][0] == ["b", "a"]
    finally:
        client.delete_collection(col.name)


@pytest.mark.parametrize(
    "search, message",
    [
        (Search(rank=Knn(query={"indices": [1], "values": [1.0]}, key="sparse")), "sparse"),
        (Search(where=K.EMBEDDING == 1), "#embedding"),
        (Search(where=K.DOCUMENT == "x"), "#document"),
    ],
)
def test_unsupported_searches_fail_clearly(client: Any, search: Search, message: str) -> None:
    col = client.create_collection(f"s-{uuid.uuid4().hex[:12]}")
    try:
        col.add(ids=["a"], embeddings=[[1.0, 0, 0, 0]], metadatas=[{"g": 1}])
        with pytest.raises(chromadb.errors.InvalidArgumentError, match=message):
            col.search(search)
        assert col.count() == 1
    finally:
        client.delete_collection(col.name)


def test_async_client_searches_as_the_sync_one(http_server: ServerHandle) -> None:
    import asyncio

    search = Search(rank=Knn(query=[0.5] * DIM, limit=4)).select(K.SCORE, "n")

    async def scenario() -> Any:
        client: Any = await chromadb.AsyncHttpClient(host=http_server.host, port=http_server.port)
        col = await client.get_collection(name)
        return await col.search(search)

    rng = np.random.default_rng(11)
    records = [
        (f"r{i:03d}", rng.random(DIM).astype(np.float32), {"g": 0, "n": i}, "d") for i in range(9)
    ]
    sync_client = make_http_client(http_server)
    col = _load(sync_client, records)
    name = col.name
    try:
        assert dict(asyncio.run(scenario())) == dict(col.search(search))
    finally:
        sync_client.delete_collection(name)


def test_knn_scores_take_a_fused_score_apart(client: Any) -> None:
    """``select(K.KNN_SCORES)`` (ours) gives each Knn's own value of each result, in the order
    the Knns appear: the fused score is the rank expression over them, and a record a Knn did
    not return shows None there (its default was used)."""
    rng = np.random.default_rng(11)
    records: List[Record] = [
        (f"r{i}", rng.normal(size=DIM).astype(np.float32), {"g": i % 2}, f"doc {i}")
        for i in range(20)
    ]
    col = _load(client, records)
    try:
        a, b = rng.normal(size=DIM).tolist(), rng.normal(size=DIM).tolist()
        vectors = np.stack([r[1] for r in records]).astype(np.float64)
        dist_b = ((vectors - np.asarray(b)) ** 2).sum(1)

        fused = col.search(
            Search()
            .rank(
                Rrf(
                    [
                        Knn(query=a, limit=50, return_rank=True),
                        Knn(query=b, limit=50, return_rank=True),
                    ],
                    k=5,
                    weights=[2, 1],
                )
            )
            .select(K.SCORE, K.KNN_SCORES)
        )
        assert len(fused["ids"][0]) == 20
        for score, (rank_a, rank_b) in zip(fused["scores"][0], fused["knn_scores"][0]):
            assert score == pytest.approx(-(2 / (5 + rank_a) + 1 / (5 + rank_b)))
        assert sorted(r for r, _ in fused["knn_scores"][0]) == list(range(20))
        assert sorted(r for _, r in fused["knn_scores"][0]) == list(range(20))

        summed = col.search(
            Search()
            .rank(Knn(query=a, limit=3, default=10.0) + Knn(query=b, limit=50))
            .select(K.SCORE, K.KNN_SCORES)
        )
        rows = summed.rows()[0]
        assert sum(row["knn_scores"][0] is not None for row in rows) == 3
        for row in rows:
            from_a, from_b = row["knn_scores"]
            assert from_b == pytest.approx(dist_b[int(row["id"][1:])], rel=1e-4, abs=1e-4)
            assert row["score"] == pytest.approx((10.0 if from_a is None else from_a) + from_b)

        plain = col.search(Search().rank(Knn(query=a)).select(K.SCORE))
        assert "knn_scores" not in plain, "a column real Chroma does not have, unless asked"
    finally:
        client.delete_collection(col.name)
