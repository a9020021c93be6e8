"""Write a persist folder with a real Chroma release; run by that release's python.

Usage: python make_source.py VERSION FOLDER EXPECTED.json

Runs apart from our package (both are called ``chromadb``): this file imports the real one.
The same seeded operations run on every version (adds, an update, an upsert, deletes), and the
state they should leave, computed here from the operations alone, is written to EXPECTED.json
for the import tests to compare record by record.
"""

from __future__ import annotations

import json
import random
import struct
import sys


def f32(x: float) -> float:
    # Values exactly representable in float32, so comparisons after import can be exact.
    return struct.unpack("<f", struct.pack("<f", x))[0]


def vectors(rng: random.Random, n: int, dim: int) -> list:
    return [[f32(rng.uniform(-1, 1)) for _ in range(dim)] for _ in range(n)]


def plan(version: str) -> list:
    """The collections and their operations, as plain data."""
    major = tuple(int(p) for p in version.split(".")[:2])
    rng = random.Random(1234)
    bools = major >= (0, 4)
    lists = major >= (1, 0)
    n = 1234
    ids = [f"doc-{i:05d}" for i in range(n)]

    def meta(i: int) -> dict:
        m = {"n": i, "half": i / 2 + 0.25, "kind": ["even", "odd"][i % 2]}
        if bools:
            m["flag"] = i % 3 == 0
        return m

    docs = {
        "name": "docs_cosine",
        "metadata": {"hnsw:space": "cosine", "owner": "tests", "level": 3},
        "dim": 16,
        "ops": [
            [
                "add",
                ids,
                vectors(rng, n, 16),
                [meta(i) for i in range(n)],
                [f"document number {i} about {'cats' if i % 2 else 'dogs'}" for i in range(n)],
            ],
            [
                "update",
                ids[10:20],
                vectors(rng, 10, 16),
                [{"updated": True if bools else 1}] * 10,
                [f"updated {i}" for i in range(10, 20)],
            ],
            [
                "upsert",
                ids[1200:1234] + [f"new-{i}" for i in range(6)],
                vectors(rng, 40, 16),
                [{"upserted": i} for i in range(40)],
                [f"upserted {i}" for i in range(40)],
            ],
            ["delete", ids[100:150] + ["new-0"]],
        ],
    }
    plain_ids = [f"p{i}" for i in range(150)]
    plain = {
        "name": "plain_l2",
        "metadata": None,
        "dim": 3,
        "ops": [
            ["add", plain_ids, vectors(rng, 150, 3), None, None],
            ["delete", plain_ids[:5]],
            # Still pending in the write queue of versions that batch index writes.
            [
                "add",
                [f"late{i}" for i in range(7)],
                vectors(rng, 7, 3),
                None,
                [f"late {i}" for i in range(7)],
            ],
        ],
    }
    ip = {
        "name": "inner_product",
        "metadata": {"hnsw:space": "ip"},
        "dim": 4,
        "ops": [["add", ["a", "b"], vectors(rng, 2, 4), [{"x": 1}, {"x": 2}], ["alpha", "beta"]]],
    }
    empty = {"name": "empty_one", "metadata": {"note": "nothing here"}, "dim": None, "ops": []}
    # Index settings: 1.x takes a configuration, earlier versions hnsw:* metadata keys.
    tuned = {
        "name": "tuned",
        "dim": 2,
        "ops": [["add", ["t1", "t2"], vectors(rng, 2, 2), None, None]],
    }
    if major >= (1, 0):
        tuned["metadata"] = None
        tuned["configuration"] = {
            "hnsw": {"space": "ip", "ef_construction": 200, "max_neighbors": 32, "ef_search": 55}
        }
    else:
        tuned["metadata"] = {"hnsw:space": "ip", "hnsw:construction_ef": 200, "hnsw:M": 32}
    out = [docs, plain, ip, empty, tuned]
    if lists:  # list-valued metadata, new in 1.x
        lids = [f"l{i}" for i in range(60)]
        out.append(
            {
                "name": "with_lists",
                "metadata": None,
                "dim": 2,
                "ops": [
                    [
                        "add",
                        lids,
                        vectors(rng, 60, 2),
                        [
                            {"tags": [f"t{i % 7}", "all"], "nums": [i, i + 1], "n": i}
                            for i in range(60)
                        ],
                        None,
                    ],
                    [
                        "update",
                        lids[:10],
                        vectors(rng, 10, 2),
                        [{"tags": ["changed"], "flags": [True, False]}] * 10,
                        None,
                    ],
                    ["delete", lids[50:55]],
                ],
            }
        )
    if major >= (0, 5):  # tenants and databases of one's own
        out.append(
            {
                "name": "elsewhere",
                "metadata": {"where": "acme/sales"},
                "tenant": "acme",
                "database": "sales",
                "dim": 2,
                "ops": [
                    ["add", ["e1", "e2", "e3"], vectors(rng, 3, 2), None, ["one", "two", "three"]]
                ],
            }
        )
    return out


