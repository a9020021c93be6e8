"""Collection and record routes, registered once under ``/api/v1`` (tenant and database as
optional query parameters) and once under ``/api/v2/tenants/{tenant}/databases/{database}``.

The same handler serves both: FastAPI reads ``tenant``/``database`` from the path where the path
names them and from the query string otherwise. Handlers are plain ``def`` so FastAPI runs them
in its thread pool (the engine blocks and is thread-safe).
"""

from __future__ import annotations

from typing import Annotated, Any, Callable, Dict, List, Optional, cast
from uuid import UUID

from starlette.requests import Request
from starlette.responses import Response

from chromadb.api import API
from chromadb.api.types import (
    DEFAULT_GET_INCLUDE,
    DEFAULT_QUERY_INCLUDE,
    Documents,
    Metadatas,
    URIs,
    normalize_include,
)
from chromadb.config import DEFAULT_DATABASE, DEFAULT_TENANT
from chromadb.errors import InvalidArgumentError
from chromadb.server import models as m
from chromadb.server.codec import (
    JSON_MEDIA_TYPE,
    decode_embeddings,
    dumps,
    json_response,
    tagged_metadatas,
)
from chromadb.server.deps import ApiDep, PageSize, check_batch_size, collection_id, is_v1, json_body
from chromadb.server.shapes import (
    Caller,
    caller_of,
    collection_json,
    configuration_in,
    result_json,
)

# Request bodies, parsed straight from their bytes (see deps.json_body).
AddRecordsBody = Annotated[m.AddRecords, json_body(m.AddRecords)]
CreateCollectionBody = Annotated[m.CreateCollection, json_body(m.CreateCollection)]
DeleteRecordsBody = Annotated[m.DeleteRecords, json_body(m.DeleteRecords)]
GetRecordsBody = Annotated[m.GetRecords, json_body(m.GetRecords)]
QueryRecordsBody = Annotated[m.QueryRecords, json_body(m.QueryRecords)]
SearchRecordsBody = Annotated[m.SearchRecords, json_body(m.SearchRecords)]
UpdateCollectionBody = Annotated[m.UpdateCollection, json_body(m.UpdateCollection)]


def _filter(value: Optional[Dict[str, Any]]) -> Optional[Dict[str, Any]]:
    # Clients of the 0.3-0.5 era send {} on every call: an empty filter is no filter.
    return value or None


# -- collections -----------------------------------------------------------------------------
def list_collections(
    request: Request,
    api: ApiDep,
    tenant: str = DEFAULT_TENANT,
    database: str = DEFAULT_DATABASE,
    limit: PageSize = None,
    offset: PageSize = None,
) -> Response:
    """The collections of a database, in creation order."""
    caller = caller_of(request)
    models = api._list_collections(limit, offset, tenant=tenant, database=database)
    return json_response([collection_json(model, caller) for model in models])


def create_collection(
    request: Request,
    body: CreateCollectionBody,
    api: ApiDep,
    tenant: str = DEFAULT_TENANT,
    database: str = DEFAULT_DATABASE,
) -> Response:
    """Create a collection (with ``get_or_create``, return the existing one unchanged)."""
    model = api._create_collection(
        body.name,
        metadata=body.metadata,
        configuration=configuration_in(body.configuration, body.schema_),
        get_or_create=body.get_or_create,
        tenant=tenant,
        database=database,
    )
    return json_response(collection_json(model, caller_of(request)))


def get_collection(
    request: Request,
    collection: str,
    api: ApiDep,
    tenant: str = DEFAULT_TENANT,
    database: str = DEFAULT_DATABASE,
) -> Response:
    """A collection by name or id."""
    model = api._get_collection(collection, tenant=tenant, database=database)
    return json_response(collection_json(model, caller_of(request)))


def get_collection_by_crn(request: Request, crn: str, api: ApiDep) -> Response:
    """A collection by its resource name, ``tenant:database:name`` (real Chroma 1.x)."""
    parts = crn.split(":")
    if len(parts) != 3 or not all(parts):
        raise InvalidArgumentError(
            f"Expected a collection resource name of the form tenant:database:name, got {crn!r}"
        )
    tenant, database, name = parts
    model = api._get_collection(name, tenant=tenant, database=database)
    return json_response(collection_json(model, caller_of(request)))


