"""Sparse vectors and hybrid search: a Knn over a sparse key ranks exactly as a brute-force dot
product does (score ``1 - dot``, as real Chroma), BM25 scores are those of the ``rank_bm25``
package (with Chroma's IDF), Rrf over a dense and a sparse Knn follows its formula, and the
inverted index stays right across update, delete and reopen, in process and over HTTP."""

from __future__ import annotations

import math
import uuid
from pathlib import Path
from typing import Any, Dict, Iterator, List, Optional, Tuple

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule

import chromadb
from chromadb import Schema, SparseVector, SparseVectorIndexConfig
from chromadb.api.shared_system_client import SharedSystemClient
from chromadb.errors import InvalidArgumentError
from chromadb.execution.expression import K, Knn, Rrf, Search
from chromadb.utils.embedding_functions import ChromaBm25EmbeddingFunction
from tests.conftest import ServerHandle, make_http_client

DIM = 3
VOCAB = 24
SETTINGS = settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


# Function-scoped: the reopen test clears the shared systems, which closes every client.
@pytest.fixture
def embedded() -> Iterator[Any]:
    yield chromadb.EphemeralClient()


@pytest.fixture
def over_http(http_server: ServerHandle) -> Any:
    return make_http_client(http_server)


@pytest.fixture(params=["embedded", "http"])
def client(request: pytest.FixtureRequest) -> Any:
    return request.getfixturevalue("embedded" if request.param == "embedded" else "over_http")


def _name() -> str:
    return f"sp-{uuid.uuid4().hex[:10]}"


def _sparse_schema(**config: Any) -> Schema:
    schema = Schema()
    schema.create_index(config=SparseVectorIndexConfig(**config), key="sp")
    return schema


# -- the reference -----------------------------------------------------------------------------
Stored = Dict[str, Tuple[Optional[SparseVector], int]]  # id -> (vector, group)


def brute_force(
    stored: Stored, query: SparseVector, limit: int, group: Optional[int] = None
) -> List[Tuple[str, float]]:
    """Every record sharing a term with the query, by ``1 - dot`` then id (ids are in
    insertion order here), the first ``limit``."""
    q = dict(zip(query.indices, query.values))
    scored = []
    for rid, (vector, g) in stored.items():
        if vector is None or (group is not None and g != group):
            continue
        shared = [i for i in vector.indices if i in q]
        if not shared:
            continue
        dot = sum(v * q[i] for i, v in zip(vector.indices, vector.values) if i in q)
        scored.append((1.0 - dot, rid))
    return [(rid, s) for s, rid in sorted(scored)[:limit]]


def _search(col: Any, query: Any, limit: int, where: Any = None) -> List[Tuple[str, float]]:
    search = Search().rank(Knn(query=query, key="sp", limit=limit)).limit(limit).select(K.SCORE)
    if where is not None:
        search = search.where(where)
    got = col.search(search)
    return list(zip(got["ids"][0], got["scores"][0]))


def _assert_ranking(got: List[Tuple[str, float]], want: List[Tuple[str, float]]) -> None:
    assert [rid for rid, _ in got] == [rid for rid, _ in want], (got, want)
    for (_, a), (_, b) in zip(got, want):
        assert math.isclose(a, b, rel_tol=1e-6, abs_tol=1e-6), (got, want)


# Values are multiples of 1/4 (exact in float32), so dot products and their ties are exact.
@st.composite
def sparse_vectors(draw: Any) -> SparseVector:
    indices = sorted(draw(st.sets(st.integers(0, VOCAB - 1), min_size=1, max_size=6)))
    values = [draw(st.integers(1, 12)) / 4 for _ in indices]
    return SparseVector(indices=indices, values=values)


@st.composite
def collections(draw: Any) -> Stored:
    n = draw(st.integers(min_value=1, max_value=30))
    stored: Stored = {}
    for i in range(n):
        vector = draw(st.one_of(st.none(), sparse_vectors()))
        stored[f"r{i:03d}"] = (vector, draw(st.integers(0, 2)))
    return stored


def _add(col: Any, stored: Stored) -> None:
    ids = list(stored)
    metas: List[Dict[str, Any]] = []
    for rid in ids:
        vector, g = stored[rid]
        meta: Dict[str, Any] = {"g": g}
        if vector is not None:
            meta["sp"] = vector
        metas.append(meta)
    rng = np.random.default_rng(len(ids))
    col.add(ids=ids, embeddings=rng.random((len(ids), DIM)).tolist(), metadatas=metas)


