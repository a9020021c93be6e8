"""Reader for real Chroma 0.4-1.x persist folders: ``chroma.sqlite3`` plus one HNSW folder per
vector segment.

Where things are in those versions (found by writing folders with each release):
- ids, documents (key ``chroma:document``) and metadata: the metadata segment's rows in
  ``embeddings`` / ``embedding_metadata`` (1.x: list values in ``embedding_metadata_array``).
  This segment is written synchronously, so it is the live set.
- vectors: in the HNSW files once the segment has persisted them (every ``sync_threshold``
  writes), and in ``embeddings_queue`` (the write log) until then. 0.4 keeps the whole log;
  0.5 and later purge it up to what the index has persisted. The newest logged vector of an
  id is therefore always its current one, and the index holds the rest.

The database is opened read-only (``mode=ro``): a rollback-journal database (what Chroma
leaves) is read under a shared lock and nothing is written. A WAL-mode database cannot be
read that way without creating files beside it, so it is copied (with its ``-wal``) to a
temporary folder first.
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import tempfile
import urllib.request
from collections import defaultdict
from typing import Any, Dict, Iterator, List, Optional, Tuple

import numpy as np

from chromadb.portability import hnsw_files
from chromadb.portability.model import ImportReadError, RecordBatch, SourceCollection, Vectors

DB_FILE = "chroma.sqlite3"
_DELETE = 3
_DOCUMENT_KEY = "chroma:document"
_URI_KEY = "chroma:uri"
_HNSW_KEYS = ("space", "ef_construction", "ef_search", "max_neighbors")
_HNSW_DEFAULTS = {"ef_construction": 100, "ef_search": 100, "max_neighbors": 16}


def _read_only(path: str) -> Tuple[sqlite3.Connection, Optional[str]]:
    """A read-only connection to ``path`` and the temporary folder to remove afterwards."""
    with open(path, "rb") as fh:
        header = fh.read(100)
    wal = header[18:20] == b"\x02\x02" or os.path.exists(path + "-wal")
    tmp = None
    if wal:
        tmp = tempfile.mkdtemp(prefix="chroma-import-")
        shutil.copyfile(path, os.path.join(tmp, DB_FILE))
        if os.path.exists(path + "-wal"):
            shutil.copyfile(path + "-wal", os.path.join(tmp, DB_FILE + "-wal"))
        path = os.path.join(tmp, DB_FILE)
        uri = f"file:{urllib.request.pathname2url(path)}"
    else:
        uri = f"file:{urllib.request.pathname2url(path)}?mode=ro"
    conn = sqlite3.connect(uri, uri=True, isolation_level=None, check_same_thread=False)
    return conn, tmp


def _value(row: Tuple[Any, ...], has_bool: bool) -> Any:
    """One metadata value from (string, int, float[, bool]) columns."""
    if has_bool and row[3] is not None:
        return bool(row[3])
    for value in row[:3]:
        if value is not None:
            return value
    return None


class ChromaSqliteSource:
    """One real Chroma 0.4-1.x folder, read-only. Use as a context manager."""

    def __init__(self, folder: str) -> None:
        self.folder = folder
        self.db_path = os.path.join(folder, DB_FILE)
        try:
            self.conn, self._tmp = _read_only(self.db_path)
            # One read transaction: every query sees the same state of the file.
            self.conn.execute("BEGIN")
            self._tables = {
                r[0] for r in self.conn.execute("SELECT name FROM sqlite_master WHERE type='table'")
            }
        except sqlite3.Error as exc:
            raise ImportReadError(f"Cannot read {self.db_path}: {exc}") from None
        self._columns = {t: self._table_columns(t) for t in self._tables}

    def __enter__(self) -> ChromaSqliteSource:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self.conn.close()
        if self._tmp is not None:
            shutil.rmtree(self._tmp, ignore_errors=True)

    def describe(self) -> str:
        return f"Chroma 0.4-1.x folder {self.folder}"

    def _table_columns(self, table: str) -> List[str]:
        return [r[0] for r in self.conn.execute("SELECT name FROM pragma_table_info(?)", (table,))]

    def _query(self, sql: str, params: Tuple[Any, ...] = ()) -> List[Tuple[Any, ...]]:
        try:
            return self.conn.execute(sql, params).fetchall()
        except sqlite3.Error as exc:
            raise ImportReadError(f"Cannot read {self.db_path}: {exc}") from None

    # -- collections -------------------------------------------------------------------------
    def collections(self) -> List[SourceCollection]:
        """Every collection in the folder, in creation order where the file records it."""
        cols = self._columns.get("collections", [])
        extra = ", c.config_json_str" if "config_json_str" in cols else ", NULL"
        extra += ", c.schema_str" if "schema_str" in cols else ", NULL"
        if "databases" in self._tables and "database_id" in cols:
            rows = self._query(
                "SELECT c.id, c.name, c.dimension, d.tenant_id, d.name"
                + extra
                + " FROM collections c JOIN databases d ON d.id = c.database_id ORDER BY c.rowid"
            )
        else:
            rows = [
                (r[0], r[1], r[2], "default_tenant", "default_database", r[3], r[4])
                for r in self._query(
                    "SELECT c.id, c.name, c.dimension"
                    + extra
                    + " FROM collections c ORDER BY c.rowid"
                )
            ]
        out = []
        for cid, name, dimension, tenant, database, config_json, schema_json in rows:
            metadata = self._collection_metadata(cid)
            out.append(
                SourceCollection(
                    name=name,
                    metadata=metadata,
                    configuration=_configuration(config_json, schema_json, metadata),
                    tenant=tenant,
                    database=database,
                    count=self._count(cid),
                    key=f"{cid}|{dimension or ''}",
                )
            )
        return out

    def _collection_metadata(self, cid: str) -> Optional[Dict[str, Any]]:
        has_bool = "bool_value" in self._columns.get("collection_metadata", [])
        bool_col = ", bool_value" if has_bool else ""
        rows = self._query(
            "SELECT key, str_value, int_value, float_value"
            + bool_col
            + " FROM collection_metadata WHERE collection_id = ? ORDER BY rowid",
            (cid,),
        )
        return {r[0]: _value(r[1:], has_bool) for r in rows} or None

    def _segment(self, cid: str, scope: str) -> Optional[str]:
        rows = self._query(
            "SELECT id FROM segments WHERE collection = ? AND scope = ?", (cid, scope)
        )
        return rows[0][0] if rows else None

    def _count(self, cid: str) -> int:
        segment = self._segment(cid, "METADATA")
        if segment is None:
            return 0
        return int(
            self._query("SELECT count(*) FROM embeddings WHERE segment_id = ?", (segment,))[0][0]
        )

    # -- records -----------------------------------------------------------------------------
    def batches(self, collection: SourceCollection, size: int) -> Iterator[RecordBatch]:
        """The collection's live records, ``size`` at a time, in the order they were added."""
        cid, dim_text = collection.key.split("|")
        segment = self._segment(cid, "METADATA")
        if segment is None:
            return
        dimension = int(dim_text) if dim_text else None
        vectors = _VectorLookup(self, cid, dimension, collection.name)
        last = -1
        while True:
            rows = self._query(
                "SELECT id, embedding_id FROM embeddings WHERE segment_id = ? AND id > ? "
                "ORDER BY id LIMIT ?",
                (segment, last, size),
            )
            if not rows:
                return
            last = rows[-1][0]
            yield self._batch(rows, vectors)

    def _batch(self, rows: List[Tuple[int, str]], vectors: _VectorLookup) -> RecordBatch:
        first, last = rows[0][0], rows[-1][0]
        has_bool = "bool_value" in self._columns.get("embedding_metadata", [])
        value_cols = "string_value, int_value, float_value" + (", bool_value" if has_bool else "")
        scalars: Dict[int, Dict[str, Any]] = defaultdict(dict)
        for r in self._query(
            f"SELECT id, key, {value_cols} FROM embedding_metadata WHERE id BETWEEN ? AND ?",
            (first, last),
        ):
            scalars[r[0]][r[1]] = _value(r[2:], has_bool)
        if "embedding_metadata_array" in self._tables:
            for r in self._query(
                f"SELECT id, key, {value_cols} FROM embedding_metadata_array "
                "WHERE id BETWEEN ? AND ? ORDER BY rowid",
                (first, last),
            ):
                scalars[r[0]].setdefault(r[1], []).append(_value(r[2:], has_bool))
        ids, documents, metadatas, uris = [], [], [], []
        for rowid, record_id in rows:
            meta = scalars.get(rowid, {})
            documents.append(meta.pop(_DOCUMENT_KEY, None))
            uris.append(meta.pop(_URI_KEY, None))
            clean = {k: v for k, v in meta.items() if not k.startswith("chroma:")}
            ids.append(record_id)
            metadatas.append(clean or None)
        return RecordBatch(ids, vectors.matrix(ids), documents, metadatas, uris)


