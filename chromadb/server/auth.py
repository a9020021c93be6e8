"""Authentication, as ASGI middleware in front of the routes.

Authentication is on when Chroma's settings name a provider or credentials
(``CHROMA_SERVER_AUTHN_PROVIDER``, ``CHROMA_SERVER_AUTHN_CREDENTIALS`` or ``..._FILE``, and the 0.4
``CHROMA_SERVER_AUTH_*`` names): see ``chromadb.auth`` for the token and basic (htpasswd, bcrypt)
providers and ``CHROMA_AUTH_TOKEN_TRANSPORT_HEADER``. Heartbeat, version, health, the
pre-flight checks, the API documentation and the console's page and assets stay open.
"""

from __future__ import annotations

from typing import Optional

from starlette.datastructures import Headers
from starlette.types import ASGIApp, Receive, Scope, Send

from chromadb.auth import ServerAuthenticationProvider, server_authenticator
from chromadb.config import Settings
from chromadb.errors import ChromaError
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
    """Checks the credentials of a request with the provider the server's settings name."""

    def __init__(self, provider: ServerAuthenticationProvider) -> None:
        self.provider = provider

    @classmethod
    def from_settings(cls, settings: Settings) -> Optional[Authenticator]:
        """The authenticator the settings ask for, or None when authentication is off."""
        provider = server_authenticator(settings)
        return cls(provider) if provider is not None else None

    def check(self, headers: Headers) -> Optional[str]:
        """None when the request may pass, else why it may not."""
        try:
            self.provider.authenticate_or_raise({k.lower(): v for k, v in headers.items()})
        except ChromaError as exc:
            return exc.message or "Invalid credentials"
        return None


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
