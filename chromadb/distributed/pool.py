"""The replicas of every shard slot as Ray actors: placement, failure detection, catch-up.

- Each replica of slot ``s`` is a :class:`~chromadb.distributed.shard.ShardReplica` actor pinned
  to one node (node affinity, not soft), with its data folder on that node. Replicas of one slot
  are always on different nodes, chosen by rendezvous hashing over the live nodes.
- A node is known by its name (``ray start --node-name``, by default its IP address), which it
  keeps across restarts, unlike its Ray node id: a node that comes back finds its replicas'
  folders again, and they catch up from a ready replica (only what they missed) before they
  serve. Nodes that share a name (several on one machine, unnamed) are told apart by id.
- A replica is *ready* when it holds every acknowledged write of its slot. Writes go to every
  ready replica; reads to one of them. A replica whose actor or node died is dropped and
  recorded as stale; a background pass (every ``poll_s``) brings each slot back to its replica
  count on other live nodes, and a returning node's replicas back where rendezvous hashing
  wants them; a replica joins only once it caught up from a ready one.
- :meth:`ReplicaPool.rebalance` moves replicas onto the nodes rendezvous hashing now prefers
  (after nodes were added): new replicas are built first, the surplus retired after.
- A slot's writes and its catch-ups take the slot's lock, so a catch-up never misses a write.
"""

from __future__ import annotations

import itertools
import logging
import os
import re
import threading
import time
from collections import Counter, deque
from dataclasses import dataclass
from typing import Any, Callable, Dict, List, Optional, Sequence

from chromadb.distributed.layout import READY, STALE, Layout
from chromadb.distributed.placement import place
from chromadb.distributed.shard import ShardReplica
from chromadb.errors import ShardUnavailableError

logger = logging.getLogger(__name__)

