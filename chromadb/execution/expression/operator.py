"""The expression nodes of the Search API: filters (``Where``), keys (``K``), ranking expressions
(``Rank`` and its arithmetic, ``Knn``, ``Rrf``), ``Limit``, ``Select`` and ``GroupBy``.

Every node serialises with ``to_dict()`` to the JSON body the search route takes, and parses back
with ``from_dict()``; the shapes are Chroma's wire format so the official clients interoperate."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Dict, List, Optional, Set, Union

import numpy as np

from chromadb.base_types import SPARSE_VECTOR_TYPE_VALUE, TYPE_KEY, SparseVector

# The reserved keys: record fields that are not metadata.
ID_KEY = "#id"
DOCUMENT_KEY = "#document"
EMBEDDING_KEY = "#embedding"
METADATA_KEY = "#metadata"
SCORE_KEY = "#score"
# Ours (Chroma has no such key): each Knn's own value for a record, so that a fused score can
# be taken apart. Selected only by asking for it, so real's clients never see it.
KNN_SCORES_KEY = "#knn_scores"

LiteralValue = Union[str, int, float, bool]


def _key_name(key: Union[Key, str]) -> str:
    return key.name if isinstance(key, Key) else key


# -- filters ---------------------------------------------------------------------------------------
@dataclass
class Where:
    """Base of the filter expressions; combine them with ``&`` and ``|``."""

    def to_dict(self) -> Dict[str, Any]:
        """The filter as its wire dict."""
        raise NotImplementedError(f"{type(self).__name__} has no wire form")

    @staticmethod
    def from_dict(data: Dict[str, Any]) -> Where:
        """Parse a wire filter (``{"key": {"$op": value}}``, ``$and`` / ``$or`` lists)."""
        if not isinstance(data, dict):
            raise TypeError(f"Expected dict for Where, got {type(data).__name__}")
        if not data:
            raise ValueError("Where dict cannot be empty")
        if len(data) != 1:
            raise ValueError(f"Where dict must contain exactly one field, got {len(data)}")
        ((name, body),) = data.items()
        if name in ("$and", "$or"):
            if not isinstance(body, list):
                raise TypeError(f"{name} requires a list of conditions, got {type(body).__name__}")
            if not body:
                raise ValueError(f"{name} requires at least one condition")
            parts = [Where.from_dict(part) for part in body]
            if len(parts) == 1:
                return parts[0]
            return And(parts) if name == "$and" else Or(parts)
        if not isinstance(name, str):
            raise TypeError(f"Where field names must be strings, got {type(name).__name__}")
        if not isinstance(body, dict):
            return Eq(name, body)
        if len(body) != 1:
            raise ValueError(f"Operator dict for field '{name}' must contain exactly one operator")
        ((op, value),) = body.items()
        node = _WHERE_OPS.get(op)
        if node is None:
            raise ValueError(f"Unknown operator: {op}")
        if op in ("$in", "$nin") and not isinstance(value, list):
            raise TypeError(f"{op} requires a list of values, got {type(value).__name__}")
        return node(name, value)

    def __and__(self, other: Where) -> And:
        return And(_flatten(self, And) + _flatten(other, And))

    def __or__(self, other: Where) -> Or:
        return Or(_flatten(self, Or) + _flatten(other, Or))


def _flatten(node: Where, kind: type) -> List[Where]:
    return list(node.conditions) if isinstance(node, kind) else [node]  # type: ignore[attr-defined]


@dataclass
class And(Where):
    """All of the conditions hold."""

    conditions: List[Where]

    def to_dict(self) -> Dict[str, Any]:
        return {"$and": [c.to_dict() for c in self.conditions]}


@dataclass
class Or(Where):
    """At least one of the conditions holds."""

    conditions: List[Where]

    def to_dict(self) -> Dict[str, Any]:
        return {"$or": [c.to_dict() for c in self.conditions]}


@dataclass
class _Compare(Where):
    key: str
    value: Any
    _op = ""

    def to_dict(self) -> Dict[str, Any]:
        return {_key_name(self.key): {self._op: self.value}}


@dataclass
class Eq(_Compare):
    """``key == value``."""

    _op = "$eq"


@dataclass
class Ne(_Compare):
    """``key != value``."""

    _op = "$ne"


@dataclass
class Gt(_Compare):
    """``key > value``."""

    _op = "$gt"


@dataclass
class Gte(_Compare):
    """``key >= value``."""

    _op = "$gte"


@dataclass
class Lt(_Compare):
    """``key < value``."""

    _op = "$lt"


@dataclass
class Lte(_Compare):
    """``key <= value``."""

    _op = "$lte"


@dataclass
class In(Where):
    """The key's value is one of ``values``."""

    key: str
    values: List[Any]

    def to_dict(self) -> Dict[str, Any]:
        return {_key_name(self.key): {"$in": list(self.values)}}


