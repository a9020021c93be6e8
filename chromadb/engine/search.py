"""The Search API evaluated over the record API (``_get`` / ``_query``) of one collection.

A search runs in four steps: the filter becomes ``where`` / ``where_document`` / ``ids`` (or,
when it mixes those under ``$or``, the set of ids it admits); each dense ``Knn`` is a nearest
neighbour query under that filter, and each ``Knn`` over a sparse key a top-k of that key's
sparse vector index (``_sparse_knn``) under it; the candidates (the union of the Knn results)
are scored by the rank expression, lower first; then grouping, paging and the selected fields.
Exact by construction: every candidate's score is computed from the distances the index
returned."""

from __future__ import annotations

import math
from typing import Any, Callable, Dict, List, Optional, Sequence, Set, Tuple
from uuid import UUID

import numpy as np

from chromadb.api.types import SearchResult
from chromadb.base_types import (
    SPARSE_VECTOR_TYPE_VALUE,
    TYPE_KEY,
    SparseVector,
    is_sparse_json,
)
from chromadb.errors import InvalidArgumentError
from chromadb.execution.expression.operator import (
    DOCUMENT_KEY,
    EMBEDDING_KEY,
    ID_KEY,
    KNN_SCORES_KEY,
    METADATA_KEY,
    SCORE_KEY,
    Abs,
    And,
    Contains,
    Div,
    Eq,
    Exp,
    In,
    Knn,
    Log,
    Max,
    MaxK,
    Min,
    MinK,
    Mul,
    Ne,
    Nin,
    NotContains,
    NotRegex,
    Or,
    Rank,
    Regex,
    Rrf,
    Sub,
    Sum,
    Val,
    Where,
    _key_name,
)
from chromadb.execution.expression.plan import Search

Filters = Tuple[Optional[Dict[str, Any]], Optional[Dict[str, Any]], Optional[List[str]]]
_DOC_OPS = {
    Contains: "$contains",
    NotContains: "$not_contains",
    Regex: "$regex",
    NotRegex: "$not_regex",
}


class _Dropped(Exception):
    """A candidate that a Knn without ``default`` did not return: it leaves the results."""


def _leaf_key(node: Where) -> Optional[str]:
    key = getattr(node, "key", None)
    return None if key is None else _key_name(key)


def _kind(node: Where) -> str:
    """'id', 'doc', 'meta', or 'mixed' for a filter subtree."""
    if isinstance(node, (And, Or)):
        kinds = {_kind(c) for c in node.conditions}
        return kinds.pop() if len(kinds) == 1 else "mixed"
    key = _leaf_key(node)
    if key == ID_KEY:
        return "id"
    if key == DOCUMENT_KEY:
        return "doc"
    if key in (EMBEDDING_KEY, METADATA_KEY, SCORE_KEY):
        raise InvalidArgumentError(
            f"Cannot filter on '{key}': filter on metadata keys, #id or #document"
        )
    return "meta"


def _doc_filter(node: Where) -> Dict[str, Any]:
    if isinstance(node, And):
        return {"$and": [_doc_filter(c) for c in node.conditions]}
    if isinstance(node, Or):
        return {"$or": [_doc_filter(c) for c in node.conditions]}
    op = _DOC_OPS.get(type(node))
    if op is None:
        raise InvalidArgumentError(
            f"Unsupported operator on #document: {type(node).__name__} "
            "(use contains, not_contains, regex or not_regex)"
        )
    return {op: node.to_dict()[DOCUMENT_KEY][op]}


def _id_values(node: Where) -> Optional[List[str]]:
    """The ids an ``#id`` $in / $eq admits (None for the negative forms)."""
    if isinstance(node, In):
        values = list(node.values)
    elif isinstance(node, Eq):
        values = [node.value]
    elif isinstance(node, (Nin, Ne)):
        return None
    else:
        raise InvalidArgumentError(
            f"Unsupported operator on #id: {type(node).__name__} (use is_in, not_in, ==, !=)"
        )
    for value in values:
        if not isinstance(value, str):
            raise InvalidArgumentError(f"#id values must be strings, got {type(value).__name__}")
    return values


