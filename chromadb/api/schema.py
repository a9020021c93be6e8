"""Collection ``Schema`` and its index configurations, as Chroma 1.x defines them.

A schema says, per value type, which indexes are on by default (``defaults``) and, per metadata
key, where that differs (``keys``). Two special keys hold the document (``#document``: full-text
index) and the embedding (``#embedding``: the vector index). ``serialize_to_json`` gives the
JSON form that travels in REST bodies; ``deserialize_from_json`` reads it back.

Examples:
    ```python
    schema = Schema()
    schema.create_index(config=VectorIndexConfig(space="cosine"))
    schema.create_index(config=StringInvertedIndexConfig(), key="genre")
    client.create_collection("docs", schema=schema)
    ```
"""

from __future__ import annotations

import copy
from typing import Any, Dict, Literal, Optional, Tuple, Union

from pydantic import BaseModel, ConfigDict, field_validator, model_validator
from pydantic_core import PydanticCustomError

from chromadb.base_types import TYPE_KEY as TYPE_KEY

Space = Literal["cosine", "l2", "ip"]

DOCUMENT_KEY = "#document"
EMBEDDING_KEY = "#embedding"

STRING_VALUE_NAME = "string"
FLOAT_LIST_VALUE_NAME = "float_list"
SPARSE_VECTOR_VALUE_NAME = "sparse_vector"
INT_VALUE_NAME = "int"
FLOAT_VALUE_NAME = "float"
BOOL_VALUE_NAME = "bool"

FTS_INDEX_NAME = "fts_index"
STRING_INVERTED_INDEX_NAME = "string_inverted_index"
VECTOR_INDEX_NAME = "vector_index"
SPARSE_VECTOR_INDEX_NAME = "sparse_vector_index"
INT_INVERTED_INDEX_NAME = "int_inverted_index"
FLOAT_INVERTED_INDEX_NAME = "float_inverted_index"
BOOL_INVERTED_INDEX_NAME = "bool_inverted_index"
HNSW_INDEX_NAME = "hnsw"
SPANN_INDEX_NAME = "spann"

# The HNSW parameters a schema records once a collection exists (real Chroma's defaults).
HNSW_SCHEMA_DEFAULTS: Dict[str, Any] = {
    "ef_construction": 100,
    "max_neighbors": 16,
    "ef_search": 100,
    "num_threads": 2,
    "batch_size": 100,
    "sync_threshold": 1000,
    "resize_factor": 1.2,
}
_DEFAULT_EF = {"name": "default", "type": "known", "config": {}}


class _Config(BaseModel):
    model_config = ConfigDict(extra="forbid", arbitrary_types_allowed=True)

    def _json(self) -> Dict[str, Any]:
        return {k: v for k, v in self.model_dump(exclude_none=True).items()}


class HnswIndexConfig(_Config):
    """HNSW parameters of the vector index (unset ones take the defaults)."""

    ef_construction: Optional[int] = None
    max_neighbors: Optional[int] = None
    ef_search: Optional[int] = None
    num_threads: Optional[int] = None
    batch_size: Optional[int] = None
    sync_threshold: Optional[int] = None
    resize_factor: Optional[float] = None


class SpannIndexConfig(_Config):
    """SPANN parameters (Chroma's distributed index); recorded, not used by our engine."""

    search_nprobe: Optional[int] = None
    write_nprobe: Optional[int] = None
    ef_construction: Optional[int] = None
    ef_search: Optional[int] = None
    max_neighbors: Optional[int] = None
    reassign_neighbor_count: Optional[int] = None
    split_threshold: Optional[int] = None
    merge_threshold: Optional[int] = None


class FtsIndexConfig(_Config):
    """Full-text index of the documents."""


class StringInvertedIndexConfig(_Config):
    """Inverted index of string metadata values."""


class IntInvertedIndexConfig(_Config):
    """Inverted index of integer metadata values."""


class FloatInvertedIndexConfig(_Config):
    """Inverted index of float metadata values."""


class BoolInvertedIndexConfig(_Config):
    """Inverted index of boolean metadata values."""


class VectorIndexConfig(_Config):
    """The dense vector index: distance space, embedding function, HNSW or SPANN parameters."""

    space: Optional[Space] = None
    embedding_function: Optional[Any] = None
    source_key: Optional[str] = None
    hnsw: Optional[HnswIndexConfig] = None
    spann: Optional[SpannIndexConfig] = None

    def _json(self) -> Dict[str, Any]:
        from chromadb.api.collection_configuration import describe_embedding_function

        out: Dict[str, Any] = {}
        if self.space is not None:
            out["space"] = self.space
        if self.embedding_function is None:
            out["embedding_function"] = dict(_DEFAULT_EF)
        else:
            out["embedding_function"] = describe_embedding_function(self.embedding_function)
        if self.source_key is not None:
            out["source_key"] = self.source_key
        if self.hnsw is not None:
            out["hnsw"] = self.hnsw._json()
        if self.spann is not None:
            out["spann"] = self.spann._json()
        return out


