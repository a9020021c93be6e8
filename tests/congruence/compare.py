"""Compare one answer of real Chroma with ours.

Results must agree in structure and types (a 2-d numpy array is not a list of lists; dict keys
are the same), strings, ints and bools exactly, floats within ``FLOAT_TOL``. Query results may
order records of equal distance differently, and at the k-th distance pick different ones of
them: within a run of equal distances only the count must agree. Errors agree when our class is
real's class or a subclass of it (ours are ``ValueError`` subclasses where real raises
``ValueError``); messages are compared by named cases, not here. Warnings are not compared.
Anything else goes to the allowances (``allowances.py``), each naming its entry in
docs/differences.md.
"""

from __future__ import annotations

import math
from typing import Any, Dict, List, Optional

from tests.congruence.allowances import allowed

# Distances and embeddings travel as float32 inside both engines; HNSW and exact search also sum
# in different orders.
FLOAT_TOL = 1e-4


def _floats_close(a: float, b: float) -> bool:
    return math.isclose(a, b, rel_tol=FLOAT_TOL, abs_tol=FLOAT_TOL)


def diff(real: Any, ours: Any, path: str = "$") -> Optional[str]:
    """Where two encoded values first differ, or None."""
    if isinstance(real, bool) or isinstance(ours, bool):
        return None if real is ours else f"{path}: real {real!r}, ours {ours!r}"
    if isinstance(real, (int, float)) and isinstance(ours, (int, float)):
        if type(real) is not type(ours) and not (
            isinstance(real, float) or isinstance(ours, float)
        ):
            return f"{path}: real {real!r} ({type(real).__name__}), ours {ours!r}"
        if isinstance(real, int) and isinstance(ours, int):
            return None if real == ours else f"{path}: real {real}, ours {ours}"
        if type(real) is not type(ours):
            return f"{path}: real {real!r} ({type(real).__name__}), ours {ours!r} ({type(ours).__name__})"
        return None if _floats_close(real, ours) else f"{path}: real {real}, ours {ours}"
    if type(real) is not type(ours):
        return f"{path}: real {_short(real)}, ours {_short(ours)}"
    if isinstance(real, list):
        if len(real) != len(ours):
            return f"{path}: real has {len(real)} items, ours {len(ours)}"
        for i, (a, b) in enumerate(zip(real, ours)):
            found = diff(a, b, f"{path}[{i}]")
            if found:
                return found
        return None
    if isinstance(real, dict):
        if set(real) != set(ours):
            return f"{path}: keys real {sorted(real)}, ours {sorted(ours)}"
        for key in real:
            if key == "dtype" and "__ndarray__" in real:
                # float64 either way for results; a float32 array against float64 is a type
                # difference users see (np.array == list comparisons still work).
                if real[key] != ours[key]:
                    return f"{path}.dtype: real {real[key]}, ours {ours[key]}"
                continue
            found = diff(real[key], ours[key], f"{path}.{key}")
            if found:
                return found
        return None
    return None if real == ours else f"{path}: real {real!r}, ours {ours!r}"


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) < 200 else text[:200] + "..."


_QUERY_FIELDS = ("ids", "embeddings", "documents", "metadatas", "uris", "distances", "data")


def _is_query_result(value: Any) -> bool:
    return isinstance(value, dict) and "distances" in value and isinstance(value.get("ids"), list)


def _inner(field: Any, qi: int) -> Any:
    if field is None:
        return None
    if isinstance(field, dict) and "__ndarray__" in field:
        return field
    return field[qi]


def _canonical_query(real: Dict[str, Any], ours: Dict[str, Any]) -> Optional[str]:
    """Compare query results allowing other orders (and picks) among equal distances."""
    if set(real) != set(ours):
        return f"$: keys real {sorted(real)}, ours {sorted(ours)}"
    for key in real:
        if key not in _QUERY_FIELDS:
            found = diff(real[key], ours[key], f"$.{key}")
            if found:
                return found
    if len(real["ids"]) != len(ours["ids"]):
        return f"$.ids: real {len(real['ids'])} queries, ours {len(ours['ids'])}"
    for key in _QUERY_FIELDS:
        if key == "ids" or real.get(key) is None or ours.get(key) is None:
            found = None if (real.get(key) is None) == (ours.get(key) is None) else "one is None"
            if found:
                return f"$.{key}: real {_short(real.get(key))}, ours {_short(ours.get(key))}"
            continue
        if not isinstance(real[key], list) or not isinstance(ours[key], list):
            return diff(real[key], ours[key], f"$.{key}")
    for qi in range(len(real["ids"])):
        found = _compare_one_query(real, ours, qi)
        if found:
            return found
    return None


