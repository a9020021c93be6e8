"""CohereEmbeddingFunction under the module name Chroma gives it."""

from chromadb.utils.embedding_functions.cohere import CohereEmbeddingFunction

__all__ = ["CohereEmbeddingFunction"]
