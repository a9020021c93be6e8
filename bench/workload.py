"""The measured workload, run as a script in each implementation's own interpreter.

It uses only numpy, the standard library and the public ``chromadb`` API that this project and
real Chroma share (PersistentClient, create_collection, get_collection, add, query, get,
update, delete, modify), so the very same file measures both. It must not import anything
from this repository: the runner starts it with ``python -P bench/workload.py`` so that the
``chromadb`` found is the interpreter's own.

Phases (one process each; the runner chains them):
    build   create the collection, ingest in batches, report vectors/s and memory
    run     reopen the folder (time to first answer), then queries, gets, update/delete
    set_ef  set the collection's search depth (then exit)
    sweep   recall and queries/s of single queries at that search depth
    embed   the default embedding function on short sentences
    ingest_queries  a fresh collection: queries after each add of 5,000 (p50, p99, recall)
    big_add a fresh collection: one large add, then the time to the first answer
    kinds   recall at default settings on uniform random and real-text embeddings
    growth  a fresh collection of --size vectors: ingest rate, query p50, memory
Each writes one JSON object to ``--result``.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
import time
from pathlib import Path
from typing import Any, Callable, Dict, List, Optional, Sequence

import numpy as np

COLLECTION = "bench"
BATCH = 5_000
SCRATCH = 1_000  # records added, updated and deleted by the write measurement


def rss_mb() -> Dict[str, float]:
    """Resident and peak resident memory of this process, in MB (from /proc/self/status)."""
    found: Dict[str, float] = {}
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            key, _, value = line.partition(":")
            if key in ("VmRSS", "VmHWM"):
                found[key] = int(value.split()[0]) / 1024.0
    except OSError:
        pass
    return {"rss_mb": found.get("VmRSS", math.nan), "peak_rss_mb": found.get("VmHWM", math.nan)}


def percentile(values: Sequence[float], p: float) -> float:
    """The p-th percentile (0..100) of values, NaN when there are none."""
    return float(np.percentile(np.asarray(values), p)) if len(values) else math.nan


def latency_summary(seconds: Sequence[float]) -> Dict[str, float]:
    """p50, p99 and mean in milliseconds, and the count."""
    return {
        "count": len(seconds),
        "p50_ms": percentile(seconds, 50) * 1e3,
        "p99_ms": percentile(seconds, 99) * 1e3,
        "mean_ms": float(np.mean(seconds)) * 1e3 if len(seconds) else math.nan,
    }


def recall(found_ids: Sequence[Sequence[str]], truth: np.ndarray) -> float:
    """Mean recall@k of found ids ("id<row>") against exact row numbers."""
    if len(found_ids) == 0:
        return math.nan
    total = 0.0
    for ids, exact in zip(found_ids, truth):
        rows = {int(i[2:]) for i in ids if i.startswith("id")}
        total += len(rows.intersection(exact.tolist())) / max(1, len(exact))
    return total / len(found_ids)


class Data:
    """The data folder written by bench.data (read-only, memory-mapped)."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.meta = json.loads((folder / "meta.json").read_text())
        self.base = np.load(folder / "base.npy", mmap_mode="r")
        self.queries = np.load(folder / "queries.npy")
        self.category = np.load(folder / "category.npy")
        self.rand = np.load(folder / "rand.npy")
        self.word = np.load(folder / "word.npy")
        self.words: List[str] = self.meta["words"]

    def read_rows(self, start: int, stop: int) -> np.ndarray:
        """Rows start..stop of the base vectors, read from the file into a new array: unlike
        a slice of the mapping, the pages read do not stay in this process's resident memory
        (the growth curve measures the engine's memory, not the data file's)."""
        base: Any = self.base
        dim = int(base.shape[1])
        with open(self.folder / "base.npy", "rb") as fh:
            fh.seek(int(base.offset) + start * dim * base.itemsize)
            rows = np.fromfile(fh, dtype=base.dtype, count=(stop - start) * dim)
        return rows.reshape(stop - start, dim)

    def truth(self, name: str) -> np.ndarray:
        return np.load(self.folder / f"gt_{name}.npy")

    def records(self, start: int, stop: int) -> Dict[str, Any]:
        """Arguments of ``add`` for rows start..stop: ids, embeddings, metadatas, documents."""
        rows = range(start, stop)
        return {
            "ids": [f"id{i}" for i in rows],
            "embeddings": np.ascontiguousarray(self.base[start:stop]),
            "metadatas": [
                {
                    "category": int(self.category[i]),
                    "rand": int(self.rand[i]),
                    "tag": f"tag-{chr(97 + int(self.rand[i]) % 26)}",
                }
                for i in rows
            ],
            "documents": [
                f"Record {i} is filed under {self.words[self.word[i]]} in group {self.category[i]}."
                for i in rows
            ],
        }


