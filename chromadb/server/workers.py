"""``chroma run --workers N``: one listening socket, N server processes on one data folder.

The parent binds the socket, then starts N worker processes that each serve the full API from
their own engine on the folder (SQLite serialises their writes; each catches its caches up from
the write log before every call, so any worker answers as any other would). A worker that dies
is replaced; SIGINT or SIGTERM stops them all cleanly (each saves its index checkpoints).

Connections are spread evenly over the workers. An event loop that finds the listening socket
ready accepts every pending connection at once, so a client opening eight kept-alive
connections together had them all (or six of eight) in one worker, leaving the other core idle
for the life of those connections. Here each worker accepts one connection at a time, and a
worker holding more connections than the least loaded one lets that one take it first
(``_FairAcceptor``).
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
import multiprocessing
import os
import signal
import socket
import sys
import threading
import time
from types import FrameType
from typing import Any, Dict, List, Optional, Sequence

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


# What one worker holds besides its copy of the folder's vectors: the interpreter, the server,
# caches (measured: ~100 MB resident for an idle worker).
WORKER_BASE_BYTES = 100 * 2**20
# The share of the memory available now that ``--workers auto`` plans to use.
MEMORY_SHARE = 0.75


def _read_int(path: str) -> Optional[int]:
    try:
        with open(path) as fh:
            return int(fh.read().split()[0])
    except (OSError, ValueError, IndexError):
        return None  # absent, or "max" (no limit)


def _available_bytes() -> Optional[int]:
    """Memory available to new processes: the machine's, or a container's limit if lower
    (cgroup v2, as Docker and Kubernetes set it)."""
    found: Optional[int] = None
    try:
        with open("/proc/meminfo") as fh:
            for line in fh:
                if line.startswith("MemAvailable:"):
                    found = int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    limit = _read_int("/sys/fs/cgroup/memory.max")
    if limit is not None:
        used = _read_int("/sys/fs/cgroup/memory.current") or 0
        found = limit - used if found is None else min(found, limit - used)
    return found


def auto_workers(data: str, cores: Optional[int] = None, available: Optional[int] = None) -> int:
    """``--workers auto``: one per core, but no more than the memory available holds.

    Each worker keeps its own copy of the index (vectors and graph), so N workers need about
    N times the folder's vectors in memory: on a machine of many cores and a large folder, one
    per core would not fit. The copy is estimated from the size of the SQLite file (the vectors
    are most of it), which errs on the large side.
    """
    wanted = default_workers() if cores is None else cores
    if available is None:
        available = _available_bytes()
    try:
        folder = os.path.getsize(os.path.join(data, "chroma.sqlite3"))
    except OSError:
        folder = 0  # a new folder
    if available is None or wanted <= 1:
        return wanted
    each = WORKER_BASE_BYTES + folder
    fits = max(1, int(available * MEMORY_SHARE // each))
    if fits < wanted:
        logger.warning(
            "Serving with %d workers rather than one per core (%d): each holds its own copy of "
            "the index (about %.1f GB for this folder) and %.1f GB of memory are available. "
            "Set --workers to choose.",
            fits,
            wanted,
            each / 1e9,
            available / 1e9,
        )
        return fits
    return wanted


BACKLOG = 2048


def _bind(host: str, port: int) -> socket.socket:
    config = uvicorn.Config(app=None, host=host, port=port)  # type: ignore[arg-type]
    sock = config.bind_socket()
    # Listening at once: connections wait in the backlog until a worker has started.
    sock.listen(BACKLOG)
    return sock


def _die_with_parent(parent: int) -> None:  # pragma: no cover - runs in the worker process
    """A worker whose supervisor ``parent`` is gone (even by SIGKILL) stops too, instead of
    serving on. ``parent`` comes from the supervisor: one that died while this worker was
    still starting would otherwise go unnoticed (the kernel's death signal is asked for only
    now, and the parent pid read now would already be init's)."""
    if sys.platform.startswith("linux"):
        import ctypes

        with contextlib.suppress(OSError, AttributeError):
            ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)
    if os.getppid() != parent:
        os._exit(0)  # nothing opened yet: no engine to stop

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(1.0)
        os.kill(os.getpid(), signal.SIGTERM)

    threading.Thread(target=watch, name="chromadb-parent-watch", daemon=True).start()


# How long a worker with more connections than another waits before taking a pending one
# anyway (the other may be busy with a request): short next to a connection's life.
DEFER_S = 0.002
# How often a worker publishes its connection count when nothing is accepted.
PUBLISH_S = 0.1


