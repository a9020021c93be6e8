"""Helpers for authenticated clients: the tenant and database a user's identity implies."""

from __future__ import annotations

from typing import Optional, Tuple

from chromadb.auth import UserIdentity
from chromadb.config import DEFAULT_DATABASE, DEFAULT_TENANT
from chromadb.errors import ChromaAuthError

__all__ = ["DEFAULT_DATABASE", "DEFAULT_TENANT", "maybe_set_tenant_and_database"]


def maybe_set_tenant_and_database(
    user_identity: UserIdentity,
    overwrite_singleton_tenant_database_access_from_auth: bool = False,
    user_provided_tenant: Optional[str] = None,
    user_provided_database: Optional[str] = None,
) -> Tuple[Optional[str], Optional[str]]:
    """The tenant and database to use: the user's own when the identity allows exactly one
    and the caller left them at the defaults; refuse a tenant the identity does not allow."""
    tenant, database = user_provided_tenant, user_provided_database
    allowed_tenant = user_identity.tenant
    if allowed_tenant and allowed_tenant != "*":
        if tenant not in (None, DEFAULT_TENANT, allowed_tenant):
            raise ChromaAuthError(f"Tenant {tenant!r} is not allowed for this user")
        if overwrite_singleton_tenant_database_access_from_auth or tenant in (None, DEFAULT_TENANT):
            tenant = allowed_tenant
    databases = user_identity.databases or []
    if len(databases) == 1 and databases[0] != "*":
        if (
            database in (None, DEFAULT_DATABASE)
            or overwrite_singleton_tenant_database_access_from_auth
        ):
            database = databases[0]
    return tenant, database
