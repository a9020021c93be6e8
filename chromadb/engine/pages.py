"""Handing the memory of array rows that will not be read again back to the system, in place.

A buffer that is consumed from the front (the index's tail, drained into the graph) would
otherwise hold its consumed rows until the whole buffer is freed, or would have to be copied
to a smaller one (briefly holding both). On Linux, ``madvise(MADV_DONTNEED)`` drops the pages
of those rows at once: they read as zeros if touched again, which the caller never does.
"""

from __future__ import annotations

import ctypes
import mmap
import sys
from typing import Any, Optional

from numpy.typing import NDArray

_MADV_DONTNEED = 4  # Linux's value (other systems' differ, and are not used)
PAGE = mmap.PAGESIZE
# Once a graph has caught up after at least this many vectors, the C heap is trimmed.
TRIM_AFTER = 8_192


def _load_madvise() -> Optional[Any]:
    if not sys.platform.startswith("linux"):
        return None
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        fn = libc.madvise
    except (OSError, AttributeError):  # pragma: no cover - a libc without madvise
        return None
    fn.argtypes = [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_int]
    fn.restype = ctypes.c_int
    return fn


_madvise = _load_madvise()


def can_release() -> bool:
    """Whether ``release`` gives memory back on this system."""
    return _madvise is not None


def release(array: NDArray[Any], start: int, stop: int) -> int:
    """Drop the whole memory pages inside bytes [start, stop) of C-contiguous ``array``'s
    buffer; returns the bytes dropped (0 where the system cannot)."""
    if _madvise is None or stop <= start or not array.flags.c_contiguous:
        return 0
    stop = min(stop, array.nbytes)
    base = int(array.ctypes.data)
    first = -(-(base + start) // PAGE) * PAGE  # inward to page bounds: never a byte outside
    last = (base + stop) // PAGE * PAGE
    if last <= first:
        return 0
    if _madvise(first, last - first, _MADV_DONTNEED) != 0:
        return 0  # refused (never seen): the pages simply stay
    return last - first


def _load_malloc_trim() -> Optional[Any]:
    if not sys.platform.startswith("linux"):
        return None
    try:
        fn = ctypes.CDLL(None).malloc_trim  # glibc's; other C libraries have none
    except (OSError, AttributeError):
        return None
    fn.argtypes = [ctypes.c_size_t]
    fn.restype = ctypes.c_int
    return fn


_malloc_trim = _load_malloc_trim()


def trim() -> None:
    """Return the C heap's free pages to the system (glibc keeps them after a burst of large
    temporary buffers: a bulk add's batches, a graph's growth). A few milliseconds at most."""
    if _malloc_trim is not None:
        _malloc_trim(0)