class _VectorLookup:
    """The current vector of each id: the newest logged one, else the index files'."""

    def __init__(
        self, source: ChromaSqliteSource, cid: str, dimension: Optional[int], name: str
    ) -> None:
        self.name = name
        self.dimension = dimension
        self.logged: Dict[str, Vectors] = {}
        self.source = source
        if "embeddings_queue" in source._tables:
            self._read_log(cid)
        self.labels: Dict[str, int] = {}
        self.indexed: Optional[hnsw_files.LabelledVectors] = None
        segment = source._segment(cid, "VECTOR")
        folder = os.path.join(source.folder, segment) if segment else None
        if folder and dimension and os.path.exists(os.path.join(folder, hnsw_files.HEADER)):
            id_map = hnsw_files.read_id_map(folder)
            if id_map:
                self.labels = id_map
                self.indexed = hnsw_files.read_vectors(folder, dimension)

    def _read_log(self, cid: str) -> None:
        topics = [
            t
            for (t,) in self.source._query("SELECT DISTINCT topic FROM embeddings_queue")
            if t.rsplit("/", 1)[-1] == cid
        ]
        for topic in topics:
            for seq, op, record_id, blob, encoding in self.source._query(
                "SELECT seq_id, operation, id, vector, encoding FROM embeddings_queue "
                "WHERE topic = ? ORDER BY seq_id",
                (topic,),
            ):
                if op == _DELETE:
                    self.logged.pop(record_id, None)
                    continue
                if blob is None:
                    continue
                if (encoding or "FLOAT32").upper() != "FLOAT32":
                    raise ImportReadError(
                        f"Cannot read record {record_id!r} of collection {self.name!r} "
                        f"(log entry {seq}): unsupported vector encoding {encoding!r}"
                    )
                self.logged[record_id] = np.frombuffer(blob, dtype="<f4")

    def matrix(self, ids: List[str]) -> Optional[Vectors]:
        if not ids:
            return None
        out = []
        for record_id in ids:
            vec = self.logged.get(record_id)
            if vec is None and self.indexed is not None and record_id in self.labels:
                vec = self.indexed.get(self.labels[record_id])
            if vec is None:
                raise ImportReadError(
                    f"Cannot read record {record_id!r} of collection {self.name!r} in "
                    f"{self.source.folder}: its vector is neither in the write log nor in the "
                    "index files"
                )
            if self.dimension and vec.shape[0] != self.dimension:
                raise ImportReadError(
                    f"Cannot read record {record_id!r} of collection {self.name!r}: vector of "
                    f"{vec.shape[0]} floats, collection dimension {self.dimension}"
                )
            out.append(vec)
        return np.vstack(out).astype(np.float32, copy=False)


