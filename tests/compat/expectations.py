"""What every client scenario must have seen, asserted step by step.

All scenarios (JS 1.x/2.x, JS 3.x, Python) run the same steps on the same data
and print their results under the same keys, so one checker serves them all.

Data (3-d embeddings, squared-L2 distances):
    a [1,0,0] "apple pie"             {kind: fruit,   n: 1}
    b [0,1,0] "banana split"          {kind: fruit,   n: 2}
    c [0,0,1] "cherry tart"           {kind: dessert, n: 3}
    d (embedded by the client's keyword function from "apple banana smoothie"
       -> [1,1,0])                   {kind: drink,   n: 4}
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest


@dataclass(frozen=True)
class Names:
    """The collection names a scenario uses, derived from its prefix and tag."""

    main: str
    other: str
    renamed: str

    @classmethod
    def of(cls, prefix: str, tag: str) -> Names:
        base = f"{prefix}_{tag}"
        return cls(main=base, other=f"{base}_other", renamed=f"{base}_renamed")


# How each client generation addresses the collections of the default database.
ROUTE_FAMILIES = {
    "v1": "/api/v1/collections",
    "v1-tenant-params": "/api/v1/collections?tenant=default_tenant&database=default_database",
    "v2": "/api/v2/tenants/default_tenant/databases/default_database/collections",
}


def check_routes(requests: list[str], family: str) -> None:
    """Assert the client spoke the API generation it is known to speak.

    So a scenario proves the route family it is meant to cover (v1 without
    tenant, v1 with tenant parameters, v2) rather than passing on another.
    """
    create = f"POST {ROUTE_FAMILIES[family]}"
    assert create in requests, f"no {create!r} among {requests}"
    prefix = "/api/v1/collections/" if family.startswith("v1") else ROUTE_FAMILIES["v2"] + "/"
    adds = [r for r in requests if r.startswith("POST ") and r.endswith("/add")]
    assert adds and all(r.startswith(f"POST {prefix}") for r in adds), adds


def _close(actual: Any, expected: list[Any]) -> bool:
    return bool(actual == pytest.approx(expected, abs=1e-5))


def check_scenario(
    out: dict[str, Any], names: Names, *, client_version: str, counts_collections: bool
) -> None:
    """Assert every step of the scenario gave the answer the server promises."""
    # The installed official client ran, not something else on the path.
    assert out["client_version"] == client_version
    assert isinstance(out["heartbeat"], int) and out["heartbeat"] > 0
    assert isinstance(out["version"], str) and out["version"]

    assert out["list_after_create"] == sorted([names.main, names.other])
    if counts_collections:
        assert out["count_collections"] == 2
    assert out["got_collection"] == {"name": names.main, "metadata": {"topic": "fruit"}}

    # add, then get by ids, by metadata and document filters
    assert out["count_after_add"] == 4
    # The records asked for, fields aligned. (Their order is checked against real Chroma by
    # tests/congruence: insertion order; a sharded Ray frontend answers in the order asked.)
    by_ids = out["get_by_ids"]
    rows = sorted(
        zip(by_ids["ids"], by_ids["documents"], by_ids["metadatas"]), key=lambda r: str(r[0])
    )
    assert rows == [
        ("a", "apple pie", {"kind": "fruit", "n": 1}),
        ("b", "banana split", {"kind": "fruit", "n": 2}),
    ]
    assert sorted(out["get_where_eq"]) == ["a", "b"]
    assert sorted(out["get_where_gte"]) == ["c", "d"]
    assert sorted(out["get_where_document"]) == ["a", "d"]
    # "d" was added with a document only: the client's embedding function ran
    assert len(out["get_embedding"]) == 1 and _close(out["get_embedding"][0], [1, 1, 0])
    assert out["get_page"] == ["b", "c"]  # insertion order, limit 2 offset 1

    # query by embedding, by text (client-side embedding) and with a filter
    qe = out["query_embeddings"]
    assert qe["ids"] == [["a", "d"]]
    assert _close(qe["distances"][0], [0.0, 1.0])
    assert qe["documents"] == [["apple pie", "apple banana smoothie"]]
    assert qe["metadatas"] == [[{"kind": "fruit", "n": 1}, {"kind": "drink", "n": 4}]]
    qt = out["query_texts"]
    assert qt["ids"] == [["b", "d"]]
    assert _close(qt["distances"][0], [0.0, 1.0])
    qw = out["query_where"]  # only a and b are fruit; both at distance 2 (a tie)
    assert sorted(qw["ids"][0]) == ["a", "b"] and len(qw["ids"]) == 1
    assert _close(qw["distances"][0], [2.0, 2.0])

    # update: document (re-embedded by the client) and metadata replaced
    upd = out["after_update"]
    assert upd["ids"] == ["a"]
    assert upd["documents"] == ["apple crumble"]
    assert upd["metadatas"] == [{"kind": "dessert", "n": 10}]
    assert _close(upd["embeddings"][0], [1, 0, 0])

    # upsert: "b" updated in place, "e" added
    assert out["count_after_upsert"] == 5
    ups = out["after_upsert"]
    assert ups["ids"] == ["b", "e"]
    assert ups["documents"] == ["banana bread", "elderberry jam"]
    assert ups["metadatas"] == [{"kind": "bread", "n": 20}, {"kind": "jam", "n": 5}]
    assert _close(ups["embeddings"][0], [0, 2, 0]) and _close(ups["embeddings"][1], [0, 0, 2])

    # delete by ids, then by filter
    if "deleted_by_ids" in out:  # JS 3.x reads {"deleted": n}
        assert out["deleted_by_ids"] == 1
    assert out["count_after_delete_ids"] == 4
    assert out["count_after_delete_where"] == 3
    assert out["ids_after_delete"] == ["a", "b", "d"]
    assert out["peek"] == ["a", "b"]

    # modify: new name and metadata, records kept, old name gone
    assert out["modified"] == {
        "name": names.renamed,
        "metadata": {"topic": "renamed"},
        "count": 3,
    }
    assert out["old_name_missing"] is True
    assert out["list_after_modify"] == sorted([names.renamed, names.other])

    assert out["list_after_delete_collection"] == [names.renamed]
    assert out["list_after_reset"] == []
