"""pyarrow, imported when first needed (it is a dependency; the check keeps the message clear
in an install that left it out)."""

from __future__ import annotations

from typing import Any, Tuple


def require_pyarrow() -> Tuple[Any, Any]:
    """``(pyarrow, pyarrow.parquet)``, or an ImportError saying how to install them."""
    try:
        import pyarrow
        import pyarrow.parquet
    except ImportError as exc:  # pragma: no cover - pyarrow is a declared dependency
        raise ImportError(
            "Reading and writing Parquet needs pyarrow: pip install 'pyarrow>=14'"
        ) from exc
    return pyarrow, pyarrow.parquet
