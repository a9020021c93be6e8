"""Every public module and name of real chromadb 1.5.9 exists in ours, except the internals listed
below with the reason, and the names still pending (listed with what they wait for).

``real_names_1_5_9.json`` is what ``public_names.py`` lists when run by the real package's python;
``test_the_snapshot_is_what_real_1_5_9_lists`` rebuilds it from the oracle venv to keep it honest.
Names that a module merely re-exports (and its aliases and constants, whose origin a listing
cannot tell) count only on the modules users import from (``SURFACE``); elsewhere only the
classes and functions the module defines count.
"""

from __future__ import annotations

import importlib
import json
import subprocess
from pathlib import Path
from typing import Any, Dict, Set

import pytest

from tests.surface.public_names import public_names

HERE = Path(__file__).resolve().parent
SNAPSHOT = HERE / "real_names_1_5_9.json"

SURFACE = {
    "chromadb",
    "chromadb.api",
    "chromadb.api.types",
    "chromadb.config",
    "chromadb.errors",
    "chromadb.utils.embedding_functions",
}

# Whole modules that are real Chroma's internals, with the reason no user code needs them.
INTERNAL_MODULES: Dict[str, str] = {
    "chromadb.utils.async_to_sync": "helper real uses to build its sync client from the async one",
    "chromadb.utils.delete_file": "file cleanup helper of real's engine",
    "chromadb.utils.directory": "folder size helper of real's telemetry",
    "chromadb.utils.lru_cache": "cache of real's segment manager",
    "chromadb.utils.messageid": "message ids of real's Pulsar log (distributed mode)",
    "chromadb.utils.read_write_lock": "lock of real's engine (ours is chromadb.engine.rwlock)",
    "chromadb.utils.rendezvous_hash": "shard routing of real's distributed frontend",
    "chromadb.utils.statistics": "Chroma Cloud attached statistics functions",
    "chromadb.api.models.AttachedFunction": "Chroma Cloud attached functions",
    "chromadb.utils.embedding_functions.schemas": "real's JSON-schema files for its own EF configs",
    "chromadb.utils.embedding_functions.chroma_cloud_qwen_embedding_function": "Chroma Cloud's hosted model",
}

# Single names that are internals: Rust bindings, telemetry, Chroma Cloud.
INTERNAL_NAMES: Dict[str, str] = {
    "RustClient": "real's Rust engine bindings",
    "CloudClient": "Chroma Cloud (a hosted service; no server of ours to point it at)",
    "CloudClientArg": "Chroma Cloud",
    "ChromaCloudQwenEmbeddingFunction": "Chroma Cloud's hosted embedding model",
    "Cmek": "Chroma Cloud customer-managed encryption keys",
    "CmekProvider": "Chroma Cloud customer-managed encryption keys",
    "AttachedFunction": "Chroma Cloud attached functions",
    "Function": "Chroma Cloud attached functions",
    "functions": "Chroma Cloud attached functions",
    "IN_COLAB": "real's Google Colab probe",
    "is_in_colab": "real's Google Colab probe",
    "telemetry": "real's product telemetry (ours sends none)",
    "ProductTelemetryClient": "real's product telemetry (ours sends none)",
    "ClientStartEvent": "real's product telemetry (ours sends none)",
    "OpenTelemetryClient": "real's tracing",
    "OpenTelemetryGranularity": "real's tracing",
    "trace_method": "real's tracing",
    "serde": "real's internal serialisation module",
    "execution": "real's query-plan package (Search API internals)",
    "chromadb": "the module's own name, bound by an import inside real's package",
    "annotations": "`from __future__ import annotations`",
    "async_to_sync": "see INTERNAL_MODULES",
    "get_class": "real's dotted-path loader for its own components",
    "get_fqn": "real's dotted-path loader for its own components",
    "LEGACY_ERROR": "real's message for removed pre-0.4 settings; ours serves those settings",
    "RoutingMode": "real's distributed-mode routing",
}

# Not yet ours: nothing left of the Search API and sparse vectors (tests/search has them).
PENDING_SEARCH: Set[str] = set()


# Not yet ours, module by module (None: the whole module); each leaves this list when it lands.
NOT_YET: Dict[str, Any] = {}


def _wanted(module: str, names: Dict[str, Any]) -> Set[str]:
    if module in SURFACE:
        return set(names)
    return {n for n, origin in names.items() if origin == module}


def _has(module: Any, name: str, origin: Any) -> bool:
    if hasattr(module, name):
        return True
    if origin == f"{module.__name__}.{name}":  # a submodule: it exists once imported
        try:
            importlib.import_module(origin)
        except ImportError:
            return False
        return True
    return False


def _snapshot() -> Dict[str, Any]:
    return dict(json.loads(SNAPSHOT.read_text(encoding="utf-8"))["modules"])


def _missing() -> Dict[str, Any]:
    missing: Dict[str, Any] = {}
    for module_name, names in _snapshot().items():
        if "error" in names or module_name in INTERNAL_MODULES:
            continue
        if module_name in NOT_YET and NOT_YET[module_name] is None:
            continue
        wanted = _wanted(module_name, names) - set(INTERNAL_NAMES) - PENDING_SEARCH
        # A submodule left out whole is left out as a name of its package too.
        wanted -= {n for n in wanted if f"{module_name}.{n}" in INTERNAL_MODULES}
        wanted -= NOT_YET.get(module_name) or set()
        try:
            module = importlib.import_module(module_name)
        except ImportError as exc:
            missing[module_name] = f"{type(exc).__name__}: {exc}"
            continue
        # hasattr, not vars(): a name a module provides lazily (__getattr__) exists too.
        absent = sorted(name for name in wanted if not _has(module, name, names[name]))
        if absent:
            missing[module_name] = absent
    return missing


def test_every_public_name_of_real_1_5_9_exists_in_ours() -> None:
    missing = _missing()
    assert not missing, json.dumps(missing, indent=1)


def test_the_exceptions_are_still_exceptions() -> None:
    # An internal or pending name that exists in ours now should leave the lists.
    real = _snapshot()
    ours = public_names(sorted(real))
    present = {n for names in ours.values() if "error" not in names for n in names}
    assert not (PENDING_SEARCH & present), sorted(PENDING_SEARCH & present)


@pytest.mark.compat
def test_the_snapshot_is_what_real_1_5_9_lists(tmp_path: Path) -> None:
    from tests.compat.installers import embedded_chroma

    python = embedded_chroma("1.5.9")
    out = tmp_path / "names.json"
    subprocess.run(
        [str(python), str(HERE / "public_names.py"), str(out)],
        check=True,
        cwd=tmp_path,
        timeout=300,
    )
    assert json.loads(out.read_text())["modules"] == _snapshot()
