"""The default embedding function: all-MiniLM-L6-v2 vectors equal to sentence-transformers'."""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Dict, List

import numpy as np
import pytest

from chromadb.errors import InvalidArgumentError
from chromadb.utils import embedding_functions
from chromadb.utils.embedding_functions import (
    DefaultEmbeddingFunction,
    ONNXMiniLM_L6_V2,
    build_embedding_function,
    onnx_minilm,
)


def _cosines(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return (a * b).sum(axis=1) / (np.linalg.norm(a, axis=1) * np.linalg.norm(b, axis=1))


def test_matches_sentence_transformers_on_reference_texts(
    default_ef: DefaultEmbeddingFunction, reference: List[Dict[str, Any]]
) -> None:
    texts = [item["text"] for item in reference]
    expected = np.array([item["embedding"] for item in reference], dtype=np.float64)
    got = np.array(default_ef(texts), dtype=np.float64)
    cosines = _cosines(got, expected)
    worst = int(np.argmin(cosines))
    assert cosines[worst] >= 0.99999, f"text {worst} ({texts[worst][:40]!r}): cos {cosines[worst]}"


def test_reference_covers_long_and_non_ascii_texts(reference: List[Dict[str, Any]]) -> None:
    # The fixture is only a good oracle if it exercises truncation and non-ASCII tokenisation.
    assert any(item["tokens"] > 256 for item in reference)
    assert sum(1 for item in reference if not item["text"].isascii()) >= 5


def test_output_is_float32_unit_vectors_of_384(default_ef: DefaultEmbeddingFunction) -> None:
    vectors = default_ef(["one", "two words", "and a third, longer sentence"])
    assert len(vectors) == 3
    for v in vectors:
        assert isinstance(v, np.ndarray) and v.dtype == np.float32 and v.shape == (384,)
        assert abs(float(np.linalg.norm(v)) - 1.0) < 1e-5


def test_empty_input_gives_empty_list(default_ef: DefaultEmbeddingFunction) -> None:
    assert default_ef([]) == []


def test_non_string_document_is_rejected_with_its_position(
    default_ef: DefaultEmbeddingFunction,
) -> None:
    with pytest.raises(InvalidArgumentError, match="document 1"):
        default_ef(["fine", 42])  # type: ignore[list-item]


def test_batched_results_equal_one_text_at_a_time(
    default_ef: DefaultEmbeddingFunction, reference: List[Dict[str, Any]]
) -> None:
    # Texts of very different lengths share batches: padding must not change any vector.
    texts = [item["text"] for item in reference] + [f"short text {i}" for i in range(80)]
    together = np.array(default_ef(texts))
    alone = np.array([default_ef([t])[0] for t in texts])
    assert np.allclose(together, alone, atol=1e-5)


def test_order_of_results_follows_input(default_ef: DefaultEmbeddingFunction) -> None:
    texts = ["a long sentence about databases and vectors " * 5, "cat", "a medium sentence here"]
    forward = default_ef(texts)
    backward = default_ef(texts[::-1])
    for i in range(3):
        assert np.allclose(forward[i], backward[2 - i], atol=1e-6)


def test_many_threads_at_once_get_the_same_vectors(default_ef: DefaultEmbeddingFunction) -> None:
    texts = [f"document number {i} about topic {i % 7}" for i in range(40)]
    expected = np.array(default_ef(texts))

    def embed(offset: int) -> np.ndarray:
        # Each thread uses its own instance: all share the one loaded model.
        return np.array(DefaultEmbeddingFunction()(texts[offset:] + texts[:offset]))

    with ThreadPoolExecutor(max_workers=6) as pool:
        results = list(pool.map(embed, range(6)))
    for offset, got in enumerate(results):
        assert np.allclose(np.roll(got, offset, axis=0), expected, atol=1e-5)


def test_model_is_loaded_once_and_shared(default_ef: DefaultEmbeddingFunction) -> None:
    first = onnx_minilm.get_runtime()
    DefaultEmbeddingFunction()(["another instance"])
    assert onnx_minilm.get_runtime() is first


def test_creating_one_is_cheap_and_loads_nothing() -> None:
    # A folder that does not exist only fails when the function is called.
    ef = DefaultEmbeddingFunction(model_path="/nonexistent/model/folder")
    assert ef.name() == "default"


def test_name_and_config_round_trip() -> None:
    ef = DefaultEmbeddingFunction()
    assert DefaultEmbeddingFunction.name() == "default"
    assert ef.get_config() == {}
    rebuilt = build_embedding_function("default", json.loads(json.dumps(ef.get_config())))
    assert isinstance(rebuilt, DefaultEmbeddingFunction) and rebuilt == ef
    custom = DefaultEmbeddingFunction(model_path="/models/minilm")
    again = DefaultEmbeddingFunction.build_from_config(custom.get_config())
    assert again.model_path == "/models/minilm"


def test_chroma_names_are_available() -> None:
    assert ONNXMiniLM_L6_V2 is DefaultEmbeddingFunction
    assert embedding_functions.DefaultEmbeddingFunction is DefaultEmbeddingFunction
    assert isinstance(DefaultEmbeddingFunction(), embedding_functions.EmbeddingFunction)


def test_batches_group_similar_lengths() -> None:
    lengths = [5, 200, 6, 190, 7, 180]
    batches = onnx_minilm._length_sorted_batches(lengths, max_texts=3)
    assert batches == [[0, 2, 4], [5, 3, 1]]
    # The token budget splits a batch of long texts before the text limit does.
    long_batches = onnx_minilm._length_sorted_batches([256] * 40, max_texts=64)
    assert all(len(b) * 256 <= onnx_minilm.BATCH_TOKENS for b in long_batches)
    assert sorted(i for b in long_batches for i in b) == list(range(40))
