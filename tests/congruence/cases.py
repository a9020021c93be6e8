"""Named operation sequences, one per behaviour issue 9 lists (and those the suite found).

Each case is a list of operations in the driver's form. ``words`` on an operation names words our
error message must contain (real's meaning, in our words); the class is compared anyway.
"""

from __future__ import annotations

from typing import Any, Dict, List

Op = Dict[str, Any]
HASH_EF = {"__ef__": "hash"}


def client(method: str, **kwargs: Any) -> Op:
    return {"method": method, "target": "client", "kwargs": kwargs}


def coll(method: str, name: str = "things", words: Any = None, **kwargs: Any) -> Op:
    op: Op = {"method": method, "target": f"coll:{name}", "kwargs": kwargs}
    if words:
        op["words"] = list(words)
    return op


def create(name: str = "things", **kwargs: Any) -> Op:
    return client("create_collection", name=name, embedding_function=HASH_EF, **kwargs)


def seeded(**kwargs: Any) -> List[Op]:
    """A collection of five records with documents and varied metadata."""
    return [
        create(**kwargs),
        coll(
            "add",
            ids=["r1", "r2", "r3", "r4", "r5"],
            embeddings=[[1, 0, 0], [0, 1, 0], [0, 0, 1], [1, 1, 0], [0.5, 0.5, 0.5]],
            metadatas=[
                {"color": "red", "n": 1},
                {"color": "blue", "n": 2, "tags": ["a", "b"]},
                {"n": 3.5, "flag": True, "tags": ["b"]},
                {"color": "red", "nums": [1, 2, 3]},
                None,
            ],
            documents=["hello world", "goodbye world", "Hello again", None, "world peace"],
        ),
    ]


GET_ALL = coll("get", include=["metadatas", "documents", "embeddings"])

