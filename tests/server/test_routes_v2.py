"""The /api/v2 routes, spoken as raw HTTP the way the 1.x clients and JS 3.x speak them."""

from __future__ import annotations

import base64
import struct
from typing import Callable

from fastapi.testclient import TestClient

V2 = "/api/v2/tenants/default_tenant/databases/default_database"


def test_heartbeat_version_health_and_limits(http: TestClient) -> None:
    assert isinstance(http.get("/api/v2/heartbeat").json()["nanosecond heartbeat"], int)
    assert http.get("/api/v2/version").json() == __import__("chromadb").__version__
    assert http.get("/api/v2/healthcheck").status_code == 200
    checks = http.get("/api/v2/pre-flight-checks").json()
    assert checks["max_batch_size"] > 0 and checks["supports_base64_encoding"] is True
    assert http.get("/api/v2/auth/identity").json() == {
        "user_id": "",
        "tenant": "default_tenant",
        "databases": ["default_database"],
    }


def test_tenants_and_databases(http: TestClient) -> None:
    assert http.post("/api/v2/tenants", json={"name": "acme"}).status_code == 200
    assert http.get("/api/v2/tenants/acme").json() == {"name": "acme"}
    assert http.post("/api/v2/tenants", json={"name": "acme"}).status_code == 409
    assert http.post("/api/v2/tenants/acme/databases", json={"name": "docs"}).status_code == 200
    database = http.get("/api/v2/tenants/acme/databases/docs").json()
    assert database["name"] == "docs" and database["tenant"] == "acme" and database["id"]
    assert [d["name"] for d in http.get("/api/v2/tenants/acme/databases").json()] == ["docs"]
    scope = "/api/v2/tenants/acme/databases/docs"
    assert http.post(scope + "/collections", json={"name": "inside"}).status_code == 200
    assert http.get(scope + "/collections_count").json() == 1
    assert http.get(V2 + "/collections_count").json() == 0  # other databases do not see it
    assert http.delete(scope).status_code == 200
    assert http.get(scope).status_code == 404
    assert http.get("/api/v2/tenants/nobody").status_code == 404


def test_collection_lifecycle(http: TestClient) -> None:
    created = http.post(V2 + "/collections", json={"name": "books", "metadata": {"a": 1}}).json()
    assert created["name"] == "books" and created["metadata"] == {"a": 1}
    assert isinstance(created["configuration_json"], dict)
    assert created["tenant"] == "default_tenant" and created["database"] == "default_database"
    by_name = http.get(V2 + "/collections/books").json()
    by_id = http.get(f"{V2}/collections/{created['id']}").json()
    assert by_name["id"] == by_id["id"] == created["id"]
    again = http.post(V2 + "/collections", json={"name": "books", "get_or_create": True}).json()
    assert again["id"] == created["id"] and again["metadata"] == {"a": 1}

    renamed = http.put(
        f"{V2}/collections/{created['id']}", json={"new_name": "novels", "new_metadata": {"b": 2}}
    ).json()
    assert renamed["name"] == "novels" and renamed["metadata"] == {"b": 2}
    assert http.get(V2 + "/collections/books").status_code == 404
    assert http.delete(V2 + "/collections/novels").json() == {}
    assert http.get(V2 + "/collections/novels").status_code == 404


def test_list_collections_pages_in_creation_order(http: TestClient) -> None:
    for name in ["c-one", "c-two", "c-three"]:
        http.post(V2 + "/collections", json={"name": name})
    names = [c["name"] for c in http.get(V2 + "/collections").json()]
    assert names == ["c-one", "c-two", "c-three"]
    page = http.get(V2 + "/collections", params={"limit": 1, "offset": 1}).json()
    assert [c["name"] for c in page] == ["c-two"]
    assert http.get(V2 + "/collections_count").json() == 3


