"""The embedding functions real Chroma exports beyond the first five: each web service's
function against a local fake of that service (request shape, auth header, answer parsing,
configuration round trip), and each library-bound one raises ImportError naming its package."""

from __future__ import annotations

from typing import Any, Callable, Dict, List

import pytest

from chromadb.utils import embedding_functions as efs
from chromadb.utils.embedding_functions import build_embedding_function

from .fake_service import FakeService, Recorded

TEXTS = ["first text", "second text"]
VECTORS = [[0.1, 0.2, 0.3], [0.4, 0.5, 0.6]]


def _openai_style(request: Recorded) -> Any:
    # Answered out of order: the functions must order by "index".
    return {"data": [{"index": 1, "embedding": VECTORS[1]}, {"index": 0, "embedding": VECTORS[0]}]}


# name: (build from the fake's URL, answer, what the request body must hold)
Case = Dict[str, Any]
CASES: Dict[str, Case] = {
    "jina": {
        "build": lambda url: efs.JinaEmbeddingFunction(api_key="k", api_url=url, task="retrieval.passage"),
        "answer": _openai_style,
        "body": {"input": TEXTS, "model": "jina-embeddings-v2-base-en", "task": "retrieval.passage"},
    },
    "voyageai": {
        "build": lambda url: efs.VoyageAIEmbeddingFunction(api_key="k", api_url=url, input_type="document"),
        "answer": _openai_style,
        "body": {"input": TEXTS, "model": "voyage-large-2", "input_type": "document"},
    },
    "mistral": {
        "build": lambda url: efs.MistralEmbeddingFunction(model="mistral-embed", api_key="k", api_url=url),
        "answer": _openai_style,
        "body": {"input": TEXTS, "model": "mistral-embed"},
    },
    "together_ai": {
        "build": lambda url: efs.TogetherAIEmbeddingFunction("m2-bert", api_key="k", api_url=url),
        "answer": _openai_style,
        "body": {"input": TEXTS, "model": "m2-bert"},
    },
    "morph": {
        "build": lambda url: efs.MorphEmbeddingFunction(api_key="k", api_base=url),
        "answer": _openai_style,
        "body": {"input": TEXTS, "model": "morph-embedding-v2"},
        "path": "/embeddings",
    },
    "baseten": {
        "build": lambda url: efs.BasetenEmbeddingFunction(api_key="k", api_base=url),
        "answer": _openai_style,
        "body": {"input": TEXTS},
        "path": "/embeddings",
    },
    "perplexity": {
        "build": lambda url: efs.PerplexityEmbeddingFunction(api_key="k", api_url=url, dimensions=3),
        "answer": _openai_style,
        "body": {"input": TEXTS, "dimensions": 3},
    },
    "nomic": {
        "build": lambda url: efs.NomicEmbeddingFunction(model="nomic-embed-text-v1.5", task_type="search_document", api_key="k", api_url=url),
        "answer": lambda r: {"embeddings": VECTORS},
        "body": {"texts": TEXTS, "task_type": "search_document"},
    },
    "cloudflare_workers_ai": {
        "build": lambda url: efs.CloudflareWorkersAIEmbeddingFunction("@cf/baai/bge-small", "acct", api_key="k", api_url=url),
        "answer": lambda r: {"result": {"data": VECTORS}, "success": True},
        "body": {"text": TEXTS},
    },
    "roboflow": {
        "build": lambda url: efs.RoboflowEmbeddingFunction(api_key="k", api_url=url),
        "answer": lambda r: {"embeddings": VECTORS},
        "body": {"text": TEXTS, "api_key": "k"},
        "path": "/clip/embed_text",
        "no_bearer": True,
    },
    "huggingface_server": {
        "build": lambda url: efs.HuggingFaceEmbeddingServer(url=url),
        "answer": lambda r: VECTORS,
        "body": {"inputs": TEXTS},
        "no_bearer": True,
    },
}  # fmt: skip


@pytest.mark.parametrize("name", sorted(CASES))
def test_web_service_function_against_a_fake_of_its_service(
    name: str, fake_service: FakeService
) -> None:
    case = CASES[name]
    fake_service.responder = lambda request: (200, case["answer"](request))
    ef = case["build"](fake_service.url)
    vectors = ef(TEXTS)
    assert [list(map(lambda x: round(float(x), 6), v)) for v in vectors] == VECTORS
    request = fake_service.requests[-1]
    assert request.path.endswith(case.get("path", ""))
    for key, value in case["body"].items():
        assert request.body[key] == value, key
    if not case.get("no_bearer"):
        assert request.headers["authorization"] == "Bearer k"
    # The configuration rebuilds the same function (the key comes from its variable).
    assert ef.name() == name
    config = ef.get_config()
    assert "k" not in config.values()


@pytest.mark.parametrize("name", ["jina", "mistral", "nomic"])
def test_a_service_error_names_the_service(name: str, fake_service: FakeService) -> None:
    fake_service.responder = lambda request: (401, {"error": "bad key"})
    ef = CASES[name]["build"](fake_service.url)
    with pytest.raises(efs.EmbeddingServiceError, match="bad key"):
        ef(TEXTS)


def test_a_configuration_rebuilds_the_function(
    fake_service: FakeService, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CHROMA_JINA_API_KEY", "from-env")
    ef = efs.JinaEmbeddingFunction(api_url=fake_service.url, dimensions=3)
    rebuilt = build_embedding_function("jina", ef.get_config())
    fake_service.responder = lambda request: (200, _openai_style(request))
    assert len(rebuilt(TEXTS)) == 2
    assert fake_service.requests[-1].headers["authorization"] == "Bearer from-env"


LIBRARY_BOUND: Dict[str, Callable[[], Any]] = {
    "InstructorEmbedding": lambda: efs.InstructorEmbeddingFunction(),
    "text2vec": lambda: efs.Text2VecEmbeddingFunction(),
    "open-clip-torch": lambda: efs.OpenCLIPEmbeddingFunction(),
    "google-genai": lambda: efs.GoogleGenaiEmbeddingFunction(),
    "google-generativeai": lambda: efs.GoogleGenerativeAiEmbeddingFunction(api_key="k"),
    "google-cloud-aiplatform": lambda: efs.GoogleVertexEmbeddingFunction(),
}


@pytest.mark.parametrize("package", sorted(LIBRARY_BOUND))
def test_a_missing_library_is_an_import_error_naming_it(package: str) -> None:
    with pytest.raises(ImportError, match=f"pip install {package}"):
        LIBRARY_BOUND[package]()


def test_the_langchain_wrapper_serves_both_ways() -> None:
    class Fake:
        def embed_documents(self, texts: List[str]) -> List[List[float]]:
            return [[float(len(t)), 1.0] for t in texts]

        def embed_query(self, text: str) -> List[float]:
            return [float(len(text)), 0.0]

    ef = efs.ChromaLangchainEmbeddingFunction(Fake())
    assert [list(v) for v in ef(["ab", "abc"])] == [[2.0, 1.0], [3.0, 1.0]]
    assert ef.embed_query("abcd") == [4.0, 0.0]
    with pytest.raises(ValueError, match="embed_documents"):
        efs.ChromaLangchainEmbeddingFunction(object())


def test_every_class_real_exports_is_registered_by_its_name() -> None:
    for cls in (
        efs.JinaEmbeddingFunction,
        efs.VoyageAIEmbeddingFunction,
        efs.NomicEmbeddingFunction,
        efs.HuggingFaceEmbeddingServer,
        efs.GoogleGenaiEmbeddingFunction,
    ):
        assert efs.known_embedding_functions[cls.name()] is cls