class SearchRunner:
    """Evaluates searches on one collection through the given record API."""

    def __init__(self, api: Any, collection_id: UUID):
        self.api = api
        self.cid = collection_id
        self._all_ids: Optional[List[str]] = None

    # -- filter ----------------------------------------------------------------------------------
    def _every_id(self) -> List[str]:
        if self._all_ids is None:
            self._all_ids = list(self.api._get(self.cid, include=[])["ids"])
        return self._all_ids

    def _matching(self, node: Where) -> Set[str]:
        """The ids a filter admits, by set algebra over single-kind subtrees."""
        kind = _kind(node)
        if kind == "meta":
            return set(self.api._get(self.cid, where=node.to_dict(), include=[])["ids"])
        if kind == "doc":
            return set(self.api._get(self.cid, where_document=_doc_filter(node), include=[])["ids"])
        if isinstance(node, And):
            sets = [self._matching(c) for c in node.conditions]
            return set.intersection(*sets)
        if isinstance(node, Or):
            return set().union(*[self._matching(c) for c in node.conditions])
        values = _id_values(node)
        every = self._every_id()
        if values is not None:
            wanted = set(values)
            return {i for i in every if i in wanted}
        excluded = set(node.values if isinstance(node, Nin) else [node.value])  # type: ignore[attr-defined]
        return {i for i in every if i not in excluded}

    def filters(self, where: Optional[Where]) -> Filters:
        """``(where, where_document, ids)`` for the record API; ids ``[]`` admits nothing."""
        if where is None:
            return None, None, None
        kind = _kind(where)
        if kind == "meta":
            return where.to_dict(), None, None
        if kind == "doc":
            return None, _doc_filter(where), None
        conjuncts = where.conditions if isinstance(where, And) else [where]
        metas: List[Where] = []
        docs: List[Where] = []
        ids: Optional[Set[str]] = None
        rest: List[Where] = []
        for part in conjuncts:
            part_kind = _kind(part)
            values = (
                _id_values(part) if part_kind == "id" and not isinstance(part, (And, Or)) else None
            )
            if part_kind == "meta":
                metas.append(part)
            elif part_kind == "doc":
                docs.append(part)
            elif values is not None:
                ids = set(values) if ids is None else ids & set(values)
            else:
                rest.append(part)
        if rest:
            admitted = set.intersection(*[self._matching(p) for p in rest])
            ids = admitted if ids is None else ids & admitted
        meta_filter = None
        if metas:
            meta_filter = metas[0].to_dict() if len(metas) == 1 else And(metas).to_dict()
        doc_filter = None
        if docs:
            doc_filter = _doc_filter(docs[0] if len(docs) == 1 else And(docs))
        ordered = None if ids is None else sorted(ids)
        return meta_filter, doc_filter, ordered

    # -- rank ------------------------------------------------------------------------------------
    def _knn_scores(self, knn: Knn, filters: Filters) -> Dict[str, float]:
        key = _key_name(knn.key)
        if key != EMBEDDING_KEY:
            return self._sparse_knn_scores(knn, key, filters)
        if isinstance(knn.query, SparseVector) or is_sparse_json(knn.query):
            raise InvalidArgumentError(
                f"Knn over '{EMBEDDING_KEY}' needs a dense query vector, got a sparse vector: "
                "give the metadata key of the sparse vector index as the Knn key"
            )
        if isinstance(knn.query, str):
            raise InvalidArgumentError(
                "Knn query is a string: Collection.search embeds string queries with the "
                "collection's embedding function; over the API, send the embedding"
            )
        if isinstance(knn.limit, bool) or not isinstance(knn.limit, int) or knn.limit < 1:
            raise InvalidArgumentError(f"Knn limit must be a positive integer, got {knn.limit!r}")
        where, where_document, ids = filters
        if ids is not None and not ids:
            return {}
        # No count first: a query asking for more than there are answers with what there is
        # (counting a big collection costs more than the search).
        query = np.asarray(knn.query, dtype=np.float32).reshape(1, -1)
        result = self.api._query(
            self.cid,
            query,
            n_results=knn.limit,
            where=where,
            where_document=where_document,
            include=["distances"],
            ids=ids,
        )
        found = result["ids"][0]
        if knn.return_rank:
            return {rid: float(pos) for pos, rid in enumerate(found)}
        distances = (result["distances"] or [[]])[0]
        return {rid: float(d) for rid, d in zip(found, distances)}

    def _sparse_knn_scores(self, knn: Knn, key: str, filters: Filters) -> Dict[str, float]:
        query = knn.query
        if isinstance(query, dict) and TYPE_KEY not in query:
            # Bare {indices, values}, as npm chromadb 3.x writes a sparse query.
            query = {**query, TYPE_KEY: SPARSE_VECTOR_TYPE_VALUE}
        if is_sparse_json(query):
            try:
                query = SparseVector.from_dict(query)
            except (KeyError, TypeError, ValueError) as e:
                raise InvalidArgumentError(f"Invalid sparse Knn query: {e}") from None
        if isinstance(query, str):
            raise InvalidArgumentError(
                f"Knn query over '{key}' is a string: Collection.search embeds it with the "
                "sparse embedding function of the key's index; over the API, send the "
                "sparse vector"
            )
        if not isinstance(query, SparseVector):
            raise InvalidArgumentError(
                f"Knn over metadata key '{key}' needs a SparseVector query, got "
                f"{type(query).__name__}"
            )
        if isinstance(knn.limit, bool) or not isinstance(knn.limit, int) or knn.limit < 1:
            raise InvalidArgumentError(f"Knn limit must be a positive integer, got {knn.limit!r}")
        where, where_document, ids = filters
        if ids is not None and not ids:
            return {}
        sparse_knn = getattr(self.api, "_sparse_knn", None)
        if sparse_knn is None:
            raise InvalidArgumentError(
                f"Knn over the sparse key '{key}' is not served by {type(self.api).__name__}"
            )
        found = sparse_knn(self.cid, key, query, knn.limit, where, where_document, ids)
        if knn.return_rank:
            return {rid: float(pos) for pos, rid in enumerate(found["ids"])}
        return {rid: float(score) for rid, score in zip(found["ids"], found["scores"])}

    def _knns(self, rank: Rank) -> List[Knn]:
        if isinstance(rank, Knn):
            return [rank]
        if isinstance(rank, Rrf):
            return self._knns(rank._expanded())
        out: List[Knn] = []
        for child in _children(rank):
            out.extend(self._knns(child))
        return out

    # -- one search ------------------------------------------------------------------------------
    def run(self, search: Search) -> Dict[str, Any]:
        """One search's result columns."""
        filters = self.filters(search._where)
        # Rrf expands to plain arithmetic once per search, not once per candidate.
        rank = None if search._rank is None else _expand_rrf(search._rank)
        scores: Dict[str, Optional[float]]
        knns: List[Knn] = []
        tables: Dict[int, Dict[str, float]] = {}
        if rank is None:
            order = self._filtered_ids(filters)
            scores = {rid: None for rid in order}
        else:
            knns = self._knns(rank)
            tables = {id(k): self._knn_scores(k, filters) for k in knns}
            if knns:
                candidates: List[str] = []
                seen: Set[str] = set()
                for k in knns:
                    for rid in tables[id(k)]:
                        if rid not in seen:
                            seen.add(rid)
                            candidates.append(rid)
            else:
                candidates = self._filtered_ids(filters)
            scored: Dict[str, Optional[float]] = {}
            for rid in candidates:
                try:
                    scored[rid] = _evaluate(rank, rid, tables)
                except _Dropped:
                    continue
            order = sorted(scored, key=lambda r: (_sort_score(scored[r]), r))
            scores = scored
        group_by = search._group_by
        if group_by.key_names() and group_by.aggregate is not None:
            order = self._grouped(order, scores, group_by.key_names(), group_by.aggregate)
        limit = search._limit
        offset = limit.offset or 0
        if isinstance(offset, bool) or not isinstance(offset, int) or offset < 0:
            raise InvalidArgumentError(
                f"Limit offset must be a non-negative integer, got {offset!r}"
            )
        if limit.limit is not None:
            if isinstance(limit.limit, bool) or not isinstance(limit.limit, int) or limit.limit < 0:
                raise InvalidArgumentError(
                    f"Limit limit must be a non-negative integer, got {limit.limit!r}"
                )
            order = order[offset : offset + limit.limit]
        else:
            order = order[offset:]
        selected = search._select.names()
        columns = self._columns(order, scores, selected)
        if KNN_SCORES_KEY in selected:
            # Each Knn's own value (distance or rank) in the order they appear in the rank;
            # None where the record was not among that Knn's results (its default was used).
            columns["knn_scores"] = [[tables[id(k)].get(r) for k in knns] for r in order]
        return columns

    def _filtered_ids(self, filters: Filters) -> List[str]:
        where, where_document, ids = filters
        if ids is not None and not ids:
            return []
        return list(
            self.api._get(
                self.cid, ids=ids, where=where, where_document=where_document, include=[]
            )["ids"]
        )

    def _grouped(
        self,
        order: List[str],
        scores: Dict[str, Optional[float]],
        keys: List[str],
        aggregate: Any,
    ) -> List[str]:
        if not isinstance(aggregate, (MinK, MaxK)):
            raise InvalidArgumentError(f"Unsupported aggregate: {type(aggregate).__name__}")
        if isinstance(aggregate.k, bool) or not isinstance(aggregate.k, int) or aggregate.k < 1:
            raise InvalidArgumentError(
                f"Aggregate k must be a positive integer, got {aggregate.k!r}"
            )
        metas = self._metadatas(order)
        groups: Dict[Tuple[Any, ...], List[str]] = {}
        for rid in order:
            meta = metas.get(rid) or {}
            groups.setdefault(tuple(_hashable(meta.get(k)) for k in keys), []).append(rid)
        sort_keys = aggregate.key_names()
        descending = isinstance(aggregate, MaxK)

        def value_of(rid: str, key: str) -> Any:
            if key == SCORE_KEY:
                return scores.get(rid)
            return (metas.get(rid) or {}).get(key)

        kept: List[str] = []
        for members in groups.values():
            ranked = sorted(
                members,
                key=lambda r: tuple(_order_value(value_of(r, k), descending) for k in sort_keys),
            )
            kept.extend(ranked[: aggregate.k])
        position = {rid: i for i, rid in enumerate(order)}
        return sorted(kept, key=lambda r: position[r])

    def _metadatas(self, ids: List[str]) -> Dict[str, Any]:
        if not ids:
            return {}
        got = self.api._get(self.cid, ids=ids, include=["metadatas"])
        return dict(zip(got["ids"], got["metadatas"] or [None] * len(got["ids"])))

    def _columns(
        self, order: List[str], scores: Dict[str, Optional[float]], selected: List[str]
    ) -> Dict[str, Any]:
        want_doc = DOCUMENT_KEY in selected
        want_emb = EMBEDDING_KEY in selected
        want_meta = METADATA_KEY in selected
        fields = [k for k in selected if not k.startswith("#")]
        include: List[str] = []
        if want_doc:
            include.append("documents")
        if want_emb:
            include.append("embeddings")
        if want_meta or fields:
            include.append("metadatas")
        rows: Dict[str, Dict[str, Any]] = {}
        if include and order:
            got = self.api._get(self.cid, ids=order, include=include)
            for i, rid in enumerate(got["ids"]):
                row: Dict[str, Any] = {}
                if want_doc:
                    row["document"] = got["documents"][i]
                if want_emb:
                    emb = got["embeddings"][i]
                    row["embedding"] = None if emb is None else [float(x) for x in emb]
                if want_meta or fields:
                    meta = got["metadatas"][i]
                    if not want_meta and meta is not None:
                        meta = {k: meta[k] for k in fields if k in meta} or None
                    row["metadata"] = meta
                rows[rid] = row
        return {
            "ids": list(order),
            "documents": [rows.get(r, {}).get("document") for r in order] if want_doc else None,
            "embeddings": [rows.get(r, {}).get("embedding") for r in order] if want_emb else None,
            "metadatas": (
                [rows.get(r, {}).get("metadata") for r in order] if (want_meta or fields) else None
            ),
            "scores": [scores.get(r) for r in order] if SCORE_KEY in selected else None,
            "select": list(selected),
        }


