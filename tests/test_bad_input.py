"""Every kind of bad input gets a clear error of the promised class, and changes nothing.

Runs over the ``client`` fixture (memory, persistent, http): the HTTP client must raise the same
classes as the embedded engine. "Changes nothing" is checked by comparing everything the
collection holds before and after the rejected call.
"""

from __future__ import annotations

from typing import Any, Callable, Dict

import pytest

import chromadb
from chromadb.config import Settings
from chromadb.errors import (
    AuthorizationError,
    ChromaError,
    DuplicateIDError,
    InvalidArgumentError,
    InvalidDimensionException,
    NotFoundError,
    UniqueConstraintError,
)

pytestmark = pytest.mark.usefixtures("fresh_systems")

Snapshot = Callable[[Any], Dict[str, Any]]


@pytest.fixture
def col(client: Any, ef: Any) -> Any:
    """A 3-d collection holding three records."""
    c = client.create_collection("bad-input", embedding_function=ef)
    c.add(
        ids=["a", "b", "c"],
        embeddings=[[1.0, 0.0, 0.0], [0.0, 1.0, 0.0], [0.0, 0.0, 1.0]],
        metadatas=[{"n": 1, "s": "x"}, {"n": 2}, {"flag": True}],
        documents=["apple pie", "banana split", "cherry tart"],
    )
    return c


# -- collection names --------------------------------------------------------------------------
BAD_NAMES = [
    pytest.param("ab", id="too-short"),
    pytest.param("a" * 513, id="too-long"),
    pytest.param("-abc", id="starts-with-dash"),
    pytest.param("abc_", id="ends-with-underscore"),
    pytest.param(".abc", id="starts-with-dot"),
    pytest.param("ab..cd", id="two-dots"),
    pytest.param("192.168.1.1", id="ipv4"),
    pytest.param("ab cd", id="space"),
    pytest.param("ab/cd", id="slash"),
    pytest.param("abc!", id="bang"),
    pytest.param("naïve", id="non-ascii"),
]
GOOD_NAMES = ["abc", "a" * 512, "a.b-c_d", "1.2.3", "A1-b2.C3", "256.256.256.256x"]


@pytest.mark.parametrize("name", BAD_NAMES)
def test_invalid_collection_name_is_rejected(client: Any, ef: Any, name: str) -> None:
    before = client.count_collections()
    with pytest.raises(InvalidArgumentError) as info:
        client.create_collection(name, embedding_function=ef)
    assert isinstance(info.value, ValueError)
    assert name in str(info.value), f"the message should name the bad name: {info.value}"
    assert client.count_collections() == before


def test_empty_collection_name_is_rejected(client: Any, ef: Any) -> None:
    with pytest.raises(InvalidArgumentError):
        client.create_collection("", embedding_function=ef)
    assert client.count_collections() == 0


@pytest.mark.parametrize("name", GOOD_NAMES)
def test_valid_collection_names_are_accepted(client: Any, ef: Any, name: str) -> None:
    assert client.create_collection(name, embedding_function=ef).name == name
    assert client.get_collection(name, embedding_function=ef).name == name


@pytest.mark.parametrize("name", ["ab", "x..y", "10.0.0.1"])
def test_rename_to_invalid_name_is_rejected(col: Any, client: Any, ef: Any, name: str) -> None:
    with pytest.raises(InvalidArgumentError):
        col.modify(name=name)
    assert client.get_collection("bad-input", embedding_function=ef).name == "bad-input"


def test_duplicate_collection_is_rejected(client: Any, ef: Any) -> None:
    client.create_collection("taken", metadata={"v": 1}, embedding_function=ef)
    with pytest.raises(UniqueConstraintError) as info:
        client.create_collection("taken", metadata={"v": 2}, embedding_function=ef)
    assert isinstance(info.value, ValueError)
    assert "taken" in str(info.value)
    assert client.get_collection("taken", embedding_function=ef).metadata == {"v": 1}
    assert client.count_collections() == 1


def test_rename_onto_existing_collection_is_rejected(client: Any, ef: Any) -> None:
    first = client.create_collection("first", embedding_function=ef)
    client.create_collection("second", embedding_function=ef)
    with pytest.raises(UniqueConstraintError):
        first.modify(name="second")
    assert sorted(c.name for c in client.list_collections()) == ["first", "second"]


@pytest.mark.parametrize("call", ["get", "delete"])
def test_missing_collection_is_not_found(client: Any, ef: Any, call: str) -> None:
    client.create_collection("present", embedding_function=ef)
    with pytest.raises(NotFoundError) as info:
        if call == "get":
            client.get_collection("absent", embedding_function=ef)
        else:
            client.delete_collection("absent")
    assert isinstance(info.value, ValueError)
    assert "absent" in str(info.value)
    assert [c.name for c in client.list_collections()] == ["present"]


