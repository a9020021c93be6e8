"""OpenAIEmbeddingFunction under the module name Chroma gives it."""

from chromadb.utils.embedding_functions.openai import OpenAIEmbeddingFunction

__all__ = ["OpenAIEmbeddingFunction"]
