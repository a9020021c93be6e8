"""The benchmark harness (``python -m bench``) keeps working: a tiny run of it against this
project only (real Chroma is never installed by the tests), plus its ground truth and its
target arithmetic. No timing is asserted, only that every figure is produced and sane."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np

from bench.data import allowed_rows, ensure_data, exact_top_k
from bench.runner import build_table, render_table

REPO = Path(__file__).resolve().parent.parent


def test_exact_top_k_matches_a_full_sort() -> None:
    rng = np.random.default_rng(3)
    base = rng.standard_normal((1_000, 16)).astype(np.float32)
    base /= np.linalg.norm(base, axis=1, keepdims=True)
    queries = base[:5] + 0.01
    rows = np.arange(0, 1_000, 3)  # a filter admitting every third record
    got = exact_top_k(base, queries, rows, k=10)
    for q, found in zip(queries, got):
        expected = rows[np.argsort(-(base[rows] @ q), kind="stable")[:10]]
        assert set(found.tolist()) == set(expected.tolist())


def test_data_folder_is_deterministic_and_filters_have_their_selectivity(tmp_path: Path) -> None:
    a = ensure_data(tmp_path / "a", 5_000, 20, seed=7, log=False)
    b = ensure_data(tmp_path / "b", 5_000, 20, seed=7, log=False)
    assert np.array_equal(np.load(a / "base.npy"), np.load(b / "base.npy"))
    norms = np.linalg.norm(np.load(a / "base.npy"), axis=1)
    assert np.allclose(norms, 1.0, atol=1e-5)
    meta = json.loads((a / "meta.json").read_text())
    assert 0.07 < meta["selectivity"]["where10"] < 0.13
    assert 0.003 < meta["selectivity"]["where1"] < 0.02
    cols = [np.load(a / f"{c}.npy") for c in ("category", "rand", "word")]
    truth = np.load(a / "gt_where10.npy")
    assert set(truth.ravel().tolist()) <= set(allowed_rows("where10", *cols).tolist())


def test_table_ratios_and_targets() -> None:
    ours = {
        "build": {"ingest": {"vectors_per_s": 9_000.0}},
        "run": {"query": {"p50_ms": 0.4, "recall": 0.97}, "reopen": {"open_to_first_query_s": 0.5}},
    }
    chroma = {
        "build": {"ingest": {"vectors_per_s": 2_000.0}},
        "run": {"query": {"p50_ms": 1.5, "recall": 0.99}, "reopen": {"open_to_first_query_s": 0.6}},
    }
    rows = {r["figure"]: r for r in build_table({"ours": ours, "chroma": chroma})}
    ingest = rows["ingest, vectors/s (batches of 5,000)"]
    assert ingest["ratio"] == 4.5 and ingest["met"] is True
    assert rows["query k=10, p50 ms"]["met"] is True  # 0.27 <= 1/3 at recall 0.97
    assert rows["reopen: open to first answer, s"]["met"] is False  # 0.83 > 1/2
    assert rows["embedding, sentences/s"]["met"] is None  # not measured: no verdict
    ours["run"]["query"]["recall"] = 0.9  # fast but inaccurate does not count
    rows = {r["figure"]: r for r in build_table({"ours": ours, "chroma": chroma})}
    assert rows["query k=10, p50 ms"]["met"] is False


def test_tiny_benchmark_run_of_ours(tmp_path: Path) -> None:
    out = tmp_path / "bench-out"
    command = [sys.executable, "-m", "bench", "--n", "2000", "--queries", "40"]
    command += ["--only", "ours", "--skip-embed", "--efs", "16,64", "--sweep-queries", "40"]
    command += ["--http-queries", "80", "--max-seconds", "20", "--out", str(out)]
    command += ["--http-clients", "2,4", "--ingest-total", "2000", "--per-add", "2"]
    command += ["--big-add", "2000", "--kinds-uniform", "1000", "--kinds-sentences", "300"]
    command += ["--growth", "1000,2000"]
    done = subprocess.run(command, cwd=REPO, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    assert "| ingest, vectors/s (batches of 5,000) |" in done.stdout

    results = json.loads((out / "results.json").read_text())
    ours = results["impls"]["ours"]
    for phase in ("build", "run", "http"):
        assert ours[phase]["ok"], ours[phase].get("traceback") or ours[phase].get("error")
    assert ours["build"]["ingest"]["count_after"] == 2000
    run = ours["run"]
    assert run["count"] == 2000 and run["count_after_writes"] == 2000
    assert run["query"]["count"] == 40 and run["query"]["recall"] >= 0.9
    for name in ("query_where10", "query_where1", "query_doc", "query_batch"):
        assert run[name]["recall"] >= 0.9, name
    assert run["get_ids"]["returned"] == 100 and run["get_where_limit"]["returned"] == 100
    assert run["reopen"]["open_to_first_query_s"] > 0 and run["memory_after_load"]["rss_mb"] > 0
    assert ours["disk_after_build"] > 0
    assert ours["http"]["requests"] == 80 and ours["http"]["failed"] == 0
    assert ours["http"]["recall"] >= 0.9
    assert set(ours["http"]["loads"]) == {"2", "4"}
    assert all(x["failed"] == 0 for x in ours["http"]["loads"].values())
    during = ours["ingest_queries"]["during_ingest"]
    assert during["count"] == 2 * 1 and during["recall"] >= 0.9  # one add of 2,000: 2 queries
    big = ours["big_add"]["big_add"]
    assert big["vectors"] == 2000 and big["first_query_recall"] >= 0.9
    kinds = ours["kinds"]["kinds"]
    assert kinds["uniform"]["vectors"] == 1000 and kinds["sentences"]["vectors"] == 300
    assert kinds["uniform"]["recall"] >= 0.8 and kinds["sentences"]["recall"] >= 0.8
    for size in (1000, 2000):
        point = ours[f"growth_{size}"]
        assert point["ok"] and point["growth"]["vectors"] == size and point["disk_bytes"] > 0
    assert [p["ef"] for p in ours["sweep"]] == [16, 64]
    assert all(p["ok"] and p["recall"] >= 0.5 for p in ours["sweep"])
    assert "| figure | ours | chroma |" in (out / "report.md").read_text()


def test_report_says_why_a_figure_is_missing() -> None:
    impls = {
        "ours": {"embed": {"ok": True, "sentences_per_s": 500.0}},
        "chroma": {"embed": {"ok": False, "error": "ConnectError: [Errno -2] Name or service"}},
    }
    results = {
        "data": {"n": 10, "dim": 4, "queries": 1, "k": 10, "seed": 0},
        "machine": {"cpus": 2, "load_avg": [0.0], "load_avg_after": [0.0]},
        "impls": impls,
        "table": build_table(impls),
    }
    line = next(x for x in render_table(results).splitlines() if x.startswith("| embedding"))
    assert "| 500 | n/a (needs download) |" in line
