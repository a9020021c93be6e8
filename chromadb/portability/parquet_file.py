"""Our exchange format: one Parquet file, one row per record, all collections in it.

Columns (documented in docs/parquet-format.md):
    tenant, database, collection : string, not null
    id                           : string, not null
    embedding                    : list<float32> (null for a record without one)
    document, uri                : string
    metadata                     : string, the record's metadata as a JSON object
The file's key-value metadata ``chromadb.collections`` holds a JSON list with each
collection's name, tenant, database, metadata, configuration, count and dimension, so that
collections (empty ones too) come back as they were; ``chromadb.format`` is ``"1"``.
Embeddings are stored as float32, the engine's own type, so a round trip is bit-exact.
"""

from __future__ import annotations

import json
import math
import os
from typing import Any, Dict, Iterator, List, Optional

import numpy as np
from tqdm import tqdm

from chromadb.base_types import SparseVector
from chromadb.portability.model import ImportReadError, RecordBatch, SourceCollection
from chromadb.portability.parquet_support import require_pyarrow
from chromadb.portability.writer import BATCH, Source

FORMAT_KEY = b"chromadb.format"
COLLECTIONS_KEY = b"chromadb.collections"
FORMAT_VERSION = "1"


def schema() -> Any:
    """The Arrow schema of an export (without its key-value metadata)."""
    pa, _ = require_pyarrow()
    return pa.schema(
        [
            pa.field("tenant", pa.string(), nullable=False),
            pa.field("database", pa.string(), nullable=False),
            pa.field("collection", pa.string(), nullable=False),
            pa.field("id", pa.string(), nullable=False),
            pa.field("embedding", pa.list_(pa.float32())),
            pa.field("document", pa.string()),
            pa.field("uri", pa.string()),
            pa.field("metadata", pa.string()),
        ]
    )


def _json_safe(value: Any) -> Any:
    if isinstance(value, float) and not math.isfinite(value):
        raise ImportReadError(f"Cannot export the metadata value {value!r}: not finite")
    if isinstance(value, SparseVector):  # its tagged JSON form, read back as a SparseVector
        return value.to_dict()
    return value


def _table(collection: SourceCollection, batch: RecordBatch) -> Any:
    pa, _ = require_pyarrow()
    n = len(batch)
    if batch.embeddings is not None:
        flat = pa.array(np.ascontiguousarray(batch.embeddings, dtype=np.float32).ravel())
        dim = batch.embeddings.shape[1]
        offsets = pa.array(np.arange(0, (n + 1) * dim, dim, dtype=np.int32))
        embeddings = pa.ListArray.from_arrays(offsets, flat)
    else:
        embeddings = pa.nulls(n, pa.list_(pa.float32()))
    metadata = [
        None if m is None else json.dumps({k: _json_safe(v) for k, v in m.items()})
        for m in batch.metadatas
    ]
    return pa.Table.from_arrays(
        [
            pa.array([collection.tenant] * n, pa.string()),
            pa.array([collection.database] * n, pa.string()),
            pa.array([collection.name] * n, pa.string()),
            pa.array(batch.ids, pa.string()),
            embeddings,
            pa.array(batch.documents, pa.string()),
            pa.array(batch.uris, pa.string()),
            pa.array(metadata, pa.string()),
        ],
        schema=schema(),
    )


def export_parquet(
    source: Source,
    out: str,
    *,
    only: Optional[List[str]] = None,
    progress: bool = True,
    batch_size: int = BATCH,
) -> Dict[str, int]:
    """Write the collections of ``source`` (all, or those named in ``only``) to ``out``;
    return records written per collection. The file appears only when complete."""
    _, pq = require_pyarrow()
    collections = source.collections()
    if only:
        missing = sorted(set(only) - {c.name for c in collections})
        if missing:
            raise ImportReadError(
                f"No collection named {', '.join(missing)} in {source.describe()}"
            )
        collections = [c for c in collections if c.name in only]
    described = [
        {
            "name": c.name,
            "tenant": c.tenant,
            "database": c.database,
            "metadata": c.metadata,
            "configuration": c.configuration,
            "count": c.count,
        }
        for c in collections
    ]
    meta = {FORMAT_KEY: FORMAT_VERSION.encode(), COLLECTIONS_KEY: json.dumps(described).encode()}
    tmp = out + ".partial"
    written: Dict[str, int] = {}
    bar = tqdm(
        total=sum(c.count for c in collections), unit="rec", disable=not progress, leave=False
    )
    try:
        with pq.ParquetWriter(tmp, schema().with_metadata(meta)) as writer:
            for collection in collections:
                written[collection.name] = 0
                for batch in source.batches(collection, batch_size):
                    writer.write_table(_table(collection, batch))
                    written[collection.name] += len(batch)
                    bar.update(len(batch))
        os.replace(tmp, out)
    finally:
        bar.close()
        if os.path.exists(tmp):
            os.remove(tmp)
    return written


