"""Source folders written by real Chroma releases, once per session.

Each release runs ``make_source.py`` in its own cached virtualenv (see
``tests.compat.installers.embedded_chroma``), all of them at once; the tests then only read
these folders (each test that needs to open one for writing copies it first).
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Dict, Iterator, List

import pytest

from tests.compat.installers import InstallError, RegistryUnreachable, embedded_chroma

VERSIONS = ["0.3.29", "0.4.24", "0.5.23", "0.6.3", "1.5.9"]
MAKE_SOURCE = Path(__file__).with_name("make_source.py")
WRITE_TIMEOUT_S = 300


@dataclass
class ChromaFolder:
    """A persist folder a real release wrote, what it should hold, and its files' hashes."""

    version: str
    path: Path
    expected: Dict[str, Any]
    hashes: Dict[str, str]


def file_hashes(root: Path) -> Dict[str, str]:
    """sha256 of every file under ``root``, by relative path (a new file shows up too)."""
    out = {}
    for folder, _, files in os.walk(root):
        for name in files:
            full = Path(folder) / name
            out[str(full.relative_to(root))] = hashlib.sha256(full.read_bytes()).hexdigest()
    return out


@pytest.fixture(scope="session")
def chroma_folders(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Dict[str, ChromaFolder]]:
    root = tmp_path_factory.mktemp("chroma_sources")
    pythons = {}
    for version in VERSIONS:
        try:
            pythons[version] = embedded_chroma(version)
        except RegistryUnreachable as exc:
            pytest.skip(f"cannot install chromadb {version}: {exc}")
        except InstallError as exc:
            pytest.fail(f"cannot install chromadb {version}: {exc}")
    env = dict(os.environ, ANONYMIZED_TELEMETRY="FALSE")
    running: List[Any] = []
    for version, python in pythons.items():
        cmd = [
            str(python),
            str(MAKE_SOURCE),
            version,
            str(root / version),
            str(root / f"{version}.json"),
        ]
        running.append(
            (
                version,
                subprocess.Popen(
                    cmd, cwd=root, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT
                ),
            )
        )
    folders = {}
    for version, proc in running:
        out, _ = proc.communicate(timeout=WRITE_TIMEOUT_S)
        if proc.returncode != 0:
            pytest.fail(f"chromadb {version} could not write its folder:\n{out.decode()[-3000:]}")
        path = root / version
        expected = json.loads((root / f"{version}.json").read_text())
        folders[version] = ChromaFolder(version, path, expected, file_hashes(path))
    yield folders