def need(data: Optional[Data]) -> Data:
    """The data folder, which every phase but embed requires (--data)."""
    if data is None:
        raise SystemExit("this phase needs --data")
    return data


def describe_chromadb() -> Dict[str, Any]:
    import chromadb

    return {"version": getattr(chromadb, "__version__", "?"), "module": chromadb.__file__}


def open_collection(db: Path) -> Any:
    import chromadb

    client = chromadb.PersistentClient(path=str(db))
    return client.get_collection(COLLECTION, embedding_function=None)


def timed_queries(
    run_one: Callable[[int], List[str]], count: int, max_seconds: float
) -> Dict[str, Any]:
    """Call ``run_one(i)`` for i in range(count), one at a time, until done or out of time."""
    latencies: List[float] = []
    ids: List[List[str]] = []
    deadline = time.perf_counter() + max_seconds
    started = time.perf_counter()
    for i in range(count):
        t0 = time.perf_counter()
        ids.append(run_one(i))
        latencies.append(time.perf_counter() - t0)
        if time.perf_counter() > deadline:
            break
    wall = time.perf_counter() - started
    out: Dict[str, Any] = latency_summary(latencies)
    out["qps"] = len(latencies) / wall if wall > 0 else math.nan
    out["ids"] = ids
    return out


def phase_build(args: argparse.Namespace, given: Optional[Data]) -> Dict[str, Any]:
    data = need(given)
    import chromadb

    client = chromadb.PersistentClient(path=str(args.db))
    col = client.create_collection(
        COLLECTION, metadata={"hnsw:space": "cosine"}, embedding_function=None
    )
    n = data.meta["n"]
    spent = 0.0
    batch_s: List[float] = []
    for start in range(0, n, BATCH):
        # Building the Python lists is the caller's work, not the database's: not timed.
        batch = data.records(start, min(n, start + BATCH))
        t = time.perf_counter()
        col.add(**batch)
        batch_s.append(time.perf_counter() - t)
        spent += batch_s[-1]
    count = col.count()
    # Our add returns once the batch is durable and searchable (exactly, in a tail) and the
    # HNSW graph is built in the background; the seed API's create_index() waits for it. Chroma
    # builds the graph inside add (and has no create_index). Both figures are reported.
    index_s = 0.0
    if hasattr(col, "create_index"):
        t = time.perf_counter()
        col.create_index()
        index_s = time.perf_counter() - t
    return {
        "ingest": {
            "vectors": n,
            "seconds": spent,
            "vectors_per_s": n / spent if spent > 0 else math.nan,
            "index_wait_s": index_s,
            "vectors_per_s_until_indexed": n / (spent + index_s) if spent > 0 else math.nan,
            "slowest_batch_s": max(batch_s) if batch_s else math.nan,
            "batch_s": [round(x, 3) for x in batch_s],
            "count_after": count,
        },
        "memory_after_ingest": rss_mb(),
    }


def run_filtered(col: Any, data: Data, name: str, count: int, max_seconds: float) -> Dict[str, Any]:
    spec = data.meta["filters"][name]
    kwargs: Dict[str, Any] = {}
    if spec["where"] is not None:
        kwargs["where"] = spec["where"]
    if spec["where_document"] is not None:
        kwargs["where_document"] = spec["where_document"]
    qs = data.queries

    def one(i: int) -> List[str]:
        res = col.query(query_embeddings=qs[i : i + 1], n_results=10, **kwargs)
        return list(res["ids"][0])

    out = timed_queries(one, min(count, len(qs)), max_seconds)
    ids = out.pop("ids")
    out["recall"] = recall(ids, data.truth(name)[: len(ids)])
    out["filter"] = spec
    out["selectivity"] = data.meta["selectivity"][name]
    return out


def best_of(reps: int, fn: Callable[[], Any]) -> Dict[str, float]:
    times = []
    for _ in range(reps):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return latency_summary(times)


