"""The official thin client chromadb-client 1.5.9, unmodified, searches our server: its request
bodies are accepted and its SearchResult is what our own client gets for the same searches."""

from __future__ import annotations

import json
import subprocess
from typing import Any, Dict, List

import pytest

from chromadb.execution.expression import GroupBy, K, Knn, MinK, Rrf, Search
from tests.conftest import ServerHandle, make_http_client

pytestmark = pytest.mark.slow  # installs the official client once (cached afterwards)

SEARCHES = """[
    Search().where((K("g") == 1) & K.DOCUMENT.contains("red")).rank(Knn(query=[0.5, 0.5, 0.5, 0.5], limit=8)).limit(3).select(K.SCORE, K.DOCUMENT, "n"),
    Search().rank(Rrf([Knn(query=[0.1, 0.2, 0.3, 0.4], return_rank=True), Knn(query=[0.9, 0.1, 0.5, 0.2], return_rank=True, default=100)], k=10, weights=[0.6, 0.4])).limit(5, offset=1).select(K.SCORE, K.METADATA),
    Search().where(K.ID.is_in(["r001", "r002"]) | (K("n") >= 28)).select(K.METADATA, K.EMBEDDING),
    Search().rank(Knn(query=[0.2, 0.2, 0.2, 0.2], limit=20) * 2 + 1).group_by(GroupBy(keys=[K("g")], aggregate=MinK(keys=[K.SCORE], k=2))).select(K.SCORE, "g"),
]"""

SCRIPT = """
import json, sys
import numpy as np
import chromadb
from chromadb.execution.expression import GroupBy, K, Knn, MinK, Rrf, Search
host, port, name = sys.argv[1], int(sys.argv[2]), sys.argv[3]
client = chromadb.HttpClient(host=host, port=port)
col = client.create_collection(name, embedding_function=None)
rng = np.random.default_rng(3)
col.add(
    ids=[f"r{i:03d}" for i in range(30)],
    embeddings=rng.random((30, 4)).astype("float32").tolist(),
    metadatas=[{"g": i % 3, "n": i} for i in range(30)],
    documents=[f"doc {i} {'red' if i % 2 else 'blue'}" for i in range(30)],
)
result = col.search(SEARCHES)
print(json.dumps(dict(result), default=lambda o: o.tolist()))
""".replace("SEARCHES", SEARCHES)


def _plain(result: Dict[str, Any]) -> Dict[str, Any]:
    out = json.loads(json.dumps(dict(result), default=lambda o: o.tolist()))
    # Selected keys are a set in real's client: their order is not part of the answer.
    out["select"] = [sorted(keys) for keys in out["select"]]
    return out


def test_thin_client_1_5_9_searches_our_server(http_server: ServerHandle) -> None:
    from tests.compat.installers import python_client

    python = python_client("chromadb-client", "1.5.9")
    run = subprocess.run(
        [str(python), "-I", "-c", SCRIPT, http_server.host, str(http_server.port), "thin-search"],
        capture_output=True,
        text=True,
        timeout=180,
        cwd="/",
    )
    assert run.returncode == 0, run.stderr[-3000:] + http_server.log_tail()
    theirs = json.loads(run.stdout.strip().splitlines()[-1])
    ours_client = make_http_client(http_server)
    col = ours_client.get_collection("thin-search")
    searches: List[Search] = eval(SEARCHES)
    ours = col.search(searches)
    try:
        assert _plain(theirs) == _plain(ours)
        assert len(theirs["ids"][0]) == 3 and len(theirs["ids"][1]) == 5
    finally:
        ours_client.delete_collection("thin-search")


_ = (GroupBy, K, Knn, MinK, Rrf)  # the names SEARCHES uses, evaluated above
