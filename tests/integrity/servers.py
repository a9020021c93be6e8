"""A real ``chroma run`` server process for the integrity tests (killable, measurable)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Dict, Optional

import httpx

from tests.conftest import free_port

START_TIMEOUT_S = 60.0


class ServerProcess:
    """``python -m chromadb.cli run --path PATH`` on 127.0.0.1 and a free port."""

    def __init__(
        self, path: Path, log: Path, env: Optional[Dict[str, str]] = None, workers: int = 1
    ) -> None:
        self.path = path
        self.port = free_port()
        self.log = log
        command = [sys.executable, "-m", "chromadb.cli", "run", "--path", str(path)]
        command += ["--port", str(self.port), "--log-level", "warning", "--workers", str(workers)]
        with open(log, "ab") as out:
            self.process = subprocess.Popen(
                command,
                stdout=out,
                stderr=subprocess.STDOUT,
                env={**os.environ, **(env or {})},
                start_new_session=True,
            )
        self._wait()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def _wait(self) -> None:
        deadline = time.monotonic() + START_TIMEOUT_S
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"server exited: {self.log.read_text()[-3000:]}")
            try:
                if httpx.get(self.url + "/api/v2/heartbeat", timeout=2).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.1)
        self.kill()
        raise RuntimeError(f"server did not start: {self.log.read_text()[-3000:]}")

    def peak_rss_bytes(self) -> int:
        """The most memory the server process has held resident (VmHWM)."""
        for line in Path(f"/proc/{self.process.pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024
        raise RuntimeError("no VmHWM")

    def kill(self) -> None:
        """kill -9 of the server and every worker process it started: no shutdown code runs."""
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=30)

    def stop(self) -> None:
        """An ordinary stop (SIGTERM: the engine checkpoints and closes)."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.kill()