class SparseVectorIndexConfig(_Config):
    """A sparse vector index on one metadata key: its vectors come from ``embedding_function``
    run on ``source_key`` (``K.DOCUMENT`` or a string metadata key) when a write does not give
    them; ``bm25`` weights query terms by their inverse document frequency."""

    # As real's: unknown fields are refused by name; ``algorithm`` is accepted and ignored.
    model_config = ConfigDict(extra="ignore", arbitrary_types_allowed=True)

    embedding_function: Optional[Any] = None
    source_key: Optional[str] = None
    bm25: Optional[bool] = None

    @model_validator(mode="before")
    @classmethod
    def _known_fields(cls, data: Any) -> Any:
        if isinstance(data, dict):
            valid = ("embedding_function", "source_key", "bm25", "algorithm")
            invalid = [k for k in data if k not in valid]
            if len(invalid) == 1:
                message = f"'{invalid[0]}' is not a valid field for {cls.__name__}. "
            else:
                shown = ", ".join(f"'{k}'" for k in invalid)
                message = f"Invalid fields for {cls.__name__}: {shown}. "
            if invalid:
                raise PydanticCustomError("invalid_field", message, {"invalid_fields": invalid})
        return data

    @field_validator("source_key", mode="before")
    @classmethod
    def _source_key(cls, value: Any) -> Optional[str]:
        if value is None:
            return None
        name = getattr(value, "name", value)  # a Key gives its name
        if not isinstance(name, str):
            raise ValueError(f"source_key must be str or Key, got {type(value).__name__}")
        if name.startswith("#") and name != DOCUMENT_KEY:
            raise ValueError(
                "source_key cannot begin with '#'. "
                "The only valid key starting with '#' is Key.DOCUMENT or '#document'."
            )
        return name

    @field_validator("embedding_function", mode="before")
    @classmethod
    def _embedding_function(cls, value: Any) -> Any:
        if value is None or callable(value):
            return value
        raise ValueError("embedding_function must be a callable SparseEmbeddingFunction or None")

    def _json(self) -> Dict[str, Any]:
        ef = self.embedding_function
        out: Dict[str, Any] = {"embedding_function": {"type": "unknown"}}
        if ef is not None:
            validate = getattr(ef, "validate_config", None)
            if callable(validate) and callable(getattr(ef, "get_config", None)):
                validate(ef.get_config())
            from chromadb.api.collection_configuration import describe_embedding_function

            out["embedding_function"] = describe_embedding_function(ef)
        if self.source_key is not None:
            out["source_key"] = self.source_key
        if self.bm25 is not None:
            out["bm25"] = self.bm25
        return out


IndexConfig = Union[
    FtsIndexConfig,
    VectorIndexConfig,
    SparseVectorIndexConfig,
    StringInvertedIndexConfig,
    IntInvertedIndexConfig,
    FloatInvertedIndexConfig,
    BoolInvertedIndexConfig,
]

# Each config class: (the value type it indexes, the index's name in the JSON form).
_PLACE: Dict[type, Tuple[str, str]] = {
    FtsIndexConfig: (STRING_VALUE_NAME, FTS_INDEX_NAME),
    StringInvertedIndexConfig: (STRING_VALUE_NAME, STRING_INVERTED_INDEX_NAME),
    VectorIndexConfig: (FLOAT_LIST_VALUE_NAME, VECTOR_INDEX_NAME),
    SparseVectorIndexConfig: (SPARSE_VECTOR_VALUE_NAME, SPARSE_VECTOR_INDEX_NAME),
    IntInvertedIndexConfig: (INT_VALUE_NAME, INT_INVERTED_INDEX_NAME),
    FloatInvertedIndexConfig: (FLOAT_VALUE_NAME, FLOAT_INVERTED_INDEX_NAME),
    BoolInvertedIndexConfig: (BOOL_VALUE_NAME, BOOL_INVERTED_INDEX_NAME),
}


def _entry(enabled: bool, config: Dict[str, Any]) -> Dict[str, Any]:
    return {"enabled": enabled, "config": config}


