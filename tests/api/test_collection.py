"""Collection methods as users call them: the input forms accepted, what get / peek / query /
update / upsert / delete return, distances per space, and embedding documents."""

from __future__ import annotations

import importlib.util
import math
from typing import Any, List

import numpy as np
import pytest

import chromadb
from chromadb.config import Settings

VECTORS = [[1.0, 0.0, 0.0], [0.0, 2.0, 0.0], [0.0, 0.0, 3.0], [1.0, 1.0, 1.0]]


@pytest.fixture
def col(client: Any, ef: Any) -> Any:
    """Four records with embeddings, metadata and documents."""
    c = client.create_collection("things", embedding_function=ef)
    c.add(
        ids=["a", "b", "c", "d"],
        embeddings=VECTORS,
        metadatas=[{"n": 1}, {"n": 2, "s": "two"}, {"flag": True}, {"x": 0.5}],
        documents=["alpha", "bravo", "charlie", "delta"],
    )
    return c


def _floats(rows: Any) -> List[List[float]]:
    return [[float(x) for x in row] for row in rows]


# -- input forms ---------------------------------------------------------------------------------
def test_single_record_forms_are_wrapped(client: Any, ef: Any) -> None:
    c = client.create_collection("single", embedding_function=ef)
    c.add(
        ids="one", embeddings=[1.5, 2.9, 3.4], metadatas={"k": "v"}, documents="doc", uris="s3://x"
    )
    got = c.get(ids="one", include=["embeddings", "metadatas", "documents", "uris"])
    assert got["ids"] == ["one"]
    assert _floats(got["embeddings"])[0] == pytest.approx([1.5, 2.9, 3.4])
    assert got["metadatas"] == [{"k": "v"}]
    assert got["documents"] == ["doc"]
    assert got["uris"] == ["s3://x"]
    c.update(ids="one", metadatas={"k": "w"})
    c.upsert(ids="two", embeddings=[0.0, 0.0, 1.0])
    c.delete(ids="one")
    assert c.get()["ids"] == ["two"]


@pytest.mark.parametrize("dtype", [np.float32, np.float64, np.int64])
def test_numpy_arrays_are_accepted(client: Any, ef: Any, dtype: Any) -> None:
    c = client.create_collection("numpy", embedding_function=ef)
    c.add(ids=["a", "b"], embeddings=np.array([[1, 2, 3], [4, 5, 6]], dtype=dtype))
    c.add(ids="c", embeddings=np.array([7, 8, 9], dtype=dtype))
    c.add(ids=["d"], embeddings=[np.array([1, 1, 1], dtype=dtype)])
    got = c.get(include=["embeddings"])
    assert _floats(got["embeddings"]) == [[1, 2, 3], [4, 5, 6], [7, 8, 9], [1, 1, 1]]
    res = c.query(query_embeddings=np.array([7, 8, 9], dtype=dtype), n_results=1)
    assert res["ids"] == [["c"]]


def test_metadata_types_round_trip(client: Any, ef: Any) -> None:
    c = client.create_collection("types", embedding_function=ef)
    meta = {
        "s": "text",
        "i": 7,
        "f": 2.5,
        "whole": 3.0,
        "t": True,
        "no": False,
        "neg": -4,
        "uni": "ü",
    }
    c.add(ids=["a"], embeddings=[[1.0, 2.0, 3.0]], metadatas=[meta])
    (got,) = c.get(ids="a")["metadatas"]
    assert got == meta
    assert {k: type(v) for k, v in got.items()} == {k: type(v) for k, v in meta.items()}


def test_none_metadata_values_and_empty_metadata(client: Any, ef: Any) -> None:
    c = client.create_collection("nones", embedding_function=ef)
    c.add(
        ids=["a", "b", "c"],
        embeddings=[[1.0, 1.0, 1.0]] * 3,
        metadatas=[{"k": 1, "gone": None}, None, {"x": None}],
    )
    assert c.get()["metadatas"] == [{"k": 1}, None, None]
    # An empty dict is refused, as real Chroma 1.x refuses it.
    with pytest.raises(ValueError, match="non-empty dict"):
        c.add(ids=["d"], embeddings=[[1.0, 1.0, 1.0]], metadatas=[{}])


