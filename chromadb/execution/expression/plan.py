"""``Search``: one search request (filter, ranking, grouping, paging, fields), built fluently
and serialised to the body of the search route."""

from __future__ import annotations

from typing import Any, Dict, List, Optional, Set, Union

from chromadb.execution.expression.operator import (
    DOCUMENT_KEY,
    EMBEDDING_KEY,
    METADATA_KEY,
    SCORE_KEY,
    GroupBy,
    Key,
    Limit,
    Rank,
    Select,
    Where,
    _ordered_set,
)


def _as_where(where: Any) -> Optional[Where]:
    if where is None or isinstance(where, Where):
        return where
    if isinstance(where, dict):
        return Where.from_dict(where)
    raise TypeError(f"where must be a Where object, dict, or None, got {type(where).__name__}")


def _as_rank(rank: Any) -> Optional[Rank]:
    if rank is None or isinstance(rank, Rank):
        return rank
    if isinstance(rank, dict):
        return Rank.from_dict(rank)
    raise TypeError(f"rank must be a Rank object, dict, or None, got {type(rank).__name__}")


def _as_group_by(group_by: Any) -> GroupBy:
    if group_by is None:
        return GroupBy()
    if isinstance(group_by, GroupBy):
        return group_by
    if isinstance(group_by, dict):
        return GroupBy.from_dict(group_by)
    raise TypeError(
        f"group_by must be a GroupBy object, dict, or None, got {type(group_by).__name__}"
    )


def _as_limit(limit: Any) -> Limit:
    if limit is None:
        return Limit()
    if isinstance(limit, Limit):
        return limit
    if isinstance(limit, dict):
        return Limit.from_dict(limit)
    if isinstance(limit, int) and not isinstance(limit, bool):
        return Limit(limit=limit)
    raise TypeError(f"limit must be a Limit object, dict, int, or None, got {type(limit).__name__}")


def _as_select(select: Any) -> Select:
    if select is None:
        return Select()
    if isinstance(select, Select):
        return select
    if isinstance(select, dict):
        return Select.from_dict(select)
    if isinstance(select, (list, set, tuple)):
        for key in select:
            if not isinstance(key, str):
                raise TypeError(f"Select key must be a string, got {type(key).__name__}")
        return Select(keys=_ordered_set(select))
    raise TypeError(
        f"select must be a Select object, dict, list, set, or None, got {type(select).__name__}"
    )


class Search:
    """One search: ``where`` filters the records, ``rank`` scores them (lower first),
    ``group_by`` keeps the best of each group, ``limit`` pages, ``select`` picks the fields.

    >>> Search().where(K("year") >= 2020).rank(Knn(query=[0.1, 0.2])).limit(10).select(K.SCORE)
    """

    def __init__(
        self,
        where: Union[Where, Dict[str, Any], None] = None,
        rank: Union[Rank, Dict[str, Any], None] = None,
        group_by: Union[GroupBy, Dict[str, Any], None] = None,
        limit: Union[Limit, Dict[str, Any], int, None] = None,
        select: Union[Select, Dict[str, Any], List[str], Set[str], None] = None,
    ):
        self._where = _as_where(where)
        self._rank = _as_rank(rank)
        self._group_by = _as_group_by(group_by)
        self._limit = _as_limit(limit)
        self._select = _as_select(select)

    def _copy(self, **changes: Any) -> Search:
        out = Search.__new__(Search)
        out._where = changes.get("where", self._where)
        out._rank = changes.get("rank", self._rank)
        out._group_by = changes.get("group_by", self._group_by)
        out._limit = changes.get("limit", self._limit)
        out._select = changes.get("select", self._select)
        return out

    def where(self, where: Union[Where, Dict[str, Any], None]) -> Search:
        """A copy filtered by ``where`` (replacing any earlier filter)."""
        return self._copy(where=_as_where(where))

    def rank(self, rank: Union[Rank, Dict[str, Any], None]) -> Search:
        """A copy ranked by ``rank``."""
        return self._copy(rank=_as_rank(rank))

    def group_by(self, group_by: Union[GroupBy, Dict[str, Any], None]) -> Search:
        """A copy grouped by ``group_by``."""
        return self._copy(group_by=_as_group_by(group_by))

    def limit(self, limit: Optional[int] = None, offset: int = 0) -> Search:
        """A copy returning at most ``limit`` results after skipping ``offset``."""
        return self._copy(limit=Limit(offset=offset, limit=limit))

    def select(self, *keys: Union[Key, str]) -> Search:
        """A copy returning the given fields (ids always come back)."""
        return self._copy(select=Select(keys=_ordered_set(keys)))

    def select_all(self) -> Search:
        """A copy returning the document, embedding, metadata and score."""
        return self._copy(
            select=Select(keys=_ordered_set([DOCUMENT_KEY, EMBEDDING_KEY, METADATA_KEY, SCORE_KEY]))
        )

    def to_dict(self) -> Dict[str, Any]:
        """The search as one entry of the route's ``searches`` list."""
        return {
            "filter": self._where.to_dict() if self._where is not None else None,
            "rank": self._rank.to_dict() if self._rank is not None else None,
            "group_by": self._group_by.to_dict(),
            "limit": self._limit.to_dict(),
            "select": self._select.to_dict(),
        }

    @staticmethod
    def from_dict(data: Dict[str, Any]) -> Search:
        """Parse one entry of the route's ``searches`` list."""
        if not isinstance(data, dict):
            raise TypeError(f"Expected dict for Search, got {type(data).__name__}")
        unknown = set(data) - {"filter", "rank", "group_by", "limit", "select"}
        if unknown:
            raise ValueError(f"Unknown search field(s): {', '.join(sorted(unknown))}")
        return Search(
            where=data.get("filter"),
            rank=data.get("rank"),
            group_by=data.get("group_by"),
            limit=data.get("limit") if data.get("limit") is not None else None,
            select=data.get("select"),
        )

    def __repr__(self) -> str:
        return f"Search({self.to_dict()!r})"
