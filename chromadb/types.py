"""Plain records of the database (as ``chromadb.types`` in Chroma): a collection as stored, a
tenant, a database, and the shared type aliases."""

from __future__ import annotations

from chromadb.api.models.model import CollectionModel, Database, Tenant
from chromadb.base_types import (
    LiteralValue,
    Metadata,
    SparseVector,
    UpdateMetadata,
    Vector,
    Where,
    WhereDocument,
)

# Chroma calls the stored record of a collection ``chromadb.types.Collection``.
Collection = CollectionModel

__all__ = [
    "Collection",
    "CollectionModel",
    "Database",
    "LiteralValue",
    "Metadata",
    "SparseVector",
    "Tenant",
    "UpdateMetadata",
    "Vector",
    "Where",
    "WhereDocument",
]
