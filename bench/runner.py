"""Run the workload in each implementation's interpreter, then tabulate and check the targets.

The workload (``bench/workload.py``) runs once per phase in a fresh process of the
implementation's own Python: this project's ``.venv`` for "ours", ``bench/.venv-chroma`` (created
here with the newest ``chromadb`` when missing) for "chroma". Results land in ``<out>/results.json``
and the table in ``<out>/report.md``.
"""

from __future__ import annotations

import json
import math
import os
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Dict, List, Optional, Sequence

from bench import http_load
from bench.data import ensure_data
from bench.kinds import ensure_kinds

REPO = Path(__file__).resolve().parent.parent
WORKLOAD = REPO / "bench" / "workload.py"
PLOT = REPO / "bench" / "plot.py"
CHROMA_VENV = REPO / "bench" / ".venv-chroma"


@dataclass
class Impl:
    """One implementation under test: its interpreter, environment and server command."""

    name: str
    python: Path
    env: Dict[str, str]
    server: Callable[[Path, int], List[str]]


@dataclass
class Options:
    """What to measure (the CLI's arguments)."""

    n: int = 100_000
    queries: int = 1_000
    filtered_queries: int = 1_000
    sweep_queries: int = 300
    efs: Sequence[int] = (10, 20, 40, 80, 160, 320)
    http_queries: int = 5_000
    http_clients: Sequence[int] = (8, 32)
    ingest_total: int = 50_000
    per_add: int = 5
    big_add: int = 100_000
    kinds_uniform: int = 50_000
    kinds_sentences: int = 10_000
    growth: Sequence[int] = (10_000, 100_000)
    sentences: int = 1_000
    max_seconds: float = 120.0
    out: Path = REPO / "bench" / "results"
    only: str = "both"
    skip_http: bool = False
    skip_embed: bool = False
    skip_sweep: bool = False
    skip_ingest: bool = False
    skip_kinds: bool = False
    skip_growth: bool = False
    upgrade_chroma: bool = False
    chroma_venv: Path = CHROMA_VENV
    seed: int = 0
    log: Callable[[str], None] = field(default=lambda msg: print(f"[bench] {msg}", flush=True))


def _base_env() -> Dict[str, str]:
    env = dict(os.environ)
    env["ANONYMIZED_TELEMETRY"] = "False"
    env.pop("PYTHONPATH", None)
    return env


def compile_bytecode(python: Path) -> None:
    """Compile this project's modules to bytecode, as pip does when it installs a package: an
    editable install has none, and with PYTHONDONTWRITEBYTECODE set (as on the shared
    machines) every process would compile them from source again, which real Chroma's
    installed package never does."""
    subprocess.run([str(python), "-m", "compileall", "-q", str(REPO / "chromadb")], check=True)


def ours_impl() -> Impl:
    """This project, from the repository's .venv (or the running interpreter without one),
    its modules compiled to bytecode as an installed package's are."""
    venv_python = REPO / ".venv" / "bin" / "python"
    python = venv_python if venv_python.exists() else Path(sys.executable)
    compile_bytecode(python)
    env = _base_env()
    env["PYTHONPATH"] = str(REPO)

    def server(db: Path, port: int) -> List[str]:
        return [str(python), "-m", "chromadb.cli", "run", "--path", str(db)] + [
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
        ]

    return Impl("ours", python, env, server)


def chroma_impl(venv: Path = CHROMA_VENV) -> Impl:
    """Real Chroma from its own virtual environment."""
    python = venv / "bin" / "python"

    def server(db: Path, port: int) -> List[str]:
        return [str(venv / "bin" / "chroma"), "run", "--path", str(db)] + [
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
        ]

    return Impl("chroma", python, _base_env(), server)


