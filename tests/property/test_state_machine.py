"""Random sequences of add / update / upsert / delete / get / query / count, run on the engine and
on the brute-force model of ``reference.py``, compared after every step.

The machine runs in memory, on disk (with a ``reopen`` rule that drops every client and opens the
folder again) and over HTTP (fewer examples). When the model raises, the engine must raise the
same error class, and vice versa.
"""

from __future__ import annotations

import hashlib
import math
import shutil
import tempfile
import uuid
from typing import Any, Callable, ClassVar, Dict, List, Optional, Tuple

import pytest
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)

import chromadb
from chromadb.api.client import clear_system_cache
from chromadb.config import Settings
from chromadb.errors import ChromaError

from . import strategies as S
from .reference import Record, ReferenceCollection

pytestmark = pytest.mark.usefixtures("fresh_systems")

TOL = 1e-4


class HashEmbeddingFunction:
    """Deterministic embedding function of any dimension (documents -> quarter-step vectors)."""

    def __init__(self, dim: int) -> None:
        self.dim = dim

    def __call__(self, input: List[str]) -> List[List[float]]:
        out = []
        for doc in input:
            digest = hashlib.sha256(doc.encode("utf-8")).digest()
            out.append([(b % 33 - 16) / 4 for b in digest[: self.dim]])
        return out


# -- backends: how a machine gets (and re-gets) its client ---------------------------------------
class Backend:
    """Opens a client for one machine run and cleans up after it."""

    def open(self) -> Any:
        raise NotImplementedError

    def reopen(self) -> Any:
        raise NotImplementedError

    def close(self) -> None:
        clear_system_cache()


class MemoryBackend(Backend):
    def open(self) -> Any:
        clear_system_cache()
        return chromadb.EphemeralClient(Settings(allow_reset=True))


class PersistentBackend(Backend):
    def open(self) -> Any:
        clear_system_cache()
        self.path = tempfile.mkdtemp(prefix="chroma-sm-")
        return chromadb.PersistentClient(path=self.path, settings=Settings(allow_reset=True))

    def reopen(self) -> Any:
        # Drop every client and engine of this process, then open the folder afresh.
        clear_system_cache()
        return chromadb.PersistentClient(path=self.path, settings=Settings(allow_reset=True))

    def close(self) -> None:
        clear_system_cache()
        shutil.rmtree(self.path, ignore_errors=True)


class HttpBackend(Backend):
    def __init__(self, host: str, port: int) -> None:
        self.host, self.port = host, port

    def open(self) -> Any:
        return chromadb.HttpClient(
            host=self.host, port=self.port, settings=Settings(allow_reset=True)
        )


# -- comparing results ---------------------------------------------------------------------------
def _strict(value: Any) -> Any:
    """A value with its type attached, so True != 1 and 1 != 1.0 when comparing metadata."""
    if isinstance(value, dict):
        return {k: _strict(v) for k, v in value.items()}
    return (type(value).__name__, value)


def _floats(embedding: Any) -> List[float]:
    return [float(x) for x in embedding]


def _same_embedding(got: Any, want: Tuple[float, ...]) -> bool:
    g = _floats(got)
    return len(g) == len(want) and all(
        math.isclose(a, b, rel_tol=1e-6, abs_tol=1e-6) for a, b in zip(g, want)
    )


def _check_fields(
    result: Dict[str, Any], records: List[Record], include: List[str], where: str
) -> None:
    """Compare the included fields of a get/query row list against the model's records."""
    fields = {
        "embeddings": "embedding",
        "metadatas": "metadata",
        "documents": "document",
        "uris": "uri",
    }
    for key, attr in fields.items():
        got = result.get(key)
        if key not in include:
            assert got is None, f"{where}: {key} not included but returned {got!r}"
            continue
        assert got is not None and len(got) == len(records), f"{where}: {key} = {got!r}"
        for value, record in zip(got, records):
            want = getattr(record, attr)
            if key == "embeddings":
                assert _same_embedding(value, want), (
                    f"{where}: {record.id} embedding {value!r} != {want!r}"
                )
            elif key == "metadatas":
                assert _strict(value) == _strict(want), (
                    f"{where}: {record.id} metadata {value!r} != {want!r}"
                )
            else:
                assert value == want, f"{where}: {record.id} {attr} {value!r} != {want!r}"


