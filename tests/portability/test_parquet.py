"""``chroma export`` to Parquet and ``chroma import`` back: an exact round trip (float32
embeddings bit-equal), in a file pandas reads with its documented schema."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Dict

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import chromadb
from chromadb.api.client import clear_system_cache
from chromadb.cli import main

finite_f32 = st.floats(width=32, allow_nan=False, allow_infinity=False)
scalar = st.one_of(
    st.text(max_size=8),
    st.integers(min_value=-(2**63), max_value=2**63 - 1),
    st.floats(allow_nan=False, allow_infinity=False),
    st.booleans(),
)
records = st.lists(
    st.tuples(
        st.lists(finite_f32, min_size=4, max_size=4),
        st.one_of(st.none(), st.text(max_size=20)),
        st.one_of(
            st.none(),
            st.dictionaries(
                st.text(min_size=1, max_size=5).filter(
                    lambda k: not k.startswith("chroma:") and not k.startswith("#")
                ),
                scalar,
                min_size=1,
                max_size=3,
            ),
        ),
    ),
    min_size=0,
    max_size=12,
)


def _state(client: Any) -> Dict[str, Any]:
    out = {}
    for listed in client.list_collections():
        col = client.get_collection(listed.name, embedding_function=None)
        got = col.get(include=["embeddings", "documents", "metadatas"])
        rows = {}
        for i, rid in enumerate(got["ids"]):
            bits = np.asarray(got["embeddings"][i], dtype=np.float32).view(np.uint32).tolist()
            rows[rid] = (bits, got["documents"][i], got["metadatas"][i])
        out[col.name] = (col.metadata, rows)
    return out


@settings(max_examples=12)
@given(data=records)
def test_round_trip_is_exact(data: Any, tmp_path_factory: pytest.TempPathFactory) -> None:
    root = tmp_path_factory.mktemp("rt")
    src, dst, out = str(root / "src"), str(root / "dst"), str(root / "all.parquet")
    try:
        client = chromadb.PersistentClient(path=src)
        client.create_collection("empty", metadata={"kept": True}, embedding_function=None)
        col = client.create_collection(
            "things", metadata={"hnsw:space": "ip", "n": 1}, embedding_function=None
        )
        for i, (emb, doc, meta) in enumerate(data):
            kwargs: Dict[str, Any] = {"ids": [f"id{i}"], "embeddings": [emb]}
            if doc is not None:
                kwargs["documents"] = [doc]
            if meta is not None:
                kwargs["metadatas"] = [meta]
            col.add(**kwargs)
        before = _state(client)
        clear_system_cache()
        assert main(["export", "--path", src, out, "--quiet"]) == 0
        assert main(["import", out, "--path", dst, "--quiet"]) == 0
        assert _state(chromadb.PersistentClient(path=dst)) == before
    finally:
        clear_system_cache()


def test_export_is_readable_by_pandas_and_one_collection_can_be_chosen(tmp_path: Path) -> None:
    pd = pytest.importorskip("pandas")
    src = str(tmp_path / "src")
    try:
        client = chromadb.PersistentClient(path=src)
        a = client.create_collection("aaa", embedding_function=None)
        a.add(
            ids=["x", "y"],
            embeddings=[[0.5, 1.5], [2.5, -1.0]],
            documents=["ex", "why"],
            metadatas=[{"k": 1}, {"tags": "t"}],
        )
        client.create_collection("bbb", embedding_function=None).add(ids=["z"], embeddings=[[1.0]])
        clear_system_cache()
        out = tmp_path / "a.parquet"
        assert main(["export", "--path", src, "--collection", "aaa", str(out), "--quiet"]) == 0
    finally:
        clear_system_cache()
    frame = pd.read_parquet(out)
    assert list(frame.columns) == [
        "tenant",
        "database",
        "collection",
        "id",
        "embedding",
        "document",
        "uri",
        "metadata",
    ]
    assert frame["collection"].tolist() == ["aaa", "aaa"]
    assert [list(e) for e in frame["embedding"]] == [[0.5, 1.5], [2.5, -1.0]]
    assert frame["embedding"][0].dtype == np.float32
    assert [json.loads(m) for m in frame["metadata"]] == [{"k": 1}, {"tags": "t"}]


def test_export_is_readable_by_duckdb_and_polars(tmp_path: Path) -> None:
    duckdb = pytest.importorskip("duckdb")
    pl = pytest.importorskip("polars")
    src = str(tmp_path / "src")
    try:
        client = chromadb.PersistentClient(path=src)
        col = client.create_collection("ducks", embedding_function=None)
        col.add(
            ids=["d1", "d2", "d3"],
            embeddings=[[0.25, -1.0], [3.5, 0.0], [1.0, 1.0]],
            documents=["one", "two", "three"],
            metadatas=[{"n": 1}, {"n": 2}, {"n": 3}],
        )
        clear_system_cache()
        out = str(tmp_path / "ducks.parquet")
        assert main(["export", "--path", src, out, "--quiet"]) == 0
    finally:
        clear_system_cache()
    rows = duckdb.sql(
        f"SELECT id, embedding, CAST(json_extract(metadata, '$.n') AS INTEGER) AS n "
        f"FROM read_parquet('{out}') WHERE collection = 'ducks' ORDER BY id"
    ).fetchall()
    assert rows == [("d1", [0.25, -1.0], 1), ("d2", [3.5, 0.0], 2), ("d3", [1.0, 1.0], 3)]
    frame = pl.read_parquet(out)
    assert frame.schema["embedding"] == pl.List(pl.Float32)
    assert frame.filter(pl.col("id") == "d2")["document"].to_list() == ["two"]


def test_a_parquet_file_not_ours_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    path = tmp_path / "other.parquet"
    pq.write_table(pa.table({"id": ["a"]}), path)
    try:
        assert main(["import", str(path), "--path", str(tmp_path / "d"), "--quiet"]) == 1
    finally:
        clear_system_cache()
    assert "not a chromadb export" in capsys.readouterr().err