# -- sparse top-k ------------------------------------------------------------------------------
@SETTINGS
@given(
    stored=collections(),
    query=sparse_vectors(),
    limit=st.integers(1, 12),
    group=st.one_of(st.none(), st.integers(0, 2)),
)
def test_sparse_top_k_is_the_brute_force_top_k(
    embedded: Any, stored: Stored, query: SparseVector, limit: int, group: Optional[int]
) -> None:
    col = embedded.create_collection(_name(), schema=_sparse_schema(), embedding_function=None)
    try:
        _add(col, stored)
        where = None if group is None else K("g") == group
        _assert_ranking(_search(col, query, limit, where), brute_force(stored, query, limit, group))
    finally:
        embedded.delete_collection(col.name)


def test_sparse_top_k_over_http(over_http: Any) -> None:
    rng = np.random.default_rng(7)
    stored: Stored = {}
    for i in range(40):
        idx = sorted(rng.choice(VOCAB, size=int(rng.integers(1, 6)), replace=False).tolist())
        vals = [int(x) / 4 for x in rng.integers(1, 12, size=len(idx))]
        stored[f"r{i:03d}"] = (SparseVector(idx, vals) if i % 5 else None, i % 3)
    col = over_http.create_collection(_name(), schema=_sparse_schema(), embedding_function=None)
    try:
        _add(col, stored)
        query = SparseVector(indices=[1, 3, 5, 8], values=[1.0, 0.5, 2.0, 0.25])
        _assert_ranking(_search(col, query, 10), brute_force(stored, query, 10))
        _assert_ranking(
            _search(col, query, 10, K("g") == 1), brute_force(stored, query, 10, group=1)
        )
        got = col.get(ids=["r001"], include=["metadatas"])["metadatas"][0]["sp"]
        assert got == stored["r001"][0]
    finally:
        over_http.delete_collection(col.name)


def test_update_and_delete_keep_the_inverted_index_right(client: Any) -> None:
    col = client.create_collection(_name(), schema=_sparse_schema(), embedding_function=None)
    stored: Stored = {
        f"r{i:03d}": (SparseVector([i % 4, 10 + i % 3], [1.0, 0.5 + i / 8]), i % 2)
        for i in range(12)
    }
    _add(col, stored)
    query = SparseVector([0, 1, 11], [1.0, 2.0, 1.0])
    # A new vector (metadata update), a removed one (key set to None), a new embedding with the
    # metadata unchanged (the record moves to a new slot), deletes, and an upsert of a new id.
    col.update(ids=["r000"], metadatas=[{"sp": SparseVector([1], [3.0])}])
    stored["r000"] = (SparseVector([1], [3.0]), 0)
    col.update(ids=["r001"], metadatas=[{"sp": None}])
    stored["r001"] = (None, 1)
    col.update(ids=["r002"], embeddings=[[0.5, 0.5, 0.5]])
    col.delete(ids=["r005", "r009"])
    del stored["r005"], stored["r009"]
    col.upsert(
        ids=["r004", "r100"],
        embeddings=[[0.1] * DIM, [0.2] * DIM],
        metadatas=[
            {"g": 0, "sp": SparseVector([11], [4.0])},
            {"g": 1, "sp": SparseVector([0], [1.5])},
        ],
    )
    stored["r004"] = (SparseVector([11], [4.0]), 0)
    stored["r100"] = (SparseVector([0], [1.5]), 1)
    try:
        _assert_ranking(_search(col, query, 20), brute_force(stored, query, 20))
    finally:
        client.delete_collection(col.name)


def test_the_index_is_rebuilt_from_sqlite_on_reopen(tmp_path: Path) -> None:
    SharedSystemClient.clear_system_cache()
    stored: Stored = {f"r{i:03d}": (SparseVector([i % 5, 7], [1.0, 0.25 * i]), 0) for i in range(9)}
    first = chromadb.PersistentClient(path=str(tmp_path))
    col = first.create_collection("keep", schema=_sparse_schema(), embedding_function=None)
    _add(col, stored)
    col.delete(ids=["r003"])
    del stored["r003"]
    query = SparseVector([2, 7], [1.0, 1.0])
    before = _search(col, query, 5)
    SharedSystemClient.clear_system_cache()
    again = chromadb.PersistentClient(path=str(tmp_path))
    after = _search(again.get_collection("keep", embedding_function=None), query, 5)
    SharedSystemClient.clear_system_cache()
    assert after == before
    _assert_ranking(after, brute_force(stored, query, 5))


