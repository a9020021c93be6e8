"""Basic authentication: ``Authorization: Basic base64(user:password)`` checked against
htpasswd lines ``user:<bcrypt hash>`` (as ``htpasswd -Bbn user password`` writes them)."""

from __future__ import annotations

import base64
import binascii
import hmac
from typing import Dict, Mapping

from chromadb.auth import (
    ClientAuthHeaders,
    ClientAuthProvider,
    ServerAuthenticationProvider,
    UserIdentity,
)
from chromadb.config import System
from chromadb.errors import AuthError, ChromaAuthError

__all__ = [
    "AUTHORIZATION_HEADER",
    "AuthError",
    "BasicAuthClientProvider",
    "BasicAuthenticationServerProvider",
    "ChromaAuthError",
]

AUTHORIZATION_HEADER = "Authorization"


class BasicAuthClientProvider(ClientAuthProvider):
    """Sends ``chroma_client_auth_credentials`` (``user:password``) as Basic credentials."""

    def __init__(self, system: System) -> None:
        super().__init__(system)
        self._credentials = str(system.settings.require("chroma_client_auth_credentials"))

    def authenticate(self) -> ClientAuthHeaders:
        token = base64.b64encode(self._credentials.encode("utf-8")).decode("ascii")
        return {AUTHORIZATION_HEADER: f"Basic {token}"}


def _bcrypt() -> object:
    try:
        import bcrypt
    except ImportError as exc:  # pragma: no cover - bcrypt is a dependency
        raise ImportError(
            "Basic auth with htpasswd files needs bcrypt: pip install bcrypt"
        ) from exc
    return bcrypt


class BasicAuthenticationServerProvider(ServerAuthenticationProvider):
    """Accepts the users of the credentials: ``user:<bcrypt hash>`` lines (a plain
    ``user:password``, as Chroma 0.4 took it, is accepted too)."""

    def __init__(self, system: System) -> None:
        super().__init__(system)
        self._users: Dict[str, str] = {}
        for line in self.read_creds_or_creds_file():
            parts = line.strip().split(":")
            if len(parts) != 2 or not all(parts):
                raise ValueError(
                    f"Invalid htpasswd credentials {line.strip()!r}: lines must be exactly "
                    "<username>:<bcrypt passwd>"
                )
            if parts[0] in self._users:
                raise ValueError(f"Duplicate username {parts[0]!r} in the credentials")
            self._users[parts[0]] = parts[1]

    def _password_matches(self, stored: str, password: str) -> bool:
        if stored.startswith(("$2a$", "$2b$", "$2y$")):
            bcrypt = _bcrypt()
            return bool(bcrypt.checkpw(password.encode("utf-8"), stored.encode("utf-8")))  # type: ignore[attr-defined]
        return hmac.compare_digest(stored.encode("utf-8"), password.encode("utf-8"))

    def authenticate_or_raise(self, headers: Mapping[str, str]) -> UserIdentity:
        scheme, _, value = headers.get("authorization", "").partition(" ")
        if scheme.lower() != "basic" or not value.strip():
            raise ChromaAuthError("Missing Basic credentials in the Authorization header")
        try:
            decoded = base64.b64decode(value.strip(), validate=True).decode("utf-8")
        except (binascii.Error, ValueError):
            raise ChromaAuthError("Malformed Basic credentials") from None
        user, sep, password = decoded.partition(":")
        stored = self._users.get(user)
        if not sep or stored is None or not self._password_matches(stored, password):
            raise ChromaAuthError("Invalid username or password")
        return UserIdentity(user_id=user)