def _configuration(
    config_json: Optional[str], schema_json: Optional[str], metadata: Optional[Dict[str, Any]]
) -> Dict[str, Any]:
    """Our ``configuration`` from 0.6's ``hnsw_configuration`` or 1.x's ``hnsw`` / schema."""
    try:
        config = json.loads(config_json) if config_json else {}
        schema = json.loads(schema_json) if schema_json else {}
    except ValueError:
        return {}
    out: Dict[str, Any] = {}
    hnsw: Dict[str, Any] = {}
    if isinstance(config.get("hnsw"), dict):
        hnsw = {k: v for k, v in config["hnsw"].items() if k in _HNSW_KEYS}
    elif isinstance(config.get("hnsw_configuration"), dict):
        # 0.6 records defaults here even when metadata sets the space; keep what differs.
        old = config["hnsw_configuration"]
        mapped = {"ef_construction": old.get("ef_construction"), "ef_search": old.get("ef_search")}
        mapped["max_neighbors"] = old.get("M")
        hnsw = {k: v for k, v in mapped.items() if v is not None and v != _HNSW_DEFAULTS[k]}
    else:
        vector = (
            schema.get("keys", {}).get("#embedding", {}).get("float_list", {}).get("vector_index")
        )
        if isinstance(vector, dict) and isinstance(vector.get("config"), dict):
            cfg = vector["config"]
            hnsw = {k: v for k, v in (cfg.get("hnsw") or {}).items() if k in _HNSW_KEYS}
            hnsw = {k: v for k, v in hnsw.items() if v != _HNSW_DEFAULTS.get(k)}
            if cfg.get("space") and cfg["space"] != (metadata or {}).get("hnsw:space", "l2"):
                hnsw["space"] = cfg["space"]
    if hnsw:
        out["hnsw"] = hnsw
    if isinstance(config.get("embedding_function"), dict):
        out["embedding_function"] = config["embedding_function"]
    return out
