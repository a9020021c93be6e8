"""``Bm25EmbeddingFunction`` (name ``bm25``): real Chroma runs fastembed's ``Qdrant/bm25`` model for
it, which downloads its stopword lists; this one computes the same weights offline. Documents get
the BM25 term-frequency weight of each distinct term (as ``ChromaBm25EmbeddingFunction``);
queries (task ``"query"``) get weight 1 for each distinct term. Deprecated in real Chroma in
favour of ``ChromaBm25EmbeddingFunction``; it warns the same way here."""

from __future__ import annotations

import warnings
from collections import Counter
from typing import Any, Dict, List, Literal, Optional, TypedDict

from chromadb.api.types import Documents, SparseEmbeddingFunction, SparseVectors
from chromadb.base_types import SparseVector
from chromadb.utils.embedding_functions.bm25_terms import (
    ENGLISH_STOPWORDS,
    Bm25Terms,
    check_primitive_kwargs,
    saturated_tf,
)

TaskType = Literal["document", "query"]


class Bm25EmbeddingFunctionQueryConfig(TypedDict):
    task: TaskType


class Bm25EmbeddingFunction(SparseEmbeddingFunction[Documents]):
    """BM25 sparse embeddings as fastembed's ``Qdrant/bm25`` model makes them, offline."""

    def __init__(
        self,
        avg_len: Optional[float] = None,
        task: Optional[TaskType] = "document",
        cache_dir: Optional[str] = None,
        k: Optional[float] = None,
        b: Optional[float] = None,
        language: Optional[str] = None,
        token_max_length: Optional[int] = None,
        disable_stemmer: Optional[bool] = None,
        specific_model_path: Optional[str] = None,
        query_config: Optional[Bm25EmbeddingFunctionQueryConfig] = None,
        **kwargs: Any,
    ):
        """
        Args:
            avg_len: The average text length in terms (default 256).
            task: ``"document"`` or ``"query"``: how ``__call__`` embeds.
            cache_dir: Recorded for real Chroma's sake; nothing is downloaded here.
            k: Term-frequency saturation (default 1.2).
            b: Length normalisation (default 0.75).
            language: The Snowball stemmer's language (default English; stopwords are dropped
                for English only).
            token_max_length: Longer words are dropped (default 40).
            disable_stemmer: Use words as they are.
            specific_model_path: Recorded for real Chroma's sake.
            query_config: ``{"task": ...}`` for ``embed_query``.
        """
        warnings.warn(
            "Bm25EmbeddingFunction is deprecated. Please use ChromaBm25EmbeddingFunction instead.",
            DeprecationWarning,
            stacklevel=2,
        )
        check_primitive_kwargs(kwargs)
        self.task = task
        self.query_config = query_config
        self.cache_dir = cache_dir
        self.k = k
        self.b = b
        self.avg_len = avg_len
        self.language = language
        self.token_max_length = token_max_length
        self.disable_stemmer = disable_stemmer
        self.specific_model_path = specific_model_path
        self.kwargs = kwargs
        lang = (language or "english").lower()
        self._terms = Bm25Terms(
            ENGLISH_STOPWORDS if lang == "english" else [],
            40 if token_max_length is None else int(token_max_length),
            language=lang,
            stem=not disable_stemmer,
        )

    def _document(self, text: str) -> SparseVector:
        terms = self._terms.terms(text)
        counts = Counter(self._terms.term_id(t) for t in terms)
        ids = sorted(counts)
        k = 1.2 if self.k is None else float(self.k)
        b = 0.75 if self.b is None else float(self.b)
        avg = 256.0 if self.avg_len is None else float(self.avg_len)
        length = float(len(terms))
        return SparseVector(
            indices=ids, values=[saturated_tf(counts[i], length, k, b, avg) for i in ids]
        )

    def _query(self, text: str) -> SparseVector:
        ids = sorted({self._terms.term_id(t) for t in self._terms.terms(text)})
        return SparseVector(indices=ids, values=[1.0] * len(ids))

    def _embed(self, input: Documents, task: Optional[str]) -> SparseVectors:
        if task == "document":
            return [self._document(text) for text in input]
        if task == "query":
            return [self._query(text) for text in input]
        raise ValueError(f"Invalid task: {task}")

    def __call__(self, input: Documents) -> SparseVectors:
        """One sparse vector per text, embedded for this function's ``task``."""
        return self._embed(list(input), self.task)

    def embed_query(self, input: Documents) -> SparseVectors:
        """Queries, embedded for ``query_config["task"]`` when given, else as ``__call__``."""
        if self.query_config is not None:
            return self._embed(list(input), self.query_config.get("task"))
        return self.__call__(input)

    @staticmethod
    def name() -> str:
        return "bm25"

    @staticmethod
    def build_from_config(config: Dict[str, Any]) -> Bm25EmbeddingFunction:
        with warnings.catch_warnings():
            # Rebuilding a recorded function is not a new use of the deprecated class.
            warnings.simplefilter("ignore", DeprecationWarning)
            return Bm25EmbeddingFunction(
                task=config.get("task"),
                query_config=config.get("query_config"),
                cache_dir=config.get("cache_dir"),
                k=config.get("k"),
                b=config.get("b"),
                avg_len=config.get("avg_len"),
                language=config.get("language"),
                token_max_length=config.get("token_max_length"),
                disable_stemmer=config.get("disable_stemmer"),
                specific_model_path=config.get("specific_model_path"),
                **(config.get("kwargs") or {}),
            )

    def get_config(self) -> Dict[str, Any]:
        return {
            "task": self.task,
            "query_config": self.query_config,
            "cache_dir": self.cache_dir,
            "k": self.k,
            "b": self.b,
            "avg_len": self.avg_len,
            "language": self.language,
            "token_max_length": self.token_max_length,
            "disable_stemmer": self.disable_stemmer,
            "specific_model_path": self.specific_model_path,
            "kwargs": self.kwargs,
        }

    def validate_config_update(
        self, old_config: Dict[str, Any], new_config: Dict[str, Any]
    ) -> None:
        return

    @staticmethod
    def validate_config(config: Dict[str, Any]) -> None:
        return


__all__: List[str] = ["Bm25EmbeddingFunction", "Bm25EmbeddingFunctionQueryConfig", "TaskType"]
