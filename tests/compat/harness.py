"""Start our server and run client scenarios as subprocesses.

The server is ``python -m chromadb.cli run`` on a free 127.0.0.1 port with
reset allowed; a scenario is a client-side script that prints one JSON line.
"""

from __future__ import annotations

import json
import os
import re
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

SERVER_START_TIMEOUT_S = 60.0
SERVER_STOP_TIMEOUT_S = 15.0
SCENARIO_TIMEOUT_S = 180
# uvicorn's access log line: 127.0.0.1:5555 - "POST /api/v1/collections HTTP/1.1" 200
_ACCESS_LINE = re.compile(r'"([A-Z]+ /\S*) HTTP/[\d.]+"')


@dataclass(frozen=True)
class RunningServer:
    """A started server: its base URL and the file its output goes to."""

    url: str
    log_path: Path

    def log_mark(self) -> int:
        """Where the server's output ends now; pass to :meth:`requests_since`."""
        try:
            return self.log_path.stat().st_size
        except OSError:
            return 0

    def requests_since(self, mark: int) -> list[str]:
        """``"METHOD /path?query"`` of each request logged after ``mark`` (access log)."""
        with open(self.log_path, "rb") as log:
            log.seek(mark)
            text = log.read().decode("utf-8", errors="replace")
        return _ACCESS_LINE.findall(text)

    def log_tail(self, chars: int = 4000) -> str:
        """The end of the server's output, for failure messages."""
        try:
            return self.log_path.read_text(errors="replace")[-chars:]
        except OSError:
            return "(no server log)"


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _heartbeat_ok(url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/api/v2/heartbeat", timeout=2) as resp:
            return bool(resp.status == 200)
    except (urllib.error.URLError, ConnectionError, TimeoutError):
        return False


@contextmanager
def running_server(workdir: Path) -> Iterator[RunningServer]:
    """Run our server with its data under ``workdir`` until the block ends."""
    port = _free_port()
    server = RunningServer(f"http://127.0.0.1:{port}", workdir / "server.log")
    cmd = [
        sys.executable,
        "-m",
        "chromadb.cli",
        "run",
        "--path",
        str(workdir / "db"),
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--access-log",  # tests read which routes each client used
    ]
    env = {**os.environ, "ALLOW_RESET": "TRUE", "ANONYMIZED_TELEMETRY": "FALSE"}
    with open(server.log_path, "wb") as log:
        proc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, env=env)
    try:
        deadline = time.monotonic() + SERVER_START_TIMEOUT_S
        while not _heartbeat_ok(server.url):
            if proc.poll() is not None:
                pytest.fail(f"server exited with {proc.returncode}:\n{server.log_tail()}")
            if time.monotonic() > deadline:
                pytest.fail(f"server not up after {SERVER_START_TIMEOUT_S}s:\n{server.log_tail()}")
            time.sleep(0.2)
        yield server
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=SERVER_STOP_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=SERVER_STOP_TIMEOUT_S)


def reset_server(server: RunningServer) -> None:
    """Empty the server so each scenario starts from nothing."""
    request = urllib.request.Request(f"{server.url}/api/v2/reset", data=b"", method="POST")
    with urllib.request.urlopen(request, timeout=30) as resp:
        if resp.status != 200:
            pytest.fail(f"reset answered {resp.status}:\n{server.log_tail()}")


def run_scenario(cmd: list[str], env: dict[str, str], server: RunningServer) -> dict[str, Any]:
    """Run a client scenario; return its JSON results or fail with its output."""
    try:
        proc = subprocess.run(
            cmd, capture_output=True, text=True, timeout=SCENARIO_TIMEOUT_S, env=env
        )
    except subprocess.TimeoutExpired as exc:
        pytest.fail(
            f"scenario timed out after {SCENARIO_TIMEOUT_S}s: {exc.stderr!r}\n"
            f"--- server log\n{server.log_tail()}"
        )
    lines = proc.stdout.strip().splitlines()
    if proc.returncode != 0 or not lines:
        pytest.fail(
            f"scenario failed (exit {proc.returncode})\n--- stderr\n{proc.stderr[-6000:]}"
            f"\n--- stdout\n{proc.stdout[-2000:]}\n--- server log\n{server.log_tail()}"
        )
    result: dict[str, Any] = json.loads(lines[-1])
    return result
