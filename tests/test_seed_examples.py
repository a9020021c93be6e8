"""The seed documents' Python examples, run line by line as a user would type them.

Sources: /work/shared/seeds/003_*.txt (the "API Reference" page: clients, client methods,
collection methods) and 000_*.txt (the ``API`` class docstrings). Each documented line is kept
as written; lines marked ``# arrangement`` are what a user would add to make the sequence
runnable (the page adds "uri9" three times to one collection, for instance). Only two things are
substituted: the persist directory (a temporary folder instead of "/path/to/persist/directory")
and the server port (the session's test server instead of 8000).

The page's collections are created without an embedding function, so they use the default one;
here the default is swapped for a tiny deterministic 3-d function (the page's vectors are 3-d),
so the documents-only add works without loading the real model.
"""

from __future__ import annotations

import time
from typing import Any, List

import pytest

import chromadb as chroma  # the seed's REST snippet says `chroma.Client(...)` after `import chromadb`
from chromadb.api.client import clear_system_cache
from chromadb.errors import InvalidArgumentError

pytestmark = pytest.mark.usefixtures("fresh_systems")


class SeedEmbeddingFunction:
    """Stands in for the default embedding function: 3 numbers per document."""

    def __call__(self, input: List[str]) -> List[List[float]]:
        return [[float(len(doc)), float(sum(map(ord, doc)) % 7), 1.0] for doc in input]


@pytest.fixture(autouse=True)
def tiny_default_embedding_function(monkeypatch: pytest.MonkeyPatch) -> None:
    import chromadb.utils.embedding_functions as efs

    monkeypatch.setattr(efs, "DefaultEmbeddingFunction", SeedEmbeddingFunction)
    # The page calls client.reset(); Settings() reads ALLOW_RESET from the environment.
    monkeypatch.setenv("ALLOW_RESET", "TRUE")


def client_methods(client: Any) -> None:
    """The page's "Methods related to Collections" and "Utility methods", in order."""
    # list all collections
    client.list_collections()
    assert client.list_collections() == []

    # make a new collection
    collection = client.create_collection("testname")
    assert [c.name for c in client.list_collections()] == ["testname"]

    # get an existing collection
    collection = client.get_collection("testname")
    assert collection.name == "testname"

    # delete a collection
    client.delete_collection("testname")
    assert client.list_collections() == []

    client.create_collection("kept")  # arrangement: something for reset to remove
    # resets entire database - this *cant* be undone!
    client.reset()
    assert client.list_collections() == []

    # returns timestamp to check if service is up
    client.heartbeat()
    assert abs(client.heartbeat() - time.time_ns()) < 3600 * 10**9


def _plain(result: Any) -> Any:
    # Embeddings come back as numpy arrays (as in real Chroma 1.x): lists, to compare with ==.
    out = dict(result)
    if out.get("embeddings") is not None:
        out["embeddings"] = [list(map(float, e)) for e in out["embeddings"]]
    return out


