"""``client.raw_sql``: a pandas DataFrame over the read-only views ``collections`` and
``embeddings``. Embedded clients run it; the test server keeps it disabled (its default), so
over HTTP it must be refused with a clear AuthorizationError."""

from __future__ import annotations

import json
from typing import Any

import pandas as pd
import pytest

from chromadb.errors import AuthorizationError, ChromaError, InvalidArgumentError


@pytest.fixture
def filled(client: Any, ef: Any) -> Any:
    c = client.create_collection("sql-docs", metadata={"owner": "me"}, embedding_function=ef)
    c.add(
        ids=["a", "b"],
        embeddings=[[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]],
        metadatas=[{"k": 1}, None],
        documents=["first", None],
        uris=["s3://a", None],
    )
    client.create_collection("sql-other", embedding_function=ef)
    return client


def _embedded(client_kind: str) -> None:
    if client_kind == "http":
        pytest.skip(
            "raw_sql is disabled on the test server; test_raw_sql_refused_over_http covers it"
        )


def test_collections_view(filled: Any, client_kind: str) -> None:
    _embedded(client_kind)
    df = filled.raw_sql("SELECT * FROM collections ORDER BY name")
    assert isinstance(df, pd.DataFrame)
    assert {"id", "name", "metadata", "tenant", "database"} <= set(df.columns)
    assert list(df["name"]) == ["sql-docs", "sql-other"]
    assert set(df["tenant"]) == {"default_tenant"} and set(df["database"]) == {"default_database"}
    docs = df[df["name"] == "sql-docs"].iloc[0]
    assert docs["id"] == str(filled.get_collection("sql-docs", embedding_function=None).id)
    meta = docs["metadata"]
    assert (json.loads(meta) if isinstance(meta, str) else meta) == {"owner": "me"}


def test_embeddings_view(filled: Any, client_kind: str) -> None:
    _embedded(client_kind)
    df = filled.raw_sql(
        "SELECT id, document, metadata, uri, collection_name FROM embeddings "
        "WHERE collection_name = 'sql-docs' ORDER BY id"
    )
    assert {"collection_id", "collection_name", "id", "document", "metadata", "uri"} <= set(
        filled.raw_sql("SELECT * FROM embeddings").columns
    )
    assert list(df["id"]) == ["a", "b"]
    assert df["document"].iloc[0] == "first" and pd.isna(df["document"].iloc[1])
    assert df["uri"].iloc[0] == "s3://a"
    meta = df["metadata"].iloc[0]
    assert (json.loads(meta) if isinstance(meta, str) else meta) == {"k": 1}
    count = filled.raw_sql("SELECT COUNT(*) AS n FROM embeddings")
    assert int(count["n"].iloc[0]) == 2


@pytest.mark.parametrize(
    "sql",
    [
        "DELETE FROM embeddings",
        "DROP VIEW collections",
        "CREATE TABLE sneaky (x INTEGER)",
        "UPDATE collections SET name = 'x'",
    ],
)
def test_raw_sql_is_read_only(filled: Any, client_kind: str, sql: str) -> None:
    _embedded(client_kind)
    with pytest.raises(ChromaError):
        filled.raw_sql(sql)
    assert filled.get_collection("sql-docs", embedding_function=None).count() == 2
    assert len(filled.raw_sql("SELECT * FROM collections")) == 2


def test_raw_sql_cannot_be_switched_to_writing(filled: Any, client_kind: str) -> None:
    _embedded(client_kind)
    try:
        filled.raw_sql("PRAGMA query_only = OFF")
    except ChromaError:
        pass  # refusing the pragma is fine too
    with pytest.raises(ChromaError):
        filled.raw_sql("DELETE FROM embeddings")
    assert filled.get_collection("sql-docs", embedding_function=None).count() == 2


def test_bad_sql_is_a_clear_error(filled: Any, client_kind: str) -> None:
    _embedded(client_kind)
    with pytest.raises(InvalidArgumentError):
        filled.raw_sql("SELEC nonsense")
    with pytest.raises(InvalidArgumentError):
        filled.raw_sql("")


def test_raw_sql_refused_over_http(filled: Any, client_kind: str) -> None:
    if client_kind != "http":
        pytest.skip("over HTTP only")
    with pytest.raises(AuthorizationError) as info:
        filled.raw_sql("SELECT * FROM collections")
    assert "raw_sql" in str(info.value)
