"""A local HTTP server that plays a web embedding service in tests: it records every request
and answers with whatever the test's responder returns."""

from __future__ import annotations

import json
import threading
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Callable, Dict, Iterator, List, Optional, Tuple


@dataclass
class Recorded:
    """One request the fake service received."""

    method: str
    path: str
    headers: Dict[str, str]
    body: Any


# A responder turns a recorded request into (status, body): bytes are sent as they are,
# anything else as JSON.
Responder = Callable[[Recorded], Tuple[int, Any]]


@dataclass
class FakeService:
    """A threaded HTTP server on 127.0.0.1; tests set ``responder`` and read ``requests``."""

    url: str
    responder: Optional[Responder] = None
    requests: List[Recorded] = field(default_factory=list)

    def reset(self) -> None:
        self.responder = None
        self.requests.clear()


def _handler(service: FakeService) -> type:
    class Handler(BaseHTTPRequestHandler):
        def _answer(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            payload = self.rfile.read(length) if length else b""
            body = json.loads(payload) if payload else None
            headers = {k.lower(): v for k, v in self.headers.items()}
            record = Recorded(self.command, self.path, headers, body)
            service.requests.append(record)
            assert service.responder is not None, "test forgot to set a responder"
            status, answer = service.responder(record)
            if isinstance(answer, bytes):
                data, kind = answer, "application/octet-stream"
            else:
                data, kind = json.dumps(answer).encode(), "application/json"
            self.send_response(status)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        do_GET = _answer
        do_POST = _answer

        def log_message(self, format: str, *args: Any) -> None:  # keep test output quiet
            return

    return Handler


@contextmanager
def serve() -> Iterator[FakeService]:
    """Run a FakeService on 127.0.0.1 (a free port) until the block ends."""
    service = FakeService(url="")
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(service))
    server.daemon_threads = True
    service.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield service
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