def ensure_chroma_venv(venv: Path, upgrade: bool, log: Callable[[str], None]) -> str:
    """Create ``venv`` with the newest chromadb (and matplotlib for the plot) unless present.

    Returns the installed chromadb version.
    """
    python = venv / "bin" / "python"
    # matplotlib (for the plot) is optional: an existing venv, e.g. the test suite's
    # oracle, is used as it is.
    probe = [str(python), "-P", "-c", "import chromadb; print(chromadb.__version__)"]
    if python.exists() and not upgrade:
        done = subprocess.run(probe, capture_output=True, text=True, cwd="/", env=_base_env())
        if done.returncode == 0:
            return done.stdout.strip()
    if not python.exists():
        log(f"creating {venv}")
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    log("installing the newest chromadb and matplotlib into it (pip)")
    subprocess.run(
        [str(python), "-m", "pip", "install", "--quiet", "--upgrade", "chromadb", "matplotlib"],
        check=True,
    )
    done = subprocess.run(probe, capture_output=True, text=True, cwd="/", env=_base_env())
    done.check_returncode()
    return done.stdout.strip()


def disk_bytes(folder: Path) -> int:
    """Total size of the files under ``folder``."""
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())


def run_phase(
    impl: Impl,
    phase: str,
    work: Path,
    args: Sequence[str],
    timeout: float,
    env: Optional[Dict[str, str]] = None,
    tag: str = "",
) -> Dict[str, Any]:
    """Run one workload phase in the implementation's interpreter; return its JSON result."""
    result_file = work / f"{phase}{tag}.json"
    log_file = work / f"{phase}{tag}.log"
    result_file.unlink(missing_ok=True)
    command = [str(impl.python), "-P", str(WORKLOAD), phase, "--result", str(result_file)]
    command += [*args, "--spawned-at", repr(time.time())]
    started = time.perf_counter()
    try:
        with log_file.open("wb") as log:
            subprocess.run(
                command,
                cwd=work,
                env=env if env is not None else impl.env,
                stdout=log,
                stderr=subprocess.STDOUT,
                timeout=timeout,
            )
    except subprocess.TimeoutExpired:
        return {"ok": False, "error": f"timed out after {timeout:.0f}s (log: {log_file})"}
    if not result_file.exists():
        tail = log_file.read_text(errors="replace")[-2000:]
        return {"ok": False, "error": f"no result written; log tail:\n{tail}"}
    out: Dict[str, Any] = json.loads(result_file.read_text())
    out["wall_s"] = time.perf_counter() - started
    return out


def _fresh_db(work: Path, name: str) -> Path:
    db = work / name
    if db.exists():
        shutil.rmtree(db)
    return db


def measure_extra(
    impl: Impl, opts: Options, data: Path, kinds: Optional[Path], growth: Dict[int, Path]
) -> Dict[str, Any]:
    """The phases on fresh collections of their own: queries during ingest, one large add,
    recall on the data kinds, the growth curve. Each folder is removed once measured."""
    work = opts.out / impl.name
    res: Dict[str, Any] = {}
    base = ["--data", str(data), "--seed", str(opts.seed), "--max-seconds", str(opts.max_seconds)]
    if not opts.skip_ingest:
        opts.log(f"{impl.name}: a query after each add of 5,000, {opts.ingest_total} in all")
        db = _fresh_db(work, "db-ingest")
        args = base + ["--db", str(db), "--ingest-total", str(opts.ingest_total)]
        res["ingest_queries"] = run_phase(
            impl, "ingest_queries", work, args + ["--per-add", str(opts.per_add)], timeout=7200
        )
        shutil.rmtree(db, ignore_errors=True)
        opts.log(f"{impl.name}: one add of {min(opts.big_add, opts.n)}, then the first query")
        db = _fresh_db(work, "db-big")
        args = base + ["--db", str(db), "--big-add", str(opts.big_add)]
        res["big_add"] = run_phase(impl, "big_add", work, args, timeout=7200)
        shutil.rmtree(db, ignore_errors=True)
    if kinds is not None:
        opts.log(f"{impl.name}: recall at defaults on uniform random and real-text embeddings")
        db = _fresh_db(work, "db-kinds")
        args = base + ["--db", str(db), "--kinds", str(kinds)]
        res["kinds"] = run_phase(impl, "kinds", work, args, timeout=7200)
        shutil.rmtree(db, ignore_errors=True)
    for size, folder in growth.items():
        opts.log(f"{impl.name}: growth curve, {size} vectors")
        db = _fresh_db(work, f"db-growth-{size}")
        args = ["--data", str(folder), "--db", str(db), "--size", str(size)]
        args += ["--max-seconds", str(opts.max_seconds)]
        point = run_phase(impl, "growth", work, args, timeout=14400, tag=f"_{size}")
        point["disk_bytes"] = disk_bytes(db) if db.exists() else None
        res[f"growth_{size}"] = point
        shutil.rmtree(db, ignore_errors=True)
    return res


