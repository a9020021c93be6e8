"""Recall@10 against single-query throughput, one line per implementation (a PNG).

Run as a script by the runner in an interpreter that has matplotlib (``bench/.venv-chroma`` gets
it when the benchmark creates that venv): ``python -P bench/plot.py results.json out.png``.
Each point is one search depth (ef) of the sweep; the star is the collection's default depth
(the main single-query measurement).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any, Dict, List, Sequence

COLOURS = {"ours": "tab:blue", "chroma": "tab:orange"}


def median_qps(measure: Dict[str, Any]) -> float:
    """Queries per second of one client as 1 / median latency: on a shared machine the median
    is far steadier than a count over wall time, which every stall of a neighbour lowers."""
    return 1e3 / float(measure["p50_ms"])


def series(results: Dict[str, Any]) -> Dict[str, List[Dict[str, float]]]:
    """name -> sweep points (ef, recall, qps) that succeeded, in ef order."""
    out = {}
    for name, impl in results["impls"].items():
        points = [p for p in impl.get("sweep", []) if p.get("ok")]
        out[name] = sorted(
            ({"ef": p["ef"], "recall": p["recall"], "qps": median_qps(p)} for p in points),
            key=lambda p: p["ef"],
        )
    return out


def draw(results: Dict[str, Any], png: Path) -> None:
    """Write the plot to ``png``."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(8, 5.5), dpi=110)
    for name, points in series(results).items():
        colour = COLOURS.get(name, None)
        if points:
            ax.plot(
                [p["recall"] for p in points],
                [p["qps"] for p in points],
                marker="o",
                color=colour,
                label=f"{name} (search depth sweep)",
            )
            for p in points:
                ax.annotate(
                    f"ef={p['ef']}",
                    (p["recall"], p["qps"]),
                    textcoords="offset points",
                    xytext=(4, 4),
                    fontsize=7,
                    color=colour,
                )
        query = results["impls"][name].get("run", {}).get("query")
        if query and query.get("recall") is not None:
            ax.scatter(
                [query["recall"]],
                [median_qps(query)],
                marker="*",
                s=160,
                color=colour,
                label=f"{name} default",
                zorder=3,
            )
    data = results["data"]
    ax.set_xlabel("recall@10")
    ax.set_ylabel("queries/s of one client = 1 / median latency (log scale)")
    ax.set_yscale("log")
    ax.set_title(f"n={data['n']:,} x {data['dim']}-d, cosine, k={data['k']}")
    ax.grid(True, which="both", alpha=0.3)
    ax.legend(loc="best", fontsize=8)
    fig.tight_layout()
    fig.savefig(png)
    plt.close(fig)


def main(argv: Sequence[str]) -> int:
    """``plot.py RESULTS_JSON OUT_PNG``"""
    if len(argv) != 2:
        print(main.__doc__, file=sys.stderr)
        return 2
    draw(json.loads(Path(argv[0]).read_text()), Path(argv[1]))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
