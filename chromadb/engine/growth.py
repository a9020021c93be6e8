"""Growing faiss's arrays in place instead of by copying.

faiss keeps an HNSW index's vectors (and its neighbour lists) in a ``std::vector`` that, when
full, allocates one twice as large and copies into it: for that moment the process holds both
(at 1M x 384-d, a 0.8-1.5 GB spike over the index itself). faiss offers no way to reserve room,
so ``reserve`` grows the vector's buffer with the C library's ``realloc``, which on Linux moves
a large buffer's pages to a larger mapping (``mremap``) rather than copying them: no second
copy is ever resident, and the room beyond the vector's size costs address space only.

This needs glibc (``operator new`` of libstdc++ is its ``malloc``) and libstdc++'s vector
layout (three pointers: first element, end, end of the allocation); both are checked against
what the vector reports before anything is written, and anywhere else ``reserve`` does
nothing and faiss grows its arrays as it always does.
"""

from __future__ import annotations

import ctypes
import platform
import sys
from typing import Any, Optional

# Each growth at least doubles the room, as std::vector's own would (so growing stays linear).
GROWTH = 2.0


def _load_realloc() -> Optional[Any]:
    if not sys.platform.startswith("linux") or platform.libc_ver()[0] != "glibc":
        return None
    try:
        fn = ctypes.CDLL(None).realloc
    except (OSError, AttributeError):  # pragma: no cover - a libc without realloc
        return None
    fn.argtypes = [ctypes.c_void_p, ctypes.c_size_t]
    fn.restype = ctypes.c_void_p
    return fn


_realloc = _load_realloc()

_POINTERS = ctypes.c_size_t * 3


def can_grow_in_place() -> bool:
    """Whether ``reserve`` can work on this system (each vector's layout is checked again)."""
    return _realloc is not None


def _layout(vector: Any) -> Optional[Any]:
    """The three pointers of the ``std::vector`` that faiss's MaybeOwnedVector ``vector`` owns,
    when they are where they must be (else None)."""
    if _realloc is None or not vector.is_owned:
        return None
    owned = vector.owned_data
    try:
        ptrs = _POINTERS.from_address(int(owned.this))
        item = _itemsize(vector)
        start = int(owned.data()) if owned.size() else None
    except (TypeError, ValueError, AttributeError):  # pragma: no cover - another binding
        return None
    first, end, cap_end = ptrs
    if start is not None and first != start:
        return None
    if end - first != owned.size() * item or cap_end < end:
        return None
    return ptrs


def _itemsize(vector: Any) -> int:
    name = type(vector).__name__
    if name.endswith("UInt8"):
        return 1
    if name.endswith("Int32"):
        return 4
    raise TypeError(f"unexpected faiss vector {name}")


def capacity(vector: Any) -> Optional[int]:
    """Elements ``vector`` holds room for, or None where it cannot be read."""
    ptrs = _layout(vector)
    if ptrs is None:
        return None
    return (ptrs[2] - ptrs[0]) // _itemsize(vector)


def reserve(vector: Any, elements: int) -> bool:
    """Make room for ``elements`` elements in faiss's MaybeOwnedVector ``vector`` (at least
    doubling its room when it grows), moving its buffer rather than copying it; returns False
    where that cannot be done (faiss then grows it itself). Nothing may use ``vector`` meanwhile
    (call under the lock that keeps faiss's adds and searches apart)."""
    ptrs = _layout(vector)
    if ptrs is None:
        return False
    item = _itemsize(vector)
    first, end, cap_end = ptrs
    have = (cap_end - first) // item
    if elements <= have:
        return True
    want = max(elements, int(have * GROWTH))
    assert _realloc is not None
    moved = _realloc(first or None, want * item)
    if not moved:
        return False  # out of memory: the old buffer is untouched, faiss copies as before
    size_bytes = end - first
    ptrs[0], ptrs[1], ptrs[2] = moved, moved + size_bytes, moved + want * item
    # faiss's own pointer to the data follows the vector's after a resize to the same size.
    vector.resize(vector.size())
    return True


def resize_unwritten(vector: Any, elements: int) -> bool:
    """Size faiss's MaybeOwnedVector ``vector`` to ``elements`` without writing the new ones
    (``resize`` would zero every byte first, then the caller writes them all again: a second
    pass over memory, page faults included, on the way to a loaded index). Their memory holds
    whatever the allocator gave: the caller must write every new element. Returns False where
    that cannot be done (then nothing changed)."""
    if not reserve(vector, elements):
        return False
    ptrs = _layout(vector)
    item = _itemsize(vector)
    if ptrs is None or ptrs[0] + elements * item > ptrs[2] or elements < vector.size():
        return False
    ptrs[1] = ptrs[0] + elements * item
    # The vector's size is now ``elements``: this resize writes nothing, and faiss's own
    # pointer and size follow it.
    vector.resize(elements)
    return vector.size() == elements and vector.owned_data.size() == elements
