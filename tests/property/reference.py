"""A brute-force model of one collection, written straight from /tmp/team/SEMANTICS.md.

It keeps a dict id -> record (dict order is insertion order; an update keeps a record's place),
evaluates filters by walking them, and computes exact distances with numpy. The state machine runs
every operation on it and on the engine and compares the two.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from typing import Any, Dict, List, Mapping, Optional, Sequence, Tuple

import numpy as np

from chromadb.errors import (
    DuplicateIDError,
    InvalidArgumentError,
    InvalidDimensionException,
)

Metadata = Optional[Dict[str, Any]]


@dataclass(frozen=True)
class Record:
    """One stored record as get() should return it."""

    id: str
    embedding: Tuple[float, ...]
    metadata: Metadata
    document: Optional[str]
    uri: Optional[str]


# -- filters ---------------------------------------------------------------------------------
def _kind(value: Any) -> str:
    """Type class for comparisons: bool is its own type; int and float compare together."""
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, (int, float)):
        return "number"
    if isinstance(value, str):
        return "str"
    return "other"


def _equal(value: Any, operand: Any) -> bool:
    return _kind(value) == _kind(operand) and value == operand


def _compare(value: Any, op: str, operand: Any) -> bool:
    if op == "$eq":
        return _equal(value, operand)
    if op == "$ne":
        return not _equal(value, operand)
    if op in ("$gt", "$gte", "$lt", "$lte"):
        if _kind(value) != "number":
            return False
        return {
            "$gt": value > operand,
            "$gte": value >= operand,
            "$lt": value < operand,
            "$lte": value <= operand,
        }[op]
    if op == "$in":
        return any(_equal(value, x) for x in operand)
    if op == "$nin":
        return not any(_equal(value, x) for x in operand)
    raise AssertionError(f"reference model does not know operator {op}")


def where_matches(where: Optional[Mapping[str, Any]], metadata: Metadata) -> bool:
    """Does a record with this metadata match the where filter?"""
    if not where:
        return True
    for key, condition in where.items():
        if key == "$and":
            if not all(where_matches(w, metadata) for w in condition):
                return False
        elif key == "$or":
            if not any(where_matches(w, metadata) for w in condition):
                return False
        else:
            if isinstance(condition, dict):
                ((op, operand),) = condition.items()
            else:
                op, operand = "$eq", condition
            # A record lacking the key matches only $ne and $nin (as in real Chroma).
            if metadata is None or key not in metadata:
                if op in ("$ne", "$nin"):
                    continue
                return False
            if not _compare(metadata[key], op, operand):
                return False
    return True


def where_document_matches(
    where_document: Optional[Mapping[str, Any]], document: Optional[str]
) -> bool:
    """Does a record with this document match the where_document filter?"""
    if not where_document:
        return True
    for key, operand in where_document.items():
        if key == "$contains":
            ok = document is not None and operand in document
        elif key == "$not_contains":
            ok = document is None or operand not in document
        elif key == "$and":
            ok = all(where_document_matches(w, document) for w in operand)
        elif key == "$or":
            ok = any(where_document_matches(w, document) for w in operand)
        else:
            raise AssertionError(f"reference model does not know document operator {key}")
        if not ok:
            return False
    return True


# -- distances -------------------------------------------------------------------------------
def distance(space: str, a: Sequence[float], b: Sequence[float]) -> float:
    """Exact distance in float64, as Chroma defines it for each hnsw:space."""
    x = np.asarray(a, dtype=np.float64)
    y = np.asarray(b, dtype=np.float64)
    if space == "l2":
        return float(np.sum((x - y) ** 2))
    if space == "ip":
        return float(1.0 - np.dot(x, y))
    if space == "cosine":
        nx, ny = float(np.linalg.norm(x)), float(np.linalg.norm(y))
        if nx == 0.0 or ny == 0.0:
            return 1.0
        return float(1.0 - np.dot(x, y) / (nx * ny))
    raise AssertionError(f"unknown space {space}")


# -- the collection ----------------------------------------------------------------------------
def _clean_metadata(metadata: Optional[Mapping[str, Any]]) -> Metadata:
    """add/upsert: a None value drops the key; an empty dict is stored as None."""
    if metadata is None:
        return None
    kept = {k: v for k, v in metadata.items() if v is not None}
    return kept or None


def _merge_metadata(old: Metadata, new: Optional[Mapping[str, Any]]) -> Metadata:
    """update: new keys merged in, a key given None removed."""
    if new is None:
        return old
    merged = dict(old or {})
    for key, value in new.items():
        if value is None:
            merged.pop(key, None)
        else:
            merged[key] = value
    return merged or None


class ReferenceCollection:
    """The collection as SEMANTICS.md says it behaves, checked by brute force."""

    def __init__(self, space: str = "l2") -> None:
        self.space = space
        self.dimension: Optional[int] = None
        self.records: Dict[str, Record] = {}

    # validation shared by add / update / upsert, in the order the engine is expected to check.
    def _validate(
        self,
        ids: List[str],
        embeddings: Optional[List[List[float]]],
        metadatas: Optional[List[Optional[Dict[str, Any]]]],
        documents: Optional[List[Optional[str]]],
        uris: Optional[List[Optional[str]]],
    ) -> None:
        if not ids:
            raise InvalidArgumentError("Expected ids to be a non-empty list")
        for name, values in (
            ("embeddings", embeddings),
            ("metadatas", metadatas),
            ("documents", documents),
            ("uris", uris),
        ):
            if values is not None and len(values) != len(ids):
                raise InvalidArgumentError(f"{len(values)} {name} for {len(ids)} ids")
        seen = set()
        for id_ in ids:
            if id_ in seen:
                raise DuplicateIDError(f"duplicate id {id_}")
            seen.add(id_)
        if embeddings:
            lengths = {len(e) for e in embeddings}
            if len(lengths) > 1:
                raise InvalidDimensionException(f"mixed dimensions {sorted(lengths)}")
            (dim,) = lengths
            if self.dimension is not None and dim != self.dimension:
                raise InvalidDimensionException(f"dimension {dim}, expected {self.dimension}")
            for e in embeddings:
                if not all(math.isfinite(x) for x in e):
                    raise InvalidArgumentError("embedding values must be finite")

    def _store_dimension(self, embeddings: Optional[List[List[float]]]) -> None:
        if embeddings and self.dimension is None:
            self.dimension = len(embeddings[0])

    def add(
        self,
        ids: List[str],
        embeddings: List[List[float]],
        metadatas: Optional[List[Optional[Dict[str, Any]]]] = None,
        documents: Optional[List[Optional[str]]] = None,
        uris: Optional[List[Optional[str]]] = None,
    ) -> None:
        self._validate(ids, embeddings, metadatas, documents, uris)
        # Ids that exist already are skipped (real Chroma warns); the rest are added.
        self._store_dimension(embeddings)
        for n, id_ in enumerate(ids):
            if id_ in self.records:
                continue
            self.records[id_] = Record(
                id=id_,
                embedding=tuple(embeddings[n]),
                metadata=_clean_metadata(metadatas[n]) if metadatas else None,
                document=documents[n] if documents else None,
                uri=uris[n] if uris else None,
            )

    def _update_one(
        self,
        record: Record,
        n: int,
        embeddings: Optional[List[List[float]]],
        metadatas: Optional[List[Optional[Dict[str, Any]]]],
        documents: Optional[List[Optional[str]]],
        uris: Optional[List[Optional[str]]],
    ) -> Record:
        changes: Dict[str, Any] = {}
        if embeddings is not None:
            changes["embedding"] = tuple(embeddings[n])
        if metadatas is not None:
            changes["metadata"] = _merge_metadata(record.metadata, metadatas[n])
        if documents is not None:
            changes["document"] = documents[n]
        if uris is not None:
            changes["uri"] = uris[n]
        return replace(record, **changes)

    def update(
        self,
        ids: List[str],
        embeddings: Optional[List[List[float]]] = None,
        metadatas: Optional[List[Optional[Dict[str, Any]]]] = None,
        documents: Optional[List[Optional[str]]] = None,
        uris: Optional[List[Optional[str]]] = None,
    ) -> None:
        self._validate(ids, embeddings, metadatas, documents, uris)
        if any(i in self.records for i in ids):  # only a stored embedding sets the dimension
            self._store_dimension(embeddings)
        for n, id_ in enumerate(ids):
            if id_ in self.records:  # unknown ids are skipped
                self.records[id_] = self._update_one(
                    self.records[id_], n, embeddings, metadatas, documents, uris
                )

    def upsert(
        self,
        ids: List[str],
        embeddings: List[List[float]],
        metadatas: Optional[List[Optional[Dict[str, Any]]]] = None,
        documents: Optional[List[Optional[str]]] = None,
        uris: Optional[List[Optional[str]]] = None,
    ) -> None:
        self._validate(ids, embeddings, metadatas, documents, uris)
        self._store_dimension(embeddings)
        for n, id_ in enumerate(ids):
            if id_ in self.records:
                self.records[id_] = self._update_one(
                    self.records[id_], n, embeddings, metadatas, documents, uris
                )
            else:
                self.records[id_] = Record(
                    id=id_,
                    embedding=tuple(embeddings[n]),
                    metadata=_clean_metadata(metadatas[n]) if metadatas else None,
                    document=documents[n] if documents else None,
                    uri=uris[n] if uris else None,
                )

    def _select(
        self,
        ids: Optional[List[str]],
        where: Optional[Dict[str, Any]],
        where_document: Optional[Dict[str, Any]],
    ) -> List[Record]:
        if ids is not None:
            if len(set(ids)) != len(ids):
                raise DuplicateIDError("duplicate ids in request")
            asked = set(ids)
            # In insertion order, as real Chroma answers, whatever order they were asked in.
            candidates = [r for r in self.records.values() if r.id in asked]
        else:
            candidates = list(self.records.values())
        return [
            r
            for r in candidates
            if where_matches(where, r.metadata)
            and where_document_matches(where_document, r.document)
        ]

    def get(
        self,
        ids: Optional[List[str]] = None,
        where: Optional[Dict[str, Any]] = None,
        where_document: Optional[Dict[str, Any]] = None,
        limit: Optional[int] = None,
        offset: Optional[int] = None,
    ) -> List[Record]:
        if (limit is not None and limit < 0) or (offset is not None and offset < 0):
            raise InvalidArgumentError("limit and offset must not be negative")
        selected = self._select(ids, where, where_document)
        start = offset or 0
        end = None if limit is None else start + limit
        return selected[start:end]

    def delete(
        self,
        ids: Optional[List[str]] = None,
        where: Optional[Dict[str, Any]] = None,
        where_document: Optional[Dict[str, Any]] = None,
    ) -> List[str]:
        doomed = [r.id for r in self._select(ids, where, where_document)]
        for id_ in doomed:
            del self.records[id_]
        return doomed

    def query(
        self,
        query_embeddings: List[List[float]],
        n_results: int,
        where: Optional[Dict[str, Any]] = None,
        where_document: Optional[Dict[str, Any]] = None,
    ) -> List[List[Tuple[str, float]]]:
        """For each query, every matching record with its distance, nearest first; the
        caller compares the engine's first min(n_results, len) against it with ties allowed."""
        if n_results < 1:
            raise InvalidArgumentError("n_results must be positive")
        for q in query_embeddings:
            if self.dimension is not None and len(q) != self.dimension:
                raise InvalidDimensionException(
                    f"query dimension {len(q)}, expected {self.dimension}"
                )
        candidates = self._select(None, where, where_document)
        out = []
        for q in query_embeddings:
            scored = [(r.id, distance(self.space, q, r.embedding)) for r in candidates]
            scored.sort(key=lambda pair: pair[1])
            out.append(scored)
        return out

    def count(self) -> int:
        return len(self.records)
