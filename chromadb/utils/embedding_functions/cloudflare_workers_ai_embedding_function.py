"""Cloudflare Workers AI embeddings (``POST .../accounts/{account_id}/ai/run/{model_name}``, or
through an AI Gateway when ``gateway_id`` is given)."""

from __future__ import annotations

from typing import Any, Dict, List, Optional

from chromadb.utils.embedding_functions._http import join_url
from chromadb.utils.embedding_functions._service import JsonEmbeddingService

__all__ = ["CloudflareWorkersAIEmbeddingFunction"]

BASE_URL = "https://api.cloudflare.com/client/v4/accounts"
GATEWAY_BASE_URL = "https://gateway.ai.cloudflare.com/v1"


class CloudflareWorkersAIEmbeddingFunction(JsonEmbeddingService):
    """Embeddings from a Workers AI model such as ``@cf/baai/bge-base-en-v1.5``.

    Args:
        model_name: The Workers AI model.
        account_id: Your Cloudflare account id.
        api_key: The API token; default: the variable ``api_key_env_var`` names.
        api_key_env_var: The environment variable holding the token.
        gateway_id: Send through this AI Gateway instead of the API directly.
        api_url: Another base URL (a proxy, a local server).
    """

    service = "Cloudflare Workers AI"
    NAME = "cloudflare_workers_ai"
    DEFAULT_KEY_ENV = "CHROMA_CLOUDFLARE_API_KEY"
    CONFIG_KEYS = ("model_name", "account_id", "api_key_env_var", "gateway_id")
    MAX_BATCH = 100

    def __init__(
        self,
        model_name: str,
        account_id: str,
        api_key: Optional[str] = None,
        api_key_env_var: str = "CHROMA_CLOUDFLARE_API_KEY",
        gateway_id: Optional[str] = None,
        api_url: Optional[str] = None,
    ) -> None:
        self.model_name = model_name
        self.account_id = account_id
        self.gateway_id = gateway_id
        if gateway_id:
            default = join_url(GATEWAY_BASE_URL, account_id, gateway_id, "workers-ai", model_name)
        else:
            default = join_url(BASE_URL, account_id, "ai/run", model_name)
        self.DEFAULT_URL = default  # type: ignore[misc]
        super().__init__(api_key, api_key_env_var, api_url or default)

    def _payload(self, texts: List[str]) -> Dict[str, Any]:
        return {"text": texts}

    def _vectors(self, body: Any, what: str) -> Any:
        result = body.get("result") if isinstance(body, dict) else None
        return result.get("data") if isinstance(result, dict) else None
