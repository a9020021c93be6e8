"""A web embedding service described by a few attributes: its URL, how a batch of texts is
sent and where the vectors are in the answer. The functions for Jina, Voyage, Mistral,
Together AI, Morph, Baseten, Perplexity, Nomic, Cloudflare, Roboflow and a Hugging Face
text-embeddings-inference server are each such a description (one module each, named as in
Chroma); every one can be pointed at another URL (a proxy, a local server, a test's fake)."""

from __future__ import annotations

from typing import Any, ClassVar, Dict, List, Optional, Tuple

import httpx

from chromadb.api.types import Embeddings
from chromadb.utils.embedding_functions._http import WebEmbeddingFunction, post_json
from chromadb.utils.embedding_functions.base import resolve_api_key, to_embeddings
from chromadb.utils.embedding_functions.errors import EmbeddingServiceError

__all__ = ["JsonEmbeddingService", "openai_style_vectors"]


def openai_style_vectors(body: Any, service: str, what: str) -> Any:
    """The vectors of an OpenAI-style answer: ``data[i].embedding``, ordered by ``index``."""
    data = body.get("data") if isinstance(body, dict) else None
    if not isinstance(data, list) or not all(isinstance(d, dict) for d in data):
        raise EmbeddingServiceError(f"{service} answered no 'data' list for {what}", service)
    ordered = sorted(data, key=lambda d: int(d.get("index", 0)))
    return [d.get("embedding") for d in ordered]


class JsonEmbeddingService(WebEmbeddingFunction):
    """One JSON POST per batch. Subclasses set the class attributes and ``_payload``; the
    stored configuration holds ``CONFIG_KEYS`` (never the key itself, only its variable)."""

    NAME: ClassVar[str] = ""
    DEFAULT_URL: ClassVar[str] = ""
    DEFAULT_KEY_ENV: ClassVar[Optional[str]] = None
    FALLBACK_KEY_ENV: ClassVar[Optional[str]] = None
    CONFIG_KEYS: ClassVar[Tuple[str, ...]] = ("model_name", "api_key_env_var")
    MAX_BATCH: ClassVar[int] = 128

    def __init__(
        self,
        api_key: Optional[str] = None,
        api_key_env_var: Optional[str] = None,
        api_url: Optional[str] = None,
        key_required: bool = True,
        timeout: float = 60.0,
    ) -> None:
        super().__init__(self.MAX_BATCH, timeout)
        self.api_key_env_var = api_key_env_var or self.DEFAULT_KEY_ENV
        self.api_url = api_url or self.DEFAULT_URL
        self._api_key: Optional[str] = None
        if key_required and self.api_key_env_var is not None:
            self._api_key = resolve_api_key(
                api_key, self.api_key_env_var, type(self).__name__, self.FALLBACK_KEY_ENV
            )
        else:
            self._api_key = api_key

    def _url(self) -> str:
        return self.api_url

    def _headers(self) -> Dict[str, str]:
        return {"Authorization": f"Bearer {self._api_key}"} if self._api_key else {}

    def _payload(self, texts: List[str]) -> Dict[str, Any]:
        raise NotImplementedError

    def _vectors(self, body: Any, what: str) -> Any:
        return openai_style_vectors(body, self.service, what)

    def _embed_batch(self, client: httpx.Client, texts: List[str], what: str) -> Embeddings:
        hint = f"check the API key in {self.api_key_env_var}" if self.api_key_env_var else ""
        body = post_json(client, self._url(), self._payload(texts), self.service, what, hint)
        return to_embeddings(self._vectors(body, what), len(texts), self.service, what)

    @classmethod
    def name(cls) -> str:
        """The name collections record for this function (as Chroma names it)."""
        return cls.NAME

    def get_config(self) -> Dict[str, Any]:
        """Everything needed to rebuild this function, except the key."""
        config = {k: getattr(self, k) for k in self.CONFIG_KEYS if getattr(self, k) is not None}
        if self.api_url != self.DEFAULT_URL:
            config["api_url"] = self.api_url
        return config

    @classmethod
    def build_from_config(cls, config: Dict[str, Any]) -> Any:
        """Rebuild from ``get_config()``'s output; the key comes from ``api_key_env_var``."""
        allowed = (*cls.CONFIG_KEYS, "api_url")
        return cls(**{k: v for k, v in config.items() if k in allowed})
