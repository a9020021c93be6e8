"""The session's server for the README blocks that talk to one, started with the README's line."""

from __future__ import annotations

import shlex
import subprocess
import sys
from pathlib import Path
from typing import Iterator

import pytest

from .helpers import Server, free_port, readme_run_line, wait_until_up


@pytest.fixture(scope="session")
def readme_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """The README's ``chroma run`` line as written, but on a free port instead of 8000, run by
    the installed console script in a folder of its own (so ./chroma_data lands there)."""
    folder = tmp_path_factory.mktemp("readme_server")
    port = free_port()
    argv = shlex.split(readme_run_line().replace("8000", str(port)), comments=True)
    argv[0] = str(Path(sys.executable).parent / argv[0])  # this environment's `chroma`
    log = folder / "server.log"
    with log.open("wb") as out:
        process = subprocess.Popen(argv, cwd=folder, stdout=out, stderr=subprocess.STDOUT)
    server = Server(port, process, log)
    try:
        wait_until_up(server)
        yield server
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=15)
