"""Request bodies: the server refuses an oversized one while reading it (never buffering it
whole), with a JSON 413; the HTTP client refuses before sending."""

from __future__ import annotations

import json
import socket
import time
from pathlib import Path
from typing import Iterator, Tuple

import numpy as np
import pytest

import chromadb
from chromadb.config import Settings
from chromadb.errors import BatchSizeExceededError
from tests.integrity.servers import ServerProcess

# Real Chroma 1.5.9 reads a body of 40 MiB and refuses one byte more (measured on its server).
REAL_LIMIT = 41_943_040
V2 = "/api/v2/tenants/default_tenant/databases/default_database"
pytestmark = pytest.mark.usefixtures("fresh_systems")


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    root = tmp_path_factory.mktemp("limits")
    proc = ServerProcess(root / "data", root / "server.log")
    yield proc
    proc.stop()


def _send(port: int, head: bytes, chunks: Iterator[bytes]) -> Tuple[int, dict, int]:
    """Send a request by hand; returns (status, JSON answer, body bytes the server took)."""
    sent = 0
    length: list[int] = []
    with socket.create_connection(("127.0.0.1", port), timeout=30) as sock:
        sock.sendall(head)
        try:
            for chunk in chunks:
                sock.sendall(chunk)
                sent += len(chunk)
        except OSError:  # the server stopped reading and closed: what we want
            pass
        data = bytearray()
        try:
            while b"\r\n\r\n" not in data:
                part = sock.recv(65536)
                if not part:
                    break
                data += part
            head_part, _, rest = bytes(data).partition(b"\r\n\r\n")
            length = [
                int(line.split(b":")[1])
                for line in head_part.split(b"\r\n")
                if line.lower().startswith(b"content-length")
            ]
            body = bytearray(rest)
            # Only short answers are read whole (a refusal); a long one only to its head.
            while length and length[0] < 1_000_000 and len(body) < length[0]:
                part = sock.recv(65536)
                if not part:
                    break
                body += part
        except OSError:
            head_part, body = bytes(data), bytearray()
    status = int(head_part.split(b" ")[1])
    complete = body and (not length or len(body) >= length[0])
    return status, json.loads(bytes(body)) if complete else {}, sent


def _declared(size: int) -> Tuple[bytes, Iterator[bytes]]:
    body = b'{"name": "' + b"x" * (size - 12) + b'"}'
    assert len(body) == size
    head = (
        f"POST {V2}/collections HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        f"Content-Type: application/json\r\nContent-Length: {size}\r\n\r\n"
    ).encode()
    return head, iter([body])


def test_streamed_200mb_body_is_refused_while_reading(server: ServerProcess) -> None:
    total = 200 * 1024 * 1024
    chunk = b"[" + b"0.0," * (1024 * 1024 // 4 - 1) + b"0]"

    def chunks() -> Iterator[bytes]:
        # Chunked transfer: no length to refuse up front, so the limit must count as it reads.
        yield b'{"ids": ["a"], "embeddings": ['
        for _ in range(total // len(chunk)):
            yield chunk + b","
        yield b"[0.0]]}"

    def framed() -> Iterator[bytes]:
        for part in chunks():
            yield f"{len(part):x}\r\n".encode() + part + b"\r\n"
        yield b"0\r\n\r\n"

    server.peak_rss_bytes()
    before = server.peak_rss_bytes()
    head = (
        f"POST {V2}/collections/none/add HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        "Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"
    ).encode()
    started = time.monotonic()
    status, answer, sent = _send(server.port, head, framed())
    assert status == 413, answer
    assert answer["error"] == "BatchSizeExceededError"
    grown = server.peak_rss_bytes() - before
    took = time.monotonic() - started
    print(
        f"\n200 MiB streamed: 413, {sent >> 20} MiB sent, peak RSS +{grown >> 20} MiB, {took:.1f} s"
    )
    # Holding the whole body would take 200 MiB (and more parsed): the server holds at most
    # about the limit.
    assert grown < 120 * 1024 * 1024


def test_default_limit_is_real_chromas(server: ServerProcess) -> None:
    status, answer, _ = _send(server.port, *_declared(REAL_LIMIT))
    assert status == 400  # read, then refused for its content (a too-long name), as real does
    status, answer, _ = _send(server.port, *_declared(REAL_LIMIT + 1))
    assert status == 413
    assert answer["error"] == "BatchSizeExceededError"
    assert str(REAL_LIMIT) in answer["message"]


def test_http_client_refuses_a_batch_over_the_maximum_before_sending(
    server: ServerProcess,
) -> None:
    client = chromadb.HttpClient(host="127.0.0.1", port=server.port)
    col = client.get_or_create_collection("batches", embedding_function=None)
    size = client.get_max_batch_size()
    n = size + 1
    with pytest.raises(BatchSizeExceededError, match="create_batches") as raised:
        col.add(ids=[str(i) for i in range(n)], embeddings=np.zeros((n, 2), dtype=np.float32))
    assert isinstance(raised.value, ValueError)  # as real Chroma's clients raise
    assert col.count() == 0


def test_http_client_refuses_a_body_over_the_limit_before_sending(
    server: ServerProcess,
) -> None:
    client = chromadb.HttpClient(
        host="127.0.0.1",
        port=server.port,
        settings=Settings(chroma_server_max_body_bytes=200_000),
    )
    col = client.get_or_create_collection("bodies", embedding_function=None)
    vectors = np.random.default_rng(0).random((2_000, 64), dtype=np.float32)
    ids = [f"id{i}" for i in range(len(vectors))]
    started = time.monotonic()
    with pytest.raises(BatchSizeExceededError, match="create_batches"):
        col.add(ids=ids, embeddings=vectors)
    assert time.monotonic() - started < 5
    assert col.count() == 0
    from chromadb.utils.batch_utils import create_batches

    batches = create_batches(client, ids=ids, embeddings=list(vectors))
    assert len(batches) > 1
    for batch in batches:
        col.add(ids=batch[0], embeddings=batch[1])
    assert col.count() == len(ids)


def test_in_process_limit_is_the_batch_size_only(tmp_path: Path) -> None:
    from chromadb.utils.batch_utils import create_batches

    client = chromadb.PersistentClient(path=str(tmp_path / "db"))
    ids = [str(i) for i in range(10)]
    assert len(create_batches(client, ids=ids, embeddings=[[1.0]] * 10)) == 1
