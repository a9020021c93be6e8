"""Embedding functions by name, so a collection can rebuild the function it was created with
from the ``name`` and ``config`` recorded in its configuration."""

from __future__ import annotations

from typing import Any, Callable, Dict, TypeVar

from chromadb.errors import InvalidArgumentError

__all__ = [
    "build_embedding_function",
    "build_sparse_embedding_function",
    "known_embedding_functions",
    "register_embedding_function",
    "register_sparse_embedding_function",
    "sparse_known_embedding_functions",
]

known_embedding_functions: Dict[str, type] = {}

T = TypeVar("T", bound=type)


def register_embedding_function(cls: T, name: str = "") -> T:
    """Make ``cls`` buildable by ``build_embedding_function`` under ``name`` (default:
    ``cls.name()``). Use it for your own functions; it returns ``cls``, so it works as a
    decorator."""
    key = name or cls.name()  # type: ignore[attr-defined]
    known_embedding_functions[key] = cls
    return cls


def build_embedding_function(name: str, config: Dict[str, Any]) -> Any:
    """A new instance of the function registered as ``name``, built from ``config``.

    Raises:
        InvalidArgumentError: no function is registered under ``name``.
    """
    cls = known_embedding_functions.get(name)
    if cls is None:
        known = ", ".join(sorted(known_embedding_functions))
        raise InvalidArgumentError(
            f"Unknown embedding function {name!r}: known ones are {known}; register your own "
            f"with register_embedding_function"
        )
    build: Callable[[Dict[str, Any]], Any] = cls.build_from_config  # type: ignore[attr-defined]
    return build(dict(config or {}))


# Sparse embedding functions (BM25, SPLADE ...), recorded in a schema's sparse vector index.
sparse_known_embedding_functions: Dict[str, type] = {}


def register_sparse_embedding_function(cls: T, name: str = "") -> T:
    """Make a sparse embedding function buildable by ``build_sparse_embedding_function`` under
    ``name`` (default: ``cls.name()``); returns ``cls``."""
    sparse_known_embedding_functions[name or cls.name()] = cls  # type: ignore[attr-defined]
    return cls


def build_sparse_embedding_function(name: str, config: Dict[str, Any]) -> Any:
    """A new instance of the sparse function registered as ``name``, built from ``config``.

    Raises:
        InvalidArgumentError: no sparse function is registered under ``name``.
    """
    cls = sparse_known_embedding_functions.get(name)
    if cls is None:
        known = ", ".join(sorted(sparse_known_embedding_functions))
        raise InvalidArgumentError(
            f"Unknown sparse embedding function {name!r}: known ones are {known}; register "
            f"your own with register_sparse_embedding_function"
        )
    build: Callable[[Dict[str, Any]], Any] = cls.build_from_config  # type: ignore[attr-defined]
    return build(dict(config or {}))