@dataclass
class Nin(Where):
    """The key's value is none of ``values``."""

    key: str
    values: List[Any]

    def to_dict(self) -> Dict[str, Any]:
        return {_key_name(self.key): {"$nin": list(self.values)}}


@dataclass
class Regex(Where):
    """The key's (string) value matches the regular expression."""

    key: str
    pattern: str

    def to_dict(self) -> Dict[str, Any]:
        return {_key_name(self.key): {"$regex": self.pattern}}


@dataclass
class NotRegex(Where):
    """The key's (string) value does not match the regular expression."""

    key: str
    pattern: str

    def to_dict(self) -> Dict[str, Any]:
        return {_key_name(self.key): {"$not_regex": self.pattern}}


@dataclass
class Contains(Where):
    """The document contains the text, or the metadata list contains the value."""

    key: str
    value: LiteralValue

    def to_dict(self) -> Dict[str, Any]:
        return {_key_name(self.key): {"$contains": self.value}}


@dataclass
class NotContains(Where):
    """The document does not contain the text, or the metadata list lacks the value."""

    key: str
    value: LiteralValue

    def to_dict(self) -> Dict[str, Any]:
        return {_key_name(self.key): {"$not_contains": self.value}}


_WHERE_OPS: Dict[str, Any] = {
    "$eq": Eq,
    "$ne": Ne,
    "$gt": Gt,
    "$gte": Gte,
    "$lt": Lt,
    "$lte": Lte,
    "$in": In,
    "$nin": Nin,
    "$regex": Regex,
    "$not_regex": NotRegex,
    "$contains": Contains,
    "$not_contains": NotContains,
}


# -- keys ------------------------------------------------------------------------------------------
class Key:
    """A field of a record: a metadata key by name, or one of the reserved ``K.ID``,
    ``K.DOCUMENT``, ``K.EMBEDDING``, ``K.METADATA``, ``K.SCORE``, and ours ``K.KNN_SCORES`` (to
    ``select``: each Knn's own score of each result). Comparing a key builds a filter:
    ``K("year") >= 2020``."""

    ID: Key
    DOCUMENT: Key
    EMBEDDING: Key
    METADATA: Key
    SCORE: Key
    KNN_SCORES: Key

    def __init__(self, name: str):
        self.name = name

    def __hash__(self) -> int:
        return hash(self.name)

    def __repr__(self) -> str:
        return f"Key({self.name!r})"

    def __eq__(self, value: Any) -> Eq:  # type: ignore[override]
        return Eq(self.name, value)

    def __ne__(self, value: Any) -> Ne:  # type: ignore[override]
        return Ne(self.name, value)

    def __gt__(self, value: Any) -> Gt:
        return Gt(self.name, value)

    def __ge__(self, value: Any) -> Gte:
        return Gte(self.name, value)

    def __lt__(self, value: Any) -> Lt:
        return Lt(self.name, value)

    def __le__(self, value: Any) -> Lte:
        return Lte(self.name, value)

    def is_in(self, values: List[Any]) -> In:
        """The key's value is one of ``values``."""
        return In(self.name, list(values))

    def not_in(self, values: List[Any]) -> Nin:
        """The key's value is none of ``values``."""
        return Nin(self.name, list(values))

    def regex(self, pattern: str) -> Regex:
        """The key's value matches ``pattern``."""
        return Regex(self.name, pattern)

    def not_regex(self, pattern: str) -> NotRegex:
        """The key's value does not match ``pattern``."""
        return NotRegex(self.name, pattern)

    def contains(self, value: LiteralValue) -> Contains:
        """The document contains the text (``K.DOCUMENT``), or the metadata list the value."""
        if self.name == DOCUMENT_KEY and not isinstance(value, str):
            raise TypeError("$contains on #document requires a string pattern")
        return Contains(self.name, value)

    def not_contains(self, value: LiteralValue) -> NotContains:
        """The negation of :meth:`contains`."""
        if self.name == DOCUMENT_KEY and not isinstance(value, str):
            raise TypeError("$not_contains on #document requires a string pattern")
        return NotContains(self.name, value)


