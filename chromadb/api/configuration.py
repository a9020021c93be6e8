"""The collection configuration classes of Chroma 0.5/0.6 (``chromadb.api.configuration``),
kept for code written against them: each configuration is a set of named parameters with
validators and defaults, and travels as JSON tagged with its class (``"_type"``), the
``CollectionConfigurationInternal`` form our server also reads from 0.5/0.6 clients.

Examples:
    ```python
    hnsw = HNSWConfiguration(space="cosine", M=32)
    CollectionConfiguration(hnsw_configuration=hnsw).to_json()
    ```
"""

from __future__ import annotations

import json
from typing import Any, ClassVar, Dict, Generic, List, Optional, Protocol, TypeVar, Union

__all__ = [
    "CollectionConfiguration",
    "CollectionConfigurationInterface",
    "CollectionConfigurationInternal",
    "ConfigurationDefinition",
    "ConfigurationInternal",
    "ConfigurationParameter",
    "EmbeddingsQueueConfigurationInternal",
    "HNSWConfiguration",
    "HNSWConfigurationInterface",
    "HNSWConfigurationInternal",
    "InvalidConfigurationError",
    "JSONSerializable",
    "ParameterValidator",
    "StaticParameterError",
]

ParameterValue = Union[str, int, float, bool, "ConfigurationInternal"]
T = TypeVar("T")


class StaticParameterError(Exception):
    """Raised when a parameter that cannot change after creation is changed."""


class InvalidConfigurationError(ValueError):
    """Raised when a configuration's parameters do not fit together."""


class ParameterValidator(Protocol):
    """Says whether a value is valid for a parameter."""

    def __call__(self, value: ParameterValue) -> bool: ...


class JSONSerializable(Generic[T]):
    """A value with a JSON form."""

    def to_json(self) -> Dict[str, Any]:
        raise NotImplementedError


class ConfigurationDefinition:
    """One parameter a configuration may hold: its validator, default and whether it is fixed
    after creation."""

    def __init__(
        self,
        name: str,
        validator: ParameterValidator,
        is_static: bool,
        default_value: ParameterValue,
    ) -> None:
        self.name = name
        self.validator = validator
        self.is_static = is_static
        self.default_value = default_value


class ConfigurationParameter:
    """A parameter's name and value."""

    def __init__(self, name: str, value: ParameterValue) -> None:
        self.name = name
        self.value = value

    def __repr__(self) -> str:
        return f"ConfigurationParameter({self.name}, {self.value})"

    def __eq__(self, other: object) -> bool:
        return (
            isinstance(other, ConfigurationParameter)
            and other.name == self.name
            and other.value == self.value
        )


class ConfigurationInternal(JSONSerializable["ConfigurationInternal"]):
    """Parameters by name, each checked against its definition; unset ones take defaults."""

    definitions: ClassVar[Dict[str, ConfigurationDefinition]] = {}

    def __init__(self, parameters: Optional[List[ConfigurationParameter]] = None) -> None:
        self.configuration_parameters: Dict[str, ConfigurationParameter] = {}
        for parameter in parameters or []:
            definition = self.definitions.get(parameter.name)
            if definition is None:
                raise ValueError(f"Invalid parameter name: {parameter.name}")
            if not definition.validator(parameter.value):
                raise ValueError(f"Invalid parameter value: {parameter.value}")
            self.configuration_parameters[parameter.name] = parameter
        for name, definition in self.definitions.items():
            if name not in self.configuration_parameters:
                self.configuration_parameters[name] = ConfigurationParameter(
                    name, definition.default_value
                )
        self.configuration_validator()

    def __repr__(self) -> str:
        return f"{type(self).__name__}({list(self.configuration_parameters.values())})"

    def __eq__(self, other: object) -> bool:
        return (
            isinstance(other, ConfigurationInternal)
            and other.configuration_parameters == self.configuration_parameters
        )

    def configuration_validator(self) -> None:
        """Check the parameters together (subclasses add their rules)."""

    def get_parameters(self) -> List[ConfigurationParameter]:
        return list(self.configuration_parameters.values())

    def get_parameter(self, name: str) -> ConfigurationParameter:
        if name not in self.configuration_parameters:
            raise ValueError(f"Invalid parameter name: {name}")
        return self.configuration_parameters[name]

    def set_parameter(self, name: str, value: Union[str, int, float, bool]) -> None:
        definition = self.definitions.get(name)
        if definition is None:
            raise ValueError(f"Invalid parameter name: {name}")
        if definition.is_static:
            raise StaticParameterError(f"Cannot set static parameter: {name}")
        if not definition.validator(value):
            raise ValueError(f"Invalid value for parameter {name}: {value}")
        self.configuration_parameters[name] = ConfigurationParameter(name, value)

    def to_json(self) -> Dict[str, Any]:
        out: Dict[str, Any] = {}
        for name, parameter in self.configuration_parameters.items():
            value = parameter.value
            out[name] = value.to_json() if isinstance(value, ConfigurationInternal) else value
        out["_type"] = type(self).__name__
        return out

    def to_json_str(self) -> str:
        return json.dumps(self.to_json())

    @classmethod
    def from_json(cls, json_map: Dict[str, Any]) -> Any:
        """Read the JSON form (a configuration of another class's ``_type`` is refused)."""
        kind = json_map.get("_type")
        if kind is not None and kind not in (cls.__name__, *_ALIASES.get(cls.__name__, ())):
            raise ValueError(
                f"Trying to instantiate configuration of type {cls.__name__} from JSON with type {kind}"
            )
        parameters = []
        for name, value in json_map.items():
            if name == "_type":
                continue
            definition = cls.definitions.get(name)
            default = definition.default_value if definition is not None else None
            if isinstance(value, dict) and isinstance(default, ConfigurationInternal):
                value = type(default).from_json(value)
            parameters.append(ConfigurationParameter(name, value))
        made = cls.__new__(cls)  # the keyword-argument interfaces take no parameter list
        ConfigurationInternal.__init__(made, parameters)
        return made

    @classmethod
    def from_json_str(cls, json_str: str) -> Any:
        try:
            data = json.loads(json_str)
        except json.JSONDecodeError as exc:
            raise ValueError(
                f"Unable to decode configuration from JSON string: {json_str}"
            ) from exc
        return cls.from_json(data)


