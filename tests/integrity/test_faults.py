"""Fault injection: a full disk, kill -9 of the server and of writers. Nothing acknowledged is
lost, the failure is a clear error, and ``chroma check`` finds the folder whole afterwards."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Iterator, List

import numpy as np
import pytest

import chromadb
from chromadb.api.client import clear_system_cache
from chromadb.errors import ChromaError, DiskFullError
from tests.integrity.damage import chroma
from tests.integrity.servers import ServerProcess
from tests.integrity.writer import BATCH, batch_ids, batch_vectors

pytestmark = pytest.mark.usefixtures("fresh_systems")


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    """A 12 MiB file system (a tmpfs mount; needs root, as CI is)."""
    mount = tmp_path / "small"
    mount.mkdir()
    made = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=12m", "tmpfs", str(mount)], capture_output=True
    )
    if made.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here (needs root): {made.stderr.decode().strip()}")
    try:
        yield mount
    finally:
        clear_system_cache()
        subprocess.run(["umount", "-l", str(mount)])


def test_full_disk_is_a_clear_error_and_loses_nothing(small_disk: Path) -> None:
    path = small_disk / "data"
    col = chromadb.PersistentClient(path=str(path)).create_collection(
        "fill", embedding_function=None
    )
    acked: List[int] = []
    error: ChromaError | None = None
    for n in range(10_000):
        try:
            col.add(ids=batch_ids(n), embeddings=batch_vectors(n), documents=["x" * 200] * BATCH)
        except ChromaError as exc:
            error = exc
            break
        acked.append(n)
    assert isinstance(error, DiskFullError), error
    assert "full" in str(error) and "nothing written before it is lost" in str(error)
    # Reads go on, and the failed batch left nothing behind.
    assert col.count() == len(acked) * BATCH
    assert col.get(ids=batch_ids(len(acked)))["ids"] == []
    clear_system_cache()
    # Reopened on the still-full disk: everything acknowledged is there.
    col = chromadb.PersistentClient(path=str(path)).get_collection("fill")
    assert col.count() == len(acked) * BATCH
    last = acked[-1]
    got = col.get(ids=batch_ids(last), include=["embeddings"])
    assert np.array_equal(np.asarray(got["embeddings"], dtype=np.float32), batch_vectors(last))
    clear_system_cache()
    done = chroma("check", "--path", str(path))
    print(
        f"\ndisk full after {len(acked) * BATCH} records acknowledged; {done.stdout.splitlines()[-1]}"
    )
    assert done.returncode == 0, done.stdout


def _writer(target: str, start: int) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "tests.integrity.writer", target, str(start)],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )


def _acked(proc: subprocess.Popen[str], acks: List[int]) -> threading.Thread:
    def read() -> None:
        assert proc.stdout is not None
        for line in proc.stdout:
            if line.startswith("ACK "):
                acks.append(int(line.split()[1]))

    thread = threading.Thread(target=read, daemon=True)
    thread.start()
    return thread


def _all_there(col: chromadb.api.models.Collection.Collection, batches: List[int]) -> int:
    """How many acknowledged records are missing (or changed)."""
    missing = 0
    for n in batches:
        got = col.get(ids=batch_ids(n), include=["embeddings"])
        if len(got["ids"]) != BATCH:
            missing += BATCH - len(got["ids"])
            continue
        order = np.argsort([int(i.split("-")[1]) for i in got["ids"]])
        stored = np.asarray(got["embeddings"], dtype=np.float32)[order]
        missing += int((~np.all(stored == batch_vectors(n), axis=1)).sum())
    return missing


def test_kill_9_of_the_server_loses_no_acknowledged_write(tmp_path: Path) -> None:
    data = tmp_path / "data"
    log = tmp_path / "server.log"
    acked: List[int] = []
    for round_ in range(3):
        # The last round serves from two worker processes, killed together.
        server = ServerProcess(data, log, workers=2 if round_ == 2 else 1)
        writer = _writer(server.url, 1000 * round_)
        acks: List[int] = []
        reader = _acked(writer, acks)
        deadline = time.monotonic() + 60
        while len(acks) < 15 + 10 * round_ and time.monotonic() < deadline:
            time.sleep(0.05)
        server.kill()  # mid-write: the writer's next call fails
        writer.wait(timeout=60)
        reader.join(timeout=10)
        acked += acks
    server = ServerProcess(data, log)
    try:
        col = chromadb.HttpClient(host="127.0.0.1", port=server.port).get_collection("writes")
        missing = _all_there(col, acked)
    finally:
        server.stop()
    done = chroma("check", "--path", str(data))
    print(
        f"\nserver kill -9 x3: {len(acked) * BATCH} acknowledged records checked, lost: {missing}"
    )
    assert missing == 0
    assert done.returncode == 0, done.stdout


def test_kill_9_of_writers_loses_nothing_and_the_next_open_checks(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    data = tmp_path / "data"
    acked: List[int] = []
    for round_ in range(3):
        writer = _writer(str(data), 1000 * round_)
        acks: List[int] = []
        reader = _acked(writer, acks)
        deadline = time.monotonic() + 60
        while len(acks) < 10 and time.monotonic() < deadline:
            time.sleep(0.02)
        os.kill(writer.pid, signal.SIGKILL)
        writer.wait()
        reader.join(timeout=10)
        acked += acks
    with caplog.at_level("WARNING", logger="chromadb"):
        col = chromadb.PersistentClient(path=str(data)).get_collection("writes")
    assert "not closed cleanly" in caplog.text
    missing = _all_there(col, acked)
    clear_system_cache()
    done = chroma("check", "--path", str(data))
    print(
        f"\nwriter kill -9 x3: {len(acked) * BATCH} acknowledged records checked, lost: {missing}"
    )
    assert missing == 0
    assert done.returncode == 0, done.stdout
