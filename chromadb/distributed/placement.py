"""Where records and shards live: id -> shard by hash, shard -> nodes by rendezvous hashing.

Both functions are pure and stable across processes and restarts (no Python ``hash()``,
which is salted per process), so a restarted frontend routes every id exactly as before.
Rendezvous (highest-random-weight) hashing moves only the shards whose top-R set changes
when a node joins or leaves, about R/N of them, instead of reshuffling everything.
"""

from __future__ import annotations

import hashlib
from typing import Iterable, List, Sequence


def _score(*parts: str) -> int:
    digest = hashlib.blake2b("\x1f".join(parts).encode("utf-8"), digest_size=8).digest()
    return int.from_bytes(digest, "big")


def shard_of(record_id: str, shards: int) -> int:
    """The shard (0 .. shards-1) that owns ``record_id``."""
    return _score("id", record_id) % shards


def split_by_shard(ids: Sequence[str], shards: int) -> List[List[int]]:
    """For each shard, the positions in ``ids`` of the records it owns (in input order)."""
    positions: List[List[int]] = [[] for _ in range(shards)]
    for position, record_id in enumerate(ids):
        positions[shard_of(record_id, shards)].append(position)
    return positions


def place(shard_key: str, nodes: Iterable[str], replicas: int) -> List[str]:
    """The ``replicas`` nodes (fewer when fewer exist) that should hold ``shard_key``,
    best first: the nodes with the highest rendezvous score for this shard."""
    ranked = sorted(nodes, key=lambda node: _score("place", shard_key, node), reverse=True)
    return ranked[:replicas]