class ParquetSource:
    """A Parquet file written by :func:`export_parquet`, read a batch at a time."""

    def __init__(self, path: str) -> None:
        pa, pq = require_pyarrow()
        self.path = path
        try:
            self._file = pq.ParquetFile(path)
        except (OSError, pa.ArrowException) as exc:
            raise ImportReadError(f"Cannot read {path} as Parquet: {exc}") from None
        meta = self._file.schema_arrow.metadata or {}
        if meta.get(FORMAT_KEY) != FORMAT_VERSION.encode():
            raise ImportReadError(
                f"{path} is not a chromadb export (no {FORMAT_KEY.decode()!r} = "
                f"{FORMAT_VERSION!r} in its metadata)"
            )
        self._described = json.loads(meta[COLLECTIONS_KEY])

    def __enter__(self) -> ParquetSource:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self._file.close()

    def describe(self) -> str:
        return f"Parquet export {self.path}"

    def collections(self) -> List[SourceCollection]:
        return [
            SourceCollection(
                name=c["name"],
                metadata=c.get("metadata"),
                configuration=c.get("configuration") or {},
                tenant=c["tenant"],
                database=c["database"],
                count=int(c.get("count") or 0),
                key=json.dumps([c["tenant"], c["database"], c["name"]]),
            )
            for c in self._described
        ]

    def batches(self, collection: SourceCollection, size: int) -> Iterator[RecordBatch]:
        key = [collection.tenant, collection.database, collection.name]
        for part in self._file.iter_batches(batch_size=size):
            rows = part.to_pydict()
            keep = [
                i
                for i in range(part.num_rows)
                if [rows["tenant"][i], rows["database"][i], rows["collection"][i]] == key
            ]
            if keep:
                yield self._batch(collection, part.take(keep))

    def _batch(self, collection: SourceCollection, part: Any) -> RecordBatch:
        ids = part.column("id").to_pylist()
        column = part.column("embedding")
        embeddings = None
        if column.null_count < len(ids):
            if column.null_count:
                bad = ids[column.is_null().to_pylist().index(True)]
                raise ImportReadError(
                    f"Cannot read record {bad!r} of collection {collection.name!r} in "
                    f"{self.path}: it has no embedding while others do"
                )
            flat = column.flatten().to_numpy(zero_copy_only=False).astype(np.float32, copy=False)
            lengths = column.value_lengths().to_numpy()
            if len(set(lengths.tolist())) > 1:
                bad = ids[int(np.argmax(lengths != lengths[0]))]
                raise ImportReadError(
                    f"Cannot read record {bad!r} of collection {collection.name!r} in "
                    f"{self.path}: embedding of {lengths.max()} floats among ones of {lengths[0]}"
                )
            embeddings = flat.reshape(len(ids), int(lengths[0]))
        metadatas = []
        for record_id, text in zip(ids, part.column("metadata").to_pylist()):
            try:
                metadatas.append(None if text is None else json.loads(text))
            except ValueError as exc:
                raise ImportReadError(
                    f"Cannot read record {record_id!r} of collection {collection.name!r} in "
                    f"{self.path}: metadata is not JSON ({exc})"
                ) from None
        return RecordBatch(
            ids=ids,
            embeddings=embeddings,
            documents=part.column("document").to_pylist(),
            metadatas=metadatas,
            uris=part.column("uri").to_pylist(),
        )
