"""OpenCLIPEmbeddingFunction: embeddings computed locally by the open-clip-torch library (``pip install open-clip-torch``)."""

from __future__ import annotations

from typing import Any

from chromadb.api.types import Documents, Embeddings
from chromadb.utils.embedding_functions._library import LibraryEmbeddingFunction, require
from chromadb.utils.embedding_functions.base import check_documents, to_embeddings

__all__ = ["OpenCLIPEmbeddingFunction"]


class OpenCLIPEmbeddingFunction(LibraryEmbeddingFunction):
    """Embeddings from the open-clip-torch library; raises ImportError naming it when missing."""

    NAME = "open_clip"
    CONFIG_KEYS = ("model_name", "checkpoint", "device")

    def __init__(
        self,
        model_name: Any = "ViT-B-32",
        checkpoint: Any = "laion2b_s34b_b79k",
        device: Any = "cpu",
    ) -> None:
        lib = require("open_clip", "open-clip-torch", "OpenCLIPEmbeddingFunction")
        self.model_name = model_name
        self.checkpoint = checkpoint
        self.device = device
        model, _, self._preprocess = lib.create_model_and_transforms(
            model_name, pretrained=checkpoint
        )
        self._model = model.to(device)
        self._tokenizer = lib.get_tokenizer(model_name)

    def __call__(self, input: Documents) -> Embeddings:
        """Embed each document."""
        texts = check_documents(input)
        torch = require("torch", "torch", "OpenCLIPEmbeddingFunction")
        with torch.no_grad():
            features = self._model.encode_text(self._tokenizer(texts).to(self.device))
            features = features / features.norm(dim=-1, keepdim=True)
        return to_embeddings(
            [list(v) for v in features.cpu().numpy()], len(texts), "OpenCLIP", "documents"
        )
