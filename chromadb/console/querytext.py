"""Query text embedded on the server, by the function a collection recorded when it was made."""

from __future__ import annotations

from typing import Any, Dict, List, Tuple

import numpy as np

from chromadb.api.models.Collection import resolve_embedding_function
from chromadb.api.models.model import CollectionModel
from chromadb.errors import InvalidArgumentError

# Built functions, by (name, config): loading a model once per query would take seconds.
_CACHE: Dict[Tuple[str, str], Any] = {}


def _recorded(model: CollectionModel) -> Dict[str, Any]:
    recorded = (model.configuration or {}).get("embedding_function") or {}
    if recorded.get("type") != "known" or not recorded.get("name"):
        raise InvalidArgumentError(
            f"Collection '{model.name}' records no embedding function the server can run "
            "(its documents were embedded by the client); query by record instead"
        )
    return dict(recorded)


def embed_texts(model: CollectionModel, texts: List[str]) -> List[List[float]]:
    """``texts`` embedded by ``model``'s recorded embedding function."""
    from chromadb.api import DEFAULT_EMBEDDING_FUNCTION

    recorded = _recorded(model)
    key = (str(recorded["name"]), repr(sorted((recorded.get("config") or {}).items())))
    function = _CACHE.get(key)
    if function is None:
        function = resolve_embedding_function(model, DEFAULT_EMBEDDING_FUNCTION)
        _CACHE[key] = function
    if function is None:
        raise InvalidArgumentError(f"Collection '{model.name}' has no embedding function")
    vectors = function(texts)
    return [np.asarray(v, dtype=np.float32).tolist() for v in vectors]
