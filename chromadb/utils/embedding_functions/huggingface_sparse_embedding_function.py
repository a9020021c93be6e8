"""``HuggingFaceSparseEmbeddingFunction`` (name ``huggingface_sparse``): sparse embeddings from a
sentence-transformers ``SparseEncoder`` (SPLADE models). Needs the ``sentence-transformers``
extra (``pip install 'chromadb[sentence-transformers]'``); without it, construction raises a
``ValueError`` that says so."""

from __future__ import annotations

from typing import Any, Dict, List, Literal, Optional, TypedDict

from chromadb.api.types import Documents, SparseVectors
from chromadb.utils.embedding_functions.bm25_terms import check_primitive_kwargs
from chromadb.utils.embedding_functions.sparse_model import SparseModelEmbeddingFunction
from chromadb.utils.sparse_embedding_utils import normalize_sparse_vector

TaskType = Literal["document", "query"]

_MISSING = (
    "The sentence_transformers python package is not installed. Please install it with "
    "`pip install sentence_transformers` (or `pip install 'chromadb[sentence-transformers]'`)"
)


class HuggingFaceSparseEmbeddingFunctionQueryConfig(TypedDict):
    task: TaskType


class HuggingFaceSparseEmbeddingFunction(SparseModelEmbeddingFunction):
    """Sparse embeddings of a Hugging Face ``SparseEncoder``, e.g. ``naver/splade-v3``."""

    # Loaded models by name: building a second function for the same model loads nothing.
    models: Dict[str, Any] = {}

    def __init__(
        self,
        model_name: str,
        device: str,
        task: Optional[TaskType] = "document",
        query_config: Optional[HuggingFaceSparseEmbeddingFunctionQueryConfig] = None,
        **kwargs: Any,
    ):
        try:
            from sentence_transformers import SparseEncoder
        except ImportError:
            raise ValueError(_MISSING) from None
        check_primitive_kwargs(kwargs)
        self.model_name = model_name
        self.device = device
        self.task = task
        self.query_config = query_config
        self.kwargs = kwargs
        if model_name not in self.models:
            self.models[model_name] = SparseEncoder(
                model_name_or_path=model_name, device=device, **kwargs
            )
        self._model = self.models[model_name]

    def _embed(self, input: Documents, task: Optional[str]) -> SparseVectors:
        if task == "document":
            found = self._model.encode_document(list(input))
        elif task == "query":
            found = self._model.encode_query(list(input))
        else:
            raise ValueError(f"Invalid task: {task}")
        out: SparseVectors = []
        for row in found:
            dense = row.to_dense() if hasattr(row, "to_dense") else row
            values = dense.tolist()
            nonzero = [i for i, x in enumerate(values) if x != 0]
            out.append(normalize_sparse_vector(nonzero, [float(values[i]) for i in nonzero]))
        return out

    @staticmethod
    def name() -> str:
        return "huggingface_sparse"

    @staticmethod
    def build_from_config(config: Dict[str, Any]) -> HuggingFaceSparseEmbeddingFunction:
        return HuggingFaceSparseEmbeddingFunction(
            model_name=config["model_name"],
            device=config["device"],
            task=config.get("task"),
            query_config=config.get("query_config"),
            **(config.get("kwargs") or {}),
        )

    def get_config(self) -> Dict[str, Any]:
        return {
            "model_name": self.model_name,
            "device": self.device,
            "task": self.task,
            "query_config": self.query_config,
            "kwargs": self.kwargs,
        }


__all__: List[str] = [
    "HuggingFaceSparseEmbeddingFunction",
    "HuggingFaceSparseEmbeddingFunctionQueryConfig",
    "TaskType",
]
