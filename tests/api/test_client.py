"""Client methods: heartbeat, collections (list / count / create / get / get_or_create / delete),
reset, version, settings, persist, create_index; and the ways to build a client."""

from __future__ import annotations

import time
from typing import Any, Callable

import pytest

import chromadb
from chromadb.api.client import clear_system_cache
from chromadb.config import Settings
from chromadb.errors import AuthorizationError, NotFoundError


def test_heartbeat_is_nanoseconds_since_epoch(client: Any) -> None:
    beat = client.heartbeat()
    assert isinstance(beat, int)
    assert abs(beat - time.time_ns()) < 3600 * 10**9


def test_list_and_count_collections(client: Any, ef: Any) -> None:
    assert client.list_collections() == []
    assert client.count_collections() == 0
    names = ["gamma", "alpha", "beta", "delta"]
    for name in names:
        client.create_collection(name, embedding_function=ef)
    assert client.count_collections() == 4
    listed = [c.name for c in client.list_collections()]
    assert sorted(listed) == sorted(names)
    # limit/offset page through one stable order.
    pages = [[c.name for c in client.list_collections(limit=3, offset=o)] for o in (0, 3)]
    assert pages[0] + pages[1] == listed
    assert len(pages[0]) == 3
    assert client.list_collections(offset=10) == []


def test_create_get_and_delete_collection(client: Any, ef: Any) -> None:
    created = client.create_collection(
        "docs", metadata={"owner": "me", "n": 3}, embedding_function=ef
    )
    assert created.name == "docs"
    assert created.metadata == {"owner": "me", "n": 3}
    fetched = client.get_collection("docs", embedding_function=ef)
    assert fetched.id == created.id
    assert fetched.metadata == {"owner": "me", "n": 3}
    assert fetched == created
    client.delete_collection("docs")
    with pytest.raises(NotFoundError):
        client.get_collection("docs", embedding_function=ef)
    assert client.count_collections() == 0


def test_collection_without_metadata_has_none(client: Any, ef: Any) -> None:
    assert client.create_collection("plain", embedding_function=ef).metadata is None


def test_get_or_create_returns_existing_unchanged(client: Any, ef: Any) -> None:
    first = client.create_collection("docs", metadata={"v": 1}, embedding_function=ef)
    first.add(ids=["a"], embeddings=[[1.0, 2.0, 3.0]])
    again = client.get_or_create_collection("docs", metadata={"v": 2}, embedding_function=ef)
    assert again.id == first.id
    assert again.metadata == {"v": 1}
    assert again.count() == 1
    also = client.create_collection(
        "docs", metadata={"v": 3}, embedding_function=ef, get_or_create=True
    )
    assert also.id == first.id and also.metadata == {"v": 1}
    made = client.get_or_create_collection("other", metadata={"v": 4}, embedding_function=ef)
    assert made.metadata == {"v": 4}
    assert client.count_collections() == 2


def test_modify_renames_and_replaces_metadata(client: Any, ef: Any) -> None:
    col = client.create_collection("before", metadata={"a": 1}, embedding_function=ef)
    col.add(ids=["x"], embeddings=[[1.0, 1.0, 1.0]])
    col.modify(name="after", metadata={"b": 2})
    assert col.name == "after"
    fetched = client.get_collection("after", embedding_function=ef)
    assert fetched.id == col.id
    assert fetched.metadata == {"b": 2}
    assert fetched.count() == 1
    with pytest.raises(NotFoundError):
        client.get_collection("before", embedding_function=ef)


def test_collection_ids_differ_and_data_is_separate(client: Any, ef: Any) -> None:
    one = client.create_collection("one", embedding_function=ef)
    two = client.create_collection("two", embedding_function=ef)
    assert one.id != two.id
    one.add(ids=["same"], embeddings=[[1.0, 0.0, 0.0]], documents=["in one"])
    two.add(ids=["same"], embeddings=[[0.0, 1.0, 0.0]], documents=["in two"])
    assert one.get(ids="same")["documents"] == ["in one"]
    assert two.get(ids="same")["documents"] == ["in two"]
    client.delete_collection("one")
    assert two.get()["ids"] == ["same"]


def test_deleted_collection_name_can_be_reused_empty(client: Any, ef: Any) -> None:
    col = client.create_collection("reuse", embedding_function=ef)
    col.add(ids=["a"], embeddings=[[1.0, 2.0, 3.0]])
    client.delete_collection("reuse")
    fresh = client.create_collection("reuse", embedding_function=ef)
    assert fresh.count() == 0
    fresh.add(ids=["a"], embeddings=[[1.0, 2.0]])  # a new dimension is fine too
    assert fresh.count() == 1


