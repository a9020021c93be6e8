"""``chromadb.AsyncHttpClient`` and ``AsyncCollection``: every method, over a real socket to our
server, giving the same answers and errors as the sync HTTP client."""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Iterator, Tuple

import pytest

import chromadb
from chromadb.api.async_client import AsyncAdminClient
from chromadb.api.models.AsyncCollection import AsyncCollection
from chromadb.config import Settings
from chromadb.errors import DuplicateIDError, NotFoundError, UniqueConstraintError
from chromadb.server.fastapi import FastAPI
from tests.server.server_helpers import LiveServer


@pytest.fixture(scope="module")
def live() -> Iterator[Tuple[str, int]]:
    server = FastAPI(Settings(allow_reset=True))
    running = LiveServer(server.app()).start()
    try:
        yield "127.0.0.1", running.port
    finally:
        running.stop()
        server.close()


def _run(coro: Any) -> Any:
    # A thread of its own: another test may leave an event loop running in this one, and
    # asyncio.run() refuses to start inside a running loop.
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, coro).result()


async def _scenario(host: str, port: int) -> dict:
    client = await chromadb.AsyncHttpClient(host=host, port=port)
    try:
        out: dict = {"heartbeat": await client.heartbeat() > 0}
        await client.reset()
        col = await client.create_collection("async-docs", embedding_function=None)
        assert isinstance(col, AsyncCollection)
        await col.add(
            ids=["a", "b", "c"],
            embeddings=[[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]],
            metadatas=[{"n": 1}, {"n": 2}, {"n": 3}],
            documents=["alpha", "beta", "gamma"],
        )
        await col.update(ids="a", metadatas={"n": 10})
        await col.upsert(ids=["c", "d"], embeddings=[[2.0, 2.0], [3.0, 0.0]])
        out["count"] = await col.count()
        out["get"] = await col.get(where={"n": {"$gte": 2}}, include=["metadatas", "documents"])
        out["query"] = await col.query(query_embeddings=[[1.0, 0.1]], n_results=2)
        out["peek"] = (await col.peek(2))["ids"]
        await col.delete(ids=["b"])
        out["after_delete"] = (await col.get())["ids"]
        await col.modify(name="async-renamed", metadata={"kind": "test"})
        out["renamed"] = (col.name, col.metadata)
        out["listed"] = [c.name for c in await client.list_collections()]
        out["n_collections"] = await client.count_collections()
        again = await client.get_or_create_collection("async-renamed", embedding_function=None)
        out["same_id"] = again.id == col.id
        out["version"] = await client.get_version()
        out["max_batch"] = await client.get_max_batch_size() > 0
        for action, error in [
            (client.get_collection("no-such-collection"), NotFoundError),
            (client.create_collection("async-renamed"), UniqueConstraintError),
            (col.add(ids=["x", "x"], embeddings=[[0.0, 0.0], [0.0, 0.0]]), DuplicateIDError),
        ]:
            with pytest.raises(error):
                await action
        # Many requests in flight at once on one client.
        answers = await asyncio.gather(
            *(col.query(query_embeddings=[[float(i), 0.0]], n_results=1) for i in range(20))
        )
        out["concurrent"] = len(answers)
        await client.delete_collection("async-renamed")
        out["after_drop"] = await client.count_collections()
        return out
    finally:
        await client.aclose()  # type: ignore[attr-defined]


def test_every_method_of_the_async_client(live: Tuple[str, int]) -> None:
    out = _run(_scenario(*live))
    assert out["heartbeat"] and out["max_batch"] and out["same_id"]
    assert out["count"] == 4
    # An upsert that gives no metadata leaves the record's metadata as it was.
    assert out["get"]["ids"] == ["a", "b", "c"]
    assert out["get"]["metadatas"] == [{"n": 10}, {"n": 2}, {"n": 3}]
    assert out["query"]["ids"] == [["a", "b"]]
    assert out["peek"] == ["a", "b"]
    assert out["after_delete"] == ["a", "c", "d"]
    assert out["renamed"] == ("async-renamed", {"kind": "test"})
    assert out["listed"] == ["async-renamed"] and out["n_collections"] == 1
    assert out["version"] == chromadb.__version__
    assert out["concurrent"] == 20 and out["after_drop"] == 0


def test_async_and_sync_clients_give_the_same_answers(live: Tuple[str, int]) -> None:
    host, port = live
    sync = chromadb.HttpClient(host=host, port=port)
    col = sync.get_or_create_collection("both-ways", embedding_function=None)
    col.upsert(ids=["p", "q"], embeddings=[[0.5, 0.5], [0.1, 0.9]], documents=["pp", "qq"])

    async def read() -> Tuple[Any, Any]:
        client = await chromadb.AsyncHttpClient(host=host, port=port)
        acol = await client.get_collection("both-ways", embedding_function=None)
        got = await acol.get(include=["embeddings", "documents", "metadatas"])
        found = await acol.query(query_embeddings=[0.5, 0.4], n_results=2)
        await client.aclose()  # type: ignore[attr-defined]
        return got, found

    got, found = _run(read())
    expected_get = col.get(include=["embeddings", "documents", "metadatas"])
    assert got["ids"] == expected_get["ids"] and got["documents"] == expected_get["documents"]
    assert found == col.query(query_embeddings=[0.5, 0.4], n_results=2)
    sync.delete_collection("both-ways")


def test_the_async_admin_client(live: Tuple[str, int]) -> None:
    host, port = live
    settings = Settings(
        chroma_api_impl="rest", chroma_server_host=host, chroma_server_http_port=port
    )

    async def admin() -> Any:
        client = AsyncAdminClient(settings)
        await client.create_tenant("async-tenant")
        await client.create_database("db1", tenant="async-tenant")
        names = [d["name"] for d in await client.list_databases(tenant="async-tenant")]
        scoped = await chromadb.AsyncHttpClient(
            host=host, port=port, tenant="async-tenant", database="db1"
        )
        await scoped.create_collection("inside", embedding_function=None)
        inside = [c.name for c in await scoped.list_collections()]
        with pytest.raises(NotFoundError):
            await chromadb.AsyncHttpClient(host=host, port=port, tenant="no-tenant")
        return names, inside

    names, inside = _run(admin())
    assert names == ["db1"] and inside == ["inside"]


def test_the_async_client_refuses_an_embedded_setting() -> None:
    from chromadb.api.async_client import AsyncClient

    with pytest.raises(ValueError, match="server"):
        AsyncClient(Settings())
