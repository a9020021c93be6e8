"""Write what a reader yields into collections of ours, resumably: ids the target already
holds are skipped, so a run that stopped half way is finished by running it again."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable, Dict, Iterator, List, Optional, Protocol, Tuple

from tqdm import tqdm

from chromadb.errors import ChromaError, ImportWriteError
from chromadb.portability.model import RecordBatch, SourceCollection

BATCH = 1000


class Source(Protocol):
    """What every reader offers (a real Chroma folder, a Parquet file, one of our folders)."""

    def collections(self) -> List[SourceCollection]: ...

    def batches(self, collection: SourceCollection, size: int) -> Iterator[RecordBatch]: ...

    def describe(self) -> str: ...


@dataclass
class Summary:
    """What a run wrote: per collection, records written and records already there."""

    written: Dict[str, int] = field(default_factory=dict)
    skipped: Dict[str, int] = field(default_factory=dict)

    @property
    def records(self) -> int:
        return sum(self.written.values())

    def lines(self) -> List[str]:
        out = []
        for name, written in self.written.items():
            skipped = self.skipped.get(name, 0)
            extra = f" ({skipped} already there)" if skipped else ""
            out.append(f"  {name}: {written} records written{extra}")
        total = f"{len(self.written)} collections, {self.records} records written"
        return out + [total]


OpenCollection = Callable[[SourceCollection], Any]


def _groups(batch: RecordBatch) -> List[Tuple[List[int], Tuple[bool, bool, bool]]]:
    """Rows split by which optional fields they have: ``add`` takes a field for all rows
    of a call or for none."""
    by_shape: Dict[Tuple[bool, bool, bool], List[int]] = {}
    for i in range(len(batch)):
        shape = (
            batch.documents[i] is not None,
            batch.metadatas[i] is not None,
            batch.uris[i] is not None,
        )
        by_shape.setdefault(shape, []).append(i)
    return [(rows, shape) for shape, rows in by_shape.items()]


def _add(target: Any, name: str, batch: RecordBatch) -> None:
    for rows, (docs, metas, uris) in _groups(batch):
        part = batch.take(rows)
        kwargs: Dict[str, Any] = {"ids": part.ids}
        if part.embeddings is not None:
            kwargs["embeddings"] = part.embeddings
        if docs:
            kwargs["documents"] = part.documents
        if metas:
            kwargs["metadatas"] = part.metadatas
        if uris:
            kwargs["uris"] = part.uris
        try:
            target.add(**kwargs)
        except ChromaError as exc:
            raise ImportWriteError(
                f"Cannot write collection {name!r} (records {part.ids[0]!r} .. "
                f"{part.ids[-1]!r}): {exc}"
            ) from exc


def write_source(
    source: Source,
    open_collection: OpenCollection,
    *,
    only: Optional[List[str]] = None,
    progress: bool = True,
    batch_size: int = BATCH,
) -> Summary:
    """Copy every collection of ``source`` (or those named in ``only``) into the targets that
    ``open_collection`` returns, skipping ids already there."""
    collections = source.collections()
    if only:
        missing = sorted(set(only) - {c.name for c in collections})
        if missing:
            raise ImportWriteError(
                f"No collection named {', '.join(missing)} in {source.describe()}"
            )
        collections = [c for c in collections if c.name in only]
    summary = Summary()
    bar = tqdm(
        total=sum(c.count for c in collections), unit="rec", disable=not progress, leave=False
    )
    try:
        for collection in collections:
            target = open_collection(collection)
            existing = set(target.get(include=[])["ids"]) if collection.count else set()
            written = skipped = 0
            for batch in source.batches(collection, batch_size):
                keep = [i for i, rid in enumerate(batch.ids) if rid not in existing]
                skipped += len(batch) - len(keep)
                if keep:
                    _add(
                        target,
                        collection.name,
                        batch.take(keep) if len(keep) < len(batch) else batch,
                    )
                    written += len(keep)
                bar.update(len(batch))
            summary.written[collection.name] = written
            summary.skipped[collection.name] = skipped
    finally:
        bar.close()
    return summary


def client_opener(client_for: Callable[[str, str], Any]) -> OpenCollection:
    """An opener over public clients: ``client_for(tenant, database)`` gives the client."""

    def open_collection(collection: SourceCollection) -> Any:
        client = client_for(collection.tenant, collection.database)
        return client.get_or_create_collection(
            collection.name,
            metadata=collection.metadata,
            embedding_function=None,
            configuration=collection.configuration or None,
        )

    return open_collection
