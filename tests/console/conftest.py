"""Fixtures for the console's browser tests: a real ``chroma run`` server with real data, and
Debian's Chromium driven by Playwright (the system browser; never a downloaded one).

Without Playwright or Chromium the browser tests skip and say which is missing. Every page a
test opens records the requests it makes, so a test can assert none left the server's origin.
Screenshots go to ``tests/console/artifacts/`` (kept after the run, ignored by git).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any, Dict, Iterator, List, Optional

import httpx
import numpy as np
import pytest

import chromadb
from chromadb.config import Settings
from tests.conftest import free_port

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
LAUNCH_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
ARTIFACTS = Path(__file__).parent / "artifacts"
TOKEN = "console-test-token"
CLUSTERS = {"a": 0, "b": 1, "c": 2}
PER_CLUSTER = 150
DIM = 16


class Server:
    """A ``chroma run`` process on a free port of 127.0.0.1."""

    def __init__(self, root: Path, env: Dict[str, str]) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = root / "server.log"
        command = [
            sys.executable, "-m", "chromadb.cli", "run",
            "--path", str(root / "data"), "--host", "127.0.0.1", "--port", str(self.port),
        ]  # fmt: skip
        full_env = dict(os.environ, ANONYMIZED_TELEMETRY="FALSE", **env)
        with open(self.log, "wb") as out:
            self.process = subprocess.Popen(
                command, stdout=out, stderr=subprocess.STDOUT, env=full_env, cwd=root
            )
        self._wait()

    def _wait(self) -> None:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError("server exited:\n" + self.log.read_text(errors="replace"))
            try:
                if httpx.get(self.url + "/api/v2/heartbeat", timeout=2).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
        raise RuntimeError("server gave no heartbeat:\n" + self.log.read_text(errors="replace"))

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=15)


def cluster_vectors(seed: int = 7) -> Dict[str, np.ndarray]:
    """Three tight, well-apart clusters in DIM dimensions (one per cluster label)."""
    rng = np.random.default_rng(seed)
    out = {}
    for label, axis in CLUSTERS.items():
        centre = np.zeros(DIM, dtype=np.float32)
        centre[axis] = 10.0
        out[label] = centre + rng.normal(0, 0.6, size=(PER_CLUSTER, DIM)).astype(np.float32)
    return out


def seed_data(url: str, headers: Optional[Dict[str, str]] = None) -> None:
    """The data every console test sees: 'clusters' (client-side embeddings, three labelled
    clusters), 'docs' (embedded on the server by the real default model) and a second
    database with one collection."""
    port = int(url.rsplit(":", 1)[1])
    client = chromadb.HttpClient(host="127.0.0.1", port=port, headers=headers or {})
    clusters = client.create_collection(
        "clusters", metadata={"topic": "synthetic", "hnsw:space": "l2"}, embedding_function=None
    )
    for label, vectors in cluster_vectors().items():
        clusters.add(
            ids=[f"{label}-{i:03d}" for i in range(PER_CLUSTER)],
            embeddings=vectors.tolist(),
            documents=[f"item {i} of cluster {label}" for i in range(PER_CLUSTER)],
            metadatas=[{"cluster": label, "n": i, "even": i % 2 == 0} for i in range(PER_CLUSTER)],
        )
    docs = client.create_collection("docs", metadata={"about": "pets and fruit"})
    docs.add(
        ids=["cat", "dog", "apple", "banana", "car"],
        documents=[
            "A cat sleeps on the warm windowsill and purrs.",
            "The dog fetched the ball in the park.",
            "An apple a day: crisp red fruit from the orchard.",
            "Bananas are yellow tropical fruit rich in potassium.",
            "The car needs new tyres before the winter.",
        ],
        metadatas=[{"kind": k} for k in ["pet", "pet", "fruit", "fruit", "vehicle"]],
    )
    admin = chromadb.AdminClient(
        Settings(
            chroma_api_impl="rest", chroma_server_host="127.0.0.1", chroma_server_http_port=port
        )
    )
    admin.create_database("archive")
    other = chromadb.HttpClient(
        host="127.0.0.1", port=port, database="archive", headers=headers or {}
    )
    other.create_collection("old-notes", embedding_function=None).add(
        ids=["n1"], embeddings=[[1.0, 2.0, 3.0]], documents=["an old note"]
    )


@pytest.fixture(scope="session")
def console_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """An open server with the seed data."""
    server = Server(tmp_path_factory.mktemp("console"), {})
    try:
        seed_data(server.url)
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="session")
def token_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """A server that needs a token, with one collection."""
    server = Server(
        tmp_path_factory.mktemp("console-auth"), {"CHROMA_SERVER_AUTH_CREDENTIALS": TOKEN}
    )
    try:
        port = server.port
        client = chromadb.HttpClient(
            host="127.0.0.1",
            port=port,
            settings=Settings(
                chroma_client_auth_provider="chromadb.auth.token_authn.TokenAuthClientProvider",
                chroma_client_auth_credentials=TOKEN,
            ),
        )
        client.create_collection("secret-stuff", embedding_function=None).add(
            ids=["s1"], embeddings=[[0.0, 1.0]], documents=["classified"]
        )
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="package")
def browser() -> Iterator[Any]:
    """Headless Chromium, or a skip that says what is missing.

    Package-scoped: Playwright's sync API keeps an asyncio loop marked running on the main
    thread while it lives, which would break later tests that call ``asyncio.run``."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.skip("Playwright is not installed: pip install -e '.[dev]'")
    if not (os.path.exists(CHROMIUM) or shutil.which(CHROMIUM)):
        pytest.skip(f"No Chromium at {CHROMIUM}: apt-get install -y chromium (or set CHROMIUM)")
    with sync_playwright() as pw:
        instance = pw.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_ARGS, headless=True)
        try:
            yield instance
        finally:
            instance.close()


class PageLog:
    """A page, and every request and console error it produced."""

    def __init__(self, page: Any) -> None:
        self.page = page
        self.requests: List[str] = []
        self.errors: List[str] = []
        page.on("request", lambda request: self.requests.append(request.url))
        page.on("pageerror", lambda error: self.errors.append(str(error)))
        page.on("console", self._console)

    def _console(self, message: Any) -> None:
        # Chromium logs every 4xx answer; the console shows those to the user on purpose.
        if message.type == "error" and not message.text.startswith("Failed to load resource"):
            self.errors.append(message.text)

    def foreign_requests(self, origin: str) -> List[str]:
        """Requests that went anywhere but ``origin``."""
        return [url for url in self.requests if not url.startswith(origin + "/")]


@pytest.fixture
def open_page(browser: Any) -> Iterator[Any]:
    """Opens the console of a server in a fresh browser context (empty session storage); at
    the end, checks that no page sent a request off the server's origin or hit a script error."""
    opened: List[tuple[Any, PageLog, str]] = []

    def opener(server: Server, fragment: str = "") -> PageLog:
        context = browser.new_context(viewport={"width": 1280, "height": 900})
        log = PageLog(context.new_page())
        opened.append((context, log, server.url))
        log.page.set_default_timeout(20_000)
        log.page.goto(server.url + "/" + fragment)
        return log

    yield opener
    for context, log, origin in opened:
        context.close()
        assert log.foreign_requests(origin) == [], "the console reached outside its server"
        assert log.errors == [], "the page raised script errors"


def shot(page: Any, name: str, **kwargs: Any) -> Path:
    """Save a screenshot as a test artifact and return its path."""
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), **kwargs)
    return path
