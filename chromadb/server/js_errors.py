"""The JS client's table of server error names, written from the classes in ``chromadb.errors``
so the two never drift apart: ``python -m chromadb.server.js_errors`` rewrites
``clients/js/src/serverErrors.ts`` (a test checks it is current)."""

from __future__ import annotations

import sys
from pathlib import Path

from chromadb.errors import error_types

TARGET = Path("clients/js/src/serverErrors.ts")


def typescript_table() -> str:
    """The TypeScript module: every name the server may send, with the status it carries."""
    lines = [
        "// Written by `python -m chromadb.server.js_errors` from chromadb/errors.py; do not edit.",
        "",
        "/** The HTTP status of each error name the server sends (and the names other Chroma",
        " * versions send for the same errors). */",
        "export const SERVER_ERROR_STATUS: Readonly<Record<string, number>> = {",
    ]
    for name, cls in sorted(error_types.items()):
        # Only chromadb.errors' classes: others (a test's, an embedding provider's) register
        # when their module happens to be imported, which would make the table order-dependent.
        if cls.__module__ != "chromadb.errors":
            continue
        lines.append(f'  "{name}": {cls.status_code},')
    lines += ["};", ""]
    return "\n".join(lines)


def main(argv: list[str]) -> int:
    """Write the table to the path given (default: the JS client's source)."""
    target = Path(argv[0]) if argv else TARGET
    target.write_text(typescript_table(), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
