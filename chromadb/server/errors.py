"""The server's one translation of exceptions into answers: ``{"error": Name, "message": text}``.

- ``ChromaError`` -> its status and name.
- A body or parameter that fails validation, or malformed JSON -> 400 ``InvalidArgumentError``.
- Starlette's own errors (unknown route, wrong method, body too large) -> their status.
- A plain ``ValueError`` from below -> 400 (it always means bad input there).
- Anything else -> a logged 500 ``InternalError``: a bug, never the answer to bad input.
"""

from __future__ import annotations

import logging
from typing import Any, Dict, Mapping, Optional, Sequence

from fastapi import FastAPI
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from chromadb.errors import ChromaError, InternalError, InvalidArgumentError, class_for_status
from chromadb.server.codec import json_response

logger = logging.getLogger("chromadb.server")


def error_response(
    status_code: int, name: str, message: str, headers: Optional[Mapping[str, str]] = None
) -> Response:
    """The JSON error answer every failure takes."""
    response = json_response({"error": name, "message": message}, status_code=status_code)
    response.headers.update(headers or {})
    return response


def _describe_validation(errors: Sequence[Any]) -> str:
    parts = []
    for err in errors[:5]:
        loc = ".".join(str(p) for p in err.get("loc", ()) if p != "body") or "body"
        parts.append(f"{loc}: {err.get('msg', 'invalid')}")
    more = f" (and {len(errors) - 5} more)" if len(errors) > 5 else ""
    return "Invalid request: " + "; ".join(parts) + more


def _allowed_methods(request: Request) -> Optional[Dict[str, str]]:
    # Starlette's 405 names the methods of the first route on the path only; a path served by
    # several routes (GET and POST on /collections) must list them all.
    methods: set[str] = set()
    for route in request.app.routes:
        if isinstance(route, Route) and route.methods and route.path_regex.match(request.url.path):
            methods |= route.methods
    return {"Allow": ", ".join(sorted(methods))} if methods else None


def to_response(exc: BaseException, request: Optional[Request] = None) -> Response:
    """Turn any exception raised while serving a request into its JSON answer."""
    if isinstance(exc, ChromaError):
        return error_response(exc.code(), exc.name(), exc.message or str(exc))
    if isinstance(exc, RequestValidationError):
        return error_response(400, InvalidArgumentError.name(), _describe_validation(exc.errors()))
    if isinstance(exc, StarletteHTTPException):
        # Statuses that reach us without a ChromaError (routing, body size) take the name of
        # the class that stands for the status.
        name = class_for_status(exc.status_code).name()
        headers = exc.headers
        if exc.status_code == 405 and request is not None:
            headers = _allowed_methods(request) or headers
        return error_response(exc.status_code, name, str(exc.detail), headers)
    if isinstance(exc, ValueError):
        return error_response(400, InvalidArgumentError.name(), str(exc))
    logger.error("Unexpected error while serving a request", exc_info=exc)
    return error_response(500, InternalError.name(), f"{type(exc).__name__}: {exc}")


async def _handle(request: Request, exc: Exception) -> Response:
    return to_response(exc, request)


class CatchAllMiddleware:
    """Answers an exception no handler took with the logged 500 of ``to_response``, instead of
    Starlette's plain-text page (and without re-raising it into the server's log twice)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def send_tracking(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, receive, send_tracking)
        except Exception as exc:
            if started:
                raise
            await to_response(exc)(scope, receive, send)


def install_error_handlers(app: FastAPI) -> None:
    """Route every handled exception type through ``to_response``."""
    for exc_type in (ChromaError, RequestValidationError, StarletteHTTPException, ValueError):
        app.add_exception_handler(exc_type, _handle)
    app.add_middleware(CatchAllMiddleware)
