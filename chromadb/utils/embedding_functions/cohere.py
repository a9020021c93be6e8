"""Cohere embeddings (``POST {api_url}``, by default Cohere's ``/v1/embed``)."""

from __future__ import annotations

from typing import Any, Dict, List, Optional

import httpx

from chromadb.api.types import Embeddings
from chromadb.utils.embedding_functions._http import WebEmbeddingFunction, post_json
from chromadb.utils.embedding_functions.base import resolve_api_key, to_embeddings

__all__ = ["CohereEmbeddingFunction"]

DEFAULT_API_URL = "https://api.cohere.com/v1/embed"
_DEFAULTS: Dict[str, Any] = {
    "input_type": "search_document",
    "truncate": "END",
    "api_url": DEFAULT_API_URL,
}


class CohereEmbeddingFunction(WebEmbeddingFunction):
    """Embeddings from Cohere's embed API.

    Args:
        api_key: The API key; default: the environment variable named by ``api_key_env_var``
            (then ``CO_API_KEY``). Only the variable's name is stored in a configuration.
        model_name: The embedding model, e.g. "embed-english-v3.0".
        api_key_env_var: The environment variable holding the key.
        input_type: What the texts are for ("search_document", "search_query", ...); the v3
            models require it.
        truncate: What the service does with texts that are too long ("END", "START", "NONE").
        api_url: The embed endpoint's URL (default: Cohere's).
        max_batch_size: Most documents per request (Cohere accepts 96).
        timeout: Seconds to wait for each answer.
    """

    service = "Cohere"

    def __init__(
        self,
        api_key: Optional[str] = None,
        model_name: str = "large",
        api_key_env_var: str = "CHROMA_COHERE_API_KEY",
        input_type: Optional[str] = "search_document",
        truncate: Optional[str] = "END",
        api_url: str = DEFAULT_API_URL,
        max_batch_size: int = 96,
        timeout: float = 60.0,
    ) -> None:
        super().__init__(max_batch_size, timeout)
        self._api_key = resolve_api_key(
            api_key, api_key_env_var, "CohereEmbeddingFunction", "CO_API_KEY"
        )
        self.model_name = model_name
        self.api_key_env_var = api_key_env_var
        self.input_type = input_type
        self.truncate = truncate
        self.api_url = api_url

    def _headers(self) -> Dict[str, str]:
        return {"Authorization": f"Bearer {self._api_key}"}

    def _embed_batch(self, client: httpx.Client, texts: List[str], what: str) -> Embeddings:
        payload: Dict[str, Any] = {"texts": texts, "model": self.model_name}
        if self.input_type is not None:
            payload["input_type"] = self.input_type
        if self.truncate is not None:
            payload["truncate"] = self.truncate
        hint = f"check the API key in {self.api_key_env_var}"
        body = post_json(client, self.api_url, payload, self.service, what, hint)
        vectors = body.get("embeddings") if isinstance(body, dict) else None
        if isinstance(vectors, dict):  # answers for several embedding_types: take the floats
            vectors = vectors.get("float")
        return to_embeddings(vectors, len(texts), self.service, what)

    @staticmethod
    def name() -> str:
        """The name collections record for this function."""
        return "cohere"

    def get_config(self) -> Dict[str, Any]:
        """Everything needed to rebuild this function, except the key. Settings Chroma's
        function lacks are only written when they differ from the default, so that Chroma's
        clients can read the configuration too."""
        config: Dict[str, Any] = {
            "model_name": self.model_name,
            "api_key_env_var": self.api_key_env_var,
        }
        for key, default in _DEFAULTS.items():
            if getattr(self, key) != default:
                config[key] = getattr(self, key)
        return config

    @classmethod
    def build_from_config(cls, config: Dict[str, Any]) -> CohereEmbeddingFunction:
        """Rebuild from ``get_config()``'s output; the key comes from ``api_key_env_var``."""
        allowed = ("model_name", "api_key_env_var", "input_type", "truncate", "api_url")
        return cls(**{k: config[k] for k in allowed if k in config})
