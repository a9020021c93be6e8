"""Helpers shared by the embedding functions: input checks, output shaping, API keys."""

from __future__ import annotations

import os
from typing import Any, List, Optional, Sequence

import numpy as np

from chromadb.api.types import Embeddings
from chromadb.errors import InvalidArgumentError
from chromadb.utils.embedding_functions.errors import EmbeddingServiceError

__all__ = ["batch_ranges", "check_documents", "describe_batch", "resolve_api_key", "to_embeddings"]


def check_documents(input: Any) -> List[str]:
    """The documents as a list of strings; a single string counts as a batch of one."""
    if isinstance(input, str):
        return [input]
    if not isinstance(input, (list, tuple)):
        raise InvalidArgumentError(
            f"Expected the documents to embed as a list of strings, got {type(input).__name__}"
        )
    for i, text in enumerate(input):
        if not isinstance(text, str):
            raise InvalidArgumentError(
                f"Expected document {i} to be a string, got {type(text).__name__}"
            )
    return list(input)


def to_embeddings(vectors: Any, expected: int, service: str, what: str) -> Embeddings:
    """Turn a service's list of vectors into float32 arrays, checking that one came per text.

    ``what`` names the documents of the request (e.g. "documents 0-63 of 100") for the error.
    """
    if not isinstance(vectors, list) or len(vectors) != expected:
        got = f"{len(vectors)} embeddings" if isinstance(vectors, list) else type(vectors).__name__
        raise EmbeddingServiceError(
            f"{service} answered {got} for {what}, expected {expected} embeddings", service
        )
    out: Embeddings = []
    for i, vector in enumerate(vectors):
        try:
            array = np.asarray(vector, dtype=np.float32)
        except (TypeError, ValueError):
            array = np.empty((0,), dtype=np.float32)
        if array.ndim != 1 or array.size == 0:
            raise EmbeddingServiceError(
                f"{service} answered a malformed embedding for item {i} of {what}: expected a "
                f"list of numbers",
                service,
            )
        out.append(array)
    return out


def resolve_api_key(
    api_key: Optional[str], env_var: str, service: str, fallback_env_var: Optional[str] = None
) -> str:
    """The key given, else the one in ``env_var`` (else ``fallback_env_var``).

    Raises:
        InvalidArgumentError: no key anywhere; the message names the variable to set.
    """
    key = api_key or os.environ.get(env_var)
    if not key and fallback_env_var:
        key = os.environ.get(fallback_env_var)
    if not key:
        raise InvalidArgumentError(
            f"{service} needs an API key: pass api_key=... or set the environment variable {env_var}"
        )
    return key


def batch_ranges(count: int, size: int) -> List[range]:
    """Positions of ``count`` items cut into consecutive runs of at most ``size``."""
    return [range(start, min(start + size, count)) for start in range(0, count, size)]


def describe_batch(positions: Sequence[int], total: int) -> str:
    """How errors name a batch: "documents 64-127 of 300"."""
    if len(positions) == 1:
        return f"document {positions[0]} of {total}"
    return f"documents {positions[0]}-{positions[-1]} of {total}"