class _FairAcceptor:
    """Accepts connections for one worker, one at a time, deferring to a less loaded worker.

    ``loads`` is shared memory holding each worker's open connections (published by each
    worker for itself). The listening socket is shared by all workers: whoever accepts first
    serves the connection, and a worker that loses the race simply finds nothing to accept.
    """

    def __init__(
        self,
        server: _WorkerServer,
        sock: socket.socket,
        loads: Any,
        slot: int,
        loop: asyncio.AbstractEventLoop,
    ) -> None:
        self.server = server
        self.sock = sock
        self.loads = loads
        self.slot = slot
        self.loop = loop
        self.reading = False
        self.closed = False
        self.publisher: Optional[asyncio.TimerHandle] = None

    def start(self) -> None:
        self.sock.setblocking(False)
        self._resume()
        self._publish()

    def close(self) -> None:
        self.closed = True
        self._pause()
        if self.publisher is not None:
            self.publisher.cancel()

    def _open(self) -> int:
        return len(self.server.server_state.connections)

    def _publish(self) -> None:
        self.loads[self.slot] = self._open()
        if not self.closed:
            self.publisher = self.loop.call_later(PUBLISH_S, self._publish)

    def _pause(self) -> None:
        if self.reading:
            self.loop.remove_reader(self.sock.fileno())
            self.reading = False

    def _resume(self, force: bool = False) -> None:
        if self.closed or self.reading:
            return
        self.reading = True
        self.loop.add_reader(self.sock.fileno(), self._ready, force)

    def _ready(self, force: bool) -> None:
        mine = self._open()
        self.loads[self.slot] = mine
        if not force and mine > min(self.loads):
            # Another worker holds fewer: give it the first chance.
            self._pause()
            self.loop.call_later(DEFER_S, self._resume, True)
            return
        try:
            conn, _ = self.sock.accept()
        except (BlockingIOError, InterruptedError):
            conn = None  # another worker took it
        except OSError as exc:  # out of file descriptors ...: back off instead of spinning
            logger.warning("Accepting a connection failed: %s", exc)
            self._pause()
            self.loop.call_later(0.1, self._resume)
            return
        if force:
            self._pause()
            self._resume()
        if conn is None:
            return
        self.loads[self.slot] = mine + 1
        conn.setblocking(False)
        self.loop.create_task(self._serve(conn))

    async def _serve(self, conn: socket.socket) -> None:
        try:
            await self.loop.connect_accepted_socket(self.server.protocol_factory(), sock=conn)
        except OSError:  # the client went away before its transport was made
            conn.close()


class _WorkerServer(uvicorn.Server):
    """uvicorn, minus its own listener: connections come from a ``_FairAcceptor``."""

    def __init__(self, config: uvicorn.Config, sock: socket.socket, loads: Any, slot: int):
        super().__init__(config)
        self.sock, self.loads, self.slot = sock, loads, slot
        self.acceptor: Optional[_FairAcceptor] = None

    def protocol_factory(self) -> Any:
        config = self.config
        protocol: Any = config.http_protocol_class  # uvicorn's own factory, as it builds it
        return functools.partial(
            protocol,
            config=config,
            server_state=self.server_state,
            app_state=self.lifespan.state,
        )

    async def startup(self, sockets: Optional[List[socket.socket]] = None) -> None:
        await super().startup(sockets=[])  # the lifespan, no listener
        self.acceptor = _FairAcceptor(
            self, self.sock, self.loads, self.slot, asyncio.get_running_loop()
        )
        self.acceptor.start()

    async def shutdown(self, sockets: Optional[List[socket.socket]] = None) -> None:
        if self.acceptor is not None:
            self.acceptor.close()
        await super().shutdown(sockets=sockets)


def _worker(
    sock: socket.socket,
    data: str,
    log_level: str,
    access_log: bool,
    loads: Any,
    slot: int,
    parent: int,
) -> None:  # pragma: no cover - runs in the worker process (covered by the server tests)
    _die_with_parent(parent)
    from chromadb.cli import _configure_logging
    from chromadb.config import Settings
    from chromadb.server.fastapi import FastAPI
    from chromadb.server.transport import JoinedWritesProtocol

    _configure_logging(log_level)
    settings = Settings(is_persistent=True, persist_directory=data, chroma_api_impl="local")
    try:
        app = FastAPI(settings).app()
    except Exception as exc:  # folder unusable, held by a maintenance command ...
        logger.error("Cannot open the data in %s: %s", data, exc)
        sys.exit(STARTUP_FAILED)
    config = uvicorn.Config(
        app,
        log_level=log_level,
        access_log=access_log,
        lifespan="on",
        http=JoinedWritesProtocol,
    )
    _WorkerServer(config, sock, loads, slot).run()


def serve(data: str, host: str, port: int, workers: int, log_level: str, access_log: bool) -> int:
    """Serve the folder ``data`` from ``workers`` processes on ``host:port`` until SIGINT or
    SIGTERM; returns the exit status (1 when a worker could not start)."""
    sock = _bind(host, port)
    bound_host, bound_port = sock.getsockname()[:2]
    context = multiprocessing.get_context("spawn")
    # Each worker's open connections, published by itself (see _FairAcceptor).
    loads: Sequence[int] = context.RawArray("i", workers)
    procs: Dict[int, Any] = {}
    started: Dict[int, float] = {}
    stopping: List[int] = []

    def start(slot: int) -> None:
        loads[slot] = 0  # type: ignore[index]
        proc = context.Process(
            target=_worker,
            args=(sock, data, log_level, access_log, loads, slot, os.getpid()),
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
