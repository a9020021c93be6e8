"""Fixtures of the congruence suite: one real-Chroma driver and one of ours per test module.

The oracle venvs are installed once (``tests.compat.installers``) and reused; each module keeps
its two driver processes for all its tests, and every case starts from an empty client
(``reset``), so reruns and many cases stay cheap.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, Dict, List, Tuple

import pytest

from tests.compat.installers import RegistryUnreachable, embedded_chroma
from tests.congruence.compare import compare
from tests.congruence.sides import COUNTS, Side, our_python

REAL_VERSION = "1.5.9"


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "congruence: compares answers with real Chroma (first run installs it)"
    )


def pytest_terminal_summary(terminalreporter: Any) -> None:
    if COUNTS["sequences"]:
        terminalreporter.write_line(
            "congruence: "
            + ", ".join(f"{n} {what}" for what, n in COUNTS.items())
            + " compared with real Chroma"
        )


def oracle_python(version: str) -> str:
    try:
        return str(embedded_chroma(version))
    except RegistryUnreachable as exc:  # no network and no cached oracle: nothing to compare
        pytest.skip(f"real chromadb {version} cannot be installed here: {exc}")


class Pair:
    """Real Chroma and ours, driven by the same operations; ``compared`` counts answer pairs."""

    def __init__(self, real: Side, ours: Side) -> None:
        self.real, self.ours = real, ours
        self.compared = 0

    def client(self, **kwargs: Any) -> None:
        for side in (self.real, self.ours):
            answer = side.call("__client__", **kwargs)
            assert "error" not in answer, f"{side.label}: {answer}"

    def fresh(self) -> None:
        """Empty the client (allow_reset is on in both)."""
        for side in (self.real, self.ours):
            answer = side.call("reset")
            assert "error" not in answer, f"{side.label}: {answer}"

    def both(self, op: Dict[str, Any]) -> Tuple[Dict[str, Any], Dict[str, Any]]:
        self.compared += 1
        return self.real.send(op), self.ours.send(op)

    def check(self, ops: List[Dict[str, Any]]) -> List[Tuple[Dict[str, Any], Dict[str, Any]]]:
        """Run ``ops`` on both sides; fail at the first pair that differs."""
        answers = []
        COUNTS["sequences"] += 1
        for step, op in enumerate(ops):
            COUNTS["answer pairs"] += 1
            real, ours = self.both(op)
            found = compare(op, real, ours)
            assert found is None, (
                f"step {step} {op}\n  {found}\n  real: {_short(real)}\n  ours: {_short(ours)}"
            )
            answers.append((real, ours))
        return answers


def _short(answer: Dict[str, Any]) -> str:
    text = repr(answer)
    return text if len(text) < 1500 else text[:1500] + "..."


@pytest.fixture(scope="module")
def embedded_pair() -> Iterator[Pair]:
    """Real chromadb 1.5.9 and ours, both in-process (EphemeralClient) in their drivers."""
    real = Side(oracle_python(REAL_VERSION), "real")
    ours = Side(our_python(), "ours")
    pair = Pair(real, ours)
    try:
        pair.client(kind="ephemeral")
        yield pair
    finally:
        real.close()
        ours.close()


@pytest.fixture
def pair(embedded_pair: Pair) -> Pair:
    embedded_pair.fresh()
    return embedded_pair
