"""The deliberate differences from real Chroma, as the congruence suite allows them.

This mirrors docs/differences.md: every allowance names the entry (its ``## `` heading) that
gives the reason, and a test checks that each name is a heading there. An answer pair that
differs and matches no allowance is a divergence.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Dict, List

Answer = Dict[str, Any]


@dataclass(frozen=True)
class Allowance:
    entry: str  # the heading in docs/differences.md
    applies: Callable[[Dict[str, Any], Answer, Answer], bool]


def _error_class(answer: Answer) -> str:
    return str(answer.get("error", {}).get("class", ""))


def _ours_is_invalid_argument(answer: Answer) -> bool:
    error = answer.get("error")
    return bool(error) and "InvalidArgumentError" in [error["class"], *error["bases"]]


# Real raises these where a value fails inside its Rust core (a type conversion, a panic); we
# name the problem with InvalidArgumentError (a ValueError) before anything is stored.
_INTERNAL = {"TypeError", "OverflowError", "PanicException"}


def _internal_error(op: Dict[str, Any], real: Answer, ours: Answer) -> bool:
    return _error_class(real) in _INTERNAL and _ours_is_invalid_argument(ours)


def _none_metadata_values(op: Dict[str, Any], real: Answer, ours: Answer) -> bool:
    if op.get("method") not in ("add", "upsert") or _error_class(real) != "TypeError":
        return False
    metadatas = (op.get("kwargs") or {}).get("metadatas")
    items = metadatas if isinstance(metadatas, list) else [metadatas]
    return any(isinstance(m, dict) and None in m.values() for m in items) and "result" in ours


def _delete_count(op: Dict[str, Any], real: Answer, ours: Answer) -> bool:
    if op.get("method") != "delete" or "result" not in real or "result" not in ours:
        return False
    a, b = real["result"], ours["result"]
    return isinstance(a, dict) and isinstance(b, dict) and set(a) == set(b) == {"deleted"}


def _regex_dialect(op: Dict[str, Any], real: Answer, ours: Answer) -> bool:
    text = repr((op.get("kwargs") or {}).get("where_document"))
    return "regex" in text and ("error" in real) != ("error" in ours)


def _exists_error(op: Dict[str, Any], real: Answer, ours: Answer) -> bool:
    return _error_class(real) == "InternalError" and _error_class(ours) == "UniqueConstraintError"


def _delete_everything(op: Dict[str, Any], real: Answer, ours: Answer) -> bool:
    return op.get("method") == "delete" and not op.get("kwargs") and "result" in ours


def _dimension_error(op: Dict[str, Any], real: Answer, ours: Answer) -> bool:
    return (
        _error_class(real) == "InvalidArgumentError"
        and _error_class(ours) == "InvalidDimensionException"
    )


ALLOWANCES: List[Allowance] = [
    Allowance("A wrong dimension raises InvalidDimensionException", _dimension_error),
    Allowance("delete() with no argument deletes every record", _delete_everything),
    Allowance("A collection that exists raises UniqueConstraintError", _exists_error),
    Allowance("Errors raised inside real Chroma's core", _internal_error),
    Allowance("None as a metadata value on add", _none_metadata_values),
    Allowance("delete counts the records it deleted", _delete_count),
    Allowance("Regular expressions are Python's", _regex_dialect),
]


def allowed(op: Dict[str, Any], real: Answer, ours: Answer) -> bool:
    """True when a deliberate difference explains this pair of answers."""
    return any(a.applies(op, real, ours) for a in ALLOWANCES)


def entries() -> List[str]:
    return [a.entry for a in ALLOWANCES]
