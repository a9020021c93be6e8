"""``where`` and ``where_document`` filters: parsed (and checked) into small trees, then evaluated
as boolean masks over a collection's slots, with metadata held in columns (``columns.py``) and
documents found through SQLite's FTS5 trigram index."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, List, Optional, Sequence, Union

from chromadb.errors import InvalidArgumentError

COMPARISONS = ("$eq", "$ne", "$gt", "$gte", "$lt", "$lte")
MEMBERSHIP = ("$in", "$nin")
# On list-valued metadata (Chroma 1.5): does the list hold the value.
ARRAY = ("$contains", "$not_contains")
LOGICAL = ("$and", "$or")
ORDERING = ("$gt", "$gte", "$lt", "$lte")


@dataclass(frozen=True)
class Compare:
    key: str
    op: str  # one of COMPARISONS
    value: Union[str, int, float, bool]


@dataclass(frozen=True)
class Member:
    key: str
    values: tuple[Union[str, int, float, bool], ...]
    negate: bool


@dataclass(frozen=True)
class Logical:
    op: str  # "$and" | "$or"
    children: tuple[WhereNode, ...]


@dataclass(frozen=True)
class ArrayContains:
    key: str
    value: Union[str, int, float, bool]
    negate: bool


WhereNode = Union[Compare, Member, Logical, ArrayContains]


@dataclass(frozen=True)
class Contains:
    text: str
    negate: bool


@dataclass(frozen=True)
class Regex:
    pattern: re.Pattern[str]
    negate: bool


@dataclass(frozen=True)
class DocLogical:
    op: str
    children: tuple[DocNode, ...]


DocNode = Union[Contains, Regex, DocLogical]


def _is_literal(value: Any) -> bool:
    return isinstance(value, (str, int, float, bool))


def _parse_operand(key: str, op: str, operand: Any) -> WhereNode:
    if op in COMPARISONS:
        if not _is_literal(operand):
            raise InvalidArgumentError(
                f"Expected where operand for {op} on {key!r} to be a str, int, float or bool, got {operand!r}"
            )
        if op in ORDERING and (isinstance(operand, (bool, str))):
            raise InvalidArgumentError(
                f"Expected where operand for {op} on {key!r} to be an int or a float, got {operand!r}"
            )
        return Compare(key, op, operand)
    if op in MEMBERSHIP:
        # A tuple is refused as real Chroma refuses it (its JSON form would be a list anyway).
        if not isinstance(operand, list):
            raise InvalidArgumentError(
                f"Expected operand value to be a list for operator {op} on {key!r}, got {operand!r}"
            )
        if len(operand) == 0 or not all(_same_kind(x, operand[0]) for x in operand):
            raise InvalidArgumentError(
                f"Expected where operand value for {op} on {key!r} to be a non-empty list, "
                f"and all values to be of the same type, got {operand!r}"
            )
        for item in operand:
            if not _is_literal(item):
                raise InvalidArgumentError(
                    f"Expected where operand list for {op} on {key!r} to hold str, int, float or bool, got {item!r}"
                )
        return Member(key, tuple(operand), op == "$nin")
    if op in ARRAY:
        if not _is_literal(operand):
            raise InvalidArgumentError(
                f"Expected operand value to be a str, int, float, or bool for operator {op} "
                f"on {key!r}, got {operand!r}"
            )
        return ArrayContains(key, operand, op == "$not_contains")
    raise InvalidArgumentError(
        f"Expected where operator to be one of {', '.join(COMPARISONS + MEMBERSHIP + ARRAY)}, "
        f"got {op!r}"
    )


def _same_kind(value: Any, first: Any) -> bool:
    # Real Chroma's rule: every item an instance of the first item's type (so [1, True] passes,
    # [True, 1] does not).
    return isinstance(value, type(first))


def _parse_clause(key: str, value: Any) -> WhereNode:
    if key in LOGICAL:
        if not isinstance(value, list):
            raise InvalidArgumentError(
                f"Expected where value for {key} to be a list of where expressions, got {value!r}"
            )
        if len(value) < 2:
            raise InvalidArgumentError(
                f"Expected where value for $and or $or to be a list with at least two where "
                f"expressions, got {value!r}"
            )
        children = []
        for child in value:
            node = parse_where(child)
            if node is None:
                raise InvalidArgumentError(
                    f"Expected each where expression in {key} to be non-empty"
                )
            children.append(node)
        return Logical(key, tuple(children))
    if key.startswith("$"):
        raise InvalidArgumentError(
            f"Unknown where operator {key!r}: expected a metadata key or one of $and, $or"
        )
    if _is_literal(value):
        return Compare(key, "$eq", value)
    if isinstance(value, dict):
        if len(value) != 1:
            raise InvalidArgumentError(
                f"Expected operator expression for {key!r} to have exactly one operator, got {value!r}"
            )
        ((op, operand),) = value.items()
        return _parse_operand(key, op, operand)
    raise InvalidArgumentError(
        f"Expected where value for {key!r} to be a str, int, float, bool or operator dict, got {value!r}"
    )


def parse_where(where: Any) -> Optional[WhereNode]:
    """Check a ``where`` filter and return its tree (None for no filter)."""
    if where is None:
        return None
    if not isinstance(where, dict):
        raise InvalidArgumentError(f"Expected where to be a dict, got {where!r}")
    if not where:
        return None
    nodes = [_parse_clause(k, v) for k, v in where.items()]
    return nodes[0] if len(nodes) == 1 else Logical("$and", tuple(nodes))


def parse_where_document(where_document: Any) -> Optional[DocNode]:
    """Check a ``where_document`` filter and return its tree (None for no filter)."""
    if where_document is None:
        return None
    if not isinstance(where_document, dict):
        raise InvalidArgumentError(f"Expected where_document to be a dict, got {where_document!r}")
    if not where_document:
        return None
    if len(where_document) != 1:
        raise InvalidArgumentError(
            f"Expected where_document to have exactly one operator, got {where_document!r}"
        )
    ((op, operand),) = where_document.items()
    if op in ("$contains", "$not_contains"):
        if not isinstance(operand, str) or operand == "":
            raise InvalidArgumentError(
                f"Expected where_document operand for {op} to be a non-empty str, got {operand!r}"
            )
        return Contains(operand, op == "$not_contains")
    if op in ("$regex", "$not_regex"):
        if not isinstance(operand, str) or operand == "":
            raise InvalidArgumentError(
                f"Expected where_document operand for {op} to be a non-empty str, got {operand!r}"
            )
        try:
            pattern = re.compile(operand)
        except re.error as exc:
            raise InvalidArgumentError(f"Regex syntax error in {operand!r}: {exc}") from None
        return Regex(pattern, op == "$not_regex")
    if op in LOGICAL:
        if not isinstance(operand, list):
            raise InvalidArgumentError(
                f"Expected where_document value for {op} to be a list, got {operand!r}"
            )
        if len(operand) < 2:
            raise InvalidArgumentError(
                f"Expected document value for $and or $or to be a list with at least two where "
                f"document expressions, got {operand!r}"
            )
        children: List[DocNode] = []
        for child in operand:
            node = parse_where_document(child)
            if node is None:
                raise InvalidArgumentError(f"Expected each expression in {op} to be non-empty")
            children.append(node)
        return DocLogical(op, tuple(children))
    raise InvalidArgumentError(
        "Expected where_document operator to be one of $contains, $not_contains, $regex, "
        f"$not_regex, $and, $or, got {op!r}"
    )


def where_keys(node: Optional[WhereNode]) -> Sequence[str]:
    """Every metadata key a filter looks at."""
    if node is None:
        return ()
    if isinstance(node, Logical):
        return [k for child in node.children for k in where_keys(child)]
    return (node.key,)
