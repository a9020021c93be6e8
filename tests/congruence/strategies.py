"""Hypothesis strategies for operation sequences on one collection, valid and invalid.

Values come from small pools (a few ids, keys, words, grid vectors) so that sequences collide:
adds of ids that exist, filters that match, deletes that hit. About one operation in six is
invalid in some way real Chroma names (wrong dimension, empty list, a tuple, a bad operator...).
"""

from __future__ import annotations

from typing import Any, Dict, List

from hypothesis import strategies as st

from tests.congruence.cases import HASH_EF

NAME = "seq"
IDS = [f"id{i}" for i in range(8)]
KEYS = ["a", "b", "c"]
WORDS = ["apple", "banana", "cherry", "apple pie", "Banana split"]
DIM = 3

ids_st = st.lists(st.sampled_from(IDS), min_size=1, max_size=4, unique=True)
coordinate = st.integers(-4, 4).map(float) | st.sampled_from([0.5, -1.25, 2.75])
vector = st.lists(coordinate, min_size=DIM, max_size=DIM)
scalar = st.one_of(
    st.integers(-3, 3),
    st.sampled_from([0.5, 1.5, -2.5]),
    st.sampled_from(["x", "y", "z"]),
    st.booleans(),
)
list_value = st.one_of(
    st.lists(st.sampled_from(["x", "y", "z"]), min_size=1, max_size=3),
    st.lists(st.integers(0, 3), min_size=1, max_size=3),
)
metadata = st.dictionaries(st.sampled_from(KEYS), scalar | list_value, min_size=1, max_size=3)
document = st.sampled_from(WORDS)


def _op(method: str, **kwargs: Any) -> Dict[str, Any]:
    return {"method": method, "target": f"coll:{NAME}", "kwargs": kwargs}


@st.composite
def write(draw: st.DrawFn, method: str) -> Dict[str, Any]:
    ids = draw(ids_st)
    n = len(ids)
    kwargs: Dict[str, Any] = {"ids": ids}
    if method != "update" or draw(st.booleans()):
        kwargs["embeddings"] = draw(st.lists(vector, min_size=n, max_size=n))
    if draw(st.booleans()):
        kwargs["metadatas"] = draw(st.lists(st.none() | metadata, min_size=n, max_size=n))
    if draw(st.booleans()):
        kwargs["documents"] = draw(st.lists(st.none() | document, min_size=n, max_size=n))
    if method != "update" and "embeddings" not in kwargs and "documents" not in kwargs:
        kwargs["embeddings"] = draw(st.lists(vector, min_size=n, max_size=n))
    if "documents" in kwargs and None in kwargs["documents"] and "embeddings" not in kwargs:
        kwargs["embeddings"] = draw(st.lists(vector, min_size=n, max_size=n))
    broken = draw(st.integers(0, 11))
    if broken == 0 and "embeddings" in kwargs:
        kwargs["embeddings"][0] = kwargs["embeddings"][0][:2]  # wrong dimension
    elif broken == 1:
        kwargs["metadatas"] = [{}] * n
    elif broken == 2:
        kwargs["ids"] = ids + ids[:1]  # a duplicate in the batch
    elif broken == 3:
        kwargs["metadatas"] = [{"a": []}] * n
    return _op(method, **kwargs)


