"""The seed era: real chromadb 0.3.29 (embedded, duckdb in memory) and ours with the seed's
settings (``Client(Settings(chroma_db_impl="duckdb"))``), on the seed documents' operations."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, Dict, List

import pytest

from tests.congruence.cases import HASH_EF, client, coll
from tests.congruence.conftest import Pair, oracle_python
from tests.congruence.sides import Side, our_python

pytestmark = pytest.mark.congruence

SEED_VERSION = "0.3.29"

SEED_OPS: List[Dict[str, Any]] = [
    client("create_collection", name="testname", embedding_function=HASH_EF),
    client("get_collection", name="testname", embedding_function=HASH_EF),
    client("get_or_create_collection", name="testname", embedding_function=HASH_EF),
    coll("count", name="testname"),
    coll(
        "add",
        name="testname",
        ids="uri9",
        embeddings=[1.5, 2.9, 3.4],
        metadatas={"uri": "img9.png", "style": "style1"},
        documents="doc1000101",
    ),
    # The seed page adds uri9 again: it is skipped, the others go in.
    coll(
        "add",
        name="testname",
        ids=["uri9", "uri10"],
        embeddings=[[1.5, 2.9, 3.4], [9.8, 2.3, 2.9]],
        metadatas=[{"style": "style1"}, {"style": "style2"}],
    ),
    coll("count", name="testname"),
    coll("get", name="testname"),
    coll("get", name="testname", ids=["uri10", "uri9"]),
    coll("get", name="testname", include=["embeddings"]),
    coll("get", name="testname", where={"style": "style1"}),
    coll("get", name="testname", where={}),
    coll("peek", name="testname"),
    coll(
        "query",
        name="testname",
        query_embeddings=[[1.1, 2.3, 3.2], [5.1, 4.3, 2.2]],
        n_results=2,
        where={"style": "style2"},
    ),
    coll("query", name="testname", query_embeddings=[[1.1, 2.3, 3.2]], n_results=2),
    coll("query", name="testname", query_texts=["doc1000101"], n_results=1),
    coll("upsert", name="testname", ids=["uri11"], embeddings=[[1.0, 1.0, 1.0]]),
    coll("update", name="testname", ids=["uri10"], documents=["new text"]),
    coll("get", name="testname", ids=["uri10"]),
    coll("delete", name="testname", ids=["uri9"]),
    coll("count", name="testname"),
    coll("delete", name="testname"),
    coll("count", name="testname"),
    coll("modify", name="testname", metadata={"topic": "seed"}),
    client("list_collections"),
    client("get_collection", name="missing"),
    client("delete_collection", name="testname"),
    client("list_collections"),
]


@pytest.fixture(scope="module")
def seed_pair() -> Iterator[Pair]:
    real = Side(oracle_python(SEED_VERSION), "real-0.3")
    ours = Side(our_python(), "ours-seed")
    pair = Pair(real, ours)
    try:
        pair.client(kind="legacy", settings={"chroma_db_impl": "duckdb"})
        yield pair
    finally:
        real.close()
        ours.close()


def test_seed_operations_agree_with_0_3(seed_pair: Pair) -> None:
    seed_pair.check(SEED_OPS)