# -- BM25 --------------------------------------------------------------------------------------
WORDS = (
    "apple banana cherry river mountain ocean forest desert city village music "
    "painting science history market garden winter summer engine signal"
).split()


def test_bm25_scores_are_rank_bm25_scores(embedded: Any) -> None:
    from rank_bm25 import BM25Okapi

    class ChromaIdfBM25(BM25Okapi):  # type: ignore[misc]
        """rank_bm25's Okapi BM25 with the IDF real Chroma uses: ln(1 + (N - n + .5)/(n + .5))."""

        def _calc_idf(self, nd: Dict[str, int]) -> None:
            self.idf = {
                w: math.log1p((self.corpus_size - n + 0.5) / (n + 0.5)) for w, n in nd.items()
            }

    rng = np.random.default_rng(11)
    docs = [" ".join(rng.choice(WORDS, size=int(rng.integers(3, 15))).tolist()) for _ in range(40)]
    terms = ChromaBm25EmbeddingFunction()._terms
    corpus = [terms.terms(d) for d in docs]
    avg = sum(len(t) for t in corpus) / len(corpus)
    ef = ChromaBm25EmbeddingFunction(avg_doc_length=avg)
    schema = _sparse_schema(source_key=K.DOCUMENT, embedding_function=ef, bm25=True)
    col = embedded.create_collection(_name(), schema=schema, embedding_function=None)
    try:
        col.add(
            ids=[f"d{i:02d}" for i in range(len(docs))],
            documents=docs,
            embeddings=rng.random((len(docs), DIM)).tolist(),
        )
        reference = ChromaIdfBM25(corpus, k1=ef.k, b=ef.b)
        for text in ["river ocean", "apple", "engine signal winter market"]:
            query = terms.terms(text)
            want = reference.get_scores(query)
            # Each distinct query term weighs the same in the query vector: BM25 scores times
            # that weight are the dot products.
            weight = ef([text])[0].values[0]
            got = dict(_search(col, text, len(docs)))
            expected = {f"d{i:02d}": s for i, s in enumerate(want) if s > 0}
            assert set(got) == set(expected), text
            for rid, score in got.items():
                assert math.isclose(1 - score, weight * expected[rid], rel_tol=1e-5), (text, rid)
    finally:
        embedded.delete_collection(col.name)


def test_bm25_string_queries_over_http_and_schema_round_trip(over_http: Any) -> None:
    ef = ChromaBm25EmbeddingFunction(k=1.5, include_tokens=True)
    schema = _sparse_schema(source_key=K.DOCUMENT, embedding_function=ef)
    col = over_http.create_collection(_name(), schema=schema, embedding_function=None)
    try:
        col.add(
            ids=["a", "b", "c"],
            documents=["red apples and green apples", "a red car", "blue sky"],
            embeddings=[[0.1] * DIM, [0.2] * DIM, [0.3] * DIM],
        )
        found = over_http.get_collection(col.name, embedding_function=None)
        recorded = found.schema.serialize_to_json()["keys"]["sp"]["sparse_vector"]
        index = recorded["sparse_vector_index"]["config"]
        assert index["embedding_function"] == {
            "type": "known",
            "name": "chroma_bm25",
            "config": ef.get_config(),
        }
        assert index["source_key"] == "#document"
        got = [rid for rid, _ in _search(found, "apples", 3)]
        assert got == ["a"]
        assert [rid for rid, _ in _search(found, "red", 3)] == ["b", "a"]  # shorter text first
        vector = found.get(ids=["a"], include=["metadatas"])["metadatas"][0]["sp"]
        assert set(vector.labels) == {"appl", "green", "red"}  # in the order of their ids
    finally:
        over_http.delete_collection(col.name)


