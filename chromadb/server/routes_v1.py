"""The ``/api/v1`` routes of the 0.3-0.5 era: no tenant in the path (optional ``tenant`` and
``database`` query parameters instead), plus the seed-era ``persist`` and column-wise
``raw_sql``."""

from __future__ import annotations

from functools import partial
from typing import Any, List

from fastapi import FastAPI

from chromadb.server import models as m
from chromadb.server import routes_collections
from chromadb.server import routes_system as s

PREFIX = "/api/v1"


def register(app: FastAPI) -> None:
    """Add every v1 route to ``app`` (directly, so that the app's route list is flat)."""
    add = partial(app.add_api_route, tags=["v1"])
    add(PREFIX, s.heartbeat, methods=["GET"], response_model=m.HeartbeatOut)
    add(PREFIX + "/heartbeat", s.heartbeat, methods=["GET"], response_model=m.HeartbeatOut)
    add(PREFIX + "/version", s.version, methods=["GET"], response_model=str)
    add(
        PREFIX + "/pre-flight-checks",
        s.pre_flight_checks,
        methods=["GET"],
        response_model=m.PreflightOut,
    )
    add(PREFIX + "/reset", s.reset, methods=["POST"], response_model=bool)
    add(PREFIX + "/persist", s.persist, methods=["POST"], response_model=bool)
    add(PREFIX + "/raw_sql", s.raw_sql_columns, methods=["POST"], response_model=Any)
    add(PREFIX + "/tenants", s.create_tenant, methods=["POST"], response_model=m.EmptyOut)
    add(PREFIX + "/tenants/{tenant}", s.get_tenant, methods=["GET"], response_model=m.TenantOut)
    add(PREFIX + "/databases", s.create_database, methods=["POST"], response_model=m.EmptyOut)
    add(
        PREFIX + "/databases", s.list_databases, methods=["GET"], response_model=List[m.DatabaseOut]
    )
    add(
        PREFIX + "/databases/{database}",
        s.get_database,
        methods=["GET"],
        response_model=m.DatabaseOut,
    )
    add(PREFIX + "/count_collections", s.count_collections, methods=["GET"], response_model=int)
    routes_collections.register(add, PREFIX)
