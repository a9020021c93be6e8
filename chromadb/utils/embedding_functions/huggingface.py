"""Hugging Face Inference API embeddings (the feature-extraction pipeline of a hosted model)."""

from __future__ import annotations

from typing import Any, Dict, List, Optional

import httpx

from chromadb.api.types import Embeddings
from chromadb.utils.embedding_functions._http import WebEmbeddingFunction, post_json
from chromadb.utils.embedding_functions.base import resolve_api_key, to_embeddings

__all__ = ["HuggingFaceEmbeddingFunction"]

DEFAULT_ENDPOINT = "https://router.huggingface.co/hf-inference/models"


def _default_url(model_name: str) -> str:
    return f"{DEFAULT_ENDPOINT}/{model_name}/pipeline/feature-extraction"


class HuggingFaceEmbeddingFunction(WebEmbeddingFunction):
    """Embeddings from a model hosted by the Hugging Face Inference API.

    Args:
        api_key: The access token; default: the environment variable named by
            ``api_key_env_var`` (then ``HF_TOKEN``). Only the variable's name is stored.
        model_name: The hosted model, e.g. "sentence-transformers/all-MiniLM-L6-v2".
        api_key_env_var: The environment variable holding the token.
        api_url: The full URL that embeds texts for this model (default: the Inference API's
            feature-extraction URL for ``model_name``). Point it at a dedicated endpoint or a
            text-embeddings server.
        max_batch_size: Most documents per request.
        timeout: Seconds to wait for each answer.
    """

    service = "HuggingFace"

    def __init__(
        self,
        api_key: Optional[str] = None,
        model_name: str = "sentence-transformers/all-MiniLM-L6-v2",
        api_key_env_var: str = "CHROMA_HUGGINGFACE_API_KEY",
        api_url: Optional[str] = None,
        max_batch_size: int = 32,
        timeout: float = 120.0,
    ) -> None:
        super().__init__(max_batch_size, timeout)
        self._api_key = resolve_api_key(
            api_key, api_key_env_var, "HuggingFaceEmbeddingFunction", "HF_TOKEN"
        )
        self.model_name = model_name
        self.api_key_env_var = api_key_env_var
        self.api_url = api_url or _default_url(model_name)

    def _headers(self) -> Dict[str, str]:
        return {"Authorization": f"Bearer {self._api_key}"}

    def _embed_batch(self, client: httpx.Client, texts: List[str], what: str) -> Embeddings:
        # wait_for_model: a cold model answers once loaded instead of with 503.
        payload = {"inputs": texts, "options": {"wait_for_model": True}}
        hint = f"check the token in {self.api_key_env_var}"
        body = post_json(client, self.api_url, payload, self.service, what, hint)
        return to_embeddings(body, len(texts), self.service, what)

    @staticmethod
    def name() -> str:
        """The name collections record for this function."""
        return "huggingface"

    def get_config(self) -> Dict[str, Any]:
        """Everything needed to rebuild this function, except the token (``api_url`` only when
        it is not the default, a setting Chroma's function lacks)."""
        config: Dict[str, Any] = {
            "model_name": self.model_name,
            "api_key_env_var": self.api_key_env_var,
        }
        if self.api_url != _default_url(self.model_name):
            config["api_url"] = self.api_url
        return config

    @classmethod
    def build_from_config(cls, config: Dict[str, Any]) -> HuggingFaceEmbeddingFunction:
        """Rebuild from ``get_config()``'s output; the token comes from ``api_key_env_var``."""
        allowed = ("model_name", "api_key_env_var", "api_url")
        return cls(**{k: config[k] for k in allowed if k in config})