def phase_run(args: argparse.Namespace, given: Optional[Data]) -> Dict[str, Any]:
    data = need(given)
    result: Dict[str, Any] = {}
    # Reopen: from the client's construction to the first answered query (the import is
    # reported apart by main; process start comes from the runner's --spawned-at).
    import chromadb

    t1 = time.perf_counter()
    client = chromadb.PersistentClient(path=str(args.db))
    col = client.get_collection(COLLECTION, embedding_function=None)
    first = col.query(query_embeddings=data.queries[:1], n_results=10)
    result["reopen"] = {
        "open_to_first_query_s": time.perf_counter() - t1,
        "process_start_to_first_query_s": time.time() - args.spawned_at,
        "first_query_recall": recall([first["ids"][0]], data.truth("all")[:1]),
    }
    result["memory_after_load"] = rss_mb()
    result["count"] = col.count()

    qs = data.queries
    q = min(args.queries, len(qs))

    def single(i: int) -> List[str]:
        return list(col.query(query_embeddings=qs[i : i + 1], n_results=10)["ids"][0])

    out = timed_queries(single, q, args.max_seconds)
    ids = out.pop("ids")
    out["recall"] = recall(ids, data.truth("all")[: len(ids)])
    result["query"] = out

    for name in ("where10", "where1", "doc"):
        result[f"query_{name}"] = run_filtered(
            col, data, name, min(q, args.filtered_queries), args.max_seconds
        )

    # Batched: all queries in one call (best of two, the machine is shared).
    best = math.inf
    batch_ids: List[List[str]] = []
    for _ in range(2):
        t = time.perf_counter()
        res = col.query(query_embeddings=qs[:q], n_results=10)
        best = min(best, time.perf_counter() - t)
        batch_ids = [list(x) for x in res["ids"]]
    result["query_batch"] = {
        "queries": q,
        "seconds": best,
        "qps": q / best,
        "recall": recall(batch_ids, data.truth("all")[:q]),
    }

    n = data.meta["n"]
    rng = np.random.default_rng(args.seed + 1)
    id_sets = [[f"id{i}" for i in rng.choice(n, min(100, n), replace=False)] for _ in range(20)]
    it = iter(id_sets)
    got = col.get(ids=id_sets[0])
    result["get_ids"] = best_of(20, lambda: col.get(ids=next(it)))
    result["get_ids"]["returned"] = len(got["ids"])
    where = data.meta["filters"]["where10"]["where"]
    got = col.get(where=where, limit=100)
    result["get_where_limit"] = best_of(20, lambda: col.get(where=where, limit=100))
    result["get_where_limit"]["returned"] = len(got["ids"])

    result["write"] = write_scratch(col, data, args.seed)
    result["count_after_writes"] = col.count()
    result["memory_at_end"] = rss_mb()
    return result


def write_scratch(col: Any, data: Data, seed: int) -> Dict[str, Any]:
    """Add SCRATCH extra records (not timed), update them all, then delete them all.

    Scratch records leave the collection as it was, so the ground truth stays exact for the
    phases that follow (HTTP, sweep).
    """
    rng = np.random.default_rng(seed + 2)
    dim = data.base.shape[1]

    def unit(count: int) -> np.ndarray:
        x = rng.standard_normal((count, dim)).astype(np.float32)
        return x / np.linalg.norm(x, axis=1, keepdims=True)

    ids = [f"scratch{i}" for i in range(SCRATCH)]
    col.add(
        ids=ids,
        embeddings=unit(SCRATCH),
        metadatas=[{"category": 0, "rand": i, "tag": "scratch"} for i in range(SCRATCH)],
        documents=[f"scratch record {i}" for i in range(SCRATCH)],
    )
    new_embeddings = unit(SCRATCH)
    new_metadatas = [{"category": 1, "rand": i, "tag": "updated"} for i in range(SCRATCH)]
    new_documents = [f"updated scratch record {i}" for i in range(SCRATCH)]
    t = time.perf_counter()
    col.update(ids=ids, embeddings=new_embeddings, metadatas=new_metadatas, documents=new_documents)
    update_s = time.perf_counter() - t
    t = time.perf_counter()
    col.delete(ids=ids)
    delete_s = time.perf_counter() - t
    return {
        "records": SCRATCH,
        "update_s": update_s,
        "update_per_s": SCRATCH / update_s,
        "delete_s": delete_s,
        "delete_per_s": SCRATCH / delete_s,
    }


