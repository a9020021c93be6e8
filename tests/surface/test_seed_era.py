"""The seed era, chosen by the seed's own settings: the same 0.3 sequence (seed_sequence.py) run
by real chromadb 0.3.29 and by ours gives the same result keys, accepts ``increment_index``,
resets as 0.3 did, and raises where 0.3 raised: the same class, or a ValueError subclass where
0.3 raised a plain ValueError (so ``except ValueError`` code keeps working)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any, Dict

import pytest

import chromadb
from chromadb.config import Settings

HERE = Path(__file__).resolve().parent
SEQUENCE = HERE / "seed_sequence.py"


def _run(python: str, folder: Path) -> Dict[str, Any]:
    done = subprocess.run(
        [python, str(SEQUENCE), str(folder)],
        capture_output=True, text=True, timeout=300, cwd=folder.parent,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-2000:]
    return dict(json.loads(done.stdout.strip().splitlines()[-1]))


def _agrees(real: Dict[str, Any], ours: Dict[str, Any]) -> bool:
    if "error" not in real:
        return real == ours
    if "error" not in ours:
        return False
    if real["error"] == "ValueError":
        return bool(ours["value_error"])
    return bool(ours["error"] == real["error"])


@pytest.mark.compat
def test_the_seed_sequence_agrees_with_real_0_3_29(tmp_path: Path) -> None:
    from tests.compat.installers import embedded_chroma

    real = _run(str(embedded_chroma("0.3.29")), tmp_path / "real")
    ours = _run(sys.executable, tmp_path / "ours")
    assert real.keys() == ours.keys()
    differences = {
        f"{era}.{step}": (real[era][step], ours[era][step])
        for era in ("duckdb", "duckdb+parquet")
        for step in real[era]
        if not _agrees(real[era][step], ours[era][step])
    }
    assert not differences, differences
    assert _agrees(real["in_memory_reset"], ours["in_memory_reset"])


def test_seed_settings_get_exactly_the_0_3_keys(tmp_path: Path) -> None:
    client = chromadb.Client(
        Settings(chroma_db_impl="duckdb+parquet", persist_directory=str(tmp_path))
    )
    col = client.create_collection("keys", embedding_function=None)
    col.add(ids=["a"], embeddings=[[1.0, 2.0]], increment_index=False)
    assert sorted(col.get()) == ["documents", "embeddings", "ids", "metadatas"]
    assert sorted(col.query(query_embeddings=[1.0, 2.0], n_results=1)) == [
        "distances", "documents", "embeddings", "ids", "metadatas",
    ]  # fmt: skip
    assert client.reset() is True
    assert client.list_collections() == []


def test_modern_clients_keep_the_modern_keys_and_reset_rule(tmp_path: Path) -> None:
    persistent = chromadb.PersistentClient(path=str(tmp_path))
    col = persistent.create_collection("modern", embedding_function=None)
    col.add(ids=["a"], embeddings=[[1.0, 2.0]])
    assert "included" in col.get()
    from chromadb.errors import AuthorizationError

    with pytest.raises(AuthorizationError):
        persistent.reset()


def test_a_0_3_client_over_http_gets_the_0_3_keys() -> None:
    from fastapi.testclient import TestClient

    from chromadb.server.fastapi import FastAPI

    server = FastAPI(Settings())
    try:
        http = TestClient(server.app())
        agent = {"User-Agent": "python-requests/2.31.0"}
        created = http.post("/api/v1/collections", json={"name": "old"}, headers=agent).json()
        path = f"/api/v1/collections/{created['id']}"
        http.post(f"{path}/add", json={"ids": ["a"], "embeddings": [[1.0, 2.0]]}, headers=agent)
        got = http.post(f"{path}/get", json={}, headers=agent).json()
        assert sorted(got) == ["documents", "embeddings", "ids", "metadatas"]
        found = http.post(
            f"{path}/query", json={"query_embeddings": [[1.0, 2.0]], "n_results": 1}, headers=agent
        ).json()
        assert sorted(found) == ["distances", "documents", "embeddings", "ids", "metadatas"]
    finally:
        server.close()
