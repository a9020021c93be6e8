"""Jina embeddings (``POST https://api.jina.ai/v1/embeddings``; ``api_url`` points elsewhere)."""

from __future__ import annotations

from typing import Any, Dict, List, Optional, TypedDict

from chromadb.utils.embedding_functions._service import JsonEmbeddingService

__all__ = ["JinaEmbeddingFunction", "JinaQueryConfig"]


class JinaQueryConfig(TypedDict, total=False):
    """Settings used when embedding queries rather than documents."""

    task: str


class JinaEmbeddingFunction(JsonEmbeddingService):
    """Embeddings from Jina's API.

    Args:
        api_key: The API key; default: the environment variable ``api_key_env_var`` names
            (only the variable's name is stored in a collection's configuration).
        model_name: See Jina's API.
        task: See Jina's API.
        late_chunking: See Jina's API.
        truncate: See Jina's API.
        dimensions: See Jina's API.
        embedding_type: See Jina's API.
        normalized: See Jina's API.
        api_key_env_var: The environment variable holding the key.
        api_url: The embeddings endpoint (default: Jina's).
    """

    service = "Jina"
    NAME = "jina"
    DEFAULT_URL = "https://api.jina.ai/v1/embeddings"
    DEFAULT_KEY_ENV = "CHROMA_JINA_API_KEY"
    FALLBACK_KEY_ENV = "JINA_API_KEY"
    CONFIG_KEYS = (
        "model_name",
        "api_key_env_var",
        "task",
        "late_chunking",
        "truncate",
        "dimensions",
        "embedding_type",
        "normalized",
    )

    def __init__(
        self,
        api_key: Optional[str] = None,
        model_name: str = "jina-embeddings-v2-base-en",
        task: Optional[str] = None,
        late_chunking: Optional[bool] = None,
        truncate: Optional[bool] = None,
        dimensions: Optional[int] = None,
        embedding_type: Optional[str] = None,
        normalized: Optional[bool] = None,
        api_key_env_var: str = "CHROMA_JINA_API_KEY",
        api_url: Optional[str] = None,
    ) -> None:
        super().__init__(api_key, api_key_env_var, api_url)
        self.model_name = model_name
        self.task = task
        self.late_chunking = late_chunking
        self.truncate = truncate
        self.dimensions = dimensions
        self.embedding_type = embedding_type
        self.normalized = normalized

    def _payload(self, texts: List[str]) -> Dict[str, Any]:
        payload: Dict[str, Any] = {"input": texts, "model": self.model_name}
        for key in (
            "task",
            "late_chunking",
            "truncate",
            "dimensions",
            "embedding_type",
            "normalized",
        ):
            if getattr(self, key) is not None:
                payload[key] = getattr(self, key)
        return payload
