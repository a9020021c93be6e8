"""The OpenAPI document (``/openapi.json``): FastAPI's, plus what it cannot see: the request
bodies that ``deps.json_body`` parses, and the error answers every route may give (added once
here rather than declared on each route, which would cost a pydantic model per route and
status when the app is built)."""

from __future__ import annotations

from typing import Any, Callable, Dict, Iterator, Tuple, Type

import fastapi
from fastapi.openapi.utils import get_openapi
from fastapi.routing import APIRoute
from pydantic import BaseModel

from chromadb.errors import ChromaError, status_table
from chromadb.server.models import ErrorOut


def error_statuses() -> Dict[str, str]:
    """Each status a route may answer with, described by the error classes that carry it."""
    out: Dict[str, str] = {}
    for status, classes in status_table().items():
        if status == 405:  # answered by routing, never by an operation
            continue
        lead = (classes[0].__doc__ or "").strip().splitlines()[0].rstrip(".")
        names = ", ".join(cls.name() for cls in classes if cls is not ChromaError)
        out[str(status)] = f"{lead} ({names})"
    return out


_ERROR_REF = {"$ref": "#/components/schemas/ErrorOut"}


def _with_errors(document: Dict[str, Any]) -> Dict[str, Any]:
    schemas = document.setdefault("components", {}).setdefault("schemas", {})
    schemas["ErrorOut"] = ErrorOut.model_json_schema(ref_template="#/components/schemas/{model}")
    for item in document.get("paths", {}).values():
        for operation in item.values():
            responses = operation.setdefault("responses", {})
            # FastAPI documents its own 422 for validation errors; ours answer 400 instead.
            responses.pop("422", None)
            for status, description in error_statuses().items():
                responses.setdefault(
                    status,
                    {
                        "description": description,
                        "content": {"application/json": {"schema": _ERROR_REF}},
                    },
                )
    schemas.pop("HTTPValidationError", None)
    schemas.pop("ValidationError", None)
    return document


def _body_models(app: fastapi.FastAPI) -> Iterator[Tuple[str, str, Type[BaseModel]]]:
    """(path, method, model) for each route whose body ``deps.json_body`` parses."""
    for route in app.routes:
        # Routes left out of the document (the console's) have no operation to add a body to.
        if not isinstance(route, APIRoute) or not route.include_in_schema:
            continue
        for dependency in route.dependant.dependencies:
            model = getattr(dependency.call, "body_model", None)
            if model is not None:
                for method in route.methods or ():
                    yield route.path_format, method.lower(), model


def _with_bodies(app: fastapi.FastAPI, document: Dict[str, Any]) -> None:
    # Bodies parsed by deps.json_body are invisible to FastAPI's own document: add them.
    schemas = document.setdefault("components", {}).setdefault("schemas", {})
    for path, method, model in _body_models(app):
        schema = model.model_json_schema(ref_template="#/components/schemas/{model}")
        schemas.update(schema.pop("$defs", {}))
        schemas[model.__name__] = schema
        operation = document["paths"][path][method]
        operation["requestBody"] = {
            "required": True,
            "content": {
                "application/json": {"schema": {"$ref": f"#/components/schemas/{model.__name__}"}}
            },
        }


def openapi_builder(app: fastapi.FastAPI) -> Callable[[], Dict[str, Any]]:
    """A replacement for ``app.openapi`` that builds the document once."""

    def build() -> Dict[str, Any]:
        if app.openapi_schema is None:
            document = get_openapi(
                title=app.title,
                version=app.version,
                description=app.description,
                routes=app.routes,
            )
            _with_bodies(app, document)
            app.openapi_schema = _with_errors(document)
        return app.openapi_schema

    return build
