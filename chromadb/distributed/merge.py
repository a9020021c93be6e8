"""Gathering the answers of several shards into the one answer a single engine would give.

Query: each shard returns its own top k for every query; the global top k is among their
union, so merging by distance is exact (no shard can hide a nearer record). Get: records come
shard by shard, each shard in its own insertion order, so paging with limit/offset is stable.
"""

from __future__ import annotations

from typing import Any, Dict, List, Optional, Sequence, cast

import numpy as np

from chromadb.api.types import GetResult, QueryResult

# The per-record fields of a result besides ids, in the order Chroma lists them.
FIELDS = ("embeddings", "documents", "uris", "data", "metadatas", "distances")


def _rows(value: Any) -> List[Any]:
    # Embeddings may come back as a 2-D numpy array; everything else as a list.
    return list(value) if value is not None else []


def _pack(rows: List[Any], like: Any) -> Any:
    # Give a merged field the container type the engine used for it.
    if isinstance(like, np.ndarray):
        dim = like.shape[1] if like.ndim == 2 else 0
        return np.stack(rows) if rows else np.empty((0, dim), dtype=like.dtype)
    return rows


def merge_query(answers: Sequence[QueryResult], n_results: int, include: List[str]) -> QueryResult:
    """The n_results nearest of every query across ``answers`` (each asked for distances)."""
    parts = [cast(Dict[str, Any], answer) for answer in answers]
    queries = len(parts[0]["ids"]) if parts else 0
    merged: Dict[str, Any] = {"ids": []}
    fields = [field for field in FIELDS if any(part.get(field) is not None for part in parts)]
    for field in fields:
        merged[field] = []
    for q in range(queries):
        found = []
        for part in parts:
            distances = part["distances"][q]
            for j, distance in enumerate(distances):
                found.append((float(distance), part["ids"][q][j], part, j))
        found.sort(key=lambda hit: (hit[0], hit[1]))
        best = found[:n_results]
        merged["ids"].append([hit[1] for hit in best])
        for field in fields:
            like = next(p[field][q] for p in parts if p.get(field) is not None)
            rows = [_rows(hit[2][field][q])[hit[3]] for hit in best]
            merged[field].append(_pack(rows, like))
    for field in FIELDS:
        if field not in include:
            merged[field] = None
        else:
            merged.setdefault(field, [[] for _ in range(queries)])
    merged["included"] = list(include)
    return cast(QueryResult, merged)


def concat_get(parts: Sequence[GetResult], include: List[str]) -> GetResult:
    """The records of ``parts`` one after the other."""
    return select_get(
        parts, [(i, j) for i, part in enumerate(parts) for j in range(len(part["ids"]))], include
    )


def select_get(
    parts: Sequence[GetResult], picks: Sequence[tuple[int, int]], include: List[str]
) -> GetResult:
    """The records ``(part, position)`` of ``picks``, in that order."""
    merged: Dict[str, Any] = {"ids": [parts[i]["ids"][j] for i, j in picks]}
    for field in FIELDS:
        if field == "distances":
            continue
        present = [part.get(field) for part in parts if part.get(field) is not None]
        if field not in include:
            merged[field] = None
            continue
        like: Optional[Any] = present[0] if present else None
        rows = [_rows(parts[i].get(field))[j] for i, j in picks]
        merged[field] = _pack(rows, like)
    merged["included"] = list(include)
    return cast(GetResult, merged)
