"""A persisted folder across processes: what one process wrote, a new process sees in full; a
second process opening a folder that another holds either works safely or gets a clear error,
and the folder is never corrupted."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any, Dict

import chromadb
from chromadb.api.client import clear_system_cache


def _python(code: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)],
        capture_output=True,
        text=True,
        timeout=timeout,
    )


WRITER = """
import chromadb
client = chromadb.PersistentClient(path={path!r})
a = client.create_collection("alpha", metadata={{"hnsw:space": "cosine", "owner": "proc"}},
                             embedding_function=None)
a.add(ids=[f"a{{i}}" for i in range(300)],
      embeddings=[[float(i), float(i % 7), 1.0, -1.0] for i in range(300)],
      metadatas=[{{"i": i, "even": i % 2 == 0}} for i in range(300)],
      documents=[f"document number {{i}}" for i in range(300)],
      uris=[f"s3://bucket/{{i}}" for i in range(300)])
a.update(ids=["a1"], metadatas=[{{"i": None, "note": "updated"}}])
a.delete(ids=["a2"])
b = client.create_collection("beta", embedding_function=None)
b.add(ids=["only"], embeddings=[[1.0, 2.0]])
print("WROTE")
"""


def test_new_process_sees_everything_written(tmp_path: Path) -> None:
    path = str(tmp_path / "db")
    done = _python(WRITER.format(path=path))
    assert done.returncode == 0, done.stderr
    client: Any = chromadb.PersistentClient(path=path)
    assert sorted(c.name for c in client.list_collections()) == ["alpha", "beta"]
    a = client.get_collection("alpha", embedding_function=None)
    assert a.metadata == {"hnsw:space": "cosine", "owner": "proc"}
    assert a.count() == 299
    got = a.get(
        ids=["a0", "a1", "a2", "a299"], include=["metadatas", "documents", "embeddings", "uris"]
    )
    assert got["ids"] == ["a0", "a1", "a299"]
    assert got["metadatas"] == [
        {"i": 0, "even": True},
        {"even": False, "note": "updated"},
        {"i": 299, "even": False},
    ]
    assert got["documents"][2] == "document number 299"
    assert got["uris"][0] == "s3://bucket/0"
    assert [float(x) for x in got["embeddings"][2]] == [299.0, 5.0, 1.0, -1.0]
    assert a.get(where={"even": True}, include=[])["ids"][:3] == ["a0", "a4", "a6"]
    res = a.query(query_embeddings=[[10.0, 3.0, 1.0, -1.0]], n_results=1, include=["distances"])
    assert res["ids"] == [["a10"]] and res["distances"][0][0] < 1e-4
    b = client.get_collection("beta", embedding_function=None)
    assert b.get(include=["embeddings"])["embeddings"] is not None and b.count() == 1


def test_another_process_reads_what_this_one_wrote(tmp_path: Path, ef: Any) -> None:
    path = str(tmp_path / "db")
    col: Any = chromadb.PersistentClient(path=path).create_collection("mine", embedding_function=ef)
    col.add(
        ids=["x", "y"],
        embeddings=[[1.0, 0.0, 0.0], [0.0, 1.0, 0.0]],
        metadatas=[{"v": 1}, {"v": 2}],
    )
    col.delete(ids=["x"])
    clear_system_cache()
    reader = _python(f"""
        import json, chromadb
        c = chromadb.PersistentClient(path={path!r}).get_collection("mine", embedding_function=None)
        got = c.get(include=["metadatas"])
        q = c.query(query_embeddings=[[1.0, 0.0, 0.0]], n_results=5, include=[])
        print(json.dumps({{"ids": got["ids"], "metadatas": got["metadatas"], "query": q["ids"]}}))
    """)
    assert reader.returncode == 0, reader.stderr
    seen: Dict[str, Any] = json.loads(reader.stdout.strip().splitlines()[-1])
    assert seen == {"ids": ["y"], "metadatas": [{"v": 2}], "query": [["y"]]}


SECOND_OPENER = """
import json, sys, chromadb
try:
    client = chromadb.PersistentClient(path={path!r})
    col = client.get_or_create_collection("shared", embedding_function=None)
    before = col.count()
    col.add(ids=["from-second"], embeddings=[[9.0, 9.0, 9.0]])
    print(json.dumps({{"outcome": "ok", "before": before, "after": col.count()}}))
except Exception as exc:
    print(json.dumps({{"outcome": "error", "type": type(exc).__name__, "message": str(exc),
                      "chroma": isinstance(exc, chromadb.errors.ChromaError)}}))
"""


def test_second_process_on_a_held_folder_is_safe(tmp_path: Path, ef: Any) -> None:
    path = str(tmp_path / "db")
    client: Any = chromadb.PersistentClient(path=path)
    col = client.create_collection("shared", embedding_function=ef)
    col.add(ids=[f"p{i}" for i in range(50)], embeddings=[[float(i), 0.0, 1.0] for i in range(50)])
    second = _python(SECOND_OPENER.format(path=path))
    assert second.returncode == 0, second.stderr
    outcome = json.loads(second.stdout.strip().splitlines()[-1])
    if outcome["outcome"] == "error":
        # A clear refusal: one of our errors, saying what is wrong.
        assert outcome["chroma"], outcome
        assert (
            path in outcome["message"]
            or "process" in outcome["message"].lower()
            or "lock" in outcome["message"].lower()
        ), outcome
    else:
        assert outcome["before"] == 50 and outcome["after"] == 51, outcome
    # This process keeps working, and after both are gone the folder opens whole.
    col.add(ids=["after-second"], embeddings=[[5.0, 5.0, 5.0]])
    clear_system_cache()
    reopened: Any = chromadb.PersistentClient(path=path).get_collection(
        "shared", embedding_function=None
    )
    ids = set(reopened.get(include=[])["ids"])
    expected = {f"p{i}" for i in range(50)} | {"after-second"}
    if outcome["outcome"] == "ok":
        expected.add("from-second")
    assert ids == expected
    res = reopened.query(query_embeddings=[[5.0, 5.0, 5.0]], n_results=1, include=[])
    assert res["ids"] == [["after-second"]]
    for id_ in ("p7", "p49"):
        i = float(id_[1:])
        assert reopened.query(query_embeddings=[[i, 0.0, 1.0]], n_results=1, include=[])["ids"] == [
            [id_]
        ]
