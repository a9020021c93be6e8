"""``chroma check --path DIR`` and ``chroma repair --path DIR``: is the data whole, and fix
what can be fixed without guessing."""

from __future__ import annotations

import argparse
import sys
from typing import Any


def register(commands: Any) -> None:
    """Add ``check`` and ``repair`` to the ``chroma`` command's subparsers."""
    check = commands.add_parser(
        "check",
        help="check a data folder: SQLite integrity, index checkpoints, their agreement",
        description="Check the data in PATH without changing it. Exit status 0: whole; "
        "1: problems found (listed); 2: the folder cannot be read.",
    )
    check.add_argument(
        "--path", default="./chroma_data", help="data folder (default ./chroma_data)"
    )
    check.add_argument(
        "--quick", action="store_true", help="SQLite quick_check only (skips index comparisons)"
    )
    check.set_defaults(handler=_check)
    repair = commands.add_parser(
        "repair",
        help="repair a data folder: what can be repaired safely, reported",
        description="Repair the data in PATH (stop every server on it first). The damaged "
        "database file is kept beside the repaired one; the report says what was recovered "
        "and what was lost. Exit status 0: whole afterwards; 1: problems remain.",
    )
    repair.add_argument(
        "--path", default="./chroma_data", help="data folder (default ./chroma_data)"
    )
    repair.set_defaults(handler=_repair)


def _check(args: argparse.Namespace) -> int:
    from chromadb.engine.integrity import check_folder

    try:
        report = check_folder(args.path, full=not args.quick)
    except (OSError, ValueError) as exc:
        print(f"Cannot check {args.path}: {exc}", file=sys.stderr)
        return 2
    print("\n".join(report.lines()))
    return 0 if report.ok else 1


def _repair(args: argparse.Namespace) -> int:
    from chromadb.engine.repair import repair_folder
    from chromadb.errors import ChromaError

    try:
        result = repair_folder(args.path)
    except (OSError, ChromaError) as exc:
        print(f"Cannot repair {args.path}: {exc}", file=sys.stderr)
        return 2
    print("\n".join(result.lines()))
    return 0 if result.ok else 1
