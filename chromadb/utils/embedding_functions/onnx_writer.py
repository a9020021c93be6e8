"""A small writer for ONNX model files, so the default embedding model can be turned into an
ONNX graph without torch and without the ``onnx`` package.

An ONNX file is a protobuf ``ModelProto``. We only ever write a handful of its messages (model,
graph, node, attribute, tensor, value info), so encoding them by hand is a few dozen lines and
saves a dependency that would only be used once per machine. Field numbers follow the public
``onnx.proto`` schema.
"""

from __future__ import annotations

import struct
from typing import Dict, List, Optional, Sequence, Union

import numpy as np
from numpy.typing import NDArray

__all__ = ["GraphBuilder"]

# TensorProto.DataType values.
_DTYPES: Dict[str, int] = {"float32": 1, "int32": 6, "int64": 7}
FLOAT = _DTYPES["float32"]
INT64 = _DTYPES["int64"]

# AttributeProto.AttributeType values.
_ATTR_FLOAT, _ATTR_INT, _ATTR_STRING, _ATTR_INTS = 1, 2, 3, 7

AttributeValue = Union[int, float, str, Sequence[int]]
Dim = Union[int, str]


def _varint(value: int) -> bytes:
    if value < 0:
        value += 1 << 64  # negative int64 values travel as ten-byte two's complement
    out = bytearray()
    while True:
        low = value & 0x7F
        value >>= 7
        if value:
            out.append(low | 0x80)
        else:
            out.append(low)
            return bytes(out)


def _int_field(field: int, value: int) -> bytes:
    return _varint(field << 3) + _varint(value)


def _bytes_field(field: int, value: bytes) -> bytes:
    return _varint((field << 3) | 2) + _varint(len(value)) + value


def _str_field(field: int, value: str) -> bytes:
    return _bytes_field(field, value.encode("utf-8"))


def _float_field(field: int, value: float) -> bytes:
    return _varint((field << 3) | 5) + struct.pack("<f", value)


def _tensor(name: str, array: NDArray[np.generic]) -> bytes:
    dtype = _DTYPES.get(array.dtype.name)
    if dtype is None:
        raise TypeError(f"Cannot store a tensor of dtype {array.dtype} in an ONNX file")
    body = b"".join(_int_field(1, int(d)) for d in array.shape)
    body += _int_field(2, dtype) + _str_field(8, name)
    body += _bytes_field(
        9, np.ascontiguousarray(array).astype(array.dtype.newbyteorder("<")).tobytes()
    )
    return body


def _attribute(name: str, value: AttributeValue) -> bytes:
    body = _str_field(1, name)
    if isinstance(value, bool) or isinstance(value, int):
        return body + _int_field(3, int(value)) + _int_field(20, _ATTR_INT)
    if isinstance(value, float):
        return body + _float_field(2, value) + _int_field(20, _ATTR_FLOAT)
    if isinstance(value, str):
        return body + _str_field(4, value) + _int_field(20, _ATTR_STRING)
    ints = b"".join(_int_field(8, int(v)) for v in value)
    return body + ints + _int_field(20, _ATTR_INTS)


def _value_info(name: str, elem_type: int, shape: Sequence[Dim]) -> bytes:
    dims = b"".join(
        _bytes_field(1, _str_field(2, d) if isinstance(d, str) else _int_field(1, d)) for d in shape
    )
    tensor_type = _int_field(1, elem_type) + _bytes_field(2, dims)
    return _str_field(1, name) + _bytes_field(2, _bytes_field(1, tensor_type))


class GraphBuilder:
    """Collects nodes and weights of one ONNX graph and serialises it as a model file.

    ``node()`` returns the name of the node's (single) output, so graphs read like expressions:
    ``y = g.node("Add", [g.node("MatMul", [x, w]), b])``.
    """

    def __init__(self, name: str) -> None:
        self.name = name
        self._nodes: List[bytes] = []
        self._initializers: List[bytes] = []
        self._inputs: List[bytes] = []
        self._outputs: List[bytes] = []
        self._count = 0

    def _fresh(self, prefix: str) -> str:
        self._count += 1
        return f"{prefix}_{self._count}"

    def input(self, name: str, elem_type: int, shape: Sequence[Dim]) -> str:
        """Declare a graph input."""
        self._inputs.append(_value_info(name, elem_type, shape))
        return name

    def output(self, name: str, elem_type: int, shape: Sequence[Dim]) -> None:
        """Declare a graph output (some node must produce ``name``)."""
        self._outputs.append(_value_info(name, elem_type, shape))

    def const(self, array: NDArray[np.generic], name: Optional[str] = None) -> str:
        """Store a weight or constant in the graph and return its name."""
        name = name or self._fresh("const")
        self._initializers.append(_tensor(name, array))
        return name

    def node(
        self,
        op_type: str,
        inputs: Sequence[str],
        output: Optional[str] = None,
        domain: str = "",
        **attributes: AttributeValue,
    ) -> str:
        """Add a node with one output; return the output's name."""
        output = output or self._fresh(op_type.lower())
        body = b"".join(_str_field(1, i) for i in inputs) + _str_field(2, output)
        body += _str_field(3, self._fresh("node")) + _str_field(4, op_type)
        body += b"".join(_bytes_field(5, _attribute(k, v)) for k, v in attributes.items())
        if domain:
            body += _str_field(7, domain)
        self._nodes.append(body)
        return output

    def to_bytes(self, opset: int = 17, ir_version: int = 8) -> bytes:
        """The serialised ``ModelProto``."""
        graph = b"".join(_bytes_field(1, n) for n in self._nodes) + _str_field(2, self.name)
        graph += b"".join(_bytes_field(5, t) for t in self._initializers)
        graph += b"".join(_bytes_field(11, i) for i in self._inputs)
        graph += b"".join(_bytes_field(12, o) for o in self._outputs)
        opset_id = _str_field(1, "") + _int_field(2, opset)
        return (
            _int_field(1, ir_version)
            + _str_field(2, "chromadb")
            + _bytes_field(7, graph)
            + _bytes_field(8, opset_id)
        )
