"""The part of a collection handle that does not depend on sync or async: its properties and
the normalisation of arguments before a backend call (see ``Collection``, ``AsyncCollection``)."""

from __future__ import annotations

import functools
import logging
from typing import (
    TYPE_CHECKING,
    Any,
    Callable,
    Dict,
    List,
    Optional,
    Tuple,
    TypeVar,
    Union,
    cast,
)
from uuid import UUID

import numpy as np
from tqdm import tqdm

from chromadb.api.collection_configuration import (
    full_configuration,
    public_configuration,
    resolve_embedding_function,
    schema_json_of,
)
from chromadb.api.models import rules
from chromadb.api.schema import DOCUMENT_KEY, Schema
from chromadb.api.types import (
    DEFAULT_GET_INCLUDE,
    DEFAULT_QUERY_INCLUDE,
    CollectionMetadata,
    Documents,
    EmbeddingFunction,
    EmbeddingMatrix,
    IDs,
    Metadatas,
    URIs,
    as_lists,
    maybe_cast_one_to_many,
    normalize_embeddings,
    normalize_include,
    seed_result,
)
from chromadb.base_types import SparseVector
from chromadb.errors import ChromaError, InvalidArgumentError
from chromadb.utils.embedding_functions.registry import build_sparse_embedding_function

if TYPE_CHECKING:
    from chromadb.api import API
    from chromadb.api.async_api import AsyncServerAPI
    from chromadb.api.models.model import CollectionModel

logger = logging.getLogger(__name__)

# Documents per call to the embedding function when a write embeds many of them.
EMBED_BATCH = 512


F = TypeVar("F", bound=Callable[..., Any])


def validation_context(name: str) -> Callable[[F], F]:
    """Decorate a method so that an error it raises says which operation failed
    (``"... in add."``), keeping the error's class."""

    def decorate(func: F) -> F:
        @functools.wraps(func)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            try:
                return func(*args, **kwargs)
            except Exception as exc:
                message = f"{exc} in {name}."
                exc.args = (message, *exc.args[1:]) if exc.args else ()
                if isinstance(exc, ChromaError):
                    exc.message = message
                raise

        return cast(F, wrapper)

    return decorate