Key.ID = Key(ID_KEY)
Key.DOCUMENT = Key(DOCUMENT_KEY)
Key.EMBEDDING = Key(EMBEDDING_KEY)
Key.METADATA = Key(METADATA_KEY)
Key.SCORE = Key(SCORE_KEY)
Key.KNN_SCORES = Key(KNN_SCORES_KEY)
K = Key


# -- limit -----------------------------------------------------------------------------------------
@dataclass
class Limit:
    """Skip ``offset`` results, then return at most ``limit`` (all when None)."""

    offset: int = 0
    limit: Optional[int] = None

    def to_dict(self) -> Dict[str, Any]:
        out: Dict[str, Any] = {"offset": self.offset}
        if self.limit is not None:
            out["limit"] = self.limit
        return out

    @staticmethod
    def from_dict(data: Dict[str, Any]) -> Limit:
        """Parse ``{"offset": n, "limit": m}``."""
        if not isinstance(data, dict):
            raise TypeError(f"Expected dict for Limit, got {type(data).__name__}")
        offset = data.get("offset", 0)
        limit = data.get("limit")
        if isinstance(offset, bool) or not isinstance(offset, int) or offset < 0:
            raise ValueError(f"Limit offset must be a non-negative integer, got {offset!r}")
        if limit is not None and (
            isinstance(limit, bool) or not isinstance(limit, int) or limit < 1
        ):
            raise ValueError(f"Limit limit must be a positive integer, got {limit!r}")
        return Limit(offset=offset, limit=limit)


# -- ranking ---------------------------------------------------------------------------------------
Operand = Union["Rank", float, int]


def _rank(value: Operand) -> Rank:
    return value if isinstance(value, Rank) else Val(value)


def _members(node: Rank, kind: type) -> List[Rank]:
    return list(node.ranks) if isinstance(node, kind) else [node]  # type: ignore[attr-defined]


