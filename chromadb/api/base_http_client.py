"""The base of our HTTP clients (sync and async): how they resolve the server's address and
which headers they send, from the settings."""

from __future__ import annotations

from typing import Dict
from urllib.parse import urlparse

from chromadb import errors as errors
from chromadb._version import user_agent
from chromadb.auth import client_auth_headers
from chromadb.config import Component, Settings, System

__all__ = ["BaseHTTPClient", "Component", "Settings", "System", "errors"]


class BaseHTTPClient:
    """Address and headers of a chromadb server, from ``Settings``."""

    settings: Settings

    @staticmethod
    def _validate_host(host: str) -> None:
        parsed = urlparse(host)
        if "/" in host and parsed.scheme not in ("http", "https"):
            raise ValueError(
                f"Invalid host {host!r}: give a host name, or a URL starting with http:// or https://"
            )

    @staticmethod
    def resolve_url(
        chroma_server_host: str,
        chroma_server_ssl_enabled: bool = False,
        default_api_path: str = "",
        chroma_server_http_port: int = 8000,
    ) -> str:
        """The base URL for a host (a name or a full URL), port and scheme."""
        BaseHTTPClient._validate_host(chroma_server_host)
        if chroma_server_host.startswith(("http://", "https://")):
            base = chroma_server_host.rstrip("/")
        else:
            scheme = "https" if chroma_server_ssl_enabled else "http"
            base = f"{scheme}://{chroma_server_host}:{chroma_server_http_port}"
        return base + (default_api_path or "")

    def _base_url(self) -> str:
        settings = self.settings
        return self.resolve_url(
            settings.chroma_server_host or "localhost",
            settings.chroma_server_ssl_enabled,
            "",
            int(settings.chroma_server_http_port or 8000),
        )

    def _headers(self) -> Dict[str, str]:
        """User-Agent, the settings' extra headers, then the auth headers."""
        headers = {"User-Agent": user_agent()}
        headers.update(self.settings.chroma_server_headers or {})
        headers.update(client_auth_headers(self.settings))
        return headers
