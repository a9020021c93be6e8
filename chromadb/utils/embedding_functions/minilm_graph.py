"""The all-MiniLM-L6-v2 encoder (a 6-layer BERT) written as an ONNX graph from its safetensors
weights, so that onnxruntime can run it without torch.

Inputs are ``input_ids`` and ``attention_mask`` (int64, batch x tokens); the output is
``last_hidden_state`` (float32, batch x tokens x 384). Pooling and normalisation happen outside
the graph so that the same code serves Chroma's own ONNX file, which stops at the same output.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Dict, Mapping

import numpy as np
from numpy.typing import NDArray

from chromadb.utils.embedding_functions.onnx_writer import FLOAT, INT64, GraphBuilder

__all__ = ["build_minilm_onnx"]

Weights = Mapping[str, NDArray[np.float32]]


def _f32(value: float) -> NDArray[np.float32]:
    return np.array(value, dtype=np.float32)


def _i64(*values: int) -> NDArray[np.int64]:
    return np.array(values, dtype=np.int64)


class _Encoder:
    """Emits the BERT layers into a GraphBuilder, one method per block."""

    def __init__(self, g: GraphBuilder, weights: Weights, config: Dict[str, Any]) -> None:
        self.g = g
        self.w = weights
        self.hidden = int(config["hidden_size"])
        self.heads = int(config["num_attention_heads"])
        self.eps = float(config.get("layer_norm_eps", 1e-12))
        self.layers = int(config["num_hidden_layers"])

    def weight(self, name: str) -> str:
        return self.g.const(np.ascontiguousarray(self.w[name], dtype=np.float32), name)

    def layer_norm(self, x: str, prefix: str) -> str:
        scale, bias = self.weight(prefix + ".weight"), self.weight(prefix + ".bias")
        return self.g.node("LayerNormalization", [x, scale, bias], axis=-1, epsilon=self.eps)

    def dense(self, x: str, prefix: str) -> str:
        # torch stores Linear weights as (out, in); MatMul wants (in, out).
        w = self.g.const(np.ascontiguousarray(self.w[prefix + ".weight"].T), prefix + ".weight")
        return self.g.node("Add", [self.g.node("MatMul", [x, w]), self.weight(prefix + ".bias")])

    def embeddings(self, input_ids: str) -> str:
        g = self.g
        shape = g.node("Shape", [input_ids])
        length = g.node("Gather", [shape, g.const(np.array(1, dtype=np.int64))], axis=0)
        positions = g.node(
            "Range",
            [g.const(np.array(0, dtype=np.int64)), length, g.const(np.array(1, dtype=np.int64))],
        )
        words = g.node(
            "Gather", [self.weight("embeddings.word_embeddings.weight"), input_ids], axis=0
        )
        pos = g.node(
            "Gather", [self.weight("embeddings.position_embeddings.weight"), positions], axis=0
        )
        # token_type_ids are always 0 for single sentences: add that row as a constant.
        type0 = g.const(np.ascontiguousarray(self.w["embeddings.token_type_embeddings.weight"][0]))
        x = g.node("Add", [g.node("Add", [words, pos]), type0])
        return self.layer_norm(x, "embeddings.LayerNorm")

    def mask_bias(self, attention_mask: str) -> str:
        """0 where a token may be attended to, a large negative number on padding."""
        g = self.g
        mask = g.node("Cast", [attention_mask], to=FLOAT)
        bias = g.node("Mul", [g.node("Sub", [g.const(_f32(1.0)), mask]), g.const(_f32(-1e4))])
        return g.node("Unsqueeze", [bias, g.const(_i64(1, 2))])  # batch x 1 x 1 x tokens

    def attention(self, x: str, bias: str, prefix: str) -> str:
        g = self.g
        head_dim = self.hidden // self.heads
        split_heads = g.const(_i64(0, 0, self.heads, head_dim))

        def heads(t: str, perm: tuple[int, ...]) -> str:
            return g.node("Transpose", [g.node("Reshape", [t, split_heads])], perm=list(perm))

        q = heads(self.dense(x, prefix + "attention.self.query"), (0, 2, 1, 3))
        k = heads(self.dense(x, prefix + "attention.self.key"), (0, 2, 3, 1))
        v = heads(self.dense(x, prefix + "attention.self.value"), (0, 2, 1, 3))
        scores = g.node("Mul", [g.node("MatMul", [q, k]), g.const(_f32(1.0 / np.sqrt(head_dim)))])
        probs = g.node("Softmax", [g.node("Add", [scores, bias])], axis=-1)
        context = g.node("Transpose", [g.node("MatMul", [probs, v])], perm=[0, 2, 1, 3])
        context = g.node("Reshape", [context, g.const(_i64(0, 0, self.hidden))])
        out = self.dense(context, prefix + "attention.output.dense")
        return self.layer_norm(g.node("Add", [out, x]), prefix + "attention.output.LayerNorm")

    def feed_forward(self, x: str, prefix: str) -> str:
        g = self.g
        h = self.dense(x, prefix + "intermediate.dense")
        # Exact GELU, 0.5 * h * (1 + erf(h / sqrt(2))), as BERT defines it.
        erf = g.node("Erf", [g.node("Div", [h, g.const(_f32(float(np.sqrt(2.0))))])])
        h = g.node(
            "Mul",
            [g.node("Mul", [h, g.node("Add", [erf, g.const(_f32(1.0))])]), g.const(_f32(0.5))],
        )
        out = self.dense(h, prefix + "output.dense")
        return self.layer_norm(g.node("Add", [out, x]), prefix + "output.LayerNorm")

    def build(self) -> None:
        g = self.g
        ids = g.input("input_ids", INT64, ["batch", "tokens"])
        mask = g.input("attention_mask", INT64, ["batch", "tokens"])
        x = self.embeddings(ids)
        bias = self.mask_bias(mask)
        for i in range(self.layers):
            prefix = f"encoder.layer.{i}."
            x = self.feed_forward(self.attention(x, bias, prefix), prefix)
        g.node("Identity", [x], output="last_hidden_state")
        g.output("last_hidden_state", FLOAT, ["batch", "tokens", self.hidden])


def build_minilm_onnx(model_dir: Path) -> bytes:
    """Read ``model.safetensors`` and ``config.json`` from ``model_dir``; return an ONNX model."""
    from safetensors.numpy import load_file

    weights = load_file(str(model_dir / "model.safetensors"))
    config = json.loads((model_dir / "config.json").read_text(encoding="utf-8"))
    builder = GraphBuilder("all-MiniLM-L6-v2")
    _Encoder(builder, weights, config).build()
    return builder.to_bytes()
