"""uvicorn's HTTP protocol with each response sent in one write.

uvicorn writes a response's status line and headers as soon as the application starts the
response, and the body when it comes: two sends, so two TCP segments and two wake-ups of the
client for every answer. Here the writes made during one turn of the event loop are joined and
sent together at the end of that turn, which for an answer of one body (every route of this
server) is one send.
"""

from __future__ import annotations

import asyncio
from typing import Any, List

from uvicorn.protocols.http.auto import AutoHTTPProtocol


class _JoinedWrites:
    """A transport whose writes within one event-loop turn go out as one."""

    def __init__(self, transport: asyncio.Transport, loop: asyncio.AbstractEventLoop) -> None:
        self._transport = transport
        self._loop = loop
        self._pending: List[bytes] = []

    def write(self, data: bytes) -> None:
        if not data:
            return
        if not self._pending:
            self._loop.call_soon(self._flush)
        self._pending.append(bytes(data))

    def writelines(self, lines: Any) -> None:
        for data in lines:
            self.write(data)

    def _flush(self) -> None:
        if not self._pending:
            return
        data = self._pending[0] if len(self._pending) == 1 else b"".join(self._pending)
        self._pending.clear()
        if not self._transport.is_closing():
            self._transport.write(data)

    def get_write_buffer_size(self) -> int:
        return self._transport.get_write_buffer_size() + sum(len(d) for d in self._pending)

    def write_eof(self) -> None:
        self._flush()
        self._transport.write_eof()

    def close(self) -> None:
        self._flush()
        self._transport.close()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._transport, name)


class JoinedWritesProtocol(AutoHTTPProtocol):  # type: ignore[misc,valid-type]
    """The HTTP protocol uvicorn would use, over ``_JoinedWrites``: pass it as
    ``uvicorn.Config(http=JoinedWritesProtocol)``."""

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        joined = _JoinedWrites(transport, asyncio.get_running_loop())  # type: ignore[arg-type]
        super().connection_made(joined)