def set_search_ef(col: Any, ef: int) -> Dict[str, str]:
    """Ask the collection to search at depth ef in both ways an implementation may take.

    Chroma 1.x takes ``modify(configuration={"hnsw": {"ef_search": ef}})``; the legacy way is
    collection metadata ``hnsw:search_ef``. Both are tried; returns each way's outcome
    ("accepted" or the error). Accepted is not honoured: the sweep's recall shows that.
    """
    outcome: Dict[str, str] = {}
    try:
        col.modify(configuration={"hnsw": {"ef_search": ef}})
        outcome["configuration"] = "accepted"
    except Exception as exc:  # noqa: BLE001 - an implementation may take only the other way
        outcome["configuration"] = f"{type(exc).__name__}: {exc}"
    try:
        metadata = dict(col.metadata or {})
        metadata["hnsw:search_ef"] = ef
        col.modify(metadata=metadata)
        outcome["metadata"] = "accepted"
    except Exception as exc:  # noqa: BLE001
        outcome["metadata"] = f"{type(exc).__name__}: {exc}"
    if "accepted" not in outcome.values():
        raise RuntimeError(f"search depth refused: {outcome}")
    return outcome


def phase_set_ef(args: argparse.Namespace, given: Optional[Data]) -> Dict[str, Any]:
    """Set the search depth and exit: the sweep phase then measures in a fresh process, so an
    implementation that reads the depth only when it loads a collection still honours it."""
    return {"ef": args.ef, "set_by": set_search_ef(open_collection(args.db), args.ef)}


def phase_sweep(args: argparse.Namespace, given: Optional[Data]) -> Dict[str, Any]:
    """Single queries at the search depth that phase set_ef left in the collection."""
    data = need(given)
    ef = args.ef
    col = open_collection(args.db)
    qs = data.queries
    count = min(args.sweep_queries, len(qs))
    col.query(query_embeddings=qs[:1], n_results=10)  # load before timing

    def single(i: int) -> List[str]:
        return list(col.query(query_embeddings=qs[i : i + 1], n_results=10)["ids"][0])

    out = timed_queries(single, count, args.max_seconds)
    ids = out.pop("ids")
    out["recall"] = recall(ids, data.truth("all")[: len(ids)])
    out["ef"] = ef
    return out


def sentences(count: int) -> List[str]:
    """``count`` short, varied English sentences (deterministic)."""
    subjects = ["The cat", "A student", "My neighbour", "The old engine", "Our team", "A bird"]
    verbs = ["reads", "builds", "watches", "repairs", "paints", "finds", "carries", "sells"]
    objects = ["a small boat", "the red book", "three letters", "an empty box", "the garden"]
    places = ["near the river", "after lunch", "in the city", "every morning", "at night"]
    out = []
    for i in range(count):
        out.append(
            f"{subjects[i % 6]} {verbs[(i // 6) % 8]} {objects[(i // 48) % 5]} "
            f"{places[(i // 240) % 5]}, case {i}."
        )
    return out


def phase_embed(args: argparse.Namespace, given: Optional[Data]) -> Dict[str, Any]:
    from chromadb.utils.embedding_functions import DefaultEmbeddingFunction

    texts = sentences(args.sentences)
    t = time.perf_counter()
    ef = DefaultEmbeddingFunction()
    warm = ef(texts[:8])  # loads the model
    load_s = time.perf_counter() - t
    # In calls of 100 sentences, so that a slow function can be stopped at --max-seconds.
    vectors: List[Any] = []
    t = time.perf_counter()
    for start in range(0, len(texts), 100):
        vectors.extend(ef(texts[start : start + 100]))
        if time.perf_counter() - t > args.max_seconds:
            break
    spent = time.perf_counter() - t
    arr = np.asarray([np.asarray(v, dtype=np.float32) for v in vectors])
    np.save(Path(args.result).with_suffix(".npy"), arr[:32])
    return {
        "sentences": len(vectors),
        "seconds": spent,
        "sentences_per_s": len(vectors) / spent,
        "load_s": load_s,
        "dim": int(arr.shape[1]),
        "warm_dim": len(warm[0]),
        "function": type(ef).__module__ + "." + type(ef).__name__,
    }


def _exact_rows(base: np.ndarray, q: np.ndarray, k: int = 10) -> np.ndarray:
    """Exact cosine top-k rows of unit-row ``base`` for one unit query (untimed checks)."""
    scores = np.asarray(base) @ q
    top = np.argpartition(-scores, k)[:k] if len(scores) > k else np.arange(len(scores))
    return top[np.argsort(-scores[top], kind="stable")]