def test_records_round_trip(http: TestClient, make_collection: Callable[..., dict]) -> None:
    cid = make_collection(http, "recs", records=4)["id"]
    base = f"{V2}/collections/{cid}"
    assert http.get(base + "/count").json() == 4
    got = http.post(
        base + "/get", json={"ids": ["r2", "r0"], "include": ["embeddings", "metadatas"]}
    )
    body = got.json()
    assert body["ids"] == ["r0", "r2"]  # insertion order, as real Chroma
    assert body["embeddings"] == [[0.0, 1.0, 2.0], [2.0, 3.0, 4.0]]
    assert body["metadatas"] == [{"i": 0, "even": True}, {"i": 2, "even": True}]
    assert body["documents"] is None and body["include"] == ["embeddings", "metadatas"]

    found = http.post(base + "/query", json={"query_embeddings": [[3.0, 4.0, 5.0]], "n_results": 2})
    result = found.json()
    assert result["ids"] == [["r3", "r2"]] and result["distances"][0][0] == 0.0
    assert result["documents"] == [["doc 3", "doc 2"]]

    filtered = http.post(base + "/get", json={"where": {"even": False}, "where_document": {}})
    assert filtered.json()["ids"] == ["r1", "r3"]

    assert http.post(base + "/update", json={"ids": ["r1"], "documents": ["new"]}).json() == {}
    assert http.post(base + "/get", json={"ids": ["r1"]}).json()["documents"] == ["new"]
    upserted = http.post(base + "/upsert", json={"ids": ["r9"], "embeddings": [[9.0, 9.0, 9.0]]})
    assert upserted.status_code == 200 and http.get(base + "/count").json() == 5

    deleted = http.post(base + "/delete", json={"where": {"i": {"$gte": 2}}}).json()
    assert deleted["deleted"] == 2 and sorted(deleted["ids"]) == ["r2", "r3"]
    assert http.post(base + "/get", json={}).json()["ids"] == ["r0", "r1", "r9"]


def test_collection_addressed_by_name_in_record_routes(
    http: TestClient, make_collection: Callable[..., dict]
) -> None:
    make_collection(http, "named", records=2)
    assert http.get(V2 + "/collections/named/count").json() == 2
    got = http.post(V2 + "/collections/named/get", json={"ids": ["r1"]}).json()
    assert got["ids"] == ["r1"]


def test_base64_embeddings_are_little_endian_float32(
    http: TestClient, make_collection: Callable[..., dict]
) -> None:
    cid = make_collection(http, "b64")["id"]
    vectors = [[0.5, -1.25, 3.0], [1.0, 2.0, 4.0]]
    encoded = [base64.b64encode(struct.pack("<3f", *v)).decode() for v in vectors]
    added = http.post(
        f"{V2}/collections/{cid}/add", json={"ids": ["a", "b"], "embeddings": encoded}
    )
    assert added.status_code == 201
    got = http.post(f"{V2}/collections/{cid}/get", json={"include": ["embeddings"]}).json()
    assert got["embeddings"] == vectors
    query = http.post(
        f"{V2}/collections/{cid}/query", json={"query_embeddings": [encoded[1]], "n_results": 1}
    )
    assert query.json()["ids"] == [["b"]]


def test_create_index_and_legacy_configuration_in(http: TestClient) -> None:
    # The 0.5/0.6 Python clients send their configuration in the CollectionConfigurationInternal
    # form; the distance function in it is honoured.
    legacy = {
        "_type": "CollectionConfigurationInternal",
        "hnsw_configuration": {"_type": "HNSWConfigurationInternal", "space": "cosine"},
    }
    created = http.post(V2 + "/collections", json={"name": "legacy", "configuration": legacy})
    assert created.json()["configuration_json"]["hnsw"]["space"] == "cosine"
    assert http.post(f"{V2}/collections/legacy/create_index").json() is True


def test_a_malformed_schema_is_refused_and_nothing_is_created(http: TestClient) -> None:
    # Stored as sent, a schema without its 'defaults' would break every later read (a 500).
    for schema in ({"keys": {}}, {"defaults": [], "keys": {}}, {"defaults": {}, "keys": []}):
        answer = http.post(V2 + "/collections", json={"name": "bad_schema", "schema": schema})
        assert answer.status_code == 400, answer.text
        assert "schema" in answer.json()["message"]
        assert http.get(V2 + "/collections/bad_schema").status_code == 404