CASES: Dict[str, List[Op]] = {
    # -- add with existing ids: skipped (with a warning), the rest added -----------------------
    "add_existing_ids_skips_them": [
        *seeded(),
        coll("add", ids=["r1", "new"], embeddings=[[9, 9, 9], [2, 2, 2]], documents=["x", "y"]),
        coll("count"),
        GET_ALL,
    ],
    "seed_adds_uri9_twice": [
        create(),
        coll("add", ids="uri9", embeddings=[1.5, 2.9, 3.4], metadatas={"source": "my_source"}),
        coll("add", ids="uri9", embeddings=[1.5, 2.9, 3.4], metadatas={"source": "my_source"}),
        coll("count"),
    ],
    # -- $ne / $nin match records that lack the key -------------------------------------------
    "ne_and_nin_match_records_without_the_key": [
        *seeded(),
        coll("get", where={"color": {"$ne": "red"}}),
        coll("get", where={"color": {"$nin": ["red", "blue"]}}),
        coll("get", where={"missing": {"$ne": 1}}),
        coll("get", where={"n": {"$nin": [1, 2]}}),
        coll("query", query_embeddings=[[1, 0, 0]], n_results=5, where={"color": {"$ne": "red"}}),
    ],
    # -- what real rejects ----------------------------------------------------------------------
    "in_nin_with_a_tuple_is_refused": [
        *seeded(),
        coll("get", where={"color": {"$in": {"__tuple__": ["red"]}}}, words=["list"]),
        coll("get", where={"color": {"$nin": {"__tuple__": ["red"]}}}, words=["list"]),
    ],
    "and_or_need_two_clauses": [
        *seeded(),
        coll("get", where={"$and": [{"color": "red"}]}, words=["two"]),
        coll("get", where={"$or": [{"color": "red"}]}, words=["two"]),
        coll("get", where={"$and": []}, words=["two"]),
        coll("get", where={"$or": [{"color": "red"}, {"n": 2}]}),
        coll("get", where_document={"$and": [{"$contains": "world"}]}, words=["two"]),
        coll("get", where_document={"$or": [{"$contains": "hello"}, {"$contains": "peace"}]}),
    ],
    "where_holds_one_operator": [
        *seeded(),
        coll("get", where={}, words=["one operator"]),
        coll("get", where={"color": "red", "n": 1}, words=["one operator"]),
        coll("get", where_document={}, words=["one operator"]),
        coll("get", where={"color": {"$eq": "red", "$ne": "blue"}}),
        coll("get", where={"$and": [{"color": "red", "n": 1}, {"n": 1}]}),
        coll("get", where={"n": {"$in": [1, "x"]}}, words=["same type"]),
        coll("get", where={"n": {"$in": []}}),
        coll("get", where={"n": {"$gt": "x"}}),
        coll("get", where={"n": {"$bogus": 1}}),
    ],
    "empty_metadata_dict_is_refused": [
        *seeded(),
        coll("add", ids=["e1"], embeddings=[[1, 2, 3]], metadatas=[{}], words=["non-empty"]),
        coll("upsert", ids=["e1"], embeddings=[[1, 2, 3]], metadatas=[{}], words=["non-empty"]),
        coll("update", ids=["r1"], metadatas=[{}], words=["non-empty"]),
        coll("count"),
        client("create_collection", name="emptymeta", metadata={}),
        client("count_collections"),
    ],
    "empty_ids_are_refused": [
        *seeded(),
        coll("get", ids=[], words=["non-empty"]),
        coll("delete", ids=[], words=["non-empty"]),
        coll("count"),
    ],
    # -- embeddings in results are numpy arrays -------------------------------------------------
    "embeddings_come_back_as_numpy_arrays": [
        *seeded(),
        coll("get", ids=["r2", "r1"], include=["embeddings"]),
        coll("get", where={"color": "nothing"}, include=["embeddings", "metadatas"]),
        coll("peek", limit=2),
        coll("query", query_embeddings=[[1, 0, 0], [0, 1, 0]], n_results=2, include=["embeddings"]),
        coll("query", query_embeddings=[[1, 0, 0]], where={"color": "x"}, include=["embeddings"]),
        coll("query", query_embeddings={"__ndarray__": [[1, 0, 0]]}, n_results=1),
    ],
    # -- list metadata, $contains / $not_contains ------------------------------------------------
    "list_metadata_and_contains": [
        *seeded(),
        coll("get", where={"tags": {"$contains": "b"}}),
        coll("get", where={"tags": {"$not_contains": "a"}}),
        coll("get", where={"nums": {"$contains": 2}}),
        coll("get", where={"color": {"$contains": "red"}}),
        coll("get", where={"tags": "a"}),
        coll("get", where={"tags": {"$ne": "a"}}),
        coll("get", where={"tags": {"$contains": ["a"]}}),
        coll(
            "query", query_embeddings=[[0, 1, 0]], n_results=3, where={"tags": {"$contains": "b"}}
        ),
        coll("update", ids=["r2"], metadatas=[{"tags": ["c"]}]),
        coll("get", where={"tags": {"$contains": "c"}}),
        coll("add", ids=["bad"], embeddings=[[1, 1, 1]], metadatas=[{"tags": []}]),
        coll("add", ids=["bad"], embeddings=[[1, 1, 1]], metadatas=[{"tags": ["a", 1]}]),
        coll("add", ids=["bad"], embeddings=[[1, 1, 1]], metadatas=[{"tags": [1.5, 2]}]),
        coll("add", ids=["bad"], embeddings=[[1, 1, 1]], metadatas=[{"tags": [["a"]]}]),
        coll("add", ids=["ok"], embeddings=[[1, 1, 1]], metadatas=[{"tags": [True, False]}]),
        coll("get", ids=["ok", "bad"]),
    ],
    # -- where_document $regex / $not_regex ------------------------------------------------------
    "where_document_regex": [
        *seeded(),
        coll("get", where_document={"$regex": "^[Hh]ello"}),
        coll("get", where_document={"$not_regex": "world$"}),
        coll("get", where_document={"$regex": "o\\s+w"}),
        coll("get", where_document={"$and": [{"$regex": "world"}, {"$not_contains": "peace"}]}),
        coll("query", query_embeddings=[[1, 0, 0]], n_results=3, where_document={"$regex": "l+"}),
        coll("get", where_document={"$regex": "("}),
        coll("get", where_document={"$contains": ""}),
    ],
    # -- names --------------------------------------------------------------------------------
    "collection_names": [
        client("create_collection", name="ab"),
        client("create_collection", name="abc"),
        client("create_collection", name="a" * 512),
        client("create_collection", name="a" * 513),
        client("create_collection", name="a..b"),
        client("create_collection", name="192.168.0.1"),
        client("create_collection", name="_abc"),
        client("create_collection", name="abc-"),
        client("create_collection", name="has space"),
        client("create_collection", name="ok.name_with-all"),
        client("get_collection", name="a" * 512),
        client("count_collections"),
    ],
    "tenant_and_database_names": [
        {"method": "create_tenant", "target": "admin", "kwargs": {"name": "te"}},
        {"method": "create_tenant", "target": "admin", "kwargs": {"name": "ten1"}},
        {"method": "create_tenant", "target": "admin", "kwargs": {"name": "ten2 with space"}},
        {
            "method": "create_database",
            "target": "admin",
            "kwargs": {"name": "db", "tenant": "ten1"},
        },
        {"method": "create_database", "target": "admin", "kwargs": {"name": "", "tenant": "ten1"}},
        {
            "method": "create_database",
            "target": "admin",
            "kwargs": {"name": "db1", "tenant": "ten1"},
        },
        {"method": "create_database", "target": "admin", "kwargs": {"name": "a" * 200}},
        {
            "method": "delete_database",
            "target": "admin",
            "kwargs": {"name": "db1", "tenant": "ten1"},
        },
        {
            "method": "delete_database",
            "target": "admin",
            "kwargs": {"name": "db1", "tenant": "ten1"},
        },
        {"method": "get_tenant", "target": "admin", "kwargs": {"name": "nobody"}},
        {"method": "get_database", "target": "admin", "kwargs": {"name": "nope", "tenant": "ten1"}},
    ],
    # -- delete with limit, and its answer --------------------------------------------------------
    "delete_limit_and_answer": [
        *seeded(),
        coll("delete", where={"color": "red"}, limit=1),
        coll("count"),
        coll("get"),
        coll("delete", where_document={"$contains": "world"}, limit=5),
        coll("delete", where={"n": 99}),
        coll("delete", ids=["r1"], limit=1),
        coll("delete", limit=1),
        coll("count"),
    ],
    # -- numbers real refuses ----------------------------------------------------------------------
    "embedding_values": [
        create(),
        coll("add", ids=["big"], embeddings=[[1e39, 0, 0]]),
        coll("add", ids=["nan"], embeddings=[[{"__float__": "nan"}, 0, 0]]),
        coll("add", ids=["inf"], embeddings=[[{"__float__": "inf"}, 0, 0]]),
        coll("add", ids=["bools"], embeddings=[[True, False, True]]),
        coll("add", ids=["ok"], embeddings=[[3.4e38, 0, 0]]),
        coll("count"),
    ],
    # -- everyday calls: the answers' shapes -----------------------------------------------------
    "everyday_shapes": [
        *seeded(metadata={"topic": "x"}),
        coll("count"),
        coll("get"),
        coll("get", ids="r3"),
        coll("get", limit=2, offset=1),
        coll("get", where={"n": {"$gte": 2}}, include=["metadatas"]),
        coll("get", include=["documents", "uris"]),
        coll("query", query_embeddings=[0, 1, 0], n_results=2),
        coll("query", query_texts=["hello world"], n_results=2, include=["documents"]),
        coll("query", query_embeddings=[[0, 1, 0]], n_results=10, include=["distances"]),
        coll("query", query_embeddings=[[0, 1, 0]], n_results=2, ids=["r1", "r2", "r3"]),
        coll("update", ids=["r1"], documents=["changed"], metadatas=[{"n": None, "k": "v"}]),
        coll("get", ids=["r1"]),
        coll("upsert", ids=["r1", "r9"], embeddings=[[1, 1, 1], [2, 2, 2]]),
        coll("get", include=["embeddings"]),
        coll("modify", metadata={"topic": "y"}),
        client("get_collection", name="things"),
        client("list_collections"),
    ],
    "bad_inputs_every_kind": [
        *seeded(),
        coll("add", ids=["r1", "r1"], embeddings=[[1, 2, 3], [1, 2, 3]]),
        coll("add", ids=["z"], embeddings=[[1, 2]]),
        coll("add", ids=["z"], embeddings=[[1, 2, 3]], metadatas=[{"x": {"a": 1}}]),
        coll("add", ids=["z"], embeddings=[[1, 2, 3]], documents=[7]),
        coll("add", ids=["z"], embeddings=[[1, 2, 3]], metadatas=[{"x": 1}, {"x": 2}]),
        coll("get", include=["distances"]),
        coll("get", include=["bogus"]),
        coll("query", query_embeddings=[[1, 2]], n_results=1),
        coll("query", query_embeddings=[[1, 2, 3]], query_texts=["a"]),
        coll("query", query_embeddings=[[1, 2, 3]], n_results=0),
        coll("get", limit=-1),
        client("get_collection", name="missing"),
        client("delete_collection", name="missing"),
        client("create_collection", name="things"),
        client("get_or_create_collection", name="things"),
        coll("count"),
    ],
}
