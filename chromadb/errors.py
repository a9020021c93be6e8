"""Errors raised by chromadb: the single source of error identity for every layer.

Hierarchy::

    ChromaError                      (400 unless a subclass says otherwise)
    ├── InvalidArgumentError         also a ValueError: bad input of any kind
    │   ├── InvalidDimensionException  embedding of the wrong length
    │   ├── DuplicateIDError           the same id twice in one batch
    │   ├── InvalidUUIDError           a collection id that is not a UUID
    │   └── InvalidCollectionException a collection name that breaks the naming rules
    ├── InvalidHTTPVersion           a client that speaks an HTTP version we do not
    ├── QuotaError                   a request beyond a quota
    ├── UniqueConstraintError        (409) also a ValueError: collection/tenant/database exists
    ├── IDAlreadyExistsError         (409)
    ├── FolderInUseError             (409) the folder is held alone (maintenance), or wanted alone
    ├── ForeignFolderError           (409) the folder holds a real Chroma database (chroma import)
    ├── ImportReadError              a source of chroma import/copy cannot be read (names the record)
    ├── ImportWriteError             a record could not be written by chroma import/copy
    ├── NotFoundError                (404) also a ValueError: collection/tenant/database missing
    ├── AuthError                    (401) missing or wrong credentials (ChromaAuthError too)
    ├── AuthorizationError           (403) e.g. reset when allow_reset is off
    ├── MethodNotAllowedError        (405) a route asked with a method it does not serve
    ├── BatchSizeExceededError       (413)
    ├── RateLimitError               (429)
    ├── InternalError                (500)
    │   ├── DataIntegrityError         damaged data, or caches holding what SQLite lost
    │   └── DiskFullError        (507) a write found the disk full (and was not stored)
    └── VersionMismatchError         (500) client and server disagree on the protocol
    EmbeddingFunctionError           (500) an embedding function could not embed
    ├── ModelFileError                 model files missing, corrupt or not downloadable
    └── EmbeddingServiceError          a web embedding service failed or refused a request
    ChromaConnectionError            the server could not be reached (an httpx.ConnectError and,
                                     with requests installed, a requests ConnectionError)

Every class has a stable ``name()`` that travels over HTTP as ``{"error": name, "message": text}``.
Classes register themselves when defined (``__init_subclass__``): ``error_types`` maps each name
(and the other names Chroma versions use) back to its class, and ``class_for_status`` /
``status_table`` give the one class per status. The server's answers, the HTTP client's
translation, the OpenAPI document and the JS client's table are all derived from these classes.
"""

from __future__ import annotations

from typing import Any, ClassVar, Dict, List, Optional, Tuple

import httpx


class ChromaError(Exception):
    """Base of every error chromadb raises on purpose."""

    status_code: ClassVar[int] = 400
    # The name this class travels under over HTTP; ``None`` on a subclass means the class name.
    error_name: ClassVar[str] = "ChromaError"
    # Other names (of other Chroma versions) that denote this class on the wire.
    aliases: ClassVar[Tuple[str, ...]] = ()
    # True on the one class that stands for its status when an answer names no class.
    for_status: ClassVar[bool] = False

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if "error_name" not in vars(cls):
            cls.error_name = cls.__name__
        _register(cls)

    def __init__(self, message: str = "") -> None:
        super().__init__(message)
        self.message = message

    def code(self) -> int:
        """The HTTP status this error travels with."""
        return self.status_code

    @classmethod
    def name(cls) -> str:
        """The stable name that identifies this error over HTTP."""
        return cls.error_name


error_types: Dict[str, type[ChromaError]] = {}
_by_status: Dict[int, type[ChromaError]] = {}


def _register(cls: type[ChromaError]) -> None:
    for name in (cls.error_name, *vars(cls).get("aliases", ())):
        if name in error_types and error_types[name] is not cls:
            raise TypeError(f"error name {name!r} is taken by {error_types[name].__name__}")
        error_types[name] = cls
    if vars(cls).get("for_status", False):
        if cls.status_code in _by_status:
            raise TypeError(
                f"status {cls.status_code} already stands for {_by_status[cls.status_code]}"
            )
        _by_status[cls.status_code] = cls


_register(ChromaError)


def class_for_status(status: int) -> type[ChromaError]:
    """The class an answer with this status and no (known) error name stands for."""
    if status in _by_status:
        return _by_status[status]
    return InternalError if status >= 500 else ChromaError


def status_table() -> Dict[int, List[type[ChromaError]]]:
    """Every registered class by its status (the status's own class first), for documents
    and the JS client's table."""
    table: Dict[int, List[type[ChromaError]]] = {}
    for cls in dict.fromkeys(error_types.values()):
        table.setdefault(cls.status_code, []).append(cls)
    for status, classes in table.items():
        classes.sort(key=lambda c: (c is not _by_status.get(status), c.error_name))
    return dict(sorted(table.items()))


class InvalidArgumentError(ChromaError, ValueError):
    """Raised when an argument is malformed: wrong type, bad filter, mismatched lengths."""

    for_status = True
    aliases: ClassVar[Tuple[str, ...]] = ("InvalidArgument", "ValueError")


class InvalidDimensionException(InvalidArgumentError):
    """Raised when an embedding's length differs from the collection's dimension."""

    error_name = "InvalidDimension"
    aliases = ("InvalidDimensionException",)


class DuplicateIDError(InvalidArgumentError):
    """Raised when one batch names the same id more than once."""

    error_name = "DuplicateID"
    aliases = ("DuplicateIDError",)


class InvalidUUIDError(InvalidArgumentError):
    """Raised when a collection id is not a valid UUID."""

    error_name = "InvalidUUID"
    aliases = ("InvalidUUIDError",)


