"""The web-service embedding functions against a local server that speaks each service's API:
request path and shape, auth header, batching, and error answers turned into clear errors."""

from __future__ import annotations

import json
from typing import Any, List

import numpy as np
import pytest

from chromadb.errors import InvalidArgumentError
from chromadb.utils.embedding_functions import (
    CohereEmbeddingFunction,
    EmbeddingServiceError,
    HuggingFaceEmbeddingFunction,
    OllamaEmbeddingFunction,
    OpenAIEmbeddingFunction,
    build_embedding_function,
)

from .fake_service import FakeService, Recorded

DOCS = ["alpha", "bravo two", "charlie three words", "delta", "echo echo"]


def vector_for(text: str) -> List[float]:
    """What the fake services answer for a text: easy to recognise, distinct per text."""
    return [float(len(text)), float(ord(text[0])), 0.5]


def _expect(got: List[Any], texts: List[str]) -> None:
    assert len(got) == len(texts)
    for vector, text in zip(got, texts):
        assert isinstance(vector, np.ndarray) and vector.dtype == np.float32
        assert vector.tolist() == vector_for(text)


# -- OpenAI ----------------------------------------------------------------------------------


def openai_answer(request: Recorded) -> tuple[int, Any]:
    texts = request.body["input"]
    # OpenAI tags each item with its index; answer in reverse to check they are reordered.
    data = [
        {"object": "embedding", "index": i, "embedding": vector_for(t)} for i, t in enumerate(texts)
    ]
    return 200, {"object": "list", "data": data[::-1], "model": request.body["model"]}