def _new_collection(db: Path, name: str = COLLECTION, cosine: bool = True) -> Any:
    import chromadb

    client = chromadb.PersistentClient(path=str(db))
    metadata = {"hnsw:space": "cosine"} if cosine else None
    return client, client.create_collection(name, metadata=metadata, embedding_function=None)


def phase_ingest_queries(args: argparse.Namespace, given: Optional[Data]) -> Dict[str, Any]:
    """Queries while a collection grows: after each add of BATCH records, --per-add single
    queries, timed one by one (what a user querying during an ingest waits)."""
    data = need(given)
    _, col = _new_collection(args.db)
    total = min(args.ingest_total, data.meta["n"])
    latencies: List[float] = []
    found: List[List[str]] = []
    truth: List[np.ndarray] = []
    add_s = 0.0
    qi = 0
    for start in range(0, total, BATCH):
        stop = min(total, start + BATCH)
        batch = data.records(start, stop)
        t = time.perf_counter()
        col.add(**batch)
        add_s += time.perf_counter() - t
        for _ in range(args.per_add):
            q = data.queries[qi % len(data.queries)]
            qi += 1
            t = time.perf_counter()
            res = col.query(query_embeddings=q[None, :], n_results=10)
            latencies.append(time.perf_counter() - t)
            found.append(list(res["ids"][0]))
            truth.append(_exact_rows(data.base[:stop], q))
    out: Dict[str, Any] = latency_summary(latencies)
    out.update(
        {
            "max_ms": max(latencies) * 1e3,
            "first_after_each_add_ms": [round(x * 1e3, 2) for x in latencies[:: args.per_add]],
            "recall": recall(found, np.asarray(truth)),
            "vectors": total,
            "per_add": args.per_add,
            "add_vectors_per_s": total / add_s if add_s > 0 else math.nan,
        }
    )
    return {"during_ingest": out}


def phase_big_add(args: argparse.Namespace, given: Optional[Data]) -> Dict[str, Any]:
    """One large add (in the largest batches the client allows), then single queries: the
    first one's wait is what a user sees right after a bulk load."""
    data = need(given)
    client, col = _new_collection(args.db)
    total = min(args.big_add, data.meta["n"])
    step = min(total, int(client.get_max_batch_size()))
    chunks = [data.records(s, min(total, s + step)) for s in range(0, total, step)]
    t = time.perf_counter()
    for chunk in chunks:
        col.add(**chunk)
    add_s = time.perf_counter() - t
    qs = data.queries
    latencies: List[float] = []
    found: List[List[str]] = []
    for i in range(min(21, len(qs))):
        t = time.perf_counter()
        res = col.query(query_embeddings=qs[i : i + 1], n_results=10)
        latencies.append(time.perf_counter() - t)
        found.append(list(res["ids"][0]))
    truth = np.asarray([_exact_rows(data.base[:total], qs[i]) for i in range(len(found))])
    return {
        "big_add": {
            "vectors": total,
            "batch": step,
            "add_s": add_s,
            "first_query_s": latencies[0],
            "first_query_recall": recall(found[:1], truth[:1]),
            "next_queries": latency_summary(latencies[1:]),
            "recall": recall(found, truth),
        }
    }


def _wait_for_graph(col: Any) -> float:
    # Ours builds the graph in the background (the seed API's create_index waits for it);
    # measuring recall before would measure the exact tail instead of the defaults' graph.
    t = time.perf_counter()
    if hasattr(col, "create_index"):
        col.create_index()
    return time.perf_counter() - t