def _positive_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 1


class HNSWConfigurationInternal(ConfigurationInternal):
    """HNSW parameters with Chroma 0.5/0.6's names and defaults (``M`` for max_neighbors)."""

    definitions: ClassVar[Dict[str, ConfigurationDefinition]] = {
        "space": ConfigurationDefinition("space", lambda v: v in ("l2", "ip", "cosine"), True, "l2"),
        "ef_construction": ConfigurationDefinition("ef_construction", _positive_int, True, 100),
        "ef_search": ConfigurationDefinition("ef_search", _positive_int, False, 100),
        "num_threads": ConfigurationDefinition("num_threads", _positive_int, False, 2),
        "M": ConfigurationDefinition("M", _positive_int, True, 16),
        "resize_factor": ConfigurationDefinition(
            "resize_factor",
            lambda v: isinstance(v, (int, float)) and not isinstance(v, bool) and v > 0,
            False,
            1.2,
        ),
        "batch_size": ConfigurationDefinition("batch_size", lambda v: isinstance(v, int) and v >= 2, False, 100),
        "sync_threshold": ConfigurationDefinition("sync_threshold", lambda v: isinstance(v, int) and v >= 2, False, 1000),
    }  # fmt: skip

    def configuration_validator(self) -> None:
        batch = self.get_parameter("batch_size").value
        sync = self.get_parameter("sync_threshold").value
        if isinstance(batch, int) and isinstance(sync, int) and batch > sync:
            raise InvalidConfigurationError(
                "batch_size must be less than or equal to sync_threshold"
            )

    @classmethod
    def from_legacy_params(cls, params: Dict[str, Any]) -> Any:
        """From ``hnsw:*`` metadata keys (``hnsw:construction_ef`` ...)."""
        names = {"space": "space", "construction_ef": "ef_construction", "search_ef": "ef_search",
                 "num_threads": "num_threads", "M": "M", "resize_factor": "resize_factor",
                 "batch_size": "batch_size", "sync_threshold": "sync_threshold"}  # fmt: skip
        parameters = []
        for key, value in params.items():
            name = names.get(key.removeprefix("hnsw:"))
            if name is None:
                raise ValueError(f"Invalid HNSW parameter: {key}")
            parameters.append(ConfigurationParameter(name, value))
        made = cls.__new__(cls)
        ConfigurationInternal.__init__(made, parameters)
        return made


class HNSWConfigurationInterface(HNSWConfigurationInternal):
    """``HNSWConfiguration(space=..., M=...)``: the HNSW parameters as keyword arguments."""

    def __init__(
        self,
        space: str = "l2",
        ef_construction: int = 100,
        ef_search: int = 100,
        num_threads: int = 2,
        M: int = 16,
        resize_factor: float = 1.2,
        batch_size: int = 100,
        sync_threshold: int = 1000,
    ) -> None:
        values: Dict[str, ParameterValue] = {"space": space, "ef_construction": ef_construction, "ef_search": ef_search,
                  "num_threads": num_threads, "M": M, "resize_factor": resize_factor,
                  "batch_size": batch_size, "sync_threshold": sync_threshold}  # fmt: skip
        super().__init__([ConfigurationParameter(k, v) for k, v in values.items()])


HNSWConfiguration = HNSWConfigurationInterface


class CollectionConfigurationInternal(ConfigurationInternal):
    """A collection's configuration: its HNSW configuration."""

    definitions: ClassVar[Dict[str, ConfigurationDefinition]] = {
        "hnsw_configuration": ConfigurationDefinition(
            "hnsw_configuration",
            lambda v: isinstance(v, HNSWConfigurationInternal),
            True,
            HNSWConfigurationInternal(),
        ),
    }


class CollectionConfigurationInterface(CollectionConfigurationInternal):
    """``CollectionConfiguration(hnsw_configuration=HNSWConfiguration(...))``."""

    def __init__(self, hnsw_configuration: Optional[HNSWConfigurationInternal] = None) -> None:
        super().__init__(
            [
                ConfigurationParameter(
                    "hnsw_configuration", hnsw_configuration or HNSWConfigurationInternal()
                )
            ]
        )


CollectionConfiguration = CollectionConfigurationInterface


class EmbeddingsQueueConfigurationInternal(ConfigurationInternal):
    """Batching of the write queue (Chroma's engine); recorded, not used by ours."""

    definitions: ClassVar[Dict[str, ConfigurationDefinition]] = {
        "automatically_purge": ConfigurationDefinition(
            "automatically_purge", lambda v: isinstance(v, bool), False, True
        ),
    }


# The JSON ``_type`` of a class may name its interface or internal twin.
_ALIASES: Dict[str, tuple[str, ...]] = {
    "HNSWConfigurationInternal": ("HNSWConfigurationInterface",),
    "HNSWConfigurationInterface": ("HNSWConfigurationInternal",),
    "CollectionConfigurationInternal": ("CollectionConfigurationInterface",),
    "CollectionConfigurationInterface": ("CollectionConfigurationInternal",),
}
