"""Cluster routes of a Ray frontend: where each shard lives, and rebalancing onto new nodes."""

from __future__ import annotations

from typing import Any, Dict

import fastapi
from starlette.concurrency import run_in_threadpool

from chromadb.distributed.pool import ReplicaPool


def _view(pool: ReplicaPool) -> Dict[str, Any]:
    return {
        "nodes": pool.alive_nodes(),
        "shards": {str(slot): nodes for slot, nodes in pool.placement().items()},
        "catch_ups": list(pool.catch_ups),
    }


def register(application: fastapi.FastAPI, pool: ReplicaPool) -> None:
    """Add ``GET /api/v2/cluster`` and ``POST /api/v2/cluster/rebalance``."""

    async def cluster() -> Dict[str, Any]:
        return await run_in_threadpool(_view, pool)

    async def rebalance() -> Dict[str, Any]:
        await run_in_threadpool(pool.rebalance)
        return await run_in_threadpool(_view, pool)

    application.add_api_route("/api/v2/cluster", cluster, methods=["GET"], tags=["cluster"])
    application.add_api_route(
        "/api/v2/cluster/rebalance", rebalance, methods=["POST"], tags=["cluster"]
    )
