"""The replicas of every shard slot as Ray actors: placement, failure detection, rebuilds.

- Each replica of slot ``s`` is a :class:`~chromadb.distributed.shard.ShardReplica` actor pinned
  to one node (node affinity, not soft), with its data folder on that node. Replicas of one slot
  are always on different nodes, chosen by rendezvous hashing over the live nodes.
- A replica is *ready* when it holds every acknowledged write of its slot. Writes go to every
  ready replica; reads to one of them. A replica whose actor or node died is dropped and
  recorded as stale; a background pass (every ``poll_s``) brings each slot back to its replica
  count on other live nodes, rebuilding each new replica from a ready one before it serves.
- :meth:`ReplicaPool.rebalance` moves replicas onto the nodes rendezvous hashing now prefers
  (after nodes were added): new replicas are built first, the surplus retired after.
- A slot's writes and its rebuilds take the slot's lock, so a rebuild never misses a write.
"""

from __future__ import annotations

import itertools
import logging
import os
import threading
import time
from dataclasses import dataclass
from typing import Any, Callable, Dict, List, Optional, Sequence

from chromadb.distributed.layout import READY, STALE, Layout
from chromadb.distributed.placement import place
from chromadb.distributed.shard import ShardReplica
from chromadb.errors import ShardUnavailableError

logger = logging.getLogger(__name__)

# One page of records moved while rebuilding a replica.
REBUILD_PAGE = 2000
ALL_FIELDS = ["embeddings", "documents", "metadatas", "uris"]


def require_ray() -> Any:
    """The ``ray`` module, or an ImportError that says how to install it."""
    try:
        import ray
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise ImportError(
            "Running on a Ray cluster needs Ray: pip install 'chromadb[ray]'"
        ) from exc
    return ray


@dataclass
class Member:
    """A collection with a part in a slot, as a rebuild needs to recreate it."""

    collection_id: str
    metadata: Optional[Dict[str, Any]]
    configuration: Optional[Dict[str, Any]]


@dataclass
class Replica:
    slot: int
    node: str
    handle: Any