def test_reset_removes_everything(client: Any, ef: Any) -> None:
    client.create_collection("a1b", embedding_function=ef).add(
        ids=["x"], embeddings=[[1.0, 2.0, 3.0]]
    )
    client.create_collection("a2b", embedding_function=ef)
    assert client.reset() is True
    assert client.list_collections() == []
    assert client.create_collection("a1b", embedding_function=ef).count() == 0


def test_reset_refused_unless_allowed(ef: Any) -> None:
    client = chromadb.EphemeralClient(Settings(allow_reset=False))
    client.create_collection("kept", embedding_function=ef)
    with pytest.raises(AuthorizationError):
        client.reset()
    assert client.count_collections() == 1


def test_version_settings_persist_and_create_index(client: Any, ef: Any) -> None:
    version = client.get_version()
    assert isinstance(version, str) and version
    assert version == chromadb.__version__
    assert isinstance(client.get_settings(), Settings)
    assert client.get_settings().allow_reset is True
    assert client.persist() in (None, True)  # a no-op kept for seed-era code
    col = client.create_collection("indexed", embedding_function=ef)
    col.add(ids=["a"], embeddings=[[1.0, 2.0, 3.0]])
    assert client.create_index("indexed")
    assert col.create_index()
    with pytest.raises(NotFoundError):
        client.create_index("no-such-collection")


def test_max_batch_size_is_positive(client: Any) -> None:
    assert client.get_max_batch_size() > 0


def test_two_clients_on_one_database_share_data(
    client: Any, client_factory: Callable[..., Any], ef: Any
) -> None:
    client.create_collection("shared", embedding_function=ef).add(
        ids=["a"], embeddings=[[1.0, 2.0, 3.0]]
    )
    other = client_factory()
    assert other.get_collection("shared", embedding_function=ef).get()["ids"] == ["a"]


def test_default_client_is_in_memory(ef: Any) -> None:
    client: Any = chromadb.Client()
    assert client.get_settings().persistent() is False
    client.create_collection("mem", embedding_function=ef).add(
        ids=["a"], embeddings=[[1.0, 2.0, 3.0]]
    )
    # Two in-memory clients in one process share data, as in Chroma.
    assert chromadb.EphemeralClient().get_collection("mem", embedding_function=ef).count() == 1
    clear_system_cache()
    assert chromadb.Client().list_collections() == []


@pytest.mark.parametrize("how", ["seed-settings", "persistent-client"])
def test_persistent_folder_survives_reopen(tmp_path: Any, ef: Any, how: str) -> None:
    path = str(tmp_path / "db")

    def open_client() -> Any:
        if how == "seed-settings":
            return chromadb.Client(
                Settings(chroma_db_impl="duckdb+parquet", persist_directory=path)
            )
        return chromadb.PersistentClient(path=path)

    col = open_client().create_collection("kept", metadata={"m": 1}, embedding_function=ef)
    col.add(ids=["a", "b"], embeddings=[[1.0, 2.0, 3.0], [3.0, 2.0, 1.0]], documents=["x", "y"])
    clear_system_cache()
    reopened = open_client().get_collection("kept", embedding_function=ef)
    assert reopened.metadata == {"m": 1}
    assert reopened.get()["documents"] == ["x", "y"]
    assert reopened.query(query_embeddings=[[3.0, 2.0, 1.0]], n_results=1)["ids"] == [["b"]]


def test_settings_read_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Any) -> None:
    monkeypatch.setenv("CHROMA_SERVER_HOST", "db.internal")
    monkeypatch.setenv("CHROMA_SERVER_HTTP_PORT", "9123")
    monkeypatch.setenv("CHROMA_API_IMPL", "rest")
    monkeypatch.setenv("ALLOW_RESET", "TRUE")
    monkeypatch.setenv("PERSIST_DIRECTORY", str(tmp_path))
    settings = Settings()
    assert settings.chroma_server_host == "db.internal"
    assert settings.chroma_server_http_port == 9123
    assert settings.chroma_api_impl == "rest"
    assert settings.allow_reset is True
    assert settings.persist_directory == str(tmp_path)
    # An argument wins over the environment.
    assert Settings(chroma_server_host="other").chroma_server_host == "other"


def test_settings_accept_seed_era_values() -> None:
    settings = Settings(
        chroma_api_impl="rest",
        chroma_server_host="localhost",
        chroma_server_http_port="8000",  # type: ignore[arg-type]  # the seed passes a str
    )
    assert settings.chroma_server_http_port == 8000
    assert settings.is_rest()
    assert Settings(chroma_db_impl="duckdb+parquet", persist_directory="x").persistent()
    assert not Settings().persistent()
