"""The JSON shape of collections and results, per client generation.

No one shape satisfies every official client (see docs/compat.md, "The collection object"):

- ``seed``: chromadb 0.3.x in REST mode builds ``Collection(**json)``: only name, id, metadata.
- ``legacy``: clients 0.5/0.6 (and the v1 routes) need ``configuration_json`` in the
  ``CollectionConfigurationInternal`` form, and reject keys they do not know.
- ``modern``: clients 1.x and JS 3.x read ``configuration_json.hnsw`` / ``.embedding_function``.
- ``native``: our own HTTP client gets the configuration exactly as stored, so that a collection
  reads the same over HTTP as in the embedded engine.
"""

from __future__ import annotations

from typing import Any, Dict, Literal, Mapping, Optional

from starlette.requests import Request

from chromadb._version import USER_AGENT_MARK
from chromadb.api.collection_configuration import SCHEMA_KEY, public_configuration, schema_json_of
from chromadb.api.models.model import CollectionModel
from chromadb.api.schema import Schema
from chromadb.api.types import seed_result
from chromadb.engine import catalog
from chromadb.errors import InvalidArgumentError
from chromadb.server.codec import tagged_metadatas

Caller = Literal["seed", "legacy", "modern", "native"]

# Our HTTP client names itself with this in its User-Agent.
NATIVE_AGENT_MARK = USER_AGENT_MARK

# Legacy (0.5/0.6) HNSW parameter names that differ from the 1.x names.
_LEGACY_TO_MODERN = {"M": "max_neighbors"}
_MODERN_TO_LEGACY = {v: k for k, v in _LEGACY_TO_MODERN.items()}
_LEGACY_HNSW_KEYS = {
    "space",
    "ef_construction",
    "ef_search",
    "num_threads",
    "M",
    "resize_factor",
    "batch_size",
    "sync_threshold",
}
_LEGACY_TYPE = "CollectionConfigurationInternal"
_LEGACY_HNSW_TYPE = "HNSWConfigurationInternal"


def caller_of(request: Request) -> Caller:
    """Which collection shape the client behind ``request`` can read."""
    agent = request.headers.get("user-agent", "")
    if request.url.path.startswith("/api/v1"):
        return "seed" if agent.startswith("python-requests") else "legacy"
    if agent.startswith("python-httpx"):
        return "legacy"
    return "native" if NATIVE_AGENT_MARK in agent else "modern"


def space_of(model: CollectionModel) -> str:
    """The distance function of a collection, by the engine's one rule."""
    return catalog.space_of(model.metadata, model.configuration)


def _modern_configuration(model: CollectionModel) -> Dict[str, Any]:
    config = public_configuration(model.configuration)
    hnsw = config.get("hnsw")
    hnsw = dict(hnsw) if isinstance(hnsw, Mapping) else {}
    hnsw["space"] = space_of(model)
    config["hnsw"] = hnsw
    config.setdefault("spann", None)
    config.setdefault("embedding_function", {"type": "legacy"})
    return config


def _legacy_configuration(model: CollectionModel) -> Dict[str, Any]:
    hnsw = (model.configuration or {}).get("hnsw")
    params: Dict[str, Any] = {}
    if isinstance(hnsw, Mapping):
        for key, value in hnsw.items():
            legacy_key = _MODERN_TO_LEGACY.get(key, key)
            if legacy_key in _LEGACY_HNSW_KEYS and value is not None:
                params[legacy_key] = value
    params["space"] = space_of(model)
    params["_type"] = _LEGACY_HNSW_TYPE
    return {"hnsw_configuration": params, "_type": _LEGACY_TYPE}


def collection_json(model: CollectionModel, caller: Caller) -> Dict[str, Any]:
    """A collection as the client generation ``caller`` expects it."""
    if caller == "seed":
        return {"name": model.name, "id": str(model.id), "metadata": model.metadata}
    if caller == "native":
        configuration = dict(model.configuration or {})
    elif caller == "legacy":
        configuration = _legacy_configuration(model)
    else:
        configuration = _modern_configuration(model)
    shape = {
        "id": str(model.id),
        "name": model.name,
        "metadata": model.metadata,
        "configuration_json": configuration,
        "dimension": model.dimension,
        "tenant": model.tenant,
        "database": model.database,
    }
    if caller == "modern":
        shape["schema"] = schema_json_of(model.configuration)
    return shape


def configuration_in(
    config: Optional[Dict[str, Any]], schema: Optional[Dict[str, Any]] = None
) -> Optional[Dict[str, Any]]:
    """A collection configuration as a client sent it, in the 1.x form the engine stores:
    the 0.5/0.6 ``CollectionConfigurationInternal`` form is translated, others pass through;
    a schema sent beside it travels inside it."""
    if schema is not None:
        try:  # checked here: a malformed schema stored would fail every later read
            Schema.deserialize_from_json(schema)
        except ValueError as e:
            raise InvalidArgumentError(f"Invalid schema: {e}") from None
        config = {**(config or {}), SCHEMA_KEY: schema}
    if not config or config.get("_type") != _LEGACY_TYPE:
        return config
    out = {k: v for k, v in config.items() if k not in ("_type", "hnsw_configuration")}
    legacy = config.get("hnsw_configuration")
    if isinstance(legacy, Mapping):
        out["hnsw"] = {_LEGACY_TO_MODERN.get(k, k): v for k, v in legacy.items() if k != "_type"}
    return out


def result_json(
    result: Mapping[str, Any], include: list[str], query: bool, caller: Optional[Caller] = None
) -> Dict[str, Any]:
    """A get or query answer: every field present (null when not included), and the include
    list under both names clients read (``include`` for 1.x/JS, ``included`` for 0.5/0.6);
    a 0.3 client gets exactly the keys 0.3 answered."""
    if caller == "seed":
        return seed_result(result, query)
    fields = ["ids", "embeddings", "documents", "metadatas", "uris", "data"]
    if query:
        fields.append("distances")
    out = {name: result.get(name) for name in fields}
    out["metadatas"] = tagged_metadatas(out["metadatas"], nested=query)
    out["include"] = include
    out["included"] = include
    return out
