"""The package ships ``py.typed``, so users' type checkers read our annotations: the seed's own
examples must type-check, or every user running mypy on seed-style code gets false errors."""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

import chromadb

SEED_STYLE = """
import chromadb
from chromadb.api import API
from chromadb.config import Settings, System

client = chromadb.Client()
persistent = chromadb.Client(Settings(chroma_db_impl="duckdb+parquet", persist_directory="db"))
rest = Settings(chroma_api_impl="rest", chroma_server_host="localhost", chroma_server_http_port="8000")
api = System(Settings()).instance(API)

collection = client.create_collection("testname")
collection.add(
    embeddings=[1.5, 2.9, 3.4],
    metadatas={"uri": "img9.png", "style": "style1"},
    documents="doc1000101",
    ids="uri9",
)
collection.add(
    embeddings=[[1.5, 2.9, 3.4], [9.8, 2.3, 2.9]],
    metadatas=[{"style": "style1"}, {"style": "style2"}],
    ids=["uri9", "uri10"],
)
vectors: list[list[float]] = [[1.0, 2.0, 3.0]]
collection.upsert(ids=["v"], embeddings=vectors)
collection.query(
    query_embeddings=[[1.1, 2.3, 3.2], [5.1, 4.3, 2.2]],
    n_results=2,
    where={"style": "style2"}
)
"""


@pytest.mark.skipif(importlib.util.find_spec("mypy") is None, reason="mypy is not installed")
def test_seed_examples_type_check(tmp_path: Path) -> None:
    script = tmp_path / "seed_style.py"
    script.write_text(textwrap.dedent(SEED_STYLE))
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "mypy",
            "--no-incremental",
            # Only the user's file is judged, as for an installed package in site-packages.
            "--follow-imports=silent",
            "--ignore-missing-imports",
            "--cache-dir",
            str(tmp_path / "cache"),
            str(script),
        ],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=tmp_path,
        # An editable install is an import hook, which mypy does not follow: point it at the
        # package's folder.
        env=dict(os.environ, MYPYPATH=str(Path(chromadb.__file__).parent.parent)),
    )
    assert done.returncode == 0, done.stdout + done.stderr