def _call_both(
    engine: Callable[[], Any], model: Callable[[], Any], what: str
) -> Optional[Tuple[Any, Any]]:
    """Run one operation on both sides; both must succeed, or both fail with the same class."""
    model_error: Optional[ChromaError] = None
    try:
        want = model()
    except ChromaError as exc:
        model_error = exc
    try:
        got = engine()
    except ChromaError as exc:
        assert model_error is not None, f"{what}: engine raised {exc!r}, the model accepts it"
        assert type(exc) is type(model_error), (
            f"{what}: engine raised {type(exc).__name__}({exc}), model {type(model_error).__name__}"
        )
        return None
    assert model_error is None, f"{what}: engine accepted it, the model raises {model_error!r}"
    return got, want


class ChromaMachine(RuleBasedStateMachine):
    """One collection, driven at random and checked against the model after every call."""

    backend: ClassVar[Backend]

    def __init__(self) -> None:
        super().__init__()
        self.client = self.backend.open()
        self.name = f"sm-{uuid.uuid4().hex[:12]}"
        self.model = ReferenceCollection()
        self.collection: Any = None
        self.dim = 0
        self.ef = HashEmbeddingFunction(2)

    def teardown(self) -> None:
        try:
            if isinstance(self.backend, HttpBackend):
                self.client.delete_collection(self.name)
        finally:
            self.backend.close()

    @initialize(dim=st.integers(2, 8), space=st.sampled_from(S.SPACES))
    def create_collection(self, dim: int, space: str) -> None:
        self.dim = dim
        self.ef = HashEmbeddingFunction(dim)
        self.model = ReferenceCollection(space)
        self.collection = self.client.create_collection(
            self.name, metadata={"hnsw:space": space}, embedding_function=self.ef
        )

    # -- drawing batches ----------------------------------------------------------------------
    def _draw_batch(self, data: st.DataObject, op: str) -> Dict[str, Any]:
        """ids plus some of embeddings / metadatas / documents / uris, with at most one fault."""
        existing = list(self.model.records)
        # (Rare branches test the largest value of a small integer: Hypothesis favours the
        # smallest, which would make them the common case.)
        if op == "add":
            # Mostly new ids; now and then one that exists, which must reject the whole batch.
            ids = data.draw(S.new_id_batch(existing), label="ids")
            if existing and data.draw(st.integers(0, 5), label="collide") == 5:
                ids[-1] = data.draw(st.sampled_from(existing), label="existing id")
        else:
            ids = data.draw(S.id_batch(existing), label="ids")
        fault = data.draw(st.sampled_from(["none"] * 8 + ["duplicate", "dimension"]), label="fault")
        n = len(ids)
        batch: Dict[str, Any] = {"ids": ids}
        with_docs_only = data.draw(st.integers(0, 5), label="docs-only") == 5
        if op == "update":
            fields = data.draw(
                st.sets(st.sampled_from(["embeddings", "metadatas", "documents", "uris"])),
                label="fields",
            )
        else:
            fields = {"documents"} if with_docs_only else {"embeddings"}
            fields |= data.draw(
                st.sets(st.sampled_from(["metadatas", "documents", "uris"])), label="fields"
            )
        if "embeddings" in fields and not with_docs_only:
            batch["embeddings"] = [data.draw(S.embeddings(self.dim), label="emb") for _ in range(n)]
        if "metadatas" in fields:
            batch["metadatas"] = [data.draw(S.metadata(True), label="meta") for _ in range(n)]
        if "documents" in fields:
            batch["documents"] = [data.draw(S.documents, label="doc") for _ in range(n)]
        if "uris" in fields:
            batch["uris"] = [data.draw(S.uris, label="uri") for _ in range(n)]
        known = [i for i in ids if i in self.model.records]
        # Inject a fault only where the expected error is unambiguous (else which error comes
        # first is a matter of checking order): add must not also hit existing ids, update must
        # not skip unknown ones, and a wrong dimension needs a dimension already set.
        if (op == "add" and known) or (op == "update" and len(known) < n):
            fault = "none"
        if fault == "duplicate":
            batch["ids"] = ids + [ids[0]]
            for key in ("embeddings", "metadatas", "documents", "uris"):
                if key in batch:
                    batch[key] = batch[key] + [batch[key][0]]
        elif fault == "dimension" and "embeddings" in batch and self.model.records:
            batch["embeddings"][0] = batch["embeddings"][0] + [0.5]
        return batch

    def _model_batch(self, batch: Dict[str, Any]) -> Dict[str, Any]:
        """The batch the model sees: documents without embeddings get the collection's embedding."""
        model_batch = dict(batch)
        if "embeddings" not in batch and "documents" in batch:
            model_batch["embeddings"] = self.ef(batch["documents"])
        return model_batch

    # -- writes ---------------------------------------------------------------------------------
    @rule(data=st.data())
    def add(self, data: st.DataObject) -> None:
        batch = self._draw_batch(data, "add")
        _call_both(
            lambda: self.collection.add(**batch),
            lambda: self.model.add(**self._model_batch(batch)),
            f"add {batch}",
        )

    @rule(data=st.data())
    def upsert(self, data: st.DataObject) -> None:
        batch = self._draw_batch(data, "upsert")
        _call_both(
            lambda: self.collection.upsert(**batch),
            lambda: self.model.upsert(**self._model_batch(batch)),
            f"upsert {batch}",
        )

    @rule(data=st.data())
    def update(self, data: st.DataObject) -> None:
        batch = self._draw_batch(data, "update")
        _call_both(
            lambda: self.collection.update(**batch),
            lambda: self.model.update(**self._model_batch(batch)),
            f"update {batch}",
        )

    @rule(data=st.data())
    def delete(self, data: st.DataObject) -> None:
        ids: Optional[List[str]] = None
        where: Optional[Dict[str, Any]] = None
        where_document: Optional[Dict[str, Any]] = None
        if data.draw(st.booleans(), label="by ids"):
            ids = data.draw(S.id_batch(list(self.model.records), max_size=4), label="ids")
        else:
            # By filter (at least one given: no filter at all deletes everything).
            where = data.draw(st.one_of(st.none(), S.wheres), label="where")
            where_document = data.draw(
                S.where_documents if where is None else S.optional_where_document,
                label="where_document",
            )
            ids = data.draw(st.one_of(st.none(), S.id_batch(list(self.model.records))), label="ids")
        _call_both(
            lambda: self.collection.delete(ids=ids, where=where, where_document=where_document),
            lambda: self.model.delete(ids=ids, where=where, where_document=where_document),
            f"delete ids={ids} where={where} where_document={where_document}",
        )

    @precondition(lambda self: len(self.model.records) > 30)
    @rule()
    def delete_everything(self) -> None:
        # With no argument, delete removes every record (as the seed documents).
        _call_both(lambda: self.collection.delete(), lambda: self.model.delete(), "delete()")

    # -- reads ----------------------------------------------------------------------------------
    @rule(data=st.data())
    def get_by_ids(self, data: st.DataObject) -> None:
        ids = data.draw(S.id_batch(list(self.model.records), max_size=6), label="ids")
        if data.draw(st.integers(0, 9), label="dup") == 9:
            ids = ids + [ids[0]]
        where = data.draw(st.one_of(st.none(), S.wheres), label="where")
        include = data.draw(S.get_includes, label="include")
        out = _call_both(
            lambda: self.collection.get(ids=ids, where=where, include=include),
            lambda: self.model.get(ids=ids, where=where),
            f"get ids={ids} where={where}",
        )
        if out is not None:
            self._check_get(out[0], out[1], include, f"get ids={ids} where={where}")

    @rule(data=st.data())
    def get_by_filter(self, data: st.DataObject) -> None:
        where = data.draw(S.optional_where, label="where")
        where_document = data.draw(S.optional_where_document, label="where_document")
        limit = data.draw(st.one_of(st.none(), st.integers(0, 12)), label="limit")
        offset = data.draw(st.one_of(st.none(), st.integers(0, 12)), label="offset")
        include = data.draw(S.get_includes, label="include")
        what = f"get where={where} where_document={where_document} limit={limit} offset={offset}"
        out = _call_both(
            lambda: self.collection.get(
                where=where,
                where_document=where_document,
                limit=limit,
                offset=offset,
                include=include,
            ),
            lambda: self.model.get(
                where=where, where_document=where_document, limit=limit, offset=offset
            ),
            what,
        )
        if out is not None:
            self._check_get(out[0], out[1], include, what)

    def _check_get(self, got: Any, want: List[Record], include: List[str], what: str) -> None:
        assert list(got["ids"]) == [r.id for r in want], (
            f"{what}: ids {got['ids']} != {[r.id for r in want]}"
        )
        _check_fields(dict(got), want, include, what)

    @rule(data=st.data())
    def query(self, data: st.DataObject) -> None:
        records = list(self.model.records.values())
        n_queries = data.draw(st.integers(1, 3), label="n_queries")
        queries: List[List[float]] = []
        for _ in range(n_queries):
            stored = data.draw(st.booleans(), label="stored") if records else False
            if stored:
                queries.append(list(data.draw(st.sampled_from(records), label="q").embedding))
            else:
                queries.append(data.draw(S.embeddings(self.dim), label="q"))
        if records and data.draw(st.integers(0, 11), label="fault") == 11:
            queries[0] = queries[0] + [1.0]
        n_results = data.draw(st.integers(1, len(records) + 3), label="n_results")
        where = data.draw(S.optional_where, label="where")
        where_document = data.draw(S.optional_where_document, label="where_document")
        include = data.draw(S.query_includes, label="include")
        what = f"query n={n_results} where={where} where_document={where_document} q={queries}"
        out = _call_both(
            lambda: self.collection.query(
                query_embeddings=queries,
                n_results=n_results,
                where=where,
                where_document=where_document,
                include=include,
            ),
            lambda: self.model.query(
                queries, n_results, where=where, where_document=where_document
            ),
            what,
        )
        if out is None:
            return
        got, want = out
        assert len(got["ids"]) == n_queries, f"{what}: {len(got['ids'])} result lists"
        for qi, scored in enumerate(want):
            self._check_one_query(got, qi, scored, n_results, include, what)

    def _check_one_query(
        self,
        got: Any,
        qi: int,
        scored: List[Tuple[str, float]],
        n_results: int,
        include: List[str],
        what: str,
    ) -> None:
        ids = list(got["ids"][qi])
        k = min(n_results, len(scored))
        assert len(ids) == k, f"{what}: query {qi} returned {len(ids)} ids, expected {k}"
        assert len(set(ids)) == len(ids), f"{what}: duplicate ids {ids}"
        exact = dict(scored)
        for id_ in ids:
            assert id_ in exact, f"{what}: query {qi} returned {id_!r}, which does not match"
        if k:
            # Ties may come in any order: every id returned must be within the k nearest.
            kth = scored[k - 1][1]
            for id_ in ids:
                assert exact[id_] <= kth + TOL * max(1.0, abs(kth)), (
                    f"{what}: {id_} is not among the {k} nearest"
                )
        if "distances" in include:
            distances = [float(d) for d in got["distances"][qi]]
            for id_, d in zip(ids, distances):
                assert math.isclose(d, exact[id_], rel_tol=TOL, abs_tol=TOL), (
                    f"{what}: distance to {id_} is {d}, expected {exact[id_]}"
                )
            for a, b in zip(distances, distances[1:]):
                assert a <= b + TOL * max(1.0, abs(b)), (
                    f"{what}: distances not ascending {distances}"
                )
        else:
            assert got.get("distances") is None, f"{what}: distances not included but returned"
        row = {
            key: (got[key][qi] if got.get(key) is not None else None)
            for key in ("embeddings", "metadatas", "documents", "uris")
        }
        _check_fields(row, [self.model.records[i] for i in ids], include, what)

    @invariant()
    def count_agrees(self) -> None:
        if self.collection is not None:
            assert self.collection.count() == self.model.count()


