"""Voyage AI embeddings (``POST https://api.voyageai.com/v1/embeddings``; ``api_url`` points elsewhere)."""

from __future__ import annotations

from typing import Any, Dict, List, Optional

from chromadb.utils.embedding_functions._service import JsonEmbeddingService

__all__ = ["VoyageAIEmbeddingFunction"]


class VoyageAIEmbeddingFunction(JsonEmbeddingService):
    """Embeddings from Voyage AI's API.

    Args:
        api_key: The API key; default: the environment variable ``api_key_env_var`` names
            (only the variable's name is stored in a collection's configuration).
        model_name: See Voyage AI's API.
        input_type: See Voyage AI's API.
        truncation: See Voyage AI's API.
        api_key_env_var: The environment variable holding the key.
        api_url: The embeddings endpoint (default: Voyage AI's).
    """

    service = "Voyage AI"
    NAME = "voyageai"
    DEFAULT_URL = "https://api.voyageai.com/v1/embeddings"
    DEFAULT_KEY_ENV = "CHROMA_VOYAGE_API_KEY"
    FALLBACK_KEY_ENV = "VOYAGE_API_KEY"
    CONFIG_KEYS = ("model_name", "api_key_env_var", "input_type", "truncation")

    def __init__(
        self,
        api_key: Optional[str] = None,
        model_name: str = "voyage-large-2",
        input_type: Optional[str] = None,
        truncation: bool = True,
        api_key_env_var: str = "CHROMA_VOYAGE_API_KEY",
        api_url: Optional[str] = None,
    ) -> None:
        super().__init__(api_key, api_key_env_var, api_url)
        self.model_name = model_name
        self.input_type = input_type
        self.truncation = truncation

    def _payload(self, texts: List[str]) -> Dict[str, Any]:
        payload: Dict[str, Any] = {
            "input": texts,
            "model": self.model_name,
            "truncation": self.truncation,
        }
        if self.input_type is not None:
            payload["input_type"] = self.input_type
        return payload