def _default_json() -> Dict[str, Any]:
    vector = {"embedding_function": dict(_DEFAULT_EF)}
    sparse = {"embedding_function": {"type": "unknown"}}
    return {
        "defaults": {
            STRING_VALUE_NAME: {
                FTS_INDEX_NAME: _entry(False, {}),
                STRING_INVERTED_INDEX_NAME: _entry(True, {}),
            },
            FLOAT_LIST_VALUE_NAME: {VECTOR_INDEX_NAME: _entry(False, dict(vector))},
            SPARSE_VECTOR_VALUE_NAME: {SPARSE_VECTOR_INDEX_NAME: _entry(False, sparse)},
            INT_VALUE_NAME: {INT_INVERTED_INDEX_NAME: _entry(True, {})},
            FLOAT_VALUE_NAME: {FLOAT_INVERTED_INDEX_NAME: _entry(True, {})},
            BOOL_VALUE_NAME: {BOOL_INVERTED_INDEX_NAME: _entry(True, {})},
        },
        "keys": {
            DOCUMENT_KEY: {
                STRING_VALUE_NAME: {
                    FTS_INDEX_NAME: _entry(True, {}),
                    STRING_INVERTED_INDEX_NAME: _entry(False, {}),
                }
            },
            EMBEDDING_KEY: {
                FLOAT_LIST_VALUE_NAME: {
                    VECTOR_INDEX_NAME: _entry(True, {**vector, "source_key": DOCUMENT_KEY})
                }
            },
        },
    }


class Schema:
    """Which indexes a collection keeps, by value type and by metadata key."""

    def __init__(self) -> None:
        self._json = _default_json()
        self.cmek: Optional[Any] = None

    def _check(self, config: Optional[IndexConfig], key: Optional[str]) -> None:
        if isinstance(config, FtsIndexConfig) and key not in (None, DOCUMENT_KEY):
            raise ValueError(
                "FTS index can only be enabled on #document key. "
                "Use create_index(config=FtsIndexConfig(), key='#document')"
            )
        if isinstance(config, VectorIndexConfig) and key is not None:
            raise ValueError(
                "Vector index cannot be enabled on specific keys. Use create_index("
                "config=VectorIndexConfig(...)) without specifying a key to configure the "
                "vector index globally."
            )
        if config is not None and type(config) not in _PLACE:
            raise ValueError(f"Unknown index configuration {config!r}")
        if isinstance(config, SparseVectorIndexConfig):
            self._check_sparse(config, key)

    def _check_sparse(self, config: SparseVectorIndexConfig, key: Optional[str]) -> None:
        if key is None:
            raise ValueError(
                "Sparse vector index must be created on a specific key. Please specify a key "
                "using: create_index(config=SparseVectorIndexConfig(...), key='your_key')"
            )
        for other, types in self._json["keys"].items():
            entry = types.get(SPARSE_VECTOR_VALUE_NAME, {}).get(SPARSE_VECTOR_INDEX_NAME)
            if other != key and entry is not None and entry.get("enabled"):
                raise ValueError(
                    f"Cannot enable sparse vector index on key '{key}'. A sparse vector index "
                    f"is already enabled on key '{other}'. Only one sparse vector index is "
                    "allowed per collection."
                )
        if config.source_key is not None and config.embedding_function is None:
            raise ValueError(
                "If source_key is provided then embedding_function must also be provided since "
                f"there is no default embedding function. Config: {config}"
            )

    def _set(self, config: IndexConfig, key: Optional[str], enabled: bool) -> None:
        value_type, index = _PLACE[type(config)]
        body = config._json()
        if isinstance(config, VectorIndexConfig):
            # The vector index is configured once, for the defaults and #embedding alike.
            self._json["defaults"][value_type][index] = _entry(False, body)
            embedding = {**body, "source_key": config.source_key or DOCUMENT_KEY}
            self._json["keys"][EMBEDDING_KEY][value_type][index] = _entry(True, embedding)
            return
        if key is None:
            self._json["defaults"][value_type][index] = _entry(enabled, body)
        else:
            self._json["keys"].setdefault(key, {}).setdefault(value_type, {})[index] = _entry(
                enabled, body
            )

    def create_index(
        self, config: Optional[IndexConfig] = None, key: Optional[str] = None
    ) -> Schema:
        """Turn an index on: for every key of its value type, or for one ``key``."""
        self._check(config, key)
        if config is None:
            for cls in (
                StringInvertedIndexConfig,
                IntInvertedIndexConfig,
                FloatInvertedIndexConfig,
                BoolInvertedIndexConfig,
            ):
                self._set(cls(), key, True)
            return self
        self._set(config, key, True)
        return self

    def delete_index(
        self, config: Optional[IndexConfig] = None, key: Optional[str] = None
    ) -> Schema:
        """Turn an index off: for every key of its value type, or for one ``key``."""
        self._check(config, key)
        if isinstance(config, VectorIndexConfig):
            raise ValueError("The vector index cannot be deleted")
        if config is None:
            for cls in (
                StringInvertedIndexConfig,
                IntInvertedIndexConfig,
                FloatInvertedIndexConfig,
                BoolInvertedIndexConfig,
            ):
                self._set(cls(), key, False)
            return self
        self._set(config, key, False)
        return self

    def set_cmek(self, cmek: Any) -> Schema:
        """Record a customer-managed key (Chroma Cloud); kept, not used by our engine."""
        self.cmek = cmek
        return self

    def vector_config(self) -> Dict[str, Any]:
        """The ``#embedding`` vector index configuration (space, embedding function, hnsw)."""
        entry = self._json["keys"][EMBEDDING_KEY][FLOAT_LIST_VALUE_NAME][VECTOR_INDEX_NAME]
        return dict(entry["config"])

    def sparse_indexes(self) -> Dict[str, Dict[str, Any]]:
        """The enabled sparse vector indexes, by metadata key: each index's JSON config
        (``embedding_function``, ``source_key``, ``bm25``)."""
        return sparse_indexes_of(self._json)

    def serialize_to_json(self) -> Dict[str, Any]:
        """The JSON form of the schema (as REST bodies carry it)."""
        return copy.deepcopy(self._json)

    @classmethod
    def deserialize_from_json(cls, data: Dict[str, Any]) -> Schema:
        """Read the JSON form back."""
        if not isinstance(data, dict) or not isinstance(data.get("defaults"), dict):
            raise ValueError("A schema needs a 'defaults' object")
        if not isinstance(data.get("keys", {}), dict):
            raise ValueError("A schema's 'keys' must be an object")
        schema = cls()
        schema._json = {
            "defaults": copy.deepcopy(data["defaults"]),
            "keys": copy.deepcopy(data.get("keys", {})),
        }
        return schema

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Schema) and other._json == self._json

    def __repr__(self) -> str:
        return f"Schema(keys={sorted(self._json['keys'])})"


