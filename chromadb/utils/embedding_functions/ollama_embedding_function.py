"""OllamaEmbeddingFunction under the module name Chroma gives it."""

from chromadb.utils.embedding_functions.ollama import OllamaEmbeddingFunction

__all__ = ["OllamaEmbeddingFunction"]
