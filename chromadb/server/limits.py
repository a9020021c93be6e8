"""The request size limit, as ASGI middleware in front of the routes."""

from __future__ import annotations

from starlette.datastructures import Headers
from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from chromadb.server.errors import error_response


class BodySizeLimitMiddleware:
    """Refuses (413) request bodies larger than ``chroma_server_max_body_bytes``, by the declared
    length before reading anything, and by counting for bodies sent without a length."""

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    def _too_large(self, size: int) -> str:
        return (
            f"Request body of {size} bytes exceeds the server's limit of {self.max_bytes} bytes "
            "(chroma_server_max_body_bytes); send smaller batches"
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = Headers(scope=scope).get("content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.max_bytes:
            await error_response(413, "BatchSizeExceededError", self._too_large(int(declared)))(
                scope, receive, send
            )
            return
        received = 0

        async def counting_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    # FastAPI passes an HTTPException raised while reading the body through.
                    raise HTTPException(413, self._too_large(received))
            return message

        await self.app(scope, counting_receive, send)
