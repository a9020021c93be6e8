"""The collection object each client generation gets (COMPAT.md, "The collection object")."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

V2 = "/api/v2/tenants/default_tenant/databases/default_database"
CONFIG = {"hnsw": {"space": "cosine"}, "embedding_function": {"type": "legacy"}}


@pytest.fixture
def cid(http: TestClient) -> str:
    answer = http.post(V2 + "/collections", json={"name": "shaped", "configuration": CONFIG})
    collection_id: str = answer.json()["id"]
    http.post(f"{V2}/collections/{collection_id}/add", json={"ids": ["a"], "embeddings": [[1, 2]]})
    return collection_id


def _get(http: TestClient, path: str, agent: str) -> dict:
    answer: dict = http.get(path, headers={"User-Agent": agent}).json()
    return answer


def test_seed_client_gets_only_name_id_metadata(http: TestClient, cid: str) -> None:
    body = _get(http, "/api/v1/collections/shaped", "python-requests/2.31.0")
    # The configuration is not copied into the metadata (as in real 1.x).
    assert body == {"name": "shaped", "id": cid, "metadata": None}


@pytest.mark.parametrize(
    "path, agent",
    [
        ("/api/v1/collections/shaped", "python-httpx/0.27.0"),
        ("/api/v1/collections/shaped", "node"),
        (V2 + "/collections/shaped", "python-httpx/0.27.0"),
    ],
)
def test_legacy_form_for_0_5_and_0_6_clients(
    http: TestClient, cid: str, path: str, agent: str
) -> None:
    body = _get(http, path, agent)
    assert set(body) == {
        "id",
        "name",
        "metadata",
        "configuration_json",
        "dimension",
        "tenant",
        "database",
    }
    assert body["dimension"] == 2
    config = body["configuration_json"]
    assert config["_type"] == "CollectionConfigurationInternal"
    assert config["hnsw_configuration"]["space"] == "cosine"
    assert "hnsw" not in config  # these clients reject keys they do not know


@pytest.mark.parametrize("agent", ["Chroma Python Client v1.5.9 (x)", "", "chromadb-js/3.5.0"])
def test_modern_form_for_1x_and_js_clients(http: TestClient, cid: str, agent: str) -> None:
    body = _get(http, V2 + "/collections/shaped", agent)
    config = body["configuration_json"]
    assert config["hnsw"]["space"] == "cosine"  # LangChain picks its relevance function here
    assert config["spann"] is None and config["embedding_function"] == {"type": "legacy"}
    assert body["tenant"] == "default_tenant" and body["id"] == cid


def test_our_client_gets_the_configuration_as_stored(http: TestClient, cid: str) -> None:
    body = _get(
        http, V2 + "/collections/shaped", "Chroma Python Client v1.5.0 (chromadb-clean-room)"
    )
    # As stored: real 1.x's HNSW defaults filled in around what was given.
    hnsw = {
        "space": "cosine",
        "ef_construction": 100,
        "ef_search": 100,
        "max_neighbors": 16,
        "resize_factor": 1.2,
        "sync_threshold": 1000,
    }
    assert body["configuration_json"] == {**CONFIG, "hnsw": hnsw, "spann": None}
