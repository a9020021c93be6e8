"""Roboflow embeddings (``POST https://infer.roboflow.com/clip/embed_text``; ``api_url`` points elsewhere)."""

from __future__ import annotations

from typing import Any, Dict, List, Optional

from chromadb.utils.embedding_functions._http import join_url
from chromadb.utils.embedding_functions._service import JsonEmbeddingService

__all__ = ["RoboflowEmbeddingFunction"]


class RoboflowEmbeddingFunction(JsonEmbeddingService):
    """Embeddings from Roboflow's API.

    Args:
        api_key: The API key; default: the environment variable ``api_key_env_var`` names
            (only the variable's name is stored in a collection's configuration).
        api_key_env_var: The environment variable holding the key.
        api_url: The embeddings endpoint (default: Roboflow's).
    """

    service = "Roboflow"
    NAME = "roboflow"
    DEFAULT_URL = "https://infer.roboflow.com/clip/embed_text"

    def get_config(self) -> Dict[str, Any]:
        return {"api_key_env_var": self.api_key_env_var, "api_url": self.server_url}

    DEFAULT_KEY_ENV = "CHROMA_ROBOFLOW_API_KEY"
    FALLBACK_KEY_ENV = None
    CONFIG_KEYS = ("api_key_env_var",)

    def __init__(
        self,
        api_key: Optional[str] = None,
        api_url: str = "https://infer.roboflow.com",
        api_key_env_var: str = "CHROMA_ROBOFLOW_API_KEY",
    ) -> None:
        # Roboflow's api_url is the server; texts go to its CLIP text endpoint.
        super().__init__(api_key, api_key_env_var, join_url(api_url, "clip/embed_text"))
        self.server_url = api_url

    def _payload(self, texts: List[str]) -> Dict[str, Any]:
        return {"text": texts, "api_key": self._api_key}

    def _vectors(self, body: Any, what: str) -> Any:
        return body.get("embeddings") if isinstance(body, dict) else None
