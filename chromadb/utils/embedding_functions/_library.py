"""Embedding functions that run a library (a model SDK or a local model): the library is
imported when the function is built, and a missing one raises ``ImportError`` naming the
package to install."""

from __future__ import annotations

import importlib
from typing import Any, Dict, Tuple

__all__ = ["LibraryEmbeddingFunction", "require"]


def require(module: str, package: str, who: str) -> Any:
    """Import ``module``, or raise ImportError saying ``who`` needs ``pip install package``."""
    try:
        return importlib.import_module(module)
    except ImportError as exc:
        raise ImportError(
            f"{who} needs the {package} package: install it with `pip install {package}`"
        ) from exc


class LibraryEmbeddingFunction:
    """Base: ``CONFIG_KEYS`` are stored as the configuration and passed back to rebuild."""

    NAME = ""
    CONFIG_KEYS: Tuple[str, ...] = ()

    @classmethod
    def name(cls) -> str:
        return cls.NAME

    def get_config(self) -> Dict[str, Any]:
        return {k: getattr(self, k) for k in self.CONFIG_KEYS if getattr(self, k) is not None}

    @classmethod
    def build_from_config(cls, config: Dict[str, Any]) -> Any:
        return cls(**{k: v for k, v in config.items() if k in cls.CONFIG_KEYS})
