"""SentenceTransformerEmbeddingFunction under the module name Chroma gives it."""

from chromadb.utils.embedding_functions.sentence_transformer import (
    SentenceTransformerEmbeddingFunction,
)

__all__ = ["SentenceTransformerEmbeddingFunction"]