# -- get -----------------------------------------------------------------------------------------
def test_get_by_ids_answers_in_insertion_order(col: Any) -> None:
    # As real Chroma 1.x: the records' order, not the order of the ids asked for.
    assert col.get(ids=["d", "a", "c"])["ids"] == ["a", "c", "d"]
    assert col.get(ids=["c", "missing", "a"])["ids"] == ["a", "c"]
    got = col.get(ids=["b", "a"], include=["documents", "metadatas"])
    assert got["documents"] == ["alpha", "bravo"]
    assert got["metadatas"] == [{"n": 1}, {"n": 2, "s": "two"}]


def test_get_default_include_and_empty_include(col: Any) -> None:
    got = col.get()
    assert got["ids"] == ["a", "b", "c", "d"]
    assert got["documents"] == ["alpha", "bravo", "charlie", "delta"]
    assert got["metadatas"] is not None
    assert got["embeddings"] is None
    bare = col.get(include=[])
    assert bare["ids"] == ["a", "b", "c", "d"]
    assert bare["documents"] is None and bare["metadatas"] is None and bare["embeddings"] is None


def test_get_with_ids_and_where_is_the_intersection(col: Any) -> None:
    assert col.get(ids=["a", "b", "c"], where={"n": {"$gte": 2}})["ids"] == ["b"]


def test_limit_offset_paging_is_stable(client: Any, ef: Any) -> None:
    c = client.create_collection("paged", embedding_function=ef)
    ids = [f"r{i:02d}" for i in range(23)]
    c.add(ids=ids, embeddings=[[float(i), 1.0, 0.0] for i in range(23)])
    c.update(
        ids=["r05", "r00"], metadatas=[{"touched": True}] * 2
    )  # an update keeps a record's place
    c.upsert(ids=["r10"], embeddings=[[0.0, 0.0, 0.0]])
    pages = [c.get(limit=5, offset=o)["ids"] for o in range(0, 25, 5)]
    assert sum(pages, []) == ids
    assert c.get(limit=0)["ids"] == []
    assert c.get(offset=20)["ids"] == ids[20:]
    assert c.get(limit=3, offset=30)["ids"] == []
    c.delete(ids=["r01"])
    c.add(ids=["r01"], embeddings=[[1.0, 1.0, 0.0]])  # re-added: goes to the end
    assert c.get()["ids"] == ids[:1] + ids[2:] + ["r01"]


def test_peek_returns_first_records_with_embeddings(client: Any, ef: Any) -> None:
    c = client.create_collection("peeked", embedding_function=ef)
    c.add(
        ids=[f"p{i:02d}" for i in range(15)], embeddings=[[float(i), 0.0, 0.0] for i in range(15)]
    )
    peek = c.peek()
    assert peek["ids"] == [f"p{i:02d}" for i in range(10)]
    assert _floats(peek["embeddings"])[3] == [3.0, 0.0, 0.0]
    assert c.peek(limit=2)["ids"] == ["p00", "p01"]


# -- query ---------------------------------------------------------------------------------------
def test_query_nearest_first_with_all_includes(col: Any) -> None:
    res = col.query(
        query_embeddings=[[1.0, 0.1, 0.0]],
        n_results=2,
        include=["embeddings", "metadatas", "documents", "distances", "uris"],
    )
    assert res["ids"] == [["a", "d"]]
    assert res["documents"] == [["alpha", "delta"]]
    assert res["metadatas"] == [[{"n": 1}, {"x": 0.5}]]
    assert _floats(res["embeddings"][0]) == [VECTORS[0], VECTORS[3]]
    assert res["distances"][0] == pytest.approx([0.01, 0.0 + 0.81 + 1.0], rel=1e-5)
    assert res["uris"] == [[None, None]]


def test_query_default_include(col: Any) -> None:
    res = col.query(query_embeddings=[[1.0, 0.0, 0.0]], n_results=1)
    assert res["ids"] == [["a"]]
    assert (
        res["distances"] is not None
        and res["documents"] is not None
        and res["metadatas"] is not None
    )
    assert res["embeddings"] is None


