"""The default embedding function (all-MiniLM-L6-v2 in ONNX) under the module name Chroma gives it."""

from chromadb.utils.embedding_functions.onnx_minilm import (
    DefaultEmbeddingFunction,
    ONNXMiniLM_L6_V2,
)

__all__ = ["DefaultEmbeddingFunction", "ONNXMiniLM_L6_V2"]
