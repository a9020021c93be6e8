"""The catalog: tenants, databases and collections in SQLite, and the one rule that turns a
collection's metadata and configuration into its index settings.

Every function takes a connection (inside ``Store.tx()`` for writes) and binds every value;
nothing here is cached, so every process reads the catalog as SQLite holds it.
"""

from __future__ import annotations

import json
import sqlite3
import uuid
from typing import Any, Dict, List, Mapping, Optional, Tuple
from uuid import UUID

from chromadb.api.models.model import CollectionModel, Database
from chromadb.engine.records import KEY
from chromadb.engine.validation import SPACES
from chromadb.errors import InvalidArgumentError, NotFoundError, UniqueConstraintError

# (our key, the 1.x configuration key) of each index setting; metadata spells ours "hnsw:<key>".
_HNSW_KEYS = (
    ("space", "space"),
    ("M", "max_neighbors"),
    ("construction_ef", "ef_construction"),
    ("search_ef", "ef_search"),
)


def hnsw_settings(
    metadata: Optional[Mapping[str, Any]], configuration: Optional[Mapping[str, Any]]
) -> Dict[str, Any]:
    """Index settings of a collection, from the ``configuration["hnsw"]`` object (Chroma 1.x)
    and the ``hnsw:*`` metadata keys (Chroma 0.4-0.6). Where both name a setting the
    configuration wins, as in real Chroma 1.x."""
    config = (configuration or {}).get("hnsw")
    config = config if isinstance(config, Mapping) else {}
    out: Dict[str, Any] = {}
    for key, config_key in _HNSW_KEYS:
        value = config.get(config_key)
        if value is None:
            value = (metadata or {}).get(f"hnsw:{key}")
        if value is not None:
            out[key] = value
    return out


def space_of(
    metadata: Optional[Mapping[str, Any]], configuration: Optional[Mapping[str, Any]]
) -> str:
    """The distance function of a collection (``l2`` unless it names another)."""
    space = hnsw_settings(metadata, configuration).get("space", "l2")
    return space if isinstance(space, str) else "l2"


def check_space(space: Any) -> None:
    if space is not None and space not in SPACES:
        raise InvalidArgumentError(f"Invalid hnsw space {space!r}: expected one of l2, ip, cosine")


# -- tenants and databases ----------------------------------------------------------------------
def tenant_exists(conn: sqlite3.Connection, name: str) -> bool:
    return conn.execute("SELECT 1 FROM tenants WHERE name = ?", (name,)).fetchone() is not None


def insert_tenant(conn: sqlite3.Connection, name: str) -> None:
    if tenant_exists(conn, name):
        raise UniqueConstraintError(f"Tenant {name} already exists")
    conn.execute("INSERT INTO tenants (name) VALUES (?)", (name,))


def find_database(conn: sqlite3.Connection, tenant: str, name: str) -> Optional[Database]:
    row = conn.execute(
        "SELECT id, name, tenant FROM databases WHERE tenant = ? AND name = ?", (tenant, name)
    ).fetchone()
    return Database(id=row[0], name=row[1], tenant=row[2]) if row else None


def get_database(conn: sqlite3.Connection, tenant: str, name: str) -> Database:
    db = find_database(conn, tenant, name)
    if db is None:
        raise NotFoundError(f"Database {name} does not exist for tenant {tenant}")
    return db


def insert_database(conn: sqlite3.Connection, tenant: str, name: str) -> None:
    if find_database(conn, tenant, name) is not None:
        raise UniqueConstraintError(f"Database {name} already exists for tenant {tenant}")
    conn.execute(
        "INSERT INTO databases (id, name, tenant) VALUES (?, ?, ?)",
        (str(uuid.uuid4()), name, tenant),
    )


def delete_database(conn: sqlite3.Connection, database_id: str) -> None:
    conn.execute("DELETE FROM databases WHERE id = ?", (database_id,))


def list_databases(
    conn: sqlite3.Connection, tenant: str, limit: Optional[int], offset: int
) -> List[Database]:
    rows = conn.execute(
        "SELECT id, name, tenant FROM databases WHERE tenant = ? ORDER BY rowid LIMIT ? OFFSET ?",
        (tenant, -1 if limit is None else limit, offset),
    ).fetchall()
    return [Database(id=r[0], name=r[1], tenant=r[2]) for r in rows]


# -- collections --------------------------------------------------------------------------------
_COLUMNS = (
    "c.id, c.name, c.metadata, c.configuration, c.dimension, d.tenant, d.name "
    "FROM catalog_collections c JOIN databases d ON d.id = c.database_id"
)


