"""Mistral embeddings (``POST https://api.mistral.ai/v1/embeddings``; ``api_url`` points elsewhere)."""

from __future__ import annotations

from typing import Any, Dict, List, Optional

from chromadb.utils.embedding_functions._service import JsonEmbeddingService

__all__ = ["MistralEmbeddingFunction"]


class MistralEmbeddingFunction(JsonEmbeddingService):
    """Embeddings from Mistral's API.

    Args:
        api_key: The API key; default: the environment variable ``api_key_env_var`` names
            (only the variable's name is stored in a collection's configuration).
        model: See Mistral's API.
        api_key_env_var: The environment variable holding the key.
        api_url: The embeddings endpoint (default: Mistral's).
    """

    service = "Mistral"
    NAME = "mistral"
    DEFAULT_URL = "https://api.mistral.ai/v1/embeddings"
    DEFAULT_KEY_ENV = "MISTRAL_API_KEY"
    FALLBACK_KEY_ENV = None
    CONFIG_KEYS = ("model", "api_key_env_var")

    def __init__(
        self,
        model: str = "mistral-embed",
        api_key_env_var: str = "MISTRAL_API_KEY",
        api_key: Optional[str] = None,
        api_url: Optional[str] = None,
    ) -> None:
        super().__init__(api_key, api_key_env_var, api_url)
        self.model = model

    def _payload(self, texts: List[str]) -> Dict[str, Any]:
        return {"input": texts, "model": self.model}
