"""``FastembedSparseEmbeddingFunction`` (name ``fastembed_sparse``): sparse embeddings from a
fastembed model (SPLADE, BM25, miniCOIL). Needs the ``fastembed`` package (not a dependency of
ours: it downloads models); without it, construction raises a ``ValueError`` that says so."""

from __future__ import annotations

from typing import Any, Dict, List, Literal, Optional, TypedDict

from chromadb.api.types import Documents, SparseVectors
from chromadb.utils.embedding_functions.bm25_terms import check_primitive_kwargs
from chromadb.utils.embedding_functions.sparse_model import SparseModelEmbeddingFunction
from chromadb.utils.sparse_embedding_utils import normalize_sparse_vector

TaskType = Literal["document", "query"]

_MISSING = (
    "The fastembed python package is not installed. Please install it with `pip install fastembed`"
)


class FastembedSparseEmbeddingFunctionQueryConfig(TypedDict):
    task: TaskType


def _sparse_text_embedding() -> Any:
    try:
        from fastembed import SparseTextEmbedding
    except ImportError:
        raise ValueError(_MISSING) from None
    return SparseTextEmbedding


class FastembedSparseEmbeddingFunction(SparseModelEmbeddingFunction):
    """Sparse embeddings of a fastembed model, e.g. ``prithivida/Splade_PP_en_v1``."""

    def __init__(
        self,
        model_name: str,
        task: Optional[TaskType] = "document",
        cache_dir: Optional[str] = None,
        threads: Optional[int] = None,
        cuda: Optional[bool] = None,
        device_ids: Optional[list[int]] = None,
        lazy_load: Optional[bool] = None,
        query_config: Optional[FastembedSparseEmbeddingFunctionQueryConfig] = None,
        **kwargs: Any,
    ):
        model_class = _sparse_text_embedding()
        check_primitive_kwargs(kwargs)
        self.task = task
        self.query_config = query_config
        self.model_name = model_name
        self.cache_dir = cache_dir
        self.threads = threads
        self.cuda = cuda
        self.device_ids = device_ids
        self.lazy_load = lazy_load
        self.kwargs = kwargs
        options = {
            "cache_dir": cache_dir,
            "threads": threads,
            "cuda": cuda,
            "device_ids": device_ids,
            "lazy_load": lazy_load,
            **kwargs,
        }
        self._model = model_class(
            model_name=model_name, **{k: v for k, v in options.items() if v is not None}
        )

    def _embed(self, input: Documents, task: Optional[str]) -> SparseVectors:
        if task == "document":
            found = self._model.embed(list(input))
        elif task == "query":
            found = self._model.query_embed(list(input))
        else:
            raise ValueError(f"Invalid task: {task}")
        return [normalize_sparse_vector(v.indices.tolist(), v.values.tolist()) for v in found]

    @staticmethod
    def name() -> str:
        return "fastembed_sparse"

    @staticmethod
    def build_from_config(config: Dict[str, Any]) -> FastembedSparseEmbeddingFunction:
        return FastembedSparseEmbeddingFunction(
            model_name=config["model_name"],
            task=config.get("task"),
            cache_dir=config.get("cache_dir"),
            threads=config.get("threads"),
            cuda=config.get("cuda"),
            device_ids=config.get("device_ids"),
            lazy_load=config.get("lazy_load"),
            query_config=config.get("query_config"),
            **(config.get("kwargs") or {}),
        )

    def get_config(self) -> Dict[str, Any]:
        return {
            "model_name": self.model_name,
            "task": self.task,
            "cache_dir": self.cache_dir,
            "threads": self.threads,
            "cuda": self.cuda,
            "device_ids": self.device_ids,
            "lazy_load": self.lazy_load,
            "query_config": self.query_config,
            "kwargs": self.kwargs,
        }


__all__: List[str] = [
    "FastembedSparseEmbeddingFunction",
    "FastembedSparseEmbeddingFunctionQueryConfig",
    "TaskType",
]
