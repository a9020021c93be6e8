"""Generated operation sequences on real chromadb 1.5.9 and ours, both in-process.

A fixed, derandomized profile (``tests/conftest.py``) with a bounded number of examples keeps
the run the same on every machine and within a minute or two on two cores.
"""

from __future__ import annotations

from typing import Any, Dict, List

import pytest
from hypothesis import given, settings

from tests.congruence import strategies as S
from tests.congruence.conftest import Pair

pytestmark = pytest.mark.congruence

EXAMPLES = 150


@settings(max_examples=EXAMPLES)
@given(ops=S.sequence())
def test_generated_sequences_agree(embedded_pair: Pair, ops: List[Dict[str, Any]]) -> None:
    embedded_pair.fresh()
    embedded_pair.check(ops)
