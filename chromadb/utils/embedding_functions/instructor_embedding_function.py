"""InstructorEmbeddingFunction: embeddings computed locally by the InstructorEmbedding library (``pip install InstructorEmbedding``)."""

from __future__ import annotations

from typing import Any

from chromadb.api.types import Documents, Embeddings
from chromadb.utils.embedding_functions._library import LibraryEmbeddingFunction, require
from chromadb.utils.embedding_functions.base import check_documents, to_embeddings

__all__ = ["InstructorEmbeddingFunction"]


class InstructorEmbeddingFunction(LibraryEmbeddingFunction):
    """Embeddings from the InstructorEmbedding library; raises ImportError naming it when missing."""

    NAME = "instructor"
    CONFIG_KEYS = ("model_name", "device", "instruction")

    def __init__(
        self,
        model_name: Any = "hkunlp/instructor-base",
        device: Any = "cpu",
        instruction: Any = None,
    ) -> None:
        lib = require("InstructorEmbedding", "InstructorEmbedding", "InstructorEmbeddingFunction")
        self.model_name = model_name
        self.device = device
        self.instruction = instruction
        self._model = lib.INSTRUCTOR(model_name, device=device)

    def __call__(self, input: Documents) -> Embeddings:
        """Embed each document."""
        texts = check_documents(input)
        pairs = [[self.instruction, t] for t in texts] if self.instruction else texts
        return to_embeddings(
            [list(v) for v in self._model.encode(pairs)], len(texts), "Instructor", "documents"
        )
