"""Text to BM25 terms, as Chroma's BM25 embedding functions make them: words (runs of letters,
digits and underscores, lowercased), English stopwords and over-long words dropped, each word
Snowball-stemmed, and each stem's id its murmur3 hash (32-bit, seed 0, absolute value)."""

from __future__ import annotations

import functools
import re
from typing import Any, Callable, Iterable, List, Optional

# NLTK's English stopword list, the one Chroma's BM25 functions drop.
ENGLISH_STOPWORDS: List[str] = [
    "a", "about", "above", "after", "again", "against", "ain", "all", "am", "an", "and", "any",
    "are", "aren", "aren't", "as", "at", "be", "because", "been", "before", "being", "below",
    "between", "both", "but", "by", "can", "couldn", "couldn't", "d", "did", "didn", "didn't",
    "do", "does", "doesn", "doesn't", "doing", "don", "don't", "down", "during", "each", "few",
    "for", "from", "further", "had", "hadn", "hadn't", "has", "hasn", "hasn't", "have",
    "haven", "haven't", "having", "he", "her", "here", "hers", "herself", "him", "himself",
    "his", "how", "i", "if", "in", "into", "is", "isn", "isn't", "it", "it's", "its", "itself",
    "just", "ll", "m", "ma", "me", "mightn", "mightn't", "more", "most", "mustn", "mustn't",
    "my", "myself", "needn", "needn't", "no", "nor", "not", "now", "o", "of", "off", "on",
    "once", "only", "or", "other", "our", "ours", "ourselves", "out", "over", "own", "re", "s",
    "same", "shan", "shan't", "she", "she's", "should", "should've", "shouldn", "shouldn't",
    "so", "some", "such", "t", "than", "that", "that'll", "the", "their", "theirs", "them",
    "themselves", "then", "there", "these", "they", "this", "those", "through", "to", "too",
    "under", "until", "up", "ve", "very", "was", "wasn", "wasn't", "we", "were", "weren",
    "weren't", "what", "when", "where", "which", "while", "who", "whom", "why", "will", "with",
    "won", "won't", "wouldn", "wouldn't", "y", "you", "you'd", "you'll", "you're", "you've",
    "your", "yours", "yourself", "yourselves",
]  # fmt: skip

_NOT_WORD = re.compile(r"[^\w\s]+", flags=re.UNICODE)


def _stem_function(language: str) -> Callable[[str], str]:
    try:
        import snowballstemmer
    except ImportError:
        raise ValueError(
            "The snowballstemmer python package is not installed. Please install it with "
            "`pip install snowballstemmer`"
        ) from None
    try:
        stemmer = snowballstemmer.stemmer(language)
    except KeyError:
        known = ", ".join(snowballstemmer.algorithms())
        raise ValueError(
            f"No Snowball stemmer for language {language!r}: known are {known}"
        ) from None
    # Stemming (pure Python) costs far more than everything else per word, and a corpus
    # repeats its words: remember the stems of the most recent ones.
    stem: Callable[[str], str] = functools.lru_cache(maxsize=1 << 17)(stemmer.stemWord)
    return stem


def _hash_function() -> Callable[[str], int]:
    try:
        import mmh3
    except ImportError:
        raise ValueError(
            "The mmh3 python package is not installed. Please install it with `pip install mmh3`"
        ) from None
    murmur: Callable[..., int] = mmh3.hash

    @functools.lru_cache(maxsize=1 << 17)
    def term_id(token: str) -> int:
        return abs(murmur(token, seed=0))

    return term_id


class Bm25Terms:
    """Splits text into BM25 terms (stems) and gives each its id."""

    def __init__(
        self,
        stopwords: Iterable[str],
        token_max_length: int,
        language: str = "english",
        stem: bool = True,
    ) -> None:
        self.stopwords = {word.lower() for word in stopwords}
        self.token_max_length = token_max_length
        self._stem: Optional[Callable[[str], str]] = _stem_function(language) if stem else None
        self.term_id = _hash_function()

    def terms(self, text: str) -> List[str]:
        """The stems of the words of ``text`` that count, in order (repeats kept)."""
        out: List[str] = []
        stem = self._stem
        for word in _NOT_WORD.sub(" ", text).lower().split():
            if word in self.stopwords or len(word) > self.token_max_length:
                continue
            term = stem(word).strip() if stem is not None else word
            if term:
                out.append(term)
        return out


def saturated_tf(count: float, doc_len: float, k: float, b: float, avg_len: float) -> float:
    """BM25's term-frequency part: ``tf (k + 1) / (tf + k (1 - b + b len / avg_len))``."""
    return count * (k + 1) / (count + k * (1 - b + b * doc_len / avg_len))


def check_primitive_kwargs(kwargs: Any) -> None:
    """Keyword arguments that a collection's configuration can record: plain JSON values."""
    for key, value in kwargs.items():
        if not isinstance(value, (str, int, float, bool, list, dict, tuple)):
            raise ValueError(f"Keyword argument {key} is not a primitive type")
