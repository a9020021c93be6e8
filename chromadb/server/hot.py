"""The hot route: v2 ``query`` served without FastAPI's routing, dependency resolution and
thread hop.

A query is the request a retrieval service sends most, and on a loaded server the framework's
own work per request (a stack of middleware, matching ~80 routes, resolving dependencies,
handing the call to a thread and back) cost more CPU than the search itself. ``HotRoutes``
stands in front of the whole application: it answers a well-formed, authenticated query of a
few embeddings on the event loop and hands everything else (any other route, a request CORS
must answer, a body over the size limit or that does not parse, failed credentials, any error)
to the full application, which answers exactly as it would have without this module. A query
is read-only, so running it again there to produce the error is safe.
"""

from __future__ import annotations

import re
from typing import Awaitable, Callable, Optional

from pydantic import ValidationError
from starlette.datastructures import Headers
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from chromadb.api import API
from chromadb.server import models as m
from chromadb.server.auth import Authenticator
from chromadb.server.codec import JSON_MEDIA_TYPE
from chromadb.server.deps import collection_id
from chromadb.server.routes_collections import query_answer
from chromadb.server.shapes import caller_of

_QUERY = re.compile(r"/api/v2/tenants/([^/]+)/databases/([^/]+)/collections/([^/]+)/query")
# Larger bodies (many queries in one call) take the full path: parsed and run in the thread pool,
# so that the event loop is not held for long.
HOT_BODY_MAX = 64 * 1024
# A single query costs about a millisecond: less than the hand-over to a thread and back.
# Batches of more run in the thread pool through the full application.
HOT_MAX_QUERIES = 4
_HEADERS = [(b"content-type", JSON_MEDIA_TYPE.encode())]


class HotRoutes:
    """Answers small v2 queries directly, in front of ``app`` (see the module's docstring)."""

    def __init__(
        self,
        api: API,
        authenticator: Optional[Authenticator],
        max_body_bytes: int,
        cors: bool,
    ) -> None:
        self.api = api
        self.authenticator = authenticator
        self.body_max = min(HOT_BODY_MAX, max_body_bytes)
        self.cors = cors

    async def __call__(self, scope: Scope, receive: Receive, send: Send, app: ASGIApp) -> None:
        found = self._match(scope)
        if found is None:
            await app(scope, receive, send)
            return
        body = await _read_body(receive)
        if body is None:  # the client went away
            return
        answer = self._answer(scope, body, *found)
        if answer is None:
            await app(scope, _replay(body, receive), send)
            return
        await send(
            {
                "type": "http.response.start",
                "status": 200,
                "headers": [*_HEADERS, (b"content-length", str(len(answer)).encode())],
            }
        )
        await send({"type": "http.response.body", "body": answer})

    def _match(self, scope: Scope) -> Optional[tuple[str, str, str]]:
        if scope["type"] != "http" or scope["method"] != "POST":
            return None
        found = _QUERY.fullmatch(scope["path"])
        if found is None:
            return None
        length: Optional[int] = None
        for name, value in scope["headers"]:
            if name == b"content-length":
                length = int(value) if value.isdigit() else None
            elif name == b"origin" and self.cors:
                return None  # CORS adds its headers to the answer
        if length is None or length > self.body_max:
            return None
        if self.authenticator is not None and self.authenticator.check(Headers(scope=scope)):
            return None  # the full application refuses it, with the same 401
        tenant, database, collection = found.groups()
        return tenant, database, collection

    def _answer(
        self, scope: Scope, body: bytes, tenant: str, database: str, collection: str
    ) -> Optional[bytes]:
        try:
            parsed = m.QueryRecords.model_validate_json(body)
        except ValidationError:
            return None
        if len(parsed.query_embeddings) > HOT_MAX_QUERIES:
            return None
        answers_at_once = getattr(self.api, "_answers_at_once", None)
        if answers_at_once is None:
            return None  # a backend that may wait (a remote one): its thread pool keeps serving
        filtered = bool(parsed.where or parsed.where_document or parsed.ids)
        try:
            # Only what is answered from memory at once runs on the event loop: the first query
            # of a collection (which loads its index) or one over a large backlog would hold up
            # every other request of this worker meanwhile.
            cid = collection_id(self.api, collection, tenant, database)
            if not answers_at_once(cid, filtered):
                return None
            return query_answer(self.api, cid, parsed, caller_of(Request(scope)))
        except Exception:  # noqa: BLE001 - the full application answers every error
            return None


async def _read_body(receive: Receive) -> Optional[bytes]:
    chunks = []
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            return None
        chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            return b"".join(chunks)


def _replay(body: bytes, receive: Receive) -> Callable[[], Awaitable[Message]]:
    """A ``receive`` that gives ``body`` again, then whatever the connection sends next."""
    given = False

    async def replay() -> Message:
        nonlocal given
        if not given:
            given = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return replay
