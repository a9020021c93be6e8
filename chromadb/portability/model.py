"""The neutral shape every reader yields and every writer takes: collections and record batches."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Dict, List, Optional

import numpy as np
import numpy.typing as npt

from chromadb.config import DEFAULT_DATABASE, DEFAULT_TENANT
from chromadb.errors import ImportReadError

Vectors = npt.NDArray[np.float32]
__all__ = ["ImportReadError", "RecordBatch", "SourceCollection", "Vectors"]


@dataclass
class SourceCollection:
    """One collection as found in a source: where it lives and how it is set up."""

    name: str
    metadata: Optional[Dict[str, Any]] = None
    configuration: Dict[str, Any] = field(default_factory=dict)
    tenant: str = DEFAULT_TENANT
    database: str = DEFAULT_DATABASE
    count: int = 0
    # The reader's own handle (a collection id in the source); opaque to writers.
    key: str = ""


@dataclass
class RecordBatch:
    """Records side by side: row i of ``embeddings`` belongs to ``ids[i]``."""

    ids: List[str]
    embeddings: Optional[Vectors]
    documents: List[Optional[str]]
    metadatas: List[Optional[Dict[str, Any]]]
    uris: List[Optional[str]]

    def __len__(self) -> int:
        return len(self.ids)

    def take(self, keep: List[int]) -> RecordBatch:
        """The rows at the positions in ``keep``, in that order."""
        return RecordBatch(
            ids=[self.ids[i] for i in keep],
            embeddings=None if self.embeddings is None else self.embeddings[keep],
            documents=[self.documents[i] for i in keep],
            metadatas=[self.metadatas[i] for i in keep],
            uris=[self.uris[i] for i in keep],
        )
