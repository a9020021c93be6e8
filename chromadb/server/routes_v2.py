"""The ``/api/v2`` routes of clients 0.5.16 and later (Python) and 1.9.3 and later (JS):
tenant and database in the path."""

from __future__ import annotations

from functools import partial
from typing import List

from fastapi import FastAPI

from chromadb.server import models as m
from chromadb.server import routes_collections
from chromadb.server import routes_system as s

PREFIX = "/api/v2"
TENANT = PREFIX + "/tenants/{tenant}"
DATABASE = TENANT + "/databases/{database}"


def register(app: FastAPI) -> None:
    """Add every v2 route to ``app`` (directly, so that the app's route list is flat)."""
    add = partial(app.add_api_route, tags=["v2"])
    add(PREFIX + "/heartbeat", s.heartbeat, methods=["GET"], response_model=m.HeartbeatOut)
    add(PREFIX + "/version", s.version, methods=["GET"], response_model=str)
    add(PREFIX + "/healthcheck", s.healthcheck, methods=["GET"], response_model=m.HealthOut)
    add(
        PREFIX + "/pre-flight-checks",
        s.pre_flight_checks,
        methods=["GET"],
        response_model=m.PreflightOut,
    )
    add(PREFIX + "/auth/identity", s.identity, methods=["GET"], response_model=m.IdentityOut)
    add(PREFIX + "/reset", s.reset, methods=["POST"], response_model=bool)
    add(PREFIX + "/raw_sql", s.raw_sql_rows, methods=["POST"], response_model=m.RawSqlOut)
    add(PREFIX + "/tenants", s.create_tenant, methods=["POST"], response_model=m.EmptyOut)
    add(TENANT, s.get_tenant, methods=["GET"], response_model=m.TenantOut)
    add(TENANT + "/databases", s.create_database, methods=["POST"], response_model=m.EmptyOut)
    add(
        TENANT + "/databases", s.list_databases, methods=["GET"], response_model=List[m.DatabaseOut]
    )
    add(DATABASE, s.get_database, methods=["GET"], response_model=m.DatabaseOut)
    add(DATABASE, s.delete_database, methods=["DELETE"], response_model=m.EmptyOut)
    add(DATABASE + "/collections_count", s.count_collections, methods=["GET"], response_model=int)
    add(
        PREFIX + "/collections/{crn}",
        routes_collections.get_collection_by_crn,
        methods=["GET"],
        response_model=m.CollectionOut,
    )
    routes_collections.register(add, DATABASE)
