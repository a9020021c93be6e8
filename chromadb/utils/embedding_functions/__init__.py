"""Embedding functions: turn documents into vectors.

``DefaultEmbeddingFunction`` (all-MiniLM-L6-v2, local, no torch, no network) is what a collection
uses when given none. The others call a library or a web service:
``SentenceTransformerEmbeddingFunction``, ``OpenAIEmbeddingFunction``,
``CohereEmbeddingFunction``, ``HuggingFaceEmbeddingFunction``, ``OllamaEmbeddingFunction``.

Every function has ``name()``, ``get_config()`` (never a secret) and
``build_from_config(config)``; ``build_embedding_function(name, config)`` rebuilds one by name.
"""

from typing import Any, Dict, Set

from chromadb.api.types import EmbeddingFunction, SparseEmbeddingFunction
from chromadb.utils.embedding_functions import (  # noqa: F401 - Chroma's module names
    cohere_embedding_function,
    ollama_embedding_function,
    onnx_mini_lm_l6_v2,
    openai_embedding_function,
    sentence_transformer_embedding_function,
)
from chromadb.utils.embedding_functions import utils as utils
from chromadb.utils.embedding_functions.amazon_bedrock_embedding_function import (
    AmazonBedrockEmbeddingFunction,
)
from chromadb.utils.embedding_functions.baseten_embedding_function import BasetenEmbeddingFunction
from chromadb.utils.embedding_functions.bm25_embedding_function import Bm25EmbeddingFunction
from chromadb.utils.embedding_functions.chroma_bm25_embedding_function import (
    ChromaBm25EmbeddingFunction,
)
from chromadb.utils.embedding_functions.chroma_cloud_splade_embedding_function import (
    ChromaCloudSpladeEmbeddingFunction,
)
from chromadb.utils.embedding_functions.chroma_langchain_embedding_function import (
    ChromaLangchainEmbeddingFunction,
)
from chromadb.utils.embedding_functions.cloudflare_workers_ai_embedding_function import (
    CloudflareWorkersAIEmbeddingFunction,
)
from chromadb.utils.embedding_functions.cohere import CohereEmbeddingFunction
from chromadb.utils.embedding_functions.errors import (
    EmbeddingFunctionError,
    EmbeddingServiceError,
    ModelFileError,
)
from chromadb.utils.embedding_functions.fastembed_sparse_embedding_function import (
    FastembedSparseEmbeddingFunction,
)
from chromadb.utils.embedding_functions.google_embedding_function import (
    GoogleGeminiEmbeddingFunction,
    GoogleGenaiEmbeddingFunction,
    GoogleGenerativeAiEmbeddingFunction,
    GooglePalmEmbeddingFunction,
    GoogleVertexEmbeddingFunction,
)
from chromadb.utils.embedding_functions.huggingface import HuggingFaceEmbeddingFunction
from chromadb.utils.embedding_functions.huggingface_embedding_function import (
    HuggingFaceEmbeddingServer,
)
from chromadb.utils.embedding_functions.huggingface_sparse_embedding_function import (
    HuggingFaceSparseEmbeddingFunction,
)
from chromadb.utils.embedding_functions.instructor_embedding_function import (
    InstructorEmbeddingFunction,
)
from chromadb.utils.embedding_functions.jina_embedding_function import (
    JinaEmbeddingFunction,
    JinaQueryConfig,
)
from chromadb.utils.embedding_functions.mistral_embedding_function import MistralEmbeddingFunction
from chromadb.utils.embedding_functions.morph_embedding_function import MorphEmbeddingFunction
from chromadb.utils.embedding_functions.nomic_embedding_function import (
    NomicEmbeddingFunction,
    NomicQueryConfig,
)
from chromadb.utils.embedding_functions.ollama import OllamaEmbeddingFunction
from chromadb.utils.embedding_functions.onnx_minilm import (
    DefaultEmbeddingFunction,
    ONNXMiniLM_L6_V2,
)
from chromadb.utils.embedding_functions.open_clip_embedding_function import (
    OpenCLIPEmbeddingFunction,
)
from chromadb.utils.embedding_functions.openai import OpenAIEmbeddingFunction
from chromadb.utils.embedding_functions.perplexity_embedding_function import (
    PerplexityEmbeddingFunction,
)
from chromadb.utils.embedding_functions.registry import (
    build_embedding_function,
    build_sparse_embedding_function,
    known_embedding_functions,
    register_embedding_function,
    register_sparse_embedding_function,
    sparse_known_embedding_functions,
)
from chromadb.utils.embedding_functions.roboflow_embedding_function import (
    RoboflowEmbeddingFunction,
)
from chromadb.utils.embedding_functions.sentence_transformer import (
    SentenceTransformerEmbeddingFunction,
)
from chromadb.utils.embedding_functions.text2vec_embedding_function import (
    Text2VecEmbeddingFunction,
)
from chromadb.utils.embedding_functions.together_ai_embedding_function import (
    TogetherAIEmbeddingFunction,
)
from chromadb.utils.embedding_functions.voyageai_embedding_function import (
    VoyageAIEmbeddingFunction,
)

