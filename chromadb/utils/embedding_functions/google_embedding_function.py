"""Google embeddings through Google's SDKs: ``google-genai`` (Gemini: ``GoogleGenaiEmbeddingFunction``,
also ``GoogleGeminiEmbeddingFunction``), ``google-generativeai`` (``GoogleGenerativeAiEmbeddingFunction``,
``GooglePalmEmbeddingFunction``) and ``google-cloud-aiplatform`` (``GoogleVertexEmbeddingFunction``).
Each raises ImportError naming its package when that is missing."""

from __future__ import annotations

import os
from typing import Any, Optional

from chromadb.api.types import Documents, Embeddings
from chromadb.utils.embedding_functions._library import LibraryEmbeddingFunction, require
from chromadb.utils.embedding_functions.base import check_documents, resolve_api_key, to_embeddings

__all__ = [
    "GoogleGeminiEmbeddingFunction",
    "GoogleGenaiEmbeddingFunction",
    "GoogleGenerativeAiEmbeddingFunction",
    "GooglePalmEmbeddingFunction",
    "GoogleVertexEmbeddingFunction",
]


class GoogleGenaiEmbeddingFunction(LibraryEmbeddingFunction):
    """Gemini embeddings with the ``google-genai`` SDK (API key, or Vertex AI project)."""

    NAME = "google_gemini"
    CONFIG_KEYS = (
        "model_name",
        "task_type",
        "dimension",
        "api_key_env_var",
        "vertexai",
        "project",
        "location",
    )

    def __init__(
        self,
        model_name: str = "gemini-embedding-001",
        task_type: Optional[str] = None,
        dimension: Optional[int] = None,
        api_key_env_var: Optional[str] = "GEMINI_API_KEY",
        vertexai: Optional[bool] = None,
        project: Optional[str] = None,
        location: Optional[str] = None,
    ) -> None:
        genai = require("google.genai", "google-genai", type(self).__name__)
        self.model_name, self.task_type, self.dimension = model_name, task_type, dimension
        self.api_key_env_var, self.vertexai = api_key_env_var, vertexai
        self.project, self.location = project, location
        if vertexai:
            self._client = genai.Client(vertexai=True, project=project, location=location)
        else:
            key = os.environ.get(api_key_env_var or "") if api_key_env_var else None
            self._client = genai.Client(api_key=key)

    def __call__(self, input: Documents) -> Embeddings:
        texts = check_documents(input)
        types = require("google.genai.types", "google-genai", type(self).__name__)
        config = types.EmbedContentConfig(
            task_type=self.task_type, output_dimensionality=self.dimension
        )
        answer = self._client.models.embed_content(
            model=self.model_name, contents=texts, config=config
        )
        vectors = [list(e.values) for e in answer.embeddings]
        return to_embeddings(vectors, len(texts), "Google Gemini", "documents")


GoogleGeminiEmbeddingFunction = GoogleGenaiEmbeddingFunction


class GoogleGenerativeAiEmbeddingFunction(LibraryEmbeddingFunction):
    """Embeddings with the ``google-generativeai`` SDK."""

    NAME = "google_generative_ai"
    CONFIG_KEYS = ("model_name", "task_type", "api_key_env_var", "dimension")

    def __init__(
        self,
        api_key: Optional[str] = None,
        model_name: str = "gemini-embedding-001",
        task_type: str = "RETRIEVAL_DOCUMENT",
        api_key_env_var: str = "GEMINI_API_KEY",
        dimension: Optional[int] = None,
    ) -> None:
        self._genai = require("google.generativeai", "google-generativeai", type(self).__name__)
        self._genai.configure(
            api_key=resolve_api_key(api_key, api_key_env_var, type(self).__name__)
        )
        self.model_name, self.task_type = model_name, task_type
        self.api_key_env_var, self.dimension = api_key_env_var, dimension

    def __call__(self, input: Documents) -> Embeddings:
        texts = check_documents(input)
        vectors = [
            self._genai.embed_content(
                model=self.model_name, content=text, task_type=self.task_type,
                output_dimensionality=self.dimension,
            )["embedding"]
            for text in texts
        ]  # fmt: skip
        return to_embeddings(vectors, len(texts), "Google Generative AI", "documents")


class GooglePalmEmbeddingFunction(LibraryEmbeddingFunction):
    """PaLM embeddings with the ``google-generativeai`` SDK."""

    NAME = "google_palm"
    CONFIG_KEYS = ("model_name", "api_key_env_var")

    def __init__(
        self,
        api_key: Optional[str] = None,
        model_name: str = "models/embedding-gecko-001",
        api_key_env_var: str = "CHROMA_GOOGLE_PALM_API_KEY",
    ) -> None:
        self._palm = require("google.generativeai", "google-generativeai", type(self).__name__)
        self._palm.configure(api_key=resolve_api_key(api_key, api_key_env_var, type(self).__name__))
        self.model_name, self.api_key_env_var = model_name, api_key_env_var

    def __call__(self, input: Documents) -> Embeddings:
        texts = check_documents(input)
        vectors = [
            self._palm.generate_embeddings(model=self.model_name, text=t)["embedding"]
            for t in texts
        ]
        return to_embeddings(vectors, len(texts), "Google PaLM", "documents")


class GoogleVertexEmbeddingFunction(LibraryEmbeddingFunction):
    """Vertex AI text embeddings with the ``google-cloud-aiplatform`` SDK."""

    NAME = "google_vertex"
    CONFIG_KEYS = ("model_name", "project_id", "region", "api_key_env_var")

    def __init__(
        self,
        api_key: Optional[str] = None,
        model_name: str = "textembedding-gecko",
        project_id: str = "cloud-large-language-models",
        region: str = "us-central1",
        api_key_env_var: str = "CHROMA_GOOGLE_VERTEX_API_KEY",
    ) -> None:
        vertexai = require("vertexai", "google-cloud-aiplatform", type(self).__name__)
        models = require("vertexai.language_models", "google-cloud-aiplatform", type(self).__name__)
        vertexai.init(project=project_id, location=region)
        self._model: Any = models.TextEmbeddingModel.from_pretrained(model_name)
        self.model_name, self.project_id, self.region = model_name, project_id, region
        self.api_key_env_var = api_key_env_var

    def __call__(self, input: Documents) -> Embeddings:
        texts = check_documents(input)
        vectors = [list(e.values) for e in self._model.get_embeddings(texts)]
        return to_embeddings(vectors, len(texts), "Google Vertex AI", "documents")