def sparse_indexes_of(schema: Dict[str, Any]) -> Dict[str, Dict[str, Any]]:
    """The enabled sparse vector indexes of a schema's JSON form, by metadata key."""
    out: Dict[str, Dict[str, Any]] = {}
    keys = schema.get("keys") if isinstance(schema, dict) else None
    for key, types in (keys or {}).items():
        entry = (types or {}).get(SPARSE_VECTOR_VALUE_NAME, {}).get(SPARSE_VECTOR_INDEX_NAME)
        if isinstance(entry, dict) and entry.get("enabled"):
            out[key] = dict(entry.get("config") or {})
    return out


def filled_schema_json(schema: Dict[str, Any], configuration: Dict[str, Any]) -> Dict[str, Any]:
    """A collection's schema as real 1.x returns it: the vector index carries the collection's
    space and every HNSW parameter, and the sparse index says whether it is BM25."""
    out = copy.deepcopy(schema)
    hnsw_config = configuration.get("hnsw") or {}
    hnsw = {k: hnsw_config.get(k, v) for k, v in HNSW_SCHEMA_DEFAULTS.items()}
    space = hnsw_config.get("space", "l2")
    ef = configuration.get("embedding_function") or dict(_DEFAULT_EF)
    for place in (out["defaults"], out["keys"].get(EMBEDDING_KEY, {})):
        entry = place.get(FLOAT_LIST_VALUE_NAME, {}).get(VECTOR_INDEX_NAME)
        if entry is not None:
            config = entry["config"]
            config["space"] = space
            config["embedding_function"] = ef
            config["hnsw"] = dict(hnsw)
    sparse = out["defaults"].get(SPARSE_VECTOR_VALUE_NAME, {}).get(SPARSE_VECTOR_INDEX_NAME)
    if sparse is not None:
        sparse["config"].setdefault("bm25", False)
    return out


__all__ = [
    "BOOL_INVERTED_INDEX_NAME",
    "BOOL_VALUE_NAME",
    "BoolInvertedIndexConfig",
    "DOCUMENT_KEY",
    "EMBEDDING_KEY",
    "FLOAT_INVERTED_INDEX_NAME",
    "FLOAT_LIST_VALUE_NAME",
    "FLOAT_VALUE_NAME",
    "FTS_INDEX_NAME",
    "FloatInvertedIndexConfig",
    "FtsIndexConfig",
    "HNSW_INDEX_NAME",
    "HnswIndexConfig",
    "INT_INVERTED_INDEX_NAME",
    "INT_VALUE_NAME",
    "IndexConfig",
    "IntInvertedIndexConfig",
    "SPANN_INDEX_NAME",
    "SPARSE_VECTOR_INDEX_NAME",
    "SPARSE_VECTOR_VALUE_NAME",
    "STRING_INVERTED_INDEX_NAME",
    "STRING_VALUE_NAME",
    "Schema",
    "Space",
    "SpannIndexConfig",
    "SparseVectorIndexConfig",
    "StringInvertedIndexConfig",
    "VECTOR_INDEX_NAME",
    "VectorIndexConfig",
    "sparse_indexes_of",
]