for _cls in (
    AmazonBedrockEmbeddingFunction,
    BasetenEmbeddingFunction,
    ChromaLangchainEmbeddingFunction,
    CloudflareWorkersAIEmbeddingFunction,
    GoogleGenaiEmbeddingFunction,
    GoogleGenerativeAiEmbeddingFunction,
    GooglePalmEmbeddingFunction,
    GoogleVertexEmbeddingFunction,
    HuggingFaceEmbeddingServer,
    InstructorEmbeddingFunction,
    JinaEmbeddingFunction,
    MistralEmbeddingFunction,
    MorphEmbeddingFunction,
    NomicEmbeddingFunction,
    OpenCLIPEmbeddingFunction,
    PerplexityEmbeddingFunction,
    RoboflowEmbeddingFunction,
    Text2VecEmbeddingFunction,
    TogetherAIEmbeddingFunction,
    VoyageAIEmbeddingFunction,
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

# Sparse embedding functions: they fill a schema's sparse vector index.
for _sparse in (
    ChromaBm25EmbeddingFunction,
    Bm25EmbeddingFunction,
    FastembedSparseEmbeddingFunction,
    HuggingFaceSparseEmbeddingFunction,
    ChromaCloudSpladeEmbeddingFunction,
):
    register_sparse_embedding_function(_sparse)


def get_builtins() -> Set[str]:
    """The names of the embedding functions this package provides."""
    return set(known_embedding_functions)


def config_to_embedding_function(config: Dict[str, Any]) -> Any:
    """Rebuild an embedding function from a recorded ``{"name": ..., "config": ...}``."""
    if "name" not in config:
        raise ValueError(f"An embedding function configuration needs a 'name', got {config!r}")
    return build_embedding_function(config["name"], config.get("config") or {})


__all__ = [
    "AmazonBedrockEmbeddingFunction",
    "BasetenEmbeddingFunction",
    "Bm25EmbeddingFunction",
    "ChromaBm25EmbeddingFunction",
    "ChromaCloudSpladeEmbeddingFunction",
    "ChromaLangchainEmbeddingFunction",
    "CloudflareWorkersAIEmbeddingFunction",
    "CohereEmbeddingFunction",
    "DefaultEmbeddingFunction",
    "EmbeddingFunction",
    "EmbeddingFunctionError",
    "EmbeddingServiceError",
    "FastembedSparseEmbeddingFunction",
    "GoogleGeminiEmbeddingFunction",
    "GoogleGenaiEmbeddingFunction",
    "GoogleGenerativeAiEmbeddingFunction",
    "GooglePalmEmbeddingFunction",
    "GoogleVertexEmbeddingFunction",
    "HuggingFaceEmbeddingFunction",
    "HuggingFaceEmbeddingServer",
    "HuggingFaceSparseEmbeddingFunction",
    "InstructorEmbeddingFunction",
    "JinaEmbeddingFunction",
    "JinaQueryConfig",
    "MistralEmbeddingFunction",
    "ModelFileError",
    "MorphEmbeddingFunction",
    "NomicEmbeddingFunction",
    "NomicQueryConfig",
    "ONNXMiniLM_L6_V2",
    "OllamaEmbeddingFunction",
    "OpenAIEmbeddingFunction",
    "OpenCLIPEmbeddingFunction",
    "PerplexityEmbeddingFunction",
    "RoboflowEmbeddingFunction",
    "SentenceTransformerEmbeddingFunction",
    "SparseEmbeddingFunction",
    "Text2VecEmbeddingFunction",
    "TogetherAIEmbeddingFunction",
    "VoyageAIEmbeddingFunction",
    "build_embedding_function",
    "build_sparse_embedding_function",
    "config_to_embedding_function",
    "get_builtins",
    "known_embedding_functions",
    "register_embedding_function",
    "register_sparse_embedding_function",
    "sparse_known_embedding_functions",
]
