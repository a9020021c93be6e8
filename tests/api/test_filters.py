"""``where`` and ``where_document`` filters, case by case, with the expected records spelled out
(SEMANTICS.md: a missing key never matches, except under $ne / $nin as in real Chroma; bool is its own type; int and float compare
numerically; strings only with strings; $contains is case-sensitive). Each case is checked
through get, query and delete, which must agree."""

from __future__ import annotations

from typing import Any, Dict, List, Optional

import pytest

RECORDS: List[Dict[str, Any]] = [
    {
        "id": "r1",
        "meta": {"color": "red", "n": 1, "f": 1.5, "ok": True},
        "doc": "the quick brown fox",
    },
    {"id": "r2", "meta": {"color": "blue", "n": 2, "f": 2.0, "ok": False}, "doc": "lazy dog"},
    {"id": "r3", "meta": {"color": "red", "n": 3, "ok": 1}, "doc": "Quick thinking"},
    {"id": "r4", "meta": {"color": "green", "n": 2.0}, "doc": None},
    {"id": "r5", "meta": {"n": "2", "ok": "True"}, "doc": "fox and dog"},
    {"id": "r6", "meta": None, "doc": "nothing"},
    {"id": "r7", "meta": {"color": "Red", "n": -1, "f": 0.0, "ok": False}, "doc": "RED fox"},
]
ALL = [r["id"] for r in RECORDS]

WHERE_CASES = [
    ({"color": "red"}, ["r1", "r3"]),
    ({"color": {"$eq": "red"}}, ["r1", "r3"]),
    ({"color": {"$ne": "red"}}, ["r2", "r4", "r5", "r6", "r7"]),
    ({"n": 2}, ["r2", "r4"]),
    ({"n": 2.0}, ["r2", "r4"]),
    ({"n": "2"}, ["r5"]),
    ({"n": {"$ne": 2}}, ["r1", "r3", "r5", "r6", "r7"]),
    ({"n": {"$gt": 1}}, ["r2", "r3", "r4"]),
    ({"n": {"$gte": 2}}, ["r2", "r3", "r4"]),
    ({"n": {"$lt": 2}}, ["r1", "r7"]),
    ({"n": {"$lte": -1}}, ["r7"]),
    ({"f": {"$gt": 1.4}}, ["r1", "r2"]),
    ({"f": {"$lte": 0}}, ["r7"]),
    ({"color": {"$gt": 1}}, []),
    ({"ok": True}, ["r1"]),
    ({"ok": 1}, ["r3"]),
    ({"ok": False}, ["r2", "r7"]),
    ({"ok": {"$eq": 0}}, []),
    ({"ok": {"$ne": True}}, ["r2", "r3", "r4", "r5", "r6", "r7"]),
    ({"n": {"$in": [1, 3]}}, ["r1", "r3"]),
    ({"n": {"$in": [2]}}, ["r2", "r4"]),
    ({"n": {"$in": ["2"]}}, ["r5"]),
    ({"color": {"$nin": ["red", "blue"]}}, ["r4", "r5", "r6", "r7"]),
    ({"ok": {"$nin": [True]}}, ["r2", "r3", "r4", "r5", "r6", "r7"]),
    ({"missing": {"$ne": 1}}, ALL),
    ({"missing": {"$nin": [1]}}, ALL),
    ({"$and": [{"color": "red"}, {"n": {"$gt": 1}}]}, ["r3"]),
    ({"$or": [{"color": "blue"}, {"n": {"$lt": 0}}]}, ["r2", "r7"]),
    ({"$or": [{"$and": [{"color": "red"}, {"ok": True}]}, {"n": "2"}]}, ["r1", "r5"]),
]

