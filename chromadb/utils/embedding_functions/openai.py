"""OpenAI embeddings (``POST {api_base}/embeddings``), also through Azure OpenAI deployments."""

from __future__ import annotations

from typing import Any, Dict, List, Optional

import httpx

from chromadb.api.types import Embeddings
from chromadb.errors import InvalidArgumentError
from chromadb.utils.embedding_functions._http import WebEmbeddingFunction, join_url, post_json
from chromadb.utils.embedding_functions.base import resolve_api_key, to_embeddings
from chromadb.utils.embedding_functions.errors import EmbeddingServiceError

__all__ = ["OpenAIEmbeddingFunction"]

DEFAULT_API_BASE = "https://api.openai.com/v1"


class OpenAIEmbeddingFunction(WebEmbeddingFunction):
    """Embeddings from OpenAI's API (or any server that speaks it, via ``api_base``).

    Args:
        api_key: The API key; default: the environment variable named by ``api_key_env_var``
            (then ``OPENAI_API_KEY``). The key itself is never stored in a collection's
            configuration, only the variable's name.
        model_name: The embedding model, e.g. "text-embedding-3-small".
        organization_id: Sent as the ``OpenAI-Organization`` header.
        api_base: The API's base URL (default: OpenAI's).
        api_type: "azure" for an Azure OpenAI deployment (then ``deployment_id`` and
            ``api_version`` are needed and the key travels in the ``api-key`` header).
        api_version: Azure's ``api-version``.
        deployment_id: Azure's deployment name.
        default_headers: Extra headers for every request (not stored in the configuration).
        dimensions: Ask models that support it for shorter vectors.
        api_key_env_var: The environment variable holding the key.
        max_batch_size: Most documents per request (OpenAI accepts 2048).
        timeout: Seconds to wait for each answer.
    """

    service = "OpenAI"

    def __init__(
        self,
        api_key: Optional[str] = None,
        model_name: str = "text-embedding-ada-002",
        organization_id: Optional[str] = None,
        api_base: Optional[str] = None,
        api_type: Optional[str] = None,
        api_version: Optional[str] = None,
        deployment_id: Optional[str] = None,
        default_headers: Optional[Dict[str, str]] = None,
        dimensions: Optional[int] = None,
        api_key_env_var: str = "CHROMA_OPENAI_API_KEY",
        max_batch_size: int = 2048,
        timeout: float = 60.0,
    ) -> None:
        super().__init__(max_batch_size, timeout)
        self._api_key = resolve_api_key(
            api_key, api_key_env_var, "OpenAIEmbeddingFunction", "OPENAI_API_KEY"
        )
        if api_type == "azure" and not (api_base and deployment_id and api_version):
            raise InvalidArgumentError("Azure OpenAI needs api_base, deployment_id and api_version")
        self.model_name = model_name
        self.organization_id = organization_id
        self.api_base = api_base or DEFAULT_API_BASE
        self.api_type = api_type
        self.api_version = api_version
        self.deployment_id = deployment_id
        self.default_headers = dict(default_headers or {})
        self.dimensions = dimensions
        self.api_key_env_var = api_key_env_var

    def _url(self) -> str:
        if self.api_type == "azure":
            url = join_url(
                self.api_base, "openai/deployments", str(self.deployment_id), "embeddings"
            )
            return f"{url}?api-version={self.api_version}"
        return join_url(self.api_base, "embeddings")

    def _headers(self) -> Dict[str, str]:
        headers = dict(self.default_headers)
        if self.api_type == "azure":
            headers["api-key"] = self._api_key
        else:
            headers["Authorization"] = f"Bearer {self._api_key}"
        if self.organization_id:
            headers["OpenAI-Organization"] = self.organization_id
        return headers

    def _embed_batch(self, client: httpx.Client, texts: List[str], what: str) -> Embeddings:
        payload: Dict[str, Any] = {
            "input": texts,
            "model": self.model_name,
            "encoding_format": "float",
        }
        if self.dimensions is not None:
            payload["dimensions"] = self.dimensions
        hint = f"check the API key in {self.api_key_env_var}"
        body = post_json(client, self._url(), payload, self.service, what, hint)
        data = body.get("data") if isinstance(body, dict) else None
        if not isinstance(data, list) or not all(isinstance(d, dict) for d in data):
            raise EmbeddingServiceError(f"OpenAI answered no 'data' list for {what}", self.service)
        # Each item carries its position; do not rely on the order of the list.
        ordered = sorted(data, key=lambda d: int(d.get("index", 0)))
        return to_embeddings([d.get("embedding") for d in ordered], len(texts), self.service, what)

    @staticmethod
    def name() -> str:
        """The name collections record for this function."""
        return "openai"

    def get_config(self) -> Dict[str, Any]:
        """Everything needed to rebuild this function, except secrets (the key, the headers)."""
        config: Dict[str, Any] = {
            "model_name": self.model_name,
            "api_key_env_var": self.api_key_env_var,
            "api_base": self.api_base,
        }
        for key in ("organization_id", "api_type", "api_version", "deployment_id", "dimensions"):
            value = getattr(self, key)
            if value is not None:
                config[key] = value
        return config

    @classmethod
    def build_from_config(cls, config: Dict[str, Any]) -> OpenAIEmbeddingFunction:
        """Rebuild from ``get_config()``'s output; the key comes from ``api_key_env_var``."""
        allowed = (
            "model_name",
            "api_key_env_var",
            "api_base",
            "organization_id",
            "api_type",
            "api_version",
            "deployment_id",
            "dimensions",
        )
        return cls(**{k: config[k] for k in allowed if k in config})