def test_collection_handle_after_delete_is_not_found(client: Any, col: Any) -> None:
    client.delete_collection("bad-input")
    with pytest.raises(NotFoundError):
        col.add(ids=["z"], embeddings=[[1.0, 1.0, 1.0]])
    with pytest.raises(NotFoundError):
        col.count()


@pytest.mark.parametrize("space", ["euclid", "L2 ", "dot"])
def test_unknown_distance_space_is_rejected(client: Any, ef: Any, space: str) -> None:
    with pytest.raises(InvalidArgumentError) as info:
        client.create_collection("spaced", metadata={"hnsw:space": space}, embedding_function=ef)
    assert space.strip() in str(info.value) or "hnsw:space" in str(info.value)
    assert client.count_collections() == 0


def test_distance_space_cannot_be_modified(client: Any, ef: Any) -> None:
    c = client.create_collection("spaced", metadata={"hnsw:space": "cosine"}, embedding_function=ef)
    with pytest.raises(InvalidArgumentError):
        c.modify(metadata={"hnsw:space": "l2"})
    assert client.get_collection("spaced", embedding_function=ef).metadata == {
        "hnsw:space": "cosine"
    }


# -- ids -------------------------------------------------------------------------------------------
@pytest.mark.parametrize("method", ["add", "upsert", "update"])
def test_duplicate_ids_in_a_batch(col: Any, snapshot: Snapshot, method: str) -> None:
    before = snapshot(col)
    with pytest.raises(DuplicateIDError) as info:
        getattr(col, method)(ids=["a", "new", "a"], embeddings=[[1.0, 1.0, 1.0]] * 3)
    assert isinstance(info.value, ValueError)
    assert "a" in str(info.value)
    assert snapshot(col) == before


def test_duplicate_ids_in_get(col: Any) -> None:
    with pytest.raises(DuplicateIDError):
        col.get(ids=["a", "b", "a"])


def test_existing_ids_are_skipped_and_the_rest_added(col: Any, snapshot: Snapshot) -> None:
    # Real Chroma's rule: an add never changes a record that exists; the new ones go in.
    before = snapshot(col)
    col.add(ids=["new1", "b", "new2"], embeddings=[[9.0, 9.0, 9.0]] * 3, documents=["x"] * 3)
    after = snapshot(col)
    assert after["count"] == before["count"] + 2
    b = before["ids"].index("b")
    assert after["embeddings"][b] == before["embeddings"][b]
    assert after["documents"][b] == before["documents"][b]


def test_empty_ids_are_rejected(col: Any, snapshot: Snapshot) -> None:
    before = snapshot(col)
    with pytest.raises(InvalidArgumentError):
        col.add(ids=[], embeddings=[])
    with pytest.raises(InvalidArgumentError):
        col.add(ids=["ok", ""], embeddings=[[1.0, 1.0, 1.0]] * 2)
    assert snapshot(col) == before


# -- lengths ---------------------------------------------------------------------------------------
@pytest.mark.parametrize("field", ["embeddings", "metadatas", "documents", "uris"])
def test_mismatched_lengths_are_rejected(col: Any, snapshot: Snapshot, field: str) -> None:
    before = snapshot(col)
    args: Dict[str, Any] = {"ids": ["x", "y"], "embeddings": [[1.0, 1.0, 1.0]] * 2}
    args[field] = {
        "embeddings": [[1.0, 1.0, 1.0]] * 3,
        "metadatas": [{"k": 1}],
        "documents": ["one"],
        "uris": ["u1", "u2", "u3"],
    }[field]
    with pytest.raises(InvalidArgumentError) as info:
        col.add(**args)
    message = str(info.value)
    assert "2" in message and str(len(args[field])) in message, f"counts not named: {message}"
    assert snapshot(col) == before


# -- dimensions ------------------------------------------------------------------------------------
def test_wrong_dimension_on_add(col: Any, snapshot: Snapshot) -> None:
    before = snapshot(col)
    with pytest.raises(InvalidDimensionException) as info:
        col.add(ids=["x"], embeddings=[[1.0, 2.0]])
    assert isinstance(info.value, InvalidArgumentError)
    assert "3" in str(info.value) and "2" in str(info.value)
    assert snapshot(col) == before


def test_mixed_dimensions_in_one_batch(client: Any, ef: Any, snapshot: Snapshot) -> None:
    fresh = client.create_collection("fresh", embedding_function=ef)
    with pytest.raises(InvalidDimensionException):
        fresh.add(ids=["x", "y"], embeddings=[[1.0, 2.0, 3.0], [1.0, 2.0]])
    assert fresh.count() == 0
    # The failed batch did not fix the dimension: a 2-d batch is still accepted.
    fresh.add(ids=["x"], embeddings=[[1.0, 2.0]])
    assert fresh.count() == 1


