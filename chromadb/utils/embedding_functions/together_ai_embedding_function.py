"""Together AI embeddings (``POST https://api.together.xyz/v1/embeddings``; ``api_url`` points elsewhere)."""

from __future__ import annotations

from typing import Any, Dict, List, Optional

from chromadb.utils.embedding_functions._service import JsonEmbeddingService

__all__ = ["TogetherAIEmbeddingFunction"]


class TogetherAIEmbeddingFunction(JsonEmbeddingService):
    """Embeddings from Together AI's API.

    Args:
        api_key: The API key; default: the environment variable ``api_key_env_var`` names
            (only the variable's name is stored in a collection's configuration).
        model_name: See Together AI's API.
        api_key_env_var: The environment variable holding the key.
        api_url: The embeddings endpoint (default: Together AI's).
    """

    service = "Together AI"
    NAME = "together_ai"
    DEFAULT_URL = "https://api.together.xyz/v1/embeddings"
    DEFAULT_KEY_ENV = "CHROMA_TOGETHER_AI_API_KEY"
    FALLBACK_KEY_ENV = "TOGETHER_API_KEY"
    CONFIG_KEYS = ("model_name", "api_key_env_var")

    def __init__(
        self,
        model_name: str = "togethercomputer/m2-bert-80M-8k-retrieval",
        api_key: Optional[str] = None,
        api_key_env_var: str = "CHROMA_TOGETHER_AI_API_KEY",
        api_url: Optional[str] = None,
    ) -> None:
        super().__init__(api_key, api_key_env_var, api_url)
        self.model_name = model_name

    def _payload(self, texts: List[str]) -> Dict[str, Any]:
        return {"input": texts, "model": self.model_name}
