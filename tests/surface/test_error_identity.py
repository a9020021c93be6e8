"""``chromadb.errors`` is the one source of error identity: every class registers itself by name,
each status has one class, and the server's answers, the HTTP client's translation, the OpenAPI
document and the JS client's table all follow from the classes."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient

from chromadb import errors
from chromadb.api.fastapi import raise_for_answer
from chromadb.config import Settings
from chromadb.server.fastapi import FastAPI
from chromadb.server.js_errors import TARGET, typescript_table

ROOT = Path(__file__).resolve().parents[2]


def _classes() -> list[type[errors.ChromaError]]:
    return [
        v
        for v in vars(errors).values()
        if isinstance(v, type) and issubclass(v, errors.ChromaError)
    ]


def test_a_new_subclass_registers_itself() -> None:
    class SurfaceProbeError(errors.ChromaError):
        status_code = 418

    try:
        assert errors.error_types["SurfaceProbeError"] is SurfaceProbeError
        assert SurfaceProbeError.name() == "SurfaceProbeError"
        assert SurfaceProbeError in errors.status_table()[418]
    finally:
        del errors.error_types["SurfaceProbeError"]


def test_a_name_cannot_be_taken_twice() -> None:
    with pytest.raises(TypeError, match="NotFoundError"):

        class Impostor(errors.ChromaError):  # noqa: F841 - defining it is the test
            error_name = "NotFoundError"


@pytest.mark.parametrize("cls", _classes(), ids=lambda c: c.__name__)
def test_every_class_travels_and_comes_back_as_itself(cls: type[errors.ChromaError]) -> None:
    answer = httpx.Response(cls.status_code, json={"error": cls.name(), "message": "m"})
    with pytest.raises(cls) as raised:
        raise_for_answer(answer)
    assert type(raised.value) is cls


@pytest.mark.parametrize(
    "status, cls",
    [
        (401, errors.AuthError),
        (403, errors.AuthorizationError),
        (404, errors.NotFoundError),
        (409, errors.UniqueConstraintError),
        (413, errors.BatchSizeExceededError),
        (429, errors.RateLimitError),
        (502, errors.InternalError),
    ],
)
def test_an_answer_without_a_name_takes_the_class_of_its_status(status: int, cls: type) -> None:
    with pytest.raises(cls):
        raise_for_answer(httpx.Response(status, text="from a proxy"))


def test_the_server_names_routing_errors_by_the_class_of_their_status() -> None:
    server = FastAPI(Settings())
    try:
        http = TestClient(server.app(), raise_server_exceptions=False)
        missing = http.get("/api/v2/no/such/route")
        assert missing.status_code == 404 and missing.json()["error"] == "NotFoundError"
        wrong = http.delete("/api/v2/heartbeat")
        assert wrong.status_code == 405 and wrong.json()["error"] == "MethodNotAllowed"
        document = http.get("/openapi.json").json()
        responses = document["paths"]["/api/v2/heartbeat"]["get"]["responses"]
        for status, classes in errors.status_table().items():
            if status == 405:
                continue
            described = responses[str(status)]["description"]
            assert all(c.name() in described for c in classes if c is not errors.ChromaError)
    finally:
        server.close()


def test_the_js_client_table_is_written_from_the_classes() -> None:
    written = (ROOT / TARGET).read_text(encoding="utf-8")
    assert written == typescript_table(), "run: python -m chromadb.server.js_errors"


def test_moved_classes_keep_their_old_import_paths() -> None:
    from chromadb.api.fastapi import ChromaConnectionError
    from chromadb.engine.store import FolderInUseError

    assert ChromaConnectionError is errors.ChromaConnectionError
    assert FolderInUseError is errors.FolderInUseError
    assert issubclass(errors.ChromaConnectionError, httpx.ConnectError)
