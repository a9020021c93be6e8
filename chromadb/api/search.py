"""Names that frameworks import from newer Chroma releases for features this database does not
offer yet (the ``Search`` builder of hybrid search). Importing them works, so integrations such as
langchain-chroma load; using them raises a clear error."""

from __future__ import annotations

from typing import Any


class Search:
    """Placeholder for Chroma's hybrid-search builder, which is not supported here yet."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        raise NotImplementedError(
            "chromadb.Search (hybrid search) is not supported by this implementation; "
            "use collection.query(...) with where / where_document filters"
        )
