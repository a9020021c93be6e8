"""The ``chroma`` command line, ``chromadb.app`` for uvicorn, and the offline API docs."""

from __future__ import annotations

import importlib
import re
import subprocess
import sys
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from chromadb import __version__
from chromadb.cli import main
from chromadb.engine.store import Store


def test_help_names_the_run_command(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as done:
        main(["--help"])
    assert done.value.code == 0
    assert "run" in capsys.readouterr().out


def test_run_help_lists_its_options(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["run", "--help"])
    out = capsys.readouterr().out
    for option in ("--path", "--host", "--port", "--log-level"):
        assert option in out
    assert "127.0.0.1" in out  # binds loopback unless told otherwise


def test_no_command_prints_help_and_fails(capsys: pytest.CaptureFixture[str]) -> None:
    assert main([]) == 2
    assert "run" in capsys.readouterr().out


def test_module_entry_point_reports_the_version() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "chromadb.cli", "--version"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0 and __version__ in done.stdout


@pytest.mark.parametrize("workers", ["1", "2"])
def test_a_folder_held_by_maintenance_is_a_clean_error(tmp_path: Path, workers: str) -> None:
    # Other servers and clients on the folder are fine; a maintenance command holds it alone.
    held = Store(str(tmp_path / "d"), exclusive=True)
    try:
        done = subprocess.run(
            [sys.executable, "-m", "chromadb.cli", "run", "--path", str(tmp_path / "d"),
             "--port", "0", "--workers", workers],
            capture_output=True,
            text=True,
            timeout=60,
        )  # fmt: skip
    finally:
        held.close()
    assert done.returncode == 1
    assert "Cannot open the data" in done.stderr and "Traceback" not in done.stderr


def test_app_module_is_configured_by_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("IS_PERSISTENT", "TRUE")
    monkeypatch.setenv("PERSIST_DIRECTORY", str(tmp_path / "env-data"))
    monkeypatch.setenv("CHROMA_SERVER_AUTH_CREDENTIALS", "from-env")
    previous = sys.modules.get("chromadb.app")
    if previous is not None:  # imported earlier: build it again under this environment
        previous.server.close()
        module = importlib.reload(previous)
    else:
        module = importlib.import_module("chromadb.app")
    try:
        with TestClient(module.app) as http:
            assert http.get("/api/v2/heartbeat").status_code == 200
            assert http.get("/api/v2/tenants/default_tenant").status_code == 401
            headers = {"X-Chroma-Token": "from-env"}
            assert http.get("/api/v2/tenants/default_tenant", headers=headers).status_code == 200
        assert (tmp_path / "env-data").exists()
    finally:
        module.server.close()


def test_docs_page_works_offline(http: TestClient) -> None:
    page = http.get("/docs")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    # Everything it loads is on this server: no CDN, no absolute URL.
    assert re.findall(r"""(?:src|href)\s*=\s*["']https?:""", page.text) == []
    assert re.findall(r"""(?:fetch|import)\(\s*["']https?:""", page.text) == []
    assert "/openapi.json" in page.text


def test_openapi_document_covers_both_generations(http: TestClient) -> None:
    document = http.get("/openapi.json").json()
    paths = document["paths"]
    for path in (
        "/api/v1/heartbeat",
        "/api/v1/collections/{collection}/query",
        "/api/v1/raw_sql",
        "/api/v2/pre-flight-checks",
        "/api/v2/tenants/{tenant}/databases/{database}/collections/{collection}/add",
    ):
        assert path in paths
    add = paths["/api/v2/tenants/{tenant}/databases/{database}/collections/{collection}/add"][
        "post"
    ]
    assert "201" in add["responses"] and "400" in add["responses"] and "422" not in add["responses"]
