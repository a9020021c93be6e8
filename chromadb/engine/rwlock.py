"""A phase-fair readers-writer lock: many readers at once, a writer alone, and neither side able
to starve the other.

A waiting writer stops new readers from entering (so a steady stream of searches cannot starve
writes), and a writer leaving hands the lock to every reader that was waiting for it before the
next writer may enter (so a writer that comes straight back, like the graph builder taking its
next step, cannot starve searches). Readers and writers thus alternate in phases: a reader
waits for at most one writer's turn, a writer for at most one batch of readers.
"""

from __future__ import annotations

import contextlib
import threading
from typing import Iterator


class RWLock:
    """Shared (``read``) and exclusive (``write``) sections, taken as context managers."""

    def __init__(self) -> None:
        self._cond = threading.Condition(threading.Lock())
        self._readers = 0
        self._writer = False
        self._waiting_writers = 0
        self._waiting_readers = 0
        # Each writer's exit starts a new generation; the readers that were waiting then are
        # owed entry before any writer (new readers queue behind a waiting writer as usual).
        self._generation = 0
        self._owed = 0

    @contextlib.contextmanager
    def read(self) -> Iterator[None]:
        """Hold the lock shared for the block."""
        with self._cond:
            arrived = self._generation
            self._waiting_readers += 1
            while self._writer or (self._waiting_writers and arrived == self._generation):
                self._cond.wait()
            self._waiting_readers -= 1
            if arrived != self._generation:
                self._owed -= 1
            self._readers += 1
        try:
            yield
        finally:
            with self._cond:
                self._readers -= 1
                if self._readers == 0:
                    self._cond.notify_all()

    @contextlib.contextmanager
    def write(self) -> Iterator[None]:
        """Hold the lock exclusively for the block."""
        with self._cond:
            self._waiting_writers += 1
            while self._writer or self._readers or self._owed:
                self._cond.wait()
            self._waiting_writers -= 1
            self._writer = True
        try:
            yield
        finally:
            with self._cond:
                self._writer = False
                if self._waiting_readers:
                    self._generation += 1
                    self._owed = self._waiting_readers
                self._cond.notify_all()


class FairLock:
    """A mutex taken in arrival order: a thread that releases it and comes straight back (the
    graph builder, step after step) queues behind those already waiting."""

    def __init__(self) -> None:
        self._cond = threading.Condition(threading.Lock())
        self._next_ticket = 0
        self._serving = 0

    def __enter__(self) -> None:
        with self._cond:
            ticket = self._next_ticket
            self._next_ticket += 1
            while self._serving != ticket:
                self._cond.wait()

    def __exit__(self, *exc: object) -> None:
        with self._cond:
            self._serving += 1
            self._cond.notify_all()
