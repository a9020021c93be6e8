"""Settings (read from arguments, then ``CHROMA_*``-style environment variables, then defaults) and
the ``System`` that builds the API implementation those settings ask for."""

from __future__ import annotations

import enum
import json
import os
import threading
import warnings
from typing import Any, Callable, Dict, List, Optional, TypeVar, Union, cast

from pydantic import BaseModel, ConfigDict, field_validator, model_validator


class APIVersion(enum.StrEnum):
    """The REST API generations, by their path prefix."""

    V1 = "/api/v1"
    V2 = "/api/v2"


DEFAULT_TENANT = "default_tenant"
DEFAULT_DATABASE = "default_database"


def _from_environment(fields: Dict[str, Any], given: Dict[str, Any]) -> Dict[str, Any]:
    """The one place the environment is read: each field not given as an argument takes the
    variable of the same name, upper-cased, when it is set (lists and dicts as JSON)."""
    values = dict(given)
    for name, field in fields.items():
        if name in values:
            continue
        raw = os.environ.get(name.upper())
        if raw is None:
            continue
        annotation = str(field.annotation)
        if ("List" in annotation or "Dict" in annotation or "list" in annotation) and raw.strip()[
            :1
        ] in "[{":
            values[name] = json.loads(raw)
        elif "List" in annotation or "list" in annotation:
            values[name] = [item.strip() for item in raw.split(",") if item.strip()]
        else:
            values[name] = raw
    return values


def _warn_unknown(fields: Dict[str, Any], given: Dict[str, Any]) -> None:
    # Unknown keys are ignored (settings of other Chroma versions must not break a client), but
    # a misspelt one would silently do nothing: say so.
    unknown = sorted(k for k in given if k not in fields)
    if unknown:
        warnings.warn(
            f"Unknown settings ignored: {', '.join(unknown)}",
            UserWarning,
            stacklevel=4,
        )


