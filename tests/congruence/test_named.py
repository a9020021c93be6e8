"""Named cases (``cases.py``) on real chromadb 1.5.9 and ours, both in-process."""

from __future__ import annotations

from typing import Any, Dict, List

import pytest

from tests.congruence.cases import CASES
from tests.congruence.conftest import Pair

pytestmark = pytest.mark.congruence


def _check_words(ops: List[Dict[str, Any]], answers: List[Any]) -> None:
    for op, (_, ours) in zip(ops, answers):
        for word in op.get("words", []):
            assert "error" in ours, f"{op}: expected an error naming {word!r}, got {ours}"
            assert word.lower() in ours["error"]["message"].lower(), (op, ours["error"])


@pytest.mark.parametrize("name", sorted(CASES))
def test_named_case(pair: Pair, name: str) -> None:
    ops = CASES[name]
    _check_words(ops, pair.check(ops))
