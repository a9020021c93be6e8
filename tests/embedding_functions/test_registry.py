"""Rebuilding embedding functions by name, and the sentence-transformers function's lazy import."""

from __future__ import annotations

import importlib.machinery
import importlib.util
import json
import sys
import types
from typing import Any, Dict, List

import numpy as np
import pytest

from chromadb.api.types import Documents, Embeddings
from chromadb.errors import InvalidArgumentError
from chromadb.utils import embedding_functions
from chromadb.utils.embedding_functions import (
    SentenceTransformerEmbeddingFunction,
    build_embedding_function,
    known_embedding_functions,
    register_embedding_function,
)


def test_every_function_is_known_by_its_name() -> None:
    for name in ("default", "openai", "cohere", "huggingface", "ollama", "sentence_transformer"):
        cls: Any = known_embedding_functions[name]
        assert cls.name() == name


def test_unknown_name_is_an_error_naming_it() -> None:
    with pytest.raises(InvalidArgumentError, match="'no_such_function'"):
        build_embedding_function("no_such_function", {})


def test_user_functions_can_be_registered(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(
        embedding_functions.registry, "known_embedding_functions", dict(known_embedding_functions)
    )

    class Constant:
        def __init__(self, value: float) -> None:
            self.value = value

        def __call__(self, input: Documents) -> Embeddings:
            return [np.full(2, self.value, dtype=np.float32) for _ in input]

        @staticmethod
        def name() -> str:
            return "constant"

        def get_config(self) -> Dict[str, Any]:
            return {"value": self.value}

        @classmethod
        def build_from_config(cls, config: Dict[str, Any]) -> Constant:
            return cls(config["value"])

    register_embedding_function(Constant)
    rebuilt = embedding_functions.registry.build_embedding_function("constant", {"value": 2.0})
    assert rebuilt(["a"])[0].tolist() == [2.0, 2.0]


def test_public_names_are_exported_and_sorted() -> None:
    names: List[str] = embedding_functions.__all__
    assert names == sorted(names)
    for name in names:
        assert hasattr(embedding_functions, name)


# -- sentence-transformers -------------------------------------------------------------------


def test_sentence_transformers_missing_gives_an_install_hint(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    real_find_spec = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util,
        "find_spec",
        lambda name, *a: None if name == "sentence_transformers" else real_find_spec(name, *a),
    )
    with pytest.raises(ImportError, match="pip install sentence-transformers"):
        SentenceTransformerEmbeddingFunction(model_name="all-MiniLM-L6-v2")


class _FakeModel:
    loads: List[Dict[str, Any]] = []

    def __init__(self, model_name: str, device: str = "cpu", **kwargs: Any) -> None:
        self.loads.append({"model_name": model_name, "device": device, **kwargs})

    def encode(self, texts: List[str], convert_to_numpy: bool, normalize_embeddings: bool) -> Any:
        assert convert_to_numpy
        scale = 1.0 if normalize_embeddings else 2.0
        return np.array([[len(t) * scale, 1.0] for t in texts], dtype=np.float64)


@pytest.fixture
def fake_sentence_transformers(monkeypatch: pytest.MonkeyPatch) -> type:
    module = types.ModuleType("sentence_transformers")
    module.__spec__ = importlib.machinery.ModuleSpec("sentence_transformers", None)
    module.SentenceTransformer = _FakeModel  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "sentence_transformers", module)
    monkeypatch.setattr(SentenceTransformerEmbeddingFunction, "_models", {})
    _FakeModel.loads = []
    return _FakeModel


def test_sentence_transformers_model_loads_lazily_once(fake_sentence_transformers: type) -> None:
    ef = SentenceTransformerEmbeddingFunction(
        model_name="all-MiniLM-L6-v2", trust_remote_code=False
    )
    assert _FakeModel.loads == []
    out: List[Any] = ef(["abc", "de"])
    assert [v.tolist() for v in out] == [[6.0, 1.0], [4.0, 1.0]]
    assert all(v.dtype == np.float32 for v in out)
    SentenceTransformerEmbeddingFunction(model_name="all-MiniLM-L6-v2", trust_remote_code=False)(
        ["x"]
    )
    assert _FakeModel.loads == [
        {"model_name": "all-MiniLM-L6-v2", "device": "cpu", "trust_remote_code": False}
    ]


def test_sentence_transformers_config_round_trip(fake_sentence_transformers: type) -> None:
    ef = SentenceTransformerEmbeddingFunction(
        model_name="paraphrase-MiniLM-L3-v2", device="cpu", normalize_embeddings=True
    )
    config = json.loads(json.dumps(ef.get_config()))
    rebuilt = build_embedding_function("sentence_transformer", config)
    assert rebuilt.get_config() == ef.get_config()
    assert rebuilt(["abc"])[0].tolist() == [3.0, 1.0]
