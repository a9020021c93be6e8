"""A writer killed with SIGKILL at random moments loses no acknowledged write, leaves no batch
half-written, and its vector index agrees with what SQLite holds after reopening; the same with
several writer processes on one folder, killed one after another while the others go on.

The writer (tests/helpers/crash_writer.py) applies a deterministic sequence of add / upsert /
update / delete batches and prints ``ACK n`` after each call returns. After each kill the test
opens the folder, rebuilds the expected state from the acknowledged operations, and accepts
exactly two outcomes: that state, or that state plus the whole operation that was in flight.
"""

from __future__ import annotations

import importlib.util
import os
import random
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any, Dict, List, Optional, Tuple

import numpy as np
import pytest

import chromadb
from chromadb.api.client import clear_system_cache

WRITER = Path(__file__).parent / "helpers" / "crash_writer.py"
KILLS = 7
WRITERS = 3
MANY_ROUNDS = 4
READY_TIMEOUT_S = 90.0

_spec = importlib.util.spec_from_file_location("crash_writer", WRITER)
assert _spec is not None and _spec.loader is not None
writer = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(writer)

pytestmark = [
    pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL is POSIX only"),
    pytest.mark.usefixtures("fresh_systems"),
]


class Child:
    """A writer process whose stdout lines are collected by a thread."""

    def __init__(self, path: str, first: int, log: Path, number: int = 0) -> None:
        self.lines: List[str] = []
        self._stderr = open(log, "ab")
        self.proc = subprocess.Popen(
            [sys.executable, str(WRITER), path, str(first), str(number)],
            stdout=subprocess.PIPE,
            stderr=self._stderr,
            env=dict(os.environ, PYTHONUNBUFFERED="1"),
        )
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for raw in self.proc.stdout:
            self.lines.append(raw.decode().strip())

    def wait_for(self, predicate: Any, what: str, log: Path) -> None:
        deadline = time.monotonic() + READY_TIMEOUT_S
        while not predicate(list(self.lines)):
            if self.proc.poll() is not None:
                raise AssertionError(
                    f"writer exited ({self.proc.returncode}) before {what}:\n{log.read_text()[-3000:]}"
                )
            if time.monotonic() > deadline:
                raise AssertionError(f"writer did not reach {what}:\n{log.read_text()[-3000:]}")
            time.sleep(0.01)

    def kill(self) -> List[int]:
        """SIGKILL the writer; returns the operations it acknowledged."""
        if self.proc.poll() is None:
            os.kill(self.proc.pid, signal.SIGKILL)
        self.proc.wait(timeout=30)
        self._reader.join(timeout=30)
        self._stderr.close()
        return [int(line.split()[1]) for line in self.lines if line.startswith("ACK ")]


def _read_state(path: str) -> Dict[str, Dict[str, Any]]:
    client = chromadb.PersistentClient(path=path)
    try:
        names = [c.name for c in client.list_collections()]
        if writer.COLLECTION not in names:
            return {}
        col = client.get_collection(writer.COLLECTION, embedding_function=None)
        got: Any = col.get(include=["embeddings", "metadatas", "documents"])
        assert col.count() == len(got["ids"]), "count() disagrees with get()"
        return {
            id_: {"embedding": [float(x) for x in emb], "metadata": meta, "document": doc}
            for id_, emb, meta, doc in zip(
                got["ids"], got["embeddings"], got["metadatas"], got["documents"]
            )
        }
    finally:
        clear_system_cache()


def _same(actual: Dict[str, Dict[str, Any]], expected: Dict[str, Dict[str, Any]]) -> Optional[str]:
    """None when equal, else a short description of the first difference."""
    missing = sorted(set(expected) - set(actual))
    extra = sorted(set(actual) - set(expected))
    if missing or extra:
        return f"missing {missing[:5]} ({len(missing)}), unexpected {extra[:5]} ({len(extra)})"
    for id_, want in expected.items():
        got = actual[id_]
        if not np.allclose(got["embedding"], want["embedding"], rtol=0, atol=1e-6):
            return f"{id_}: embedding differs"
        if got["metadata"] != want["metadata"] or got["document"] != want["document"]:
            return f"{id_}: {got['metadata']!r}/{got['document']!r} != {want['metadata']!r}/{want['document']!r}"
    return None


def _check_index(
    path: str, state: Dict[str, Dict[str, Any]], gone: Dict[str, List[float]], rng: random.Random
) -> None:
    """Queries agree with the stored records: each sampled record is its own nearest neighbour,
    deleted records never come back, and (on small data) the index holds exactly the live set."""
    if not state:
        return
    client = chromadb.PersistentClient(path=path)
    try:
        col: Any = client.get_collection(writer.COLLECTION, embedding_function=None)
        sample = rng.sample(sorted(state), min(25, len(state)))
        res: Any = col.query(
            query_embeddings=[state[i]["embedding"] for i in sample],
            n_results=1,
            include=["distances"],
        )
        for id_, found, dist in zip(sample, res["ids"], res["distances"]):
            assert found == [id_], f"query for {id_}'s embedding returned {found}"
            assert dist[0] == pytest.approx(0.0, abs=1e-4)
        if gone:
            dead = rng.sample(sorted(gone), min(10, len(gone)))
            res = col.query(query_embeddings=[gone[i] for i in dead], n_results=3, include=[])
            for found in res["ids"]:
                assert set(found) <= set(state), (
                    f"deleted ids in query results: {set(found) - set(state)}"
                )
        if len(state) <= 1500:
            probe = next(iter(state.values()))["embedding"]
            res = col.query(query_embeddings=[probe], n_results=len(state), include=[])
            assert set(res["ids"][0]) == set(state), (
                "the vector index and SQLite hold different records"
            )
    finally:
        clear_system_cache()


