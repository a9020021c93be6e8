"""The official npm `chromadb` clients, unmodified, against our server.

Each version is installed once into a folder of its own (see installers.py) and
runs the same scenario: create / get / list / add / query (embeddings and
texts) / filtered get / update / upsert / delete / count / peek / modify /
delete collection / reset, with every answer asserted in expectations.py.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from . import installers
from .expectations import Names, check_routes, check_scenario
from .harness import RunningServer, run_scenario

pytestmark = pytest.mark.compat

SCENARIOS = Path(__file__).parent / "scenarios"

# version -> (scenario script, route family, whether the client has countCollections)
NPM_CLIENTS = {
    "1.5.11": ("scenario.cjs", "v1", False),
    "1.8.1": ("scenario.cjs", "v1-tenant-params", True),
    "1.10.5": ("scenario.cjs", "v2", True),
    "2.4.6": ("scenario.cjs", "v2", True),
    "3.5.0": ("scenario_v3.mjs", "v2", True),  # ESM, base64 embeddings, configuration
}


@pytest.mark.parametrize("version", list(NPM_CLIENTS))
def test_npm_client(version: str, chroma_server: RunningServer) -> None:
    node = shutil.which("node")
    if node is None or shutil.which("npm") is None:
        pytest.skip("node/npm not on PATH")
    try:
        install_dir = installers.npm_client(version)
    except installers.RegistryUnreachable as exc:
        pytest.skip(f"npm registry unreachable: {exc}")
    script, family, counts_collections = NPM_CLIENTS[version]
    tag = "v" + version.replace(".", "_")
    mark = chroma_server.log_mark()
    out = run_scenario(
        [node, str(SCENARIOS / script), str(install_dir), chroma_server.url, tag],
        env=dict(os.environ),
        server=chroma_server,
    )
    check_scenario(
        out, Names.of("js", tag), client_version=version, counts_collections=counts_collections
    )
    check_routes(chroma_server.requests_since(mark), family)