def _model(row: Tuple[Any, ...]) -> CollectionModel:
    return CollectionModel(
        id=UUID(row[0]),
        name=row[1],
        metadata=json.loads(row[2]) if row[2] else None,
        configuration=json.loads(row[3]) if row[3] else {},
        dimension=row[4],
        tenant=row[5],
        database=row[6],
    )


def list_collections(
    conn: sqlite3.Connection, database_id: str, limit: Optional[int], offset: int
) -> List[CollectionModel]:
    rows = conn.execute(
        f"SELECT {_COLUMNS} WHERE c.database_id = ? ORDER BY c.created_seq LIMIT ? OFFSET ?",
        (database_id, -1 if limit is None else limit, offset),
    ).fetchall()
    return [_model(r) for r in rows]


def count_collections(conn: sqlite3.Connection, database_id: str) -> int:
    row = conn.execute(
        "SELECT count(*) FROM catalog_collections WHERE database_id = ?", (database_id,)
    ).fetchone()
    return int(row[0])


def find_collection(
    conn: sqlite3.Connection, database_id: str, name_or_id: str
) -> Optional[CollectionModel]:
    row = conn.execute(
        f"SELECT {_COLUMNS} WHERE c.database_id = ? AND (c.name = ? OR c.id = ?)",
        (database_id, name_or_id, name_or_id),
    ).fetchone()
    return _model(row) if row else None


def collection_by_name(
    conn: sqlite3.Connection, database_id: str, name: str
) -> Optional[CollectionModel]:
    row = conn.execute(
        f"SELECT {_COLUMNS} WHERE c.database_id = ? AND c.name = ?", (database_id, name)
    ).fetchone()
    return _model(row) if row else None


def collection_by_id(conn: sqlite3.Connection, cid: str) -> Optional[CollectionModel]:
    row = conn.execute(f"SELECT {_COLUMNS} WHERE c.id = ?", (cid,)).fetchone()
    return _model(row) if row else None


def insert_collection(
    conn: sqlite3.Connection,
    seq: int,
    database_id: str,
    name: str,
    metadata: Optional[Dict[str, Any]],
    configuration: Dict[str, Any],
) -> str:
    """A new collection's row; returns its id. Raises if the name is taken."""
    if name_taken(conn, database_id, name):
        raise UniqueConstraintError(f"Collection {name} already exists")
    cid = str(uuid.uuid4())
    conn.execute(
        "INSERT INTO catalog_collections "
        "(id, name, database_id, metadata, configuration, created_seq, key) "
        "VALUES (?, ?, ?, ?, ?, ?, ?)",
        (
            cid,
            name,
            database_id,
            json.dumps(metadata) if metadata else None,
            json.dumps(configuration),
            seq,
            # Its records' key: the log sequence of its creation, which no other collection
            # had or will have (the sequence never goes back, and each creation takes one).
            seq,
        ),
    )
    return cid


def name_taken(conn: sqlite3.Connection, database_id: str, name: str) -> bool:
    return (
        conn.execute(
            "SELECT 1 FROM catalog_collections WHERE database_id = ? AND name = ?",
            (database_id, name),
        ).fetchone()
        is not None
    )


def rename_collection(conn: sqlite3.Connection, cid: str, name: str) -> None:
    conn.execute("UPDATE catalog_collections SET name = ? WHERE id = ?", (name, cid))


def set_collection_metadata(conn: sqlite3.Connection, cid: str, metadata: Dict[str, Any]) -> None:
    conn.execute(
        "UPDATE catalog_collections SET metadata = ? WHERE id = ?", (json.dumps(metadata), cid)
    )


def set_collection_configuration(
    conn: sqlite3.Connection, cid: str, configuration: Dict[str, Any]
) -> None:
    conn.execute(
        "UPDATE catalog_collections SET configuration = ? WHERE id = ?",
        (json.dumps(configuration), cid),
    )


def merge_configuration(old: Mapping[str, Any], new: Mapping[str, Any]) -> Dict[str, Any]:
    """``modify``'s configuration update: objects merge key by key, other values replace."""
    config = dict(old)
    for key, value in new.items():
        before = config.get(key)
        if isinstance(before, dict) and isinstance(value, dict):
            config[key] = {**before, **value}
        else:
            config[key] = value
    return config


def delete_collection_rows(conn: sqlite3.Connection, cid: str) -> None:
    """Every row of a collection: records, their vectors (cascade), FTS rows, log, catalog."""
    conn.execute(
        "DELETE FROM documents_fts WHERE rowid IN "
        f"(SELECT label FROM records WHERE collection = {KEY})",
        (cid,),
    )
    conn.execute(f"DELETE FROM records WHERE collection = {KEY}", (cid,))
    conn.execute("DELETE FROM deletions WHERE collection_id = ?", (cid,))
    conn.execute("DELETE FROM catalog_collections WHERE id = ?", (cid,))
