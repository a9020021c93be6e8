"""Collection configuration as the client side handles it: which embedding function a
collection records, and the sentinel that marks "no embedding function given".

Below both ``chromadb.api`` (the client methods) and ``chromadb.api.models.Collection``, so that
neither imports the other for these.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any, Dict, Mapping, Optional, Sequence, TypedDict, cast

from chromadb.api.types import EmbeddingFunction
from chromadb.errors import InvalidArgumentError

if TYPE_CHECKING:
    from chromadb.api.models.model import CollectionModel

logger = logging.getLogger(__name__)


class _Unset:
    """Marks an argument the caller did not give (None means 'no embedding function')."""

    def __repr__(self) -> str:
        return "<default>"


DEFAULT_EMBEDDING_FUNCTION: Any = _Unset()

_EF_KEY = "embedding_function"


def _is_unset(value: Any) -> bool:
    return value is DEFAULT_EMBEDDING_FUNCTION


# Names that denote the same function (Chroma records the default under either).
_EF_ALIASES = {"onnx_mini_lm_l6_v2": "default"}


def _ef_name(ef: Any) -> Optional[str]:
    name = getattr(ef, "name", None)
    if callable(name):
        try:
            value = name()
        except TypeError:
            return None
        return _EF_ALIASES.get(value, value) if isinstance(value, str) else None
    return None


def describe_embedding_function(ef: Any) -> Dict[str, Any]:
    """How a collection records its embedding function: by name and configuration when the
    function can describe itself, else as ``legacy`` (the client must pass it every time)."""
    if _is_unset(ef):
        return {"type": "known", "name": "default", "config": {}}
    name = _ef_name(ef) if ef is not None else None
    if name is None:
        return {"type": "legacy"}
    get_config = getattr(ef, "get_config", None)
    config = get_config() if callable(get_config) else {}
    return {"type": "known", "name": name, "config": config or {}}


def configuration_with_embedding_function(
    configuration: Optional[Dict[str, Any]], ef: Any
) -> Dict[str, Any]:
    """The configuration to store with a new collection, with its embedding function recorded."""
    config = dict(configuration or {})
    if _EF_KEY not in config or _is_unset(config.get(_EF_KEY)):
        config[_EF_KEY] = describe_embedding_function(ef)
    elif not isinstance(config[_EF_KEY], dict):
        config[_EF_KEY] = describe_embedding_function(config[_EF_KEY])
    return config


def resolve_embedding_function(model: CollectionModel, ef: Any) -> Optional[EmbeddingFunction[Any]]:
    """Pick the embedding function for a collection handle: the one given, checked against the
    recorded one; else the recorded one rebuilt from its configuration; else the default."""
    recorded = (model.configuration or {}).get(_EF_KEY) or {}
    recorded_name = recorded.get("name") if recorded.get("type") == "known" else None
    recorded_name = _EF_ALIASES.get(recorded_name, recorded_name) if recorded_name else None
    if not _is_unset(ef):
        given = _ef_name(ef) if ef is not None else None
        if ef is not None and given and recorded_name and given != recorded_name:
            raise InvalidArgumentError(
                f"Embedding function conflict: collection '{model.name}' was created with "
                f"'{recorded_name}', but '{given}' was given"
            )
        return cast(Optional[EmbeddingFunction[Any]], ef)
    # Imported only here: a handle given its function (or None) never pays for the providers.
    from chromadb.utils import embedding_functions as efs

    if recorded_name and recorded_name != "default":
        try:
            return cast(
                EmbeddingFunction[Any],
                efs.build_embedding_function(recorded_name, recorded.get("config") or {}),
            )
        except InvalidArgumentError as exc:
            # A function this process does not know (registered elsewhere): the handle still
            # opens, as in real Chroma; embedding through it says why it cannot.
            logger.warning("Collection %r: %s", model.name, exc)
            return cast(EmbeddingFunction[Any], _Unavailable(str(exc)))
    return cast(EmbeddingFunction[Any], efs.DefaultEmbeddingFunction())


class _Unavailable:
    """Stands for a recorded embedding function that cannot be built here."""

    def __init__(self, reason: str) -> None:
        self.reason = reason

    def __call__(self, input: Any) -> Any:
        raise InvalidArgumentError(self.reason)


# -- the HNSW configuration rule (Chroma 1.x) ------------------------------------------------------

# Every HNSW parameter a configuration may name, with real Chroma's default (None: not filled in).
HNSW_DEFAULTS: Dict[str, Any] = {
    "space": "l2",
    "ef_construction": 100,
    "ef_search": 100,
    "max_neighbors": 16,
    "resize_factor": 1.2,
    "sync_threshold": 1000,
}
_HNSW_OPTIONAL = ("num_threads", "batch_size")
_HNSW_KEYS = (*HNSW_DEFAULTS, *_HNSW_OPTIONAL)
# Parameters that may change after creation (the rest are fixed by the built graph).
_HNSW_UPDATABLE = ("ef_search", "num_threads", "batch_size", "sync_threshold", "resize_factor")
_SPACES = ("l2", "cosine", "ip")
# The hnsw:* metadata keys of Chroma 0.4-0.6 and the configuration key each stands for.
_LEGACY_METADATA = {
    "hnsw:space": "space",
    "hnsw:construction_ef": "ef_construction",
    "hnsw:search_ef": "ef_search",
    "hnsw:M": "max_neighbors",
    "hnsw:num_threads": "num_threads",
    "hnsw:resize_factor": "resize_factor",
    "hnsw:batch_size": "batch_size",
    "hnsw:sync_threshold": "sync_threshold",
}


def _check_hnsw(hnsw: Mapping[str, Any], allowed: Sequence[str]) -> Dict[str, Any]:
    if not isinstance(hnsw, Mapping):
        raise InvalidArgumentError(f"Expected configuration 'hnsw' to be an object, got {hnsw!r}")
    out: Dict[str, Any] = {}
    for key, value in hnsw.items():
        if key not in allowed:
            raise InvalidArgumentError(
                f"Unknown hnsw configuration field {key!r}: expected one of {', '.join(allowed)}"
            )
        if value is None:
            continue
        if key == "space":
            if value not in _SPACES:
                raise InvalidArgumentError(
                    f"Invalid hnsw space {value!r}: expected one of {', '.join(_SPACES)}"
                )
        elif key == "resize_factor":
            if isinstance(value, bool) or not isinstance(value, (int, float)) or value <= 0:
                raise InvalidArgumentError(
                    f"Invalid hnsw resize_factor {value!r}: expected a positive number"
                )
        elif isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise InvalidArgumentError(f"Invalid hnsw {key} {value!r}: expected a positive integer")
        out[key] = value
    return out


def legacy_metadata_hnsw(metadata: Optional[Mapping[str, Any]]) -> Dict[str, Any]:
    """The HNSW parameters named by ``hnsw:*`` metadata keys, in configuration form."""
    out: Dict[str, Any] = {}
    for meta_key, key in _LEGACY_METADATA.items():
        if metadata and metadata.get(meta_key) is not None:
            out[key] = metadata[meta_key]
    return out


def full_configuration(
    configuration: Optional[Mapping[str, Any]],
    metadata: Optional[Mapping[str, Any]] = None,
    schema: Optional[Mapping[str, Any]] = None,
) -> Dict[str, Any]:
    """The configuration a new collection stores, as real 1.x fills it: every HNSW default,
    the space and parameters from ``hnsw:*`` metadata and from a schema's vector index where
    the configuration names none, ``spann`` null. Invalid values raise InvalidArgumentError.
    Idempotent: a full configuration comes back unchanged."""
    config = dict(configuration or {})
    given = _check_hnsw(config.get("hnsw") or {}, _HNSW_KEYS)
    vector = _schema_vector(schema)
    from_schema = _check_hnsw(
        {"space": vector.get("space"), **(vector.get("hnsw") or {})}, _HNSW_KEYS
    )
    from_metadata = _check_hnsw(legacy_metadata_hnsw(metadata), _HNSW_KEYS)
    hnsw = {**HNSW_DEFAULTS, **from_metadata, **from_schema, **given}
    config["hnsw"] = hnsw
    config.setdefault("spann", None)
    if _EF_KEY not in config and vector.get("embedding_function") is not None:
        config[_EF_KEY] = vector["embedding_function"]
    return config


def checked_update(new_configuration: Optional[Mapping[str, Any]]) -> Dict[str, Any]:
    """A configuration update, checked: only the HNSW parameters a built index can change."""
    update = dict(new_configuration or {})
    if "hnsw" in update and update["hnsw"] is not None:
        update["hnsw"] = _check_hnsw(update["hnsw"], _HNSW_UPDATABLE)
    return update


def _schema_vector(schema: Optional[Mapping[str, Any]]) -> Dict[str, Any]:
    if not schema:
        return {}
    keys = schema.get("keys") or {}
    entry = ((keys.get("#embedding") or {}).get("float_list") or {}).get("vector_index")
    if not isinstance(entry, Mapping):
        entry = ((schema.get("defaults") or {}).get("float_list") or {}).get("vector_index")
    config = entry.get("config") if isinstance(entry, Mapping) else None
    return dict(config) if isinstance(config, Mapping) else {}


# -- the names of real's configuration module ---------------------------------------------------


class HNSWConfiguration(TypedDict, total=False):
    """HNSW parameters of a collection."""

    space: str
    ef_construction: int
    ef_search: int
    max_neighbors: int
    num_threads: int
    batch_size: int
    sync_threshold: int
    resize_factor: float


CreateHNSWConfiguration = HNSWConfiguration


class UpdateHNSWConfiguration(TypedDict, total=False):
    """The HNSW parameters that may change after creation."""

    ef_search: int
    num_threads: int
    batch_size: int
    sync_threshold: int
    resize_factor: float


class SpannConfiguration(TypedDict, total=False):
    """SPANN parameters (Chroma's distributed index): recorded, not used by our engine."""

    search_nprobe: int
    write_nprobe: int
    space: str
    ef_construction: int
    ef_search: int
    max_neighbors: int
    reassign_neighbor_count: int
    split_threshold: int
    merge_threshold: int


CreateSpannConfiguration = SpannConfiguration
UpdateSpannConfiguration = SpannConfiguration


class CollectionConfiguration(TypedDict, total=False):
    """A collection's configuration, with its embedding function as an object."""

    hnsw: Optional[HNSWConfiguration]
    spann: Optional[SpannConfiguration]
    embedding_function: Optional[Any]


CreateCollectionConfiguration = CollectionConfiguration


class UpdateCollectionConfiguration(TypedDict, total=False):
    """What ``Collection.modify(configuration=...)`` may change."""

    hnsw: Optional[UpdateHNSWConfiguration]
    spann: Optional[UpdateSpannConfiguration]
    embedding_function: Optional[Any]


def populate_create_hnsw_defaults(config: Mapping[str, Any]) -> Dict[str, Any]:
    """HNSW parameters with real's defaults filled in where unset."""
    return {**HNSW_DEFAULTS, **_check_hnsw(config, _HNSW_KEYS)}


def create_collection_configuration_from_legacy_metadata_dict(
    metadata: Mapping[str, Any],
) -> Dict[str, Any]:
    """A create configuration from ``hnsw:*`` metadata keys (Chroma 0.4-0.6 style)."""
    return {"hnsw": _check_hnsw(legacy_metadata_hnsw(metadata), _HNSW_KEYS)}


create_collection_configuration_from_legacy_collection_metadata = (
    create_collection_configuration_from_legacy_metadata_dict
)


def update_collection_configuration_from_legacy_update_metadata(
    metadata: Mapping[str, Any],
) -> Dict[str, Any]:
    """An update configuration from ``hnsw:*`` metadata keys."""
    hnsw = {k: v for k, v in legacy_metadata_hnsw(metadata).items() if k in _HNSW_UPDATABLE}
    return {"hnsw": _check_hnsw(hnsw, _HNSW_UPDATABLE)}


update_collection_configuration_from_legacy_collection_metadata = (
    update_collection_configuration_from_legacy_update_metadata
)


def create_collection_configuration_to_json(
    config: Mapping[str, Any], metadata: Optional[Mapping[str, Any]] = None
) -> Dict[str, Any]:
    """The JSON form of a create configuration (embedding function by name and config)."""
    out = dict(config)
    out[_EF_KEY] = describe_embedding_function(out.get(_EF_KEY, DEFAULT_EMBEDDING_FUNCTION))
    if metadata:
        out = full_configuration(out, metadata)
    return out


def update_collection_configuration_to_json(config: Mapping[str, Any]) -> Dict[str, Any]:
    """The JSON form of a configuration update."""
    out = checked_update(config)
    if out.get(_EF_KEY) is not None and not isinstance(out[_EF_KEY], Mapping):
        out[_EF_KEY] = describe_embedding_function(out[_EF_KEY])
    return out


def collection_configuration_to_json(config: Mapping[str, Any]) -> Dict[str, Any]:
    """The JSON form of a collection's configuration."""
    return create_collection_configuration_to_json(config)


def _dumps(value: Any) -> str:
    import json

    return json.dumps(value)


def create_collection_configuration_to_json_str(
    config: Mapping[str, Any], metadata: Optional[Mapping[str, Any]] = None
) -> str:
    return _dumps(create_collection_configuration_to_json(config, metadata))


def update_collection_configuration_to_json_str(config: Mapping[str, Any]) -> str:
    return _dumps(update_collection_configuration_to_json(config))


def collection_configuration_to_json_str(config: Mapping[str, Any]) -> str:
    return _dumps(collection_configuration_to_json(config))


def load_collection_configuration_from_json(config_json: Mapping[str, Any]) -> Dict[str, Any]:
    """A configuration with its embedding function rebuilt as an object (None for ``legacy``
    or unknown functions)."""
    out = dict(config_json)
    recorded = out.get(_EF_KEY)
    if isinstance(recorded, Mapping):
        out[_EF_KEY] = _build_recorded(recorded)
    return out


def _build_recorded(recorded: Mapping[str, Any]) -> Any:
    from chromadb.utils import embedding_functions as efs

    name = recorded.get("name") if recorded.get("type") == "known" else None
    if not name:
        return None
    name = _EF_ALIASES.get(name, name)
    if name == "default":
        return efs.DefaultEmbeddingFunction()
    return efs.build_embedding_function(name, recorded.get("config") or {})


load_create_collection_configuration_from_json = load_collection_configuration_from_json
load_update_collection_configuration_from_json = load_collection_configuration_from_json


def load_collection_configuration_from_json_str(config_json: str) -> Dict[str, Any]:
    import json

    return load_collection_configuration_from_json(json.loads(config_json))


load_update_collection_configuration_from_json_str = load_collection_configuration_from_json_str


def json_to_create_hnsw_configuration(data: Mapping[str, Any]) -> Dict[str, Any]:
    return _check_hnsw(data, _HNSW_KEYS)


def json_to_update_hnsw_configuration(data: Mapping[str, Any]) -> Dict[str, Any]:
    return _check_hnsw(data, _HNSW_UPDATABLE)


def json_to_create_spann_configuration(data: Mapping[str, Any]) -> Dict[str, Any]:
    return dict(data)


json_to_update_spann_configuration = json_to_create_spann_configuration


def overwrite_hnsw_configuration(
    existing: Mapping[str, Any], update: Mapping[str, Any]
) -> Dict[str, Any]:
    """HNSW parameters after an update (None in the update keeps the old value)."""
    return {**existing, **{k: v for k, v in _check_hnsw(update, _HNSW_UPDATABLE).items()}}


def overwrite_spann_configuration(
    existing: Mapping[str, Any], update: Mapping[str, Any]
) -> Dict[str, Any]:
    return {**existing, **{k: v for k, v in update.items() if v is not None}}


def overwrite_embedding_function(existing: Any, update: Any) -> Any:
    """The embedding function after an update: the new one when given."""
    return existing if update is None else update


def overwrite_collection_configuration(
    existing: Mapping[str, Any], update: Mapping[str, Any]
) -> Dict[str, Any]:
    """A configuration after ``modify(configuration=update)``."""
    out = dict(existing)
    if update.get("hnsw"):
        out["hnsw"] = overwrite_hnsw_configuration(out.get("hnsw") or {}, update["hnsw"])
    if update.get("spann"):
        out["spann"] = overwrite_spann_configuration(out.get("spann") or {}, update["spann"])
    if update.get(_EF_KEY) is not None:
        out[_EF_KEY] = overwrite_embedding_function(out.get(_EF_KEY), update[_EF_KEY])
    return out


def update_schema_from_collection_configuration(
    schema: Any, configuration: Mapping[str, Any]
) -> Any:
    """The schema with the vector index's space and HNSW parameters of ``configuration``."""
    from chromadb.api.schema import Schema, filled_schema_json

    data = schema.serialize_to_json() if isinstance(schema, Schema) else dict(schema)
    return Schema.deserialize_from_json(filled_schema_json(data, dict(configuration)))


def validate_embedding_function_conflict_on_create(
    embedding_function: Any, configuration_ef: Any
) -> None:
    """Refuse an embedding function given both as an argument and, differently, in the
    configuration."""
    if embedding_function is None or configuration_ef is None or _is_unset(embedding_function):
        return
    given, configured = _ef_name(embedding_function), _ef_name(configuration_ef)
    if given and configured and given != configured:
        raise InvalidArgumentError(
            f"Embedding function conflict: {given!r} given, but the configuration names "
            f"{configured!r}"
        )


def validate_embedding_function_conflict_on_get(
    embedding_function: Any, persisted_ef_config: Optional[Mapping[str, Any]]
) -> None:
    """Refuse an embedding function that differs from the one the collection recorded."""
    if embedding_function is None or _is_unset(embedding_function) or not persisted_ef_config:
        return
    recorded = (
        persisted_ef_config.get("name") if persisted_ef_config.get("type") == "known" else None
    )
    recorded = _EF_ALIASES.get(recorded, recorded) if recorded else None
    given = _ef_name(embedding_function)
    if given and recorded and given != recorded:
        raise InvalidArgumentError(
            f"Embedding function conflict: the collection was created with {recorded!r}, "
            f"but {given!r} was given"
        )


def known_embedding_functions() -> Dict[str, type]:  # noqa: F811 - real exposes it here too
    """The embedding functions buildable by name."""
    from chromadb.utils.embedding_functions.registry import known_embedding_functions as known

    return dict(known)


def register_embedding_function(cls: Any) -> Any:
    """Make a custom embedding function buildable by its ``name()``."""
    from chromadb.utils.embedding_functions.registry import register_embedding_function as reg

    return reg(cls)


# A collection's schema (as given at creation) travels and is stored inside its configuration
# under this key; every answer shows it as ``schema`` beside the configuration, never inside.
SCHEMA_KEY = "_schema"


def public_configuration(stored: Optional[Mapping[str, Any]]) -> Dict[str, Any]:
    """A stored configuration as users see it: without the schema."""
    return {k: v for k, v in (stored or {}).items() if k != SCHEMA_KEY}


def schema_json_of(stored: Optional[Mapping[str, Any]]) -> Dict[str, Any]:
    """A collection's schema in JSON form, as real 1.x returns it (filled from its
    configuration)."""
    from chromadb.api.schema import Schema, filled_schema_json

    config = dict(stored or {})
    given = config.get(SCHEMA_KEY)
    base = given if isinstance(given, Mapping) else Schema().serialize_to_json()
    return filled_schema_json(dict(base), public_configuration(config))