def _rows(result: Dict[str, Any], qi: int) -> List[Dict[str, Any]]:
    ids = result["ids"][qi]
    rows = []
    for pos, id_ in enumerate(ids):
        row: Dict[str, Any] = {"id": id_}
        for key in _QUERY_FIELDS[1:]:
            field = result.get(key)
            if field is None:
                continue
            inner = field[qi]
            if isinstance(inner, dict) and "__ndarray__" in inner:
                row[key + ".type"] = {k: v for k, v in inner.items() if k != "__ndarray__"}
                row[key + ".type"]["shape"] = row[key + ".type"].get("shape", [])[1:]
                inner = inner["__ndarray__"]
            row[key] = inner[pos] if pos < len(inner) else None
        rows.append(row)
    return rows


def _compare_one_query(real: Dict[str, Any], ours: Dict[str, Any], qi: int) -> Optional[str]:
    a, b = _rows(real, qi), _rows(ours, qi)
    if len(a) != len(b):
        return f"$.ids[{qi}]: real {[r['id'] for r in a]}, ours {[r['id'] for r in b]}"
    if not a:
        for key in _QUERY_FIELDS[1:]:
            if real.get(key) is not None:
                found = diff(real[key][qi], ours[key][qi], f"$.{key}[{qi}]")
                if found:
                    return found
        return None
    has_dist = "distances" in a[0]
    if not has_dist:
        # Without distances no tie can be seen: ids must match in order.
        return diff(a, b, f"$[{qi}]")
    for ra, rb in zip(a, b):
        if not _floats_close(ra["distances"], rb["distances"]):
            return (
                f"$.distances[{qi}]: real {[r['distances'] for r in a]}, "
                f"ours {[r['distances'] for r in b]}"
            )
    # Group runs of equal distance; inside a run order is free; the last run may hold other ids.
    groups: List[List[int]] = []
    for i, row in enumerate(a):
        if groups and _floats_close(a[groups[-1][0]]["distances"], row["distances"]):
            groups[-1].append(i)
        else:
            groups.append([i])
    by_id_b = {r["id"]: r for r in b}
    for gi, group in enumerate(groups):
        ids_a = {a[i]["id"] for i in group}
        ids_b = {b[i]["id"] for i in group}
        if ids_a != ids_b and gi != len(groups) - 1:
            return f"$.ids[{qi}]: real {[r['id'] for r in a]}, ours {[r['id'] for r in b]}"
        for i in group:
            if a[i]["id"] in by_id_b:
                found = diff(a[i], by_id_b[a[i]["id"]], f"$[{qi}].{a[i]['id']}")
                if found:
                    return found
    return None


def compare(op: Dict[str, Any], real: Dict[str, Any], ours: Dict[str, Any]) -> Optional[str]:
    """None when the two answers agree (or differ as an allowance says); else what differs."""
    found = _raw_compare(real, ours)
    if found is None:
        return None
    if allowed(op, real, ours):
        return None
    return found


def _raw_compare(real: Dict[str, Any], ours: Dict[str, Any]) -> Optional[str]:
    if "error" in real or "error" in ours:
        if "error" not in real:
            return f"real answered {_short(real['result'])}, ours raised {_short(ours['error'])}"
        if "error" not in ours:
            return f"real raised {_short(real['error'])}, ours answered {_short(ours['result'])}"
        mine = [ours["error"]["class"], *ours["error"]["bases"]]
        if real["error"]["class"] in mine:
            return None
        return f"error classes: real {real['error']['class']}, ours {ours['error']['class']}"
    if _is_query_result(real["result"]) and _is_query_result(ours["result"]):
        return _canonical_query(real["result"], ours["result"])
    return diff(real["result"], ours["result"])
