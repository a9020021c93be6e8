"""The chromadb server: a FastAPI application over any implementation of the ``API`` contract.

Examples:
    ```python
    from chromadb.config import Settings
    from chromadb.server.fastapi import FastAPI

    app = FastAPI(Settings(is_persistent=True, persist_directory="./chroma_data")).app()
    # uvicorn.run(app, host="127.0.0.1", port=8000)
    ```
"""

from __future__ import annotations

import logging
from contextlib import asynccontextmanager
from importlib import resources
from typing import AsyncIterator, Optional, Type, cast

import fastapi
from fastapi.middleware.cors import CORSMiddleware
from starlette.responses import HTMLResponse
from starlette.types import Receive, Scope, Send

from chromadb import console
from chromadb.api import API
from chromadb.config import Settings, System
from chromadb.server import routes_v1, routes_v2
from chromadb.server.auth import Authenticator, AuthMiddleware
from chromadb.server.errors import install_error_handlers
from chromadb.server.hot import HotRoutes
from chromadb.server.limits import BodySizeLimitMiddleware
from chromadb.server.openapi import openapi_builder

logger = logging.getLogger("chromadb.server")


def _docs_page() -> HTMLResponse:
    # A self-contained API explorer that reads /openapi.json: it needs no network (no CDN).
    page = resources.files("chromadb.server").joinpath("static/docs.html").read_text("utf-8")
    return HTMLResponse(page)


class _Application(fastapi.FastAPI):
    """FastAPI with the hot route (``chromadb.server.hot``) in front of all of it."""

    hot: Optional[HotRoutes] = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if self.hot is None:
            await super().__call__(scope, receive, send)
        else:
            await self.hot(scope, receive, send, super().__call__)


class FastAPI:
    """Builds the server application for ``settings``.

    The backend is the embedded engine (``settings`` with ``chroma_api_impl`` forced to local),
    unless an ``api`` is given. The engine is started now and stopped when the application
    shuts down.
    """

    def __init__(self, settings: Settings, api: Optional[API] = None) -> None:
        self._settings = settings
        self._system: Optional[System] = None
        if api is None:
            local = settings.model_copy(update={"chroma_api_impl": "local"})
            self._system = System(local)
            # The System maps the abstract contract to the embedded engine.
            api = self._system.instance(cast(Type[API], API))
            self._system.start()
        self._api = api

    @property
    def api(self) -> API:
        """The backend the routes call."""
        return self._api

    def close(self) -> None:
        """Stop the engine this server started (the application's shutdown does this too)."""
        if self._system is not None:
            self._system.stop()
            self._system = None

    def app(self) -> fastapi.FastAPI:
        """The ASGI application: v1 and v2 routes, auth, CORS, body-size limit, offline docs."""

        @asynccontextmanager
        async def lifespan(_: fastapi.FastAPI) -> AsyncIterator[None]:
            yield
            if self._system is not None:
                logger.info("Stopping the database engine")
                self.close()

        from chromadb._version import __version__

        application = _Application(
            title="chromadb",
            version=__version__,
            description="A Chroma-compatible embedding database (v1 and v2 REST API).",
            docs_url=None,
            redoc_url=None,
            openapi_url="/openapi.json",
            lifespan=lifespan,
            # Python clients 0.3-0.6 send JSON bodies without a Content-Type header.
            strict_content_type=False,
        )
        application.state.api = self._api
        application.state.settings = self._settings
        routes_v1.register(application)
        routes_v2.register(application)
        # A backend may serve routes of its own (a Ray frontend: placement, rebalance).
        # Looked up on the class: an API object may answer any attribute (a proxy, a test fake).
        register_routes = getattr(type(self._api), "register_routes", None)
        if register_routes is not None:
            register_routes(self._api, application)
        application.add_api_route("/docs", _docs_page, methods=["GET"], include_in_schema=False)
        console.register(application)
        application.openapi = openapi_builder(application)  # type: ignore[method-assign]
        self._add_middleware(application)
        return application

    def _add_middleware(self, application: fastapi.FastAPI) -> None:
        # Starlette wraps the last middleware added outermost: CORS sees every answer (errors
        # included), then errors are caught, then the size limit, then auth.
        authenticator = Authenticator.from_settings(self._settings)
        if authenticator is not None:
            application.add_middleware(AuthMiddleware, authenticator=authenticator)
        application.add_middleware(
            BodySizeLimitMiddleware, max_bytes=self._settings.chroma_server_max_body_bytes
        )
        install_error_handlers(application)
        origins = self._settings.chroma_server_cors_allow_origins
        if origins:
            application.add_middleware(
                CORSMiddleware,
                allow_origins=origins,
                allow_methods=["*"],
                allow_headers=["*"],
            )
        if isinstance(application, _Application):
            application.hot = HotRoutes(
                self._api,
                authenticator,
                self._settings.chroma_server_max_body_bytes,
                cors=bool(origins),
            )
