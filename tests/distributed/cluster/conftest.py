"""Fixtures of the tests that run inside the cluster's network namespace (see test_cluster.py)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Iterator

import httpx
import pytest

from .ray_cluster import RayCluster

FRONTEND_PORT = 8765
SHARDS = 4
REPLICAS = 2


@pytest.fixture(scope="session")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RayCluster]:
    ray_cluster = RayCluster(tmp_path_factory.mktemp("ray"))
    try:
        ray_cluster.start("head", head=True)
        ray_cluster.start("w1")
        ray_cluster.start("w2")
        yield ray_cluster
    finally:
        ray_cluster.stop()


class Frontend:
    def __init__(self, url: str, process: subprocess.Popen[bytes], log: Path) -> None:
        self.url = url
        self.process = process
        self.log = log

    def log_tail(self) -> str:
        return self.log.read_text(errors="replace")[-4000:]


@pytest.fixture(scope="session")
def frontend(cluster: RayCluster, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Frontend]:
    folder = tmp_path_factory.mktemp("frontend")
    log = folder / "server.log"
    args = [sys.executable, "-m", "chromadb.cli", "run", "--ray", cluster.address]
    args += ["--path", str(folder / "catalog"), "--port", str(FRONTEND_PORT)]
    args += ["--shards", str(SHARDS), "--replicas", str(REPLICAS)]
    env = {**os.environ, "ALLOW_RESET": "TRUE", "RAY_USAGE_STATS_ENABLED": "0"}
    with open(log, "wb") as out:
        process = subprocess.Popen(args, stdout=out, stderr=subprocess.STDOUT, env=env)
    server = Frontend(f"http://127.0.0.1:{FRONTEND_PORT}", process, log)
    deadline = time.monotonic() + 120
    while True:
        try:
            if httpx.get(f"{server.url}/api/v2/heartbeat", timeout=5).status_code == 200:
                break
        except httpx.HTTPError:
            pass
        if process.poll() is not None or time.monotonic() > deadline:
            raise RuntimeError(f"frontend did not start:\n{server.log_tail()}")
        time.sleep(0.5)
    try:
        yield server
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])