def test_n_results_larger_than_collection(col: Any) -> None:
    res = col.query(query_embeddings=[[0.0, 0.0, 0.0], [5.0, 5.0, 5.0]], n_results=50)
    assert [len(ids) for ids in res["ids"]] == [4, 4]
    assert sorted(res["ids"][0]) == ["a", "b", "c", "d"]
    assert (
        len(
            col.query(query_embeddings=[[0.0, 0.0, 0.0]], n_results=50, where={"n": {"$gt": 0}})[
                "ids"
            ][0]
        )
        == 2
    )


def test_query_on_empty_collection(client: Any, ef: Any) -> None:
    c = client.create_collection("empty", embedding_function=ef)
    res = c.query(query_embeddings=[[1.0, 2.0, 3.0]], n_results=3)
    assert res["ids"] == [[]]


def test_query_texts_are_embedded_with_the_collection_function(col: Any, ef: Any) -> None:
    col.add(ids=["e"], embeddings=ef(["needle"]))
    assert col.query(query_texts=["needle"], n_results=1)["ids"] == [["e"]]
    assert col.query(query_texts="needle", n_results=1)["ids"] == [["e"]]


@pytest.mark.parametrize(
    ("space", "expected"),
    [
        # query [1, 2, 2] against a = [1, 0, 0] and d = [1, 1, 1]
        ("l2", {"a": 8.0, "d": 2.0}),
        ("ip", {"a": 0.0, "d": -4.0}),
        ("cosine", {"a": 1 - 1 / 3, "d": 1 - 5 / (3 * math.sqrt(3))}),
    ],
)
def test_distances_per_space(client: Any, ef: Any, space: str, expected: dict) -> None:
    c = client.create_collection(
        f"space-{space}", metadata={"hnsw:space": space}, embedding_function=ef
    )
    c.add(ids=["a", "d"], embeddings=[VECTORS[0], VECTORS[3]])
    res = c.query(query_embeddings=[[1.0, 2.0, 2.0]], n_results=2, include=["distances"])
    got = dict(zip(res["ids"][0], res["distances"][0]))
    assert got == pytest.approx(expected, rel=1e-5, abs=1e-6)
    assert res["ids"][0] == sorted(expected, key=expected.__getitem__)


def test_cosine_distance_to_zero_vector_is_one(client: Any, ef: Any) -> None:
    c = client.create_collection("zero", metadata={"hnsw:space": "cosine"}, embedding_function=ef)
    c.add(ids=["z", "x"], embeddings=[[0.0, 0.0, 0.0], [1.0, 0.0, 0.0]])
    res = c.query(query_embeddings=[[1.0, 0.0, 0.0]], n_results=2, include=["distances"])
    assert dict(zip(res["ids"][0], res["distances"][0])) == pytest.approx(
        {"x": 0.0, "z": 1.0}, abs=1e-6
    )


# -- update / upsert / delete --------------------------------------------------------------------
def test_update_merges_metadata_and_keeps_what_is_not_given(col: Any) -> None:
    col.update(ids=["b", "unknown"], metadatas=[{"s": None, "new": "yes"}, {"k": 1}])
    got = col.get(ids=["b", "unknown"], include=["metadatas", "documents", "embeddings"])
    assert got["ids"] == ["b"]
    assert got["metadatas"] == [{"n": 2, "new": "yes"}]
    assert got["documents"] == ["bravo"]
    assert _floats(got["embeddings"]) == [VECTORS[1]]
    col.update(ids="b", embeddings=[[9.0, 9.0, 9.0]])
    assert col.query(query_embeddings=[[9.0, 9.0, 9.0]], n_results=1)["ids"] == [["b"]]
    assert col.count() == 4


def test_update_documents_reembeds(col: Any, ef: Any) -> None:
    col.update(ids=["a"], documents=["a brand new text"])
    got = col.get(ids="a", include=["embeddings", "documents"])
    assert got["documents"] == ["a brand new text"]
    assert _floats(got["embeddings"]) == [ef(["a brand new text"])[0]]


