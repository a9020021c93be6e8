"""Real Chroma's server (``chroma run`` from the oracle venv) on a free 127.0.0.1 port."""

from __future__ import annotations

import os
import subprocess
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from tests.compat.harness import _free_port

START_TIMEOUT_S = 90.0


def _up(url: str) -> bool:
    try:
        with urllib.request.urlopen(url + "/api/v2/heartbeat", timeout=2) as answer:
            return bool(answer.status == 200)
    except OSError:
        return False


@contextmanager
def real_server(python: str, workdir: Path) -> Iterator[str]:
    """Start real Chroma's server with reset allowed; yield its base URL."""
    port = _free_port()
    config = workdir / "chroma.yaml"
    config.write_text(
        f'port: {port}\nlisten_address: "127.0.0.1"\n'
        f'persist_path: "{workdir / "data"}"\nallow_reset: true\n'
    )
    chroma = Path(python).with_name("chroma")
    log = open(workdir / "real-server.log", "wb")
    env = {**os.environ, "ANONYMIZED_TELEMETRY": "False"}
    proc = subprocess.Popen(
        [str(chroma), "run", str(config)],
        stdout=log,
        stderr=subprocess.STDOUT,
        cwd=workdir,
        env=env,
        start_new_session=True,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + START_TIMEOUT_S
        while not _up(url):
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(
                    "real Chroma's server did not start: "
                    + (workdir / "real-server.log").read_text(errors="replace")[-2000:]
                )
            time.sleep(0.3)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()
