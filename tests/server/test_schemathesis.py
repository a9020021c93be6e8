"""Schemathesis against our own /openapi.json on a live server: no answer is a 5xx, every answer
matches the schema (status, content type, body), and schema-invalid input gets a 4xx.

Bounded and derandomized: a few positive and negative examples per operation. Routes that name
a collection are also run against a seeded collection, so that generated bodies reach the
engine's own validation instead of stopping at "no such collection".
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Dict, Iterator, List, Optional, Tuple, cast

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode
from schemathesis.specs.openapi.checks import positive_data_acceptance
from server_helpers import LiveServer

from chromadb.api import API
from chromadb.config import Settings
from chromadb.server.fastapi import FastAPI

SEEDED = "seeded"
EXAMPLES = 5
SEEDED_PATH = {"tenant": "default_tenant", "database": "default_database", "collection": SEEDED}


def _negatable(operation: Dict[str, Any]) -> bool:
    """Whether any input of the operation can be schema-invalid (a string in the path cannot)."""
    if operation.get("requestBody"):
        return True
    return any(p["schema"].get("type") != "string" for p in operation.get("parameters", []))


def _operations() -> List[Tuple[str, str, bool]]:
    """(path, method, whether invalid input exists) for every documented operation."""
    # The document does not depend on the backend, so a placeholder stands in for the engine.
    document = FastAPI(Settings(), api=cast(API, object())).app().openapi()
    return [
        (path, method.upper(), _negatable(op))
        for path, item in document["paths"].items()
        for method, op in item.items()
    ]


def _seed(server: FastAPI) -> None:
    api = server.api
    model = api._create_collection(SEEDED, get_or_create=True)
    if api._count(model.id) == 0:
        api._add(
            model.id,
            ["a", "b", "c"],
            [[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]],
            metadatas=[{"n": 1, "s": "x"}, {"n": 2, "s": "y"}, {"n": 3, "flag": True}],
            documents=["alpha", "beta", "gamma"],
        )


class Fuzzed:
    def __init__(self, server: FastAPI, live: LiveServer) -> None:
        self.server = server
        self.live = live
        self.schema = schemathesis.openapi.from_url(live.url + "/openapi.json")


@pytest.fixture(scope="module")
def fuzzed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Fuzzed]:
    # Reset and raw SQL stay off (403), so the seeded data survives the run.
    path: Path = tmp_path_factory.mktemp("schemathesis")
    server = FastAPI(Settings(is_persistent=True, persist_directory=str(path / "data")))
    live = LiveServer(server.app()).start()
    _seed(server)
    try:
        yield Fuzzed(server, live)
    finally:
        live.stop()
        server.close()


def _run(
    fuzzed: Fuzzed, operation: Any, mode: GenerationMode, path: Optional[Dict[str, str]]
) -> None:
    @given(case=operation.as_strategy(generation_mode=mode, path_parameters=path))
    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    def check(case: Any) -> None:
        if path is not None:
            _seed(fuzzed.server)  # a generated DELETE may have removed it
        # positive_data_acceptance wants every schema-valid request to succeed; ours may still
        # be refused for what a schema cannot say (an unknown id, a filter on a missing key ...).
        case.call_and_validate(excluded_checks=[positive_data_acceptance])

    check()


@pytest.mark.parametrize("path, method, negatable", _operations())
def test_route_answers_within_its_schema(
    fuzzed: Fuzzed, path: str, method: str, negatable: bool
) -> None:
    operation = fuzzed.schema[path][method]
    modes = [GenerationMode.POSITIVE] + ([GenerationMode.NEGATIVE] if negatable else [])
    seeded = {k: v for k, v in SEEDED_PATH.items() if "{" + k + "}" in path}
    for mode in modes:
        _run(fuzzed, operation, mode, None)
        if "collection" in seeded:
            _run(fuzzed, operation, mode, seeded)
