"""The official Python clients, unmodified, against our server.

PyPI `chromadb-client` 0.5.15 (/api/v1 + tenant params), 0.6.3 and 1.5.9
(/api/v2), and `chromadb` 0.3.29 in REST mode (installed without its embedded
engine's dependencies). Each lives in a virtualenv of its own (installers.py)
and runs scenarios/scenario_py.py with its own interpreter.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from . import installers
from .expectations import Names, check_routes, check_scenario
from .harness import RunningServer, run_scenario

pytestmark = pytest.mark.compat

SCENARIO = Path(__file__).parent / "scenarios" / "scenario_py.py"

# (distribution, version, route family)
PYTHON_CLIENTS = [
    ("chromadb-client", "0.5.15", "v1-tenant-params"),
    ("chromadb-client", "0.6.3", "v2"),
    ("chromadb-client", "1.5.9", "v2"),
    ("chromadb", "0.3.29", "v1"),
]


@pytest.mark.parametrize(
    ("distribution", "version", "family"),
    PYTHON_CLIENTS,
    ids=[f"{d}-{v}" for d, v, _ in PYTHON_CLIENTS],
)
def test_python_client(
    distribution: str, version: str, family: str, chroma_server: RunningServer
) -> None:
    try:
        python = installers.python_client(distribution, version)
    except installers.RegistryUnreachable as exc:
        pytest.skip(f"package index unreachable: {exc}")
    tag = version.replace(".", "_")
    # The client runs in its own virtualenv: keep our venv's settings out of it.
    env = {
        k: v for k, v in os.environ.items() if k not in ("VIRTUAL_ENV", "PYTHONPATH", "PYTHONHOME")
    }
    env["ANONYMIZED_TELEMETRY"] = "False"
    mark = chroma_server.log_mark()
    out = run_scenario(
        [str(python), str(SCENARIO), chroma_server.url, tag],
        env=env,
        server=chroma_server,
    )
    check_scenario(
        out, Names.of("py", tag), client_version=version, counts_collections=version != "0.3.29"
    )
    check_routes(chroma_server.requests_since(mark), family)
