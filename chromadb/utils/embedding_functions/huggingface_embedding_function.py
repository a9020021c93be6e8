"""Hugging Face embeddings: the hosted Inference API (``HuggingFaceEmbeddingFunction``) and a
text-embeddings-inference server of your own (``HuggingFaceEmbeddingServer``, ``POST {url}``
with ``{"inputs": [...]}``)."""

from __future__ import annotations

from typing import Any, Dict, List, Optional

from chromadb.utils.embedding_functions._service import JsonEmbeddingService
from chromadb.utils.embedding_functions.huggingface import HuggingFaceEmbeddingFunction

__all__ = ["HuggingFaceEmbeddingFunction", "HuggingFaceEmbeddingServer"]


class HuggingFaceEmbeddingServer(JsonEmbeddingService):
    """Embeddings from a text-embeddings-inference server.

    Args:
        url: The server's embed endpoint, e.g. ``http://localhost:8080/embed``.
        api_key_env_var: The environment variable holding a key, if the server wants one.
        api_key: The key itself (never stored in a configuration).
    """

    service = "Hugging Face embedding server"
    NAME = "huggingface_server"
    CONFIG_KEYS = ("url", "api_key_env_var")

    def __init__(
        self, url: str, api_key_env_var: Optional[str] = None, api_key: Optional[str] = None
    ) -> None:
        self.url = url
        key_required = api_key_env_var is not None and api_key is None
        super().__init__(api_key, api_key_env_var, url, key_required=key_required)
        self.DEFAULT_URL = url  # type: ignore[misc]

    def _payload(self, texts: List[str]) -> Dict[str, Any]:
        return {"inputs": texts}

    def _vectors(self, body: Any, what: str) -> Any:
        return body
