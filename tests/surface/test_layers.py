"""Imports point down the layers (DESIGN.md): the leaf modules import nothing of chromadb, and
config does not reach up into the API package."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2] / "chromadb"


def _chromadb_imports(relative: str) -> set[str]:
    """Every chromadb module a file imports, at any depth (lazy imports too)."""
    tree = ast.parse((PACKAGE / relative).read_text(encoding="utf-8"))
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("chromadb"):
            found.add(node.module)
        elif isinstance(node, ast.Import):
            found |= {a.name for a in node.names if a.name.startswith("chromadb")}
    return found


@pytest.mark.parametrize("leaf", ["_version.py", "base_types.py"])
def test_leaf_modules_import_nothing_of_chromadb(leaf: str) -> None:
    assert _chromadb_imports(leaf) == set()


def test_config_does_not_import_the_api_package() -> None:
    assert not {m for m in _chromadb_imports("config.py") if m.startswith("chromadb.api")}


def test_errors_import_nothing_of_chromadb() -> None:
    assert _chromadb_imports("errors.py") == set()


def test_the_collection_does_not_import_the_api_interface_at_run_time() -> None:
    tree = ast.parse((PACKAGE / "api/models/Collection.py").read_text(encoding="utf-8"))
    for node in tree.body:  # top level only; `if TYPE_CHECKING:` blocks are not run
        if isinstance(node, ast.ImportFrom):
            assert node.module != "chromadb.api", ast.unparse(node)


def test_the_server_does_not_import_the_http_client() -> None:
    for path in (PACKAGE / "server").glob("*.py"):
        imports = _chromadb_imports(str(path.relative_to(PACKAGE)))
        assert "chromadb.api.fastapi" not in imports, path.name


def test_collection_handles_need_no_embedding_function_import() -> None:
    # The sentinel and configuration helpers live below both the client methods and Collection.
    from chromadb.api import DEFAULT_EMBEDDING_FUNCTION
    from chromadb.api import collection_configuration as cc

    assert DEFAULT_EMBEDDING_FUNCTION is cc.DEFAULT_EMBEDDING_FUNCTION
