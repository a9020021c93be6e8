"""Client facades: a handle on a backend bound to one tenant and database, and the admin client."""

from __future__ import annotations

import threading
from typing import Any, Dict, List, Optional, Tuple

from chromadb.api import API, ClientMethods
from chromadb.api.models.model import Database, Tenant
from chromadb.config import DEFAULT_DATABASE, DEFAULT_TENANT, Settings, System

_systems: Dict[Tuple[str, ...], System] = {}
_systems_lock = threading.Lock()


def _identity(settings: Settings) -> Tuple[str, ...]:
    if settings.is_rest():
        return (
            "rest",
            str(settings.chroma_server_host),
            str(settings.chroma_server_http_port),
            str(settings.chroma_server_ssl_enabled),
            repr(sorted((settings.chroma_server_headers or {}).items())),
            str(settings.chroma_client_auth_credentials),
        )
    if settings.persistent():
        import os

        return ("persistent", os.path.realpath(settings.persist_directory))
    return ("ephemeral",)


def shared_system(settings: Settings) -> System:
    """One System per place the data lives, so that two clients on the same folder (or two
    in-memory clients) in one process see the same data, as in Chroma."""
    key = _identity(settings)
    with _systems_lock:
        system = _systems.get(key)
        if system is None:
            system = System(settings)
            system.instance(API)
            system.start()
            _systems[key] = system
        return system


def clear_system_cache() -> None:
    """Stop and forget every shared System (tests use this to start afresh)."""
    with _systems_lock:
        systems = list(_systems.values())
        _systems.clear()
    for system in systems:
        system.stop()


class Client(ClientMethods):
    """A client bound to one tenant and database.

    Build one with ``chromadb.Client()``, ``chromadb.PersistentClient(path)``,
    ``chromadb.HttpClient(host, port)`` or ``chromadb.EphemeralClient()``.
    """

    def __init__(
        self,
        settings: Optional[Settings] = None,
        tenant: str = DEFAULT_TENANT,
        database: str = DEFAULT_DATABASE,
    ) -> None:
        self._settings = settings if settings is not None else Settings()
        self._system = shared_system(self._settings)
        self._api = self._system.instance(API)
        self.tenant = tenant
        self.database = database
        if (tenant, database) != (DEFAULT_TENANT, DEFAULT_DATABASE):
            self._api.get_tenant(tenant)
            self._api.get_database(database, tenant=tenant)

    def _server(self) -> API:
        return self._api

    def backup(self, dest: str) -> Dict[str, Any]:
        """Write a consistent snapshot of this client's data folder into the new folder
        ``dest`` while writes go on (``chroma restore`` brings it back); returns the backup's
        manifest. Only for persistent clients: a server is backed up where it runs."""
        from chromadb.errors import InvalidArgumentError
        from chromadb.portability.backup import backup_folder

        if self._settings.is_rest() or not self._settings.persistent():
            raise InvalidArgumentError(
                "backup() needs a PersistentClient; back up a server with chroma backup --path"
            )
        return backup_folder(self._settings.persist_directory, dest)

    def set_tenant(self, tenant: str, database: str = DEFAULT_DATABASE) -> None:
        """Point this client at another tenant (and database); both must exist."""
        self._api.get_tenant(tenant)
        self._api.get_database(database, tenant=tenant)
        self.tenant, self.database = tenant, database

    def set_database(self, database: str) -> None:
        """Point this client at another database of its tenant; it must exist."""
        self._api.get_database(database, tenant=self.tenant)
        self.database = database

    def clear_system_cache(self) -> None:
        clear_system_cache()

    def __repr__(self) -> str:
        return f"Client(tenant={self.tenant!r}, database={self.database!r})"


class AdminClient:
    """Manages tenants and databases.

    Examples:
        ```python
        admin = chromadb.AdminClient()
        admin.create_tenant("acme")
        admin.create_database("docs", tenant="acme")
        client = chromadb.Client(tenant="acme", database="docs")
        ```
    """

    def __init__(self, settings: Optional[Settings] = None) -> None:
        self._api = shared_system(settings if settings is not None else Settings()).instance(API)

    def create_tenant(self, name: str) -> None:
        self._api.create_tenant(name)

    def get_tenant(self, name: str) -> Tenant:
        return self._api.get_tenant(name)

    def create_database(self, name: str, tenant: str = DEFAULT_TENANT) -> None:
        self._api.create_database(name, tenant=tenant)

    def get_database(self, name: str, tenant: str = DEFAULT_TENANT) -> Database:
        return self._api.get_database(name, tenant=tenant)

    def delete_database(self, name: str, tenant: str = DEFAULT_TENANT) -> None:
        self._api.delete_database(name, tenant=tenant)

    def list_databases(
        self,
        limit: Optional[int] = None,
        offset: Optional[int] = None,
        tenant: str = DEFAULT_TENANT,
    ) -> List[Database]:
        return self._api.list_databases(limit, offset, tenant=tenant)
