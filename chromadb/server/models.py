"""Request bodies and documented answers of the REST API.

Bodies are validated loosely: every client generation's shape must pass (seed-era keys such as
``increment_index`` and ``sort`` are accepted and ignored; embeddings may be base64 strings), and
the engine checks the meaning. A body that fails here becomes a 400 ``InvalidArgumentError``.
The answer models only document the API (``/openapi.json``); routes encode answers themselves.
"""

from __future__ import annotations

from typing import Annotated, Any, Dict, List, Optional, Union

from pydantic import BaseModel, ConfigDict, Field, Strict

# Numbers are strict at the HTTP edge (as real Chroma's server): true, "5" or 2.0 where a count
# or a vector value is expected is refused, never coerced into something stored.
Number = Annotated[float, Strict()]
# One embedding: a list of numbers, or base64 of little-endian float32 (JS client 3.x).
EmbeddingIn = Union[List[Number], str]
Filter = Dict[str, Any]
# SQLite integers are 64-bit: larger counts are refused here rather than overflowing below.
MAX_INT = 2**63 - 1
Count = Annotated[int, Strict(), Field(ge=0, le=MAX_INT)]
Flag = Annotated[bool, Strict()]


class _Body(BaseModel):
    # Unknown keys are ignored: older and newer clients send fields we have no use for.
    model_config = ConfigDict(extra="ignore")


Name = Annotated[str, Field(min_length=1)]


class CreateTenant(_Body):
    name: Name


class CreateDatabase(_Body):
    name: Name


class CreateCollection(_Body):
    name: Name
    metadata: Optional[Dict[str, Any]] = None
    configuration: Optional[Dict[str, Any]] = None
    schema_: Optional[Dict[str, Any]] = Field(default=None, alias="schema")
    get_or_create: Flag = False


class UpdateCollection(_Body):
    new_name: Optional[str] = None
    new_metadata: Optional[Dict[str, Any]] = None
    new_configuration: Optional[Dict[str, Any]] = None


class AddRecords(_Body):
    """Body of add, update and upsert."""

    ids: Annotated[List[str], Field(min_length=1)]
    embeddings: Optional[List[EmbeddingIn]] = None
    metadatas: Optional[List[Optional[Dict[str, Any]]]] = None
    documents: Optional[List[Optional[str]]] = None
    uris: Optional[List[Optional[str]]] = None


class GetRecords(_Body):
    ids: Optional[List[str]] = None
    where: Optional[Filter] = None
    where_document: Optional[Filter] = None
    limit: Optional[Count] = None
    offset: Optional[Count] = None
    include: Optional[List[str]] = None


class QueryRecords(_Body):
    query_embeddings: Annotated[List[EmbeddingIn], Field(min_length=1)]
    n_results: Annotated[int, Strict(), Field(ge=1, le=MAX_INT)] = 10
    where: Optional[Filter] = None
    where_document: Optional[Filter] = None
    include: Optional[List[str]] = None
    ids: Optional[List[str]] = None


class SearchRecords(_Body):
    # Each entry is a Search.to_dict(); chromadb.engine.search parses them (with clear errors).
    searches: List[Any]
    read_level: Optional[str] = None


class DeleteRecords(_Body):
    ids: Optional[List[str]] = None
    where: Optional[Filter] = None
    where_document: Optional[Filter] = None
    limit: Optional[Count] = None


class RawSql(_Body):
    raw_sql: str


# -- answers (documentation only) ------------------------------------------------------------
class ErrorOut(BaseModel):
    error: str = Field(description="The error's class name, e.g. NotFoundError")
    message: str


class HeartbeatOut(BaseModel):
    model_config = ConfigDict(populate_by_name=True)
    nanosecond_heartbeat: int = Field(alias="nanosecond heartbeat")


class PreflightOut(BaseModel):
    max_batch_size: int
    supports_base64_encoding: bool


class HealthOut(BaseModel):
    is_executor_ready: bool
    is_log_client_ready: bool


class IdentityOut(BaseModel):
    user_id: str
    tenant: str
    databases: List[str]


class TenantOut(BaseModel):
    name: str


class DatabaseOut(BaseModel):
    id: str
    name: str
    tenant: str


class CollectionOut(BaseModel):
    """A collection; which keys appear depends on the client generation asking."""

    id: str
    name: str
    metadata: Optional[Dict[str, Any]] = None
    configuration_json: Optional[Dict[str, Any]] = None
    dimension: Optional[int] = None
    tenant: Optional[str] = None
    database: Optional[str] = None


class GetResultOut(BaseModel):
    ids: List[str]
    embeddings: Optional[List[Any]] = None
    documents: Optional[List[Any]] = None
    metadatas: Optional[List[Any]] = None
    uris: Optional[List[Any]] = None
    data: Optional[List[Any]] = None
    include: List[str]
    included: List[str]


class QueryResultOut(BaseModel):
    ids: List[List[str]]
    embeddings: Optional[List[Any]] = None
    documents: Optional[List[Any]] = None
    metadatas: Optional[List[Any]] = None
    uris: Optional[List[Any]] = None
    data: Optional[List[Any]] = None
    distances: Optional[List[Any]] = None
    include: List[str]
    included: List[str]


class IndexingStatusOut(BaseModel):
    num_indexed_ops: int
    num_unindexed_ops: int
    total_ops: int
    op_indexing_progress: float


class DeletedOut(BaseModel):
    deleted: int
    ids: List[str]


class RawSqlOut(BaseModel):
    columns: List[str]
    rows: List[List[Any]]


class EmptyOut(BaseModel):
    pass