def measure_impl(impl: Impl, opts: Options, data: Path) -> Dict[str, Any]:
    """All phases for one implementation, in order; a failed phase is recorded, not fatal."""
    work = opts.out / impl.name
    db = work / "db"
    if db.exists():
        shutil.rmtree(db)
    work.mkdir(parents=True, exist_ok=True)
    res: Dict[str, Any] = {}
    common = ["--data", str(data), "--db", str(db), "--seed", str(opts.seed)]
    common += ["--max-seconds", str(opts.max_seconds)]

    opts.log(f"{impl.name}: ingest of {opts.n} vectors")
    res["build"] = run_phase(impl, "build", work, common, timeout=7200)
    res["disk_after_build"] = disk_bytes(db) if db.exists() else None
    if not res["build"].get("ok"):
        opts.log(f"{impl.name}: ingest failed: {res['build'].get('error')}")
        return res

    opts.log(f"{impl.name}: reopen, queries, gets, update/delete")
    run_args = common + ["--queries", str(opts.queries)]
    run_args += ["--filtered-queries", str(opts.filtered_queries)]
    res["run"] = run_phase(impl, "run", work, run_args, timeout=7200)
    res["disk_after_run"] = disk_bytes(db)
    if not res["run"].get("ok"):
        opts.log(f"{impl.name}: run phase failed: {res['run'].get('error')}")

    if not opts.skip_http:
        opts.log(f"{impl.name}: HTTP server, {list(opts.http_clients)} connections")
        port = http_load.free_port()
        res["http"] = http_load.measure_server(
            impl.server(db, port),
            impl.env,
            data,
            work / "server.log",
            work,
            port,
            clients=opts.http_clients,
            total=opts.http_queries,
            max_seconds=opts.max_seconds,
        )
        if not res["http"].get("ok"):
            opts.log(f"{impl.name}: HTTP failed: {res['http'].get('error')}")

    if not opts.skip_sweep:
        res["sweep"] = []
        for ef in opts.efs:
            opts.log(f"{impl.name}: search depth {ef}")
            sweep_args = common + ["--ef", str(ef), "--sweep-queries", str(opts.sweep_queries)]
            point = run_phase(impl, "set_ef", work, sweep_args, timeout=600, tag=f"_ef{ef}")
            if point.get("ok"):
                set_by = point["set_by"]
                point = run_phase(impl, "sweep", work, sweep_args, timeout=1800, tag=f"_ef{ef}")
                point["set_by"] = set_by
            res["sweep"].append(point)
            if not point.get("ok"):
                opts.log(f"{impl.name}: sweep ef={ef} failed: {point.get('error')}")
                break

    if not opts.skip_embed:
        res["embed"] = measure_embed(impl, opts, work)
    return res


def measure_embed(impl: Impl, opts: Options, work: Path) -> Dict[str, Any]:
    """The default embedding function on short sentences.

    Real Chroma downloads its ONNX model at first use, which needs the internet. When
    ``bench.onnx_model`` can build that model offline from the weights this project ships, it
    is placed in a private HOME for Chroma's process (never in the user's own cache).
    """
    env = dict(impl.env)
    note = ""
    if impl.name == "chroma":
        from bench import onnx_model

        home = opts.out / "chroma-home"
        made = onnx_model.provide_for_chroma(home, opts.log)
        if made is not None:
            env["HOME"] = str(home)
            note = made
    opts.log(f"{impl.name}: default embedding function, {opts.sentences} sentences")
    args = ["--sentences", str(opts.sentences)]
    out = run_phase(impl, "embed", work, args, timeout=1800, env=env)
    if note:
        out["note"] = note
    if not out.get("ok"):
        opts.log(f"{impl.name}: embedding failed: {out.get('error')}")
    return out


