"""``chroma import / export / backup / restore / vacuum / copy``: data in and out.

Each command parses, calls ``chromadb.portability``, prints a summary and turns our errors
into exit status 1 with the message on stderr.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any, Callable, List

from chromadb.errors import ChromaError


def _fail(message: str) -> int:
    print(f"error: {message}", file=sys.stderr)
    return 1


def _guard(run: Callable[[argparse.Namespace], int]) -> Callable[[argparse.Namespace], int]:
    def wrapped(args: argparse.Namespace) -> int:
        try:
            return run(args)
        except (ChromaError, OSError, ImportError) as exc:
            return _fail(str(exc))

    return wrapped


def _print(lines: List[str]) -> None:
    for line in lines:
        print(line)


def cmd_import(args: argparse.Namespace) -> int:
    from chromadb.engine import foreign
    from chromadb.portability.sources import client_for, is_url, open_source
    from chromadb.portability.writer import client_opener, write_source

    if not is_url(args.path) and foreign.folder_kind(args.path) == foreign.CHROMA_SQLITE:
        return _fail(f"{args.path} is a real Chroma folder; import into a folder of ours")
    source = open_source(args.source, args.tenant, args.database)
    try:
        summary = write_source(
            source,
            client_opener(client_for(args.path)),
            only=args.collection,
            progress=not args.quiet,
        )
    finally:
        _close(source)
    print(f"Imported from {source.describe()} into {args.path}:")
    _print(summary.lines())
    return 0


def cmd_copy(args: argparse.Namespace) -> int:
    return cmd_import(args)


def cmd_export(args: argparse.Namespace) -> int:
    from chromadb.portability.parquet_file import export_parquet
    from chromadb.portability.sources import open_source

    source = open_source(args.path, args.tenant, args.database)
    try:
        written = export_parquet(source, args.out, only=args.collection, progress=not args.quiet)
    finally:
        _close(source)
    print(f"Exported {sum(written.values())} records of {len(written)} collections to {args.out}")
    return 0


def cmd_backup(args: argparse.Namespace) -> int:
    from chromadb.portability.backup import backup_folder

    manifest = backup_folder(args.path, args.dest)
    print(f"Backed up {args.path} to {args.dest} (log sequence {manifest['seq']})")
    return 0


def cmd_restore(args: argparse.Namespace) -> int:
    from chromadb.portability.backup import restore_folder

    restore_folder(args.backup, args.path)
    print(f"Restored {args.backup} into {args.path}")
    return 0


def cmd_vacuum(args: argparse.Namespace) -> int:
    from chromadb.portability.vacuum import vacuum_folder

    before, after = vacuum_folder(args.path)
    print(f"Vacuumed {args.path}: {before:,} bytes -> {after:,} bytes")
    return 0


def _close(source: Any) -> None:
    close = getattr(source, "close", None)
    if close is not None:
        close()


def _add_place(parser: Any) -> None:
    from chromadb.config import DEFAULT_DATABASE, DEFAULT_TENANT

    parser.add_argument(
        "--tenant",
        default=DEFAULT_TENANT,
        help="tenant to read from one of our folders or servers (default default_tenant)",
    )
    parser.add_argument(
        "--database",
        default=DEFAULT_DATABASE,
        help="database to read there (default default_database)",
    )


def register(commands: Any) -> None:
    """Add the data commands to the ``chroma`` parser's subparsers."""

    def add(name: str, help: str, run: Callable[[argparse.Namespace], int]) -> Any:
        parser = commands.add_parser(name, help=help, description=help)
        parser.set_defaults(handler=_guard(run))
        return parser

    p = add(
        "import",
        "import a real Chroma folder (0.3 to 1.x), a Parquet export or one of our folders "
        "into the folder (or server) --path; ids already there are skipped",
        cmd_import,
    )
    p.add_argument("source", help="Chroma persist folder, .parquet file, or http://host:port")
    p.add_argument("--path", required=True, help="our data folder (or http://host:port)")
    p.add_argument("--collection", action="append", help="only this collection (repeatable)")
    _add_place(p)
    p.add_argument("--quiet", action="store_true", help="no progress bar")

    p = add(
        "copy",
        "copy collections from a folder or server to another folder or server, resumably by id",
        cmd_copy,
    )
    p.add_argument("source", help="data folder or http://host:port")
    p.add_argument("path", help="destination data folder or http://host:port")
    p.add_argument("--collection", action="append", help="only this collection (repeatable)")
    _add_place(p)
    p.add_argument("--quiet", action="store_true", help="no progress bar")

    p = add("export", "export collections to a Parquet file (docs/parquet-format.md)", cmd_export)
    p.add_argument("--path", required=True, help="data folder (or http://host:port)")
    p.add_argument("--collection", action="append", help="only this collection (repeatable)")
    _add_place(p)
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    p.add_argument("out", help="the .parquet file to write")

    p = add(
        "backup", "a consistent snapshot of a data folder, taken while writes go on", cmd_backup
    )
    p.add_argument("--path", required=True, help="data folder")
    p.add_argument("dest", help="new folder for the backup")

    p = add("restore", "restore a backup into an empty data folder", cmd_restore)
    p.add_argument("backup", help="folder written by chroma backup")
    p.add_argument("--path", required=True, help="data folder to create")

    p = add(
        "vacuum", "give disk space back after deletes (the folder must not be in use)", cmd_vacuum
    )
    p.add_argument("--path", required=True, help="data folder")


def main(argv: List[str]) -> int:
    """Run one data command (``argv`` without the program name)."""
    parser = argparse.ArgumentParser(prog="chroma")
    register(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(argv)
    return int(args.handler(args))


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
