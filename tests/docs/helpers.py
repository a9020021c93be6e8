"""Helpers of the docs tests: the README's ``chroma run`` line and a server started with it, and
a copy of the repository as a fresh clone has it."""

from __future__ import annotations

import os
import socket
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

import httpx

from .blocks import ROOT, SHELL, all_blocks, shell_lines

START_LIMIT_S = 60.0


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def readme_run_line() -> str:
    """The README's ``chroma run`` command (the one in a shell block of its own)."""
    lines = [
        line
        for block in all_blocks()
        if block.lang in SHELL and block.readme.name == "README.md" and block.install is None
        for line in shell_lines(block)
        if line.startswith("chroma run ")
    ]
    assert lines, "README.md shows how to start the server with `chroma run`"
    return lines[0]


@dataclass
class Server:
    port: int
    process: subprocess.Popen[bytes]
    log: Path


def wait_until_up(server: Server) -> None:
    deadline = time.monotonic() + START_LIMIT_S
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise RuntimeError(f"the server exited:\n{server.log.read_text(errors='replace')}")
        try:
            if httpx.get(f"http://127.0.0.1:{server.port}/api/v2/heartbeat").status_code == 200:
                return
        except httpx.HTTPError:
            time.sleep(0.2)
    raise RuntimeError(f"no heartbeat in {START_LIMIT_S} s:\n{server.log.read_text()}")


def copy_of_clone(destination: Path) -> Path:
    """The repository's files as a fresh clone of this tree has them: tracked files and new
    files git does not ignore (so no .venv, node_modules, dist/ or caches)."""
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=ROOT,
        capture_output=True,
        check=True,
    ).stdout.split(b"\0")
    for name in filter(None, listed):
        source = ROOT / os.fsdecode(name)
        if not source.is_file():  # listed but deleted in the working tree
            continue
        target = destination / os.fsdecode(name)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(source.read_bytes())
        target.chmod(source.stat().st_mode)
    return destination
