"""The console's routes: the page at ``/``, its assets under ``/console/static/``, and the
routes the REST API has no equivalent for, under ``/console/api/tenants/{t}/databases/{d}``:

- ``GET  .../collections/{collection}/map``: the records' embeddings projected to 2-D,
- ``GET  .../collections/{collection}/map/colours?key=K``: their categories for metadata K,
- ``POST .../collections/{collection}/embed``: query text embedded by the collection's
  recorded embedding function (the browser cannot run the model).

Assets are open (the page must load before it can ask for a token); the API routes sit behind
the server's authentication like every other route.
"""

from __future__ import annotations

from importlib import resources
from typing import Annotated, Any, Dict, List

from fastapi import FastAPI, Query
from pydantic import BaseModel, Field
from starlette.responses import Response

from chromadb.config import DEFAULT_DATABASE, DEFAULT_TENANT
from chromadb.console.mapdata import DEFAULT_POINTS, MAX_POINTS, colours_json, map_json
from chromadb.console.querytext import embed_texts
from chromadb.errors import NotFoundError
from chromadb.server.codec import json_response
from chromadb.server.deps import ApiDep, collection_id, json_body

STATIC_PREFIX = "/console/static/"
API_PREFIX = "/console/api/tenants/{tenant}/databases/{database}/collections/{collection}"

_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".svg": "image/svg+xml",
    ".png": "image/png",
}
# The browser itself refuses anything from another origin (the console works offline), any
# inline script, and framing; inline style attributes are allowed (legend swatches).
_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'; "
    "frame-ancestors 'none'"
)
# Assets change with the installed package; the browser revalidates instead of guessing.
_HEADERS = {
    "Cache-Control": "no-cache",
    "X-Content-Type-Options": "nosniff",
    "Content-Security-Policy": _POLICY,
}


def _assets() -> Dict[str, bytes]:
    # Read once at startup: a fixed table, so a request can only ever name a shipped file.
    root = resources.files("chromadb.console").joinpath("static")
    found: Dict[str, bytes] = {}

    def walk(node: Any, prefix: str) -> None:
        for child in node.iterdir():
            name = prefix + child.name
            if child.is_dir():
                walk(child, name + "/")
            elif "." + name.rsplit(".", 1)[-1] in _TYPES:
                found[name] = child.read_bytes()

    walk(root, "")
    return found


def _asset_response(name: str, body: bytes) -> Response:
    media = _TYPES["." + name.rsplit(".", 1)[-1]]
    return Response(body, media_type=media, headers=_HEADERS)


Points = Annotated[int, Query(ge=1, le=MAX_POINTS)]


class EmbedBody(BaseModel):
    """Texts to embed for a query."""

    texts: List[str] = Field(min_length=1, max_length=16)


def register(app: FastAPI) -> None:
    """Serve the console on ``app``: ``/``, its assets, and its two API routes."""
    assets = _assets()

    async def index() -> Response:
        return _asset_response("index.html", assets["index.html"])

    async def asset(path: str) -> Response:
        body = assets.get(path)
        if body is None:
            raise NotFoundError(f"No console asset {path!r}")
        return _asset_response(path, body)

    def collection_map(
        collection: str,
        api: ApiDep,
        tenant: str = DEFAULT_TENANT,
        database: str = DEFAULT_DATABASE,
        method: str = "pca",
        limit: Points = DEFAULT_POINTS,
    ) -> Response:
        """The collection's records placed in 2-D."""
        cid = collection_id(api, collection, tenant, database)
        return json_response(map_json(api, cid, method, limit))

    def map_colours(
        collection: str,
        key: str,
        api: ApiDep,
        tenant: str = DEFAULT_TENANT,
        database: str = DEFAULT_DATABASE,
        limit: Points = DEFAULT_POINTS,
    ) -> Response:
        """The records' categories for metadata ``key``, to colour the map by."""
        cid = collection_id(api, collection, tenant, database)
        return json_response(colours_json(api, cid, key, limit))

    def embed(
        collection: str,
        body: Annotated[EmbedBody, json_body(EmbedBody)],
        api: ApiDep,
        tenant: str = DEFAULT_TENANT,
        database: str = DEFAULT_DATABASE,
    ) -> Response:
        """``texts`` embedded as the collection embeds its documents."""
        model = api._get_collection(collection, tenant=tenant, database=database)
        return json_response({"embeddings": embed_texts(model, body.texts)})

    hidden: Dict[str, Any] = {"include_in_schema": False}
    app.add_api_route("/", index, methods=["GET", "HEAD"], **hidden)
    app.add_api_route(STATIC_PREFIX + "{path:path}", asset, methods=["GET", "HEAD"], **hidden)
    app.add_api_route(API_PREFIX + "/map", collection_map, methods=["GET"], **hidden)
    app.add_api_route(API_PREFIX + "/map/colours", map_colours, methods=["GET"], **hidden)
    app.add_api_route(API_PREFIX + "/embed", embed, methods=["POST"], **hidden)