def expected_state(collections: list, merge_metadata: bool) -> list:
    """The records the operations leave. 0.3 replaced a record's metadata on update and
    upsert; later versions merge the new keys into it."""
    out = []
    for c in collections:
        records: dict = {}
        for op in c["ops"]:
            if op[0] == "delete":
                for i in op[1]:
                    records.pop(i, None)
                continue
            kind, ids, embs, metas, docs = op
            for j, i in enumerate(ids):
                if kind == "update" and i not in records:
                    continue
                old = records.get(i, {"embedding": None, "metadata": None, "document": None})
                new = dict(old)
                new["embedding"] = embs[j]
                if metas is not None:
                    if kind == "add" or i not in records or not merge_metadata:
                        new["metadata"] = metas[j]
                    else:
                        merged = dict(old["metadata"] or {})
                        merged.update(metas[j])
                        new["metadata"] = merged
                if docs is not None:
                    new["document"] = docs[j]
                records[i] = new
        out.append(
            {
                "name": c["name"],
                "metadata": c["metadata"],
                "configuration": c.get("configuration"),
                "tenant": c.get("tenant", "default_tenant"),
                "database": c.get("database", "default_database"),
                "records": records,
            }
        )
    return out


def run_ops(collection, ops: list) -> None:
    for op in ops:
        if op[0] == "delete":
            collection.delete(ids=op[1])
            continue
        kind, ids, embs, metas, docs = op
        kwargs = {"ids": ids, "embeddings": embs}
        if metas is not None:
            kwargs["metadatas"] = metas
        if docs is not None:
            kwargs["documents"] = docs
        for start in range(0, len(ids), 500):
            part = {k: v[start : start + 500] for k, v in kwargs.items()}
            getattr(collection, kind)(**part)


def main() -> None:
    version, folder, expected_path = sys.argv[1:4]
    import chromadb

    assert chromadb.__version__ == version, chromadb.__version__
    collections = plan(version)
    if version.startswith("0.3."):
        from chromadb.config import Settings

        client = chromadb.Client(
            Settings(
                chroma_db_impl="duckdb+parquet",
                persist_directory=folder,
                anonymized_telemetry=False,
            )
        )
    else:
        from chromadb.config import Settings

        client = chromadb.PersistentClient(
            path=folder, settings=Settings(anonymized_telemetry=False)
        )
    for c in collections:
        if "tenant" in c:
            admin = chromadb.AdminClient(
                Settings(is_persistent=True, persist_directory=folder, anonymized_telemetry=False)
            )
            admin.create_tenant(c["tenant"])
            admin.create_database(c["database"], tenant=c["tenant"])
            target = chromadb.PersistentClient(
                path=folder,
                tenant=c["tenant"],
                database=c["database"],
                settings=Settings(anonymized_telemetry=False),
            )
        else:
            target = client
        kwargs = {"name": c["name"], "embedding_function": None}
        if c["metadata"] is not None:
            kwargs["metadata"] = c["metadata"]
        if c.get("configuration"):
            kwargs["configuration"] = c["configuration"]
        collection = target.create_collection(**kwargs)
        run_ops(collection, c["ops"])
    if version.startswith("0.3."):
        client.persist()
    with open(expected_path, "w") as fh:
        merge = not version.startswith("0.3.")
        json.dump({"version": version, "collections": expected_state(collections, merge)}, fh)


if __name__ == "__main__":
    main()