@pytest.mark.parametrize("method", ["update", "upsert"])
def test_wrong_dimension_on_update_and_upsert(col: Any, snapshot: Snapshot, method: str) -> None:
    before = snapshot(col)
    with pytest.raises(InvalidDimensionException):
        getattr(col, method)(ids=["a"], embeddings=[[1.0, 2.0, 3.0, 4.0]])
    assert snapshot(col) == before


def test_wrong_dimension_on_query(col: Any) -> None:
    with pytest.raises(InvalidDimensionException):
        col.query(query_embeddings=[[1.0, 2.0]], n_results=1)


@pytest.mark.parametrize("value", [float("nan"), float("inf"), float("-inf")])
def test_non_finite_embedding_is_rejected(col: Any, snapshot: Snapshot, value: float) -> None:
    before = snapshot(col)
    with pytest.raises(InvalidArgumentError):
        col.add(ids=["x"], embeddings=[[1.0, value, 0.0]])
    assert snapshot(col) == before


# -- metadata --------------------------------------------------------------------------------------
BAD_METADATA = [
    pytest.param({"tags": []}, "tags", id="empty-list"),
    pytest.param({"tags": ["a", 1]}, "tags", id="mixed-list"),
    pytest.param({"nested": {"a": 1}}, "nested", id="dict"),
    pytest.param({"when": float("nan")}, "when", id="nan"),
    pytest.param({"big": float("inf")}, "big", id="inf"),
    pytest.param({"": "empty key"}, "", id="empty-key"),
]


@pytest.mark.parametrize(("metadata", "key"), BAD_METADATA)
@pytest.mark.parametrize("method", ["add", "upsert", "update"])
def test_unsupported_metadata_is_rejected(
    col: Any, snapshot: Snapshot, method: str, metadata: Dict[str, Any], key: str
) -> None:
    before = snapshot(col)
    ids = ["a", "zz"] if method != "add" else ["zz", "yy"]
    with pytest.raises(InvalidArgumentError) as info:
        getattr(col, method)(
            ids=ids, embeddings=[[0.5, 0.5, 0.5]] * 2, metadatas=[{"fine": 1}, metadata]
        )
    if key:
        assert key in str(info.value), f"the message should name the key: {info.value}"
    assert snapshot(col) == before


def test_non_string_metadata_key_is_rejected(col: Any, snapshot: Snapshot) -> None:
    before = snapshot(col)
    with pytest.raises(InvalidArgumentError):
        col.add(ids=["zz"], embeddings=[[0.5, 0.5, 0.5]], metadatas=[{1: "one"}])
    assert snapshot(col) == before


def test_bad_collection_metadata_is_rejected(client: Any, ef: Any) -> None:
    with pytest.raises(InvalidArgumentError):
        client.create_collection("meta-bad", metadata={"tags": ["a"]}, embedding_function=ef)
    assert client.count_collections() == 0


# -- filters ---------------------------------------------------------------------------------------
BAD_WHERE = [
    pytest.param({"n": {"$foo": 1}}, "$foo", id="unknown-operator"),
    pytest.param({"n": {"$gt": "x"}}, "$gt", id="gt-string"),
    pytest.param({"n": {"$lt": True}}, "$lt", id="lt-bool"),
    pytest.param({"n": {"$in": []}}, "$in", id="in-empty"),
    pytest.param({"n": {"$in": 1}}, "$in", id="in-scalar"),
    pytest.param({"n": {"$nin": [[1]]}}, "$nin", id="nin-nested"),
    pytest.param({"n": {"$eq": [1]}}, "$eq", id="eq-list"),
    pytest.param({"n": {"$ne": {"a": 1}}}, "$ne", id="ne-dict"),
    pytest.param({"n": [1, 2]}, "n", id="bare-list"),
    pytest.param({"$and": []}, "$and", id="and-empty"),
    pytest.param({"$or": {"n": 1}}, "$or", id="or-dict"),
    pytest.param({"$and": [1]}, ("$and", "got 1"), id="and-scalar"),
    pytest.param({"$not": {"n": 1}}, "$not", id="top-level-unknown"),
    pytest.param({"n": {"$gt": 1, "$lt": 3}}, "n", id="two-operators"),
]
BAD_WHERE_DOCUMENT = [
    pytest.param({"$contains": 1}, "$contains", id="contains-int"),
    pytest.param({"$contains": ""}, "$contains", id="contains-empty"),
    pytest.param({"$not_contains": ["a"]}, "$not_contains", id="not-contains-list"),
    pytest.param({"$like": "a"}, "$like", id="unknown-operator"),
    pytest.param({"$and": []}, "$and", id="and-empty"),
    pytest.param({"$or": "x"}, "$or", id="or-string"),
    pytest.param({"apple": "pie"}, "apple", id="not-an-operator"),
]