class CollectionCommon:
    """What the sync ``Collection`` and the ``AsyncCollection`` share: the collection's
    properties and the normalisation of arguments (single records wrapped into batches,
    documents embedded) before a backend call."""

    def __init__(
        self,
        client: Union[API, AsyncServerAPI],
        model: CollectionModel,
        embedding_function: Any = None,
    ) -> None:
        self._client = client
        self._model = model
        self._embedding_function = resolve_embedding_function(model, embedding_function)
        # The schema's sparse embedding functions, rebuilt from it on first use.
        self._sparse_cache: Optional[Dict[str, Tuple[str, Any]]] = None
        self._sparse_functions: Dict[str, Any] = {}
        settings = getattr(client, "settings", None)
        # Seed-era clients keep the 0.3 rules and result shapes (see rules.py).
        self._modern = not (settings is not None and settings.is_seed_era())

    # -- properties ------------------------------------------------------------------------------
    @property
    def id(self) -> UUID:
        return self._model.id

    @property
    def name(self) -> str:
        return self._model.name

    @property
    def metadata(self) -> Optional[CollectionMetadata]:
        return self._model.metadata

    @property
    def configuration(self) -> Dict[str, Any]:
        """The configuration, with the embedding function as an object (as real 1.x)."""
        config = self.configuration_json
        config["embedding_function"] = self._embedding_function
        return config

    @property
    def configuration_json(self) -> Dict[str, Any]:
        """The configuration in JSON form: HNSW parameters, spann, the embedding function by
        name and config."""
        return full_configuration(public_configuration(self._model.configuration))

    @property
    def schema(self) -> Schema:
        """The collection's schema, with its vector index filled from the configuration."""
        return Schema.deserialize_from_json(schema_json_of(self._model.configuration))

    @property
    def tenant(self) -> str:
        return self._model.tenant

    @property
    def database(self) -> str:
        return self._model.database

    @property
    def dimension(self) -> Optional[int]:
        return self._model.dimension

    @property
    def embedding_function(self) -> Optional[EmbeddingFunction[Any]]:
        return self._embedding_function

    def __repr__(self) -> str:
        return f"{type(self).__name__}(name={self.name}, id={self.id}, metadata={self.metadata})"

    def __eq__(self, other: object) -> bool:
        return (
            isinstance(other, CollectionCommon) and self.id == other.id and self.name == other.name
        )

    def __hash__(self) -> int:
        return hash(self.id)

    def _get_args(
        self, ids: Any, where: Any, limit: Any, offset: Any, where_document: Any, include: Any
    ) -> Dict[str, Any]:
        id_list = maybe_cast_one_to_many(ids)
        self._check_filters(where, where_document, "get")
        if self._modern:
            rules.check_ids_given(id_list, "get")
        return {
            "ids": id_list,
            "where": where,
            "limit": limit,
            "offset": offset,
            "where_document": where_document,
            "include": normalize_include(include, DEFAULT_GET_INCLUDE),
        }

    def _query_args(
        self,
        query_embeddings: Any,
        query_texts: Any,
        n_results: Any,
        where: Any,
        where_document: Any,
        include: Any,
        ids: Any,
    ) -> Dict[str, Any]:
        # As real Chroma 1.x: given both, the embeddings are used.
        if query_embeddings is None and query_texts is None:
            raise InvalidArgumentError("You must provide either query_embeddings or query_texts")
        embeddings = (
            normalize_embeddings(query_embeddings)
            if query_embeddings is not None
            else self._embed(maybe_cast_one_to_many(query_texts) or [])
        )
        # n_results is checked where it has meaning: in the engine (or the server's body model).
        self._check_filters(where, where_document, "query")
        return {
            "query_embeddings": embeddings if embeddings is not None else [],
            "n_results": n_results,
            "where": where,
            "where_document": where_document,
            "include": normalize_include(include, DEFAULT_QUERY_INCLUDE),
            "ids": maybe_cast_one_to_many(ids),
        }

    def _search_args(self, searches: Any) -> List[Any]:
        """The searches as a list, each string ``Knn`` query over the dense embedding replaced
        by its embedding from the collection's embedding function."""
        from dataclasses import replace

        from chromadb.execution.expression.operator import EMBEDDING_KEY, Knn, _key_name, map_knns
        from chromadb.execution.expression.plan import Search

        items = [searches] if isinstance(searches, Search) else list(searches or [])
        for i, item in enumerate(items):
            if not isinstance(item, Search):
                raise InvalidArgumentError(
                    f"Expected searches to be Search objects, got {type(item).__name__} at {i}"
                )

        def embed(knn: Knn) -> Knn:
            if not isinstance(knn.query, str):
                return knn
            key = _key_name(knn.key)
            if key != EMBEDDING_KEY:
                ef = self._sparse_function(key)
                if ef is None:
                    raise InvalidArgumentError(
                        f"Cannot embed string query for key '{key}': no sparse vector index "
                        "with an embedding function on this key in the collection's schema. "
                        "Please provide a SparseVector query or configure an embedding "
                        "function for this key in the schema."
                    )
                found = sparse_embed(ef, [knn.query], query=True)
                return replace(knn, query=found[0])
            ef = self._embedding_function
            query_fn = getattr(ef, "embed_query", None)
            vectors = (
                query_fn(input=[knn.query]) if callable(query_fn) else self._embed([knn.query])
            )
            return replace(knn, query=[float(x) for x in as_lists(vectors)[0]])  # type: ignore[index]

        return [s if s._rank is None else s._copy(rank=map_knns(s._rank, embed)) for s in items]

    # -- sparse vectors --------------------------------------------------------------------------
    def _sparse_targets(self) -> Dict[str, Tuple[str, Any]]:
        """The schema's sparse vector indexes that fill themselves: metadata key -> (source
        key, embedding function)."""
        cached = self._sparse_cache
        if cached is None:
            cached = {}
            for key, config in self.schema.sparse_indexes().items():
                source = config.get("source_key")
                ef = self._sparse_function(key, config)
                if source is not None and ef is not None:
                    cached[key] = (source, ef)
            self._sparse_cache = cached
        return cached

    def _sparse_function(self, key: str, config: Optional[Dict[str, Any]] = None) -> Any:
        """The sparse embedding function of the index on ``key``, rebuilt from the schema."""
        functions = self._sparse_functions
        if key in functions:
            return functions[key]
        if config is None:
            config = self.schema.sparse_indexes().get(key)
        described = (config or {}).get("embedding_function") or {}
        ef = None
        if described.get("type") == "known" and described.get("name"):
            ef = build_sparse_embedding_function(described["name"], described.get("config") or {})
        functions[key] = ef
        return ef

    def _with_sparse_vectors(
        self, metadatas: Optional[Metadatas], documents: Optional[Documents], n: int
    ) -> Optional[Metadatas]:
        """The metadatas with each self-filling sparse index's vector added where a record
        lacks it: embedded from the record's document (source ``#document``) or from the
        string at the source metadata key (as real Chroma's client does)."""
        targets = self._sparse_targets()
        if not targets or (metadatas is None and documents is None):
            return metadatas
        rows: List[Dict[str, Any]] = (
            [dict(m) if m else {} for m in metadatas]
            if metadatas is not None
            else [{} for _ in range(n)]
        )
        for target, (source, ef) in targets.items():
            positions: List[int] = []
            texts: List[str] = []
            for i, row in enumerate(rows):
                if target in row:
                    continue
                if source == DOCUMENT_KEY:
                    text = documents[i] if documents is not None and i < len(documents) else None
                else:
                    text = row.get(source)
                if isinstance(text, str):
                    positions.append(i)
                    texts.append(text)
            if not texts:
                continue
            vectors = sparse_embed(ef, texts, query=False)
            if len(vectors) != len(texts):
                raise InvalidArgumentError(
                    "Sparse embedding function returned unexpected number of embeddings."
                )
            for i, vector in zip(positions, vectors):
                rows[i][target] = vector
        return cast(Metadatas, [row or None for row in rows])

    def _delete_args(self, ids: Any, where: Any, where_document: Any, limit: Any) -> Dict[str, Any]:
        id_list = maybe_cast_one_to_many(ids)
        self._check_filters(where, where_document, "delete")
        if self._modern:
            rules.check_ids_given(id_list, "delete")
            rules.check_delete_args(id_list, where, where_document, limit)
        return {"ids": id_list, "where": where, "where_document": where_document, "limit": limit}

    def _deleted(self, ids: IDs) -> Any:
        # ``{"deleted": n}`` as real Chroma 1.x; None for seed-era clients, as 0.3.
        return {"deleted": len(ids)} if self._modern else None

    def _shaped(self, result: Any, query: bool) -> Any:
        # Embeddings as numpy arrays (1.x); code written for 0.3 gets exactly 0.3's keys.
        if self._modern:
            return rules.embeddings_as_arrays(result, query)
        return seed_result(result, query)

    # -- helpers ---------------------------------------------------------------------------------
    def _check_filters(self, where: Any, where_document: Any, op: str) -> None:
        if self._modern:
            rules.check_where_shape(where, op)
            rules.check_where_document_shape(where_document, op)

    def _embed(self, documents: Documents) -> EmbeddingMatrix:
        if self._embedding_function is None:
            raise InvalidArgumentError(
                "You must provide an embedding function to compute embeddings from documents"
            )
        for i, doc in enumerate(documents):
            if not isinstance(doc, str):
                raise InvalidArgumentError(
                    f"Expected document {i} to be a str, got {type(doc).__name__}"
                )
        ef = self._embedding_function
        if len(documents) <= EMBED_BATCH:
            return self._embed_batch(ef, documents, 0)
        # Thousands of documents take a while: show progress, embed in batches, and say which
        # batch failed if one does.
        parts: List[EmbeddingMatrix] = []
        with tqdm(total=len(documents), desc="Embedding", unit="doc") as bar:
            for start in range(0, len(documents), EMBED_BATCH):
                batch = documents[start : start + EMBED_BATCH]
                parts.append(self._embed_batch(ef, batch, start))
                bar.update(len(batch))
        if all(isinstance(p, np.ndarray) for p in parts):
            return np.concatenate(parts)
        return [row for part in parts for row in (as_lists(part) or [])]

    @staticmethod
    def _embed_batch(
        ef: EmbeddingFunction[Any], documents: Documents, start: int
    ) -> EmbeddingMatrix:
        where = f"documents {start}-{start + len(documents) - 1}"
        try:
            normalized = normalize_embeddings(ef(documents))
            embeddings = normalized if normalized is not None else []
        except ChromaError as exc:
            raise type(exc)(f"Embedding {where} failed: {exc}") from exc
        except Exception as exc:
            raise ChromaError(f"Embedding {where} failed: {type(exc).__name__}: {exc}") from exc
        if len(embeddings) != len(documents):
            raise InvalidArgumentError(
                f"The embedding function returned {len(embeddings)} embeddings for "
                f"{len(documents)} documents ({where})"
            )
        return embeddings

    @staticmethod
    def _required(embeddings: Optional[EmbeddingMatrix]) -> EmbeddingMatrix:
        if embeddings is None:
            raise InvalidArgumentError(
                "You must provide embeddings or documents (with an embedding function)"
            )
        return embeddings

    def _prepare(
        self, ids: Any, embeddings: Any, metadatas: Any, documents: Any, uris: Any, op: str = ""
    ) -> tuple[
        IDs, Optional[EmbeddingMatrix], Optional[Metadatas], Optional[Documents], Optional[URIs]
    ]:
        """Wrap single records into batches and embed documents that lack embeddings."""
        id_list = maybe_cast_one_to_many(ids)
        if id_list is None:
            raise InvalidArgumentError("Expected ids to be a list of str, got None")
        emb = normalize_embeddings(embeddings)
        metas = maybe_cast_one_to_many(metadatas)
        if self._modern:
            rules.check_metadatas_not_empty(metas, op)
        docs = maybe_cast_one_to_many(documents)
        uri_list = maybe_cast_one_to_many(uris)
        metas = self._with_sparse_vectors(metas, docs, len(id_list))
        if emb is None and docs is not None:
            if len(docs) != len(id_list):
                raise InvalidArgumentError(
                    f"Number of documents ({len(docs)}) does not match number of ids ({len(id_list)})"
                )
            emb = self._embed(docs)
        return id_list, emb, metas, docs, uri_list


def sparse_embed(ef: Any, texts: List[str], query: bool) -> List[SparseVector]:
    """``texts`` embedded by a sparse embedding function (``embed_query`` for queries, when it
    has one), checked to be sparse vectors."""
    embed_query = getattr(ef, "embed_query", None) if query else None
    try:
        found = embed_query(texts) if callable(embed_query) else ef(texts)
    except ChromaError:
        raise
    except Exception as exc:
        raise ChromaError(f"Sparse embedding failed: {type(exc).__name__}: {exc}") from exc
    if not isinstance(found, list) or not all(isinstance(v, SparseVector) for v in found):
        raise InvalidArgumentError("Expected the sparse embedding function to return SparseVectors")
    return found


__all__ = ["CollectionCommon", "sparse_embed", "validation_context"]