@dataclass
class Rank:
    """Base of the ranking expressions. Lower scores rank first; combine with ``+ - * /``,
    ``abs()``, ``.exp()``, ``.log()``, ``.max()``, ``.min()``."""

    def to_dict(self) -> Dict[str, Any]:
        """The expression as its wire dict."""
        raise NotImplementedError(f"{type(self).__name__} has no wire form")

    @staticmethod
    def from_dict(data: Dict[str, Any]) -> Rank:
        """Parse a wire ranking expression (``{"$knn": {...}}``, ``{"$sum": [...]}`` ...)."""
        if not isinstance(data, dict):
            raise TypeError(f"Expected dict for Rank, got {type(data).__name__}")
        if len(data) != 1:
            raise ValueError(f"Rank dict must contain exactly one operator, got {len(data)}")
        ((op, body),) = data.items()
        if op == "$val":
            if isinstance(body, bool) or not isinstance(body, (int, float)):
                raise TypeError(f"$val requires a number, got {type(body).__name__}")
            return Val(body)
        if op == "$knn":
            return Knn._from_body(body)
        if op in _NARY:
            if not isinstance(body, list):
                raise TypeError(f"{op} requires a list of ranks, got {type(body).__name__}")
            if len(body) < 2:
                raise ValueError(f"{op} requires at least 2 ranks, got {len(body)}")
            return _NARY[op]([Rank.from_dict(r) for r in body])
        if op in _BINARY:
            if not isinstance(body, dict) or set(body) != {"left", "right"}:
                raise ValueError(f"{op} requires an object with 'left' and 'right'")
            return _BINARY[op](Rank.from_dict(body["left"]), Rank.from_dict(body["right"]))
        if op in _UNARY:
            return _UNARY[op](Rank.from_dict(body))
        raise ValueError(f"Unknown rank operator: {op}")

    def __add__(self, other: Operand) -> Sum:
        return Sum(_members(self, Sum) + _members(_rank(other), Sum))

    def __radd__(self, other: Union[float, int]) -> Sum:
        return Sum([Val(other)] + _members(self, Sum))

    def __sub__(self, other: Operand) -> Sub:
        return Sub(self, _rank(other))

    def __rsub__(self, other: Union[float, int]) -> Sub:
        return Sub(Val(other), self)

    def __mul__(self, other: Operand) -> Mul:
        return Mul(_members(self, Mul) + _members(_rank(other), Mul))

    def __rmul__(self, other: Union[float, int]) -> Mul:
        return Mul([Val(other)] + _members(self, Mul))

    def __truediv__(self, other: Operand) -> Div:
        return Div(self, _rank(other))

    def __rtruediv__(self, other: Union[float, int]) -> Div:
        return Div(Val(other), self)

    def __neg__(self) -> Mul:
        return Mul([Val(-1), self])

    def __abs__(self) -> Abs:
        return Abs(self)

    def abs(self) -> Abs:
        """The absolute value."""
        return Abs(self)

    def exp(self) -> Exp:
        """e to the power of this expression."""
        return Exp(self)

    def log(self) -> Log:
        """The natural logarithm."""
        return Log(self)

    def max(self, other: Operand) -> Max:
        """The larger of this and ``other``."""
        return Max(_members(self, Max) + _members(_rank(other), Max))

    def min(self, other: Operand) -> Min:
        """The smaller of this and ``other``."""
        return Min(_members(self, Min) + _members(_rank(other), Min))


@dataclass
class Abs(Rank):
    """``|rank|``."""

    rank: Rank

    def to_dict(self) -> Dict[str, Any]:
        return {"$abs": self.rank.to_dict()}


@dataclass
class Exp(Rank):
    """``e ** rank``."""

    rank: Rank

    def to_dict(self) -> Dict[str, Any]:
        return {"$exp": self.rank.to_dict()}


@dataclass
class Log(Rank):
    """``ln(rank)``."""

    rank: Rank

    def to_dict(self) -> Dict[str, Any]:
        return {"$log": self.rank.to_dict()}


@dataclass
class Div(Rank):
    """``left / right``."""

    left: Rank
    right: Rank

    def to_dict(self) -> Dict[str, Any]:
        return {"$div": {"left": self.left.to_dict(), "right": self.right.to_dict()}}


@dataclass
class Sub(Rank):
    """``left - right``."""

    left: Rank
    right: Rank

    def to_dict(self) -> Dict[str, Any]:
        return {"$sub": {"left": self.left.to_dict(), "right": self.right.to_dict()}}


@dataclass
class Sum(Rank):
    """The sum of the ranks."""

    ranks: List[Rank]

    def to_dict(self) -> Dict[str, Any]:
        return {"$sum": [r.to_dict() for r in self.ranks]}


@dataclass
class Mul(Rank):
    """The product of the ranks."""

    ranks: List[Rank]

    def to_dict(self) -> Dict[str, Any]:
        return {"$mul": [r.to_dict() for r in self.ranks]}


