"""Ollama embeddings from a local (or remote) Ollama server."""

from __future__ import annotations

from typing import Any, Dict, List

import httpx

from chromadb.api.types import Embeddings
from chromadb.utils.embedding_functions._http import WebEmbeddingFunction, join_url, post_json
from chromadb.utils.embedding_functions.base import to_embeddings
from chromadb.utils.embedding_functions.errors import EmbeddingServiceError

__all__ = ["OllamaEmbeddingFunction"]

_LEGACY_PATH = "/api/embeddings"
_BATCH_PATH = "/api/embed"


class OllamaEmbeddingFunction(WebEmbeddingFunction):
    """Embeddings from an Ollama server.

    Args:
        url: The server ("http://localhost:11434"), or a full endpoint URL. A URL ending in
            ``/api/embeddings`` uses that older endpoint, one document per request; otherwise
            ``/api/embed`` is used with a batch of documents per request.
        model_name: A model the server has pulled, e.g. "nomic-embed-text".
        max_batch_size: Most documents per request.
        timeout: Seconds to wait for each answer (a cold model takes a while to load).
    """

    service = "Ollama"

    def __init__(
        self,
        url: str = "http://localhost:11434",
        model_name: str = "chroma/all-minilm-l6-v2-f32",
        max_batch_size: int = 64,
        timeout: float = 60.0,
    ) -> None:
        super().__init__(max_batch_size, timeout)
        self.url = url
        self.model_name = model_name
        stripped = url.rstrip("/")
        self._legacy = stripped.endswith(_LEGACY_PATH)
        if self._legacy or stripped.endswith(_BATCH_PATH):
            self._endpoint = stripped
        else:
            self._endpoint = join_url(stripped, _BATCH_PATH)

    def _embed_batch(self, client: httpx.Client, texts: List[str], what: str) -> Embeddings:
        if self._legacy:
            return self._embed_one_by_one(client, texts, what)
        payload = {"model": self.model_name, "input": texts}
        body = post_json(client, self._endpoint, payload, self.service, what)
        vectors = body.get("embeddings") if isinstance(body, dict) else None
        return to_embeddings(vectors, len(texts), self.service, what)

    def _embed_one_by_one(self, client: httpx.Client, texts: List[str], what: str) -> Embeddings:
        vectors: List[Any] = []
        for text in texts:
            body = post_json(
                client,
                self._endpoint,
                {"model": self.model_name, "prompt": text},
                self.service,
                what,
            )
            if not isinstance(body, dict) or "embedding" not in body:
                raise EmbeddingServiceError(
                    f"Ollama answered no 'embedding' for {what}", self.service
                )
            vectors.append(body["embedding"])
        return to_embeddings(vectors, len(texts), self.service, what)

    @staticmethod
    def name() -> str:
        """The name collections record for this function."""
        return "ollama"

    def get_config(self) -> Dict[str, Any]:
        """Everything needed to rebuild this function."""
        return {"url": self.url, "model_name": self.model_name, "timeout": self.timeout}

    @classmethod
    def build_from_config(cls, config: Dict[str, Any]) -> OllamaEmbeddingFunction:
        """Rebuild from ``get_config()``'s output."""
        return cls(**{k: config[k] for k in ("url", "model_name", "timeout") if k in config})
