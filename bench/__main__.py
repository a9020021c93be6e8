"""``python -m bench``: measure this project and real Chroma on the same data, in one run."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Optional, Sequence

from bench.runner import CHROMA_VENV, REPO, Options, run_benchmark


def parse(argv: Optional[Sequence[str]] = None) -> Options:
    """Options from the command line."""
    p = argparse.ArgumentParser(
        prog="python -m bench",
        description="Measure this project and real chromadb (newest, in bench/.venv-chroma) "
        "on the same synthetic data; print a table and write results.json, report.md and "
        "recall_qps.png to the output folder.",
    )
    p.add_argument("--n", type=int, default=100_000, help="vectors (10k to 1M; default 100,000)")
    p.add_argument("--queries", type=int, default=1_000, help="held-out queries (default 1,000)")
    p.add_argument(
        "--filtered-queries",
        type=int,
        default=None,
        help="queries per filtered measurement (default: --queries)",
    )
    p.add_argument("--sweep-queries", type=int, default=300, help="queries per search depth")
    p.add_argument(
        "--efs",
        default="10,20,40,80,160,320",
        help="search depths for the recall/throughput plot (comma separated)",
    )
    p.add_argument("--only", choices=["ours", "chroma", "both"], default="both")
    p.add_argument("--out", type=Path, default=REPO / "bench" / "results", help="output folder")
    p.add_argument("--skip-http", action="store_true", help="no HTTP server measurement")
    p.add_argument("--skip-embed", action="store_true", help="no embedding measurement")
    p.add_argument("--skip-sweep", action="store_true", help="no search-depth sweep (no plot)")
    p.add_argument("--http-queries", type=int, default=5_000, help="requests in the HTTP load")
    p.add_argument("--sentences", type=int, default=1_000, help="sentences to embed")
    p.add_argument(
        "--max-seconds", type=float, default=120.0, help="time cap of each query measurement"
    )
    p.add_argument(
        "--upgrade-chroma", action="store_true", help="pip-upgrade chromadb in its venv first"
    )
    p.add_argument("--http-clients", default="8,32", help="HTTP connections (comma list)")
    p.add_argument(
        "--ingest-total", type=int, default=50_000, help="vectors of the query-during-ingest run"
    )
    p.add_argument("--per-add", type=int, default=5, help="queries after each add of 5,000")
    p.add_argument("--big-add", type=int, default=100_000, help="vectors of the one large add")
    p.add_argument("--kinds-uniform", type=int, default=50_000, help="uniform random vectors")
    p.add_argument("--kinds-sentences", type=int, default=10_000, help="real sentences embedded")
    p.add_argument("--growth", default="10000,100000", help="growth curve sizes (comma list)")
    p.add_argument("--growth-1m", action="store_true", help="add 1,000,000 to the growth curve")
    p.add_argument("--skip-ingest", action="store_true", help="no query-during-ingest / large add")
    p.add_argument("--skip-kinds", action="store_true", help="no recall on the other data kinds")
    p.add_argument("--skip-growth", action="store_true", help="no growth curve")
    p.add_argument(
        "--chroma-venv",
        type=Path,
        default=CHROMA_VENV,
        help="virtual environment of real chromadb (created with the newest when missing)",
    )
    p.add_argument("--seed", type=int, default=0)
    a = p.parse_args(argv)
    growth = [int(x) for x in a.growth.split(",") if x.strip()]
    if a.growth_1m and 1_000_000 not in growth:
        growth.append(1_000_000)
    if not 1_000 <= a.n <= 2_000_000:
        p.error("--n must be between 1,000 and 2,000,000")
    if a.queries < 1:
        p.error("--queries must be positive")
    return Options(
        n=a.n,
        queries=a.queries,
        filtered_queries=a.filtered_queries or a.queries,
        sweep_queries=a.sweep_queries,
        efs=[int(x) for x in a.efs.split(",") if x.strip()],
        http_queries=a.http_queries,
        sentences=a.sentences,
        max_seconds=a.max_seconds,
        out=a.out.resolve(),
        only=a.only,
        skip_http=a.skip_http,
        skip_embed=a.skip_embed,
        skip_sweep=a.skip_sweep,
        upgrade_chroma=a.upgrade_chroma,
        http_clients=[int(x) for x in a.http_clients.split(",") if x.strip()],
        ingest_total=a.ingest_total,
        per_add=a.per_add,
        big_add=a.big_add,
        kinds_uniform=a.kinds_uniform,
        kinds_sentences=a.kinds_sentences,
        growth=growth,
        skip_ingest=a.skip_ingest,
        skip_kinds=a.skip_kinds,
        skip_growth=a.skip_growth,
        chroma_venv=a.chroma_venv.resolve(),
        seed=a.seed,
    )


def main(argv: Optional[Sequence[str]] = None) -> int:
    """Run the benchmark; the exit status is 0 even when a target is missed."""
    run_benchmark(parse(argv))
    return 0


if __name__ == "__main__":
    sys.exit(main())
