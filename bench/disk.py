"""Bytes on disk: this project against real Chroma 1.5.9 for the same records, then after
deleting half of them (real Chroma has no vacuum command; ours runs ``chroma vacuum``).

    .venv/bin/python -m bench.disk --n 20000

Real Chroma runs in its own venv (``tests.compat.installers.embedded_chroma``) in a
subprocess, writing the same seeded data. Prints one table; nothing is asserted.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import textwrap
import time

WRITER = textwrap.dedent(
    """
    import json, sys
    import numpy as np
    import chromadb
    path, n, dim, mode = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
    rng = np.random.default_rng(0)
    client = chromadb.PersistentClient(path=path)
    if mode == "write":
        col = client.create_collection("disk", metadata={"hnsw:space": "cosine"}, embedding_function=None)
        for start in range(0, n, 2000):
            m = min(2000, n - start)
            vecs = rng.standard_normal((m, dim)).astype(np.float32)
            ids = [f"id{i}" for i in range(start, start + m)]
            col.add(ids=ids, embeddings=vecs, documents=[f"document {i} " + "lorem ipsum " * 6 for i in range(start, start + m)],
                    metadatas=[{"i": i, "group": f"g{i % 10}"} for i in range(start, start + m)])
    elif mode == "open":
        col = client.get_collection("disk", embedding_function=None)
        col.query(query_embeddings=rng.standard_normal((1, dim)).astype(np.float32), n_results=1)
    else:
        col = client.get_collection("disk", embedding_function=None)
        doomed = [f"id{i}" for i in range(0, n, 2)]
        for start in range(0, len(doomed), 2000):
            col.delete(ids=doomed[start:start + 2000])
    print(json.dumps({"count": col.count()}))
    """
)


def folder_bytes(path: str) -> int:
    return sum(
        os.path.getsize(os.path.join(root, name))
        for root, _, files in os.walk(path)
        for name in files
        if os.path.isfile(os.path.join(root, name))
    )


def _breakdown(path: str) -> dict[str, int]:
    """Bytes of our folder by part: each SQLite table and index (dbstat; the FTS tables
    together), the write-ahead log, and the index checkpoints by kind of file."""
    import sqlite3

    conn = sqlite3.connect(os.path.join(path, "chroma.sqlite3"))
    try:
        rows = conn.execute(
            "SELECT CASE WHEN name LIKE 'documents_fts%' THEN 'fts' ELSE name END, sum(pgsize) "
            "FROM dbstat GROUP BY 1 ORDER BY 2 DESC"
        ).fetchall()
        page = int(conn.execute("PRAGMA page_size").fetchone()[0])
        free = int(conn.execute("PRAGMA freelist_count").fetchone()[0]) * page
    finally:
        conn.close()
    out = {f"sqlite {name}": int(size) for name, size in rows if size >= 1_000_000}
    out["sqlite other"] = sum(int(size) for _, size in rows if size < 1_000_000)
    out["sqlite free pages"] = free
    wal = os.path.join(path, "chroma.sqlite3-wal")
    out["sqlite wal"] = os.path.getsize(wal) if os.path.exists(wal) else 0
    for root, _, files in os.walk(os.path.join(path, "index")):
        for name in files:
            kind = f"checkpoint {name.rsplit('.', 1)[-1] if '.' in name else name}"
            out[kind] = out.get(kind, 0) + os.path.getsize(os.path.join(root, name))
    return out


def _run(python: str, script: str, path: str, n: int, dim: int, mode: str) -> None:
    subprocess.run(
        [python, script, path, str(n), str(dim), mode],
        check=True,
        env=dict(os.environ, ANONYMIZED_TELEMETRY="FALSE"),
        stdout=subprocess.DEVNULL,
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--n", type=int, default=20000)
    parser.add_argument("--dim", type=int, default=384)
    args = parser.parse_args(argv)
    from tests.compat.installers import embedded_chroma

    real_python = str(embedded_chroma("1.5.9"))
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        script = os.path.join(tmp, "writer.py")
        with open(script, "w") as fh:
            fh.write(WRITER)
        real, ours = os.path.join(tmp, "real"), os.path.join(tmp, "ours")
        for label, python, path in (
            ("real 1.5.9", real_python, real),
            ("ours", sys.executable, ours),
        ):
            _run(python, script, path, args.n, args.dim, "write")
            rows.append((label, "written", folder_bytes(path)))
        written = _breakdown(ours)
        imported = os.path.join(tmp, "imported")
        started = time.perf_counter()
        from chromadb.cli import main as chroma

        chroma(["import", real, "--path", imported, "--quiet"])
        import_s = time.perf_counter() - started
        rows.append(("imported", "chroma import of real's folder", folder_bytes(imported)))
        for label, python, path in (
            ("real 1.5.9", real_python, real),
            ("ours", sys.executable, ours),
        ):
            _run(python, script, path, args.n, args.dim, "delete")
            rows.append((label, "half deleted", folder_bytes(path)))
        from chromadb.portability.vacuum import vacuum_folder

        vacuum_folder(ours)
        rows.append(("ours", "half deleted + chroma vacuum", folder_bytes(ours)))
        parts = _breakdown(ours)
        from chromadb.api.client import clear_system_cache

        clear_system_cache()  # the import's engine, before its folder goes
    raw = args.n * args.dim * 4
    print(f"{args.n} records x {args.dim} float32 (raw vectors {raw:,} bytes)")
    print(f"{'who':<12} {'state':<30} {'bytes':>14} {'x raw':>7}")
    for label, state, size in rows:
        print(f"{label:<12} {state:<30} {size:>14,} {size / raw:>7.2f}")
    print(
        f"chroma import of real 1.5.9's folder: {import_s:.1f} s ({args.n / import_s:,.0f} records/s)"
    )
    print("ours written, by part:", ", ".join(f"{k} {v:,}" for k, v in written.items()))
    print("ours vacuumed, by part:", ", ".join(f"{k} {v:,}" for k, v in parts.items()))
    print(json.dumps([{"who": r[0], "state": r[1], "bytes": r[2]} for r in rows]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
