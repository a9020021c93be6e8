"""Metadata held column-wise in memory, one column per key over a collection's slots, so that a
``where`` filter is a few numpy comparisons instead of a scan of JSON rows.

A slot is a record's position in the vector index. Each column keeps, per slot, the value's type
(absent, str, number, bool) and the value: strings as codes into one dictionary, numbers both as
float64 and, for ints, exactly as int64. List values (Chroma 1.5) are kept apart, per key and slot:
only ``$contains`` / ``$not_contains`` look at them, and to every other operator the key is absent
there (as in real Chroma). Sparse vector values go to one ``SparseIndex`` per key (no filter
sees them, as in real Chroma).
"""

from __future__ import annotations

import operator
from typing import Any, Callable, Dict, List, Mapping, Optional, Tuple

import numpy as np
from numpy.typing import NDArray

from chromadb.engine.filters import ArrayContains, Compare, Logical, Member, WhereNode
from chromadb.engine.sparse import SparseIndex, as_sparse, as_sparse_form

ABSENT, STR, NUM, BOOL = 0, 1, 2, 3

_OPS: Dict[str, Callable[[Any, Any], Any]] = {
    "$gt": operator.gt,
    "$gte": operator.ge,
    "$lt": operator.lt,
    "$lte": operator.le,
}

Mask = NDArray[np.bool_]


class Column:
    """One metadata key's values over all slots."""

    def __init__(self, capacity: int) -> None:
        self.kind = np.zeros(capacity, dtype=np.int8)
        self.num = np.zeros(capacity, dtype=np.float64)
        self.ival = np.zeros(capacity, dtype=np.int64)
        self.is_int = np.zeros(capacity, dtype=np.bool_)
        self.code = np.full(capacity, -1, dtype=np.int32)

    def grow(self, capacity: int) -> None:
        extra = capacity - len(self.kind)
        if extra <= 0:
            return
        self.kind = np.concatenate([self.kind, np.zeros(extra, dtype=np.int8)])
        self.num = np.concatenate([self.num, np.zeros(extra, dtype=np.float64)])
        self.ival = np.concatenate([self.ival, np.zeros(extra, dtype=np.int64)])
        self.is_int = np.concatenate([self.is_int, np.zeros(extra, dtype=np.bool_)])
        self.code = np.concatenate([self.code, np.full(extra, -1, dtype=np.int32)])