def run_benchmark(opts: Options) -> Dict[str, Any]:
    """Measure the selected implementations on one data set; write results, table and plot."""
    opts.out.mkdir(parents=True, exist_ok=True)
    data = ensure_data(opts.out, opts.n, opts.queries, opts.seed)
    meta = json.loads((data / "meta.json").read_text())
    impls: List[Impl] = []
    if opts.only in ("ours", "both"):
        impls.append(ours_impl())
    if opts.only in ("chroma", "both"):
        version = ensure_chroma_venv(opts.chroma_venv, opts.upgrade_chroma, opts.log)
        opts.log(f"real chromadb {version}")
        impls.append(chroma_impl(opts.chroma_venv))
    results: Dict[str, Any] = {
        "options": {k: v for k, v in vars(opts).items() if k != "log"},
        "data": {k: meta[k] for k in ("n", "queries", "seed", "dim", "k", "selectivity")},
        "machine": {"cpus": os.cpu_count(), "load_avg": os.getloadavg()},
        "impls": {},
    }
    kinds = None
    if not opts.skip_kinds:
        kinds = ensure_kinds(data, opts.kinds_uniform, opts.kinds_sentences, opts.seed, opts.log)
    growth: Dict[int, Path] = {}
    if not opts.skip_growth:
        for size in opts.growth:
            growth[size] = data if size <= opts.n else ensure_data(opts.out, size, 200, opts.seed)
    for impl in impls:
        results["impls"][impl.name] = measure_impl(impl, opts, data)
        results["impls"][impl.name].update(measure_extra(impl, opts, data, kinds, growth))
    results["machine"]["load_avg_after"] = os.getloadavg()
    results["embedding_agreement"] = embedding_agreement(opts.out, results["impls"])
    results["table"] = build_table(results["impls"])
    (opts.out / "results.json").write_text(json.dumps(results, indent=1, default=str))
    text = render_table(results)
    (opts.out / "report.md").write_text(text + "\n")
    print(text, flush=True)
    plot_file = opts.out / "recall_qps.png"
    status = make_plot(opts.out / "results.json", plot_file)
    print(status, flush=True)
    return results


def embedding_agreement(out: Path, impls: Dict[str, Any]) -> Optional[float]:
    """Mean cosine similarity of ours and Chroma's embeddings of the same sentences (both
    functions claim the same model, so this should be ~1.0)."""
    import numpy as np

    if not all((impls.get(n) or {}).get("embed", {}).get("ok") for n in ("ours", "chroma")):
        return None
    a = np.load(out / "ours" / "embed.npy")
    b = np.load(out / "chroma" / "embed.npy")
    rows = min(len(a), len(b))
    a, b = a[:rows], b[:rows]
    cos = np.sum(a * b, axis=1) / (np.linalg.norm(a, axis=1) * np.linalg.norm(b, axis=1))
    return float(np.mean(cos))


def make_plot(results_file: Path, png: Path) -> str:
    """Draw the plot with whichever interpreter has matplotlib (Chroma's venv has it)."""
    for python in (CHROMA_VENV / "bin" / "python", REPO / ".venv" / "bin" / "python"):
        if not python.exists():
            continue
        done = subprocess.run(
            [str(python), "-P", str(PLOT), str(results_file.resolve()), str(png.resolve())],
            capture_output=True,
            text=True,
            cwd=results_file.parent,
        )
        if done.returncode == 0:
            return f"plot: {png}"
        if "No module named 'matplotlib'" not in done.stderr:
            return f"plot failed: {done.stderr.strip()[-500:]}"
    return "plot skipped: matplotlib is not installed in bench/.venv-chroma or .venv"


