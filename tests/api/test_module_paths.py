"""The import paths that code written for Chroma relies on exist and do what they say."""

from __future__ import annotations

import importlib
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from chromadb.config import Settings


@pytest.mark.parametrize(
    ("module", "names"),
    [
        ("chromadb.config", ["Settings", "System"]),
        ("chromadb.api", ["API"]),
        (
            "chromadb.api.types",
            [
                "ID", "IDs", "Embedding", "Embeddings", "Metadata", "Metadatas", "Document",
                "Documents", "Where", "WhereDocument", "Include", "GetResult", "QueryResult",
                "EmbeddingFunction",
            ],
        ),
        ("chromadb.api.models.Collection", ["Collection"]),
        (
            "chromadb.errors",
            [
                "ChromaError", "InvalidArgumentError", "InvalidDimensionException", "DuplicateIDError",
                "IDAlreadyExistsError", "UniqueConstraintError", "NotFoundError", "AuthorizationError",
            ],
        ),
        ("chromadb.utils.embedding_functions", ["DefaultEmbeddingFunction"]),
        ("chromadb.utils.batch_utils", ["create_batches"]),
        ("chromadb.server.fastapi", ["FastAPI"]),
    ],
)  # fmt: skip
def test_module_exposes(module: str, names: list) -> None:
    mod = importlib.import_module(module)
    missing = [n for n in names if not hasattr(mod, n)]
    assert not missing, f"{module} lacks {missing}"


def test_system_builds_and_runs_the_api(ef: Any) -> None:
    from chromadb.api import API
    from chromadb.config import System

    system = System(Settings(allow_reset=True))
    # Chroma code calls instance() with the abstract API class.
    api = system.instance(API)  # type: ignore[type-abstract]
    assert system.instance(API) is api  # type: ignore[type-abstract]
    system.start()
    try:
        col: Any = api.create_collection("via-system", embedding_function=ef)
        col.add(ids=["a"], embeddings=[[1.0, 2.0, 3.0]])
        assert api.get_collection("via-system", embedding_function=ef).count() == 1
        system.reset_state()
    finally:
        system.stop()


def test_embedding_function_protocol(ef: Any) -> None:
    from chromadb.api.types import EmbeddingFunction

    assert isinstance(ef, EmbeddingFunction)


def test_create_batches_cuts_to_the_max_batch_size(client: Any, ef: Any) -> None:
    from chromadb.utils.batch_utils import create_batches

    size = client.get_max_batch_size()
    n = min(size, 50) + 7
    ids = [f"id{i}" for i in range(n)]
    embeddings = [[float(i), 0.0, 1.0] for i in range(n)]
    metadatas = [{"i": i} for i in range(n)]
    documents = [f"doc {i}" for i in range(n)]
    batches: Any = create_batches(
        client, ids=ids, embeddings=embeddings, metadatas=metadatas, documents=documents
    )
    assert all(len(b[0]) <= size for b in batches)
    assert sum((list(b[0]) for b in batches), []) == ids
    assert sum((list(b[3]) for b in batches), []) == documents
    col = client.create_collection("batched", embedding_function=ef)
    for b in batches:
        col.add(ids=b[0], embeddings=b[1], metadatas=b[2], documents=b[3])
    assert col.count() == n


def test_server_fastapi_app_serves_the_api(tmp_path: Path) -> None:
    from chromadb.server.fastapi import FastAPI

    settings = Settings(
        is_persistent=True, persist_directory=str(tmp_path / "srv"), allow_reset=True
    )
    app = FastAPI(settings).app()
    with TestClient(app) as http:
        assert "nanosecond heartbeat" in http.get("/api/v2/heartbeat").json()
        created = http.post(
            "/api/v2/tenants/default_tenant/databases/default_database/collections",
            json={"name": "via-app"},
        )
        assert created.status_code == 200, created.text
        assert created.json()["name"] == "via-app"


def test_chromadb_app_module_exposes_an_asgi_app(tmp_path: Path) -> None:
    # Imported in a child process: chromadb.app builds its server from the environment at import.
    env = dict(os.environ, IS_PERSISTENT="TRUE", PERSIST_DIRECTORY=str(tmp_path / "app-data"))
    done = subprocess.run(
        [sys.executable, "-c", "import fastapi, chromadb.app as m; print(isinstance(m.app, fastapi.FastAPI), callable(m.app))"],
        capture_output=True, text=True, timeout=120, env=env, cwd=tmp_path,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["True", "True"]
