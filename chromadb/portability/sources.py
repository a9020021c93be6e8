"""Open whatever a command is pointed at: a real Chroma folder, one of our folders, a server
URL or a Parquet file of ours."""

from __future__ import annotations

import os
from typing import Any, Callable

from chromadb.config import DEFAULT_DATABASE, DEFAULT_TENANT
from chromadb.engine import foreign
from chromadb.errors import InvalidArgumentError
from chromadb.portability.writer import Source


def is_url(location: str) -> bool:
    return location.startswith(("http://", "https://"))


def http_client(url: str, **kwargs: Any) -> Any:
    """A client for the server at ``url`` (``http://host:port``)."""
    import urllib.parse

    import chromadb

    parts = urllib.parse.urlsplit(url)
    if not parts.hostname:
        raise InvalidArgumentError(f"Not a server address: {url!r} (expected http://host:port)")
    ssl = parts.scheme == "https"
    port = parts.port or (443 if ssl else 80)
    return chromadb.HttpClient(host=parts.hostname, port=port, ssl=ssl, **kwargs)


def client_for(location: str) -> Callable[[str, str], Any]:
    """``(tenant, database) -> client`` for a folder of ours or a server; tenants and
    databases missing there are created."""
    import chromadb

    def make(tenant: str, database: str) -> Any:
        if is_url(location):
            admin = chromadb.AdminClient(http_client(location)._settings)
            base = http_client(location)
        else:
            base = chromadb.PersistentClient(path=location)
            admin = chromadb.AdminClient(base._settings)
        _ensure(admin, tenant, database)
        if is_url(location):
            return http_client(location, tenant=tenant, database=database)
        return chromadb.PersistentClient(path=location, tenant=tenant, database=database)

    return make


def _ensure(admin: Any, tenant: str, database: str) -> None:
    from chromadb.errors import ChromaError

    try:
        admin.get_tenant(tenant)
    except ChromaError:
        admin.create_tenant(tenant)
    try:
        admin.get_database(database, tenant=tenant)
    except ChromaError:
        admin.create_database(database, tenant=tenant)


def open_source(
    location: str, tenant: str = DEFAULT_TENANT, database: str = DEFAULT_DATABASE
) -> Source:
    """A reader for ``location``; raise InvalidArgumentError for what is not one. ``tenant``
    and ``database`` choose what is read from one of our folders or servers (a real Chroma
    folder or an export is read whole)."""
    if is_url(location):
        from chromadb.portability.client_source import ClientSource

        client = http_client(location, tenant=tenant, database=database)
        return ClientSource(client, location)
    if os.path.isfile(location):
        from chromadb.portability.parquet_file import ParquetSource

        return ParquetSource(location)
    kind = foreign.folder_kind(location)
    if kind == foreign.CHROMA_SQLITE:
        from chromadb.portability.chroma_sqlite import ChromaSqliteSource

        return ChromaSqliteSource(location)
    if kind == foreign.CHROMA_V03:
        from chromadb.portability.chroma_v03 import ChromaV03Source

        return ChromaV03Source(location)
    if os.path.isfile(os.path.join(location, foreign.DB_FILE)):
        import chromadb
        from chromadb.portability.client_source import ClientSource

        client = chromadb.PersistentClient(path=location, tenant=tenant, database=database)
        return ClientSource(client, f"folder {location}")
    raise InvalidArgumentError(
        f"{location} is neither a Chroma folder (chroma.sqlite3, or 0.3's Parquet files), "
        "a Parquet export, nor a server URL"
    )