class PersistentMachine(ChromaMachine):
    """The same machine on disk, with a rule that drops the client and reopens the folder."""

    @rule()
    def reopen(self) -> None:
        self.client = self.backend.reopen()
        self.collection = self.client.get_collection(self.name, embedding_function=self.ef)


def _run(machine: type, backend: Backend, max_examples: int, steps: int) -> None:
    machine.backend = backend  # type: ignore[attr-defined]
    run_state_machine_as_test(
        machine, settings=settings(max_examples=max_examples, stateful_step_count=steps)
    )


def test_state_machine_memory() -> None:
    _run(ChromaMachine, MemoryBackend(), max_examples=200, steps=40)


def test_state_machine_persistent() -> None:
    _run(PersistentMachine, PersistentBackend(), max_examples=100, steps=40)


def test_state_machine_http(http_server: Any) -> None:
    _run(ChromaMachine, HttpBackend(http_server.host, http_server.port), max_examples=30, steps=30)


@pytest.mark.parametrize("space", S.SPACES)
def test_reference_distance_of_zero_vector_is_one_for_cosine(space: str) -> None:
    # Guards the model itself: cosine distance to a zero vector is defined as 1.
    from .reference import distance

    if space == "cosine":
        assert distance(space, [0.0, 0.0], [1.0, 0.0]) == 1.0
    else:
        assert distance(space, [0.0, 0.0], [1.0, 0.0]) == {"l2": 1.0, "ip": 1.0}[space]
