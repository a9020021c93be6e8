"""The documents a new user reads are there and true: links resolve, the license is the one the
package declares, and the environment settings are the same in the README, in
``chroma run --help`` and in ``Settings``."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest

from chromadb.cli import main
from chromadb.config import Settings
from chromadb.server.environment import SERVER_ENVIRONMENT

ROOT = Path(__file__).resolve().parents[2]
READMES = [ROOT / "README.md", ROOT / "clients" / "js" / "README.md"]


@pytest.mark.parametrize("readme", READMES, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_relative_link_points_at_a_file_of_the_repository(readme: Path) -> None:
    text = readme.read_text()
    # Markdown links, and document paths written as code (`docs/compat.md`).
    links = re.findall(r"\]\(([^)\s]+)\)", text) + re.findall(r"`(docs/[\w./-]+)`", text)
    local = [link.split("#")[0] for link in links if not re.match(r"[a-z]+:", link)]
    for link in local:
        target = (readme.parent / link).resolve()
        assert target.exists(), f"{readme.name} links to {link}, which does not exist"
        assert ROOT in target.parents, f"{readme.name} links to {link}, outside the repository"


def test_the_license_is_the_apache_text_the_package_declares() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    assert project["license"] == "Apache-2.0"
    text = (ROOT / "LICENSE").read_text()
    assert "Apache License" in text and "Version 2.0, January 2004" in text
    assert "END OF TERMS AND CONDITIONS" in text


def test_changelog_has_an_entry_for_the_declared_version() -> None:
    from chromadb import __version__

    changelog = (ROOT / "CHANGELOG.md").read_text()
    assert re.search(rf"^## {re.escape(__version__)}\b", changelog, re.M)


def test_the_rest_contract_lives_in_docs() -> None:
    compat = (ROOT / "docs" / "compat.md").read_text()
    assert "max_batch_size" in compat and "/api/v2/tenants" in compat
    assert "docs/compat.md" in (ROOT / "README.md").read_text()


def test_every_server_environment_variable_is_a_setting() -> None:
    fields = {name.upper() for name in Settings.model_fields}
    for name, _ in SERVER_ENVIRONMENT:
        assert name in fields, f"{name} is not a Settings field"


def test_run_help_lists_the_environment_and_the_make_variables(
    capsys: pytest.CaptureFixture[str],
) -> None:
    with pytest.raises(SystemExit):
        main(["run", "--help"])
    out = capsys.readouterr().out
    for name, _ in SERVER_ENVIRONMENT:
        assert name in out
    for variable in ("HOST", "PORT", "DATA", "WORKERS"):
        assert variable in out


def test_readme_lists_the_environment_and_the_make_variables() -> None:
    readme = (ROOT / "README.md").read_text()
    table = {m for m in re.findall(r"^\| `([A-Z_]+)`", readme, re.M)}
    for name, _ in SERVER_ENVIRONMENT:
        assert name in table or f"`{name}`" in readme, f"README does not list {name}"
    makefile = (ROOT / "Makefile").read_text()
    for variable in ("HOST", "PORT", "DATA", "WORKERS"):
        assert re.search(rf"^{variable} \?=", makefile, re.M)
        assert f"`{variable}`" in readme, f"README does not name the Makefile's {variable}"


def test_readme_warns_that_the_distribution_name_is_chromas() -> None:
    readme = " ".join((ROOT / "README.md").read_text().split())
    name = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["name"]
    assert name == "chromadb"  # frameworks require this distribution name (docs/compat.md)
    assert "same as Chroma's own package" in readme and "uninstalls the other" in readme