# -- hybrid ------------------------------------------------------------------------------------
def test_rrf_over_dense_and_sparse_follows_the_formula(client: Any) -> None:
    rng = np.random.default_rng(5)
    n = 30
    vectors = rng.random((n, DIM))
    stored: Stored = {
        f"r{i:03d}": (SparseVector(sorted({i % 7, 7 + i % 5}), [1.0, 0.25 * (1 + i % 4)]), 0)
        for i in range(n)
    }
    col = client.create_collection(_name(), schema=_sparse_schema(), embedding_function=None)
    col.add(
        ids=list(stored),
        embeddings=vectors.tolist(),
        metadatas=[{"sp": v} for v, _ in stored.values()],
    )
    dense_q = [0.3, 0.6, 0.2]
    sparse_q = SparseVector([2, 8], [1.0, 1.0])
    try:
        dense = col.search(Search().rank(Knn(query=dense_q, limit=20)).limit(20))["ids"][0]
        sparse = [rid for rid, _ in _search(col, sparse_q, 20)]
        k, weights = 10, [0.7, 0.3]
        rank = Rrf(
            [
                Knn(query=dense_q, limit=20, return_rank=True, default=20),
                Knn(query=sparse_q, key="sp", limit=20, return_rank=True, default=20),
            ],
            k=k,
            weights=weights,
        )
        got = col.search(Search().rank(rank).limit(50).select(K.SCORE))
        want = {}
        for rid in set(dense) | set(sparse):
            rd = dense.index(rid) if rid in dense else 20
            rs = sparse.index(rid) if rid in sparse else 20
            want[rid] = -(weights[0] / (k + rd) + weights[1] / (k + rs))
        expected = sorted(want.items(), key=lambda x: (x[1], x[0]))
        _assert_ranking(list(zip(got["ids"][0], got["scores"][0])), expected)
    finally:
        client.delete_collection(col.name)


# -- bad input ---------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "query, message",
    [
        pytest.param([0.1, 0.2, 0.3], "SparseVector query", id="dense-query-on-sparse-key"),
        pytest.param("words", "Cannot embed string query", id="string-without-function"),
    ],
)
def test_bad_sparse_queries_are_refused(client: Any, query: Any, message: str) -> None:
    col = client.create_collection(_name(), schema=_sparse_schema(), embedding_function=None)
    try:
        col.add(ids=["a"], embeddings=[[0.1] * DIM], metadatas=[{"sp": SparseVector([1], [1.0])}])
        with pytest.raises(InvalidArgumentError, match=message):
            col.search(Search().rank(Knn(query=query, key="sp")))
    finally:
        client.delete_collection(col.name)


def test_bad_sparse_metadata_is_refused_and_nothing_is_stored(client: Any) -> None:
    col = client.create_collection(_name(), schema=_sparse_schema(), embedding_function=None)
    try:
        bad = SparseVector([1, 2], [1.0, 2.0])
        bad.values[1] = math.inf  # changed after construction
        with pytest.raises(InvalidArgumentError, match="not finite"):
            col.add(ids=["a"], embeddings=[[0.1] * DIM], metadatas=[{"sp": bad}])
        assert col.count() == 0
    finally:
        client.delete_collection(col.name)


# -- the official thin client ------------------------------------------------------------------
THIN_SEARCHES = """[
    Search().rank(Knn(query=SparseVector(indices=[1, 4, 9], values=[1.0, 0.5, 2.0]), key="sp", limit=6)).select(K.SCORE, K.METADATA),
    Search().where(K("g") == 1).rank(Knn(query=SparseVector(indices=[2, 4], values=[1.0, 1.0]), key="sp", limit=5)).select(K.SCORE),
    Search().rank(Rrf([Knn(query=[0.2, 0.4, 0.6], return_rank=True, limit=10), Knn(query=SparseVector(indices=[1, 2, 3], values=[1.0, 1.0, 1.0]), key="sp", return_rank=True, limit=10)], k=20)).limit(6).select(K.SCORE),
]"""

