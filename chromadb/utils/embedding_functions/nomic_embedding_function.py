"""Nomic embeddings (``POST https://api-atlas.nomic.ai/v1/embedding/text``; ``api_url`` points elsewhere)."""

from __future__ import annotations

from typing import Any, Dict, List, Optional, TypedDict

from chromadb.utils.embedding_functions._service import JsonEmbeddingService

__all__ = ["NomicEmbeddingFunction", "NomicQueryConfig"]


class NomicQueryConfig(TypedDict, total=False):
    """Settings used when embedding queries rather than documents."""

    task_type: str


class NomicEmbeddingFunction(JsonEmbeddingService):
    """Embeddings from Nomic's API.

    Args:
        api_key: The API key; default: the environment variable ``api_key_env_var`` names
            (only the variable's name is stored in a collection's configuration).
        model: See Nomic's API.
        task_type: See Nomic's API.
        api_key_env_var: The environment variable holding the key.
        api_url: The embeddings endpoint (default: Nomic's).
    """

    service = "Nomic"
    NAME = "nomic"
    DEFAULT_URL = "https://api-atlas.nomic.ai/v1/embedding/text"
    DEFAULT_KEY_ENV = "NOMIC_API_KEY"
    FALLBACK_KEY_ENV = None
    CONFIG_KEYS = ("model", "api_key_env_var", "task_type")

    def __init__(
        self,
        model: str = "nomic-embed-text-v1.5",
        task_type: str = "search_document",
        query_config: Optional[NomicQueryConfig] = None,
        api_key_env_var: str = "NOMIC_API_KEY",
        api_key: Optional[str] = None,
        api_url: Optional[str] = None,
    ) -> None:
        super().__init__(api_key, api_key_env_var, api_url)
        self.model = model
        self.task_type = task_type
        self.query_config = query_config

    def _payload(self, texts: List[str]) -> Dict[str, Any]:
        return {"texts": texts, "model": self.model, "task_type": self.task_type}

    def _vectors(self, body: Any, what: str) -> Any:
        return body.get("embeddings") if isinstance(body, dict) else None
