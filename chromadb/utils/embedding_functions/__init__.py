"""Embedding functions: turn documents into vectors.

``DefaultEmbeddingFunction`` (all-MiniLM-L6-v2, local, no torch, no network) is what a collection
uses when given none. The others call a library or a web service:
``SentenceTransformerEmbeddingFunction``, ``OpenAIEmbeddingFunction``,
``CohereEmbeddingFunction``, ``HuggingFaceEmbeddingFunction``, ``OllamaEmbeddingFunction``.

Every function has ``name()``, ``get_config()`` (never a secret) and
``build_from_config(config)``; ``build_embedding_function(name, config)`` rebuilds one by name.
"""

from chromadb.api.types import EmbeddingFunction
from chromadb.utils.embedding_functions.cohere import CohereEmbeddingFunction
from chromadb.utils.embedding_functions.errors import (
    EmbeddingFunctionError,
    EmbeddingServiceError,
    ModelFileError,
)
from chromadb.utils.embedding_functions.huggingface import HuggingFaceEmbeddingFunction
from chromadb.utils.embedding_functions.ollama import OllamaEmbeddingFunction
from chromadb.utils.embedding_functions.onnx_minilm import (
    DefaultEmbeddingFunction,
    ONNXMiniLM_L6_V2,
)
from chromadb.utils.embedding_functions.openai import OpenAIEmbeddingFunction
from chromadb.utils.embedding_functions.registry import (
    build_embedding_function,
    known_embedding_functions,
    register_embedding_function,
)
from chromadb.utils.embedding_functions.sentence_transformer import (
    SentenceTransformerEmbeddingFunction,
)

for _cls in (
    DefaultEmbeddingFunction,
    SentenceTransformerEmbeddingFunction,
    OpenAIEmbeddingFunction,
    CohereEmbeddingFunction,
    HuggingFaceEmbeddingFunction,
    OllamaEmbeddingFunction,
):
    register_embedding_function(_cls)
# The name Chroma records for its ONNX class; the same function here.
register_embedding_function(DefaultEmbeddingFunction, "onnx_mini_lm_l6_v2")

__all__ = [
    "CohereEmbeddingFunction",
    "DefaultEmbeddingFunction",
    "EmbeddingFunction",
    "EmbeddingFunctionError",
    "EmbeddingServiceError",
    "HuggingFaceEmbeddingFunction",
    "ModelFileError",
    "ONNXMiniLM_L6_V2",
    "OllamaEmbeddingFunction",
    "OpenAIEmbeddingFunction",
    "SentenceTransformerEmbeddingFunction",
    "build_embedding_function",
    "known_embedding_functions",
    "register_embedding_function",
]
