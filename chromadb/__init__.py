"""chromadb: an independent, clean-room implementation of the Chroma embedding database API.

Examples:
    ```python
    import chromadb
    client = chromadb.Client()                     # in memory
    client = chromadb.PersistentClient(path="db")  # on disk
    client = chromadb.HttpClient(host="localhost", port=8000)
    collection = client.create_collection("docs")
    collection.add(ids=["a"], documents=["hello world"])
    collection.query(query_texts=["hi"], n_results=1)
    ```
"""

from __future__ import annotations

import json
import os
from typing import Any, Dict, Optional

from chromadb import auth as auth
from chromadb import types as types
from chromadb import utils as utils
from chromadb._version import __version__
from chromadb.api import API, AdminAPI, ClientAPI
from chromadb.api.async_api import AsyncClientAPI
from chromadb.api.client import AdminClient
from chromadb.api.client import Client as _Client
from chromadb.api.models.Collection import Collection
from chromadb.api.search import K, Key, Knn, Rrf, Search
from chromadb.api.types import (
    BoolInvertedIndexConfig,
    CollectionMetadata,
    Documents,
    EmbeddingFunction,
    Embeddings,
    FloatInvertedIndexConfig,
    FtsIndexConfig,
    GetResult,
    HnswIndexConfig,
    IDs,
    Include,
    IntInvertedIndexConfig,
    Metadata,
    Metadatas,
    QueryResult,
    ReadLevel,
    Schema,
    SpannIndexConfig,
    SparseEmbeddingFunction,
    SparseVector,
    SparseVectorIndexConfig,
    SparseVectors,
    StringInvertedIndexConfig,
    UpdateCollectionMetadata,
    UpdateMetadata,
    URIs,
    VectorIndexConfig,
    Where,
    WhereDocument,
)
from chromadb.auth.token_authn import TokenTransportHeader
from chromadb.config import DEFAULT_DATABASE, DEFAULT_TENANT, Settings

# Chroma's names for the client classes the factories below build.
ClientCreator = _Client
AdminClientCreator = AdminClient


def __getattr__(name: str) -> Any:
    # The async client class is imported only when asked for.
    if name == "AsyncClientCreator":
        from chromadb.api.async_client import AsyncClient

        return AsyncClient
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def configure(**kwargs: Any) -> None:
    """Set process-wide defaults for settings (as ``chromadb.configure`` in Chroma): every
    ``Settings()`` made afterwards starts from these values."""
    for key, value in kwargs.items():
        if key not in Settings.model_fields:
            raise ValueError(f"Unknown setting {key!r}")
        os.environ[key.upper()] = value if isinstance(value, str) else json.dumps(value)


def get_settings() -> Settings:
    """Settings read from the environment and defaults."""
    return Settings()


def Client(
    settings: Optional[Settings] = None,
    tenant: str = DEFAULT_TENANT,
    database: str = DEFAULT_DATABASE,
) -> _Client:
    """A client for the settings given: in memory by default, persistent with
    ``chroma_db_impl="duckdb+parquet"`` (or ``is_persistent=True``) and ``persist_directory``,
    or an HTTP client with ``chroma_api_impl="rest"``.

    Examples:
        ```python
        client = chromadb.Client()
        client = chromadb.Client(Settings(chroma_db_impl="duckdb+parquet", persist_directory="db"))
        ```
    """
    chosen = settings if settings is not None else Settings()
    # As in 0.3, which the seed documents: reset needs no allow_reset on the seed's settings or
    # in memory, where nothing outlives the process (a server still needs allow_reset).
    if not chosen.is_rest() and (chosen.is_seed_era() or not chosen.persistent()):
        chosen = chosen.model_copy(update={"allow_reset": True})
    return _Client(chosen, tenant, database)


def EphemeralClient(
    settings: Optional[Settings] = None,
    tenant: str = DEFAULT_TENANT,
    database: str = DEFAULT_DATABASE,
) -> _Client:
    """An in-memory client: data lives as long as the process."""
    base = settings if settings is not None else Settings()
    return _Client(
        base.model_copy(
            update={"is_persistent": False, "chroma_db_impl": None, "chroma_api_impl": "local"}
        ),
        tenant,
        database,
    )


