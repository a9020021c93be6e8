"""The default embedding function: all-MiniLM-L6-v2 on onnxruntime, with no torch and no network.

Output equals sentence-transformers' ``SentenceTransformer("all-MiniLM-L6-v2").encode(texts,
normalize_embeddings=True)``: tokens truncated at 256, mean pooling over the attention mask, L2
normalisation. The speed comes from padding each batch only to its longest member and batching
texts of similar length together (Chroma's function pads every text to 256 tokens).

The model is loaded on the first call, once per process (per model folder), and shared by all
instances; onnxruntime sessions and the tokenizer are safe to use from several threads.
"""

from __future__ import annotations

import logging
import os
import tempfile
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, Dict, List, Optional, Sequence, Tuple, Union

import numpy as np
from numpy.typing import NDArray

from chromadb.api.types import Documents, Embeddings
from chromadb.errors import InvalidArgumentError
from chromadb.utils.embedding_functions.base import check_documents
from chromadb.utils.embedding_functions.errors import ModelFileError
from chromadb.utils.embedding_functions.model_files import (
    SAFETENSORS_SHA256,
    ModelFiles,
    cache_dir,
    locate_model,
    verify_sha256,
)

__all__ = ["DefaultEmbeddingFunction", "ONNXMiniLM_L6_V2"]

logger = logging.getLogger(__name__)

MAX_TOKENS = 256  # sentence-transformers' max_seq_length for this model
DIMENSION = 384
# Bump when minilm_graph changes, so graphs cached by an older version are not reused.
GRAPH_VERSION = 1
# A batch holds at most this many texts and this many padded tokens: big enough to keep the
# matrix products efficient, small enough to bound memory on long texts.
BATCH_TEXTS = 64
MIN_BATCH_TEXTS = 8
BATCH_TOKENS = 4096

# The embedding of _PROBE_TEXT by sentence-transformers (first 8 of 384 values): checked after
# loading, so a corrupt or different model fails loudly instead of giving wrong vectors.
_PROBE_TEXT = "The quick brown fox jumps over the lazy dog."
_PROBE_VALUES = (0.04393, 0.05893, 0.04818, 0.07755, 0.02674, -0.03763, -0.00261, -0.05994)
_PROBE_TOLERANCE = 1e-3


def _usable_cores() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


def _cached_graph_path() -> Path:
    return (
        cache_dir() / "onnx" / f"all-MiniLM-L6-v2-{SAFETENSORS_SHA256[:16]}-g{GRAPH_VERSION}.onnx"
    )


