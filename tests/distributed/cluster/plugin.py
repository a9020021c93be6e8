"""Pytest plugin of the run inside the cluster's network namespace (see test_cluster.py).

Loaded with ``-p tests.distributed.cluster.plugin`` so that its session fixtures reach every
test of that run: the cluster tests in this folder and the API suite (``tests/api``,
``tests/test_bad_input.py``), whose ``http_server`` fixture then is the Ray frontend instead of
a single-node server (see ``tests/conftest.py``). One cluster and one frontend serve the whole
run. Of the API suite only the HTTP runs are kept (:data:`LEFT_OUT` says what else is left
out, and why).
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Iterator, List

import httpx
import pytest

from .ray_cluster import RayCluster

FRONTEND_PORT = 8765
SHARDS = 4
REPLICAS = 2
NAME = "tests.distributed.cluster.plugin"

# Tests of the API suite that are not run against the cluster, with the reason.
LEFT_OUT = {
    # Not about a server: what they check does not change with the server behind the client.
    "tests/api/test_exports.py": "the package's names, no server involved",
    "tests/api/test_module_paths.py": "import paths, no server involved",
    "tests/api/test_typing.py": "static types, no server involved",
    "tests/api/test_persistence.py": "embedded folders reopened, no server involved",
    "tests/api/test_recall.py": "the embedded engine's recall; a cluster's is in test_api_answers",
}


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(config: pytest.Config, items: List[pytest.Item]) -> None:
    """Keep the cluster tests and the API suite's HTTP runs; the rest needs no cluster."""
    keep, drop = [], []
    for item in items:
        path = Path(str(item.fspath)).resolve().relative_to(Path.cwd()).as_posix()
        params = getattr(getattr(item, "callspec", None), "params", {})
        if path.startswith("tests/distributed/cluster/"):
            keep.append(item)
        elif path in LEFT_OUT or params.get("client_kind") != "http":
            drop.append(item)  # embedded runs, and tests that take no client
        else:
            keep.append(item)
    if drop:
        config.hook.pytest_deselected(items=drop)
        items[:] = keep


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
    """``chroma run --ray`` as the API suite's server handle (host, port, url, log)."""

    host = "127.0.0.1"
    port = FRONTEND_PORT

    def __init__(self, args: List[str], log: Path) -> None:
        self.url = f"http://{self.host}:{self.port}"
        self.args = args
        self.log = log
        self.process = self._start()

    def _start(self) -> subprocess.Popen[bytes]:
        env = {**os.environ, "ALLOW_RESET": "TRUE", "RAY_USAGE_STATS_ENABLED": "0"}
        with open(self.log, "ab") as out:
            process = subprocess.Popen(self.args, stdout=out, stderr=subprocess.STDOUT, env=env)
        deadline = time.monotonic() + 120
        while True:
            try:
                if httpx.get(f"{self.url}/api/v2/heartbeat", timeout=5).status_code == 200:
                    return process
            except httpx.HTTPError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"frontend did not start:\n{self.log_tail()}")
            time.sleep(0.5)

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=30)

    def restart(self) -> None:
        """Stop the frontend and start it again on the same catalog."""
        self.stop()
        self.process = self._start()

    def log_tail(self, limit: int = 4000) -> str:
        return self.log.read_text(errors="replace")[-limit:]


@pytest.fixture(scope="session")
def frontend(cluster: RayCluster, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Frontend]:
    folder = tmp_path_factory.mktemp("frontend")
    args = [sys.executable, "-m", "chromadb.cli", "run", "--ray", cluster.address]
    args += ["--path", str(folder / "catalog"), "--port", str(FRONTEND_PORT)]
    args += ["--shards", str(SHARDS), "--replicas", str(REPLICAS)]
    server = Frontend(args, folder / "server.log")
    try:
        yield server
    finally:
        server.stop()