@pytest.fixture
def openai_key(monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("CHROMA_OPENAI_API_KEY", "sk-test-key")
    return "sk-test-key"


def test_openai_request_shape_and_auth(fake_service: FakeService, openai_key: str) -> None:
    fake_service.responder = openai_answer
    ef = OpenAIEmbeddingFunction(
        model_name="text-embedding-3-small",
        api_base=f"{fake_service.url}/v1",
        organization_id="org-1",
        dimensions=3,
    )
    _expect(ef(DOCS[:3]), DOCS[:3])
    (request,) = fake_service.requests
    assert (request.method, request.path) == ("POST", "/v1/embeddings")
    assert request.headers["authorization"] == "Bearer sk-test-key"
    assert request.headers["openai-organization"] == "org-1"
    assert request.body == {
        "input": DOCS[:3],
        "model": "text-embedding-3-small",
        "encoding_format": "float",
        "dimensions": 3,
    }


def test_openai_batches_requests_in_order(fake_service: FakeService, openai_key: str) -> None:
    fake_service.responder = openai_answer
    ef = OpenAIEmbeddingFunction(api_base=fake_service.url, max_batch_size=2)
    _expect(ef(DOCS), DOCS)
    assert [r.body["input"] for r in fake_service.requests] == [DOCS[0:2], DOCS[2:4], DOCS[4:5]]


def test_openai_error_names_the_service_message_and_batch(
    fake_service: FakeService, openai_key: str
) -> None:
    def answer(request: Recorded) -> tuple[int, Any]:
        if "delta" in request.body["input"]:
            return 401, {
                "error": {"message": "Incorrect API key provided", "type": "invalid_request_error"}
            }
        return openai_answer(request)

    fake_service.responder = answer
    ef = OpenAIEmbeddingFunction(api_base=fake_service.url, max_batch_size=2)
    with pytest.raises(EmbeddingServiceError) as info:
        ef(DOCS)
    error = info.value
    assert error.status == 401 and error.service == "OpenAI"
    message = str(error)
    assert "Incorrect API key provided" in message
    assert "documents 2-3 of 5" in message
    assert "CHROMA_OPENAI_API_KEY" in message


def test_openai_azure_deployment(fake_service: FakeService, openai_key: str) -> None:
    fake_service.responder = openai_answer
    ef = OpenAIEmbeddingFunction(
        api_base=fake_service.url, api_type="azure", deployment_id="dep1", api_version="2024-02-01"
    )
    _expect(ef(["one"]), ["one"])
    (request,) = fake_service.requests
    assert request.path == "/openai/deployments/dep1/embeddings?api-version=2024-02-01"
    assert request.headers["api-key"] == "sk-test-key"
    assert "authorization" not in request.headers


def test_openai_needs_a_key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CHROMA_OPENAI_API_KEY", raising=False)
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    with pytest.raises(InvalidArgumentError, match="CHROMA_OPENAI_API_KEY"):
        OpenAIEmbeddingFunction()


def test_openai_config_has_no_secret_and_rebuilds(
    fake_service: FakeService, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MY_OPENAI_KEY", "sk-from-env")
    ef = OpenAIEmbeddingFunction(
        api_key="sk-explicit-secret",
        api_key_env_var="MY_OPENAI_KEY",
        api_base=fake_service.url,
        default_headers={"X-Secret": "hidden"},
    )
    config = json.loads(json.dumps(ef.get_config()))
    assert "sk-explicit-secret" not in json.dumps(config) and "hidden" not in json.dumps(config)
    assert config["api_key_env_var"] == "MY_OPENAI_KEY"
    rebuilt = build_embedding_function("openai", config)
    assert isinstance(rebuilt, OpenAIEmbeddingFunction)
    fake_service.responder = openai_answer
    rebuilt(["x"])
    assert fake_service.requests[0].headers["authorization"] == "Bearer sk-from-env"


# -- Cohere ----------------------------------------------------------------------------------


def cohere_answer(request: Recorded) -> tuple[int, Any]:
    texts = request.body["texts"]
    return 200, {"id": "1", "texts": texts, "embeddings": [vector_for(t) for t in texts]}


@pytest.fixture
def cohere_key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CHROMA_COHERE_API_KEY", "co-test-key")


def test_cohere_request_shape_auth_and_batching(
    fake_service: FakeService, cohere_key: None
) -> None:
    fake_service.responder = cohere_answer
    ef = CohereEmbeddingFunction(
        model_name="embed-english-v3.0", api_url=f"{fake_service.url}/v1/embed", max_batch_size=3
    )
    _expect(ef(DOCS), DOCS)
    first, second = fake_service.requests
    assert (first.method, first.path) == ("POST", "/v1/embed")
    assert first.headers["authorization"] == "Bearer co-test-key"
    assert first.body == {
        "texts": DOCS[:3],
        "model": "embed-english-v3.0",
        "input_type": "search_document",
        "truncate": "END",
    }
    assert second.body["texts"] == DOCS[3:]


def test_cohere_typed_embeddings_answer(fake_service: FakeService, cohere_key: None) -> None:
    fake_service.responder = lambda r: (
        200,
        {"embeddings": {"float": [vector_for(t) for t in r.body["texts"]]}},
    )
    ef = CohereEmbeddingFunction(api_url=fake_service.url)
    _expect(ef(["typed"]), ["typed"])


def test_cohere_rate_limit_is_a_clear_error(fake_service: FakeService, cohere_key: None) -> None:
    fake_service.responder = lambda r: (
        429,
        {"message": "You are using a Trial key, limited to 100 calls"},
    )
    ef = CohereEmbeddingFunction(api_url=fake_service.url)
    with pytest.raises(EmbeddingServiceError, match="429.*Trial key") as info:
        ef(["one", "two"])
    assert info.value.status == 429 and "documents 0-1 of 2" in str(info.value)


def test_cohere_config_round_trip(cohere_key: None) -> None:
    ef = CohereEmbeddingFunction(api_key="co-secret", model_name="embed-multilingual-v3.0")
    config = ef.get_config()
    # Defaults are left out, so Chroma's own clients can read the configuration too.
    assert config == {
        "model_name": "embed-multilingual-v3.0",
        "api_key_env_var": "CHROMA_COHERE_API_KEY",
    }
    rebuilt = build_embedding_function("cohere", config)
    assert rebuilt.get_config() == config
    custom = CohereEmbeddingFunction(
        api_url="http://127.0.0.1:9/v1/embed", input_type="search_query"
    )
    again = build_embedding_function("cohere", json.loads(json.dumps(custom.get_config())))
    assert (again.api_url, again.input_type) == ("http://127.0.0.1:9/v1/embed", "search_query")


# -- Hugging Face ----------------------------------------------------------------------------


@pytest.fixture
def hf_key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CHROMA_HUGGINGFACE_API_KEY", "hf_test")


def test_huggingface_request_shape_auth_and_batching(
    fake_service: FakeService, hf_key: None
) -> None:
    fake_service.responder = lambda r: (200, [vector_for(t) for t in r.body["inputs"]])
    url = f"{fake_service.url}/models/sentence-transformers/all-MiniLM-L6-v2/pipeline/feature-extraction"
    ef = HuggingFaceEmbeddingFunction(api_url=url, max_batch_size=4)
    _expect(ef(DOCS), DOCS)
    first, second = fake_service.requests
    assert (
        first.path == "/models/sentence-transformers/all-MiniLM-L6-v2/pipeline/feature-extraction"
    )
    assert first.headers["authorization"] == "Bearer hf_test"
    assert first.body == {"inputs": DOCS[:4], "options": {"wait_for_model": True}}
    assert second.body["inputs"] == DOCS[4:]


def test_huggingface_default_url_names_the_model(hf_key: None) -> None:
    ef = HuggingFaceEmbeddingFunction(model_name="BAAI/bge-small-en-v1.5")
    assert ef.api_url.endswith("/BAAI/bge-small-en-v1.5/pipeline/feature-extraction")
    assert "api_url" not in ef.get_config()
    custom = HuggingFaceEmbeddingFunction(api_url="http://127.0.0.1:9/embed")
    rebuilt = build_embedding_function("huggingface", custom.get_config())
    assert rebuilt.api_url == "http://127.0.0.1:9/embed"


def test_huggingface_errors(fake_service: FakeService, hf_key: None) -> None:
    ef = HuggingFaceEmbeddingFunction(api_url=fake_service.url)
    fake_service.responder = lambda r: (
        503,
        {"error": "Model is currently loading", "estimated_time": 20.0},
    )
    with pytest.raises(EmbeddingServiceError, match="503.*currently loading"):
        ef(["x"])
    # A model that answers one vector per token is not a sentence-embedding model.
    fake_service.responder = lambda r: (200, [[[0.1, 0.2], [0.3, 0.4]] for _ in r.body["inputs"]])
    with pytest.raises(EmbeddingServiceError, match="malformed embedding"):
        ef(["x"])


# -- Ollama ----------------------------------------------------------------------------------


def test_ollama_batch_endpoint(fake_service: FakeService) -> None:
    fake_service.responder = lambda r: (
        200,
        {"model": r.body["model"], "embeddings": [vector_for(t) for t in r.body["input"]]},
    )
    ef = OllamaEmbeddingFunction(
        url=fake_service.url, model_name="nomic-embed-text", max_batch_size=2
    )
    _expect(ef(DOCS), DOCS)
    assert [r.path for r in fake_service.requests] == ["/api/embed"] * 3
    assert fake_service.requests[0].body == {"model": "nomic-embed-text", "input": DOCS[:2]}
    assert "authorization" not in fake_service.requests[0].headers


def test_ollama_legacy_endpoint_one_text_per_request(fake_service: FakeService) -> None:
    fake_service.responder = lambda r: (200, {"embedding": vector_for(r.body["prompt"])})
    ef = OllamaEmbeddingFunction(url=f"{fake_service.url}/api/embeddings", model_name="all-minilm")
    _expect(ef(DOCS[:3]), DOCS[:3])
    assert [r.body for r in fake_service.requests] == [
        {"model": "all-minilm", "prompt": t} for t in DOCS[:3]
    ]


def test_ollama_missing_model_is_a_clear_error(fake_service: FakeService) -> None:
    fake_service.responder = lambda r: (
        404,
        {"error": 'model "nope" not found, try pulling it first'},
    )
    ef = OllamaEmbeddingFunction(url=fake_service.url, model_name="nope")
    with pytest.raises(EmbeddingServiceError, match="404.*try pulling it first"):
        ef(["x"])


def test_ollama_config_round_trip() -> None:
    ef = OllamaEmbeddingFunction(url="http://127.0.0.1:11434", model_name="mxbai-embed-large")
    rebuilt = build_embedding_function("ollama", json.loads(json.dumps(ef.get_config())))
    assert isinstance(rebuilt, OllamaEmbeddingFunction) and rebuilt.get_config() == ef.get_config()


# -- failures every service shares -----------------------------------------------------------


def test_unreachable_service_is_a_clear_error(closed_port_url: str) -> None:
    ef = OllamaEmbeddingFunction(url=closed_port_url, timeout=5)
    with pytest.raises(EmbeddingServiceError, match="could not be reached") as info:
        ef(["x"])
    assert info.value.status is None and "document 0 of 1" in str(info.value)


def test_answer_with_the_wrong_count_is_an_error(
    fake_service: FakeService, cohere_key: None
) -> None:
    fake_service.responder = lambda r: (200, {"embeddings": [[1.0, 2.0]]})
    ef = CohereEmbeddingFunction(api_url=fake_service.url)
    with pytest.raises(EmbeddingServiceError, match="1 embeddings for documents 0-1 of 2"):
        ef(["one", "two"])


def test_answer_that_is_not_json_is_an_error(fake_service: FakeService, hf_key: None) -> None:
    fake_service.responder = lambda r: (200, b"<html>maintenance</html>")
    ef = HuggingFaceEmbeddingFunction(api_url=fake_service.url)
    with pytest.raises(EmbeddingServiceError, match="not JSON"):
        ef(["x"])


def test_no_documents_means_no_request(fake_service: FakeService, openai_key: str) -> None:
    ef = OpenAIEmbeddingFunction(api_base=fake_service.url)
    assert ef([]) == []
    assert fake_service.requests == []