def PersistentClient(
    path: str = "./chroma",
    settings: Optional[Settings] = None,
    tenant: str = DEFAULT_TENANT,
    database: str = DEFAULT_DATABASE,
) -> _Client:
    """A client whose data is kept in the folder ``path``; every write is on disk when the
    call returns."""
    base = settings if settings is not None else Settings()
    return _Client(
        base.model_copy(
            update={
                "is_persistent": True,
                "persist_directory": os.fspath(path),
                "chroma_api_impl": "local",
            }
        ),
        tenant,
        database,
    )


async def AsyncHttpClient(
    host: str = "localhost",
    port: int = 8000,
    ssl: bool = False,
    headers: Optional[Dict[str, str]] = None,
    settings: Optional[Settings] = None,
    tenant: str = DEFAULT_TENANT,
    database: str = DEFAULT_DATABASE,
) -> AsyncClientAPI:
    """An async client of a chromadb server over httpx: ``client = await AsyncHttpClient()``;
    every method (and every method of its collections) is a coroutine.

    Examples:
        ```python
        client = await chromadb.AsyncHttpClient(host="localhost", port=8000)
        collection = await client.create_collection("docs")
        await collection.add(ids=["a"], embeddings=[[1.0, 2.0]])
        ```
    """
    from chromadb.api.async_client import AsyncClient

    base = settings if settings is not None else Settings()
    return await AsyncClient.create(
        base.model_copy(
            update={
                "chroma_api_impl": "chromadb.api.fastapi.FastAPI",
                "chroma_server_host": host,
                "chroma_server_http_port": int(port),
                "chroma_server_ssl_enabled": ssl,
                "chroma_server_headers": headers,
            }
        ),
        tenant,
        database,
    )


def HttpClient(
    host: str = "localhost",
    port: int = 8000,
    ssl: bool = False,
    headers: Optional[Dict[str, str]] = None,
    settings: Optional[Settings] = None,
    tenant: str = DEFAULT_TENANT,
    database: str = DEFAULT_DATABASE,
) -> _Client:
    """A client talking to a chromadb server over HTTP, with the same API as the embedded one."""
    base = settings if settings is not None else Settings()
    return _Client(
        base.model_copy(
            update={
                # Real Chroma's own value here; plain "rest" marks the seed's REST settings.
                "chroma_api_impl": "chromadb.api.fastapi.FastAPI",
                "chroma_server_host": host,
                "chroma_server_http_port": int(port),
                "chroma_server_ssl_enabled": ssl,
                "chroma_server_headers": headers,
            }
        ),
        tenant,
        database,
    )


__all__ = [
    "API",
    "AdminAPI",
    "AdminClient",
    "AdminClientCreator",
    "AsyncClientAPI",
    "AsyncHttpClient",
    "BoolInvertedIndexConfig",
    "Client",
    "ClientAPI",
    "ClientCreator",
    "Collection",
    "CollectionMetadata",
    "DEFAULT_DATABASE",
    "DEFAULT_TENANT",
    "Documents",
    "EmbeddingFunction",
    "Embeddings",
    "EphemeralClient",
    "FloatInvertedIndexConfig",
    "FtsIndexConfig",
    "GetResult",
    "HnswIndexConfig",
    "HttpClient",
    "IDs",
    "Include",
    "IntInvertedIndexConfig",
    "K",
    "Key",
    "Knn",
    "Metadata",
    "Metadatas",
    "PersistentClient",
    "QueryResult",
    "ReadLevel",
    "Rrf",
    "Schema",
    "Search",
    "Settings",
    "SpannIndexConfig",
    "SparseEmbeddingFunction",
    "SparseVector",
    "SparseVectorIndexConfig",
    "SparseVectors",
    "StringInvertedIndexConfig",
    "TokenTransportHeader",
    "URIs",
    "UpdateCollectionMetadata",
    "UpdateMetadata",
    "VectorIndexConfig",
    "Where",
    "WhereDocument",
    "__version__",
    "configure",
    "get_settings",
]
