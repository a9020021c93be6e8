"""Token authentication: ``Authorization: Bearer <token>`` or ``X-Chroma-Token: <token>``."""

from __future__ import annotations

import enum
import hmac
import string
from typing import Dict, List, Mapping, Optional, TypedDict

from chromadb.auth import (
    ClientAuthHeaders,
    ClientAuthProvider,
    ServerAuthenticationProvider,
    UserIdentity,
)
from chromadb.config import System
from chromadb.errors import AuthError, ChromaAuthError

__all__ = [
    "AuthError",
    "ChromaAuthError",
    "TokenAuthClientProvider",
    "TokenAuthenticationServerProvider",
    "TokenTransportHeader",
    "User",
    "allowed_token_headers",
    "valid_token_chars",
]


class TokenTransportHeader(enum.StrEnum):
    """The headers a token may travel in."""

    AUTHORIZATION = "Authorization"
    X_CHROMA_TOKEN = "X-Chroma-Token"


valid_token_chars = set(string.digits + string.ascii_letters + string.punctuation)
allowed_token_headers = [h.value for h in TokenTransportHeader]


class User(TypedDict, total=False):
    """One user of a YAML credentials file: ``users: [{id, tokens, tenant, databases}]``."""

    id: str
    role: str
    tenant: str
    databases: List[str]
    tokens: List[str]


def _check_token(token: str) -> str:
    if not token or not all(c in valid_token_chars for c in token):
        raise ValueError(
            "Invalid token: it must contain only ASCII letters, digits and punctuation"
        )
    return token


def transport_header(value: Optional[str]) -> Optional[TokenTransportHeader]:
    """The header named by ``chroma_auth_token_transport_header`` (None when unset)."""
    if not value:
        return None
    for header in TokenTransportHeader:
        if value.lower().replace("_", "-") in (
            header.value.lower(),
            header.name.lower().replace("_", "-"),
        ):
            return header
    raise ValueError(
        f"Invalid token transport header {value!r}: expected one of {', '.join(allowed_token_headers)}"
    )


class TokenAuthClientProvider(ClientAuthProvider):
    """Sends ``chroma_client_auth_credentials`` as a token."""

    def __init__(self, system: System) -> None:
        super().__init__(system)
        self._token = _check_token(str(system.settings.require("chroma_client_auth_credentials")))
        header = transport_header(
            system.settings.chroma_auth_token_transport_header
            or system.settings.chroma_client_auth_token_transport_header
        )
        self._header = header or TokenTransportHeader.AUTHORIZATION

    def authenticate(self) -> ClientAuthHeaders:
        if self._header is TokenTransportHeader.AUTHORIZATION:
            return {"Authorization": f"Bearer {self._token}"}
        return {self._header.value: self._token}


class TokenAuthenticationServerProvider(ServerAuthenticationProvider):
    """Accepts the tokens of the credentials: one token (any user), or a YAML document
    ``users: [{id: ..., tokens: [...]}]``."""

    def __init__(self, system: System) -> None:
        super().__init__(system)
        settings = system.settings
        # No header configured: either header is accepted (as our server always has).
        self._header = transport_header(
            settings.chroma_auth_token_transport_header
            or settings.chroma_server_auth_token_transport_header
        )
        self._users: Dict[str, User] = {}
        lines = self.read_creds_or_creds_file()
        if len(lines) == 1:
            token = _check_token(lines[0].strip())
            self._users[token] = User(id="anonymous", tenant="*", databases=["*"], tokens=[token])
            return
        for user in _yaml_users("\n".join(lines)):
            if "tokens" not in user:
                raise ValueError(f"User {user.get('id')!r} in the credentials has no tokens")
            for token in user["tokens"]:
                _check_token(token)
                if token in self._users and self._users[token] is not user:
                    raise ValueError(f"A token is given to two users ({user.get('id')!r})")
                self._users[token] = user

    def _presented(self, headers: Mapping[str, str]) -> Optional[str]:
        bearer = headers.get("authorization", "")
        scheme, _, value = bearer.partition(" ")
        from_authorization = value.strip() if scheme.lower() == "bearer" else None
        if self._header is TokenTransportHeader.AUTHORIZATION:
            return from_authorization
        if self._header is TokenTransportHeader.X_CHROMA_TOKEN:
            return headers.get("x-chroma-token")
        return headers.get("x-chroma-token") or from_authorization

    def authenticate_or_raise(self, headers: Mapping[str, str]) -> UserIdentity:
        token = self._presented(headers)
        if not token:
            where = (
                self._header.value if self._header else "Authorization: Bearer or X-Chroma-Token"
            )
            raise ChromaAuthError(f"Missing token: send it in {where}")
        for known, user in self._users.items():
            # Constant-time comparison: the time taken says nothing about the tokens.
            if hmac.compare_digest(known.encode("utf-8"), token.encode("utf-8")):
                return UserIdentity(
                    user_id=str(user.get("id", "anonymous")),
                    tenant=user.get("tenant", "*"),
                    databases=user.get("databases", ["*"]),
                )
        raise ChromaAuthError("Invalid token")


def _yaml_users(text: str) -> List[User]:
    try:
        import yaml
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise ImportError(
            "A credentials file with several users is YAML: install pyyaml (pip install pyyaml)"
        ) from exc
    loaded = yaml.safe_load(text)
    if not isinstance(loaded, dict) or not isinstance(loaded.get("users"), list):
        raise ValueError("The token credentials must be one token or a YAML 'users:' list")
    return list(loaded["users"])
