"""One ``System`` per place the data lives, shared by every client on it in this process.

``SharedSystemClient`` is the base of ``Client`` and ``AdminClient`` (as in Chroma), and
``SharedSystemClient.clear_system_cache()`` stops and forgets every shared system (test suites
of integrations call it between tests).
"""

from __future__ import annotations

import threading
from typing import Dict, Tuple

from chromadb.api import API
from chromadb.config import Settings, System

_systems: Dict[Tuple[str, ...], System] = {}
_systems_lock = threading.Lock()


def _identity(settings: Settings) -> Tuple[str, ...]:
    if settings.is_rest():
        return (
            "rest",
            str(settings.chroma_server_host),
            str(settings.chroma_server_http_port),
            str(settings.chroma_server_ssl_enabled),
            repr(sorted((settings.chroma_server_headers or {}).items())),
            str(settings.chroma_client_auth_credentials),
        )
    if settings.persistent():
        import os

        return ("persistent", os.path.realpath(settings.persist_directory))
    return ("ephemeral",)


def shared_system(settings: Settings) -> System:
    """One System per place the data lives, so that two clients on the same folder (or two
    in-memory clients) in one process see the same data, as in Chroma."""
    key = _identity(settings)
    with _systems_lock:
        system = _systems.get(key)
        if system is None:
            system = System(settings)
            system.instance(API)
            system.start()
            _systems[key] = system
        return system


def clear_system_cache() -> None:
    """Stop and forget every shared System (tests use this to start afresh)."""
    with _systems_lock:
        systems = list(_systems.values())
        _systems.clear()
    for system in systems:
        system.stop()


class SharedSystemClient:
    """Base of the clients: finds (or starts) the shared ``System`` for its settings."""

    @classmethod
    def _create_system_if_not_exists(cls, identifier: str, settings: Settings) -> System:
        return shared_system(settings)

    @staticmethod
    def _get_identifier_from_settings(settings: Settings) -> str:
        """The key clients on the same data share (folder, server address, or memory)."""
        return "|".join(_identity(settings))

    @staticmethod
    def clear_system_cache() -> None:
        """Stop and forget every shared System; the next client starts afresh."""
        clear_system_cache()

    @classmethod
    def from_system(cls, system: System) -> API:
        """The API of an already built ``System``."""
        return system.instance(API)


__all__ = ["SharedSystemClient", "clear_system_cache", "shared_system"]
