"""Record-by-record comparison of one of our folders with what a source was expected to hold."""

from __future__ import annotations

from typing import Any, Dict, List, Tuple

import numpy as np

from chromadb.config import DEFAULT_DATABASE, DEFAULT_TENANT


def places(expected: Dict[str, Any]) -> List[Tuple[str, str]]:
    """The (tenant, database) pairs the expected collections live in."""
    return sorted(
        {
            (c.get("tenant", DEFAULT_TENANT), c.get("database", DEFAULT_DATABASE))
            for c in expected["collections"]
        }
    )


def mismatches(
    client: Any,
    expected: Dict[str, Any],
    tenant: str = DEFAULT_TENANT,
    database: str = DEFAULT_DATABASE,
) -> List[str]:
    """Every difference between ``client``'s collections and those of ``expected`` in
    ``tenant``/``database`` (empty when equal).

    Vectors compare exactly, except in cosine collections: Chroma's index keeps those
    normalised, and the direction is what the collection means."""
    problems = []
    wanted = [
        c
        for c in expected["collections"]
        if (c.get("tenant", DEFAULT_TENANT), c.get("database", DEFAULT_DATABASE))
        == (tenant, database)
    ]
    names = sorted(c.name for c in client.list_collections())
    want_names = sorted(c["name"] for c in wanted)
    if names != want_names:
        problems.append(f"{tenant}/{database}: collections {names} != {want_names}")
    for c in wanted:
        if c["name"] not in names:
            continue
        col = client.get_collection(c["name"], embedding_function=None)
        want_hnsw = (c.get("configuration") or {}).get("hnsw") or {}
        metadata = dict(col.metadata or {})
        if "hnsw:space" not in (c["metadata"] or {}) and want_hnsw.get("space"):
            # A space given by configuration may also show in the collection metadata.
            if metadata.pop("hnsw:space", want_hnsw["space"]) != want_hnsw["space"]:
                problems.append(f"{c['name']}: space not {want_hnsw['space']}")
        if (metadata or None) != (c["metadata"] or None):
            problems.append(f"{c['name']}: metadata {col.metadata} != {c['metadata']}")
        got_hnsw = (col.configuration or {}).get("hnsw") or {}
        for key, value in want_hnsw.items():
            if got_hnsw.get(key) != value:
                problems.append(f"{c['name']}: configuration hnsw {got_hnsw} lacks {key}={value}")
        got = col.get(include=["embeddings", "documents", "metadatas"])
        records = c["records"]
        if sorted(got["ids"]) != sorted(records):
            extra = sorted(set(got["ids"]) ^ set(records))[:5]
            problems.append(
                f"{c['name']}: ids differ ({len(got['ids'])} vs {len(records)}: {extra})"
            )
        cosine = (c["metadata"] or {}).get("hnsw:space") == "cosine"
        for i, rid in enumerate(got["ids"]):
            want = records.get(rid)
            if want is None:
                continue
            emb = np.asarray(got["embeddings"][i], dtype=np.float32)
            exp = np.asarray(want["embedding"], dtype=np.float32)
            if cosine:
                same = np.allclose(emb / np.linalg.norm(emb), exp / np.linalg.norm(exp), atol=1e-6)
            else:
                same = np.array_equal(emb, exp)
            if not same:
                problems.append(f"{c['name']}/{rid}: embedding {emb[:3]}... != {exp[:3]}...")
            if got["documents"][i] != want["document"]:
                problems.append(
                    f"{c['name']}/{rid}: document {got['documents'][i]!r} != {want['document']!r}"
                )
            if (got["metadatas"][i] or None) != (want["metadata"] or None):
                problems.append(
                    f"{c['name']}/{rid}: metadata {got['metadatas'][i]} != {want['metadata']}"
                )
    return problems