def indexing_status(
    collection: str,
    api: ApiDep,
    tenant: str = DEFAULT_TENANT,
    database: str = DEFAULT_DATABASE,
) -> Response:
    """How much of the collection queries see: all of it, always (vectors not yet in the graph
    are searched exactly), so every operation counts as indexed."""
    total = api._count(collection_id(api, collection, tenant, database))
    return json_response(
        {
            "num_indexed_ops": total,
            "num_unindexed_ops": 0,
            "total_ops": total,
            "op_indexing_progress": 1.0,
        }
    )


def update_collection(
    request: Request,
    collection: str,
    body: UpdateCollectionBody,
    api: ApiDep,
    tenant: str = DEFAULT_TENANT,
    database: str = DEFAULT_DATABASE,
) -> Response:
    """Rename a collection and/or replace its metadata; answers the collection as stored."""
    model = api._modify(
        collection_id(api, collection, tenant, database),
        new_name=body.new_name,
        new_metadata=body.new_metadata,
        new_configuration=configuration_in(body.new_configuration),
    )
    return json_response(collection_json(model, caller_of(request)))


def delete_collection(
    collection: str,
    api: ApiDep,
    tenant: str = DEFAULT_TENANT,
    database: str = DEFAULT_DATABASE,
) -> Response:
    """Delete a collection (by name or id) and its records."""
    api._delete_collection(collection, tenant=tenant, database=database)
    return json_response({})


# -- records ---------------------------------------------------------------------------------
def _write_args(api: API, body: m.AddRecords) -> tuple[Any, ...]:
    check_batch_size(api, len(body.ids))
    return (
        body.ids,
        decode_embeddings(body.embeddings, "embeddings"),
        cast(Optional[Metadatas], body.metadatas),
        cast(Optional[Documents], body.documents),
        cast(Optional[URIs], body.uris),
    )


def _written(request: Request, status_code: int = 200) -> Response:
    # The 0.3-0.5 servers answered `true`; 1.x answers an empty object.
    return json_response(True if is_v1(request) else {}, status_code=status_code)


def add(
    request: Request,
    collection: str,
    body: AddRecordsBody,
    api: ApiDep,
    tenant: str = DEFAULT_TENANT,
    database: str = DEFAULT_DATABASE,
) -> Response:
    """Add records; every id must be new, and the batch is stored whole or not at all."""
    cid = collection_id(api, collection, tenant, database)
    ids, embeddings, metadatas, documents, uris = _write_args(api, body)
    api._add(cid, ids, embeddings, metadatas, documents, uris)
    return _written(request, 201)


def update(
    request: Request,
    collection: str,
    body: AddRecordsBody,
    api: ApiDep,
    tenant: str = DEFAULT_TENANT,
    database: str = DEFAULT_DATABASE,
) -> Response:
    """Update existing records; unknown ids are skipped."""
    cid = collection_id(api, collection, tenant, database)
    api._update(cid, *_write_args(api, body))
    return _written(request)


def upsert(
    request: Request,
    collection: str,
    body: AddRecordsBody,
    api: ApiDep,
    tenant: str = DEFAULT_TENANT,
    database: str = DEFAULT_DATABASE,
) -> Response:
    """Add the records that are new and update those that exist."""
    cid = collection_id(api, collection, tenant, database)
    ids, embeddings, metadatas, documents, uris = _write_args(api, body)
    api._upsert(cid, ids, embeddings, metadatas, documents, uris)
    return _written(request)


def get(
    request: Request,
    collection: str,
    body: GetRecordsBody,
    api: ApiDep,
    tenant: str = DEFAULT_TENANT,
    database: str = DEFAULT_DATABASE,
) -> Response:
    """Records by id and/or filter, paged by limit/offset."""
    cid = collection_id(api, collection, tenant, database)
    include = normalize_include(body.include, DEFAULT_GET_INCLUDE)
    result = api._get(
        cid,
        ids=body.ids,
        where=_filter(body.where),
        limit=body.limit,
        offset=body.offset,
        where_document=_filter(body.where_document),
        include=include,
    )
    return json_response(
        result_json(cast(Dict[str, Any], result), list(include), False, caller_of(request))
    )


def query(
    request: Request,
    collection: str,
    body: QueryRecordsBody,
    api: ApiDep,
    tenant: str = DEFAULT_TENANT,
    database: str = DEFAULT_DATABASE,
) -> Response:
    """The nearest records to each query embedding, nearest first."""
    cid = collection_id(api, collection, tenant, database)
    answer = query_answer(api, cid, body, caller_of(request))
    return Response(content=answer, media_type=JSON_MEDIA_TYPE)


