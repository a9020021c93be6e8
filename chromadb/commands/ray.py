"""``chroma run --ray ADDRESS`` (the REST server as a Ray frontend) and ``chroma rebalance``."""

from __future__ import annotations

import argparse
import json
import os
import sys
from typing import Any, Callable, Optional

from chromadb.api import API
from chromadb.config import Settings, System


def add_run_options(run: argparse.ArgumentParser) -> None:
    """The Ray options of ``chroma run``."""
    group = run.add_argument_group("scale-out on Ray (pip install 'chromadb[ray]')")
    group.add_argument(
        "--ray",
        metavar="ADDRESS",
        help="serve collections sharded over this Ray cluster (as ray.init takes it, e.g. "
        "HEAD:6379 or auto); PATH then holds the catalog",
    )
    group.add_argument("--shards", type=int, default=2, help="shards per collection (default 2)")
    group.add_argument(
        "--replicas",
        type=int,
        default=2,
        help="replicas of each shard, on different nodes (default 2)",
    )
    group.add_argument(
        "--shard-data",
        metavar="DIR",
        help="folder on each node for its replicas (default PATH/shards)",
    )


def api_factory(args: argparse.Namespace) -> Optional[Callable[[Settings], API]]:
    """What builds the server's backend: a Ray frontend when ``--ray`` is given, else None."""
    if not getattr(args, "ray", None):
        return None

    def build(settings: Settings) -> API:
        from chromadb.distributed.frontend import RayAPI

        return RayAPI(
            System(settings),
            address=args.ray,
            shards=args.shards,
            replicas=args.replicas,
            data_root=os.path.abspath(args.shard_data) if args.shard_data else None,
        )

    return build


def register(subparsers: Any) -> None:
    """Add ``chroma rebalance``."""
    rebalance = subparsers.add_parser(
        "rebalance",
        help="move shard replicas of a `chroma run --ray` server onto the nodes it now has",
        description="Ask a Ray frontend to place every shard's replicas on the nodes rendezvous "
        "hashing prefers among the live ones (after adding nodes); prints the new placement.",
    )
    rebalance.add_argument("--url", default="http://127.0.0.1:8000", help="the frontend's URL")
    rebalance.set_defaults(handler=_rebalance)


def _rebalance(args: argparse.Namespace) -> int:
    import httpx

    headers = {}
    token = os.environ.get("CHROMA_SERVER_AUTH_CREDENTIALS") or os.environ.get(
        "CHROMA_CLIENT_AUTH_CREDENTIALS"
    )
    if token:
        headers["Authorization"] = f"Bearer {token}"
    try:
        answer = httpx.post(f"{args.url}/api/v2/cluster/rebalance", headers=headers, timeout=3600)
    except httpx.HTTPError as exc:
        print(f"chroma rebalance: cannot reach {args.url}: {exc}", file=sys.stderr)
        return 1
    if answer.status_code != 200:
        print(f"chroma rebalance: {answer.status_code} {answer.text}", file=sys.stderr)
        return 1
    print(json.dumps(answer.json(), indent=2))
    return 0