THIN_SCRIPT = """
import json, sys
import numpy as np
import chromadb
from chromadb import Schema, SparseVector, SparseVectorIndexConfig
from chromadb.execution.expression import K, Knn, Rrf, Search
host, port, name = sys.argv[1], int(sys.argv[2]), sys.argv[3]
client = chromadb.HttpClient(host=host, port=port)
schema = Schema()
schema.create_index(config=SparseVectorIndexConfig(bm25=True), key="sp")
col = client.create_collection(name, schema=schema, embedding_function=None)
rng = np.random.default_rng(9)
metas = []
for i in range(24):
    idx = sorted(rng.choice(12, size=int(rng.integers(1, 5)), replace=False).tolist())
    metas.append({"g": i % 2, "sp": SparseVector(indices=idx, values=[float(v) for v in rng.integers(1, 8, size=len(idx)) / 4])})
col.add(ids=[f"r{i:03d}" for i in range(24)], embeddings=rng.random((24, 3)).tolist(), metadatas=metas)
result = col.search(SEARCHES)
got = col.get(ids=["r003"], include=["metadatas"])["metadatas"][0]["sp"]
print(json.dumps({"search": dict(result), "sparse_type": type(got).__name__, "sparse": got.to_dict()}, default=lambda o: o.to_dict() if hasattr(o, "to_dict") else o.tolist()))
""".replace("SEARCHES", THIN_SEARCHES)


@pytest.mark.slow  # installs the official client once (cached afterwards)
def test_thin_client_1_5_9_stores_and_searches_sparse_vectors(http_server: ServerHandle) -> None:
    import json
    import subprocess

    from tests.compat.installers import python_client

    python = python_client("chromadb-client", "1.5.9")
    name = _name()
    run = subprocess.run(
        [str(python), "-I", "-c", THIN_SCRIPT, http_server.host, str(http_server.port), name],
        capture_output=True,
        text=True,
        timeout=180,
        cwd="/",
    )
    assert run.returncode == 0, run.stderr[-3000:] + http_server.log_tail()
    theirs = json.loads(run.stdout.strip().splitlines()[-1])
    ours_client = make_http_client(http_server)
    col = ours_client.get_collection(name, embedding_function=None)
    try:
        assert theirs["sparse_type"] == "SparseVector"
        stored = col.get(ids=["r003"], include=["metadatas"])["metadatas"][0]["sp"]
        assert theirs["sparse"] == stored.to_dict()
        schema = col.schema.serialize_to_json()["keys"]["sp"]["sparse_vector"]
        assert schema["sparse_vector_index"]["config"]["bm25"] is True
        searches = eval(THIN_SEARCHES)
        ours = json.loads(
            json.dumps(
                dict(col.search(searches)),
                default=lambda o: o.to_dict() if hasattr(o, "to_dict") else o.tolist(),
            )
        )
        for field in ("ids", "scores", "metadatas"):
            assert theirs["search"][field] == ours[field], field
        assert len(theirs["search"]["ids"][0]) == 6
    finally:
        ours_client.delete_collection(name)


_ = (Rrf, SparseVector)  # names THIN_SEARCHES uses, evaluated above


def test_another_process_sees_the_sparse_writes(tmp_path: Path) -> None:
    from tests.engine.test_multiprocess import Peer

    folder = tmp_path / "shared"
    folder.mkdir()
    SharedSystemClient.clear_system_cache()
    ours = chromadb.PersistentClient(path=str(folder))
    col = ours.create_collection("shared", schema=_sparse_schema(), embedding_function=None)
    stored: Stored = {f"r{i:03d}": (SparseVector([i % 3, 5], [1.0, 0.5]), 0) for i in range(6)}
    _add(col, stored)
    query = SparseVector([1, 5], [1.0, 1.0])
    assert _search(col, query, 10) == brute_force(stored, query, 10)  # our cache is built
    peer = Peer(folder)
    try:
        tagged = SparseVector([1], [4.0]).to_dict()  # JSON to the peer; stored as given
        peer.call(
            "add", "shared", ids=["r100"], embeddings=[[0.5] * DIM], metadatas=[{"sp": tagged}]
        )
        peer.call("update", "shared", ids=["r001"], metadatas=[{"sp": None}])
        peer.call("delete", "shared", ids=["r004"])
    finally:
        peer.close()
    stored["r100"] = (SparseVector([1], [4.0]), 0)
    stored["r001"] = (None, 0)
    del stored["r004"]
    try:
        _assert_ranking(_search(col, query, 10), brute_force(stored, query, 10))
    finally:
        SharedSystemClient.clear_system_cache()