def _assert_names(error: Exception, token: Any) -> None:
    """The message names the offending operator or operand (any of several wordings)."""
    tokens = token if isinstance(token, tuple) else (token,)
    assert any(t in str(error) for t in tokens), f"the message should name {token!r}: {error}"


def _filtered_call(col: Any, call: str, **filters: Any) -> Any:
    if call == "get":
        return col.get(**filters)
    if call == "query":
        return col.query(query_embeddings=[[1.0, 0.0, 0.0]], n_results=2, **filters)
    return col.delete(**filters)


@pytest.mark.parametrize("call", ["get", "query", "delete"])
@pytest.mark.parametrize(("where", "token"), BAD_WHERE)
def test_bad_where_is_rejected(
    col: Any, snapshot: Snapshot, call: str, where: Any, token: str
) -> None:
    before = snapshot(col)
    with pytest.raises(InvalidArgumentError) as info:
        _filtered_call(col, call, where=where)
    _assert_names(info.value, token)
    assert snapshot(col) == before


@pytest.mark.parametrize("call", ["get", "query", "delete"])
@pytest.mark.parametrize(("where_document", "token"), BAD_WHERE_DOCUMENT)
def test_bad_where_document_is_rejected(
    col: Any, snapshot: Snapshot, call: str, where_document: Any, token: str
) -> None:
    before = snapshot(col)
    with pytest.raises(InvalidArgumentError) as info:
        _filtered_call(col, call, where_document=where_document)
    _assert_names(info.value, token)
    assert snapshot(col) == before


# -- get / query arguments -------------------------------------------------------------------------
@pytest.mark.parametrize(
    "kwargs",
    [
        pytest.param({"include": ["distances"]}, id="distances-in-get"),
        pytest.param({"include": ["everything"]}, id="unknown-include"),
        pytest.param({"limit": -1}, id="negative-limit"),
        pytest.param({"offset": -2}, id="negative-offset"),
    ],
)
def test_bad_get_arguments(col: Any, kwargs: Dict[str, Any]) -> None:
    with pytest.raises(InvalidArgumentError):
        col.get(**kwargs)


@pytest.mark.parametrize("n_results", [0, -1])
def test_bad_n_results(col: Any, n_results: int) -> None:
    with pytest.raises(InvalidArgumentError):
        col.query(query_embeddings=[[1.0, 0.0, 0.0]], n_results=n_results)


def test_query_needs_embeddings_or_texts(col: Any) -> None:
    with pytest.raises(InvalidArgumentError):
        col.query(n_results=1)


def test_add_needs_embeddings_or_documents(col: Any, snapshot: Snapshot) -> None:
    before = snapshot(col)
    with pytest.raises(InvalidArgumentError):
        col.add(ids=["x"], metadatas=[{"k": 1}])
    assert snapshot(col) == before


def test_documents_without_embedding_function(client: Any, snapshot: Snapshot) -> None:
    c = client.create_collection("no-ef", embedding_function=None)
    with pytest.raises(InvalidArgumentError):
        c.add(ids=["x"], documents=["text"])
    assert c.count() == 0


# -- a batch is stored whole or not at all ---------------------------------------------------------
def test_one_bad_record_rejects_the_whole_upsert(col: Any, snapshot: Snapshot) -> None:
    before = snapshot(col)
    with pytest.raises(InvalidArgumentError):
        col.upsert(
            ids=["a", "new"],
            embeddings=[[9.0, 9.0, 9.0], [8.0, 8.0, 8.0]],
            metadatas=[{"n": 100}, {"bad": [1, "x"]}],
        )
    assert snapshot(col) == before


def test_errors_are_chroma_errors_with_names(col: Any) -> None:
    # Every error above is a ChromaError that can travel over HTTP by name.
    with pytest.raises(ChromaError) as info:
        col.add(ids=["a", "a"], embeddings=[[1.0, 1.0, 1.0]] * 2)
    assert info.value.name() == "DuplicateID"
    assert info.value.code() == 400


def test_reset_refused_without_allow_reset(tmp_path: Any, ef: Any) -> None:
    client = chromadb.PersistentClient(
        path=str(tmp_path / "db"), settings=Settings(allow_reset=False)
    )
    client.create_collection("kept", embedding_function=ef)
    with pytest.raises(AuthorizationError) as info:
        client.reset()
    assert "allow_reset" in str(info.value).lower() or "reset" in str(info.value).lower()
    assert [c.name for c in client.list_collections()] == ["kept"]