def test_upsert_adds_new_and_updates_existing(col: Any) -> None:
    col.upsert(
        ids=["a", "z"],
        embeddings=[[5.0, 5.0, 5.0], [6.0, 6.0, 6.0]],
        metadatas=[{"extra": 1}, {"fresh": True}],
        documents=["alpha 2", "zulu"],
    )
    got = col.get(ids=["a", "z"], include=["metadatas", "documents", "embeddings"])
    assert got["metadatas"] == [{"n": 1, "extra": 1}, {"fresh": True}]
    assert got["documents"] == ["alpha 2", "zulu"]
    assert _floats(got["embeddings"]) == [[5.0, 5.0, 5.0], [6.0, 6.0, 6.0]]
    assert col.get()["ids"] == ["a", "b", "c", "d", "z"]
    assert col.count() == 5


def test_delete_by_ids_where_and_document(col: Any) -> None:
    col.delete(ids=["a", "not-there"])
    assert col.get()["ids"] == ["b", "c", "d"]
    col.delete(where={"flag": True})
    assert col.get()["ids"] == ["b", "d"]
    col.delete(where_document={"$contains": "elt"})
    assert col.get()["ids"] == ["b"]
    col.delete(ids=["b"], where={"n": 99})  # intersection: nothing
    assert col.get()["ids"] == ["b"]
    assert col.query(query_embeddings=[[1.0, 0.0, 0.0]], n_results=5)["ids"] == [["b"]]


def test_delete_without_arguments_deletes_everything(col: Any) -> None:
    # The seed documents' call (real Chroma 1.x refuses it: docs/differences.md).
    assert col.delete() == {"deleted": 4}
    assert col.count() == 0
    assert col.get()["ids"] == []


def test_delete_answers_the_count_and_honours_limit(col: Any) -> None:
    count = col.count()
    assert col.delete(where={"n": {"$ne": -12345}}, limit=1) == {"deleted": 1}
    assert col.count() == count - 1


def test_uris_round_trip_and_update(col: Any) -> None:
    col.add(ids=["u"], embeddings=[[2.0, 2.0, 2.0]], uris=["s3://bucket/u.png"])
    assert col.get(ids="u", include=["uris"])["uris"] == ["s3://bucket/u.png"]
    col.update(ids="u", uris=["s3://bucket/v.png"])
    assert col.get(ids="u", include=["uris"])["uris"] == ["s3://bucket/v.png"]


# -- embedding documents -------------------------------------------------------------------------
def test_documents_only_add_uses_the_collection_embedding_function(client: Any, ef: Any) -> None:
    c = client.create_collection("docs", embedding_function=ef)
    c.add(ids=["x", "y"], documents=["first text", "second text"])
    got = c.get(include=["embeddings", "documents"])
    assert _floats(got["embeddings"]) == ef(["first text", "second text"])
    assert c.query(query_texts=["second text"], n_results=1)["ids"] == [["y"]]


def test_collection_properties(client: Any, ef: Any) -> None:
    c = client.create_collection("props", metadata={"k": "v"}, embedding_function=ef)
    assert c.name == "props"
    assert c.metadata == {"k": "v"}
    assert str(c.id) and c.count() == 0
    assert "props" in repr(c)


@pytest.mark.skipif(
    importlib.util.find_spec("chromadb.utils.embedding_functions") is None,
    reason="the default embedding function (chromadb.utils.embedding_functions) is not built yet",
)
def test_documents_only_add_with_the_real_default_embedding_function() -> None:
    # The one test that runs the real all-MiniLM-L6-v2 model: embedded, three short documents.
    client: Any = chromadb.EphemeralClient(Settings(allow_reset=True))
    c = client.create_collection("real-model")
    c.add(
        ids=["cat", "car", "soup"],
        documents=[
            "a small cat sleeps on the sofa",
            "the red car drives fast",
            "hot tomato soup recipe",
        ],
    )
    got = c.get(include=["embeddings"])
    assert [len(e) for e in got["embeddings"]] == [384, 384, 384]
    assert np.linalg.norm(np.asarray(got["embeddings"][0], dtype=np.float64)) == pytest.approx(
        1.0, abs=1e-3
    )
    assert c.query(query_texts=["a kitten is napping"], n_results=1)["ids"] == [["cat"]]
    assert c.query(query_texts=["a fast automobile"], n_results=1)["ids"] == [["car"]]
