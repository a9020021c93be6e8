"""The ``chroma`` command: ``chroma run --path ./chroma_data --host 127.0.0.1 --port 8000``.

Also runnable as ``python -m chromadb.cli run ...``. Other settings come from the environment
(``ALLOW_RESET=TRUE``, ``CHROMA_SERVER_AUTH_CREDENTIALS=...``; see ``chromadb.config.Settings``).
"""

from __future__ import annotations

import argparse
import logging
import os
import socket
import sys
from typing import TYPE_CHECKING, Callable, List, Optional

import uvicorn

if TYPE_CHECKING:
    from chromadb.api import API
    from chromadb.config import Settings

LOG_LEVELS = ["critical", "error", "warning", "info", "debug"]
logger = logging.getLogger("chromadb.cli")


def _parser() -> argparse.ArgumentParser:
    from chromadb import __version__
    from chromadb.commands import check, model, portability
    from chromadb.commands import ray as ray_command
    from chromadb.server.environment import environment_help

    parser = argparse.ArgumentParser(prog="chroma", description="chromadb command line")
    parser.add_argument("--version", action="version", version=f"chromadb {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    run = commands.add_parser(
        "run",
        help="run the chromadb server on a data folder",
        description="Serve the database in PATH over HTTP (the v1 and v2 REST API).",
        epilog=environment_help()
        + "\n\n`make run` in a clone of the repository runs this command with the make\n"
        "variables HOST, PORT, DATA and WORKERS (defaults 127.0.0.1, 8000, ./chroma_data,\n"
        "auto), e.g.\n"
        "  make run HOST=0.0.0.0 PORT=9000 DATA=/srv/chroma WORKERS=4",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    run.add_argument("--path", default="./chroma_data", help="data folder (default ./chroma_data)")
    run.add_argument(
        "--host",
        default="127.0.0.1",
        help="address to bind (default 127.0.0.1: local only; 0.0.0.0 for every interface)",
    )
    run.add_argument("--port", type=_port, default=8000, help="port (default 8000; 0 picks one)")
    run.add_argument(
        "--workers",
        type=_workers,
        default="auto",
        help="server processes sharing the data folder: a number, or auto (one per core; "
        "the default)",
    )
    run.add_argument("--log-level", choices=LOG_LEVELS, default="info", help="default info")
    run.add_argument("--access-log", action="store_true", help="log every request (off by default)")
    ray_command.add_run_options(run)
    run.set_defaults(handler=_run_command)
    model.register(commands)
    ray_command.register(commands)
    portability.register(commands)
    check.register(commands)
    return parser


def _port(text: str) -> int:
    try:
        port = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a port number, got {text!r}") from None
    if not 0 <= port <= 65535:
        raise argparse.ArgumentTypeError(f"port must be between 0 and 65535, got {port}")
    return port


def _listen(host: str, port: int) -> socket.socket:
    """Bind the server's socket now, before the database opens: a busy port is reported at
    once and the data is not touched. uvicorn serves on this socket."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError:
        sock.close()
        raise
    return sock


def _configure_logging(level: str) -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(levelname)-8s %(name)s: %(message)s"))
    root = logging.getLogger("chromadb")
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    root.propagate = False


class _AnnouncingServer(uvicorn.Server):
    """Logs the address once the socket listens (uvicorn's own line depends on its log level)."""

    async def startup(self, sockets: Optional[List[socket.socket]] = None) -> None:
        await super().startup(sockets=sockets)
        for server in getattr(self, "servers", []):
            for sock in server.sockets:
                host, port = sock.getsockname()[:2]
                logger.info("Chroma server listening on http://%s:%s", host, port)


def run(
    path: str,
    host: str,
    port: int,
    log_level: str = "info",
    access_log: bool = False,
    workers: int = 1,
    api_factory: Optional[Callable[[Settings], API]] = None,
) -> int:
    """Serve the database in ``path`` on ``host:port`` until interrupted (Ctrl-C or SIGTERM),
    then stop the engine cleanly; with ``workers`` > 1 from that many processes. Returns the
    exit status."""
    from chromadb.config import Settings
    from chromadb.errors import ChromaError
    from chromadb.server.fastapi import FastAPI

    _configure_logging(log_level)
    data = os.path.abspath(path)
    try:
        sock = _listen(host, port)
    except OSError as exc:
        logger.error(
            "Cannot listen on %s port %s: %s; stop what uses it or choose another --port",
            host,
            port,
            exc.strerror or exc,
        )
        return 1
    if os.path.exists(data) and not os.path.isdir(data):
        sock.close()
        logger.error("Cannot open the data in %s: it is a file, not a folder", data)
        return 1
    settings = Settings(is_persistent=True, persist_directory=data, chroma_api_impl="local")
    logger.info("Chroma data in %s", data)
    if workers > 1:
        from chromadb.engine.store import Store
        from chromadb.server import workers as multi

        sock.close()  # the port was free; the workers bind it themselves
        try:
            # Create (or upgrade) the file once, here: workers opening a new folder together
            # race to switch it to WAL mode, and one of them could fail with "locked".
            Store(data).close()
        except (ChromaError, OSError) as exc:
            logger.error("Cannot open the data in %s: %s", data, exc)
            return 1
        status = multi.serve(data, host, port, workers, log_level, access_log)
        logger.info("Chroma server stopped; data in %s", data)
        return status
    try:
        app = FastAPI(settings, api=api_factory(settings) if api_factory else None).app()
    except (ChromaError, OSError) as exc:  # folder in use, unreadable, not a folder ...
        sock.close()
        logger.error("Cannot open the data in %s: %s", data, exc)
        return 1
    from chromadb.server.transport import JoinedWritesProtocol

    config = uvicorn.Config(
        app,
        host=host,
        port=port,
        log_level=log_level,
        access_log=access_log,
        lifespan="on",
        http=JoinedWritesProtocol,
    )
    try:
        _AnnouncingServer(config).run(sockets=[sock])
    except KeyboardInterrupt:
        # uvicorn has already shut down gracefully (engine stopped) and re-raises Ctrl-C.
        pass
    logger.info("Chroma server stopped; data in %s", data)
    return 0


def main(argv: Optional[List[str]] = None) -> int:
    """Entry point of the ``chroma`` console script."""
    parser = _parser()
    args = parser.parse_args(argv)
    handler = getattr(args, "handler", None)
    if handler is None:
        parser.print_help()
        return 2
    status: int = handler(args)
    return status


def _run_command(args: argparse.Namespace) -> int:
    from chromadb.commands import ray as ray_command
    from chromadb.server.workers import auto_workers

    factory = ray_command.api_factory(args)
    if factory is not None:
        workers = 1  # a Ray frontend is one process: it coordinates the shards' replicas
    else:
        workers = auto_workers(args.path) if args.workers == "auto" else int(args.workers)
    return run(
        args.path,
        args.host,
        args.port,
        args.log_level,
        args.access_log,
        workers,
        api_factory=factory,
    )


def _workers(text: str) -> str:
    if text == "auto" or (text.isdigit() and int(text) >= 1):
        return text
    raise argparse.ArgumentTypeError(f"expected a number of at least 1, or auto; got {text!r}")


if __name__ == "__main__":
    sys.exit(main())
