"""``chromadb.__all__`` (and each public module's ``__all__``) is sorted and complete: every
public name the package defines is listed, and every listed name exists."""

from __future__ import annotations
import __future__

import importlib
import types
import typing

import pytest

import chromadb

REQUIRED = [
    "AdminClient",
    "Client",
    "Collection",
    "EphemeralClient",
    "HttpClient",
    "PersistentClient",
    "Settings",
    "__version__",
]


def _public_names(module: types.ModuleType) -> set:
    """Names a user can reach on the module that are not submodules, typing helpers or
    ``from __future__`` features (those are not part of the API)."""
    names = set()
    for name, value in vars(module).items():
        if name.startswith("_"):
            continue
        if isinstance(value, (types.ModuleType, __future__._Feature)):
            continue
        if getattr(value, "__module__", None) in ("typing", "typing_extensions", "collections.abc"):
            continue
        if value is typing.Any:
            continue
        names.add(name)
    return names


def test_all_is_sorted_and_complete() -> None:
    exported = list(chromadb.__all__)
    assert exported == sorted(exported)
    assert len(exported) == len(set(exported))
    missing = [n for n in exported if not hasattr(chromadb, n)]
    assert not missing, f"listed but not defined: {missing}"
    unlisted = sorted(_public_names(chromadb) - set(exported))
    assert not unlisted, f"public but not in __all__: {unlisted}"
    assert set(REQUIRED) <= set(exported)


def test_version_is_a_1x_release() -> None:
    assert chromadb.__version__.split(".")[0] == "1"


@pytest.mark.parametrize(
    "module",
    [
        "chromadb.errors",
        "chromadb.api",
        "chromadb.api.models.Collection",
        "chromadb.config",
        "chromadb.api.types",
    ],
)
def test_module_all_is_sorted_and_defined(module: str) -> None:
    mod = importlib.import_module(module)
    exported = getattr(mod, "__all__", None)
    if exported is None:
        pytest.fail(f"{module} has no __all__")
    assert list(exported) == sorted(exported)
    assert not [n for n in exported if not hasattr(mod, n)]


def test_every_error_class_is_registered_by_name() -> None:
    from chromadb import errors

    classes = [
        v
        for v in vars(errors).values()
        if isinstance(v, type) and issubclass(v, errors.ChromaError)
    ]
    for cls in classes:
        assert errors.error_types[cls.name()] is cls
