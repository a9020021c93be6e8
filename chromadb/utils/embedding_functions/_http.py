"""The HTTP side shared by the web-service embedding functions: one JSON POST with every
failure (no connection, an error status, a body that is not JSON) turned into an
``EmbeddingServiceError`` that names the service, the URL and the documents of the request."""

from __future__ import annotations

from typing import Any, Dict, List, Mapping

import httpx

from chromadb.api.types import Documents, Embeddings
from chromadb.errors import InvalidArgumentError
from chromadb.utils.embedding_functions.base import (
    batch_ranges,
    check_documents,
    describe_batch,
)
from chromadb.utils.embedding_functions.errors import EmbeddingServiceError

__all__ = ["WebEmbeddingFunction", "join_url", "post_json"]


def _error_detail(response: httpx.Response) -> str:
    """The service's own explanation, from the usual places in an error body."""
    try:
        body = response.json()
    except ValueError:
        return response.text.strip()[:300] or response.reason_phrase
    if isinstance(body, dict):
        for key in ("error", "message", "detail"):
            value = body.get(key)
            if isinstance(value, dict):
                value = value.get("message") or value
            if value:
                return str(value)[:300]
    return str(body)[:300]


def post_json(
    client: httpx.Client,
    url: str,
    payload: Mapping[str, Any],
    service: str,
    what: str,
    auth_hint: str = "",
) -> Any:
    """POST ``payload`` as JSON and return the decoded answer.

    Raises:
        EmbeddingServiceError: the service could not be reached, answered an error status or
            answered something that is not JSON. ``what`` names the documents in the message.
    """
    try:
        response = client.post(url, json=dict(payload))
    except httpx.HTTPError as exc:
        raise EmbeddingServiceError(
            f"{service}: embedding {what} failed, {url} could not be reached "
            f"({type(exc).__name__}: {exc})",
            service,
        ) from exc
    if response.status_code >= 400:
        hint = f" ({auth_hint})" if auth_hint and response.status_code in (401, 403) else ""
        raise EmbeddingServiceError(
            f"{service}: embedding {what} failed, {url} answered HTTP {response.status_code}: "
            f"{_error_detail(response)}{hint}",
            service,
            response.status_code,
        )
    try:
        return response.json()
    except ValueError as exc:
        raise EmbeddingServiceError(
            f"{service}: embedding {what} failed, {url} answered something that is not JSON",
            service,
            response.status_code,
        ) from exc


class WebEmbeddingFunction:
    """Base of the functions that call a web service: cuts the documents into batches of at
    most ``max_batch_size``, sends one request per batch and joins the answers in order.

    Subclasses implement ``_embed_batch`` (and ``name``/``get_config``/``build_from_config``).
    """

    service = "embedding service"

    def __init__(self, max_batch_size: int, timeout: float) -> None:
        if max_batch_size < 1:
            raise InvalidArgumentError(f"max_batch_size must be at least 1, got {max_batch_size}")
        self.max_batch_size = max_batch_size
        self.timeout = timeout

    def _embed_batch(self, client: httpx.Client, texts: List[str], what: str) -> Embeddings:
        raise NotImplementedError

    def _headers(self) -> Dict[str, str]:
        return {}

    def __call__(self, input: Documents) -> Embeddings:
        """Embed each document; returns one float32 vector per document, in order."""
        texts = check_documents(input)
        out: Embeddings = []
        if not texts:
            return out
        with httpx.Client(timeout=self.timeout, headers=self._headers()) as client:
            for positions in batch_ranges(len(texts), self.max_batch_size):
                batch = texts[positions.start : positions.stop]
                out.extend(self._embed_batch(client, batch, describe_batch(positions, len(texts))))
        return out


def join_url(base: str, *parts: str) -> str:
    """``base`` with ``parts`` appended, one slash between each."""
    return "/".join([base.rstrip("/"), *(p.strip("/") for p in parts)])
