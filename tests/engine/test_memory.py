"""What a large ingest leaves in memory: no second copy of vectors already in the graph, and no
SQLite page cache holding every page written."""

from __future__ import annotations

import ctypes
import ctypes.util
import mmap
import sqlite3
import tracemalloc
from pathlib import Path

import numpy as np
import pytest

import chromadb
from chromadb.engine import growth, pages
from chromadb.engine.index import IndexParams, VectorIndex


def _exact(vectors: np.ndarray, queries: np.ndarray, k: int) -> np.ndarray:
    d = ((queries[:, None, :] - vectors[None, :, :]) ** 2).sum(-1)
    return np.argsort(d, axis=1, kind="stable")[:, :k]


def _resident_bytes(array: np.ndarray) -> int:
    """Bytes of ``array``'s buffer in memory now (Linux's mincore, page by page)."""
    libc = ctypes.CDLL(None, use_errno=True)
    libc.mincore.argtypes = [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_void_p]
    page = mmap.PAGESIZE
    first = array.ctypes.data // page * page
    length = array.ctypes.data + array.nbytes - first
    flags = (ctypes.c_ubyte * (-(-length // page)))()
    assert libc.mincore(first, length, flags) == 0, ctypes.get_errno()
    return sum(f & 1 for f in flags) * page


@pytest.mark.parametrize("in_place", [True, False], ids=["in-place", "copy"])
def test_draining_backlog_frees_the_rows_already_in_the_graph(
    monkeypatch: pytest.MonkeyPatch, in_place: bool
) -> None:
    if in_place and not pages.can_release():
        pytest.skip("this system cannot give pages back in place")
    if not in_place:  # as on systems without madvise: the waiting rows move to a new buffer
        monkeypatch.setattr(pages, "_madvise", None)
    n, dim = 40_000, 32
    rng = np.random.default_rng(3)
    vectors = rng.normal(size=(n, dim)).astype(np.float32)
    queries = rng.normal(size=(10, dim)).astype(np.float32)
    backlog_bytes = vectors.nbytes
    tracemalloc.start()  # numpy's buffers are traced (faiss's graph storage is not)
    try:
        # A sparse, shallow graph: what is measured is the tail, and it builds fast.
        index = VectorIndex(IndexParams(dim, "l2", m=8, construction_ef=16))
        index.add(np.arange(1, 20_001, dtype=np.int64), vectors[:20_000])
        index.add(np.arange(20_001, n + 1, dtype=np.int64), vectors[20_000:])
        index.flush(35_000)
        arrays = tracemalloc.DomainFilter(True, np.lib.tracemalloc_domain)
        held = sum(t.size for t in tracemalloc.take_snapshot().filter_traces([arrays]).traces)
    finally:
        tracemalloc.stop()
    assert index.indexed == 35_000 and index.pending == 5_000
    if in_place:  # the buffer stays, its pages do not
        held = _resident_bytes(index._tail)
    # Before: the whole backlog (and its growth room) stayed until the last row was moved.
    assert held < 0.4 * backlog_bytes, f"{held / 1e6:.2f} MB held for a 5,000-row tail"
    # The rows still waiting are searched exactly, as before the move.
    _, rowids = index.search(queries, 5, allowed=np.arange(n) >= 35_000)
    assert np.array_equal(rowids, _exact(vectors[35_000:], queries, 5) + 35_001)


def _sqlite_memory_used() -> int:
    # The process-wide counter of the library Python's sqlite3 module is linked to.
    name = ctypes.util.find_library("sqlite3")
    if name is None:
        pytest.skip("no shared SQLite library to ask (statically linked sqlite3 module)")
    lib = ctypes.CDLL(name)
    if lib.sqlite3_libversion_number() != sqlite3.sqlite_version_info[0] * 1_000_000 + (
        sqlite3.sqlite_version_info[1] * 1_000 + sqlite3.sqlite_version_info[2]
    ):
        pytest.skip("the sqlite3 module uses another SQLite than the shared library")
    lib.sqlite3_memory_used.restype = ctypes.c_int64
    return int(lib.sqlite3_memory_used())


def test_large_ingest_does_not_keep_its_pages_in_sqlites_cache(tmp_path: Path) -> None:
    client = chromadb.PersistentClient(path=str(tmp_path / "db"))
    col = client.create_collection("big", embedding_function=None)
    rng = np.random.default_rng(5)
    before = _sqlite_memory_used()
    written = 0
    for start in range(0, 30_000, 5_000):
        batch = rng.normal(size=(5_000, 384)).astype(np.float32)
        col.add(ids=[f"id{i}" for i in range(start, start + 5_000)], embeddings=batch)
        written += batch.nbytes
    assert col.count() == 30_000
    grown = _sqlite_memory_used() - before
    # 46 MB of vectors written; SQLite's caches are bounded far below that (a new file's
    # writer cache used to keep every page it wrote).
    assert grown < 0.6 * written, f"SQLite holds {grown / 1e6:.0f} MB after writing 46 MB"


def _status_bytes(key: str) -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(key + ":"):
            return int(line.split()[1]) * 1024
    raise AssertionError(f"no {key} in /proc/self/status")


def _reset_peak() -> None:
    # Linux: writing 5 to clear_refs resets the process's peak resident size (VmHWM).
    try:
        Path("/proc/self/clear_refs").write_text("5")
    except OSError:
        pytest.skip("this system cannot reset the peak resident size")


def test_graph_growth_does_not_hold_a_second_copy_of_its_vectors() -> None:
    if not growth.can_grow_in_place():
        pytest.skip("faiss's arrays grow by copying on this system")
    dim, batch_rows, batches = 768, 4_000, 10
    batch = np.random.default_rng(1).normal(size=(batch_rows, dim)).astype(np.float32)
    index = VectorIndex(IndexParams(dim, "l2", m=4, construction_ef=8))
    index.add(np.arange(1, batch_rows + 1, dtype=np.int64), batch)
    index.flush()
    _reset_peak()
    before = _status_bytes("VmRSS")
    for b in range(1, batches):
        index.add(np.arange(b * batch_rows + 1, (b + 1) * batch_rows + 1, dtype=np.int64), batch)
        index.flush()
    assert index.indexed == batch_rows * batches
    grown = _status_bytes("VmRSS") - before
    spike = _status_bytes("VmHWM") - before - grown
    # 110 MB of vectors added to the graph: faiss's own growth copied them to a buffer twice
    # the size, holding both for a moment (a 76 MB spike here; 1 GB at 1M x 384-d).
    assert spike < 0.1 * batch.nbytes * batches, f"{spike / 1e6:.0f} MB over the final size"


def test_backlog_growth_does_not_hold_its_rows_twice() -> None:
    if not pages.can_release():
        pytest.skip("this system cannot give pages back in place")
    dim, rows = 768, 10_000
    batch = np.random.default_rng(2).normal(size=(rows, dim)).astype(np.float32)
    index = VectorIndex(IndexParams(dim, "l2"))
    for b in range(2):  # nobody builds the graph: a backlog of 20,000 rows fills its buffer
        index.add(np.arange(b * rows + 1, (b + 1) * rows + 1, dtype=np.int64), batch)
    _reset_peak()
    before = _status_bytes("VmRSS")
    index.add(np.arange(2 * rows + 1, 3 * rows + 1, dtype=np.int64), batch)  # a new buffer
    grown = _status_bytes("VmRSS") - before
    spike = _status_bytes("VmHWM") - before - grown
    # The 61 MB waiting were copied to the new buffer while the old one stayed whole.
    assert spike < 0.25 * 2 * batch.nbytes, f"{spike / 1e6:.0f} MB over the final size"
    queries = batch[:3] + 0.01
    _, rowids = index.search(queries, 1)
    # The rows are still all there, searched exactly (each batch holds the same vectors).
    assert index.pending == 3 * rows
    assert np.array_equal((rowids[:, 0] - 1) % rows, np.arange(3))


def test_storage_sized_without_zeroing_behaves_as_faiss_own() -> None:
    if not growth.can_grow_in_place():
        pytest.skip("faiss's arrays are sized by faiss itself on this system")
    import faiss

    flat = faiss.IndexFlatL2(4)
    assert growth.resize_unwritten(flat.codes, 10 * 16)
    assert flat.codes.size() == 10 * 16  # what faiss serialises and grows from
    flat.ntotal = 10
    mine = np.arange(40, dtype=np.float32).reshape(10, 4)
    faiss.rev_swig_ptr(flat.get_xb(), 40)[:] = mine.ravel()
    flat.add(np.ones((2, 4), dtype=np.float32))  # faiss's own growth keeps what was written
    held = faiss.rev_swig_ptr(flat.get_xb(), 48).reshape(12, 4)
    assert np.array_equal(held[:10], mine) and np.array_equal(held[10:], np.ones((2, 4)))
    _, found = flat.search(mine[3:4], 1)
    assert found.tolist() == [[3]]