def collection_methods(client: Any) -> None:
    """The page's "Methods on Collection", in order."""
    collection = client.create_collection("testname")  # arrangement: the page's collection

    # change the name or metadata on a collection
    collection.modify(name="testname2")
    assert client.get_collection("testname2").id == collection.id

    # get the number of items in a collection
    collection.count()
    assert collection.count() == 0

    # add new items to a collection
    # either one at a time
    collection.add(
        embeddings=[1.5, 2.9, 3.4],
        metadatas={"uri": "img9.png", "style": "style1"},
        documents="doc1000101",
        ids="uri9",
    )
    assert collection.get(ids="uri9")["metadatas"] == [{"uri": "img9.png", "style": "style1"}]

    # or many, up to 100k+! The page adds "uri9" again: as in real Chroma the existing id is
    # skipped (with a warning) and the others are added.
    collection.add(
        embeddings=[[1.5, 2.9, 3.4], [9.8, 2.3, 2.9]],
        metadatas=[{"style": "style1"}, {"style": "style2"}],
        ids=["uri9", "uri10"],
    )
    assert collection.count() == 2
    assert collection.get(ids="uri9")["metadatas"] == [{"uri": "img9.png", "style": "style1"}]

    collection.delete(ids=["uri9", "uri10"])  # arrangement
    collection.add(
        documents=["doc1000101", "doc288822"],
        metadatas=[{"style": "style1"}, {"style": "style2"}],
        ids=["uri9", "uri10"],
    )
    got = collection.get(include=["embeddings", "documents"])
    assert got["documents"] == ["doc1000101", "doc288822"]
    assert [list(e) for e in got["embeddings"]] == SeedEmbeddingFunction()(got["documents"])

    # update items in a collection
    # The page calls update() with no arguments; ids are required, so it fails clearly and
    # changes nothing.
    before = _plain(collection.get(include=["embeddings", "metadatas", "documents"]))
    with pytest.raises((TypeError, InvalidArgumentError)) as info:
        collection.update()
    assert "ids" in str(info.value)
    assert _plain(collection.get(include=["embeddings", "metadatas", "documents"])) == before

    # get items from a collection
    collection.get()
    assert collection.get()["ids"] == ["uri9", "uri10"]

    # convenience, get first 5 items from a collection
    collection.peek()
    assert collection.peek()["ids"] == ["uri9", "uri10"]

    # do nearest neighbor search to find similar embeddings or documents, supports filtering
    collection.query(
        query_embeddings=[[1.1, 2.3, 3.2], [5.1, 4.3, 2.2]],
        n_results=2,
        where={"style": "style2"}
    )  # fmt: skip
    result = collection.query(
        query_embeddings=[[1.1, 2.3, 3.2], [5.1, 4.3, 2.2]], n_results=2, where={"style": "style2"}
    )
    assert result["ids"] == [["uri10"], ["uri10"]]

    # delete items
    collection.delete()
    assert collection.count() == 0

    # advanced: manually create the embedding search index
    collection.create_index()


def api_docstring_examples(client: Any) -> None:
    """The ``API`` class docstrings of seed 000."""
    client.list_collections()
    # [collection(name="my_collection", metadata={})]

    client.create_collection("my_collection")
    # collection(name="my_collection", metadata={})
    client.delete_collection("my_collection")  # arrangement: the next example reuses the name

    client.create_collection("my_collection", metadata={"foo": "bar"})
    # collection(name="my_collection", metadata={"foo": "bar"})

    client.get_collection("my_collection")
    # collection(name="my_collection", metadata={})
    assert client.get_collection("my_collection").metadata == {"foo": "bar"}

    client.get_or_create_collection("my_collection")
    # collection(name="my_collection", metadata={})
    assert client.get_or_create_collection("my_collection").metadata == {"foo": "bar"}

    client.delete_collection("my_collection")
    assert client.count_collections() == 0


def _run_all(client: Any) -> None:
    client_methods(client)
    collection_methods(client)
    client.reset()
    api_docstring_examples(client)


def test_in_memory_client() -> None:
    import chromadb

    client = chromadb.Client()

    _run_all(client)


def test_in_memory_client_with_saving_to_disk(tmp_path: Any) -> None:
    persist_directory = str(tmp_path / "persist")  # the page says "/path/to/persist/directory"
    import chromadb
    from chromadb.config import Settings

    client = chromadb.Client(Settings(chroma_db_impl="duckdb+parquet",
                                        persist_directory=persist_directory
                                    ))  # fmt: skip

    _run_all(client)
    survivor: Any = client.create_collection("survivor")  # arrangement
    survivor.add(ids=["x"], embeddings=[[1.0, 2.0, 3.0]])
    clear_system_cache()  # arrangement: what a process exit does
    client = chromadb.Client(
        Settings(chroma_db_impl="duckdb+parquet", persist_directory=persist_directory)
    )
    assert client.get_collection("survivor").get()["ids"] == ["x"]


def test_client_to_a_backend_service(http_server: Any) -> None:
    port = str(http_server.port)  # the page says "8000"; the test server listens elsewhere
    import chromadb  # noqa: F401  (the seed line, kept as written)
    from chromadb.config import Settings

    chroma_client = chroma.Client(Settings(chroma_api_impl="rest",
                                            chroma_server_host="localhost",
                                            chroma_server_http_port=port  # type: ignore[arg-type]
                                        ))  # fmt: skip

    chroma_client.reset()  # arrangement: the test server is shared by the whole session
    _run_all(chroma_client)
