"""Baseten embeddings (``POST {api_base}/embeddings``; ``api_url`` points elsewhere)."""

from __future__ import annotations

from typing import Any, Dict, List, Optional

from chromadb.errors import InvalidArgumentError
from chromadb.utils.embedding_functions._http import join_url
from chromadb.utils.embedding_functions._service import JsonEmbeddingService

__all__ = ["BasetenEmbeddingFunction"]


class BasetenEmbeddingFunction(JsonEmbeddingService):
    """Embeddings from Baseten's API.

    Args:
        api_key: The API key; default: the environment variable ``api_key_env_var`` names
            (only the variable's name is stored in a collection's configuration).
        model_name: See Baseten's API.
        api_key_env_var: The environment variable holding the key.
        api_url: The embeddings endpoint (default: Baseten's).
    """

    service = "Baseten"
    NAME = "baseten"
    DEFAULT_URL = ""
    DEFAULT_KEY_ENV = "CHROMA_BASETEN_API_KEY"
    FALLBACK_KEY_ENV = None
    CONFIG_KEYS = ("api_base", "model_name", "api_key_env_var")

    def __init__(
        self,
        api_key: Optional[str] = None,
        api_base: str = "",
        api_key_env_var: str = "CHROMA_BASETEN_API_KEY",
        model_name: str = "embeddings",
        api_url: Optional[str] = None,
    ) -> None:
        if not (api_base or api_url):
            raise InvalidArgumentError(
                "BasetenEmbeddingFunction needs api_base: your model's OpenAI-compatible URL"
            )
        super().__init__(api_key, api_key_env_var, api_url or join_url(api_base, "embeddings"))
        self.api_base = api_base
        self.model_name = model_name

    def _payload(self, texts: List[str]) -> Dict[str, Any]:
        return {"input": texts, "model": self.model_name, "encoding_format": "float"}