@dataclass
class Max(Rank):
    """The largest of the ranks."""

    ranks: List[Rank]

    def to_dict(self) -> Dict[str, Any]:
        return {"$max": [r.to_dict() for r in self.ranks]}


@dataclass
class Min(Rank):
    """The smallest of the ranks."""

    ranks: List[Rank]

    def to_dict(self) -> Dict[str, Any]:
        return {"$min": [r.to_dict() for r in self.ranks]}


@dataclass
class Val(Rank):
    """A constant."""

    value: float

    def to_dict(self) -> Dict[str, Any]:
        return {"$val": self.value}


@dataclass
class Knn(Rank):
    """The nearest ``limit`` records to ``query`` by the embedding at ``key``; a record's score
    is its distance (or its 0-based position when ``return_rank``). A record outside the nearest
    ``limit`` scores ``default``, or is left out of the results when ``default`` is None. A string
    query is embedded with the collection's embedding function."""

    query: Any
    key: Union[Key, str] = field(default_factory=lambda: Key.EMBEDDING)
    limit: int = 16
    default: Optional[float] = None
    return_rank: bool = False

    def _query_wire(self) -> Any:
        q = self.query
        if isinstance(q, np.ndarray):
            return q.tolist()
        if isinstance(q, SparseVector):
            return q.to_dict()
        return q

    def to_dict(self) -> Dict[str, Any]:
        body: Dict[str, Any] = {
            "query": self._query_wire(),
            "key": _key_name(self.key),
            "limit": self.limit,
        }
        if self.default is not None:
            body["default"] = self.default
        if self.return_rank:
            body["return_rank"] = True
        return {"$knn": body}

    @staticmethod
    def _from_body(body: Any) -> Knn:
        if not isinstance(body, dict):
            raise TypeError(f"$knn requires an object, got {type(body).__name__}")
        if "query" not in body:
            raise ValueError("$knn requires a 'query'")
        unknown = set(body) - {"query", "key", "limit", "default", "return_rank"}
        if unknown:
            raise ValueError(f"Unknown $knn field(s): {', '.join(sorted(unknown))}")
        key = body.get("key", EMBEDDING_KEY)
        limit = body.get("limit", 16)
        default = body.get("default")
        return_rank = body.get("return_rank", False)
        if not isinstance(key, str):
            raise TypeError(f"$knn key must be a string, got {type(key).__name__}")
        if isinstance(limit, bool) or not isinstance(limit, int) or limit < 1:
            raise ValueError(f"$knn limit must be a positive integer, got {limit!r}")
        if default is not None and (
            isinstance(default, bool) or not isinstance(default, (int, float))
        ):
            raise TypeError(f"$knn default must be a number, got {type(default).__name__}")
        if not isinstance(return_rank, bool):
            raise TypeError(f"$knn return_rank must be a boolean, got {type(return_rank).__name__}")
        query = body["query"]
        if isinstance(query, dict):
            query = _sparse_query(query)
        return Knn(query, key, limit, default, return_rank)


def _sparse_query(query: Dict[str, Any]) -> SparseVector:
    """A sparse Knn query: the Python clients send the ``#type``-tagged form, npm chromadb 3.x
    a bare ``{"indices", "values"}``; both are accepted, as Chroma's server does."""
    if TYPE_KEY not in query and {"indices", "values"} <= set(query):
        query = {**query, TYPE_KEY: SPARSE_VECTOR_TYPE_VALUE}
    missing = [k for k in ("indices", "values") if k not in query]
    if missing:
        raise ValueError(
            f"A sparse Knn query needs 'indices' and 'values' (missing {missing[0]!r})"
        )
    return SparseVector.from_dict(query)


