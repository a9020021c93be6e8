"""Errors raised by embedding functions.

Hierarchy (all under ``chromadb.errors.ChromaError``)::

    EmbeddingFunctionError        an embedding function could not produce embeddings
    ├── ModelFileError            model files missing, unreadable, corrupt (sha256) or not downloadable
    └── EmbeddingServiceError     a web embedding service failed or refused a request

Arguments that are wrong in themselves (a missing API key, a non-string document) raise
``chromadb.errors.InvalidArgumentError`` instead.
"""

from __future__ import annotations

from typing import Optional

from chromadb.errors import ChromaError

__all__ = ["EmbeddingFunctionError", "EmbeddingServiceError", "ModelFileError"]


class EmbeddingFunctionError(ChromaError):
    """Raised when an embedding function cannot produce embeddings."""

    status_code = 500

    @classmethod
    def name(cls) -> str:
        return "EmbeddingFunctionError"


class ModelFileError(EmbeddingFunctionError):
    """Raised when the files of a local model are missing, corrupt or cannot be downloaded."""

    @classmethod
    def name(cls) -> str:
        return "ModelFileError"


class EmbeddingServiceError(EmbeddingFunctionError):
    """Raised when a web embedding service cannot be reached or answers with an error.

    ``service`` names the service ("openai", "cohere", ...); ``status`` is the HTTP status it
    answered with, or None when no answer came back.
    """

    def __init__(self, message: str, service: str = "", status: Optional[int] = None) -> None:
        super().__init__(message)
        self.service = service
        self.status = status

    @classmethod
    def name(cls) -> str:
        return "EmbeddingServiceError"
