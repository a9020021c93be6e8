"""A lock of two groups (reads and writes of one collection): any number of one group inside at
once, never both groups.

Writes of one collection may run together (each shard's lock orders them), and so may reads,
but a read must not run while a write is half applied: a batch is written shard by shard, and a
count or a query in between would see part of it, which one engine never shows. A group that
waits stops new members of the other from entering, so neither side starves.
"""

from __future__ import annotations

import contextlib
import threading
from typing import Iterator

READ, WRITE = 0, 1


class PhaseLock:
    """``reading()`` and ``writing()`` sections, taken as context managers."""

    def __init__(self) -> None:
        self._cond = threading.Condition(threading.Lock())
        self._inside = [0, 0]
        self._waiting = [0, 0]

    @contextlib.contextmanager
    def _enter(self, group: int) -> Iterator[None]:
        other = 1 - group
        with self._cond:
            self._waiting[group] += 1
            while self._inside[other] or (self._waiting[other] and self._inside[group]):
                self._cond.wait()
            self._waiting[group] -= 1
            self._inside[group] += 1
        try:
            yield
        finally:
            with self._cond:
                self._inside[group] -= 1
                self._cond.notify_all()

    def reading(self) -> contextlib.AbstractContextManager[None]:
        return self._enter(READ)

    def writing(self) -> contextlib.AbstractContextManager[None]:
        return self._enter(WRITE)