class InvalidCollectionException(InvalidArgumentError):
    """Raised when a collection name breaks the naming rules."""

    error_name = "InvalidCollection"
    aliases = ("InvalidCollectionException",)


class InvalidHTTPVersion(ChromaError):
    """Raised when a client speaks an HTTP version the server does not."""


class QuotaError(ChromaError):
    """Raised when a request goes beyond a quota of the server."""


class UniqueConstraintError(ChromaError, ValueError):
    """Raised when a collection, tenant or database of that name already exists."""

    status_code = 409
    for_status = True


class IDAlreadyExistsError(ChromaError):
    """Raised when an id that must be new already exists."""

    status_code = 409
    error_name = "IDAlreadyExists"
    aliases = ("IDAlreadyExistsError",)


class FolderInUseError(ChromaError):
    """Raised when a folder is wanted alone (maintenance) while other processes have it open,
    or opened while a maintenance command holds it alone. Any number of clients and servers
    may otherwise share a folder."""

    status_code = 409


class ForeignFolderError(ChromaError):
    """The folder holds a real Chroma database, which we never write to."""

    status_code = 409


class ImportReadError(ChromaError):
    """A source of an import or copy could not be read; the message names the file,
    collection and record."""


class ImportWriteError(ChromaError):
    """A record could not be written by an import or copy; the message names the collection
    and the records."""


class NotFoundError(ChromaError, ValueError):
    """Raised when a collection, tenant or database does not exist."""

    status_code = 404
    for_status = True


class AuthError(ChromaError):
    """Raised when a request carries no valid credentials."""

    status_code = 401
    error_name = "AuthError"
    for_status = True


# Chroma 1.x's name for the same class.
ChromaAuthError = AuthError


class AuthorizationError(ChromaError):
    """Raised when an operation is not allowed, such as ``reset`` without ``allow_reset``."""

    status_code = 403
    for_status = True


class MethodNotAllowedError(ChromaError):
    """Raised when a route is asked with a method it does not serve."""

    status_code = 405
    error_name = "MethodNotAllowed"
    for_status = True


class BatchSizeExceededError(ChromaError, ValueError):
    """Raised when a batch (or a request body) is larger than the server accepts. A
    ``ValueError`` too, as real Chroma's clients raise for a batch over the maximum."""

    status_code = 413
    for_status = True


class RateLimitError(ChromaError):
    """Raised when the server asks the client to slow down."""

    status_code = 429
    for_status = True


class InternalError(ChromaError):
    """Raised for an unexpected failure inside the database."""

    status_code = 500
    for_status = True


class DataIntegrityError(InternalError):
    """Raised when stored data is damaged, or a cache (an index checkpoint) holds records that
    SQLite no longer has: evidence of loss, reported instead of "repaired" from the damaged
    side. ``chroma check --path DIR`` reports on the folder, ``chroma repair`` fixes what can
    be fixed safely."""


class DiskFullError(InternalError):
    """Raised when a write finds the disk full; the write was not stored, and nothing stored
    before it is lost."""

    status_code = 507
    for_status = True


class VersionMismatchError(ChromaError):
    """Raised when the client and the server disagree on the protocol version."""

    status_code = 500


class EmbeddingFunctionError(ChromaError):
    """Raised when an embedding function cannot produce embeddings."""

    status_code = 500


class ModelFileError(EmbeddingFunctionError):
    """Raised when the files of a local model are missing, corrupt or cannot be downloaded."""


class EmbeddingServiceError(EmbeddingFunctionError):
    """Raised when a web embedding service cannot be reached or answers with an error.

    ``service`` names the service ("openai", "cohere", ...); ``status`` is the HTTP status it
    answered with, or None when no answer came back.
    """

    def __init__(self, message: str = "", service: str = "", status: Optional[int] = None) -> None:
        super().__init__(message)
        self.service = service
        self.status = status


def _connection_error_bases() -> Tuple[type, ...]:
    # Code written for the 0.3.x client (built on requests) waits for a server by catching
    # requests.exceptions.ConnectionError; code written for later ones catches httpx's.
    try:
        import requests.exceptions
    except ImportError:  # pragma: no cover - requests is optional
        return (httpx.ConnectError,)
    return (httpx.ConnectError, requests.exceptions.ConnectionError)


class ChromaConnectionError(*_connection_error_bases()):  # type: ignore[misc]
    """The server could not be reached. Both an ``httpx.ConnectError`` and, when requests is
    installed, a ``requests.exceptions.ConnectionError``."""


__all__ = [
    "AuthError",
    "AuthorizationError",
    "BatchSizeExceededError",
    "ChromaAuthError",
    "ChromaConnectionError",
    "ChromaError",
    "DataIntegrityError",
    "DiskFullError",
    "DuplicateIDError",
    "EmbeddingFunctionError",
    "EmbeddingServiceError",
    "FolderInUseError",
    "ForeignFolderError",
    "IDAlreadyExistsError",
    "ImportReadError",
    "ImportWriteError",
    "InternalError",
    "InvalidArgumentError",
    "InvalidCollectionException",
    "InvalidDimensionException",
    "InvalidHTTPVersion",
    "InvalidUUIDError",
    "MethodNotAllowedError",
    "ModelFileError",
    "NotFoundError",
    "QuotaError",
    "RateLimitError",
    "UniqueConstraintError",
    "VersionMismatchError",
    "class_for_status",
    "error_types",
    "status_table",
]


class ShardUnavailableError(ChromaError):
    """Raised on a Ray cluster when no live replica of a shard can serve the call (every node
    holding it is down). Nothing was written; retry once a node holding it is back."""

    status_code = 503

    @classmethod
    def name(cls) -> str:
        return "ShardUnavailableError"