def test_sigkill_loses_no_acknowledged_write(tmp_path: Path) -> None:
    rng = random.Random(20240607)
    path = str(tmp_path / "db")
    log = tmp_path / "writer.log"
    state: Dict[str, Dict[str, Any]] = {}
    gone: Dict[str, List[float]] = {}  # ids deleted so far -> their last embedding
    next_op = 0
    acknowledged = 0
    for round_ in range(KILLS):
        child = Child(path, next_op, log)
        if round_ % 3 == 2:
            # Kill at any moment from process start: during import, recovery, or writing.
            time.sleep(rng.uniform(0.2, 2.5))
        else:
            child.wait_for(
                lambda lines: any(x.startswith("ACK") for x in lines), "its first write", log
            )
            time.sleep(rng.uniform(0.0, 0.8))
        acks = child.kill()
        acknowledged += len(acks)
        state, next_op = _settle(_read_state(path), state, next_op, acks, gone, round_)
        _check_index(path, state, gone, rng)
    assert acknowledged > 0


def _settle(
    actual: Dict[str, Dict[str, Any]],
    state: Dict[str, Dict[str, Any]],
    next_op: int,
    acks: List[int],
    gone: Dict[str, List[float]],
    round_: int,
    number: int = 0,
) -> Tuple[Dict[str, Dict[str, Any]], int]:
    """Check what a killed writer left (``actual``, its records only) against its model:
    exactly the acknowledged state, or that plus the whole operation in flight. Returns its
    model and the next operation it is to run."""
    assert acks == list(range(next_op, next_op + len(acks))), f"acks out of order: {acks}"
    for n in acks:
        state = _apply_tracking(state, writer.operation(n, number), gone)
    in_flight = writer.operation(next_op + len(acks), number)
    if _same(actual, state) is None:
        return state, next_op + len(acks)  # the op in flight left no trace: run it again
    diff = _same(actual, writer.apply(state, in_flight))
    assert diff is None, (
        f"round {round_}, writer {number}: after kill the data is neither the acknowledged "
        f"state ({_same(actual, state)}) nor that plus the whole operation in flight ({diff})"
    )
    return _apply_tracking(state, in_flight, gone), next_op + len(acks) + 1


def test_sigkill_of_many_processes_on_one_folder_loses_nothing(tmp_path: Path) -> None:
    """Writers in separate processes share one collection (each its own ids), and are killed
    at random moments while the others go on; any of them may be the one that checkpoints."""
    rng = random.Random(20261201)
    path = str(tmp_path / "db")
    numbers = list(range(1, WRITERS + 1))
    states: Dict[int, Dict[str, Dict[str, Any]]] = {w: {} for w in numbers}
    next_ops = {w: 0 for w in numbers}
    gone: Dict[str, List[float]] = {}
    acknowledged = 0
    for round_ in range(MANY_ROUNDS):
        logs = {w: tmp_path / f"writer{w}.log" for w in numbers}
        children = {w: Child(path, next_ops[w], logs[w], w) for w in numbers}
        for w, child in children.items():
            if round_ % 3 != 2:  # else kill at any moment from start, recovery included
                child.wait_for(
                    lambda lines: any(x.startswith("ACK") for x in lines), "a write", logs[w]
                )
        acks: Dict[int, List[int]] = {}
        for w in rng.sample(numbers, len(numbers)):
            time.sleep(rng.uniform(0.0, 0.6))
            acks[w] = children[w].kill()
        actual = _read_state(path)
        for w in numbers:
            mine = {k: v for k, v in actual.items() if writer.writer_of(k) == w}
            states[w], next_ops[w] = _settle(mine, states[w], next_ops[w], acks[w], gone, round_, w)
            acknowledged += len(acks[w])
        assert set(actual) == {k for state in states.values() for k in state}
        _check_index(path, {k: v for st in states.values() for k, v in st.items()}, gone, rng)
    assert acknowledged > 0


def _apply_tracking(
    state: Dict[str, Dict[str, Any]], op: Dict[str, Any], gone: Dict[str, List[float]]
) -> Dict[str, Dict[str, Any]]:
    # Only the op's ids can change: track them, and update the model in place.
    before = {id_: state[id_]["embedding"] for id_ in op["ids"] if id_ in state}
    after: Dict[str, Dict[str, Any]] = writer.apply(state, op, in_place=True)
    for id_, embedding in before.items():
        if id_ not in after:
            gone[id_] = embedding
    for id_ in op["ids"]:
        if id_ in after:
            gone.pop(id_, None)
    return after
