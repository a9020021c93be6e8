"""What the model-backed sparse embedding functions (fastembed, Hugging Face) share: documents
and queries embedded under a task each, and a model name fixed once a collection records it."""

from __future__ import annotations

from typing import Any, Dict, Mapping, Optional

from chromadb.api.types import Documents, SparseEmbeddingFunction, SparseVectors


class SparseModelEmbeddingFunction(SparseEmbeddingFunction[Documents]):
    """A sparse model that embeds text under a task (``"document"`` or ``"query"``): calls
    embed under ``task``, ``embed_query`` under ``query_config["task"]`` when given."""

    model_name: str
    task: Optional[str]
    query_config: Optional[Mapping[str, Any]]

    def _embed(self, input: Documents, task: Optional[str]) -> SparseVectors:
        raise NotImplementedError

    def __call__(self, input: Documents) -> SparseVectors:
        return self._embed(input, self.task)

    def embed_query(self, input: Documents) -> SparseVectors:
        if self.query_config is not None:
            return self._embed(input, self.query_config.get("task"))
        return self.__call__(input)

    @staticmethod
    def name() -> str:
        raise NotImplementedError

    def validate_config_update(
        self, old_config: Dict[str, Any], new_config: Dict[str, Any]
    ) -> None:
        if "model_name" in new_config and new_config["model_name"] != old_config.get("model_name"):
            raise ValueError(
                "The model name cannot be changed after the embedding function has been initialized."
            )

    @classmethod
    def validate_config(cls, config: Dict[str, Any]) -> None:
        if not isinstance(config.get("model_name"), str):
            raise ValueError(f"{cls.name()} needs a 'model_name'")