# ---- the table ---------------------------------------------------------------------------


def _get(d: Any, *path: str) -> Optional[float]:
    for key in path:
        if not isinstance(d, dict) or key not in d:
            return None
        d = d[key]
    return float(d) if isinstance(d, (int, float)) and not isinstance(d, bool) else None


# (label, path into an implementation's results, higher is better, target on ours/chroma)
ROWS: List[Any] = [
    ("ingest, vectors/s (batches of 5,000)", ("build", "ingest", "vectors_per_s"), True, ">= 3"),
    (
        "ingest until the graph is built, vectors/s",
        ("build", "ingest", "vectors_per_s_until_indexed"),
        True,
        "",
    ),
    ("query k=10, p50 ms", ("run", "query", "p50_ms"), False, "<= 1/3 at recall >= 0.95"),
    ("query k=10, p99 ms", ("run", "query", "p99_ms"), False, ""),
    ("query recall@10", ("run", "query", "recall"), True, ""),
    ("query where ~10%, p50 ms", ("run", "query_where10", "p50_ms"), False, "<= 1/20"),
    ("query where ~10%, p99 ms", ("run", "query_where10", "p99_ms"), False, ""),
    ("query where ~10%, recall@10", ("run", "query_where10", "recall"), True, ""),
    ("query where ~1%, p50 ms", ("run", "query_where1", "p50_ms"), False, ""),
    ("query where ~1%, p99 ms", ("run", "query_where1", "p99_ms"), False, ""),
    ("query where ~1%, recall@10", ("run", "query_where1", "recall"), True, ""),
    ("query where_document, p50 ms", ("run", "query_doc", "p50_ms"), False, ""),
    ("query where_document, p99 ms", ("run", "query_doc", "p99_ms"), False, ""),
    ("query where_document, recall@10", ("run", "query_doc", "recall"), True, ""),
    ("batched query (all in one call), q/s", ("run", "query_batch", "qps"), True, ""),
    ("batched query recall@10", ("run", "query_batch", "recall"), True, ""),
    ("get 100 ids, p50 ms", ("run", "get_ids", "p50_ms"), False, ""),
    ("get where + limit 100, p50 ms", ("run", "get_where_limit", "p50_ms"), False, ""),
    ("update 1,000 records, records/s", ("run", "write", "update_per_s"), True, ""),
    ("delete 1,000 records, records/s", ("run", "write", "delete_per_s"), True, ""),
    (
        "reopen: open to first answer, s",
        ("run", "reopen", "open_to_first_query_s"),
        False,
        "<= 1/2",
    ),
    (
        "reopen: process start to first answer, s",
        ("run", "reopen", "process_start_to_first_query_s"),
        False,
        "",
    ),
    ("import chromadb, s", ("run", "import_s"), False, ""),
    ("resident memory after loading, MB", ("run", "memory_after_load", "rss_mb"), False, "<= 1"),
    (
        "peak resident memory during ingest, MB",
        ("build", "memory_after_ingest", "peak_rss_mb"),
        False,
        "",
    ),
    ("bytes on disk, MB", ("disk_mb",), False, ""),
    ("embedding, sentences/s", ("embed", "sentences_per_s"), True, ">= 20"),
    ("HTTP 8 connections, q/s", ("http", "loads", "8", "qps"), True, ">= 3"),
    ("HTTP 8 connections, p99 ms", ("http", "loads", "8", "p99_ms"), False, "<= 1"),
    ("HTTP 32 connections, q/s", ("http", "loads", "32", "qps"), True, ">= 3"),
    ("HTTP 32 connections, p99 ms", ("http", "loads", "32", "p99_ms"), False, "<= 1"),
    ("HTTP recall@10", ("http", "loads", "8", "recall"), True, ""),
    (
        "query during ingest (after each add of 5,000), p50 ms",
        ("ingest_queries", "during_ingest", "p50_ms"),
        False,
        "<= 1",
    ),
    (
        "query during ingest, p99 ms",
        ("ingest_queries", "during_ingest", "p99_ms"),
        False,
        "<= 1",
    ),
    ("query during ingest, worst ms", ("ingest_queries", "during_ingest", "max_ms"), False, ""),
    ("query during ingest, recall@10", ("ingest_queries", "during_ingest", "recall"), True, ""),
    ("one large add, s", ("big_add", "big_add", "add_s"), False, ""),
    ("first query right after it, s", ("big_add", "big_add", "first_query_s"), False, ""),
    ("next queries after it, p50 ms", ("big_add", "big_add", "next_queries", "p50_ms"), False, ""),
    ("recall@10 at defaults, clustered", ("run", "query", "recall"), True, ">= 1"),
    (
        "recall@10 at defaults, uniform random",
        ("kinds", "kinds", "uniform", "recall"),
        True,
        ">= 1",
    ),
    (
        "stored vectors finding themselves, uniform (of 200)",
        ("kinds", "kinds", "uniform", "self_found"),
        True,
        "",
    ),
    (
        "recall@10 at defaults, MiniLM sentences",
        ("kinds", "kinds", "sentences", "recall"),
        True,
        ">= 1",
    ),
]
GROWTH_ROWS = [
    ("ingest, vectors/s", "vectors_per_s", True),
    ("ingest until the graph is built, vectors/s", "vectors_per_s_until_indexed", True),
    ("query p50 ms", "query_p50_ms", False),
    ("resident memory, MB", "rss_mb", False),
    ("bytes on disk, MB", "disk_mb", False),
]


