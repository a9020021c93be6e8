"""Collection configuration as the client side handles it: which embedding function a
collection records, and the sentinel that marks "no embedding function given".

Below both ``chromadb.api`` (the client methods) and ``chromadb.api.models.Collection``, so that
neither imports the other for these.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Dict, Optional, cast

from chromadb.api.types import EmbeddingFunction
from chromadb.errors import InvalidArgumentError

if TYPE_CHECKING:
    from chromadb.api.models.model import CollectionModel


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
        return cast(
            EmbeddingFunction[Any],
            efs.build_embedding_function(recorded_name, recorded.get("config") or {}),
        )
    return cast(EmbeddingFunction[Any], efs.DefaultEmbeddingFunction())
