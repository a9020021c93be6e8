"""Hypothesis strategies for records, metadata, filters and queries.

Values are kept small and collision-prone on purpose: ids come mostly from a small pool (so adds
hit existing ids, updates and deletes hit real records), metadata keys from four names, documents
from a four-letter alphabet (so ``$contains`` finds things), and embedding components are quarter
steps in [-4, 4], which float32 holds exactly, so stored vectors and distances compare exactly.
"""

from __future__ import annotations

from typing import Any, Dict, List, Optional

from hypothesis import strategies as st

ID_POOL = [f"id{i}" for i in range(24)] + ["ü-ñ", "with space", "x" * 40]
METADATA_KEYS = ["k1", "k2", "k3", "k4"]
DOC_ALPHABET = "abcd "
SPACES = ["l2", "ip", "cosine"]

ids = st.one_of(
    st.sampled_from(ID_POOL),
    st.text(alphabet="abcdefgh-_/.é", min_size=1, max_size=6),
)

quarter_floats = st.integers(-16, 16).map(lambda x: x / 4)

# Scalar metadata values of every allowed type; floats include whole numbers (1.0) so that int
# and float comparisons are exercised, and bools so that True != 1 is.
scalars: st.SearchStrategy[Any] = st.one_of(
    st.sampled_from(["a", "b", "ab", "ba", ""]),
    st.integers(-3, 3),
    st.integers(-8, 8).map(lambda x: x / 2),
    st.booleans(),
)
numbers: st.SearchStrategy[Any] = st.one_of(
    st.integers(-3, 3), st.integers(-8, 8).map(lambda x: x / 2)
)

documents = st.text(alphabet=DOC_ALPHABET, min_size=1, max_size=8)
uris = st.sampled_from(["s3://bucket/a.png", "file:///tmp/b.txt", "https://example.invalid/c"])


def embeddings(dim: int) -> st.SearchStrategy[List[float]]:
    """One embedding of length ``dim`` (exact in float32); now and then the zero vector,
    whose cosine distance is defined as 1."""
    vector = st.lists(quarter_floats, min_size=dim, max_size=dim)
    return st.one_of(vector, vector, vector, vector, vector, st.just([0.0] * dim))


def metadata(allow_none_values: bool) -> st.SearchStrategy[Dict[str, Any]]:
    """A metadata dict; with ``allow_none_values`` some values are None (add: dropped,
    update: key removed)."""
    values = st.one_of(scalars, st.none()) if allow_none_values else scalars
    # Never empty: real Chroma refuses an empty metadata dict (the congruence suite checks it).
    return st.dictionaries(st.sampled_from(METADATA_KEYS), values, min_size=1, max_size=3)


def id_batch(
    existing: List[str], min_size: int = 1, max_size: int = 6
) -> st.SearchStrategy[List[str]]:
    """Distinct ids, drawn from the existing ones and from fresh ones."""
    choices = st.one_of(st.sampled_from(existing), ids) if existing else ids
    return st.lists(choices, min_size=min_size, max_size=max_size, unique=True)


def new_id_batch(existing: List[str], max_size: int = 8) -> st.SearchStrategy[List[str]]:
    """Distinct ids that are not stored yet (so that adds succeed and the collection grows)."""
    taken = set(existing)
    return st.lists(
        ids.filter(lambda i: i not in taken), min_size=1, max_size=max_size, unique=True
    )


def _leaf_where() -> st.SearchStrategy[Dict[str, Any]]:
    key = st.sampled_from(METADATA_KEYS)
    op_and_operand = st.one_of(
        st.tuples(st.sampled_from(["$eq", "$ne"]), scalars),
        st.tuples(st.sampled_from(["$gt", "$gte", "$lt", "$lte"]), numbers),
        # One type per list: real Chroma refuses $in / $nin lists of mixed types.
        st.tuples(
            st.sampled_from(["$in", "$nin"]),
            st.one_of(
                st.lists(st.integers(-3, 3), min_size=1, max_size=3),
                st.lists(st.integers(-8, 8).map(lambda x: x / 2), min_size=1, max_size=3),
                st.lists(st.text(alphabet="ab", min_size=0, max_size=2), min_size=1, max_size=3),
                st.lists(st.booleans(), min_size=1, max_size=2),
            ),
        ),
    )
    explicit = st.builds(lambda k, oo: {k: {oo[0]: oo[1]}}, key, op_and_operand)
    shorthand = st.builds(lambda k, v: {k: v}, key, scalars)
    # Filters real Chroma refuses (several top-level keys, an empty filter, $and / $or of fewer
    # than two clauses) are not drawn here: the congruence suite compares those refusals.
    return st.one_of(explicit, explicit, shorthand)


wheres: st.SearchStrategy[Dict[str, Any]] = st.recursive(
    _leaf_where(),
    lambda children: st.builds(
        lambda op, items: {op: items},
        st.sampled_from(["$and", "$or"]),
        st.lists(children, min_size=2, max_size=3),
    ),
    max_leaves=4,
)

_leaf_where_document = st.builds(
    lambda op, s: {op: s},
    st.sampled_from(["$contains", "$not_contains"]),
    st.text(alphabet=DOC_ALPHABET, min_size=1, max_size=2),
)

where_documents: st.SearchStrategy[Dict[str, Any]] = st.recursive(
    _leaf_where_document,
    lambda children: st.builds(
        lambda op, items: {op: items},
        st.sampled_from(["$and", "$or"]),
        st.lists(children, min_size=2, max_size=3),
    ),
    max_leaves=3,
)

optional_where: st.SearchStrategy[Optional[Dict[str, Any]]] = st.one_of(st.none(), wheres, wheres)
optional_where_document: st.SearchStrategy[Optional[Dict[str, Any]]] = st.one_of(
    st.none(), st.none(), where_documents
)

get_includes = st.lists(
    st.sampled_from(["embeddings", "metadatas", "documents", "uris"]), unique=True, max_size=4
)
query_includes = st.lists(
    st.sampled_from(["embeddings", "metadatas", "documents", "uris", "distances"]),
    unique=True,
    max_size=5,
)