def _write_atomically(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".tmp-", suffix=".onnx", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.chmod(tmp, 0o644)  # mkstemp makes it private; a cache may be shared by users
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def onnx_graph_for(files: ModelFiles) -> Union[str, bytes]:
    """The ONNX model to run: a file's path, or the graph's bytes when it cannot be cached.

    From safetensors weights the graph is built once and cached; the weights' sha256 is checked
    first in every process.
    """
    if files.onnx is not None:
        return str(files.onnx)
    assert files.safetensors is not None  # ModelFiles holds one or the other
    verify_sha256(files.safetensors)
    cached = _cached_graph_path()
    if cached.is_file():
        return str(cached)
    from chromadb.utils.embedding_functions.minilm_graph import build_minilm_onnx

    logger.info("Building the ONNX graph of all-MiniLM-L6-v2 from %s", files.safetensors)
    graph = build_minilm_onnx(files.directory)
    try:
        _write_atomically(cached, graph)
    except OSError as exc:  # a read-only home still gets a working model, just not cached
        logger.warning("Cannot cache the ONNX graph at %s (%s); keeping it in memory", cached, exc)
        return graph
    return str(cached)


class MiniLMRuntime:
    """A loaded model: the tokenizer plus an onnxruntime session. Use ``embed``."""

    def __init__(self, files: ModelFiles, providers: Optional[Sequence[str]] = None) -> None:
        import onnxruntime as ort
        from tokenizers import Tokenizer

        self.files = files
        self.tokenizer = Tokenizer.from_file(str(files.tokenizer))
        self.tokenizer.no_padding()  # batches are padded here, each to its own longest text
        self.tokenizer.enable_truncation(max_length=MAX_TOKENS)
        options = ort.SessionOptions()
        # One thread per run; batches of one call run in parallel on a pool sized to the cores
        # (see embed): small matrix products scale better that way than split across threads.
        options.intra_op_num_threads = 1
        options.inter_op_num_threads = 1
        options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        options.log_severity_level = 3
        chosen = list(providers) if providers else ["CPUExecutionProvider"]
        try:
            self.session = ort.InferenceSession(onnx_graph_for(files), options, providers=chosen)
        except ModelFileError:
            raise
        except Exception as exc:  # onnxruntime raises its own untyped errors
            raise ModelFileError(
                f"Cannot load the ONNX model of all-MiniLM-L6-v2 from {files.directory} "
                f"({files.origin}): {exc}"
            ) from exc
        self._input_names = {i.name for i in self.session.get_inputs()}
        self._workers = _usable_cores()
        self._pool = ThreadPoolExecutor(max_workers=self._workers, thread_name_prefix="minilm")
        self._check_probe()

    def _check_probe(self) -> None:
        vector = self.embed([_PROBE_TEXT])[0]
        if vector.shape != (DIMENSION,) or not np.allclose(
            vector[: len(_PROBE_VALUES)], _PROBE_VALUES, atol=_PROBE_TOLERANCE
        ):
            raise ModelFileError(
                f"The model in {self.files.directory} ({self.files.origin}) does not give "
                f"all-MiniLM-L6-v2's embeddings; the files are corrupt or a different model"
            )

    def _run_batch(self, ids: List[List[int]]) -> NDArray[np.float32]:
        width = max(len(t) for t in ids)
        input_ids = np.zeros((len(ids), width), dtype=np.int64)
        mask = np.zeros((len(ids), width), dtype=np.int64)
        for row, tokens in enumerate(ids):
            input_ids[row, : len(tokens)] = tokens
            mask[row, : len(tokens)] = 1
        feed: Dict[str, NDArray[np.int64]] = {"input_ids": input_ids, "attention_mask": mask}
        if "token_type_ids" in self._input_names:
            feed["token_type_ids"] = np.zeros_like(input_ids)
        hidden = self.session.run(None, feed)[0]
        # Mean over real tokens, then unit length: sentence-transformers' pooling + Normalize.
        weights = mask.astype(np.float32)[:, :, None]
        summed = (hidden * weights).sum(axis=1)
        mean = summed / np.maximum(weights.sum(axis=1), 1e-9)
        norms = np.maximum(np.linalg.norm(mean, axis=1, keepdims=True), 1e-12)
        return (mean / norms).astype(np.float32)

    def embed(self, texts: Sequence[str]) -> NDArray[np.float32]:
        """Embed ``texts``; returns an array of shape (len(texts), 384)."""
        out = np.empty((len(texts), DIMENSION), dtype=np.float32)
        if not texts:
            return out
        encodings = self.tokenizer.encode_batch(list(texts))
        ids = [e.ids for e in encodings]
        # Enough batches to keep every core busy, but none so small that overhead dominates.
        per_batch = max(MIN_BATCH_TEXTS, min(BATCH_TEXTS, -(-len(ids) // self._workers)))
        batches = _length_sorted_batches([len(t) for t in ids], per_batch)
        if len(batches) == 1:
            out[batches[0]] = self._run_batch([ids[i] for i in batches[0]])
            return out
        futures = [self._pool.submit(self._run_batch, [ids[i] for i in b]) for b in batches]
        for batch, future in zip(batches, futures):
            out[batch] = future.result()
        return out


def _length_sorted_batches(lengths: Sequence[int], max_texts: int = BATCH_TEXTS) -> List[List[int]]:
    """Group text positions by token count so that each batch needs little padding."""
    order = sorted(range(len(lengths)), key=lengths.__getitem__)
    batches: List[List[int]] = []
    current: List[int] = []
    for index in order:
        # Sorted ascending, so this text is the longest of the batch so far.
        width = lengths[index]
        if current and (len(current) >= max_texts or (len(current) + 1) * width > BATCH_TOKENS):
            batches.append(current)
            current = []
        current.append(index)
    if current:
        batches.append(current)
    return batches


_runtimes: Dict[Tuple[Optional[str], Tuple[str, ...]], MiniLMRuntime] = {}
_runtimes_lock = threading.Lock()
# A forked child must not reuse the parent's session and worker threads (they do not survive
# fork); it loads its own on first use.
if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_runtimes.clear)


def get_runtime(
    model_path: Optional[str] = None, providers: Optional[Sequence[str]] = None
) -> MiniLMRuntime:
    """The process-wide runtime for this model folder (None: the default search order)."""
    key = (model_path, tuple(providers or ()))
    runtime = _runtimes.get(key)
    if runtime is not None:
        return runtime
    with _runtimes_lock:  # a second thread waits here instead of loading the model again
        runtime = _runtimes.get(key)
        if runtime is None:
            runtime = MiniLMRuntime(locate_model(model_path), providers)
            _runtimes[key] = runtime
        return runtime


class DefaultEmbeddingFunction:
    """all-MiniLM-L6-v2 sentence embeddings (384 floats, unit length), computed locally.

    Creating one is cheap: the model loads on the first call and is shared by every instance
    in the process. Needs no network when the model files are on disk (see ``model_files``).

    Args:
        model_path: A folder holding ``tokenizer.json`` and ``model.onnx`` or
            ``model.safetensors`` + ``config.json``; default: the search order of
            ``chromadb.utils.embedding_functions.model_files``.
        preferred_providers: onnxruntime execution providers to use, in order of preference
            (default: the CPU).

    Example::

        ef = DefaultEmbeddingFunction()
        vectors = ef(["a first document", "a second one"])
    """

    def __init__(
        self,
        model_path: Optional[str] = None,
        preferred_providers: Optional[List[str]] = None,
    ) -> None:
        if preferred_providers is not None and (
            not isinstance(preferred_providers, list)
            or not all(isinstance(p, str) for p in preferred_providers)
        ):
            raise InvalidArgumentError("preferred_providers must be a list of provider names")
        self.model_path = str(model_path) if model_path is not None else None
        self.preferred_providers = preferred_providers

    def __call__(self, input: Documents) -> Embeddings:
        """Embed each document; returns one float32 vector of length 384 per document."""
        texts = check_documents(input)
        if not texts:
            return []
        vectors = get_runtime(self.model_path, self.preferred_providers).embed(texts)
        return list(vectors)

    @staticmethod
    def name() -> str:
        """The name collections record for this function."""
        return "default"

    def get_config(self) -> Dict[str, Any]:
        """The arguments that rebuild this function (only those that differ from the default)."""
        config: Dict[str, Any] = {}
        if self.model_path is not None:
            config["model_path"] = self.model_path
        if self.preferred_providers is not None:
            config["preferred_providers"] = list(self.preferred_providers)
        return config

    @classmethod
    def build_from_config(cls, config: Dict[str, Any]) -> DefaultEmbeddingFunction:
        """Rebuild from ``get_config()``'s output."""
        return cls(
            model_path=config.get("model_path"),
            preferred_providers=config.get("preferred_providers"),
        )

    def __eq__(self, other: object) -> bool:
        return (
            isinstance(other, DefaultEmbeddingFunction) and self.get_config() == other.get_config()
        )

    def __hash__(self) -> int:
        return hash((self.model_path, tuple(self.preferred_providers or ())))

    def __repr__(self) -> str:
        return f"DefaultEmbeddingFunction({self.get_config()})"


# Chroma's name for the same function.
ONNXMiniLM_L6_V2 = DefaultEmbeddingFunction
