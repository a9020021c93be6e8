"""Helpers of the hosted-embedding functions: the embed service's URL and the compact
(base64 float32) form vectors may travel in."""

from __future__ import annotations

import base64
import os
from typing import List

import numpy as np

__all__ = ["DEFAULT_CHROMA_EMBED_URL", "decode_embedding", "get_chroma_embed_url"]

DEFAULT_CHROMA_EMBED_URL = "https://embed.trychroma.com"


def get_chroma_embed_url() -> str:
    """The embed service's URL: ``CHROMA_EMBED_URL`` when set, else the default."""
    return os.environ.get("CHROMA_EMBED_URL", DEFAULT_CHROMA_EMBED_URL)


def decode_embedding(encoded: str) -> List[float]:
    """A vector sent as base64 of little-endian float32 values."""
    return np.frombuffer(base64.b64decode(encoded), dtype="<f4").astype(float).tolist()
