"""Every code block of README.md and clients/js/README.md runs as a test.

Python blocks run here, whole, twice in the same folder (a user runs an example again), and
print what the ``text`` block after them shows. JavaScript blocks and the install blocks need
the packed client or a fresh environment: ``test_install_paths.py`` runs them. Every shell line
is either run by one of these tests or checked: a ``chroma`` command is parsed by the CLI as
written, a ``make`` target is dry-run, a ``docker compose`` line names only variables the
compose file reads (no Docker engine runs here; test_docker_files.py reads the files).
"""

from __future__ import annotations

import re
import shlex
import subprocess
import sys
from pathlib import Path
from typing import List

import pytest
import yaml

from chromadb.cli import _parser

from .blocks import ROOT, SHELL, Block, all_blocks, shell_lines
from .helpers import Server, readme_run_line

RUNNERS = {"python", "js", "text", *SHELL}
PYTHON_BLOCKS = [b for b in all_blocks() if b.lang == "python"]
SHELL_BLOCKS = [b for b in all_blocks() if b.lang in SHELL and b.install is None]


def test_every_block_has_a_runner() -> None:
    for block in all_blocks():
        assert block.lang in RUNNERS, (
            f"{block.where}: a ```{block.lang} block; no test runs that language "
            f"(write python, js or a shell block, or add a runner in tests/docs/)"
        )
        if block.lang == "text":
            raise AssertionError(f"{block.where}: a text block that follows no program")


def test_the_readme_shows_both_install_paths() -> None:
    assert {b.install for b in all_blocks() if b.install} >= {"pip", "npm"}


def run_python(block: Block, folder: Path, port: int) -> str:
    done = subprocess.run(
        [sys.executable, "-c", block.with_port(port)],
        cwd=folder,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, f"{block.where} failed:\n{done.stderr[-4000:]}"
    return done.stdout


@pytest.mark.parametrize("block", PYTHON_BLOCKS, ids=[b.where for b in PYTHON_BLOCKS])
def test_python_block_runs_twice_and_prints_what_the_readme_shows(
    block: Block, readme_server: Server, tmp_path: Path
) -> None:
    for _ in range(2):
        out = run_python(block, tmp_path, readme_server.port)
        if block.prints is not None:
            assert out == block.prints, f"{block.where} printed:\n{out}"


def _check_chroma(line: str) -> None:
    argv = shlex.split(line, comments=True)[1:]
    try:
        _parser().parse_args(argv)
    except SystemExit as exc:  # argparse's way of refusing
        raise AssertionError(f"`{line}`: the chroma command refuses these arguments") from exc


def _check_make(line: str) -> None:
    argv = shlex.split(line, comments=True)
    done = subprocess.run(
        ["make", "-n", *argv[1:]], cwd=ROOT, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, f"`{line}`: make -n fails:\n{done.stderr}"


def _check_docker(line: str) -> None:
    compose_text = (ROOT / "docker-compose.yml").read_text()
    yaml.safe_load(compose_text)
    for name in re.findall(r"(?:^|\s)([A-Z_]+)=", line):
        assert "${" + name in compose_text, f"`{line}` sets {name}, which compose never reads"
    assert re.search(r"\bdocker compose (up|down)\b", line), f"`{line}`: not a compose command"


def _make_recipe(target: str) -> str:
    makefile = (ROOT / "Makefile").read_text()
    match = re.search(rf"^{target}:.*\n((?:\t.*\n?)+)", makefile, re.M)
    assert match, f"the Makefile has no {target} target"
    return match.group(1)


def _check_js_development(line: str) -> None:
    # The JS README's development commands are what `make test` runs for it (make test-js).
    command = " ".join(line.split("#")[0].split()[:2])
    assert command in _make_recipe("test-js"), f"`{line}` is not run by make test-js"


def _check_line(block: Block, line: str) -> None:
    if line == readme_run_line():
        return  # readme_server starts exactly this command
    word = line.split()[0]
    if word == "chroma":
        _check_chroma(line)
    elif word == "make":
        _check_make(line)
    elif "docker" in line.split():
        _check_docker(line)
    elif block.readme.parent.name == "js" and word == "npm":
        _check_js_development(line)
    else:
        raise AssertionError(
            f"{block.where}: no test runs or checks `{line}` (see tests/docs/blocks.py)"
        )


@pytest.mark.parametrize("block", SHELL_BLOCKS, ids=[b.where for b in SHELL_BLOCKS])
def test_shell_lines_are_valid_commands(block: Block) -> None:
    lines: List[str] = shell_lines(block)
    assert lines, f"{block.where}: an empty shell block"
    for line in lines:
        _check_line(block, line)
