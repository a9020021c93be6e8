"""Plain records that backends exchange: a collection as stored, a tenant, a database."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Any, Dict, Optional, TypedDict

from chromadb.config import DEFAULT_DATABASE, DEFAULT_TENANT


@dataclass
class CollectionModel:
    """A collection as the backend stores it (no embedding function: that is client-side)."""

    id: uuid.UUID
    name: str
    metadata: Optional[Dict[str, Any]] = None
    configuration: Dict[str, Any] = field(default_factory=dict)
    dimension: Optional[int] = None
    tenant: str = DEFAULT_TENANT
    database: str = DEFAULT_DATABASE


class Tenant(TypedDict):
    name: str


class Database(TypedDict):
    id: str
    name: str
    tenant: str
