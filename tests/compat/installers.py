"""Install official Chroma clients into folders of their own, once.

Each client lives in ``<cache>/<family>-<version>`` where ``<cache>`` is
``$CHROMADB_COMPAT_CACHE`` or ``~/.cache/chromadb-compat``. A folder counts as
installed only when it holds the ``.complete`` marker written after a
successful install, so an interrupted install is redone on the next run and a
finished one is reused as is (reruns cost nothing).

Installs never run package install scripts (``--ignore-scripts``) and skip
optional platform binaries, so nothing downloads browsers or native builds.

When the package registry cannot be reached the helpers raise
:class:`RegistryUnreachable`; any other failure raises :class:`InstallError`.
"""

from __future__ import annotations

import fcntl
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

CACHE_ENV = "CHROMADB_COMPAT_CACHE"
MARKER = ".complete"
INSTALL_TIMEOUT_S = 900

# chromadb 0.3.29 in REST mode needs only these of its declared dependencies to
# import and talk to a server; the rest (hnswlib, duckdb, clickhouse,
# sentence-transformers, ...) serve the embedded mode and would need compiling.
# onnxruntime, tokenizers and tqdm are imported (not run) at import time, when
# the Collection model builds its default embedding function object.
CHROMADB_0329_REST_DEPS = (
    "requests",
    "pydantic<2",
    "numpy<2",
    "pandas<2.2",
    "typing_extensions",
    "overrides",
    "posthog<3",
    "onnxruntime",
    "tokenizers",
    "tqdm",
)

# Words in installer output that mean "no network", not "bad package".
_NETWORK_MARKERS = (
    "ENOTFOUND",
    "EAI_AGAIN",
    "ECONNREFUSED",
    "ECONNRESET",
    "ETIMEDOUT",
    "ENETUNREACH",
    "EHOSTUNREACH",
    "network request to",
    "NewConnectionError",
    "Temporary failure in name resolution",
    "Name or service not known",
    "Network is unreachable",
    "Max retries exceeded",
    "ConnectTimeoutError",
    "ReadTimeoutError",
    "ProxyError",
    "Connection refused",
    # pip's only words when no index answered and no retries were left to warn
    # about: every pin we install exists on the index, so "no match" means the
    # index (or a partial local mirror standing in for it) did not serve it.
    "No matching distribution found",
)


class InstallError(RuntimeError):
    """An install failed for a reason other than an unreachable registry."""


class RegistryUnreachable(InstallError):
    """The package registry could not be reached (no network)."""


def cache_root() -> Path:
    """The folder that holds one sub-folder per installed client."""
    configured = os.environ.get(CACHE_ENV)
    if configured:
        return Path(configured).expanduser()
    return Path.home() / ".cache" / "chromadb-compat"


@contextmanager
def _locked(folder: Path) -> Iterator[None]:
    # Two test processes installing the same client at once would corrupt it.
    folder.parent.mkdir(parents=True, exist_ok=True)
    with open(folder.parent / f".{folder.name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def _run(cmd: list[str], what: str) -> None:
    try:
        proc = subprocess.run(
            cmd,
            capture_output=True,
            text=True,
            timeout=INSTALL_TIMEOUT_S,
            env={**os.environ, "PIP_DISABLE_PIP_VERSION_CHECK": "1"},
        )
    except subprocess.TimeoutExpired as exc:
        raise RegistryUnreachable(f"{what}: timed out after {INSTALL_TIMEOUT_S}s") from exc
    if proc.returncode == 0:
        return
    output = proc.stdout + proc.stderr
    tail = output[-3000:]
    if any(marker in output for marker in _NETWORK_MARKERS):
        raise RegistryUnreachable(f"{what}: registry unreachable\n{tail}")
    raise InstallError(f"{what} failed (exit {proc.returncode})\n{tail}")


def _install_once(folder: Path, install: list[list[str]], what: str) -> Path:
    with _locked(folder):
        if (folder / MARKER).exists():
            return folder
        if folder.exists():
            shutil.rmtree(folder)  # leftovers of an interrupted install
        folder.mkdir(parents=True)
        try:
            for cmd in install:
                _run(cmd, what)
        except BaseException:
            shutil.rmtree(folder, ignore_errors=True)
            raise
        (folder / MARKER).write_text("ok\n")
        return folder


def npm_client(version: str) -> Path:
    """Install npm ``chromadb@version``; return the folder holding its node_modules."""
    npm = shutil.which("npm")
    if npm is None:
        raise InstallError("npm is not on PATH")
    folder = cache_root() / f"npm-chromadb-{version}"
    cmd = [
        npm,
        "install",
        "--prefix",
        str(folder),
        f"chromadb@{version}",
        "--no-audit",
        "--no-fund",
        "--ignore-scripts",
        "--omit=optional",
        "--no-save",
        "--loglevel=error",
    ]
    return _install_once(folder, [cmd], f"npm install chromadb@{version}")


def python_client(distribution: str, version: str) -> Path:
    """Install a PyPI client into a virtualenv of its own; return its python."""
    folder = cache_root() / f"pypi-{distribution}-{version}"
    python = folder / "bin" / "python"
    pip = [str(python), "-m", "pip", "install", "--quiet", "--no-input"]
    steps = [[sys.executable, "-m", "venv", str(folder)]]
    if distribution == "chromadb" and version == "0.3.29":
        steps.append([*pip, *CHROMADB_0329_REST_DEPS])
        steps.append([*pip, "--no-deps", "chromadb==0.3.29"])
    else:
        steps.append([*pip, f"{distribution}=={version}"])
    _install_once(folder, steps, f"pip install {distribution}=={version}")
    return python


# Real Chroma in embedded mode (the oracle of the congruence and import tests).
# Old releases need their era's pins to install and import on Python 3.11.
_EMBEDDED_PINS: dict[str, tuple[str, ...]] = {
    # duckdb 1.x and pandas 2.1 break 0.3.29's duckdb+parquet engine on its first query.
    "0.3.29": (
        "pydantic<2",
        "numpy<2",
        "pandas<2.1",
        "duckdb<0.9",
        "fastapi<0.100",
        "posthog<3",
    ),
    "0.4.24": ("numpy<2", "posthog<3"),
    "0.5.23": ("numpy<2",),
    "0.6.3": (),
    "1.5.9": (),
}

# Bumped when a version's pins change, so that a venv cached with the old pins is not reused.
_EMBEDDED_REVISION: dict[str, int] = {"0.3.29": 2}


def embedded_chroma(version: str) -> Path:
    """Install real ``chromadb==version`` with its embedded engine; return its python.

    Kept apart from :func:`python_client` because 0.3.29 there is the lean
    REST-only install, which cannot open a persist folder.
    """
    revision = _EMBEDDED_REVISION.get(version)
    suffix = f"-r{revision}" if revision else ""
    folder = cache_root() / f"oracle-chromadb-{version}{suffix}"
    python = folder / "bin" / "python"
    pins = _EMBEDDED_PINS.get(version, ())
    steps = [
        [sys.executable, "-m", "venv", str(folder)],
        [
            str(python),
            "-m",
            "pip",
            "install",
            "--quiet",
            "--no-input",
            f"chromadb=={version}",
            *pins,
        ],
    ]
    _install_once(folder, steps, f"pip install chromadb=={version} (embedded)")
    return python
