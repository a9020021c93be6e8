"""Errors raised by chromadb, shared by the embedded engine, the server and the HTTP client.

Hierarchy::

    ChromaError                      (400 unless a subclass says otherwise)
    ├── InvalidArgumentError         also a ValueError: bad input of any kind
    │   ├── InvalidDimensionException  embedding of the wrong length
    │   ├── DuplicateIDError           the same id twice in one batch
    │   ├── InvalidUUIDError           a collection id that is not a UUID
    │   └── InvalidCollectionException a collection name that breaks the naming rules
    ├── IDAlreadyExistsError         (409)
    ├── UniqueConstraintError        (409) also a ValueError: collection/tenant/database exists
    ├── NotFoundError                (404) also a ValueError: collection/tenant/database missing
    ├── AuthError                    (401)
    ├── AuthorizationError           (403) e.g. reset when allow_reset is off
    ├── BatchSizeExceededError       (413)
    ├── RateLimitError               (429)
    └── InternalError                (500)
        ├── DataIntegrityError         damaged data, or caches holding what SQLite lost
        └── DiskFullError        (507) a write found the disk full (and was not stored)

Every class has a stable ``name()`` that travels over HTTP as ``{"error": name, "message": text}``;
``error_types`` maps those names back to classes for the HTTP client.
"""

from __future__ import annotations


class ChromaError(Exception):
    """Base of every error chromadb raises on purpose."""

    status_code: int = 400

    def __init__(self, message: str = "") -> None:
        super().__init__(message)
        self.message = message

    def code(self) -> int:
        """The HTTP status this error travels with."""
        return self.status_code

    @classmethod
    def name(cls) -> str:
        """The stable name that identifies this error over HTTP."""
        return "ChromaError"


class InvalidArgumentError(ChromaError, ValueError):
    """Raised when an argument is malformed: wrong type, bad filter, mismatched lengths."""

    @classmethod
    def name(cls) -> str:
        return "InvalidArgumentError"


class InvalidDimensionException(InvalidArgumentError):
    """Raised when an embedding's length differs from the collection's dimension."""

    @classmethod
    def name(cls) -> str:
        return "InvalidDimension"


class DuplicateIDError(InvalidArgumentError):
    """Raised when one batch names the same id more than once."""

    @classmethod
    def name(cls) -> str:
        return "DuplicateID"


class InvalidUUIDError(InvalidArgumentError):
    """Raised when a collection id is not a valid UUID."""

    @classmethod
    def name(cls) -> str:
        return "InvalidUUID"


class InvalidCollectionException(InvalidArgumentError):
    """Raised when a collection name breaks the naming rules."""

    @classmethod
    def name(cls) -> str:
        return "InvalidCollection"


class IDAlreadyExistsError(ChromaError):
    """Raised when an id that must be new already exists."""

    status_code = 409

    @classmethod
    def name(cls) -> str:
        return "IDAlreadyExists"


class UniqueConstraintError(ChromaError, ValueError):
    """Raised when a collection, tenant or database of that name already exists."""

    status_code = 409

    @classmethod
    def name(cls) -> str:
        return "UniqueConstraintError"


class NotFoundError(ChromaError, ValueError):
    """Raised when a collection, tenant or database does not exist."""

    status_code = 404

    @classmethod
    def name(cls) -> str:
        return "NotFoundError"


class AuthError(ChromaError):
    """Raised when a request carries no valid credentials."""

    status_code = 401

    @classmethod
    def name(cls) -> str:
        return "AuthError"


class AuthorizationError(ChromaError):
    """Raised when an operation is not allowed, such as ``reset`` without ``allow_reset``."""

    status_code = 403

    @classmethod
    def name(cls) -> str:
        return "AuthorizationError"


class BatchSizeExceededError(ChromaError, ValueError):
    """Raised when a batch (or a request body) is larger than the server accepts. A
    ``ValueError`` too, as real Chroma's clients raise for a batch over the maximum."""

    status_code = 413

    @classmethod
    def name(cls) -> str:
        return "BatchSizeExceededError"


class RateLimitError(ChromaError):
    """Raised when the server asks the client to slow down."""

    status_code = 429

    @classmethod
    def name(cls) -> str:
        return "RateLimitError"


class InternalError(ChromaError):
    """Raised for an unexpected failure inside the database."""

    status_code = 500

    @classmethod
    def name(cls) -> str:
        return "InternalError"


class DataIntegrityError(InternalError):
    """Raised when stored data is damaged, or a cache (an index checkpoint) holds records that
    SQLite no longer has: evidence of loss, reported instead of "repaired" from the damaged
    side. ``chroma check --path DIR`` reports on the folder, ``chroma repair`` fixes what can
    be fixed safely."""

    @classmethod
    def name(cls) -> str:
        return "DataIntegrityError"


class DiskFullError(InternalError):
    """Raised when a write finds the disk full; the write was not stored, and nothing stored
    before it is lost."""

    status_code = 507

    @classmethod
    def name(cls) -> str:
        return "DiskFullError"


# Names other Chroma versions use for the same conditions map onto our classes too.
error_types: dict[str, type[ChromaError]] = {
    cls.name(): cls
    for cls in (
        ChromaError,
        InvalidArgumentError,
        InvalidDimensionException,
        DuplicateIDError,
        InvalidUUIDError,
        InvalidCollectionException,
        IDAlreadyExistsError,
        UniqueConstraintError,
        NotFoundError,
        AuthError,
        AuthorizationError,
        BatchSizeExceededError,
        RateLimitError,
        InternalError,
        DataIntegrityError,
        DiskFullError,
    )
}
error_types.update(
    {
        "InvalidDimensionException": InvalidDimensionException,
        "DuplicateIDError": DuplicateIDError,
        "IDAlreadyExistsError": IDAlreadyExistsError,
        "InvalidUUIDError": InvalidUUIDError,
        "InvalidCollectionException": InvalidCollectionException,
        "ValueError": InvalidArgumentError,
    }
)

__all__ = [
    "AuthError",
    "AuthorizationError",
    "BatchSizeExceededError",
    "ChromaError",
    "DataIntegrityError",
    "DiskFullError",
    "DuplicateIDError",
    "IDAlreadyExistsError",
    "InternalError",
    "InvalidArgumentError",
    "InvalidCollectionException",
    "InvalidDimensionException",
    "InvalidUUIDError",
    "NotFoundError",
    "RateLimitError",
    "UniqueConstraintError",
    "error_types",
]
