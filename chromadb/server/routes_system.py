"""Routes outside any collection: heartbeat, version, limits, reset, tenants and databases,
raw SQL. Handlers serve both API generations; ``routes_v1``/``routes_v2`` place them."""

from __future__ import annotations

from typing import Annotated, Any, Dict, List, Tuple

from starlette.responses import Response

from chromadb.api import API
from chromadb.config import DEFAULT_DATABASE, DEFAULT_TENANT
from chromadb.errors import AuthorizationError
from chromadb.server import models as m
from chromadb.server.codec import json_response
from chromadb.server.deps import ApiDep, PageSize, SettingsDep, json_body

# Request bodies, parsed straight from their bytes (see deps.json_body).
CreateDatabaseBody = Annotated[m.CreateDatabase, json_body(m.CreateDatabase)]
CreateTenantBody = Annotated[m.CreateTenant, json_body(m.CreateTenant)]
RawSqlBody = Annotated[m.RawSql, json_body(m.RawSql)]


async def heartbeat(api: ApiDep) -> Response:
    """The server's clock in nanoseconds: it is up."""
    return json_response({"nanosecond heartbeat": api._heartbeat()})


async def version(api: ApiDep) -> Response:
    """The chromadb version the server runs."""
    return json_response(api._get_version())


async def pre_flight_checks(api: ApiDep) -> Response:
    """Limits clients read before writing: the largest batch, and whether embeddings may
    travel as base64 float32."""
    return json_response(
        {"max_batch_size": api._get_max_batch_size(), "supports_base64_encoding": True}
    )


async def healthcheck() -> Response:
    """200 when the server is ready to serve."""
    return json_response({"is_executor_ready": True, "is_log_client_ready": True})


async def identity() -> Response:
    """Who the caller is: without multi-user auth, everyone is the default tenant."""
    return json_response({"user_id": "", "tenant": DEFAULT_TENANT, "databases": [DEFAULT_DATABASE]})


def reset(api: ApiDep) -> Response:
    """Delete everything; refused (403) unless the server runs with ``allow_reset``."""
    try:
        return json_response(api._reset())
    except AuthorizationError:
        # The client's own allow_reset cannot help here: only the server's setting does.
        raise AuthorizationError(
            "Reset is disabled on this server: start the server with ALLOW_RESET=TRUE in its "
            "environment (a client's allow_reset setting has no effect on the server)"
        ) from None


def persist() -> Response:
    """Kept for 0.3.x clients: every write is already on disk when it is acknowledged."""
    return json_response(True)


# -- tenants and databases -------------------------------------------------------------------
def create_tenant(body: CreateTenantBody, api: ApiDep) -> Response:
    """Create a tenant (409 if it exists)."""
    api.create_tenant(body.name)
    return json_response({})


def get_tenant(tenant: str, api: ApiDep) -> Response:
    """A tenant (404 if it does not exist)."""
    return json_response(api.get_tenant(tenant))


def create_database(
    body: CreateDatabaseBody, api: ApiDep, tenant: str = DEFAULT_TENANT
) -> Response:
    """Create a database in a tenant (409 if it exists)."""
    api.create_database(body.name, tenant=tenant)
    return json_response({})


def get_database(database: str, api: ApiDep, tenant: str = DEFAULT_TENANT) -> Response:
    """A database (404 if it does not exist)."""
    return json_response(api.get_database(database, tenant=tenant))


def list_databases(
    api: ApiDep,
    tenant: str = DEFAULT_TENANT,
    limit: PageSize = None,
    offset: PageSize = None,
) -> Response:
    """The databases of a tenant."""
    return json_response(api.list_databases(limit, offset, tenant=tenant))


def delete_database(database: str, api: ApiDep, tenant: str = DEFAULT_TENANT) -> Response:
    """Delete a database and every collection in it."""
    api.delete_database(database, tenant=tenant)
    return json_response({})


def count_collections(
    api: ApiDep, tenant: str = DEFAULT_TENANT, database: str = DEFAULT_DATABASE
) -> Response:
    """How many collections a database holds."""
    return json_response(api._count_collections(tenant=tenant, database=database))


# -- raw SQL ---------------------------------------------------------------------------------
def run_raw_sql(api: API, allowed: bool, sql: str) -> Tuple[List[str], List[Tuple[Any, ...]]]:
    """Run read-only SQL for an HTTP caller, if the server allows it at all."""
    if not allowed:
        raise AuthorizationError(
            "raw_sql is disabled on this server; start it with "
            "CHROMA_SERVER_ALLOW_RAW_SQL=true to allow read-only SQL over HTTP"
        )
    return api._raw_sql(sql)


def raw_sql_rows(body: RawSqlBody, api: ApiDep, settings: SettingsDep) -> Response:
    """Read-only SQL, answered as column names and rows."""
    columns, rows = run_raw_sql(api, settings.chroma_server_allow_raw_sql, body.raw_sql)
    return json_response({"columns": columns, "rows": [list(row) for row in rows]})


def raw_sql_columns(body: RawSqlBody, api: ApiDep, settings: SettingsDep) -> Response:
    """Read-only SQL answered column by column, which 0.3.x clients load with
    ``pandas.DataFrame.from_dict`` (a repeated column name gets a ``_2``... suffix)."""
    columns, rows = run_raw_sql(api, settings.chroma_server_allow_raw_sql, body.raw_sql)
    out: Dict[str, List[Any]] = {}
    for i, name in enumerate(columns):
        key, n = name, 1
        while key in out:
            n += 1
            key = f"{name}_{n}"
        out[key] = [row[i] for row in rows]
    return json_response(out)
