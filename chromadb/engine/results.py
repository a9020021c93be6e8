"""Rows fetched from SQLite turned into the result dicts of ``get`` and ``query``.

A row is ``(label, id, document, metadata JSON, uri[, embedding bytes])``.
"""

from __future__ import annotations

from typing import Any, Dict, List, Sequence, Tuple, cast

import numpy as np

from chromadb.api.types import GetResult, Include, QueryResult
from chromadb.engine.records import load_metas


def _columns_of(rows: Sequence[Tuple[Any, ...]], include: List[str]) -> Dict[str, Any]:
    out: Dict[str, Any] = {"ids": [r[1] for r in rows]}
    out["documents"] = [r[2] for r in rows] if "documents" in include else None
    out["metadatas"] = load_metas([r[3] for r in rows]) if "metadatas" in include else None
    out["uris"] = [r[4] for r in rows] if "uris" in include else None
    out["embeddings"] = (
        [np.frombuffer(r[5], dtype=np.float32).tolist() for r in rows]
        if "embeddings" in include
        else None
    )
    out["data"] = None
    return out


def get_result(rows: Sequence[Tuple[Any, ...]], include: List[str]) -> GetResult:
    cols = _columns_of(rows, include)
    return GetResult(
        ids=cols["ids"],
        embeddings=cols["embeddings"],
        documents=cols["documents"],
        uris=cols["uris"],
        data=None,
        metadatas=cols["metadatas"],
        included=cast(Include, list(include)),
    )


def query_result(
    per_query: List[List[Tuple[Any, ...]]], per_dist: List[List[float]], include: List[str]
) -> QueryResult:
    cols = [_columns_of(rows, include) for rows in per_query]

    def field(name: str) -> Any:
        return (
            [c[name] for c in cols]
            if cols and cols[0][name] is not None
            else ([] if not cols and name in include else None)
        )

    return QueryResult(
        ids=[c["ids"] for c in cols],
        embeddings=field("embeddings") if "embeddings" in include else None,
        documents=field("documents") if "documents" in include else None,
        uris=field("uris") if "uris" in include else None,
        data=None,
        metadatas=field("metadatas") if "metadatas" in include else None,
        distances=per_dist if "distances" in include else None,
        included=cast(Include, list(include)),
    )