leaf_where = st.one_of(
    st.builds(lambda k, v: {k: v}, st.sampled_from(KEYS), scalar),
    st.builds(
        lambda k, o, v: {k: {o: v}},
        st.sampled_from(KEYS),
        st.sampled_from(["$eq", "$ne"]),
        scalar,
    ),
    st.builds(
        lambda k, o, v: {k: {o: v}},
        st.sampled_from(KEYS),
        st.sampled_from(["$gt", "$gte", "$lt", "$lte"]),
        st.integers(-3, 3) | st.sampled_from([0.5, -1.5]),
    ),
    st.builds(
        lambda k, o, v: {k: {o: v}},
        st.sampled_from(KEYS),
        st.sampled_from(["$in", "$nin"]),
        st.lists(st.integers(-3, 3), min_size=1, max_size=3)
        | st.lists(st.sampled_from(["x", "y", "z"]), min_size=1, max_size=3),
    ),
    st.builds(
        lambda k, o, v: {k: {o: v}},
        st.sampled_from(KEYS),
        st.sampled_from(["$contains", "$not_contains"]),
        st.sampled_from(["x", "y", 1, 2]),
    ),
)
where = st.recursive(
    leaf_where,
    lambda inner: st.builds(
        lambda op, items: {op: items},
        st.sampled_from(["$and", "$or"]),
        st.lists(inner, min_size=2, max_size=3),
    ),
    max_leaves=4,
)
bad_where = st.sampled_from(
    [
        {},
        {"a": 1, "b": 2},
        {"$and": [{"a": 1}]},
        {"a": {"$in": []}},
        {"a": {"$in": [1, "x"]}},
        {"a": {"$gt": "x"}},
        {"a": {"$bogus": 1}},
        {"$not": [{"a": 1}, {"b": 2}]},
    ]
)
leaf_doc = st.builds(
    lambda o, w: {o: w},
    st.sampled_from(["$contains", "$not_contains"]),
    st.sampled_from(["apple", "an", "Banana", "pie", "zzz"]),
) | st.builds(
    lambda o, w: {o: w},
    st.sampled_from(["$regex", "$not_regex"]),
    st.sampled_from(["^a", "an+a", "e$", "[Bb]anana", "p.e"]),
)
where_document = leaf_doc | st.builds(
    lambda op, items: {op: items},
    st.sampled_from(["$and", "$or"]),
    st.lists(leaf_doc, min_size=2, max_size=2),
)
include = st.lists(
    st.sampled_from(["documents", "metadatas", "embeddings"]), unique=True, max_size=3
)


@st.composite
def read(draw: st.DrawFn, method: str) -> Dict[str, Any]:
    kwargs: Dict[str, Any] = {}
    if draw(st.booleans()):
        kwargs["where"] = draw(where if draw(st.integers(0, 7)) else bad_where)
    if draw(st.integers(0, 2)) == 0:
        kwargs["where_document"] = draw(where_document)
    if method == "get":
        if draw(st.booleans()):
            kwargs["ids"] = draw(ids_st)
        if draw(st.integers(0, 2)) == 0:
            kwargs["limit"] = draw(st.integers(0, 5))
        if draw(st.integers(0, 3)) == 0:
            kwargs["offset"] = draw(st.integers(0, 4))
        kwargs["include"] = draw(include)
    else:
        kwargs["query_embeddings"] = draw(st.lists(vector, min_size=1, max_size=2))
        kwargs["n_results"] = draw(st.integers(1, 6))
        kwargs["include"] = draw(include) + draw(st.sampled_from([[], ["distances"]]))
        if draw(st.integers(0, 3)) == 0:
            kwargs["ids"] = draw(ids_st)
    return _op(method, **kwargs)


@st.composite
def delete(draw: st.DrawFn) -> Dict[str, Any]:
    kwargs: Dict[str, Any] = {}
    choice = draw(st.integers(0, 3))
    if choice == 0:
        kwargs["ids"] = draw(ids_st)
    elif choice == 1:
        kwargs["where"] = draw(where)
        if draw(st.booleans()):
            kwargs["limit"] = draw(st.integers(0, 3))
    elif choice == 2:
        kwargs["where_document"] = draw(where_document)
    else:
        kwargs["ids"] = []
    return _op("delete", **kwargs)


operation = st.one_of(
    write("add"),
    write("upsert"),
    write("update"),
    read("get"),
    read("query"),
    delete(),
    st.just(_op("count")),
    st.integers(1, 4).map(lambda n: _op("peek", limit=n)),
    st.sampled_from([{"k": 1}, {"k": "v", "m": True}]).map(lambda m: _op("modify", metadata=m)),
)


def sequence() -> st.SearchStrategy[List[Dict[str, Any]]]:
    """A new collection (some space), then 3-12 operations on it."""
    create = st.sampled_from(["l2", "cosine", "ip"]).map(
        lambda space: {
            "method": "create_collection",
            "target": "client",
            "kwargs": {
                "name": NAME,
                "embedding_function": HASH_EF,
                "metadata": {"hnsw:space": space},
            },
        }
    )
    return st.tuples(create, st.lists(operation, min_size=3, max_size=12)).map(
        lambda t: [t[0], *t[1]]
    )