class Columns:
    """All metadata columns of one collection."""

    def __init__(self, capacity: int = 0) -> None:
        self.capacity = max(capacity, 16)
        self.columns: Dict[str, Column] = {}
        self.codes: Dict[str, int] = {}
        self.lists: Dict[str, Dict[int, Tuple[Any, ...]]] = {}
        self.sparse: Dict[str, SparseIndex] = {}

    def _set_sparse(self, key: str, slot: int, value: Any) -> bool:
        """Put ``value`` in the key's sparse index when it is a sparse vector."""
        vector = as_sparse(value)
        if vector is None:
            return False
        found = self.sparse.get(key)
        if found is None:
            found = self.sparse[key] = SparseIndex(self.capacity)
        found.set(slot, vector)
        return True

    def _ensure(self, slot: int) -> None:
        if slot >= self.capacity:
            new = max(slot + 1, self.capacity * 2)
            for column in self.columns.values():
                column.grow(new)
            self.capacity = new

    def _code(self, text: str) -> int:
        code = self.codes.get(text)
        if code is None:
            code = len(self.codes)
            self.codes[text] = code
        return code

    def set(self, slot: int, metadata: Optional[Mapping[str, Any]]) -> None:
        """Make ``slot`` hold exactly ``metadata`` (keys not in it become absent)."""
        self._ensure(slot)
        for column in self.columns.values():
            column.kind[slot] = ABSENT
        for by_slot in self.lists.values():
            by_slot.pop(slot, None)
        for index in self.sparse.values():
            index.clear(slot)
        for key, value in (metadata or {}).items():
            if isinstance(value, (list, tuple)):
                self.lists.setdefault(key, {})[slot] = tuple(value)
                continue
            if isinstance(value, dict) or hasattr(value, "indices"):
                self._set_sparse(key, slot, value)
                continue
            column = self.columns.get(key) or self.columns.setdefault(key, Column(self.capacity))
            if isinstance(value, bool):
                column.kind[slot] = BOOL
                column.num[slot] = float(value)
            elif isinstance(value, str):
                column.kind[slot] = STR
                column.code[slot] = self._code(value)
            elif isinstance(value, int):
                column.kind[slot] = NUM
                column.num[slot] = float(value)
                column.ival[slot] = value
                column.is_int[slot] = True
            elif isinstance(value, float):
                column.kind[slot] = NUM
                column.num[slot] = value
                column.is_int[slot] = False

    def load(self, slots: List[int], metadatas: List[Dict[str, Any]]) -> None:
        """Fill many slots at once (building the cache for a whole collection)."""
        if not slots:
            return
        self._ensure(max(slots))
        by_key: Dict[str, Tuple[List[int], List[Any]]] = {}
        sparse: Dict[str, Tuple[List[int], List[Any]]] = {}
        for slot, meta in zip(slots, metadatas):
            for key, value in meta.items():
                if isinstance(value, (list, tuple)):
                    self.lists.setdefault(key, {})[slot] = tuple(value)
                    continue
                if isinstance(value, dict) or hasattr(value, "indices"):
                    if as_sparse_form(value):
                        entry = sparse.get(key)
                        if entry is None:
                            entry = sparse[key] = ([], [])
                        entry[0].append(slot)
                        entry[1].append(value)
                    continue
                entry = by_key.get(key)
                if entry is None:
                    entry = by_key[key] = ([], [])
                entry[0].append(slot)
                entry[1].append(value)
        for key, (key_slots, vectors) in sparse.items():
            index = self.sparse.get(key)
            if index is None:
                index = self.sparse[key] = SparseIndex(self.capacity)
            index.load(key_slots, vectors)
        for key, (key_slots, values) in by_key.items():
            column = self.columns.get(key)
            if column is None:
                column = self.columns[key] = Column(self.capacity)
            idx = np.asarray(key_slots, dtype=np.int64)
            kinds = np.fromiter(
                (
                    BOOL if isinstance(x, bool) else STR if isinstance(x, str) else NUM
                    for x in values
                ),
                dtype=np.int8,
                count=len(values),
            )
            column.kind[idx] = kinds
            num_pos = np.flatnonzero(kinds == NUM)
            if len(num_pos):
                nums = [values[i] for i in num_pos.tolist()]
                is_int = np.fromiter(
                    (isinstance(x, int) for x in nums), dtype=np.bool_, count=len(nums)
                )
                column.num[idx[num_pos]] = np.asarray(nums, dtype=np.float64)
                column.is_int[idx[num_pos]] = is_int
                int_pos = num_pos[is_int]
                column.ival[idx[int_pos]] = np.asarray(
                    [values[i] for i in int_pos.tolist()], dtype=np.int64
                )
            bool_pos = np.flatnonzero(kinds == BOOL)
            if len(bool_pos):
                column.num[idx[bool_pos]] = np.asarray(
                    [values[i] for i in bool_pos.tolist()], dtype=np.float64
                )
            str_pos = np.flatnonzero(kinds == STR)
            if len(str_pos):
                column.code[idx[str_pos]] = np.asarray(
                    [self._code(values[i]) for i in str_pos.tolist()], dtype=np.int32
                )

    def mask(self, node: WhereNode, n: int) -> Mask:
        """Slots ``[0, n)`` whose metadata satisfies ``node``."""
        if isinstance(node, Logical):
            masks = [self.mask(child, n) for child in node.children]
            combine = np.logical_and if node.op == "$and" else np.logical_or
            out = masks[0].copy()
            for m in masks[1:]:
                combine(out, m, out=out)
            return out
        if isinstance(node, ArrayContains):
            hit = self._array_contains(node.key, node.value, n)
            return ~hit if node.negate else hit
        found = self.columns.get(node.key)
        # The negations ($ne, $nin) also match records that lack the key, as in real Chroma.
        negate = (isinstance(node, Member) and node.negate) or (
            isinstance(node, Compare) and node.op == "$ne"
        )
        if found is None:
            return np.full(n, negate, dtype=np.bool_)
        column = found
        if isinstance(node, Member):
            hit = np.zeros(n, dtype=np.bool_)
            for value in node.values:
                hit |= self._equal(column, value, n)
            return ~hit if negate else hit
        if node.op in ("$eq", "$ne"):
            equal = self._equal(column, node.value, n)
            return ~equal if negate else equal
        return self._order(column, node, n)

    def _array_contains(self, key: str, value: Any, n: int) -> Mask:
        hit = np.zeros(n, dtype=np.bool_)
        want_bool = isinstance(value, bool)
        for slot, items in self.lists.get(key, {}).items():
            if slot < n and any(isinstance(x, bool) == want_bool and x == value for x in items):
                hit[slot] = True
        return hit

    def _equal(self, column: Column, value: Any, n: int) -> Mask:
        kind = column.kind[:n]
        if isinstance(value, bool):
            return (kind == BOOL) & (column.num[:n] == float(value))
        if isinstance(value, str):
            code = self.codes.get(value)
            if code is None:
                return np.zeros(n, dtype=np.bool_)
            return (kind == STR) & (column.code[:n] == code)
        if isinstance(value, int):
            exact = column.is_int[:n] & (column.ival[:n] == value)
            approx = ~column.is_int[:n] & (column.num[:n] == float(value))
            return (kind == NUM) & (exact | approx)
        return (kind == NUM) & (column.num[:n] == float(value))

    def _order(self, column: Column, node: Compare, n: int) -> Mask:
        op = _OPS[node.op]
        value = node.value
        kind = column.kind[:n]
        if isinstance(value, int):
            exact = column.is_int[:n] & op(column.ival[:n], value)
            approx = ~column.is_int[:n] & op(column.num[:n], float(value))
            return (kind == NUM) & (exact | approx)
        return (kind == NUM) & op(column.num[:n], float(value))
