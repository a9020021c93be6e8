"""Amazon Bedrock embeddings, through a ``boto3.Session`` you give (``pip install boto3``)."""

from __future__ import annotations

import json
from typing import Any, Dict

from chromadb.api.types import Documents, Embeddings
from chromadb.utils.embedding_functions.base import check_documents, to_embeddings

__all__ = ["AmazonBedrockEmbeddingFunction"]


class AmazonBedrockEmbeddingFunction:
    """Embeddings from a Bedrock model (Titan by default), one ``invoke_model`` per text.

    Args:
        session: A ``boto3.Session`` with access to Bedrock.
        model_name: The Bedrock model id.
        kwargs: Passed to ``session.client("bedrock-runtime", ...)`` (region, endpoint ...).
    """

    def __init__(
        self, session: Any, model_name: str = "amazon.titan-embed-text-v1", **kwargs: Any
    ) -> None:
        if not hasattr(session, "client"):
            raise ValueError(
                "AmazonBedrockEmbeddingFunction needs a boto3.Session (pip install boto3)"
            )
        self.model_name = model_name
        self._kwargs = kwargs
        self._client = session.client(service_name="bedrock-runtime", **kwargs)

    def __call__(self, input: Documents) -> Embeddings:
        texts = check_documents(input)
        vectors = []
        for text in texts:
            answer = self._client.invoke_model(
                body=json.dumps({"inputText": text}),
                modelId=self.model_name,
                accept="application/json",
                contentType="application/json",
            )
            vectors.append(json.loads(answer["body"].read())["embedding"])
        return to_embeddings(vectors, len(texts), "Amazon Bedrock", "documents")

    @staticmethod
    def name() -> str:
        return "amazon_bedrock"

    def get_config(self) -> Dict[str, Any]:
        return {"model_name": self.model_name, "session_args": self._kwargs}

    @classmethod
    def build_from_config(cls, config: Dict[str, Any]) -> AmazonBedrockEmbeddingFunction:
        try:
            import boto3
        except ImportError as exc:
            raise ImportError(
                "AmazonBedrockEmbeddingFunction needs boto3: install it with `pip install boto3`"
            ) from exc
        return cls(
            boto3.Session(),
            config.get("model_name", "amazon.titan-embed-text-v1"),
            **config.get("session_args", {}),
        )