WHERE_DOCUMENT_CASES = [
    ({"$contains": "fox"}, ["r1", "r5", "r7"]),
    ({"$contains": "Quick"}, ["r3"]),
    ({"$contains": "quick"}, ["r1"]),
    ({"$not_contains": "fox"}, ["r2", "r3", "r4", "r6"]),
    ({"$not_contains": "o"}, ["r3", "r4"]),
    ({"$and": [{"$contains": "fox"}, {"$contains": "dog"}]}, ["r5"]),
    ({"$or": [{"$contains": "lazy"}, {"$contains": "RED"}]}, ["r2", "r7"]),
    ({"$and": [{"$contains": "o"}, {"$not_contains": "fox"}]}, ["r2", "r6"]),
]


@pytest.fixture
def col(client: Any, ef: Any) -> Any:
    c = client.create_collection("filtered", embedding_function=ef)
    c.add(
        ids=ALL,
        embeddings=[[float(i), 1.0, 0.5] for i in range(len(RECORDS))],
        metadatas=[r["meta"] for r in RECORDS],
        documents=[r["doc"] for r in RECORDS],
    )
    return c


def _check_everywhere(
    col: Any,
    expected: List[str],
    where: Optional[Dict[str, Any]] = None,
    where_document: Optional[Dict[str, Any]] = None,
) -> None:
    assert col.get(where=where, where_document=where_document)["ids"] == expected, "get"
    res = col.query(
        query_embeddings=[[0.0, 1.0, 0.5]],
        n_results=len(ALL),
        where=where,
        where_document=where_document,
    )
    assert res["ids"][0] == expected, "query (nearest first is insertion order here)"
    if where or where_document:  # (delete with no filter at all would delete everything)
        col.delete(where=where, where_document=where_document)
        assert col.get()["ids"] == [i for i in ALL if i not in expected], "delete"


@pytest.mark.parametrize(("where", "expected"), WHERE_CASES, ids=[str(w) for w, _ in WHERE_CASES])
def test_where(col: Any, where: Dict[str, Any], expected: List[str]) -> None:
    _check_everywhere(col, expected, where=where)


@pytest.mark.parametrize(
    ("where_document", "expected"),
    WHERE_DOCUMENT_CASES,
    ids=[str(w) for w, _ in WHERE_DOCUMENT_CASES],
)
def test_where_document(col: Any, where_document: Dict[str, Any], expected: List[str]) -> None:
    _check_everywhere(col, expected, where_document=where_document)


def test_where_and_where_document_together(col: Any) -> None:
    _check_everywhere(col, ["r1"], where={"color": "red"}, where_document={"$contains": "fox"})


def test_filters_combine_with_ids(col: Any) -> None:
    # Insertion order, whatever the order of the ids asked (as real Chroma 1.x).
    assert col.get(ids=["r7", "r1", "r2"], where={"ok": {"$ne": True}})["ids"] == ["r2", "r7"]
    assert col.get(ids=["r5", "r1"], where_document={"$contains": "fox"})["ids"] == ["r1", "r5"]


def test_filtered_query_with_fewer_matches_than_n_results(col: Any) -> None:
    res = col.query(query_embeddings=[[6.0, 1.0, 0.5]], n_results=3, where={"color": "red"})
    assert res["ids"] == [["r3", "r1"]]


def test_filtered_get_pages_over_the_matches(col: Any) -> None:
    where = {"ok": {"$ne": True}}
    assert col.get(where=where, limit=2)["ids"] == ["r2", "r3"]
    assert col.get(where=where, limit=2, offset=2)["ids"] == ["r4", "r5"]


REFUSED_WHERE = [
    {},
    {"color": "red", "ok": True},
    {"$and": [{"color": "red"}]},
    {"$or": []},
    {"n": {"$in": ["2", True]}},
    {"n": {"$in": (1, 2)}},
]


@pytest.mark.parametrize("where", REFUSED_WHERE, ids=[str(w) for w in REFUSED_WHERE])
def test_where_shapes_real_chroma_refuses(col: Any, where: Dict[str, Any]) -> None:
    with pytest.raises(ValueError):
        col.get(where=where)
    with pytest.raises(ValueError):
        col.delete(where=where)
    assert col.count() == len(ALL)


def test_empty_where_document_is_refused(col: Any) -> None:
    with pytest.raises(ValueError, match="one operator"):
        col.get(where_document={})