@dataclass
class Rrf(Rank):
    """Reciprocal rank fusion: ``-sum(weight_i / (k + rank_i))`` over the ranks (each usually a
    ``Knn(..., return_rank=True)``); with ``normalize`` the weights are scaled to sum to 1."""

    ranks: List[Rank]
    k: int = 60
    weights: Optional[List[float]] = None
    normalize: bool = False

    def _expanded(self) -> Rank:
        if not self.ranks:
            raise ValueError("RRF requires at least one rank")
        if self.k <= 0:
            raise ValueError(f"k must be positive, got {self.k}")
        weights = [1.0] * len(self.ranks) if self.weights is None else list(self.weights)
        if len(weights) != len(self.ranks):
            raise ValueError(
                f"Number of weights ({len(weights)}) must match number of ranks ({len(self.ranks)})"
            )
        if any(w < 0 for w in weights):
            raise ValueError("All weights must be non-negative")
        if self.normalize:
            total = sum(weights)
            if total <= 0:
                raise ValueError("Sum of weights must be positive when normalize=True")
            weights = [w / total for w in weights]
        terms: List[Rank] = [
            Div(Val(w), Sum([Val(self.k), r])) for w, r in zip(weights, self.ranks)
        ]
        fused = terms[0] if len(terms) == 1 else Sum(terms)
        return Mul([Val(-1), fused])

    def __post_init__(self) -> None:
        self._expanded()  # validate eagerly, as the builder is used

    def to_dict(self) -> Dict[str, Any]:
        return self._expanded().to_dict()


_NARY: Dict[str, Any] = {"$sum": Sum, "$mul": Mul, "$max": Max, "$min": Min}
_BINARY: Dict[str, Any] = {"$sub": Sub, "$div": Div}
_UNARY: Dict[str, Any] = {"$abs": Abs, "$exp": Exp, "$log": Log}


# -- select ----------------------------------------------------------------------------------------
@dataclass
class Select:
    """The fields each result carries: ``K.DOCUMENT``, ``K.EMBEDDING``, ``K.METADATA``,
    ``K.SCORE`` and metadata keys by name (ids always)."""

    keys: Set[Union[Key, str]] = field(default_factory=set)

    def names(self) -> List[str]:
        """The selected keys as strings, each once, in a stable order."""
        out: List[str] = []
        for key in self.keys:
            name = _key_name(key)
            if name not in out:
                out.append(name)
        return out

    def to_dict(self) -> Dict[str, Any]:
        return {"keys": self.names()}

    @staticmethod
    def from_dict(data: Dict[str, Any]) -> Select:
        """Parse ``{"keys": [...]}``."""
        if not isinstance(data, dict):
            raise TypeError(f"Expected dict for Select, got {type(data).__name__}")
        keys = data.get("keys", [])
        if not isinstance(keys, (list, tuple)):
            raise TypeError(f"Select keys must be a list, got {type(keys).__name__}")
        for key in keys:
            if not isinstance(key, str):
                raise TypeError(f"Select key must be a string, got {type(key).__name__}")
        return Select(keys=_ordered_set(keys))


class _OrderedKeys(set):
    """A set that remembers insertion order, so selected keys serialise deterministically."""

    def __init__(self, items: Any = ()) -> None:
        super().__init__()
        self._order: List[Any] = []
        for item in items:
            self.add(item)

    def add(self, item: Any) -> None:
        if item not in self:
            self._order.append(item)
        super().add(item)

    def __iter__(self) -> Any:
        return iter([i for i in self._order if set.__contains__(self, i)])


def _ordered_set(items: Any) -> Set[Union[Key, str]]:
    return _OrderedKeys(items)


# -- group by --------------------------------------------------------------------------------------
def _key_list(keys: Union[Key, str, List[Union[Key, str]]]) -> List[Union[Key, str]]:
    return [keys] if isinstance(keys, (Key, str)) else list(keys)


