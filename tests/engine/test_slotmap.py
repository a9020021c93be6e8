"""The rowid -> slot map answers as a dict would, through dense and sparse rowids alike."""

from __future__ import annotations

from typing import Dict, List, Tuple

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from chromadb.engine import slotmap
from chromadb.engine.slotmap import SlotMap

# Rowids near each other (the array) and, now and then, far away (the switch to a dict).
rowid = st.one_of(st.integers(1, 3_000), st.integers(1, 10**12))
step = st.tuples(st.sampled_from(["add", "pop"]), st.lists(rowid, max_size=40))


@settings(max_examples=150, deadline=None)
@given(st.lists(step, max_size=25))
def test_slot_map_matches_a_dict(steps: List[Tuple[str, List[int]]]) -> None:
    real = SlotMap()
    model: Dict[int, int] = {}
    next_slot = 0
    for op, rowids in steps:
        if op == "add":
            fresh = [r for r in dict.fromkeys(rowids) if r not in model]
            slots = np.arange(next_slot, next_slot + len(fresh), dtype=np.int64)
            next_slot += len(fresh)
            real.update(np.asarray(fresh, dtype=np.int64), slots)
            model.update(zip(fresh, slots.tolist()))
        else:
            popped = real.pop_many(rowids)
            expected = [model.pop(r) for r in dict.fromkeys(rowids) if r in model]
            assert sorted(popped.tolist()) == sorted(expected)
        assert len(real) == len(model)
        probe = rowids + list(model)[:20] + [0, -5, 10**13]
        assert [real.get(r) for r in probe] == [model.get(r) for r in probe]
        got = real.get_many(probe).tolist()
        assert got == [model.get(r, slotmap.NONE) for r in probe]


def test_dense_rowids_stay_in_an_array_of_eight_bytes_each() -> None:
    m = SlotMap.of(np.arange(1, 1_000_001, dtype=np.int64), np.arange(1_000_000, dtype=np.int64))
    assert m._dict is None and m._slots.nbytes <= 16_000_000
    assert m.get(1) == 0 and m.get(1_000_000) == 999_999 and m.get(1_000_001) is None