def _expand_rrf(rank: Rank) -> Rank:
    if isinstance(rank, Rrf):
        return _expand_rrf(rank._expanded())
    if isinstance(rank, (Sum, Mul, Max, Min)):
        return type(rank)([_expand_rrf(r) for r in rank.ranks])
    if isinstance(rank, (Sub, Div)):
        return type(rank)(_expand_rrf(rank.left), _expand_rrf(rank.right))
    if isinstance(rank, (Abs, Exp, Log)):
        return type(rank)(_expand_rrf(rank.rank))
    return rank


def _children(rank: Rank) -> Sequence[Rank]:
    if isinstance(rank, (Sum, Mul, Max, Min)):
        return rank.ranks
    if isinstance(rank, (Sub, Div)):
        return [rank.left, rank.right]
    if isinstance(rank, (Abs, Exp, Log)):
        return [rank.rank]
    return []


_NARY: Dict[type, Callable[[List[float]], float]] = {
    Sum: lambda xs: math.fsum(xs),
    Mul: lambda xs: math.prod(xs),
    Max: max,
    Min: min,
}


def _evaluate(rank: Rank, rid: str, tables: Dict[int, Dict[str, float]]) -> float:
    """The score of one candidate (raises _Dropped when a Knn without default lacks it)."""
    if isinstance(rank, Knn):
        score = tables[id(rank)].get(rid)
        if score is None:
            if rank.default is None:
                raise _Dropped
            return float(rank.default)
        return score
    if isinstance(rank, Val):
        value = rank.value
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise InvalidArgumentError(f"Val requires a number, got {value!r}")
        return float(value)
    if isinstance(rank, Rrf):
        return _evaluate(rank._expanded(), rid, tables)
    nary = _NARY.get(type(rank))
    if nary is not None:
        return nary([_evaluate(r, rid, tables) for r in rank.ranks])  # type: ignore[attr-defined]
    if isinstance(rank, Sub):
        return _evaluate(rank.left, rid, tables) - _evaluate(rank.right, rid, tables)
    if isinstance(rank, Div):
        left, right = _evaluate(rank.left, rid, tables), _evaluate(rank.right, rid, tables)
        if right == 0:
            return math.copysign(math.inf, left) if left else math.nan
        return left / right
    if isinstance(rank, Abs):
        return abs(_evaluate(rank.rank, rid, tables))
    if isinstance(rank, Exp):
        try:
            return math.exp(_evaluate(rank.rank, rid, tables))
        except OverflowError:
            return math.inf
    if isinstance(rank, Log):
        x = _evaluate(rank.rank, rid, tables)
        return math.log(x) if x > 0 else (-math.inf if x == 0 else math.nan)
    raise InvalidArgumentError(f"Unsupported rank expression: {type(rank).__name__}")


