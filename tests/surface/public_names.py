"""List the public names of chromadb's modules, in whatever chromadb the running python has.

Run by the oracle python (real chromadb) to write ``real_names_<version>.json``, and imported by
the test to list ours the same way. A name is public when it does not start with ``_`` and is not
something the module merely imported from outside chromadb (``Dict``, ``os``, ``np``, a logger,
a TypeVar): those are no promise of the module.

    python tests/surface/public_names.py OUT.json
"""

from __future__ import annotations

import importlib
import json
import logging
import pkgutil
import sys
import types
from typing import Any, Dict, List, TypeVar

# Modules whose own names are listed; packages among them also have their submodules walked.
ROOTS = (
    "chromadb",
    "chromadb.api",
    "chromadb.api.types",
    "chromadb.api.client",
    "chromadb.api.models",
    "chromadb.api.shared_system_client",
    "chromadb.api.collection_configuration",
    "chromadb.api.configuration",
    "chromadb.api.fastapi",
    "chromadb.api.async_api",
    "chromadb.api.async_client",
    "chromadb.api.async_fastapi",
    "chromadb.api.base_http_client",
    "chromadb.auth",
    "chromadb.base_types",
    "chromadb.config",
    "chromadb.errors",
    "chromadb.utils",
    "chromadb.utils.embedding_functions",
)
WALK = (
    "chromadb.api.models",
    "chromadb.utils",
    "chromadb.utils.embedding_functions",
    "chromadb.auth",
)

_FOREIGN_MODULES = (
    "typing",
    "typing_extensions",
    "collections",
    "collections.abc",
    "abc",
    "dataclasses",
    "enum",
    "uuid",
    "pathlib",
    "functools",
    "numpy",
    "numpy.typing",
    "pydantic",
    "overrides",
    "httpx",
    "json",
    "asyncio",
    "graphlib",
    "contextlib",
)


def _foreign_ids() -> set[int]:
    ids: set[int] = set()
    for name in _FOREIGN_MODULES:
        try:
            module = importlib.import_module(name)
        except ImportError:
            continue
        ids |= {id(v) for k, v in vars(module).items() if not k.startswith("_")}
    return ids


def _is_public(name: str, value: Any, foreign: set[int]) -> bool:
    if name.startswith("_"):
        return False
    if isinstance(value, types.ModuleType):
        return value.__name__.startswith("chromadb")
    if id(value) in foreign or isinstance(value, (TypeVar, logging.Logger)):
        return False
    if _is_alias(value):
        return True  # a type alias the module defines (``IDs = List[ID]``)
    module = getattr(value, "__module__", None)
    if isinstance(value, type) or callable(value):
        return isinstance(module, str) and module.startswith("chromadb")
    return True


def _is_alias(value: Any) -> bool:
    return not isinstance(value, type) and type(value).__module__ in ("typing", "types")


def modules_to_list() -> List[str]:
    """ROOTS plus the submodules of the WALK packages (those that import)."""
    found = list(ROOTS)
    for package in WALK:
        try:
            module = importlib.import_module(package)
        except ImportError:
            continue
        for info in pkgutil.iter_modules(getattr(module, "__path__", [])):
            found.append(f"{package}.{info.name}")
    return sorted(set(found))


def _origin(value: Any) -> Any:
    if isinstance(value, types.ModuleType):
        return value.__name__
    module = getattr(value, "__module__", None)
    if _is_alias(value):
        return None
    return module if isinstance(value, type) or callable(value) else None


def public_names(modules: List[str]) -> Dict[str, Any]:
    """{module: {name: where it is defined (None for constants and aliases)}}, or
    {module: {"error": why it did not import}}."""
    foreign = _foreign_ids()
    out: Dict[str, Any] = {}
    for name in modules:
        try:
            module = importlib.import_module(name)
        except Exception as exc:  # an optional SDK missing, say: recorded, not fatal
            out[name] = {"error": f"{type(exc).__name__}: {exc}"}
            continue
        out[name] = {
            n: _origin(v) for n, v in sorted(vars(module).items()) if _is_public(n, v, foreign)
        }
    return out


if __name__ == "__main__":
    import chromadb

    listing = {"version": chromadb.__version__, "modules": public_names(modules_to_list())}
    with open(sys.argv[1], "w", encoding="utf-8") as fh:
        json.dump(listing, fh, indent=1, sort_keys=True)
        fh.write("\n")
