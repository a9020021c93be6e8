"""The background indexer: one thread per engine that moves written vectors into the HNSW
graphs a chunk at a time, so that writes return as soon as SQLite has them."""

from __future__ import annotations

import logging
import threading
from typing import Callable, List, Optional

import faiss

from chromadb.engine import pages
from chromadb.engine.segment import FLUSH_CHUNK, Segment

logger = logging.getLogger(__name__)

IDLE_WAIT_S = 1.0


class Indexer:
    """Runs ``flush`` on the segments that ``segments()`` returns while any has pending vectors;
    ``wake()`` after a write starts a turn at once."""

    def __init__(self, segments: Callable[[], List[Segment]]) -> None:
        self._segments = segments
        self._wake = threading.Event()
        self._halt = threading.Event()
        self._thread: Optional[threading.Thread] = None

    def start(self) -> None:
        if self._thread is not None and self._thread.is_alive():
            return
        self._halt.clear()
        self._thread = threading.Thread(target=self._run, name="chromadb-indexer", daemon=True)
        self._thread.start()

    def wake(self) -> None:
        self._wake.set()

    def stop(self) -> None:
        """Stop after the current chunk and wait for the thread (unless called from it)."""
        self._halt.set()
        self._wake.set()
        thread = self._thread
        if thread is not None and thread is not threading.current_thread():
            thread.join()

    def _run(self) -> None:
        # One core for the graph (OpenMP's thread count is per calling thread): the other
        # stays free for the writes and searches this work is meant not to slow down.
        faiss.omp_set_num_threads(1)
        since_trim = 0
        while not self._halt.is_set():
            moved = 0
            for segment in [s for s in self._segments() if s.pending()]:
                if self._halt.is_set():
                    break
                try:
                    moved += segment.flush(FLUSH_CHUNK)
                except Exception:  # the tail stays searchable exactly; retry next turn
                    logger.exception("Background indexing of %s failed", segment.cid)
                    continue
                try:
                    segment.checkpoint_built_graph()
                except Exception:  # the next open builds that part again; nothing is lost
                    logger.exception("Could not checkpoint collection %s", segment.cid)
            since_trim += moved
            if not moved:
                if since_trim >= pages.TRIM_AFTER:
                    # The backlog's batches and the graph's regrown buffers left free pages
                    # that glibc keeps (29 MB after a 100k ingest).
                    pages.trim()
                    since_trim = 0
                self._wake.wait(IDLE_WAIT_S)
                self._wake.clear()