def _sort_score(score: Optional[float]) -> Tuple[int, float]:
    # NaN (and missing) scores rank after every number.
    if score is None or math.isnan(score):
        return (1, 0.0)
    return (0, score)


def _hashable(value: Any) -> Any:
    return tuple(value) if isinstance(value, list) else value


def _order_value(value: Any, descending: bool) -> Tuple[int, Any]:
    # Missing values sort last either way; numbers negate for descending order.
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return (1, 0)
    if descending:
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return (0, -value)
        if isinstance(value, str):
            return (0, tuple(-ord(c) for c in value) + (1,))
        return (0, -int(value))
    return (0, value)


def run_searches(api: Any, collection_id: UUID, searches: Sequence[Search]) -> SearchResult:
    """All searches' results, as one column-major ``SearchResult``."""
    runner = SearchRunner(api, collection_id)
    out: Dict[str, List[Any]] = {
        "ids": [],
        "documents": [],
        "embeddings": [],
        "metadatas": [],
        "scores": [],
        "select": [],
    }
    knn_scores: List[Any] = []
    for search in searches:
        if not isinstance(search, Search):
            raise InvalidArgumentError(f"Expected a Search, got {type(search).__name__}")
        one = runner.run(search)
        for name in out:
            out[name].append(one[name])
        knn_scores.append(one.get("knn_scores"))
    if any(x is not None for x in knn_scores):  # only when asked for: real has no such column
        out["knn_scores"] = knn_scores
    return SearchResult(out)


def parse_searches(body: Any) -> List[Search]:
    """The ``searches`` of a search route body, parsed (bad shapes are InvalidArgumentError)."""
    if not isinstance(body, list):
        raise InvalidArgumentError(f"searches must be a list, got {type(body).__name__}")
    parsed: List[Search] = []
    for i, entry in enumerate(body):
        try:
            parsed.append(Search.from_dict(entry))
        except (TypeError, ValueError) as e:
            raise InvalidArgumentError(f"searches[{i}]: {e}") from e
    return parsed