def _value(impl: Dict[str, Any], path: Sequence[str]) -> Optional[float]:
    if path == ("disk_mb",):
        size = impl.get("disk_after_run") or impl.get("disk_after_build")
        return size / 1e6 if size else None
    if len(path) == 3 and path[2] == "disk_mb":
        size = (impl.get(path[0]) or {}).get("disk_bytes")
        return size / 1e6 if size else None
    return _get(impl, *path)


def _rows(impls: Dict[str, Any]) -> List[Any]:
    """ROWS, then the growth curve's rows for every size measured."""
    sizes = sorted(
        {int(k.split("_")[1]) for impl in impls.values() for k in impl if k.startswith("growth_")}
    )
    rows = list(ROWS)
    for size in sizes:
        for label, key, higher in GROWTH_ROWS:
            target = "<= 1" if size >= 1_000_000 and key in ("rss_mb", "disk_mb") else ""
            path = (f"growth_{size}", "growth", key)
            if key == "disk_mb":
                path = (f"growth_{size}", "", "disk_mb")
            rows.append((f"growth {size:,}: {label}", path, higher, target))
    return rows


def _meets(target: str, ratio: Optional[float], ours: Dict[str, Any]) -> Optional[bool]:
    if not target or ratio is None or math.isnan(ratio):
        return None
    op, _, rest = target.partition(" ")
    bound_text = rest.split(" ")[0]
    num, _, den = bound_text.partition("/")
    bound = float(num) / float(den) if den else float(num)
    ok = ratio >= bound if op == ">=" else ratio <= bound
    if "recall" in target:
        r = _get(ours, "run", "query", "recall")
        ok = ok and r is not None and r >= 0.95
    return ok


def build_table(impls: Dict[str, Any]) -> List[Dict[str, Any]]:
    """One row per figure: ours, chroma, ours/chroma, the target and whether it is met."""
    rows = []
    ours = impls.get("ours", {})
    chroma = impls.get("chroma", {})
    for label, path, higher_better, target in _rows(impls):
        a = _value(ours, path) if ours else None
        b = _value(chroma, path) if chroma else None
        ratio = a / b if a is not None and b not in (None, 0.0) else None
        rows.append(
            {
                "figure": label,
                "ours": a,
                "chroma": b,
                "ratio": ratio,
                "higher_is_better": higher_better,
                "target": target,
                "met": _meets(target, ratio, ours),
            }
        )
    return rows


