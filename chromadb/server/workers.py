"""``chroma run --workers N``: one listening socket, N server processes on one data folder.

The parent binds the socket, then starts N worker processes that each serve the full API from
their own engine on the folder (SQLite serialises their writes; each catches its caches up from
the write log before every call, so any worker answers as any other would). A worker that dies
is replaced; SIGINT or SIGTERM stops them all cleanly (each saves its index checkpoints).
"""

from __future__ import annotations

import contextlib
import logging
import multiprocessing
import os
import signal
import socket
import sys
import threading
import time
from types import FrameType
from typing import Any, Dict, List, Optional

import uvicorn

logger = logging.getLogger("chromadb.cli")

# A worker that exits this soon after starting did not start: stop rather than respawn it.
STARTUP_GRACE_S = 20.0
STARTUP_FAILED = 3
PR_SET_PDEATHSIG = 1  # linux/prctl.h
STOP_TIMEOUT_S = 30.0
_POLL_S = 0.2


def default_workers() -> int:
    """One worker per core (one on Windows, where a folder has one process at a time)."""
    if sys.platform == "win32":  # pragma: no cover
        return 1
    return max(1, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else 1)


BACKLOG = 2048


def _bind(host: str, port: int) -> socket.socket:
    config = uvicorn.Config(app=None, host=host, port=port)  # type: ignore[arg-type]
    sock = config.bind_socket()
    # Listening at once: connections wait in the backlog until a worker has started.
    sock.listen(BACKLOG)
    return sock


def _die_with_parent() -> None:  # pragma: no cover - runs in the worker process
    """A worker whose supervisor is gone (even by SIGKILL) stops too, instead of serving on."""
    parent = os.getppid()
    if sys.platform.startswith("linux"):
        import ctypes

        with contextlib.suppress(OSError, AttributeError):
            ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(1.0)
        os.kill(os.getpid(), signal.SIGTERM)

    threading.Thread(target=watch, name="chromadb-parent-watch", daemon=True).start()


def _worker(
    sock: socket.socket, data: str, log_level: str, access_log: bool
) -> None:  # pragma: no cover - runs in the worker process (covered by the server tests)
    from chromadb.cli import _configure_logging
    from chromadb.config import Settings
    from chromadb.server.fastapi import FastAPI

    _configure_logging(log_level)
    _die_with_parent()
    settings = Settings(is_persistent=True, persist_directory=data, chroma_api_impl="local")
    try:
        app = FastAPI(settings).app()
    except Exception as exc:  # folder unusable, held by a maintenance command ...
        logger.error("Cannot open the data in %s: %s", data, exc)
        sys.exit(STARTUP_FAILED)
    config = uvicorn.Config(app, log_level=log_level, access_log=access_log, lifespan="on")
    uvicorn.Server(config).run(sockets=[sock])


def serve(data: str, host: str, port: int, workers: int, log_level: str, access_log: bool) -> int:
    """Serve the folder ``data`` from ``workers`` processes on ``host:port`` until SIGINT or
    SIGTERM; returns the exit status (1 when a worker could not start)."""
    sock = _bind(host, port)
    bound_host, bound_port = sock.getsockname()[:2]
    context = multiprocessing.get_context("spawn")
    procs: Dict[int, Any] = {}
    started: Dict[int, float] = {}
    stopping: List[int] = []

    def start(slot: int) -> None:
        proc = context.Process(
            target=_worker,
            args=(sock, data, log_level, access_log),
            name=f"chroma-worker-{slot}",
            daemon=False,
        )
        proc.start()
        procs[slot], started[slot] = proc, time.monotonic()

    def stop(signum: int, frame: Optional[FrameType]) -> None:
        stopping.append(signum)

    previous = {s: signal.signal(s, stop) for s in (signal.SIGINT, signal.SIGTERM)}
    status = 0
    try:
        for slot in range(workers):
            start(slot)
        logger.info(
            "Chroma server listening on http://%s:%s (%d workers)", bound_host, bound_port, workers
        )
        while not stopping:
            time.sleep(_POLL_S)
            for slot, proc in list(procs.items()):
                if proc.is_alive() or stopping:
                    continue
                young = time.monotonic() - started[slot] < STARTUP_GRACE_S
                if proc.exitcode == STARTUP_FAILED or (young and (proc.exitcode or 0) > 0):
                    logger.error("Worker %d could not start (exit %s)", slot, proc.exitcode)
                    stopping.append(signal.SIGTERM)
                    status = 1
                    break
                logger.warning("Worker %d exited (%s); starting another", slot, proc.exitcode)
                start(slot)
    finally:
        for proc in procs.values():
            if proc.is_alive():
                os.kill(proc.pid, signal.SIGTERM)
        deadline = time.monotonic() + STOP_TIMEOUT_S
        for proc in procs.values():
            proc.join(max(0.0, deadline - time.monotonic()))
            if proc.is_alive():
                proc.kill()
                proc.join()
        sock.close()
        for signum, handler in previous.items():
            signal.signal(signum, handler)
    return status
