"""Data loaders: turn the URIs of records into the data an embedding function reads."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import Any, List, Optional, Sequence

import numpy as np

from chromadb.api.types import DataLoader

__all__ = ["ChromaLangchainPassthroughDataLoader", "DataLoader", "ImageLoader"]


class ImageLoader:
    """Loads images from file paths into numpy arrays (needs Pillow: ``pip install pillow``)."""

    def __init__(self, max_workers: int = 4) -> None:
        try:
            from PIL import Image
        except ImportError as exc:
            raise ImportError(
                "ImageLoader needs Pillow to read images: install it with `pip install pillow`"
            ) from exc
        self._image = Image
        self._max_workers = max_workers

    def _load(self, uri: Optional[str]) -> Optional[np.ndarray[Any, Any]]:
        return None if uri is None else np.array(self._image.open(uri))

    def __call__(self, uris: Sequence[Optional[str]]) -> List[Optional[np.ndarray[Any, Any]]]:
        with ThreadPoolExecutor(max_workers=self._max_workers) as pool:
            return list(pool.map(self._load, uris))


class ChromaLangchainPassthroughDataLoader:
    """Gives the URIs back unchanged (LangChain's multimodal wrapper embeds them itself)."""

    def __call__(self, uris: Sequence[Optional[str]]) -> List[Optional[str]]:
        return list(uris)
