"""The files of an index checkpoint, and the manifest that vouches for them.

A checkpoint is a set of files named for the log sequence it holds (``<seq>.faiss``,
``<seq>.npz``) plus ``CURRENT``, a small JSON manifest naming them with their sizes and xxh3-64
checksums, the sequence, the record count and the shape of the index; the manifest carries a
checksum of its own. ``CURRENT`` is replaced last and atomically, so it only ever names complete
files. On open every file is checked against the manifest before it is used: a checkpoint is a
cache, and a damaged one must be rebuilt from SQLite, never searched.

``read_info`` reads only the manifest, so a caller can learn what a checkpoint claims to hold
(its sequence and record count) without trusting, or even reading, the big files: the hook for
comparing a cache with SQLite.
"""

from __future__ import annotations

import json
import mmap
import os
from dataclasses import asdict, dataclass, field
from typing import Callable, Dict, Optional

import xxhash

MANIFEST = "CURRENT"
# Format 3 keeps the graph without its vectors (they are refilled from SQLite on open); format 2
# (the graph with its vectors) is still read.
FORMAT = 3
READABLE = (2, 3)


class CheckpointDamaged(ValueError):
    """A checkpoint file is missing, truncated, altered or from another format."""


@dataclass(frozen=True)
class CheckpointInfo:
    """What a checkpoint's manifest says it holds."""

    seq: int  # the last log sequence it includes
    count: int  # live records (vectors) it holds
    slots: int  # slots, live and tombstoned
    indexed: int  # slots already in the graph
    dimension: int
    space: str
    files: Dict[str, Dict[str, object]] = field(default_factory=dict)  # name -> size, xxh3
    format: int = FORMAT


def file_digest(path: str) -> str:
    """The xxh3-64 checksum of a file, as hex."""
    with open(path, "rb") as fh:
        size = os.fstat(fh.fileno()).st_size
        if size == 0:
            return xxhash.xxh3_64_hexdigest(b"")
        # Hashing the mapped file is about twice as fast as hashing what read() copies out.
        with mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ) as mapped:
            return xxhash.xxh3_64_hexdigest(mapped)


def _manifest_digest(body: Dict[str, object]) -> str:
    return xxhash.xxh3_64_hexdigest(json.dumps(body, sort_keys=True).encode())


def _fsync_dir(folder: str) -> None:
    # Makes the renames durable; directories cannot be opened on every platform.
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def write_file(folder: str, name: str, write: Callable[[str], None]) -> Dict[str, object]:
    """Write one checkpoint file through ``write(path)`` under a temporary name, make it
    durable, move it into place; returns its manifest entry. A file already mapped by a
    reader keeps its old contents (a new inode replaces it)."""
    path = os.path.join(folder, name)
    tmp = f"{path}.{os.getpid()}.tmp"  # per process: another may be writing the same seq
    write(tmp)
    with open(tmp, "rb") as fh:
        os.fsync(fh.fileno())
    entry: Dict[str, object] = {"bytes": os.path.getsize(tmp), "xxh3": file_digest(tmp)}
    os.replace(tmp, path)
    return entry


def write_manifest(folder: str, info: CheckpointInfo) -> None:
    """Make ``info`` the current checkpoint (atomically), then remove every other one."""
    _fsync_dir(folder)
    body: Dict[str, object] = asdict(info)
    text = json.dumps({**body, "digest": _manifest_digest(body)}, sort_keys=True)
    tmp = os.path.join(folder, f"{MANIFEST}.{os.getpid()}.tmp")
    with open(tmp, "w") as fh:
        fh.write(text)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, os.path.join(folder, MANIFEST))
    _fsync_dir(folder)
    for name in os.listdir(folder):
        # Older checkpoints only: temporary files may be another process's work in progress.
        if name.split(".")[0].isdigit() and name not in info.files and not name.endswith(".tmp"):
            try:
                os.remove(os.path.join(folder, name))
            except OSError:  # another process's leftovers, or already gone
                pass


def read_info(folder: str) -> Optional[CheckpointInfo]:
    """The manifest of the checkpoint in ``folder`` (None when there is none); raises
    ``CheckpointDamaged`` when it is unreadable, altered or of a format this version cannot read.
    Reads nothing else."""
    try:
        with open(os.path.join(folder, MANIFEST), "rb") as fh:
            raw = fh.read()
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise CheckpointDamaged(f"manifest unreadable: {exc}") from None
    try:
        doc = json.loads(raw)
    except ValueError:
        doc = None
    if not isinstance(doc, dict):
        raise CheckpointDamaged("manifest is not a format-2 checkpoint (no checksums)")
    digest = doc.pop("digest", None)
    if digest != _manifest_digest(doc):
        raise CheckpointDamaged("manifest checksum mismatch")
    if doc.get("format") not in READABLE:
        raise CheckpointDamaged("manifest of another format")
    try:
        return CheckpointInfo(**doc)
    except TypeError as exc:
        raise CheckpointDamaged(f"manifest fields: {exc}") from None


def verify(folder: str, info: CheckpointInfo) -> None:
    """Check every file the manifest names against its size and checksum."""
    for name, entry in info.files.items():
        path = os.path.join(folder, name)
        try:
            size = os.path.getsize(path)
        except OSError:
            raise CheckpointDamaged(f"{name} is missing") from None
        if size != entry.get("bytes"):
            raise CheckpointDamaged(f"{name} has {size} bytes, the manifest says {entry['bytes']}")
        if file_digest(path) != entry.get("xxh3"):
            raise CheckpointDamaged(f"{name} fails its checksum")
