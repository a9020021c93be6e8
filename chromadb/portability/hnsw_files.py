"""Read the vectors out of a Chroma 0.4-1.x HNSW segment folder, without hnswlib.

The folder holds hnswlib's persistent layout: ``header.bin`` (the index parameters),
``data_level0.bin`` (one fixed-size block per element: its level-0 links, its vector, its
label) and ``index_metadata.pickle`` (Chroma's id -> label map). Only the header and the level-0
blocks matter here: the links are the graph, which we rebuild.

The pickle is untrusted input. It is read with an unpickler that builds nothing but plain
dicts, lists, strings and numbers (and Chroma's one record class, as a plain attribute bag);
anything else in the stream is refused before it can run.
"""

from __future__ import annotations

import io
import os
import pickle
import struct
from dataclasses import dataclass
from typing import Any, Dict, Optional

import numpy as np

from chromadb.portability.model import ImportReadError, Vectors

HEADER = "header.bin"
LEVEL0 = "data_level0.bin"
PICKLE = "index_metadata.pickle"

# int32 format version, then hnswlib's fields in the order it writes them.
_HEADER = struct.Struct("<i6QiI3QdQ")
_PERSISTENT_DATA = ("chromadb.segment.impl.vector.local_persistent_hnsw", "PersistentData")


@dataclass
class Header:
    offset_level0: int
    max_elements: int
    count: int
    block_size: int
    label_offset: int
    data_offset: int


class _AttributeBag:
    """Stands in for Chroma's ``PersistentData``: receives its attributes, runs nothing."""

    def __setstate__(self, state: Any) -> None:
        if not isinstance(state, dict):
            raise pickle.UnpicklingError("unexpected state for PersistentData")
        self.__dict__.update(state)


class _PlainUnpickler(pickle.Unpickler):
    def find_class(self, module: str, name: str) -> Any:
        if (module, name) == _PERSISTENT_DATA:
            return _AttributeBag
        raise pickle.UnpicklingError(f"refusing to load {module}.{name} from an index pickle")


def read_id_map(folder: str) -> Optional[Dict[str, int]]:
    """Chroma's id -> label map of a segment, or None when the segment never saved one."""
    path = os.path.join(folder, PICKLE)
    if not os.path.exists(path):
        return None
    with open(path, "rb") as fh:
        raw = fh.read()
    try:
        loaded = _PlainUnpickler(io.BytesIO(raw)).load()
    except Exception as exc:
        raise ImportReadError(f"Cannot read {path}: {exc}") from None
    state = loaded if isinstance(loaded, dict) else getattr(loaded, "__dict__", {})
    id_to_label = state.get("id_to_label")
    if not isinstance(id_to_label, dict):
        raise ImportReadError(f"Cannot read {path}: no id_to_label map in it")
    out: Dict[str, int] = {}
    for key, label in id_to_label.items():
        if not isinstance(key, str) or not isinstance(label, int) or isinstance(label, bool):
            raise ImportReadError(f"Cannot read {path}: bad entry {key!r} -> {label!r}")
        out[key] = label
    return out


def read_header(folder: str) -> Header:
    path = os.path.join(folder, HEADER)
    with open(path, "rb") as fh:
        raw = fh.read(_HEADER.size)
    if len(raw) < _HEADER.size:
        raise ImportReadError(f"Cannot read {path}: {len(raw)} bytes, expected {_HEADER.size}")
    fields = _HEADER.unpack(raw)
    header = Header(*fields[1:7])
    if header.block_size <= 0 or header.label_offset + 8 > header.block_size:
        raise ImportReadError(f"Cannot read {path}: inconsistent sizes {fields[1:7]}")
    return header


@dataclass
class LabelledVectors:
    """The segment's vectors (one row each) and the row of each hnswlib label."""

    rows: Dict[int, int]
    data: Vectors

    def get(self, label: int) -> Optional[Vectors]:
        row = self.rows.get(label)
        return None if row is None else self.data[row]


def read_vectors(folder: str, dimension: int) -> LabelledVectors:
    """Every element's vector in the segment, by its hnswlib label (float32, as stored:
    hnswlib keeps cosine collections' vectors normalised)."""
    header = read_header(folder)
    if header.count == 0:
        return LabelledVectors({}, np.zeros((0, dimension), dtype=np.float32))
    expected = header.label_offset - header.data_offset
    if expected != 4 * dimension:
        raise ImportReadError(
            f"Cannot read {folder}: vectors of {expected // 4} floats, collection dimension {dimension}"
        )
    path = os.path.join(folder, LEVEL0)
    need = header.offset_level0 + header.count * header.block_size
    if os.path.getsize(path) < need:
        raise ImportReadError(
            f"Cannot read {path}: {os.path.getsize(path)} bytes, {header.count} elements need {need}"
        )
    # Mapped read-only: the file is paged in as rows are copied out, never written.
    mapped = np.memmap(path, dtype=np.uint8, mode="r", shape=(need,))
    blocks = mapped[header.offset_level0 :].reshape(header.count, header.block_size)
    data = np.ascontiguousarray(blocks[:, header.data_offset : header.label_offset]).view("<f4")
    labels = np.ascontiguousarray(blocks[:, header.label_offset : header.label_offset + 8])
    del blocks, mapped
    rows = {int(label): i for i, label in enumerate(labels.view("<u8")[:, 0].tolist())}
    return LabelledVectors(rows, data.astype(np.float32, copy=False))