def _fmt(x: Optional[float]) -> str:
    if x is None or math.isnan(x):
        return "n/a"
    if x == 0:
        return "0"
    if abs(x) >= 100:
        return f"{x:,.0f}"
    if abs(x) >= 1:
        return f"{x:.2f}"
    return f"{x:.3g}"


def _why_missing(impls: Dict[str, Any], name: str, label: str) -> str:
    impl = impls.get(name)
    if impl is None:
        return "-"
    section = {"embed": "embed", "HTTP": "http"}
    for word, key in section.items():
        if word.lower() in label.lower() and key in impl and not impl[key].get("ok"):
            err = str(impl[key].get("error", "failed")).splitlines()[0]
            if "ConnectError" in err or "Name or service" in err:
                return "n/a (needs download)"
            return f"n/a ({err[:60]})"
    return "n/a"


def render_table(results: Dict[str, Any]) -> str:
    """The Markdown report: parameters, the table, and any phase errors."""
    impls = results["impls"]
    data = results["data"]
    lines = [
        f"# Benchmark: n={data['n']:,} x {data['dim']}-d, {data['queries']:,} queries, "
        f"k={data['k']}, seed {data['seed']}",
        "",
        f"machine: {results['machine']['cpus']} CPUs, load average before "
        f"{results['machine']['load_avg'][0]:.1f}, after {results['machine']['load_avg_after'][0]:.1f}",
    ]
    for name, impl in impls.items():
        version = None
        for phase in ("build", "run", "embed"):
            version = version or (impl.get(phase) or {}).get("chromadb", {}).get("version")
        lines.append(f"{name}: chromadb {version}")
    lines += [
        "",
        "| figure | ours | chroma | ours/chroma | target | met |",
        "|---|---:|---:|---:|---|---|",
    ]
    for row in results["table"]:
        ours = (
            _fmt(row["ours"])
            if row["ours"] is not None
            else _why_missing(impls, "ours", row["figure"])
        )
        chroma = (
            _fmt(row["chroma"])
            if row["chroma"] is not None
            else _why_missing(impls, "chroma", row["figure"])
        )
        met = {True: "yes", False: "NO", None: ""}[row["met"]]
        lines.append(
            f"| {row['figure']} | {ours} | {chroma} | {_fmt(row['ratio'])} | {row['target']} | {met} |"
        )
    lines += _sweep_lines(impls)
    agreement = results.get("embedding_agreement")
    if agreement is not None:
        lines.append(
            f"- embeddings of the same sentences, ours vs Chroma's: mean cosine {agreement:.4f}"
        )
    lines += _notes(impls)
    return "\n".join(lines)


def _sweep_lines(impls: Dict[str, Any]) -> List[str]:
    out = []
    for name, impl in impls.items():
        points = [p for p in impl.get("sweep", []) if p.get("ok")]
        if points:
            desc = ", ".join(
                f"ef {p['ef']}: recall {p['recall']:.3f}, p50 {p['p50_ms']:.2f} ms" for p in points
            )
            ways = points[0].get("set_by") or {}
            taken = ", ".join(k for k, v in ways.items() if v == "accepted") or "?"
            out.append(f"- sweep {name} (depth accepted via {taken}): {desc}")
    return ["", *out] if out else []


def _notes(impls: Dict[str, Any]) -> List[str]:
    out = []
    for name, impl in impls.items():
        for key, value in impl.items():
            items = value if isinstance(value, list) else [value]
            for item in items:
                if isinstance(item, dict) and item.get("ok") is False:
                    err = str(item.get("error", "")).strip().splitlines()
                    out.append(f"- {name} {key}: {err[0] if err else 'failed'}")
                if isinstance(item, dict) and item.get("note"):
                    out.append(f"- {name} {key}: {item['note']}")
                if isinstance(item, dict) and item.get("errors"):
                    out.append(
                        f"- {name} {key}: {item.get('failed')} failed requests, e.g. {item['errors'][0]}"
                    )
    return ["", "Notes:", *out] if out else []
