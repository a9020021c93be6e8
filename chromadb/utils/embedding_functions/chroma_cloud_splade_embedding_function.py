"""``ChromaCloudSpladeEmbeddingFunction`` (name ``chroma-cloud-splade``): SPLADE embeddings that
Chroma Cloud's hosted model computes. There is no such service for a local database, so calling
it raises a ``ValueError`` that names the local alternatives; it can still be constructed and
recorded in a schema (code written for Chroma Cloud loads unchanged)."""

from __future__ import annotations

import os
from enum import Enum
from typing import Any, Dict, List

from chromadb.api.types import Documents, SparseEmbeddingFunction, SparseVectors


class ChromaCloudSpladeEmbeddingModel(Enum):
    SPLADE_PP_EN_V1 = "prithivida/Splade_PP_en_v1"


class ChromaCloudSpladeEmbeddingFunction(SparseEmbeddingFunction[Documents]):
    """Chroma Cloud's hosted SPLADE model (not available to a local database)."""

    def __init__(
        self,
        api_key_env_var: str = "CHROMA_API_KEY",
        model: ChromaCloudSpladeEmbeddingModel = ChromaCloudSpladeEmbeddingModel.SPLADE_PP_EN_V1,
        include_tokens: bool = False,
    ):
        self.api_key_env_var = api_key_env_var
        self.api_key = os.getenv(api_key_env_var)
        if not self.api_key:
            raise ValueError(
                f"API key not found in environment variable {api_key_env_var} "
                f"or in any existing client instances"
            )
        self.model = model
        self.include_tokens = bool(include_tokens)

    def __call__(self, input: Documents) -> SparseVectors:
        raise ValueError(
            "ChromaCloudSpladeEmbeddingFunction embeds through Chroma Cloud's hosted model, "
            "which a local database cannot reach. Use HuggingFaceSparseEmbeddingFunction("
            f"model_name={self.model.value!r}, device='cpu') (the sentence-transformers extra) "
            "or ChromaBm25EmbeddingFunction() instead."
        )

    @staticmethod
    def name() -> str:
        return "chroma-cloud-splade"

    @staticmethod
    def build_from_config(config: Dict[str, Any]) -> ChromaCloudSpladeEmbeddingFunction:
        api_key_env_var = config.get("api_key_env_var")
        model = config.get("model")
        if model is None:
            raise ValueError("model must be provided in config")
        if not api_key_env_var:
            raise ValueError("api_key_env_var must be provided in config")
        return ChromaCloudSpladeEmbeddingFunction(
            api_key_env_var=api_key_env_var,
            model=ChromaCloudSpladeEmbeddingModel(model),
            include_tokens=config.get("include_tokens", False),
        )

    def get_config(self) -> Dict[str, Any]:
        return {
            "api_key_env_var": self.api_key_env_var,
            "model": self.model.value,
            "include_tokens": self.include_tokens,
        }

    def validate_config_update(
        self, old_config: Dict[str, Any], new_config: Dict[str, Any]
    ) -> None:
        for key in ("include_tokens", "model"):
            if key in new_config and new_config[key] != old_config.get(key):
                raise ValueError(f"Updating '{key}' is not supported for chroma-cloud-splade")

    @staticmethod
    def validate_config(config: Dict[str, Any]) -> None:
        return


__all__: List[str] = ["ChromaCloudSpladeEmbeddingFunction", "ChromaCloudSpladeEmbeddingModel"]
