"""Embeddings from the sentence-transformers library (``pip install chromadb[sentence-transformers]``).

Needs torch; the default function gives the same vectors as all-MiniLM-L6-v2 here without it.
"""

from __future__ import annotations

import importlib
import importlib.util
import json
import threading
from typing import Any, Dict, Tuple

import numpy as np

from chromadb.api.types import Documents, Embeddings
from chromadb.errors import InvalidArgumentError
from chromadb.utils.embedding_functions.base import check_documents

__all__ = ["SentenceTransformerEmbeddingFunction"]

_INSTALL_HINT = (
    "SentenceTransformerEmbeddingFunction needs the sentence-transformers package: "
    "pip install sentence-transformers (or pip install 'chromadb[sentence-transformers]')"
)


class SentenceTransformerEmbeddingFunction:
    """Embeddings from a sentence-transformers model, run in this process.

    Models are loaded on first use and shared by every instance with the same
    ``model_name``, ``device`` and extra arguments.

    Args:
        model_name: A model name or a local folder, e.g. "all-MiniLM-L6-v2".
        device: "cpu", "cuda", "mps", ...
        normalize_embeddings: Scale every vector to unit length.
        **kwargs: Passed to ``SentenceTransformer(...)``; they must be JSON values, since they
            are stored in the collection's configuration.

    Raises:
        ImportError: sentence-transformers is not installed (with the ``pip install`` line).
    """

    _models: Dict[Tuple[str, str, str], Any] = {}
    _lock = threading.Lock()

    def __init__(
        self,
        model_name: str = "all-MiniLM-L6-v2",
        device: str = "cpu",
        normalize_embeddings: bool = False,
        **kwargs: Any,
    ) -> None:
        if importlib.util.find_spec("sentence_transformers") is None:
            raise ImportError(_INSTALL_HINT)
        try:
            self._kwargs_key = json.dumps(kwargs, sort_keys=True)
        except (TypeError, ValueError) as exc:
            raise InvalidArgumentError(
                f"SentenceTransformerEmbeddingFunction's extra arguments must be JSON values: {exc}"
            ) from exc
        self.model_name = model_name
        self.device = device
        self.normalize_embeddings = normalize_embeddings
        self.kwargs = kwargs

    def _model(self) -> Any:
        key = (self.model_name, self.device, self._kwargs_key)
        with self._lock:
            model = self._models.get(key)
            if model is None:
                try:
                    module = importlib.import_module("sentence_transformers")
                except ImportError as exc:
                    raise ImportError(_INSTALL_HINT) from exc
                model = module.SentenceTransformer(
                    self.model_name, device=self.device, **self.kwargs
                )
                self._models[key] = model
            return model

    def __call__(self, input: Documents) -> Embeddings:
        """Embed each document; returns one float32 vector per document."""
        texts = check_documents(input)
        if not texts:
            return []
        vectors = self._model().encode(
            texts, convert_to_numpy=True, normalize_embeddings=self.normalize_embeddings
        )
        return list(np.asarray(vectors, dtype=np.float32))

    @staticmethod
    def name() -> str:
        """The name collections record for this function."""
        return "sentence_transformer"

    def get_config(self) -> Dict[str, Any]:
        """The arguments that rebuild this function."""
        return {
            "model_name": self.model_name,
            "device": self.device,
            "normalize_embeddings": self.normalize_embeddings,
            "kwargs": dict(self.kwargs),
        }

    @classmethod
    def build_from_config(cls, config: Dict[str, Any]) -> SentenceTransformerEmbeddingFunction:
        """Rebuild from ``get_config()``'s output."""
        return cls(
            model_name=config.get("model_name", "all-MiniLM-L6-v2"),
            device=config.get("device", "cpu"),
            normalize_embeddings=bool(config.get("normalize_embeddings", False)),
            **(config.get("kwargs") or {}),
        )
