"""A real multi-node Ray cluster on this machine, for the scale-out tests.

Each node is ``ray start --block`` in a process group of its own (so SIGKILL of the group takes
the node down as a machine loss would), with a tiny object store and one CPU. Nodes are told
apart by a custom resource named after them. Never ``ray stop``: it stops every Ray process of
the machine; nodes are stopped by their process group.

Run only inside a private network namespace (see ``test_cluster.py``): Ray listens on every
interface and advertises the machine's address.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Dict, List

HEAD_PORT = 6379
OBJECT_STORE_BYTES = 80 * 1024 * 1024
START_TIMEOUT_S = 120.0


@dataclass
class Node:
    name: str
    process: subprocess.Popen[bytes]
    log: Path
    node_id: str = ""


@dataclass
class RayCluster:
    folder: Path
    nodes: Dict[str, Node] = field(default_factory=dict)

    @property
    def address(self) -> str:
        return f"127.0.0.1:{HEAD_PORT}"

    def _ray(self) -> str:
        return str(Path(sys.executable).with_name("ray"))

    def start(self, name: str, head: bool = False) -> Node:
        """Start node ``name`` (the head when ``head``) and wait until the cluster sees it."""
        log = self.folder / f"{name}.log"
        args = [self._ray(), "start", "--block", "--node-ip-address=127.0.0.1", "--num-cpus=1"]
        # The name a node keeps across restarts (all of them share one address here).
        args += [f"--node-name={name}"]
        args += [
            f"--object-store-memory={OBJECT_STORE_BYTES}",
            f"--resources={json.dumps({name: 1})}",
        ]
        if head:
            args += ["--head", f"--port={HEAD_PORT}", "--include-dashboard=false"]
            args += ["--disable-usage-stats"]
        else:
            args += [f"--address={self.address}"]
        env = {**os.environ, "RAY_USAGE_STATS_ENABLED": "0"}
        with open(log, "wb") as out:
            process = subprocess.Popen(
                args, stdout=out, stderr=subprocess.STDOUT, env=env, start_new_session=True
            )
        node = Node(name, process, log)
        self.nodes[name] = node
        node.node_id = self._wait_for(name)
        return node

    def _wait_for(self, name: str) -> str:
        deadline = time.monotonic() + START_TIMEOUT_S
        while time.monotonic() < deadline:
            if self.nodes[name].process.poll() is not None:
                break  # the node exited: its log says why
            if name == "head" and b"Ray runtime started" not in self.nodes[name].log.read_bytes():
                time.sleep(0.5)
                continue
            for entry in self.alive():
                if name in entry["Resources"]:
                    return str(entry["NodeID"])
            time.sleep(0.5)
        raise RuntimeError(
            f"Ray node {name} did not join:\n{self.nodes[name].log.read_text()[-3000:]}"
        )

    def actor(self, name: str) -> Any:
        """A named actor of the frontend's (this process is a driver of the cluster)."""
        import ray

        self.alive()
        return ray.get_actor(name, namespace="chromadb")

    def alive(self) -> List[Dict[str, Any]]:
        """``ray.nodes()`` entries of the live nodes (this process is a driver of the cluster)."""
        import ray

        if not ray.is_initialized():
            ray.init(address=self.address, log_to_driver=False)
        return [n for n in ray.nodes() if n["Alive"]]

    def kill(self, name: str) -> None:
        """SIGKILL node ``name``'s every process (a machine lost without warning): its process
        group and every descendant (Ray starts its workers in process groups of their own)."""
        node = self.nodes.pop(name)
        doomed = _descendants(node.process.pid)
        try:
            os.killpg(node.process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        for pid in doomed:
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        node.process.wait(timeout=30)

    def stop(self) -> None:
        for name in [n for n in self.nodes if n != "head"] + (
            ["head"] if "head" in self.nodes else []
        ):
            self.kill(name)


def _descendants(root: int) -> List[int]:
    """Every live descendant of process ``root`` (from /proc: this runs on Linux only)."""
    children: Dict[int, List[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue  # gone meanwhile
        # The command name (in parentheses) may hold spaces: the parent id follows it.
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        children.setdefault(ppid, []).append(int(entry.name))
    found, todo = [], [root]
    while todo:
        for child in children.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found
