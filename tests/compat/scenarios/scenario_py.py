"""The compatibility scenario for the official Python clients.

Run by each client's own interpreter (``chromadb-client`` 0.5 / 0.6 / 1.x, or
``chromadb`` 0.3.29 in REST mode):

    python scenario_py.py <server-url> <tag>

Prints one JSON line of results on stdout; any failure exits non-zero.
"""

import json
import sys
from typing import Any
from urllib.parse import urlparse

import chromadb
from chromadb.api.types import EmbeddingFunction
from chromadb.config import Settings

LEGACY = chromadb.__version__.startswith("0.3.")


class KeywordEmbeddingFunction(EmbeddingFunction):
    """A tiny deterministic embedding: one axis per keyword, no model download.

    Written in the clients' own style: a subclass of their EmbeddingFunction
    (1.x reads ``name()`` and friends from it), with the argument named
    ``input`` because 0.4.16+ clients check the signature.
    """

    def __call__(self, input: Any) -> Any:  # noqa: A002 - the name clients check
        return [
            [
                1.0 if "apple" in t else 0.0,
                1.0 if "banana" in t else 0.0,
                1.0 if "cherry" in t else 0.0,
            ]
            for t in input
        ]


def plain(value: Any) -> Any:
    """Numpy arrays (1.x clients) and tuples to JSON-friendly lists."""
    if hasattr(value, "tolist"):
        return value.tolist()
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    return value


def records(result: Any) -> dict[str, Any]:
    return {key: plain(result.get(key)) for key in ("ids", "documents", "metadatas", "embeddings")}


def make_client(url: str) -> Any:
    parsed = urlparse(url)
    host, port = str(parsed.hostname), int(parsed.port or 8000)
    if LEGACY:
        return chromadb.Client(
            Settings(
                chroma_api_impl="rest",
                chroma_server_host=host,
                chroma_server_http_port=port,
                anonymized_telemetry=False,
            )
        )
    return chromadb.HttpClient(
        host=host,
        port=port,
        settings=Settings(anonymized_telemetry=False, allow_reset=True),
    )


def names(client: Any) -> list[str]:
    # 0.6 lists names; the others list Collection objects.
    return sorted(c if isinstance(c, str) else c.name for c in client.list_collections())


def main() -> None:
    url, tag = sys.argv[1], sys.argv[2]
    client = make_client(url)
    ef = KeywordEmbeddingFunction()
    main_name, other_name, renamed = f"py_{tag}", f"py_{tag}_other", f"py_{tag}_renamed"
    out: dict[str, Any] = {"client_version": chromadb.__version__}

    out["heartbeat"] = client.heartbeat()
    out["version"] = client.get_version()

    client.create_collection(main_name, metadata={"topic": "fruit"}, embedding_function=ef)
    client.create_collection(other_name, embedding_function=ef)
    out["list_after_create"] = names(client)
    out["count_collections"] = (
        client.count_collections() if hasattr(client, "count_collections") else None
    )

    col = client.get_collection(main_name, embedding_function=ef)
    out["got_collection"] = {"name": col.name, "metadata": plain(col.metadata)}

    col.add(
        ids=["a", "b", "c"],
        embeddings=[[1.0, 0.0, 0.0], [0.0, 1.0, 0.0], [0.0, 0.0, 1.0]],
        documents=["apple pie", "banana split", "cherry tart"],
        metadatas=[
            {"kind": "fruit", "n": 1},
            {"kind": "fruit", "n": 2},
            {"kind": "dessert", "n": 3},
        ],
    )
    # Documents only: the client embeds them with the embedding function.
    col.add(ids=["d"], documents=["apple banana smoothie"], metadatas=[{"kind": "drink", "n": 4}])
    out["count_after_add"] = col.count()

    out["get_by_ids"] = records(col.get(ids=["b", "a"], include=["documents", "metadatas"]))
    out["get_where_eq"] = col.get(where={"kind": "fruit"})["ids"]
    out["get_where_gte"] = col.get(where={"n": {"$gte": 3}})["ids"]
    out["get_where_document"] = col.get(where_document={"$contains": "apple"})["ids"]
    out["get_embedding"] = plain(col.get(ids=["d"], include=["embeddings"])["embeddings"])
    out["get_page"] = col.get(limit=2, offset=1)["ids"]

    qe = col.query(
        query_embeddings=[[1.0, 0.0, 0.0]],
        n_results=2,
        include=["documents", "metadatas", "distances"],
    )
    out["query_embeddings"] = {
        k: plain(qe[k]) for k in ("ids", "distances", "documents", "metadatas")
    }
    qt = col.query(query_texts=["banana"], n_results=2)
    out["query_texts"] = {k: plain(qt[k]) for k in ("ids", "distances")}
    qw = col.query(query_embeddings=[[0.0, 0.0, 1.0]], n_results=3, where={"kind": "fruit"})
    out["query_where"] = {k: plain(qw[k]) for k in ("ids", "distances")}

    col.update(ids=["a"], documents=["apple crumble"], metadatas=[{"kind": "dessert", "n": 10}])
    out["after_update"] = records(
        col.get(ids=["a"], include=["documents", "metadatas", "embeddings"])
    )

    col.upsert(
        ids=["b", "e"],
        embeddings=[[0.0, 2.0, 0.0], [0.0, 0.0, 2.0]],
        documents=["banana bread", "elderberry jam"],
        metadatas=[{"kind": "bread", "n": 20}, {"kind": "jam", "n": 5}],
    )
    out["count_after_upsert"] = col.count()
    out["after_upsert"] = records(
        col.get(ids=["b", "e"], include=["documents", "metadatas", "embeddings"])
    )

    col.delete(ids=["c"])
    out["count_after_delete_ids"] = col.count()
    col.delete(where={"kind": "jam"})
    out["count_after_delete_where"] = col.count()
    out["ids_after_delete"] = col.get()["ids"]

    out["peek"] = col.peek(limit=2)["ids"]

    col.modify(name=renamed, metadata={"topic": "renamed"})
    mod = client.get_collection(renamed, embedding_function=ef)
    out["modified"] = {"name": mod.name, "metadata": plain(mod.metadata), "count": mod.count()}
    try:
        client.get_collection(main_name, embedding_function=ef)
        out["old_name_missing"] = False
    except Exception:  # each client version raises its own class
        out["old_name_missing"] = True
    out["list_after_modify"] = names(client)

    client.delete_collection(other_name)
    out["list_after_delete_collection"] = names(client)

    out["reset"] = client.reset()
    out["list_after_reset"] = names(client)

    sys.stdout.write(json.dumps(out) + "\n")


if __name__ == "__main__":
    main()
