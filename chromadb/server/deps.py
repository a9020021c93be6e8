"""What route handlers receive besides their parameters: the backend, the server settings and
request bodies.

``get_api``/``get_settings`` are ``async`` so that FastAPI resolves them on the event loop
instead of spending a thread hop on each.
"""

from __future__ import annotations

from typing import Annotated, Any, Optional, Type, TypeVar
from uuid import UUID

from fastapi import Depends, Query
from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel, ValidationError
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request

from chromadb.api import API
from chromadb.config import Settings
from chromadb.errors import BatchSizeExceededError
from chromadb.server.models import MAX_INT


async def get_api(request: Request) -> API:
    api: API = request.app.state.api
    return api


async def get_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


M = TypeVar("M", bound=BaseModel)
ApiDep = Annotated[API, Depends(get_api)]
# limit/offset query parameters: non-negative, and within SQLite's 64-bit integers.
PageSize = Annotated[Optional[int], Query(ge=0, le=MAX_INT)]
SettingsDep = Annotated[Settings, Depends(get_settings)]


# Bodies up to this size are parsed on the event loop (tens of microseconds for a query's
# body; a hop to the thread pool costs more than that); larger ones, say an add of thousands of
# embeddings, in the thread pool so that the loop keeps serving other requests meanwhile.
INLINE_PARSE_MAX = 64 * 1024


def json_body(model: Type[M]) -> Any:
    """A dependency giving the request body as ``model``, parsed straight from its bytes.

    pydantic's own JSON parser is several times faster than FastAPI's ``json.loads`` then
    validate, which matters for bodies carrying thousands of embeddings. A body that is not JSON
    or does not fit raises ``RequestValidationError`` (a 400). ``chromadb.server.openapi``
    documents the body from ``body_model``.
    """

    def validate(raw: bytes) -> M:
        try:
            return model.model_validate_json(raw)
        except ValidationError as exc:
            raise RequestValidationError(exc.errors(include_url=False)) from None

    async def parse(request: Request) -> M:
        raw = await request.body()
        if len(raw) <= INLINE_PARSE_MAX:
            return validate(raw)
        return await run_in_threadpool(validate, raw)

    parse.body_model = model  # type: ignore[attr-defined]
    return Depends(parse)


def is_v1(request: Request) -> bool:
    """True for the routes of the 0.3-0.5 era, whose answers differ in small ways."""
    return request.url.path.startswith("/api/v1")


def collection_id(api: API, segment: str, tenant: str, database: str) -> UUID:
    """The collection a path segment names. Clients put the id there for record operations and
    (0.3.x) the name in others, so both are accepted: a UUID is taken as an id (ids are unique
    across tenants, and clients of the v1 routes send no tenant for record operations);
    anything else is looked up as a name in the tenant and database."""
    try:
        return UUID(segment)
    except ValueError:
        return api._get_collection(segment, tenant=tenant, database=database).id


def check_batch_size(api: API, size: int) -> None:
    """Refuse a batch larger than the server advertises in its pre-flight checks."""
    limit = api._get_max_batch_size()
    if size > limit:
        raise BatchSizeExceededError(
            f"Batch of {size} records exceeds the maximum batch size of {limit}; "
            "split it (chromadb.utils.batch_utils.create_batches does this)"
        )
