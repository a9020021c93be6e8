"""Client facades: a handle on a backend bound to one tenant and database, and the admin client."""

from __future__ import annotations

from typing import Any, Dict, List, Optional

from chromadb.api import API, ClientMethods
from chromadb.api.models.model import Database, Tenant
from chromadb.api.shared_system_client import SharedSystemClient, shared_system
from chromadb.api.shared_system_client import clear_system_cache as clear_system_cache
from chromadb.config import DEFAULT_DATABASE, DEFAULT_TENANT, Settings


class Client(SharedSystemClient, ClientMethods):
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

    def __repr__(self) -> str:
        return f"Client(tenant={self.tenant!r}, database={self.database!r})"


class AdminClient(SharedSystemClient):
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
