"""The Search API's builder names, kept at this path for code that imported them from here;
they live in :mod:`chromadb.execution.expression`."""

from __future__ import annotations

from chromadb.execution.expression import K, Key, Knn, Rrf, Search

__all__ = ["K", "Key", "Knn", "Rrf", "Search"]
