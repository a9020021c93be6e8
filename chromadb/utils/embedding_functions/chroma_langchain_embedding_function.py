"""Use a LangChain ``Embeddings`` object as a Chroma embedding function (and back)."""

from __future__ import annotations

from typing import Any, Dict, List

from chromadb.api.types import Documents, Embeddings
from chromadb.utils.embedding_functions.base import check_documents, to_embeddings

__all__ = ["ChromaLangchainEmbeddingFunction", "create_langchain_embedding"]


class ChromaLangchainEmbeddingFunction:
    """Wraps a LangChain embeddings object (anything with ``embed_documents`` and
    ``embed_query``); it also serves LangChain as one (``embed_documents``/``embed_query``)."""

    def __init__(self, embedding_function: Any) -> None:
        for method in ("embed_documents", "embed_query"):
            if not callable(getattr(embedding_function, method, None)):
                raise ValueError(
                    f"Expected a LangChain Embeddings object with {method}(), "
                    f"got {type(embedding_function).__name__}"
                )
        self.embedding_function = embedding_function

    def __call__(self, input: Documents) -> Embeddings:
        texts = check_documents(input)
        vectors = self.embedding_function.embed_documents(texts)
        return to_embeddings(list(vectors), len(texts), "LangChain", "documents")

    def embed_documents(self, documents: List[str]) -> List[List[float]]:
        return [list(map(float, v)) for v in self(documents)]

    def embed_query(self, query: str) -> List[float]:
        return [float(x) for x in self.embedding_function.embed_query(query)]

    @staticmethod
    def name() -> str:
        return "langchain"

    def get_config(self) -> Dict[str, Any]:
        return {"embedding_function_class": type(self.embedding_function).__name__}

    @classmethod
    def build_from_config(cls, config: Dict[str, Any]) -> ChromaLangchainEmbeddingFunction:
        raise ValueError(
            "A LangChain embedding function cannot be rebuilt from its configuration: pass it "
            "again as embedding_function"
        )


def create_langchain_embedding(langchain_embedding_fn: Any) -> ChromaLangchainEmbeddingFunction:
    """Wrap a LangChain embeddings object."""
    return ChromaLangchainEmbeddingFunction(langchain_embedding_fn)
