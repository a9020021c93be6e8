"""The Docker image and compose file run the same ``chroma run`` the tests start, keep the data
in a volume, and check health on the heartbeat. (No Docker engine runs here: these read the
files; the command itself is exercised by test_restart.py.)"""

from __future__ import annotations

import re
import shlex
from pathlib import Path
from typing import Any, Dict, List, Tuple

import pytest

from chromadb.cli import _parser

ROOT = Path(__file__).resolve().parents[2]


def _dockerfile() -> Dict[str, List[str]]:
    instructions: Dict[str, List[str]] = {}
    text = (ROOT / "Dockerfile").read_text().replace("\\\n", " ")
    for line in text.splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            word, _, rest = line.strip().partition(" ")
            instructions.setdefault(word.upper(), []).append(rest.strip())
    return instructions


def _compose() -> Dict[str, Any]:
    yaml = pytest.importorskip("yaml")
    loaded: Dict[str, Any] = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    return loaded


def _published(spec: str, env: Dict[str, str]) -> Tuple[str, ...]:
    """The (address, host port, container port) a compose port entry gives under ``env``,
    expanding ``${NAME:-default}`` as compose does."""
    expanded = re.sub(r"\$\{(\w+):-([^}]*)\}", lambda m: env.get(m.group(1)) or m.group(2), spec)
    return tuple(expanded.split(":"))


def _assert_runs_the_server(command: List[str]) -> None:
    assert command[:2] == ["chroma", "run"]
    args = _parser().parse_args(command[1:])  # the CLI accepts it as written
    assert args.path == "/data" and args.host == "0.0.0.0" and args.port == 8000


def test_dockerfile_runs_chroma_run_on_a_volume() -> None:
    import json

    instructions = _dockerfile()
    _assert_runs_the_server(json.loads(instructions["CMD"][-1]))
    assert '["/data"]' in instructions["VOLUME"][0]
    assert "8000" in instructions["EXPOSE"][0]
    assert "/api/v2/heartbeat" in instructions["HEALTHCHECK"][0]
    assert any("pip install ." in step for step in instructions["RUN"])


def test_compose_builds_the_image_with_a_persistent_volume_and_healthcheck() -> None:
    compose = _compose()
    service = compose["services"]["server"]
    assert service["build"] == "."
    command = service["command"]
    _assert_runs_the_server(command if isinstance(command, list) else shlex.split(command))
    assert _published(service["ports"][0], {}) == ("127.0.0.1", "8000", "8000")
    volume, _, target = service["volumes"][0].partition(":")
    assert target == "/data" and volume in compose["volumes"]
    assert "/api/v2/heartbeat" in " ".join(service["healthcheck"]["test"])


def test_dockerignore_keeps_local_state_out_of_the_image() -> None:
    ignored = (ROOT / ".dockerignore").read_text().split()
    for entry in (".venv", ".git", "chroma_data"):
        assert entry in ignored


def test_compose_publishes_on_loopback_unless_told_otherwise() -> None:
    spec = _compose()["services"]["server"]["ports"][0]
    assert _published(spec, {"CHROMA_BIND_ADDRESS": "0.0.0.0", "CHROMA_PORT": "9000"}) == (
        "0.0.0.0",
        "9000",
        "8000",
    )
    # What the comment at the top tells users to set when opening it up.
    header = (ROOT / "docker-compose.yml").read_text().split("services:")[0]
    assert "CHROMA_SERVER_AUTHN_CREDENTIALS" in header and "CHROMA_BIND_ADDRESS" in header


def test_the_files_the_image_copies_are_enough_to_build_the_package(tmp_path: Path) -> None:
    """What the Dockerfile COPYs (and .dockerignore lets through) builds the wheel that its
    `pip install .` installs: a file the build needs but the image lacks fails here."""
    import shutil
    import subprocess
    import sys

    ignored = set((ROOT / ".dockerignore").read_text().split())
    context = tmp_path / "app"
    for step in _dockerfile()["COPY"]:
        *sources, destination = step.split()
        for source in sources:
            assert source not in ignored, f"COPY {source}, but .dockerignore leaves it out"
            target = context / destination / Path(source).name
            if (ROOT / source).is_dir():
                shutil.copytree(ROOT / source, target, ignore=shutil.ignore_patterns("__pycache__"))
            else:
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copy(ROOT / source, target)
    done = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "-w", str(tmp_path), "."],
        cwd=context,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    assert list(tmp_path.glob("chromadb-*.whl"))
