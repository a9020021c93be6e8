"""The /api/v1 routes, with the bodies of the seed-era client (chromadb 0.3.x) and of the
0.4/0.5 clients (tenant and database as query parameters)."""

from __future__ import annotations

from typing import Any

import pandas as pd
from fastapi.testclient import TestClient

SEED_AGENT = {"User-Agent": "python-requests/2.31.0"}


def test_heartbeat_on_the_api_root(http: TestClient) -> None:
    assert isinstance(http.get("/api/v1").json()["nanosecond heartbeat"], int)
    assert isinstance(http.get("/api/v1/heartbeat").json()["nanosecond heartbeat"], int)
    assert http.get("/api/v1/version").json() == http.get("/api/v2/version").json()
    assert http.get("/api/v1/pre-flight-checks").json()["max_batch_size"] > 0


def test_seed_era_flow(http: TestClient) -> None:
    created = http.post(
        "/api/v1/collections",
        json={"name": "seed", "metadata": None, "get_or_create": False},
        headers=SEED_AGENT,
    ).json()
    assert set(created) == {"name", "id", "metadata"}  # Collection(**json) takes only these
    cid = created["id"]
    added = http.post(
        f"/api/v1/collections/{cid}/add",
        json={
            "ids": ["id1", "id2"],
            "embeddings": [[1.5, 2.9, 3.4], [9.8, 2.3, 2.9]],
            "metadatas": [{"source": "notion"}, {"source": "google-docs"}],
            "documents": ["This is a document", "This is another document"],
            "increment_index": True,
        },
        headers=SEED_AGENT,
    )
    assert added.status_code == 201 and added.json() is True
    got = http.post(
        f"/api/v1/collections/{cid}/get",
        json={
            "ids": None,
            "where": {},
            "where_document": {},
            "sort": None,
            "limit": None,
            "offset": None,
            "include": ["metadatas", "documents"],
        },
    ).json()
    assert got["ids"] == ["id1", "id2"] and got["documents"][1] == "This is another document"
    query = http.post(
        f"/api/v1/collections/{cid}/query",
        json={
            "query_embeddings": [[1.5, 2.9, 3.4]],
            "n_results": 10,
            "where": {"source": "notion"},
            "where_document": {},
            "include": ["metadatas", "documents", "distances"],
        },
    ).json()
    assert query["ids"] == [["id1"]]
    assert http.get(f"/api/v1/collections/{cid}/count").json() == 2
    # The 0.3.x client deletes and gets collections by name, and its delete answers the ids.
    deleted = http.post("/api/v1/collections/seed/delete", json={"ids": ["id2"], "where": {}})
    assert deleted.json() == ["id2"]
    assert http.post("/api/v1/collections/seed/create_index").json() is True
    assert http.post("/api/v1/persist").json() is True
    assert http.get("/api/v1/collections/seed", headers=SEED_AGENT).json() == created
    listed = http.get("/api/v1/collections", headers=SEED_AGENT).json()
    assert listed == [created]
    assert http.get("/api/v1/count_collections").json() == 1
    assert http.delete("/api/v1/collections/seed").status_code == 200
    assert http.get("/api/v1/count_collections").json() == 0


def test_tenant_and_database_query_parameters(http: TestClient) -> None:
    # chromadb-client 0.5.15's constructor checks the default tenant and database like this.
    assert http.get("/api/v1/tenants/default_tenant").json() == {"name": "default_tenant"}
    default_db = http.get(
        "/api/v1/databases/default_database", params={"tenant": "default_tenant"}
    ).json()
    assert default_db["name"] == "default_database"
    assert http.post("/api/v1/tenants", json={"name": "tenant1"}).status_code == 200
    assert (
        http.post(
            "/api/v1/databases", params={"tenant": "tenant1"}, json={"name": "database1"}
        ).status_code
        == 200
    )
    scope = {"tenant": "tenant1", "database": "database1"}
    assert (
        http.post("/api/v1/collections", params=scope, json={"name": "scoped"}).status_code == 200
    )
    assert [c["name"] for c in http.get("/api/v1/collections", params=scope).json()] == ["scoped"]
    assert http.get("/api/v1/collections").json() == []
    assert http.get("/api/v1/count_collections", params=scope).json() == 1
    assert http.get("/api/v1/collections/scoped", params=scope).status_code == 200
    assert http.get("/api/v1/collections/scoped").status_code == 404


def test_raw_sql_is_refused_unless_enabled(servers: Any) -> None:
    http = servers.client()
    for path in ("/api/v1/raw_sql", "/api/v2/raw_sql"):
        refused = http.post(path, json={"raw_sql": "SELECT 1"})
        assert refused.status_code == 403
        assert refused.json()["error"] == "AuthorizationError"
        assert "CHROMA_SERVER_ALLOW_RAW_SQL" in refused.json()["message"]


def test_raw_sql_answers_both_client_generations(servers: Any) -> None:
    http = servers.client(chroma_server_allow_raw_sql=True)
    http.post(
        "/api/v2/tenants/default_tenant/databases/default_database/collections",
        json={"name": "sql"},
    )
    sql = "SELECT name, name FROM collections"
    # 0.3.x loads the answer with pandas.DataFrame.from_dict: column name -> values.
    frame = pd.DataFrame.from_dict(http.post("/api/v1/raw_sql", json={"raw_sql": sql}).json())
    assert list(frame.columns) == ["name", "name_2"] and frame["name"].tolist() == ["sql"]
    rows = http.post("/api/v2/raw_sql", json={"raw_sql": sql}).json()
    assert rows == {"columns": ["name", "name"], "rows": [["sql", "sql"]]}
    bad = http.post("/api/v2/raw_sql", json={"raw_sql": "SELEC nonsense"})
    assert bad.status_code == 400 and bad.json()["error"] == "InvalidArgumentError"