@dataclass
class Aggregate:
    """Base of the per-group reductions (``MinK``, ``MaxK``)."""

    def to_dict(self) -> Dict[str, Any]:
        """The aggregate as its wire dict."""
        raise NotImplementedError(f"{type(self).__name__} has no wire form")

    @staticmethod
    def from_dict(data: Dict[str, Any]) -> Aggregate:
        """Parse ``{"$min_k": {"keys": [...], "k": n}}`` or ``$max_k``."""
        if not isinstance(data, dict) or len(data) != 1:
            raise ValueError("Aggregate dict must contain exactly one operator")
        ((op, body),) = data.items()
        cls = {"$min_k": MinK, "$max_k": MaxK}.get(op)
        if cls is None:
            raise ValueError(f"Unknown aggregate operator: {op}")
        if not isinstance(body, dict):
            raise TypeError(f"{op} requires an object, got {type(body).__name__}")
        keys, k = body.get("keys"), body.get("k")
        if not isinstance(keys, list) or not keys or not all(isinstance(x, str) for x in keys):
            raise ValueError(f"{op} requires a non-empty list of string keys")
        if isinstance(k, bool) or not isinstance(k, int) or k < 1:
            raise ValueError(f"{op} k must be a positive integer, got {k!r}")
        return cls(keys=list(keys), k=k)


@dataclass
class MinK(Aggregate):
    """Keep the ``k`` records of each group with the smallest values of ``keys`` (in order)."""

    keys: Union[Key, str, List[Union[Key, str]]]
    k: int

    def key_names(self) -> List[str]:
        """The sort keys as strings."""
        return [_key_name(x) for x in _key_list(self.keys)]

    def to_dict(self) -> Dict[str, Any]:
        return {"$min_k": {"keys": self.key_names(), "k": self.k}}


@dataclass
class MaxK(Aggregate):
    """Keep the ``k`` records of each group with the largest values of ``keys`` (in order)."""

    keys: Union[Key, str, List[Union[Key, str]]]
    k: int

    def key_names(self) -> List[str]:
        """The sort keys as strings."""
        return [_key_name(x) for x in _key_list(self.keys)]

    def to_dict(self) -> Dict[str, Any]:
        return {"$max_k": {"keys": self.key_names(), "k": self.k}}


@dataclass
class GroupBy:
    """Group the ranked records by the values of ``keys`` and keep each group's ``aggregate``."""

    keys: Union[Key, str, List[Union[Key, str]]] = field(default_factory=list)
    aggregate: Optional[Aggregate] = None

    def key_names(self) -> List[str]:
        """The grouping keys as strings."""
        return [_key_name(x) for x in _key_list(self.keys)]

    def to_dict(self) -> Dict[str, Any]:
        if not self.key_names() or self.aggregate is None:
            return {}
        return {"keys": self.key_names(), "aggregate": self.aggregate.to_dict()}

    @staticmethod
    def from_dict(data: Dict[str, Any]) -> GroupBy:
        """Parse ``{"keys": [...], "aggregate": {...}}`` (``{}`` is no grouping)."""
        if not isinstance(data, dict):
            raise TypeError(f"Expected dict for GroupBy, got {type(data).__name__}")
        if not data:
            return GroupBy()
        keys = data.get("keys")
        if not isinstance(keys, list) or not keys or not all(isinstance(x, str) for x in keys):
            raise ValueError("group_by requires a non-empty list of string keys")
        if "aggregate" not in data:
            raise ValueError("group_by requires an aggregate")
        return GroupBy(keys=list(keys), aggregate=Aggregate.from_dict(data["aggregate"]))


def map_knns(rank: Rank, change: Any) -> Rank:
    """A copy of ``rank`` with each ``Knn`` replaced by ``change(knn)`` (Rrf kept as Rrf)."""
    if isinstance(rank, Knn):
        return change(rank)
    if isinstance(rank, Rrf):
        return Rrf([map_knns(r, change) for r in rank.ranks], rank.k, rank.weights, rank.normalize)
    if isinstance(rank, (Sum, Mul, Max, Min)):
        return type(rank)([map_knns(r, change) for r in rank.ranks])
    if isinstance(rank, (Sub, Div)):
        return type(rank)(map_knns(rank.left, change), map_knns(rank.right, change))
    if isinstance(rank, (Abs, Exp, Log)):
        return type(rank)(map_knns(rank.rank, change))
    return rank