class Settings(BaseModel):
    """Configuration of a client or server.

    Every field can also be set by the environment variable of the same name in upper case
    (``CHROMA_SERVER_HOST``, ``PERSIST_DIRECTORY``, ``ALLOW_RESET`` ...); an argument wins over
    the environment, which wins over the default.

    Examples:
        ```python
        Settings(chroma_db_impl="duckdb+parquet", persist_directory="./db")
        Settings(chroma_api_impl="rest", chroma_server_host="localhost", chroma_server_http_port="8000")
        ```
    """

    model_config = ConfigDict(extra="ignore", validate_default=True)

    @model_validator(mode="before")
    @classmethod
    def _read_environment(cls, data: Any) -> Any:
        if isinstance(data, dict):
            _warn_unknown(cls.model_fields, data)
            return _from_environment(cls.model_fields, data)
        return data

    environment: str = ""
    # "local" (embedded) or "rest" (HTTP client); Chroma's dotted class paths are understood too.
    chroma_api_impl: str = "local"
    # Seed-era storage names: "duckdb" means in memory, "duckdb+parquet" persistent. Kept so that
    # code written against the seed runs unchanged; the engine inside is always ours.
    chroma_db_impl: Optional[str] = None
    is_persistent: bool = False
    persist_directory: str = "./chroma"

    chroma_server_host: Optional[str] = None
    # A str is accepted (the seed passes "8000") and turned into an int.
    chroma_server_http_port: Union[int, str, None] = None
    chroma_server_ssl_enabled: bool = False
    chroma_server_ssl_verify: Optional[bool] = None
    chroma_server_headers: Optional[Dict[str, str]] = None
    chroma_server_api_default_path: str = "/api/v2"
    chroma_server_cors_allow_origins: List[str] = []
    chroma_server_max_batch_size: int = 100_000
    # Real Chroma 1.x refuses bodies over 40 MiB (41,943,040 bytes); the HTTP client checks the
    # same limit before sending, so a too-large batch fails at once instead of after the upload.
    chroma_server_max_body_bytes: int = 40 * 1024 * 1024
    chroma_server_allow_raw_sql: bool = False
    chroma_http_timeout: float = 60.0
    chroma_http_connect_timeout: float = 10.0

    # Authentication, with Chroma's own names (see chromadb.auth): 1.x/0.5 ``authn`` settings,
    # and the 0.4 ``auth`` ones they replaced.
    chroma_client_auth_provider: Optional[str] = None
    chroma_client_auth_credentials: Optional[str] = None
    chroma_client_auth_token_transport_header: Optional[str] = None
    chroma_server_authn_provider: Optional[str] = None
    chroma_server_authn_credentials: Optional[str] = None
    chroma_server_authn_credentials_file: Optional[str] = None
    chroma_server_authz_provider: Optional[str] = None
    chroma_server_authz_config: Optional[str] = None
    chroma_server_authz_config_file: Optional[str] = None
    chroma_server_auth_provider: Optional[str] = None
    chroma_server_auth_credentials: Optional[str] = None
    chroma_server_auth_credentials_file: Optional[str] = None
    chroma_server_auth_token_transport_header: Optional[str] = None
    chroma_auth_token_transport_header: Optional[str] = None
    chroma_overwrite_singleton_tenant_database_access_from_auth: bool = False

    allow_reset: bool = False
    anonymized_telemetry: bool = False

    @field_validator("chroma_server_http_port", mode="before")
    @classmethod
    def _port_from_str(cls, value: Any) -> Any:
        if isinstance(value, str):
            if value.strip() == "":
                return None
            if not value.strip().isdigit():
                raise ValueError(f"chroma_server_http_port must be a port number, got {value!r}")
            return int(value)
        return value

    def is_rest(self) -> bool:
        """True when these settings ask for the HTTP client rather than the embedded engine."""
        impl = self.chroma_api_impl.lower()
        return impl == "rest" or "fastapi" in impl or impl.endswith("http")

    def is_seed_era(self) -> bool:
        """True for the storage settings of the 0.3 seed documents: ``chroma_db_impl="duckdb"``
        or ``"duckdb+parquet"``. Such clients get 0.3's result keys and may reset as in 0.3
        (0.3 clients over HTTP are recognised by the server instead)."""
        return self.chroma_db_impl is not None

    def persistent(self) -> bool:
        """True when the embedded engine keeps its data in ``persist_directory``."""
        return self.is_persistent or (self.chroma_db_impl or "").endswith("parquet")

    def require(self, key: str) -> Any:
        """Return a setting, raising a clear error when it is not set."""
        value = getattr(self, key)
        if value is None:
            raise ValueError(f"Missing required config value '{key}'")
        return value

    def __getitem__(self, key: str) -> Any:
        return getattr(self, key)


T = TypeVar("T", bound="Component")


class Component:
    """Something a ``System`` builds and starts: the embedded engine, the HTTP client."""

    def __init__(self, system: System) -> None:
        self._system = system
        self._running = False

    def start(self) -> None:
        self._running = True

    def stop(self) -> None:
        self._running = False

    def reset_state(self) -> None:
        """Forget cached state; called after the database is reset."""


class System(Component):
    """Builds and holds the components that a ``Settings`` asks for.

    Examples:
        ```python
        system = System(Settings(allow_reset=True))
        api = system.instance(API)
        system.start()
        ```
    """

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._instances: Dict[Any, Component] = {}
        self._lock = threading.RLock()
        super().__init__(self)

    def instance(self, type_: Callable[..., T]) -> T:
        """Return the one instance of ``type_`` (an abstract API type maps to its implementation)."""
        with self._lock:
            if type_ not in self._instances:
                impl = self._implementation(type_)
                self._instances[type_] = impl(self)
            return cast(T, self._instances[type_])

    def _implementation(self, type_: Any) -> Any:
        # An abstract type names its implementation itself (``API.implementation_for``), so
        # this module need not know the API package that sits above it.
        choose = getattr(type_, "implementation_for", None)
        return choose(self.settings) if callable(choose) else type_

    def start(self) -> None:
        super().start()
        for component in list(self._instances.values()):
            component.start()

    def stop(self) -> None:
        super().stop()
        for component in reversed(list(self._instances.values())):
            component.stop()

    def reset_state(self) -> None:
        for component in self._instances.values():
            component.reset_state()


__all__ = [
    "APIVersion",
    "Component",
    "DEFAULT_DATABASE",
    "DEFAULT_TENANT",
    "Settings",
    "System",
]