# -- random sequences of writes ----------------------------------------------------------------
class SparseWrites(RuleBasedStateMachine):  # type: ignore[misc]
    """Adds, updates (new vector, vector removed, new embedding only), upserts and deletes in
    any order; after each, the sparse top-k is the brute-force one."""

    def __init__(self) -> None:
        super().__init__()
        self.client = chromadb.EphemeralClient()
        self.col = self.client.create_collection(
            _name(), schema=_sparse_schema(), embedding_function=None
        )
        self.stored: Stored = {}
        self.next = 0

    @rule(vectors=st.lists(st.one_of(st.none(), sparse_vectors()), min_size=1, max_size=5))
    def add(self, vectors: List[Optional[SparseVector]]) -> None:
        batch: Stored = {}
        for vector in vectors:
            batch[f"r{self.next:03d}"] = (vector, self.next % 2)
            self.next += 1
        _add(self.col, batch)
        self.stored.update(batch)

    @rule(data=st.data(), vector=st.one_of(st.none(), sparse_vectors()))
    def update_vector(self, data: Any, vector: Optional[SparseVector]) -> None:
        if self.stored:
            rid = data.draw(st.sampled_from(sorted(self.stored)))
            self.col.update(ids=[rid], metadatas=[{"sp": vector}])
            self.stored[rid] = (vector, self.stored[rid][1])

    @rule(data=st.data())
    def update_embedding(self, data: Any) -> None:
        if self.stored:
            rid = data.draw(st.sampled_from(sorted(self.stored)))
            self.col.update(ids=[rid], embeddings=[[0.3] * DIM])

    @rule(data=st.data(), vector=sparse_vectors())
    def upsert(self, data: Any, vector: SparseVector) -> None:
        known = sorted(self.stored)
        rid = data.draw(st.sampled_from(known)) if known and data.draw(st.booleans()) else None
        if rid is None:
            rid = f"r{self.next:03d}"
            self.next += 1
        self.col.upsert(ids=[rid], embeddings=[[0.4] * DIM], metadatas=[{"g": 0, "sp": vector}])
        self.stored[rid] = (vector, 0)

    @rule(data=st.data())
    def delete(self, data: Any) -> None:
        if self.stored:
            rid = data.draw(st.sampled_from(sorted(self.stored)))
            self.col.delete(ids=[rid])
            del self.stored[rid]

    @invariant()
    def top_k_is_brute_force(self) -> None:
        query = SparseVector(list(range(0, VOCAB, 3)), [1.0] * len(range(0, VOCAB, 3)))
        _assert_ranking(_search(self.col, query, 8), brute_force(self.stored, query, 8))

    def teardown(self) -> None:
        self.client.delete_collection(self.col.name)


SparseWrites.TestCase.settings = settings(max_examples=10, stateful_step_count=12, deadline=None)
test_random_write_sequences_keep_the_index_right = SparseWrites.TestCase


def test_export_and_import_keep_sparse_vectors_and_their_index(tmp_path: Path) -> None:
    import subprocess
    import sys

    SharedSystemClient.clear_system_cache()
    source = chromadb.PersistentClient(path=str(tmp_path / "a"))
    col = source.create_collection("moved", schema=_sparse_schema(), embedding_function=None)
    stored: Stored = {f"r{i:03d}": (SparseVector([i % 4, 6], [1.0, 0.25 * i]), 0) for i in range(8)}
    _add(col, stored)
    SharedSystemClient.clear_system_cache()
    export = tmp_path / "out.parquet"
    for args in (
        ["export", "--quiet", "--path", str(tmp_path / "a"), str(export)],
        ["import", "--quiet", "--path", str(tmp_path / "b"), str(export)],
    ):
        done = subprocess.run(
            [sys.executable, "-m", "chromadb.cli", *args],
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert done.returncode == 0, done.stderr[-2000:]
    moved = chromadb.PersistentClient(path=str(tmp_path / "b")).get_collection(
        "moved", embedding_function=None
    )
    query = SparseVector([2, 6], [1.0, 1.0])
    try:
        _assert_ranking(_search(moved, query, 5), brute_force(stored, query, 5))
    finally:
        SharedSystemClient.clear_system_cache()


def test_the_hybrid_benchmark_runs(tmp_path: Path) -> None:
    # bench/search.py at a tiny size: every phase prints its figures (no timing is asserted).
    import subprocess
    import sys

    repo = Path(__file__).resolve().parents[2]
    done = subprocess.run(
        [sys.executable, "-m", "bench.search", "--n", "300", "--queries", "3", "--dim", "8"],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=repo,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    lines = [line for line in done.stdout.splitlines() if "p50" in line or "ingest" in line]
    assert len(lines) == 4, done.stdout
    assert "BM25 sparse index" in lines[0]
