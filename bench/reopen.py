"""Open to first answer, this project's checkpoint layouts side by side on one folder: the graph
alone with the vectors refilled from SQLite (the current layout, format 3) against the graph
with its vectors, mapped from the file (the older layout, format 2, still read); with
``--chroma-venv``, real Chroma on a folder of the same vectors, in the same rounds.

    .venv/bin/python -m bench.reopen --n 100000 --rounds 5 \
        --chroma-venv ~/.cache/chromadb-compat/oracle-chromadb-1.5.9

Each round opens each folder in a fresh process, alternating, and times
``PersistentClient(...)`` to the first answered query (``import chromadb`` comes before the
clock, as in the main benchmark's reopen phase) and the resident memory after it. Prints the
median per folder; nothing is asserted. ``--keep DIR`` builds the folders there once and reuses
them on later runs.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import textwrap
from pathlib import Path

OPEN = textwrap.dedent(
    """
    import json, resource, sys, time
    import numpy as np
    import chromadb
    started = time.perf_counter()
    client = chromadb.PersistentClient(path=sys.argv[1])
    col = client.get_collection("reopen", embedding_function=None)
    q = np.random.default_rng(1).standard_normal((1, int(sys.argv[2]))).astype(np.float32)
    col.query(query_embeddings=q, n_results=10)
    took = time.perf_counter() - started
    with open("/proc/self/statm") as fh:  # resident now (a peak would count the parent's)
        rss = int(fh.read().split()[1]) * resource.getpagesize() / 2**20
    print(json.dumps({"open_to_answer_s": took, "rss_mb": rss}))
    """
)


# Builds one folder of n random cosine vectors, with either implementation's python. Given a
# fourth argument (ours), it also waits for the graph and closes the client, so that the
# checkpoint holds the whole graph (real Chroma builds its graph on insert).
BUILD = textwrap.dedent(
    """
    import sys
    import numpy as np
    import chromadb
    path, n, dim = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    client = chromadb.PersistentClient(path=path)
    col = client.create_collection(
        "reopen", metadata={"hnsw:space": "cosine"}, embedding_function=None
    )
    rng = np.random.default_rng(0)
    for start in range(0, n, 5000):
        m = min(5000, n - start)
        col.add(
            ids=[f"id{i}" for i in range(start, start + m)],
            embeddings=rng.standard_normal((m, dim)).astype(np.float32),
        )
    if len(sys.argv) > 4:
        from chromadb.api.client import clear_system_cache

        client._api._segment(col.id).flush()
        clear_system_cache()  # the checkpoint is written at close
    """
)


def _build(python: str, path: str, n: int, dim: int, ours: bool, scratch: str) -> None:
    script = os.path.join(scratch, "build.py")
    with open(script, "w") as fh:
        fh.write(BUILD)
    extra = ["ours"] if ours else []
    subprocess.run([python, script, path, str(n), str(dim), *extra], check=True)


def _as_format_2(src: str, dest: str, dim: int) -> None:
    """A copy of the folder whose checkpoint has the older layout (graph with vectors)."""
    import faiss
    import numpy as np

    from chromadb.engine import checkpoint, recovery
    from chromadb.engine.index import IndexParams, VectorIndex
    from chromadb.engine.store import Store

    shutil.copytree(src, dest)
    (folder,) = [os.path.join(dest, "index", d) for d in os.listdir(os.path.join(dest, "index"))]
    store = Store(dest)
    try:
        index, seq = VectorIndex.load(
            folder, IndexParams(dim, "cosine"), recovery.vector_source(store)
        )
    finally:
        store.close()
    for name in os.listdir(folder):
        if name != ".lock":
            os.remove(os.path.join(folder, name))
    n, indexed = index.n, index.indexed
    tail = index.vectors_at(np.arange(indexed, n, dtype=np.int64))
    files = {
        f"{seq}.faiss": checkpoint.write_file(
            folder, f"{seq}.faiss", lambda p: faiss.write_index(index.index, p)
        )
    }

    def slots(p: str) -> None:
        with open(p, "wb") as fh:
            np.savez(
                fh,
                rowids=index.rowids[:n],
                alive=index.alive[:n],
                tail=tail,
                seq=np.int64(seq),
                dimension=np.int64(dim),
            )

    files[f"{seq}.npz"] = checkpoint.write_file(folder, f"{seq}.npz", slots)
    info = checkpoint.CheckpointInfo(seq, index.count, n, indexed, dim, "cosine", files, format=2)
    checkpoint.write_manifest(folder, info)


def _bytes(path: str) -> int:
    return sum(
        os.path.getsize(os.path.join(root, f)) for root, _, files in os.walk(path) for f in files
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--n", type=int, default=100_000)
    parser.add_argument("--dim", type=int, default=384)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--chroma-venv", help="virtual environment of real chromadb")
    parser.add_argument("--keep", help="folder to build the folders in once and reuse")
    args = parser.parse_args(argv)
    from bench.runner import compile_bytecode

    compile_bytecode(Path(sys.executable))  # as an installed package has it (and real Chroma)
    with tempfile.TemporaryDirectory() as tmp:
        base = args.keep or tmp
        os.makedirs(base, exist_ok=True)
        script = os.path.join(tmp, "open.py")
        with open(script, "w") as fh:
            fh.write(OPEN)
        tag = f"{args.n}x{args.dim}"
        graph_only = os.path.join(base, f"v3-{tag}")
        with_vectors = os.path.join(base, f"v2-{tag}")
        if not os.path.exists(graph_only):
            _build(sys.executable, graph_only, args.n, args.dim, True, tmp)
        if not os.path.exists(with_vectors):
            _as_format_2(graph_only, with_vectors, args.dim)
        layouts = {
            "graph only (format 3)": (sys.executable, graph_only),
            "graph + vectors (format 2)": (sys.executable, with_vectors),
        }
        if args.chroma_venv:
            python = os.path.join(args.chroma_venv, "bin", "python")
            real = os.path.join(base, f"chroma-{tag}")
            if not os.path.exists(real):
                _build(python, real, args.n, args.dim, False, tmp)
            layouts["real Chroma"] = (python, real)
        runs: dict[str, list[dict[str, float]]] = {k: [] for k in layouts}
        for _ in range(args.rounds):
            for label, (python, path) in layouts.items():
                out = subprocess.run(
                    [python, script, path, str(args.dim)],
                    check=True,
                    capture_output=True,
                    text=True,
                )
                runs[label].append(json.loads(out.stdout.strip().splitlines()[-1]))
        with open("/proc/loadavg") as fh:
            load = fh.read().split()[:3]
        print(f"{args.n} x {args.dim} cosine, {args.rounds} rounds, load average {' '.join(load)}")
        for label, (_, path) in layouts.items():
            times = sorted(r["open_to_answer_s"] for r in runs[label])
            rss = statistics.median(r["rss_mb"] for r in runs[label])
            print(
                f"{label:<28} open to first answer {statistics.median(times):.3f} s (median; "
                f"{' '.join(f'{t:.3f}' for t in times)}), resident {rss:.0f} MB, "
                f"folder {_bytes(path):,} bytes"
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
