"""Index settings given as ``hnsw:*`` metadata or as a 1.x ``configuration`` are honoured."""

from __future__ import annotations

import pytest

import chromadb
from chromadb.engine.catalog import hnsw_settings
from chromadb.errors import InvalidArgumentError


def test_metadata_and_configuration_forms() -> None:
    assert hnsw_settings({"hnsw:space": "ip", "hnsw:M": 8}, None) == {"space": "ip", "M": 8}
    config = {"hnsw": {"space": "cosine", "ef_search": 200, "ef_construction": 150}}
    assert hnsw_settings(None, config) == {
        "space": "cosine",
        "search_ef": 200,
        "construction_ef": 150,
    }
    # The configuration wins where both speak, as in real Chroma 1.x.
    assert hnsw_settings({"hnsw:search_ef": 20}, config)["search_ef"] == 200
    assert hnsw_settings({"hnsw:space": "ip"}, config)["space"] == "cosine"


def test_modify_search_depth_reaches_the_live_index() -> None:
    client = chromadb.EphemeralClient()
    col = client.create_collection(
        "depth-test", configuration={"hnsw": {"space": "cosine"}}, embedding_function=None
    )
    try:
        col.add(ids=["a", "b"], embeddings=[[1.0, 0.0], [0.0, 1.0]])
        col.modify(configuration={"hnsw": {"ef_search": 300}})
        assert col.configuration["hnsw"]["ef_search"] == 300
        assert col.configuration["hnsw"]["space"] == "cosine"
        segment = client._api._segment(col.id)  # the engine's handle on this collection
        assert segment._search_ef == 300
        assert col.query(query_embeddings=[1.0, 0.1], n_results=1)["ids"] == [["a"]]
        with pytest.raises(InvalidArgumentError, match="distance function"):
            col.modify(configuration={"hnsw": {"space": "l2"}})
    finally:
        client.delete_collection("depth-test")
