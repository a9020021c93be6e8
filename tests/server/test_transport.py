"""``chroma run`` over a real socket: many answers of every size on one kept-alive connection,
each complete and in order (the server joins each answer's writes into one send,
chromadb.server.transport)."""

from __future__ import annotations

import http.client
import json
import re
import subprocess
import sys
import time
from pathlib import Path
from typing import Any, Dict, Iterator, Tuple

import pytest

LISTENING = re.compile(r"listening on http://127\.0\.0\.1:(\d+)")
V2 = "/api/v2/tenants/default_tenant/databases/default_database"


@pytest.fixture(params=["1", "2"], ids=["one-process", "two-workers"])
def port(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[int]:
    log = tmp_path / "server.log"
    command = [
        sys.executable, "-m", "chromadb.cli", "run", "--path", str(tmp_path / "data"),
        "--port", "0", "--workers", request.param,
    ]  # fmt: skip
    with open(log, "wb") as out:
        proc = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 60
        while not (found := LISTENING.search(log.read_text(errors="replace"))):
            assert proc.poll() is None and time.monotonic() < deadline, log.read_text()
            time.sleep(0.1)
        yield int(found.group(1))
    finally:
        proc.terminate()
        proc.wait(timeout=60)


def _call(
    conn: http.client.HTTPConnection, method: str, path: str, body: Any = None
) -> Tuple[int, bytes]:
    payload = None if body is None else json.dumps(body).encode()
    conn.request(method, path, body=payload, headers={"content-type": "application/json"})
    answer = conn.getresponse()
    return answer.status, answer.read()


def test_answers_of_every_size_follow_each_other_on_one_connection(port: int) -> None:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        status, body = _call(conn, "GET", "/api/v2/heartbeat")
        assert status == 200 and b"nanosecond heartbeat" in body
        status, body = _call(conn, "GET", "/openapi.json")  # a large answer
        assert status == 200 and len(body) > 50_000
        assert "/api/v2/heartbeat" in json.loads(body)["paths"]
        status, body = _call(conn, "POST", V2 + "/collections", {"name": "joined"})
        assert status == 200, body
        cid = json.loads(body)["id"]
        records: Dict[str, Any] = {"ids": [f"r{i}" for i in range(300)]}
        records["embeddings"] = [[float(i), 1.0, 2.0] for i in range(300)]
        records["documents"] = ["x" * 500 for _ in range(300)]
        status, body = _call(conn, "POST", f"{V2}/collections/{cid}/add", records)
        assert status in (200, 201), body
        for i in range(20):
            status, body = _call(
                conn,
                "POST",
                f"{V2}/collections/{cid}/query",
                {"query_embeddings": [[float(i), 1.0, 2.0]], "n_results": 3, "include": []},
            )
            assert status == 200 and json.loads(body)["ids"][0][0] == f"r{i}"
            status, body = _call(conn, "POST", f"{V2}/collections/{cid}/get", {"limit": 300})
            assert status == 200 and len(json.loads(body)["documents"]) == 300  # ~170 KB
            status, body = _call(conn, "POST", f"{V2}/collections/{cid}/query", {"bad": 1})
            assert status == 400 and json.loads(body)["error"]
    finally:
        conn.close()
