"""Fixtures for the official-client compatibility tests."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from .harness import RunningServer, reset_server, running_server


def pytest_configure(config: pytest.Config) -> None:
    # Registered here too so the marker is known even before pyproject lists it.
    config.addinivalue_line(
        "markers", "compat: runs official Chroma clients (npm, PyPI) against our server"
    )


@pytest.fixture(scope="module")
def compat_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningServer]:
    """Our server on a free 127.0.0.1 port, reset allowed, one per test module."""
    with running_server(tmp_path_factory.mktemp("compat-server")) as server:
        yield server


@pytest.fixture
def chroma_server(compat_server: RunningServer) -> RunningServer:
    """The module's server, emptied first so a failed scenario cannot leak into the next."""
    reset_server(compat_server)
    return compat_server
