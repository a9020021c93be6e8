"""Perplexity embeddings (``POST https://api.perplexity.ai/v1/embeddings``; ``api_url`` points elsewhere)."""

from __future__ import annotations

from typing import Any, Dict, List, Optional

from chromadb.utils.embedding_functions._service import JsonEmbeddingService

__all__ = ["PerplexityEmbeddingFunction"]


class PerplexityEmbeddingFunction(JsonEmbeddingService):
    """Embeddings from Perplexity's API.

    Args:
        api_key: The API key; default: the environment variable ``api_key_env_var`` names
            (only the variable's name is stored in a collection's configuration).
        model_name: See Perplexity's API.
        dimensions: See Perplexity's API.
        api_key_env_var: The environment variable holding the key.
        api_url: The embeddings endpoint (default: Perplexity's).
    """

    service = "Perplexity"
    NAME = "perplexity"
    DEFAULT_URL = "https://api.perplexity.ai/v1/embeddings"
    DEFAULT_KEY_ENV = "PERPLEXITY_API_KEY"
    FALLBACK_KEY_ENV = None
    CONFIG_KEYS = ("model_name", "api_key_env_var", "dimensions")

    def __init__(
        self,
        api_key: Optional[str] = None,
        model_name: str = "pplx-embed-v1-0.6b",
        dimensions: Optional[int] = None,
        api_key_env_var: str = "PERPLEXITY_API_KEY",
        api_url: Optional[str] = None,
    ) -> None:
        super().__init__(api_key, api_key_env_var, api_url)
        self.model_name = model_name
        self.dimensions = dimensions

    def _payload(self, texts: List[str]) -> Dict[str, Any]:
        payload: Dict[str, Any] = {"input": texts, "model": self.model_name}
        if self.dimensions is not None:
            payload["dimensions"] = self.dimensions
        return payload
