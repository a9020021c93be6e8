"""BM25 sparse embeddings computed locally, as Chroma's ``chroma_bm25`` function computes them:
each distinct term of a text gets the BM25 term-frequency weight
``tf (k + 1) / (tf + k (1 - b + b len / avg_doc_length))`` at the term's murmur3 id. Queries are
embedded the same way; the collection's sparse index supplies the inverse document frequency
when its schema says ``bm25``."""

from __future__ import annotations

from collections import Counter
from typing import Any, Dict, Iterable, List, Optional, TypedDict

from chromadb.api.types import Documents, SparseEmbeddingFunction, SparseVectors
from chromadb.base_types import SparseVector
from chromadb.utils.embedding_functions.bm25_terms import (
    ENGLISH_STOPWORDS,
    Bm25Terms,
    saturated_tf,
)

NAME = "chroma_bm25"

DEFAULT_K = 1.2
DEFAULT_B = 0.75
DEFAULT_AVG_DOC_LENGTH = 256.0
DEFAULT_TOKEN_MAX_LENGTH = 40

DEFAULT_CHROMA_BM25_STOPWORDS: List[str] = list(ENGLISH_STOPWORDS)

_MUTABLE = {"k", "b", "avg_doc_length", "token_max_length", "stopwords", "include_tokens"}


class ChromaBm25Config(TypedDict, total=False):
    k: float
    b: float
    avg_doc_length: float
    token_max_length: int
    stopwords: List[str]
    include_tokens: bool


class ChromaBm25EmbeddingFunction(SparseEmbeddingFunction[Documents]):
    """BM25 term weights of each text, offline (Snowball stemmer, murmur3 term ids).

    >>> ef = ChromaBm25EmbeddingFunction()
    >>> ef(["The quick brown fox"])[0].indices  # one id per distinct stem
    """

    def __init__(
        self,
        k: float = DEFAULT_K,
        b: float = DEFAULT_B,
        avg_doc_length: float = DEFAULT_AVG_DOC_LENGTH,
        token_max_length: int = DEFAULT_TOKEN_MAX_LENGTH,
        stopwords: Optional[Iterable[str]] = None,
        include_tokens: bool = False,
    ) -> None:
        """
        Args:
            k: Term-frequency saturation.
            b: How much the text's length normalises its weights.
            avg_doc_length: The average text length (in terms) the weights are normalised by.
            token_max_length: Longer words are dropped.
            stopwords: Words to drop (default: NLTK's English list).
            include_tokens: Give each vector the stems as ``labels``.
        """
        self.k = float(k)
        self.b = float(b)
        self.avg_doc_length = float(avg_doc_length)
        self.token_max_length = int(token_max_length)
        self.include_tokens = bool(include_tokens)
        self.stopwords: Optional[List[str]] = (
            None if stopwords is None else [str(word) for word in stopwords]
        )
        self._terms = Bm25Terms(
            DEFAULT_CHROMA_BM25_STOPWORDS if self.stopwords is None else self.stopwords,
            self.token_max_length,
        )

    def _encode(self, text: str) -> SparseVector:
        terms = self._terms.terms(text)
        if not terms:
            return SparseVector(indices=[], values=[])
        term_id = self._terms.term_id
        counts: Counter[int] = Counter()
        first: Dict[int, str] = {}
        for term in terms:
            tid = term_id(term)
            counts[tid] += 1
            first.setdefault(tid, term)
        ids = sorted(counts)
        length = float(len(terms))
        values = [saturated_tf(counts[i], length, self.k, self.b, self.avg_doc_length) for i in ids]
        labels = [first[i] for i in ids] if self.include_tokens else None
        return SparseVector(indices=ids, values=values, labels=labels)

    def __call__(self, input: Documents) -> SparseVectors:
        """One sparse vector per text."""
        return [self._encode(text) for text in input or []]

    def embed_query(self, input: Documents) -> SparseVectors:
        """Queries are embedded as documents are."""
        return self.__call__(input)

    @staticmethod
    def name() -> str:
        return NAME

    @staticmethod
    def build_from_config(config: Dict[str, Any]) -> ChromaBm25EmbeddingFunction:
        return ChromaBm25EmbeddingFunction(
            k=config.get("k", DEFAULT_K),
            b=config.get("b", DEFAULT_B),
            avg_doc_length=config.get("avg_doc_length", DEFAULT_AVG_DOC_LENGTH),
            token_max_length=config.get("token_max_length", DEFAULT_TOKEN_MAX_LENGTH),
            stopwords=config.get("stopwords"),
            include_tokens=config.get("include_tokens", False),
        )

    def get_config(self) -> Dict[str, Any]:
        config: Dict[str, Any] = {
            "k": self.k,
            "b": self.b,
            "avg_doc_length": self.avg_doc_length,
            "token_max_length": self.token_max_length,
            "include_tokens": self.include_tokens,
        }
        if self.stopwords is not None:
            config["stopwords"] = list(self.stopwords)
        return config

    def validate_config_update(
        self, old_config: Dict[str, Any], new_config: Dict[str, Any]
    ) -> None:
        for key in new_config:
            if key not in _MUTABLE:
                raise ValueError(f"Updating '{key}' is not supported for {NAME}")

    @staticmethod
    def validate_config(config: Dict[str, Any]) -> None:
        unknown = set(config) - _MUTABLE
        if unknown:
            raise ValueError(f"Unknown {NAME} configuration key(s): {', '.join(sorted(unknown))}")


__all__ = [
    "ChromaBm25Config",
    "ChromaBm25EmbeddingFunction",
    "DEFAULT_AVG_DOC_LENGTH",
    "DEFAULT_B",
    "DEFAULT_CHROMA_BM25_STOPWORDS",
    "DEFAULT_K",
    "DEFAULT_TOKEN_MAX_LENGTH",
    "NAME",
]
