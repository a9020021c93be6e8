"""Text2VecEmbeddingFunction: embeddings computed locally by the text2vec library (``pip install text2vec``)."""

from __future__ import annotations

from typing import Any

from chromadb.api.types import Documents, Embeddings
from chromadb.utils.embedding_functions._library import LibraryEmbeddingFunction, require
from chromadb.utils.embedding_functions.base import check_documents, to_embeddings

__all__ = ["Text2VecEmbeddingFunction"]


class Text2VecEmbeddingFunction(LibraryEmbeddingFunction):
    """Embeddings from the text2vec library; raises ImportError naming it when missing."""

    NAME = "text2vec"
    CONFIG_KEYS = ("model_name",)

    def __init__(
        self,
        model_name: Any = "shibing624/text2vec-base-chinese",
    ) -> None:
        lib = require("text2vec", "text2vec", "Text2VecEmbeddingFunction")
        self.model_name = model_name
        self._model = lib.SentenceModel(model_name_or_path=model_name)

    def __call__(self, input: Documents) -> Embeddings:
        """Embed each document."""
        texts = check_documents(input)
        return to_embeddings(
            [list(v) for v in self._model.encode(texts)], len(texts), "text2vec", "documents"
        )
