"""Authentication, as ASGI middleware in front of the routes.

Token authentication is on when ``chroma_server_auth_credentials`` is set (and the provider,
if named, is a token provider): a request must carry ``Authorization: Bearer <token>`` or
``X-Chroma-Token: <token>``. With a basic provider the credentials are ``user:password`` and the
request must carry the matching ``Authorization: Basic``. Heartbeat, version, health, the
pre-flight checks, the API documentation and the console's page and assets stay open.
"""

from __future__ import annotations

import base64
import binascii
import hmac
from typing import Optional

from starlette.datastructures import Headers
from starlette.types import ASGIApp, Receive, Scope, Send

from chromadb.config import Settings
from chromadb.server.errors import error_response

OPEN_PATHS = frozenset(
    {
        "/",
        "/api/v1",
        "/api/v2",
        "/api/v1/heartbeat",
        "/api/v2/heartbeat",
        "/api/v1/version",
        "/api/v2/version",
        "/api/v2/healthcheck",
        "/api/v1/pre-flight-checks",
        "/api/v2/pre-flight-checks",
        "/openapi.json",
        "/docs",
    }
)
# The console's page and assets load before it can ask for a token; its data routes do not.
OPEN_PREFIXES = ("/console/static/",)


class Authenticator:
    """Checks the credentials of a request against the server's settings."""

    def __init__(self, scheme: str, secret: str) -> None:
        self.scheme = scheme
        self._secret = secret.encode("utf-8")

    @classmethod
    def from_settings(cls, settings: Settings) -> Optional[Authenticator]:
        """The authenticator the settings ask for, or None when authentication is off."""
        secret = settings.chroma_server_auth_credentials
        if not secret:
            return None
        provider = (settings.chroma_server_auth_provider or "token").lower()
        return cls("basic" if "basic" in provider else "token", secret)

    def _matches(self, presented: str) -> bool:
        # Constant-time comparison: the time taken says nothing about the secret.
        return hmac.compare_digest(presented.encode("utf-8"), self._secret)

    def check(self, headers: Headers) -> Optional[str]:
        """None when the request may pass, else why it may not."""
        authorization = headers.get("authorization", "")
        scheme, _, value = authorization.partition(" ")
        if self.scheme == "basic":
            if scheme.lower() != "basic" or not value:
                return "Missing Basic credentials in the Authorization header"
            try:
                decoded = base64.b64decode(value.strip(), validate=True).decode("utf-8")
            except (binascii.Error, ValueError):
                return "Malformed Basic credentials"
            return None if self._matches(decoded) else "Invalid credentials"
        token = headers.get("x-chroma-token")
        if token is None and scheme.lower() == "bearer":
            token = value.strip()
        if not token:
            return (
                "Missing token: send 'Authorization: Bearer <token>' or 'X-Chroma-Token: <token>'"
            )
        return None if self._matches(token) else "Invalid token"


class AuthMiddleware:
    """Refuses (401 ``AuthError``) requests to protected paths without valid credentials."""

    def __init__(self, app: ASGIApp, authenticator: Authenticator) -> None:
        self.app = app
        self.authenticator = authenticator

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["method"] != "OPTIONS":
            path = scope["path"].rstrip("/") or "/"
            if path not in OPEN_PATHS and not path.startswith(OPEN_PREFIXES):
                problem = self.authenticator.check(Headers(scope=scope))
                if problem is not None:
                    await error_response(401, "AuthError", problem)(scope, receive, send)
                    return
        await self.app(scope, receive, send)