def query_answer(api: API, cid: UUID, body: m.QueryRecords, caller: Caller) -> bytes:
    """The JSON body answering a query of collection ``cid``; shared by the route and
    ``chromadb.server.hot``."""
    include = normalize_include(body.include, DEFAULT_QUERY_INCLUDE)
    result = api._query(
        cid,
        query_embeddings=decode_embeddings(body.query_embeddings, "query_embeddings") or [],
        n_results=body.n_results,
        where=_filter(body.where),
        where_document=_filter(body.where_document),
        include=include,
        ids=body.ids,
    )
    return dumps(result_json(cast(Dict[str, Any], result), list(include), True, caller))


def search(
    collection: str,
    body: SearchRecordsBody,
    api: ApiDep,
    tenant: str = DEFAULT_TENANT,
    database: str = DEFAULT_DATABASE,
) -> Response:
    """Hybrid search: each entry of ``searches`` ranked and filtered (Chroma's Search API)."""
    from chromadb.engine.search import parse_searches

    cid = collection_id(api, collection, tenant, database)
    if body.read_level is not None and body.read_level not in _READ_LEVELS:
        raise InvalidArgumentError(
            f"Unknown read_level {body.read_level!r}; expected one of {', '.join(_READ_LEVELS)}"
        )
    searches = parse_searches(body.searches)
    result = api._search(cid, searches, tenant=tenant, database=database)
    answer = dict(result)
    answer["metadatas"] = tagged_metadatas(answer.get("metadatas"), nested=True)
    return json_response(answer)


_READ_LEVELS = ("index_and_wal", "index_only", "index_and_bounded_wal")


def delete(
    request: Request,
    collection: str,
    body: DeleteRecordsBody,
    api: ApiDep,
    tenant: str = DEFAULT_TENANT,
    database: str = DEFAULT_DATABASE,
) -> Response:
    """Delete the records matching ids and filters (all records when none is given)."""
    cid = collection_id(api, collection, tenant, database)
    deleted = api._delete(
        cid,
        ids=body.ids,
        where=_filter(body.where),
        where_document=_filter(body.where_document),
        limit=body.limit,
    )
    if is_v1(request):
        return json_response(list(deleted))
    return json_response({"deleted": len(deleted), "ids": list(deleted)})


def count(
    collection: str,
    api: ApiDep,
    tenant: str = DEFAULT_TENANT,
    database: str = DEFAULT_DATABASE,
) -> Response:
    """The number of records in a collection."""
    return json_response(api._count(collection_id(api, collection, tenant, database)))


def create_index(
    collection: str,
    api: ApiDep,
    tenant: str = DEFAULT_TENANT,
    database: str = DEFAULT_DATABASE,
) -> Response:
    """Bring a collection's vector index up to date and into memory (it always is kept so)."""
    return json_response(api._create_index(collection_id(api, collection, tenant, database)))


def register(add_route: Callable[..., Any], prefix: str) -> None:
    """Add the collection and record routes under ``prefix`` with ``add_route`` (an
    ``add_api_route``)."""
    base = prefix + "/collections"
    one = base + "/{collection}"
    routes: List[tuple[str, Any, str, Any, int]] = [
        (base, list_collections, "GET", List[m.CollectionOut], 200),
        (base, create_collection, "POST", m.CollectionOut, 200),
        (one, get_collection, "GET", m.CollectionOut, 200),
        (base + "/by-id/{collection}", get_collection, "GET", m.CollectionOut, 200),
        (one + "/indexing_status", indexing_status, "GET", m.IndexingStatusOut, 200),
        (one, update_collection, "PUT", m.CollectionOut, 200),
        (one, delete_collection, "DELETE", m.EmptyOut, 200),
        (one + "/add", add, "POST", Any, 201),
        (one + "/update", update, "POST", Any, 200),
        (one + "/upsert", upsert, "POST", Any, 200),
        (one + "/get", get, "POST", m.GetResultOut, 200),
        (one + "/query", query, "POST", m.QueryResultOut, 200),
        (one + "/search", search, "POST", Any, 200),
        (one + "/delete", delete, "POST", Any, 200),
        (one + "/count", count, "GET", int, 200),
        (one + "/create_index", create_index, "POST", bool, 200),
    ]
    for path, handler, method, answer, status_code in routes:
        add_route(path, handler, methods=[method], response_model=answer, status_code=status_code)
