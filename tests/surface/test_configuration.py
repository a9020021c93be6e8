"""Collection configuration and Schema as real 1.5.9 has them (the expected shapes below are
what real 1.5.9 returned for the same calls): HNSW defaults filled in, ``hnsw:space`` metadata
read into ``configuration["hnsw"]["space"]`` (where LangChain reads it) and never the other way,
invalid values refused in-process and over HTTP, Schema accepted and returned."""

from __future__ import annotations

from typing import Any, Dict, Iterator

import pytest
from fastapi.testclient import TestClient

import chromadb
from chromadb.api.configuration import CollectionConfiguration, HNSWConfiguration
from chromadb.api.schema import (
    HnswIndexConfig,
    Schema,
    StringInvertedIndexConfig,
    VectorIndexConfig,
)
from chromadb.config import Settings
from chromadb.errors import InvalidArgumentError
from chromadb.server.fastapi import FastAPI

HNSW_DEFAULTS = {
    "space": "l2",
    "ef_construction": 100,
    "ef_search": 100,
    "max_neighbors": 16,
    "resize_factor": 1.2,
    "sync_threshold": 1000,
}
DEFAULT_EF = {"type": "known", "name": "default", "config": {}}
V2 = "/api/v2/tenants/default_tenant/databases/default_database/collections"


@pytest.fixture
def client() -> Iterator[Any]:
    made = chromadb.EphemeralClient()
    yield made
    for collection in made.list_collections():
        made.delete_collection(collection.name)


def test_a_plain_collection_has_real_s_defaults(client: Any) -> None:
    col = client.create_collection("plain")
    assert col.configuration_json == {
        "hnsw": HNSW_DEFAULTS,
        "spann": None,
        "embedding_function": DEFAULT_EF,
    }
    assert col.metadata is None


def test_hnsw_space_metadata_goes_into_the_configuration_not_back(client: Any) -> None:
    col = client.create_collection("meta", metadata={"hnsw:space": "cosine"})
    assert col.configuration_json["hnsw"] == {**HNSW_DEFAULTS, "space": "cosine"}
    assert col.metadata == {"hnsw:space": "cosine"}
    legacy = client.create_collection(
        "legacy",
        metadata={
            "hnsw:construction_ef": 50,
            "hnsw:M": 8,
            "hnsw:search_ef": 20,
            "hnsw:space": "ip",
        },
    )
    assert legacy.configuration_json["hnsw"] == {
        **HNSW_DEFAULTS, "space": "ip", "ef_construction": 50, "ef_search": 20, "max_neighbors": 8,
    }  # fmt: skip
    configured = client.create_collection("conf", configuration={"hnsw": {"space": "cosine"}})
    assert configured.metadata is None


@pytest.mark.parametrize(
    "configuration, problem",
    [
        ({"hnsw": {"ef_search": -1}}, "ef_search"),
        ({"hnsw": {"space": "foo"}}, "space"),
        ({"hnsw": {"bogus": 1}}, "bogus"),
    ],
    ids=["negative-ef", "unknown-space", "unknown-field"],
)
def test_invalid_configuration_is_refused_everywhere(
    client: Any, configuration: Dict[str, Any], problem: str
) -> None:
    with pytest.raises(InvalidArgumentError, match=problem):
        client.create_collection("bad-config", configuration=configuration)
    assert client.count_collections() == 0
    server = FastAPI(Settings())
    try:
        answer = TestClient(server.app()).post(
            V2, json={"name": "bad", "configuration": configuration}
        )
        assert answer.status_code == 400 and problem in answer.json()["message"]
    finally:
        server.close()


def _schema() -> Schema:
    schema = Schema()
    schema.create_index(
        config=VectorIndexConfig(space="ip", hnsw=HnswIndexConfig(ef_construction=200))
    )
    schema.create_index(config=StringInvertedIndexConfig(), key="genre")
    return schema


def test_a_schema_gives_the_space_and_parameters_and_comes_back(client: Any) -> None:
    col = client.create_collection("schema", schema=_schema())
    assert col.configuration_json["hnsw"] == {
        **HNSW_DEFAULTS,
        "space": "ip",
        "ef_construction": 200,
    }
    returned = col.schema.serialize_to_json()
    vector = returned["keys"]["#embedding"]["float_list"]["vector_index"]
    assert vector["enabled"] is True and vector["config"]["space"] == "ip"
    assert vector["config"]["hnsw"]["ef_construction"] == 200
    assert vector["config"]["hnsw"]["num_threads"] == 2  # as real fills it
    assert returned["keys"]["genre"] == {
        "string": {"string_inverted_index": {"enabled": True, "config": {}}}
    }
    assert returned["defaults"]["sparse_vector"]["sparse_vector_index"]["config"]["bm25"] is False
    assert "_schema" not in col.configuration_json


def test_a_schema_in_the_rest_body_and_in_the_answer() -> None:
    server = FastAPI(Settings())
    try:
        http = TestClient(server.app())
        body = {"name": "rest-schema", "schema": _schema().serialize_to_json()}
        created = http.post(
            V2,
            json=body,
            headers={
                "User-Agent": "Chroma Python Client v1.5.9 (https://github.com/chroma-core/chroma)"
            },
        ).json()
        assert created["configuration_json"]["hnsw"]["space"] == "ip"
        assert "_schema" not in created["configuration_json"]
        assert created["schema"]["keys"]["genre"]["string"]["string_inverted_index"]["enabled"]
    finally:
        server.close()


def test_schema_rules_as_real() -> None:
    from chromadb.api.schema import FtsIndexConfig

    with pytest.raises(ValueError, match="#document"):
        Schema().create_index(config=FtsIndexConfig(), key="title")
    with pytest.raises(ValueError, match="specific keys"):
        Schema().create_index(config=VectorIndexConfig(space="cosine"), key="title")
    assert Schema.deserialize_from_json(_schema().serialize_to_json()) == _schema()


def test_the_0_5_configuration_classes_round_trip() -> None:
    config = CollectionConfiguration(hnsw_configuration=HNSWConfiguration(space="cosine", M=8))
    data = config.to_json()
    assert data["_type"] == "CollectionConfigurationInterface"
    assert data["hnsw_configuration"]["M"] == 8
    assert CollectionConfiguration.from_json(data) == config
    with pytest.raises(ValueError, match="bad"):
        HNSWConfiguration(space="bad")
