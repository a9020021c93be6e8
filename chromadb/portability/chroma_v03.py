"""Reader for real Chroma 0.3 ``duckdb+parquet`` folders.

0.3 writes two Parquet files when it persists: ``chroma-collections.parquet`` (uuid, name,
metadata as JSON) and ``chroma-embeddings.parquet`` (collection_uuid, uuid, embedding as a
list of doubles, document, id, metadata as JSON). They hold everything, vectors included, so
the ``index/`` folder beside them (hnswlib files and pickles) is never read.
"""

from __future__ import annotations

import json
import os
from typing import Any, Dict, Iterator, List, Optional

import numpy as np

from chromadb.portability.model import ImportReadError, RecordBatch, SourceCollection
from chromadb.portability.parquet_support import require_pyarrow

COLLECTIONS_FILE = "chroma-collections.parquet"
EMBEDDINGS_FILE = "chroma-embeddings.parquet"


def _json(text: Optional[str], what: str) -> Optional[Dict[str, Any]]:
    if text is None:
        return None
    try:
        value = json.loads(text)
    except ValueError as exc:
        raise ImportReadError(f"Cannot read {what}: metadata is not JSON ({exc})") from None
    if value is not None and not isinstance(value, dict):
        raise ImportReadError(f"Cannot read {what}: metadata is not an object")
    return value or None


class ChromaV03Source:
    """One real Chroma 0.3 folder, read-only. Use as a context manager."""

    def __init__(self, folder: str) -> None:
        pa, pq = require_pyarrow()
        self.folder = folder
        self._pc = __import__("pyarrow.compute", fromlist=["compute"])
        try:
            self._collections = pq.read_table(os.path.join(folder, COLLECTIONS_FILE))
            path = os.path.join(folder, EMBEDDINGS_FILE)
            self._embeddings = pq.read_table(path) if os.path.exists(path) else None
        except (OSError, pa.ArrowException) as exc:
            raise ImportReadError(f"Cannot read the Chroma 0.3 files in {folder}: {exc}") from None

    def __enter__(self) -> ChromaV03Source:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self._collections = self._embeddings = None

    def describe(self) -> str:
        return f"Chroma 0.3 folder {self.folder}"

    def _rows_of(self, uuid: str) -> Any:
        if self._embeddings is None:
            return None
        mask = self._pc.equal(self._embeddings["collection_uuid"], uuid)
        return self._embeddings.filter(mask)

    def collections(self) -> List[SourceCollection]:
        out = []
        for row in self._collections.to_pylist():
            name = row["name"]
            rows = self._rows_of(row["uuid"])
            count = 0 if rows is None else len(set(rows["id"].to_pylist()))
            out.append(
                SourceCollection(
                    name=name,
                    metadata=_json(row.get("metadata"), f"collection {name!r}"),
                    count=count,
                    key=row["uuid"],
                )
            )
        return out

    def batches(self, collection: SourceCollection, size: int) -> Iterator[RecordBatch]:
        table = self._rows_of(collection.key)
        if table is None or table.num_rows == 0:
            return
        ids: List[str] = table["id"].to_pylist()
        # 0.3 could hold one id twice (an add racing an add); the later row is the current one.
        last: Dict[str, int] = {record_id: i for i, record_id in enumerate(ids)}
        keep = sorted(last.values())
        for start in range(0, len(keep), size):
            part = table.take(keep[start : start + size])
            yield self._batch(collection.name, part)

    def _batch(self, name: str, part: Any) -> RecordBatch:
        ids = part["id"].to_pylist()
        embeddings = part["embedding"].to_pylist()
        rows = []
        dim = None
        for record_id, emb in zip(ids, embeddings):
            if emb is None or (dim is not None and len(emb) != dim):
                raise ImportReadError(
                    f"Cannot read record {record_id!r} of collection {name!r} in {self.folder}: "
                    f"embedding {'missing' if emb is None else f'of {len(emb)} floats'}"
                )
            dim = len(emb)
            rows.append(emb)
        metadatas = [
            _json(m, f"record {i!r} of collection {name!r}")
            for i, m in zip(ids, part["metadata"].to_pylist())
        ]
        return RecordBatch(
            ids=ids,
            embeddings=np.asarray(rows, dtype=np.float32),
            documents=part["document"].to_pylist(),
            metadatas=metadatas,
            uris=[None] * len(ids),
        )