class ReplicaPool:
    """Every replica of every slot the cluster's collections use."""

    def __init__(
        self,
        layout: Layout,
        data_root: str,
        members: Callable[[int], List[Member]],
        namespace: str,
        poll_s: float = 1.0,
    ) -> None:
        self._ray = require_ray()
        from ray.util.scheduling_strategies import NodeAffinitySchedulingStrategy

        self._affinity = NodeAffinitySchedulingStrategy
        # num_cpus=0: replicas are I/O and faiss threads, not Ray tasks; they must not use up
        # the CPU slots small nodes have. Several calls at once: the engine is thread-safe.
        self._actor = self._ray.remote(num_cpus=0, max_concurrency=8, max_restarts=0)(ShardReplica)
        self._layout = layout
        self._root = data_root
        self._members = members
        self._namespace = namespace
        self._lock = threading.RLock()
        self._slot_locks: Dict[int, threading.Lock] = {}
        self._ready: Dict[int, Dict[str, Replica]] = {}
        self._wanted: Dict[int, int] = {}
        self._down: Dict[int, set[str]] = {}
        self._turn = itertools.count()
        self._stopping = threading.Event()
        self._adopt()
        self._thread = threading.Thread(
            target=self._watch, args=(poll_s,), name="chromadb-ray-repair", daemon=True
        )
        self._thread.start()

    # -- what callers use ------------------------------------------------------------------
    def want(self, slot: int, replicas: int) -> None:
        """Keep at least ``replicas`` replicas of ``slot`` (creating them now if missing)."""
        with self._lock:
            self._wanted[slot] = max(replicas, self._wanted.get(slot, 0))
        self._repair_slot(slot)

    def slot_lock(self, slot: int) -> threading.Lock:
        with self._lock:
            return self._slot_locks.setdefault(slot, threading.Lock())

    def writers(self, slot: int) -> List[Replica]:
        """Every ready replica of ``slot`` (a write must reach all of them)."""
        replicas = self._ready_list(slot)
        if not replicas:
            self._repair_slot(slot)
            replicas = self._ready_list(slot)
        if not replicas:
            raise ShardUnavailableError(f"No live replica holds shard {slot}; nothing was written")
        return replicas

    def reader(self, slot: int, avoid: Sequence[str] = ()) -> Replica:
        """One ready replica of ``slot``, taking turns between them."""
        replicas = [r for r in self._ready_list(slot) if r.node not in avoid]
        if not replicas:
            raise ShardUnavailableError(f"No live replica of shard {slot} can answer")
        return replicas[next(self._turn) % len(replicas)]

    def lost(self, replica: Replica) -> None:
        """Record that ``replica`` died (its actor or node). It stays ready on record until a
        write to its slot is acknowledged without it (see :meth:`committed`)."""
        with self._lock:
            current = self._ready.get(replica.slot, {}).get(replica.node)
            if current is not replica:
                return
            del self._ready[replica.slot][replica.node]
            self._down.setdefault(replica.slot, set()).add(replica.node)
        logger.warning("Replica of shard %d on node %s lost", replica.slot, replica.node[:12])

    def committed(self, slot: int) -> None:
        """A write to ``slot`` was acknowledged: replicas that were down have missed it."""
        with self._lock:
            down = self._down.pop(slot, set())
            for node in down:
                self._layout.set_replica(slot, node, STALE)

    def every_replica(self) -> List[Replica]:
        with self._lock:
            return [r for slot in self._ready.values() for r in slot.values()]

    def placement(self) -> Dict[int, List[str]]:
        """Slot -> the nodes of its ready replicas."""
        with self._lock:
            return {slot: sorted(nodes) for slot, nodes in self._ready.items()}

    def rebalance(self) -> Dict[int, List[str]]:
        """Move replicas to the nodes rendezvous hashing prefers among the live ones now;
        returns the new placement."""
        alive = self.alive_nodes()
        for slot in list(self._wanted):
            if not self._members(slot):
                continue
            with self.slot_lock(slot):
                target = place(f"slot-{slot}", alive, self._wanted[slot])
                for node in target:
                    if node not in self._ready.get(slot, {}):
                        self._add_replica(slot, node)
                for node in list(self._ready.get(slot, {})):
                    if node not in target:
                        self._retire(self._ready[slot][node])
        return self.placement()

    def alive_nodes(self) -> List[str]:
        return [n["NodeID"] for n in self._ray.nodes() if n.get("Alive")]

    def stop(self) -> None:
        self._stopping.set()
        self._thread.join(timeout=5)

    # -- repair ----------------------------------------------------------------------------
    def _ready_list(self, slot: int) -> List[Replica]:
        with self._lock:
            return list(self._ready.get(slot, {}).values())

    def _watch(self, poll_s: float) -> None:
        while not self._stopping.wait(poll_s):
            try:
                alive = set(self.alive_nodes())
                for replica in self.every_replica():
                    if replica.node not in alive:
                        self.lost(replica)
                for slot in list(self._wanted):
                    self._repair_slot(slot)
            except Exception:  # noqa: BLE001 - the watcher must outlive one bad pass
                logger.exception("Replica repair pass failed; retrying")

    def _repair_slot(self, slot: int) -> None:
        wanted = self._wanted.get(slot, 0)
        if len(self._ready_list(slot)) >= wanted or not self._members(slot):
            return  # enough replicas, or no collection uses this slot any more
        with self.slot_lock(slot):
            alive = self.alive_nodes()
            for node in place(f"slot-{slot}", alive, len(alive)):
                if len(self._ready_list(slot)) >= wanted:
                    break
                if node in self._ready.get(slot, {}):
                    continue
                try:
                    self._add_replica(slot, node)
                except ShardUnavailableError as exc:
                    logger.warning("%s", exc)
                except Exception:  # noqa: BLE001 - try the next node
                    logger.exception("Could not place shard %d on node %s", slot, node[:12])

    def _add_replica(self, slot: int, node: str) -> None:
        # Caller holds the slot's lock: no write to this slot can happen meanwhile.
        sources = self._ready_list(slot)
        if not sources:
            recorded = {n: st for s, n, st in self._layout.replicas() if s == slot}
            if recorded and recorded.get(node) != READY:
                holders = ", ".join(n[:12] for n, st in recorded.items() if st == READY)
                raise ShardUnavailableError(
                    f"Shard {slot}: every replica that holds all its records is down "
                    f"(nodes {holders or 'none'}); it serves again when one is back"
                )
        handle = self._start(slot, node)
        if sources:
            self._rebuild(slot, handle, sources[0])
        for member in self._members(slot):
            self._ray.get(
                handle.ensure.remote(member.collection_id, member.metadata, member.configuration)
            )
        replica = Replica(slot, node, handle)
        with self._lock:
            self._ready.setdefault(slot, {})[node] = replica
            self._down.get(slot, set()).discard(node)
            self._layout.set_replica(slot, node, READY)
        logger.info("Shard %d ready on node %s", slot, node[:12])

    def _start(self, slot: int, node: str) -> Any:
        folder = os.path.join(self._root, node[:16], f"slot-{slot}")
        handle = self._actor.options(
            name=f"slot-{slot}@{node}",
            namespace=self._namespace,
            lifetime="detached",
            get_if_exists=True,
            scheduling_strategy=self._affinity(node_id=node, soft=False),
        ).remote(folder)
        self._ray.get(handle.where.remote(), timeout=120)
        return handle

    def _rebuild(self, slot: int, target: Any, source: Replica) -> None:
        """Make ``target`` an exact copy of ``source``'s slot, collection by collection."""
        ray = self._ray
        started = time.monotonic()
        members = self._members(slot)
        keep = {m.collection_id for m in members}
        for stale in ray.get(target.collections.remote()):
            if stale not in keep:
                ray.get(target.drop.remote(stale))
        moved = 0
        for member in members:
            cid = member.collection_id
            ray.get(target.drop.remote(cid))
            ray.get(target.ensure.remote(cid, member.metadata, member.configuration))
            offset = 0
            while True:
                page = ray.get(
                    source.handle.call.remote(
                        "_get",
                        cid,
                        {"limit": REBUILD_PAGE, "offset": offset, "include": ALL_FIELDS},
                    )
                )
                if not page["ids"]:
                    break
                fields = {k: page.get(k) for k in ("metadatas", "documents", "uris", "ords")}
                ray.get(
                    target.call.remote(
                        "_add",
                        cid,
                        {"ids": page["ids"], "embeddings": page["embeddings"], **fields},
                    )
                )
                offset += len(page["ids"])
            moved += offset
        logger.info(
            "Shard %d rebuilt from node %s: %d records in %.1f s",
            slot,
            source.node[:12],
            moved,
            time.monotonic() - started,
        )

    def _retire(self, replica: Replica) -> None:
        with self._lock:
            self._ready.get(replica.slot, {}).pop(replica.node, None)
            self._layout.forget_replica(replica.slot, replica.node)
        try:
            self._ray.get(replica.handle.stop.remote(), timeout=60)
        finally:
            self._ray.kill(replica.handle)

    def _adopt(self) -> None:
        """On start, take up the replicas the layout lists as ready on live nodes."""
        alive = set(self.alive_nodes())
        sharding = self._layout.all_sharding()
        for slot in {s for shards, _ in sharding.values() for s in range(shards)}:
            self._wanted[slot] = max(r for shards, r in sharding.values() if shards > slot)
        for slot, node, state in self._layout.replicas():
            if state != READY:
                continue
            try:
                if node not in alive:
                    raise ConnectionError(f"node {node[:12]} is down")
                replica = Replica(slot, node, self._start(slot, node))
            except Exception as exc:  # noqa: BLE001 - the repair pass places it elsewhere
                logger.warning("Replica of shard %d on %s not back yet: %s", slot, node[:12], exc)
                self._down.setdefault(slot, set()).add(node)
                continue
            self._ready.setdefault(slot, {})[node] = replica