# How many catch-ups /api/v2/cluster lists (the latest).
CATCH_UPS_KEPT = 64


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
    """A collection with a part in a slot, as a catch-up needs to recreate it."""

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
        self._node_ids: Dict[str, str] = {}
        self.catch_ups: deque[Dict[str, Any]] = deque(maxlen=CATCH_UPS_KEPT)
        self._catch_up_count = itertools.count(1)
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
        # No repair here: the caller holds the slot's lock (the background pass repairs).
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
        logger.warning("Replica of shard %d on node %s lost", replica.slot, replica.node)

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
            self._rebalance_slot(slot, alive)
        return self.placement()

    def _rebalance_slot(self, slot: int, alive: List[str]) -> None:
        if not self._members(slot):
            return
        for node in place(f"slot-{slot}", alive, self._wanted[slot]):
            self._prepare(slot, node)
        with self.slot_lock(slot):
            target = place(f"slot-{slot}", alive, self._wanted[slot])
            for node in target:
                if node not in self._ready.get(slot, {}):
                    try:
                        self._add_replica(slot, node)
                    except Exception as exc:  # noqa: BLE001 - the node may have gone meanwhile
                        logger.warning("Could not place shard %d on node %s: %s", slot, node, exc)
            if not all(node in self._ready.get(slot, {}) for node in target):
                return  # keep the replicas there are until the wanted ones serve
            for node in list(self._ready.get(slot, {})):
                if node not in target:
                    self._retire(self._ready[slot][node])

    def alive_nodes(self) -> List[str]:
        """The names of the live nodes (see the module's docstring)."""
        nodes = [n for n in self._ray.nodes() if n.get("Alive")]
        names = [
            str(n.get("NodeName") or n.get("NodeManagerAddress") or n["NodeID"]) for n in nodes
        ]
        seen = Counter(names)
        keys = {}
        for name, node in zip(names, nodes):
            key = name if seen[name] == 1 else f"{name}/{str(node['NodeID'])[:12]}"
            keys[key] = str(node["NodeID"])
        with self._lock:
            self._node_ids = keys
        return list(keys)

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
                alive = self.alive_nodes()
                for replica in self.every_replica():
                    if replica.node not in alive:
                        self.lost(replica)
                returning = self._returning(alive)
                for slot in list(self._wanted):
                    if slot in returning:
                        self._rebalance_slot(slot, alive)
                    self._repair_slot(slot)
            except Exception:  # noqa: BLE001 - the watcher must outlive one bad pass
                logger.exception("Replica repair pass failed; retrying")

    def _returning(self, alive: List[str]) -> set[int]:
        """Slots with a replica on record, not serving, on a live node that rendezvous hashing
        wants for the slot: a node came back (or a replica's actor died and can restart)."""
        slots = set()
        for slot, node, _ in self._layout.replicas():
            wanted = self._wanted.get(slot, 0)
            if node in alive and node not in self._ready.get(slot, {}) and wanted:
                if node in place(f"slot-{slot}", alive, wanted):
                    slots.add(slot)
        if slots:
            logger.info("Replicas on record come back for shards %s", sorted(slots))
        return slots

    def _repair_slot(self, slot: int) -> None:
        wanted = self._wanted.get(slot, 0)
        if len(self._ready_list(slot)) >= wanted or not self._members(slot):
            return  # enough replicas, or no collection uses this slot any more
        alive = self.alive_nodes()
        missing = wanted - len(self._ready_list(slot))
        fresh = [
            n
            for n in place(f"slot-{slot}", alive, len(alive))
            if n not in self._ready_list_nodes(slot)
        ]
        for node in fresh[:missing]:
            self._prepare(slot, node)
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
                    logger.exception("Could not place shard %d on node %s", slot, node)

    def _ready_list_nodes(self, slot: int) -> List[str]:
        return [r.node for r in self._ready_list(slot)]

    def _prepare(self, slot: int, node: str) -> None:
        """Before taking the slot's lock: bring a replica about to be added close to a ready
        one (the bulk of a copy), while writes go on, so that the catch-up under the lock,
        which writes wait for, has only what changed meanwhile left to do."""
        sources = self._ready_list(slot)
        if not sources or node in self._ready_list_nodes(slot):
            return
        try:
            handle = self._start(slot, node)
            self._catch_up(slot, node, handle, sources[0], self._members(slot), locked=False)
        except Exception as exc:  # noqa: BLE001 - the catch-up under the lock does it all
            logger.warning("Could not prepare shard %d on node %s: %s", slot, node, exc)

    def _add_replica(self, slot: int, node: str) -> None:
        # Caller holds the slot's lock: no write to this slot can happen meanwhile.
        sources = self._ready_list(slot)
        if not sources:
            recorded = {n: st for s, n, st in self._layout.replicas() if s == slot}
            if recorded and recorded.get(node) != READY:
                holders = ", ".join(n for n, st in recorded.items() if st == READY)
                raise ShardUnavailableError(
                    f"Shard {slot}: every replica that holds all its records is down "
                    f"(nodes {holders or 'none'}); it serves again when one is back"
                )
        handle = self._start(slot, node)
        members = self._members(slot)
        if sources:
            self._catch_up(slot, node, handle, sources[0], members)
        for member in members:
            self._ray.get(
                handle.ensure.remote(member.collection_id, member.metadata, member.configuration)
            )
        replica = Replica(slot, node, handle)
        with self._lock:
            self._ready.setdefault(slot, {})[node] = replica
            self._down.get(slot, set()).discard(node)
            self._layout.set_replica(slot, node, READY)
        logger.info("Shard %d ready on node %s", slot, node)

    def _start(self, slot: int, node: str) -> Any:
        # The node's name, made safe as a folder name (names are free text).
        folder = os.path.join(self._root, re.sub(r"[^A-Za-z0-9._-]", "_", node), f"slot-{slot}")
        with self._lock:
            node_id = self._node_ids.get(node)
        if node_id is None:
            raise ShardUnavailableError(f"Node {node} is not part of the cluster now")
        handle = self._actor.options(
            name=f"slot-{slot}@{node}",
            namespace=self._namespace,
            lifetime="detached",
            get_if_exists=True,
            scheduling_strategy=self._affinity(node_id=node_id, soft=False),
        ).remote(folder)
        self._ray.get(handle.where.remote(), timeout=120)
        return handle

    def _catch_up(
        self,
        slot: int,
        node: str,
        target: Any,
        source: Replica,
        members: List[Member],
        locked: bool = True,
    ) -> None:
        """Bring ``target`` up to ``source`` (a ready replica): only what it missed, from the
        changes the source journaled after the target's last applied write; its whole slot
        when it has nothing yet. The actors talk to each other; nothing passes through here."""
        started = time.monotonic()
        spec = [(m.collection_id, m.metadata, m.configuration) for m in members]
        stats = self._ray.get(target.catch_up.remote(source.handle, spec))
        stats = {**stats, "n": next(self._catch_up_count), "slot": slot, "node": node}
        stats["source"] = source.node
        stats["locked"] = locked  # False: the bulk, while writes went on (see _prepare)
        stats["seconds"] = round(time.monotonic() - started, 3)
        self.catch_ups.append(stats)
        logger.info(
            "Shard %d on node %s caught up from node %s: %d changes after seq %d "
            "(%d copied, %d updated, %d deleted) in %.1f s",
            slot,
            node,
            source.node,
            stats["changes"],
            stats["since"],
            stats["copied"],
            stats["updated"],
            stats["deleted"],
            stats["seconds"],
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
                    raise ConnectionError(f"node {node} is down")
                replica = Replica(slot, node, self._start(slot, node))
            except Exception as exc:  # noqa: BLE001 - the repair pass places it elsewhere
                logger.warning("Replica of shard %d on %s not back yet: %s", slot, node, exc)
                self._down.setdefault(slot, set()).add(node)
                continue
            self._ready.setdefault(slot, {})[node] = replica
        for slot in list(self._ready):
            self._even_out(slot)

    def _even_out(self, slot: int) -> None:
        """After a restart: a frontend that stopped in the middle of a write may have left it
        (unacknowledged) on some replicas of a slot and not on others; those behind catch up
        from the one furthest ahead, so that every replica answers alike."""
        replicas = list(self._ready.get(slot, {}).values())
        if len(replicas) < 2:
            return
        try:
            applied = self._ray.get([r.handle.applied_seq.remote() for r in replicas], timeout=120)
            ahead = replicas[max(range(len(replicas)), key=lambda i: applied[i])]
            for replica, seq in zip(replicas, applied):
                if seq < max(applied):
                    self._catch_up(slot, replica.node, replica.handle, ahead, self._members(slot))
        except Exception:  # noqa: BLE001 - the replicas still serve; the repair pass goes on
            logger.exception("Could not compare the replicas of shard %d", slot)
