"""Which slot of the vector index holds a record's live vector, by the record's SQLite rowid.

A dict of Python ints costs about 100 bytes a record (110 MB at a million). A collection's
rowids are mostly a dense range (SQLite numbers new rows one after the other), so the map is an
array over that range, 8 bytes a rowid, -1 where there is no live slot. Rowids spread far
apart (a collection written to rarely, among many busy ones) would make that array mostly
empty: past ``SPARSE_FACTOR`` times the live count, the map turns into a dict instead.
"""

from __future__ import annotations

from typing import Dict, Iterable, Optional

import numpy as np
from numpy.typing import NDArray

NONE = -1
# The array may span up to this many rowids per live record (and at least DENSE_MIN).
SPARSE_FACTOR = 4
DENSE_MIN = 65_536


class SlotMap:
    """rowid -> live slot."""

    def __init__(self) -> None:
        self._base = 0  # the rowid of _slots[0]
        self._slots: NDArray[np.int64] = np.empty(0, dtype=np.int64)
        self._dict: Optional[Dict[int, int]] = None  # used instead once rowids are sparse
        self._count = 0

    @classmethod
    def of(cls, rowids: NDArray[np.int64], slots: NDArray[np.int64]) -> SlotMap:
        """A map holding rowids[i] -> slots[i] (rowids distinct)."""
        out = cls()
        out.update(rowids, slots)
        return out

    def __len__(self) -> int:
        return self._count

    def update(self, rowids: NDArray[np.int64], slots: NDArray[np.int64]) -> None:
        """Map each of rowids (distinct, each without a live slot now) to its slot."""
        rowids = np.asarray(rowids, dtype=np.int64)
        if len(rowids) == 0:
            return
        if self._dict is None:
            low, high = int(rowids.min()), int(rowids.max())
            if self._count:
                low, high = min(low, self._base), max(high, self._base + len(self._slots) - 1)
            span = high - low + 1
            if span > max(DENSE_MIN, SPARSE_FACTOR * (self._count + len(rowids))):
                self._to_dict()
            else:
                self._cover(low, high)
        if self._dict is not None:
            self._dict.update(zip(rowids.tolist(), np.asarray(slots).tolist()))
            self._count = len(self._dict)
            return
        self._slots[rowids - self._base] = slots
        self._count += len(rowids)

    def _cover(self, low: int, high: int) -> None:
        """Grow the array to rowids [low, high], with room to grow at the top."""
        top = self._base + len(self._slots) - 1
        if self._count and low >= self._base and high <= top:
            return
        if not self._count:
            self._base, top = low, low - 1
            self._slots = np.empty(0, dtype=np.int64)
        new_base = min(low, self._base)
        size = high - new_base + 1
        if high > top:  # appends are the common case: grow geometrically
            size = max(size, 2 * len(self._slots), 1024)
        grown = np.full(size, NONE, dtype=np.int64)
        start = self._base - new_base
        grown[start : start + len(self._slots)] = self._slots
        self._base, self._slots = new_base, grown

    def _to_dict(self) -> None:
        live = np.flatnonzero(self._slots != NONE)
        self._dict = dict(zip((live + self._base).tolist(), self._slots[live].tolist()))
        self._slots = np.empty(0, dtype=np.int64)

    def get(self, rowid: int) -> Optional[int]:
        """The live slot of rowid, or None."""
        if self._dict is not None:
            return self._dict.get(rowid)
        i = rowid - self._base
        if 0 <= i < len(self._slots):
            slot = int(self._slots[i])
            return None if slot == NONE else slot
        return None

    def get_many(self, rowids: Iterable[int]) -> NDArray[np.int64]:
        """The live slots of rowids, NONE where there is none."""
        wanted = np.fromiter(rowids, dtype=np.int64)
        if self._dict is not None:
            get = self._dict.get
            return np.fromiter((get(r, NONE) for r in wanted.tolist()), np.int64, len(wanted))
        i = wanted - self._base
        inside = (i >= 0) & (i < len(self._slots))
        out = np.full(len(wanted), NONE, dtype=np.int64)
        out[inside] = self._slots[i[inside]]
        return out

    def pop_many(self, rowids: Iterable[int]) -> NDArray[np.int64]:
        """Unmap rowids; returns the slots they had (rowids without one are skipped; a rowid
        given twice is unmapped once)."""
        if self._dict is not None:
            pop = self._dict.pop
            found = [s for s in (pop(r, None) for r in rowids) if s is not None]
            self._count = len(self._dict)
            return np.asarray(found, dtype=np.int64)
        wanted = np.unique(np.fromiter(rowids, dtype=np.int64))
        i = wanted - self._base
        i = i[(i >= 0) & (i < len(self._slots))]
        slots = self._slots[i]
        hit = slots != NONE
        self._slots[i[hit]] = NONE
        self._count -= int(np.count_nonzero(hit))
        return slots[hit]
