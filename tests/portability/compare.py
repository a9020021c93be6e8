"""Record-by-record comparison of one of our folders with what a source was expected to hold."""

from __future__ import annotations

from typing import Any, Dict, List

import numpy as np

import chromadb


def mismatches(client: Any, expected: Dict[str, Any]) -> List[str]:
    """Every difference between ``client``'s collections and ``expected`` (empty when equal).

    Vectors compare exactly, except in cosine collections: Chroma's index keeps those
    normalised, and the direction is what the collection means."""
    problems = []
    names = sorted(c.name for c in client.list_collections())
    want_names = sorted(c["name"] for c in expected["collections"])
    if names != want_names:
        problems.append(f"collections {names} != {want_names}")
    for c in expected["collections"]:
        if c["name"] not in names:
            continue
        col = client.get_collection(c["name"], embedding_function=None)
        if (col.metadata or None) != (c["metadata"] or None):
            problems.append(f"{c['name']}: metadata {col.metadata} != {c['metadata']}")
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


def list_metadata_supported() -> bool:
    """Whether our engine stores list-valued metadata (Chroma 1.x's), probed in memory."""
    client = chromadb.EphemeralClient()
    name = "probe_list_metadata"
    col = client.get_or_create_collection(name, embedding_function=None)
    try:
        col.add(ids=["x"], embeddings=[[1.0]], metadatas=[{"tags": ["a"]}])
        return True
    except Exception:
        return False
    finally:
        client.delete_collection(name)
