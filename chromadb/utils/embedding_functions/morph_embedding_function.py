"""Morph embeddings (``POST https://api.morphllm.com/v1/embeddings``; ``api_url`` points elsewhere)."""

from __future__ import annotations

from typing import Any, Dict, List, Optional

from chromadb.utils.embedding_functions._http import join_url
from chromadb.utils.embedding_functions._service import JsonEmbeddingService

__all__ = ["MorphEmbeddingFunction"]


class MorphEmbeddingFunction(JsonEmbeddingService):
    """Embeddings from Morph's API.

    Args:
        api_key: The API key; default: the environment variable ``api_key_env_var`` names
            (only the variable's name is stored in a collection's configuration).
        model_name: See Morph's API.
        encoding_format: See Morph's API.
        api_key_env_var: The environment variable holding the key.
        api_url: The embeddings endpoint (default: Morph's).
    """

    service = "Morph"
    NAME = "morph"
    DEFAULT_URL = "https://api.morphllm.com/v1/embeddings"
    DEFAULT_KEY_ENV = "MORPH_API_KEY"
    FALLBACK_KEY_ENV = None
    CONFIG_KEYS = ("model_name", "api_base", "api_key_env_var", "encoding_format")

    def __init__(
        self,
        api_key: Optional[str] = None,
        model_name: str = "morph-embedding-v2",
        api_base: str = "https://api.morphllm.com/v1",
        encoding_format: str = "float",
        api_key_env_var: str = "MORPH_API_KEY",
        api_url: Optional[str] = None,
    ) -> None:
        super().__init__(api_key, api_key_env_var, api_url or join_url(api_base, "embeddings"))
        self.api_base = api_base
        self.model_name = model_name
        self.encoding_format = encoding_format

    def _payload(self, texts: List[str]) -> Dict[str, Any]:
        return {"input": texts, "model": self.model_name, "encoding_format": self.encoding_format}
