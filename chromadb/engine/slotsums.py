"""Checksums and parity of an index's vectors, kept in its checkpoint in place of a second copy.

A checkpoint holds the graph without its vectors (SQLite has them), so it cannot vouch for an
embedding by holding it. It keeps instead, per slot, the xxh3-64 of the vector as the index held
it, and per group of ``GROUP`` slots the XOR of their bytes: a few percent of the vectors'
size. With them ``chroma check --full`` finds an embedding whose bytes changed in SQLite
since the checkpoint, and ``chroma repair`` puts it back exactly where its group has no other
damaged or unreadable member (a full second copy, as format 2 kept, would double the bytes on
disk).
"""

from __future__ import annotations

import time
from typing import List, Optional, Sequence, Tuple

import numpy as np
import xxhash
from numpy.typing import NDArray

GROUP = 64  # slots per parity group: parity costs 1/GROUP of the vectors' bytes


def groups_for(slots: int) -> int:
    """Parity groups for an index of ``slots`` slots. Slot s is in group s % groups: members
    of a group lie far apart, so damage to a run of neighbouring rows (a page) hits each group
    at most once."""
    return max(1, -(-slots // GROUP))


# Rows hashed between pauses (about half a millisecond of work), and the pause. Hashing is a
# loop in Python, which holds the interpreter lock throughout: a checkpoint of 40k vectors
# held it for 50 ms, in which a search on another thread waited up to the interpreter's switch
# interval (5 ms) each time it needed the lock back (queries during an ingest took 5-13 ms
# instead of 1). The pauses hand the lock over at once.
HASH_CHUNK = 512
HASH_PAUSE_S = 50e-6


def row_sums(rows: NDArray[np.float32]) -> NDArray[np.uint64]:
    """The xxh3-64 of each row's bytes."""
    rows = np.ascontiguousarray(rows, dtype=np.float32)
    digest = xxhash.xxh3_64_intdigest
    out = np.empty(len(rows), dtype=np.uint64)
    for start in range(0, len(rows), HASH_CHUNK):
        chunk = rows[start : start + HASH_CHUNK]
        out[start : start + len(chunk)] = np.fromiter(
            (digest(row.data) for row in chunk), dtype=np.uint64, count=len(chunk)
        )
        if start + HASH_CHUNK < len(rows):
            time.sleep(HASH_PAUSE_S)
    return out


def parity(blocks: Sequence[NDArray[np.float32]], dimension: int) -> NDArray[np.uint8]:
    """XOR of the rows of each parity group; ``blocks`` are consecutive slot ranges (e.g. the
    graph's vectors, then the tail's) of ``dimension``-wide rows."""
    width = 4 * dimension
    word = np.uint64 if width % 8 == 0 else np.uint32  # XOR as few items as tile a row
    per_row = width // np.dtype(word).itemsize
    groups = groups_for(sum(len(b) for b in blocks))
    out = np.zeros((groups, per_row), dtype=word)
    start = 0
    for block in blocks:
        rows = np.ascontiguousarray(block, dtype=np.float32).view(word).reshape(len(block), per_row)
        pos = 0
        while pos < len(rows):  # one stripe of consecutive groups at a time
            first = (start + pos) % groups
            take = min(len(rows) - pos, groups - first)
            out[first : first + take] ^= rows[pos : pos + take]
            pos += take
        start += len(block)
    return out.view(np.uint8).reshape(groups, width)


def restore(
    current: NDArray[np.float32],
    known: NDArray[np.bool_],
    sums: NDArray[np.uint64],
    saved_parity: NDArray[np.uint8],
) -> List[Tuple[int, Optional[NDArray[np.float32]]]]:
    """The slots whose vector in ``current`` (every slot's vector as read back; rows not
    ``known`` could not be read as of the checkpoint) fails its checksum, each with the vector
    the checkpoint vouched for, or None when its group has another damaged or unknown member."""
    if len(current) == 0:
        return []
    now = row_sums(current)
    bad = np.flatnonzero(known & (now != sums[: len(current)]))
    if len(bad) == 0:
        return []
    groups = len(saved_parity)
    if groups != groups_for(len(current)):
        raise ValueError("checkpoint parity does not match its slots")
    diff = saved_parity ^ parity([current], current.shape[1])  # what changed, per group
    member = np.arange(len(current)) % groups
    trouble = np.bincount(member[bad], minlength=groups)
    trouble += np.bincount(member[~known], minlength=groups)
    out: List[Tuple[int, Optional[NDArray[np.float32]]]] = []
    for slot in bad.tolist():
        group = slot % groups
        vector: Optional[NDArray[np.float32]] = None
        if trouble[group] == 1:
            fixed = (current[slot].view(np.uint8) ^ diff[group]).view(np.float32)
            if row_sums(fixed[None, :])[0] == sums[slot]:
                vector = fixed.copy()
        out.append((slot, vector))
    return out
