"""A second process on a data folder, for tests/engine/test_multiprocess.py.

Usage: ``python peer.py <path>``. Reads one JSON command per line on stdin and answers one JSON
line on stdout: ``{"ok": result}`` or ``{"error": "<class name>", "message": ...}``. A command
is ``{"call": name, "collection": optional name, "args": {...}}``: the method ``name`` of the
client, or of the collection when one is named.
"""

from __future__ import annotations

import json
import sys
from typing import Any, Dict

import chromadb
from chromadb.config import Settings


def _plain(value: Any) -> Any:
    """Results as JSON: numpy arrays as lists, collections by name."""
    if hasattr(value, "tolist"):
        return value.tolist()
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if hasattr(value, "name") and hasattr(value, "id"):
        return value.name
    return value


def run(client: Any, command: Dict[str, Any]) -> Any:
    if command["call"] == "checkpoint":  # save the collection's index now, as a busy peer would
        col = client.get_collection(command["collection"], embedding_function=None)
        segment = client._api._segment(col.id)
        segment.sync()
        with segment.lock.write():
            segment.checkpoint(force=True)
        return None
    target = client
    if command.get("collection"):
        target = client.get_collection(command["collection"], embedding_function=None)
    return getattr(target, command["call"])(**command.get("args", {}))


def main(path: str) -> None:
    client = chromadb.PersistentClient(path=path, settings=Settings(allow_reset=True))
    print(json.dumps({"ok": "ready"}), flush=True)
    for line in sys.stdin:
        try:
            answer = {"ok": _plain(run(client, json.loads(line)))}
        except Exception as exc:
            answer = {"error": type(exc).__name__, "message": str(exc)}
        print(json.dumps(answer), flush=True)


if __name__ == "__main__":
    main(sys.argv[1])
