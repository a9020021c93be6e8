"""Drive a chromadb package from JSON lines: one operation in, one answer out.

Both interpreters run this same file (real Chroma's oracle venv and ours), so both sides see the
same calls. It imports nothing from our tests and only ``chromadb`` from the package under test.

An operation is ``{"target": T, "method": M, "kwargs": {...}}`` where ``T`` is ``"module"``
(``chromadb`` itself), ``"client"`` or ``"coll:<name>"`` (a collection handle kept from an
earlier answer). ``{"method": "__client__", "kwargs": {"kind": ..., ...}}`` makes the client.

Values that JSON cannot say travel tagged: ``{"__tuple__": [...]}``, ``{"__ndarray__": [...],
"dtype": "float32"}``, ``{"__float__": "inf"}``, ``{"__ef__": "hash"}`` (a small deterministic
embedding function defined here). Answers tag numpy arrays and scalars the same way, so the
comparison sees result types (a 2-d array versus a list of lists), and an error answers
``{"error": {"class", "bases", "message"}}``.
"""

from __future__ import annotations

import hashlib
import json
import logging
import math
import sys
import traceback
import warnings
from typing import Any, Dict, List

import numpy as np


class HashEmbedding:
    """Three numbers per text from its SHA-256: deterministic on both sides, no model."""

    def __call__(self, input: Any) -> Any:
        out = []
        for text in input:
            digest = hashlib.sha256(str(text).encode()).digest()
            out.append(np.array([b / 255.0 for b in digest[:3]], dtype=np.float32))
        return out

    @staticmethod
    def name() -> str:
        return "congruence_hash"

    def get_config(self) -> Dict[str, Any]:
        return {}

    @staticmethod
    def build_from_config(config: Dict[str, Any]) -> HashEmbedding:
        return HashEmbedding()

    def is_legacy(self) -> bool:
        return False

    def default_space(self) -> str:
        return "l2"

    def supported_spaces(self) -> List[str]:
        return ["l2", "ip", "cosine"]

    def embed_query(self, input: Any) -> Any:
        return self(input)


def decode(value: Any) -> Any:
    if isinstance(value, list):
        return [decode(v) for v in value]
    if isinstance(value, dict):
        if "__tuple__" in value:
            return tuple(decode(v) for v in value["__tuple__"])
        if "__ndarray__" in value:
            return np.array(value["__ndarray__"], dtype=value.get("dtype", "float32"))
        if "__float__" in value:
            return float(value["__float__"])
        if "__ef__" in value:
            return HashEmbedding() if value["__ef__"] == "hash" else None
        return {k: decode(v) for k, v in value.items()}
    return value


def _float(x: float) -> Any:
    return x if math.isfinite(x) else {"__float__": repr(x)}


def encode(value: Any, depth: int = 0) -> Any:
    if depth > 12:
        return {"__repr__": repr(value)[:200]}
    if isinstance(value, np.ndarray):
        return {
            "__ndarray__": encode(value.tolist(), depth + 1),
            "dtype": str(value.dtype),
            "shape": list(value.shape),
        }
    if isinstance(value, np.generic):
        return {"__npscalar__": encode(value.item(), depth + 1), "dtype": str(value.dtype)}
    if isinstance(value, bool) or value is None or isinstance(value, (int, str)):
        return value
    if isinstance(value, float):
        return _float(value)
    if isinstance(value, tuple):
        return {"__tuple__": [encode(v, depth + 1) for v in value]}
    if isinstance(value, list):
        return [encode(v, depth + 1) for v in value]
    if isinstance(value, dict):
        return {str(k): encode(v, depth + 1) for k, v in value.items()}
    if type(value).__name__ in ("Collection", "CollectionModel") and hasattr(value, "name"):
        return {"__collection__": value.name, "metadata": encode(value.metadata, depth + 1)}
    if hasattr(value, "hex") and type(value).__name__ == "UUID":
        return {"__uuid__": True}
    return {"__object__": type(value).__name__}


class Driver:
    def __init__(self) -> None:
        import chromadb

        self.chromadb = chromadb
        self.client: Any = None
        self.colls: Dict[str, Any] = {}

    def make_client(self, kind: str, **kw: Any) -> Any:
        chromadb = self.chromadb
        settings_kw = kw.pop("settings", None) or {}
        from chromadb.config import Settings

        settings = Settings(anonymized_telemetry=False, allow_reset=True, **settings_kw)
        if kind == "ephemeral":
            return chromadb.EphemeralClient(settings=settings)
        if kind == "persistent":
            return chromadb.PersistentClient(path=kw["path"], settings=settings)
        if kind == "http":
            return chromadb.HttpClient(host=kw["host"], port=kw["port"], settings=settings)
        if kind == "legacy":  # the seed era: Client(Settings(...))
            return chromadb.Client(settings)
        raise ValueError(f"unknown client kind {kind}")

    def run(self, op: Dict[str, Any]) -> Any:
        method = op["method"]
        kwargs = decode(op.get("kwargs") or {})
        if method == "__client__":
            self.client = self.make_client(**kwargs)
            self.colls.clear()
            return None
        if method == "__version__":
            return self.chromadb.__version__
        target = op.get("target", "client")
        if target == "module":
            obj: Any = self.chromadb
        elif target == "admin":  # tenants and databases
            from chromadb.config import Settings

            obj = self.chromadb.AdminClient(Settings(anonymized_telemetry=False, allow_reset=True))
        elif target == "client":
            obj = self.client
        else:
            name = target.split(":", 1)[1]
            if name not in self.colls:
                raise KeyError(f"driver has no handle for collection {name!r}")
            obj = self.colls[name]
        result = getattr(obj, method)(*decode(op.get("args") or []), **kwargs)
        if type(result).__name__ == "Collection":
            self.colls[result.name] = result
        if method == "modify" and target.startswith("coll:") and kwargs.get("name"):
            self.colls[kwargs["name"]] = self.colls.pop(target.split(":", 1)[1])
        return result


class _Capture(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.records: List[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record.getMessage()[:300])


def main() -> None:
    capture = _Capture()
    logging.getLogger().addHandler(capture)
    driver = Driver()
    out = sys.stdout
    for line in sys.stdin:
        if not line.strip():
            continue
        op = json.loads(line)
        capture.records.clear()
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            try:
                answer: Dict[str, Any] = {"result": encode(driver.run(op))}
            except BaseException as exc:  # every error is an answer, never the driver's end
                if isinstance(exc, (KeyboardInterrupt, SystemExit)):
                    raise
                answer = {
                    "error": {
                        "class": type(exc).__name__,
                        "bases": [c.__name__ for c in type(exc).__mro__[1:]],
                        "message": str(exc)[:2000],
                    }
                }
                if op.get("trace"):
                    answer["error"]["trace"] = traceback.format_exc()[-3000:]
        answer["warnings"] = [str(w.message)[:300] for w in caught] + capture.records
        out.write(json.dumps(answer) + "\n")
        out.flush()


if __name__ == "__main__":
    main()
