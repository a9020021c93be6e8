"""Errors raised by embedding functions (defined, like every error class, in
``chromadb.errors``)::

    EmbeddingFunctionError        an embedding function could not produce embeddings
    ├── ModelFileError            model files missing, unreadable, corrupt (sha256) or not downloadable
    └── EmbeddingServiceError     a web embedding service failed or refused a request

Arguments that are wrong in themselves (a missing API key, a non-string document) raise
``chromadb.errors.InvalidArgumentError`` instead.
"""

from chromadb.errors import EmbeddingFunctionError, EmbeddingServiceError, ModelFileError

__all__ = ["EmbeddingFunctionError", "EmbeddingServiceError", "ModelFileError"]