def phase_kinds(args: argparse.Namespace, given: Optional[Data]) -> Dict[str, Any]:
    """Recall@10 at default settings (l2, default depth) on the kinds data: held-out queries
    against exact truth, and stored vectors finding themselves."""
    import chromadb

    folder = Path(args.kinds)
    client = chromadb.PersistentClient(path=str(args.db))
    out: Dict[str, Any] = {}
    for kind in ("uniform", "sentences"):
        base = np.load(folder / f"{kind}_base.npy")
        queries = np.load(folder / f"{kind}_queries.npy")
        truth = np.load(folder / f"{kind}_gt.npy")
        col = client.create_collection(f"kind-{kind}", embedding_function=None)
        for s in range(0, len(base), BATCH):
            stop = min(len(base), s + BATCH)
            col.add(ids=[f"id{i}" for i in range(s, stop)], embeddings=base[s:stop])
        _wait_for_graph(col)

        def one(i: int, qs: np.ndarray = queries, c: Any = col) -> List[str]:
            return list(c.query(query_embeddings=qs[i : i + 1], n_results=10)["ids"][0])

        res = timed_queries(one, len(queries), args.max_seconds)
        ids = res.pop("ids")
        picks = np.random.default_rng(args.seed + 3).choice(len(base), 200, replace=False)
        own = col.query(query_embeddings=base[picks], n_results=10, include=[])["ids"]
        out[kind] = {
            "vectors": len(base),
            "recall": recall(ids, truth[: len(ids)]),
            "p50_ms": res["p50_ms"],
            "self_found": sum(f"id{p}" in got for p, got in zip(picks.tolist(), own)),
            "self_queries": len(picks),
        }
    return {"kinds": out}


def phase_growth(args: argparse.Namespace, given: Optional[Data]) -> Dict[str, Any]:
    """A collection of --size vectors (ids and embeddings only), added in batches of BATCH:
    ingest rate, wait for the graph, query p50, resident memory (the batches are read from
    the data file, not sliced from its mapping: none of it stays resident)."""
    data = need(given)
    size = min(args.size, data.meta["n"])
    _, col = _new_collection(args.db)
    add_s = 0.0
    for s in range(0, size, BATCH):
        stop = min(size, s + BATCH)
        ids = [f"id{i}" for i in range(s, stop)]
        emb = data.read_rows(s, stop)
        t = time.perf_counter()
        col.add(ids=ids, embeddings=emb)
        add_s += time.perf_counter() - t
        del emb
    graph_s = _wait_for_graph(col)
    qs = data.queries

    def one(i: int) -> List[str]:
        return list(col.query(query_embeddings=qs[i : i + 1], n_results=10)["ids"][0])

    res = timed_queries(one, min(200, len(qs)), args.max_seconds)
    res.pop("ids")
    return {
        "growth": {
            "vectors": size,
            "vectors_per_s": size / add_s if add_s > 0 else math.nan,
            "vectors_per_s_until_indexed": size / (add_s + graph_s) if add_s > 0 else math.nan,
            "query_p50_ms": res["p50_ms"],
            "query_p99_ms": res["p99_ms"],
            **rss_mb(),
        }
    }


PHASES = {
    "build": phase_build,
    "run": phase_run,
    "set_ef": phase_set_ef,
    "sweep": phase_sweep,
    "embed": phase_embed,
    "ingest_queries": phase_ingest_queries,
    "big_add": phase_big_add,
    "kinds": phase_kinds,
    "growth": phase_growth,
}


def main(argv: Optional[Sequence[str]] = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("phase", choices=sorted(PHASES))
    p.add_argument("--data", type=Path)
    p.add_argument("--db", type=Path)
    p.add_argument("--result", type=Path, required=True)
    p.add_argument("--queries", type=int, default=1000)
    p.add_argument("--filtered-queries", type=int, default=1000)
    p.add_argument("--sweep-queries", type=int, default=300)
    p.add_argument("--ef", type=int, default=100)
    p.add_argument("--sentences", type=int, default=1000)
    p.add_argument("--ingest-total", type=int, default=50_000)
    p.add_argument("--per-add", type=int, default=5)
    p.add_argument("--big-add", type=int, default=100_000)
    p.add_argument("--kinds", type=Path)
    p.add_argument("--size", type=int, default=10_000)
    p.add_argument("--max-seconds", type=float, default=120.0)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--spawned-at", type=float, default=time.time())
    args = p.parse_args(argv)
    t = time.perf_counter()
    import chromadb  # noqa: F401 - timed here, so that phases measure only their own work

    import_s = time.perf_counter() - t
    data = Data(args.data) if args.data else None
    result: Dict[str, Any] = {
        "phase": args.phase,
        "chromadb": describe_chromadb(),
        "import_s": import_s,
    }
    try:
        result.update(PHASES[args.phase](args, data))
        result["ok"] = True
    except Exception as exc:  # noqa: BLE001 - the runner reports what failed and goes on
        import traceback

        result["ok"] = False
        result["error"] = f"{type(exc).__name__}: {exc}"
        result["traceback"] = traceback.format_exc()
    Path(args.result).write_text(json.dumps(result, indent=1))
    return 0 if result["ok"] else 1


if __name__ == "__main__":
    sys.exit(main())
