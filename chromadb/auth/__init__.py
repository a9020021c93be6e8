"""Authentication with Chroma's own settings and provider names.

Server side, ``chroma_server_authn_provider`` (``CHROMA_SERVER_AUTHN_PROVIDER``) names a provider:
``chromadb.auth.token_authn.TokenAuthenticationServerProvider`` or
``chromadb.auth.basic_authn.BasicAuthenticationServerProvider`` (the 0.4 names
``chromadb.auth.token.TokenAuthServerProvider`` / ``chromadb.auth.basic.BasicAuthServerProvider``
and plain ``token`` / ``basic`` work too). Its secrets come from
``chroma_server_authn_credentials`` or ``chroma_server_authn_credentials_file``: a token, a
YAML list of users with tokens, or htpasswd lines ``user:<bcrypt hash>``.

Client side, ``chroma_client_auth_provider`` and ``chroma_client_auth_credentials`` pick the
headers our HTTP clients send; ``chroma_auth_token_transport_header`` (``Authorization`` or
``X-Chroma-Token``) says where a token travels.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import Any, Dict, List, Mapping, Optional

from chromadb.config import Component, Settings, System
from chromadb.errors import AuthError as AuthError
from chromadb.errors import ChromaAuthError


@dataclass
class UserIdentity:
    """Who a request was authenticated as, and what it may reach."""

    user_id: str
    tenant: Optional[str] = None
    databases: Optional[List[str]] = None
    attributes: Dict[str, Any] = field(default_factory=dict)


ClientAuthHeaders = Dict[str, str]


class ClientAuthProvider(Component):
    """Gives the headers a client sends to authenticate."""

    def __init__(self, system: System) -> None:
        super().__init__(system)
        self._settings = system.settings

    def authenticate(self) -> ClientAuthHeaders:
        """The headers to send with every request."""
        raise NotImplementedError


class ServerAuthenticationProvider(Component):
    """Checks a request's headers; raises ``ChromaAuthError`` when they do not authenticate."""

    def __init__(self, system: System) -> None:
        super().__init__(system)
        self._settings = system.settings

    def authenticate_or_raise(self, headers: Mapping[str, str]) -> UserIdentity:
        """The identity the (lower-cased) headers prove, or raise ``ChromaAuthError``."""
        raise NotImplementedError

    def read_creds_or_creds_file(self) -> List[str]:
        """The credential lines, from the settings' credentials or their file (not both)."""
        return credential_lines(self._settings)


def credential_lines(settings: Settings) -> List[str]:
    """The lines of ``chroma_server_authn_credentials`` or of its ``..._file`` (one, not both)."""
    given = settings.chroma_server_authn_credentials or settings.chroma_server_auth_credentials
    path = (
        settings.chroma_server_authn_credentials_file
        or settings.chroma_server_auth_credentials_file
    )
    if given and path:
        raise ValueError(
            "Both credentials and a credentials file are set: give only one of "
            "chroma_server_authn_credentials and chroma_server_authn_credentials_file"
        )
    if path:
        with open(path, encoding="utf-8") as fh:
            return [line.rstrip("\n") for line in fh if line.strip()]
    if given:
        return [line for line in given.split("\n") if line]
    raise ValueError(
        "No credentials: set chroma_server_authn_credentials or "
        "chroma_server_authn_credentials_file"
    )


class AuthzAction(enum.StrEnum):
    """What a request does, for an authorization provider."""

    RESET = "system:reset"
    CREATE_TENANT = "tenant:create_tenant"
    GET_TENANT = "tenant:get_tenant"
    CREATE_DATABASE = "db:create_database"
    GET_DATABASE = "db:get_database"
    DELETE_DATABASE = "db:delete_database"
    LIST_DATABASES = "db:list_databases"
    LIST_COLLECTIONS = "db:list_collections"
    COUNT_COLLECTIONS = "db:count_collections"
    CREATE_COLLECTION = "db:create_collection"
    GET_OR_CREATE_COLLECTION = "db:get_or_create_collection"
    GET_COLLECTION = "collection:get_collection"
    DELETE_COLLECTION = "collection:delete_collection"
    UPDATE_COLLECTION = "collection:update_collection"
    ADD = "collection:add"
    DELETE = "collection:delete"
    GET = "collection:get"
    QUERY = "collection:query"
    COUNT = "collection:count"
    UPDATE = "collection:update"
    UPSERT = "collection:upsert"


@dataclass
class AuthzResource:
    """What a request reaches, for an authorization provider."""

    tenant: Optional[str] = None
    database: Optional[str] = None
    collection: Optional[str] = None


class ServerAuthorizationProvider(Component):
    """Decides whether an authenticated user may do an action (none is configured by
    default: every authenticated request is allowed)."""

    def authorize_or_raise(
        self, user: UserIdentity, action: AuthzAction, resource: AuthzResource
    ) -> None:
        raise NotImplementedError


def _kind(provider: Optional[str]) -> Optional[str]:
    """``token`` or ``basic`` for any spelling of a provider name, None when unset."""
    if not provider:
        return None
    lowered = provider.lower()
    if "basic" in lowered:
        return "basic"
    if "token" in lowered:
        return "token"
    raise ValueError(
        f"Unknown auth provider {provider!r}: expected a token or basic provider, e.g. "
        "chromadb.auth.token_authn.TokenAuthenticationServerProvider"
    )


def server_authenticator(settings: Settings) -> Optional[ServerAuthenticationProvider]:
    """The authentication provider the server's settings ask for, or None when it is off."""
    kind = _kind(settings.chroma_server_authn_provider or settings.chroma_server_auth_provider)
    has_credentials = bool(
        settings.chroma_server_authn_credentials
        or settings.chroma_server_authn_credentials_file
        or settings.chroma_server_auth_credentials
        or settings.chroma_server_auth_credentials_file
    )
    if kind is None and not has_credentials:
        return None
    system = System(settings)
    if kind == "basic":
        from chromadb.auth.basic_authn import BasicAuthenticationServerProvider

        return BasicAuthenticationServerProvider(system)
    from chromadb.auth.token_authn import TokenAuthenticationServerProvider

    return TokenAuthenticationServerProvider(system)


def client_auth_headers(settings: Settings) -> Dict[str, str]:
    """The headers a client with these settings sends to authenticate (none without
    credentials)."""
    if not settings.chroma_client_auth_credentials:
        return {}
    system = System(settings)
    if _kind(settings.chroma_client_auth_provider) == "basic":
        from chromadb.auth.basic_authn import BasicAuthClientProvider

        return BasicAuthClientProvider(system).authenticate()
    from chromadb.auth.token_authn import TokenAuthClientProvider

    return TokenAuthClientProvider(system).authenticate()


__all__ = [
    "AuthError",
    "AuthzAction",
    "AuthzResource",
    "ChromaAuthError",
    "ClientAuthHeaders",
    "ClientAuthProvider",
    "ServerAuthenticationProvider",
    "ServerAuthorizationProvider",
    "UserIdentity",
    "client_auth_headers",
    "credential_lines",
    "server_authenticator",
]
