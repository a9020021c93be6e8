"""Over HTTP: real Chroma 1.5.9's server and ours, both driven by the official thin client
(``chromadb-client==1.5.9``), with the named cases and some generated sequences; and raw bodies
with wrong types, which both servers must refuse with a 4xx."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, Dict, List, Tuple

import httpx
import pytest
from hypothesis import given, settings

from tests.compat.harness import running_server
from tests.compat.installers import RegistryUnreachable, python_client
from tests.congruence import strategies as S
from tests.congruence.cases import CASES
from tests.congruence.conftest import REAL_VERSION, Pair, oracle_python
from tests.congruence.servers import real_server
from tests.congruence.sides import Side

pytestmark = pytest.mark.congruence

# The embedded suite explores more; over HTTP every answer costs two round trips per side.
EXAMPLES = 40


@pytest.fixture(scope="module")
def urls(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Tuple[str, str]]:
    python = oracle_python(REAL_VERSION)
    with real_server(python, tmp_path_factory.mktemp("real-server")) as real_url:
        with running_server(tmp_path_factory.mktemp("our-server")) as ours:
            yield real_url, ours.url


@pytest.fixture(scope="module")
def http_pair(urls: Tuple[str, str]) -> Iterator[Pair]:
    try:
        thin = str(python_client("chromadb-client", REAL_VERSION))
    except RegistryUnreachable as exc:
        pytest.skip(f"chromadb-client {REAL_VERSION} cannot be installed here: {exc}")
    real, ours = Side(thin, "real-http"), Side(thin, "ours-http")
    pair = Pair(real, ours)
    try:
        for side, url in zip((real, ours), urls):
            host, port = url.rsplit("//", 1)[1].split(":")
            answer = side.call("__client__", kind="http", host=host, port=int(port))
            assert "error" not in answer, (side.label, answer)
        yield pair
    finally:
        real.close()
        ours.close()


@pytest.fixture
def hpair(http_pair: Pair) -> Pair:
    http_pair.fresh()
    return http_pair


# The admin cases drive an in-process AdminClient: embedded only.
HTTP_CASES = sorted(n for n, ops in CASES.items() if all(op["target"] != "admin" for op in ops))


@pytest.mark.parametrize("name", HTTP_CASES)
def test_named_case_over_http(hpair: Pair, name: str) -> None:
    hpair.check(CASES[name])


@settings(max_examples=EXAMPLES)
@given(ops=S.sequence())
def test_generated_sequences_over_http(http_pair: Pair, ops: List[Dict[str, Any]]) -> None:
    http_pair.fresh()
    http_pair.check(ops)


# -- the HTTP edge: types the thin clients never send, but other clients (and curl) do ----------
COLLECTIONS = "/api/v2/tenants/default_tenant/databases/default_database/collections"
BAD_BODIES = [
    pytest.param("", {"name": "edge1", "get_or_create": "yes"}, "get_or_create", id="flag-str"),
    pytest.param("", {"name": "edge1", "get_or_create": 1}, "get_or_create", id="flag-int"),
    pytest.param("/add", {"ids": ["a"], "embeddings": [[True, False]]}, "embeddings", id="bools"),
    pytest.param("/add", {"ids": ["a"], "embeddings": [["1", 0]]}, "embeddings", id="str-value"),
    pytest.param("/add", {"ids": ["a"], "embeddings": [[1e39, 0]]}, "float32", id="beyond-f32"),
    pytest.param("/add", {"ids": [1], "embeddings": [[1, 0]]}, "ids", id="int-id"),
    pytest.param(
        "/query", {"query_embeddings": [[1, 0]], "n_results": "5"}, "n_results", id="n-str"
    ),
    pytest.param(
        "/query", {"query_embeddings": [[1, 0]], "n_results": True}, "n_results", id="n-bool"
    ),
    pytest.param(
        "/query", {"query_embeddings": [[1, 0]], "n_results": 2.0}, "n_results", id="n-float"
    ),
    pytest.param("/get", {"limit": True}, "limit", id="limit-bool"),
    pytest.param("/get", {"limit": "2"}, "limit", id="limit-str"),
    pytest.param("/get", {"offset": -1}, "offset", id="offset-negative"),
    pytest.param("/delete", {"ids": []}, "ids", id="delete-no-ids"),
    pytest.param("", {"name": "edge2", "metadata": {}}, "metadata", id="empty-metadata"),
]


@pytest.mark.parametrize(("route", "body", "word"), BAD_BODIES)
def test_wrong_types_are_4xx_on_both(
    urls: Tuple[str, str], route: str, body: Dict[str, Any], word: str
) -> None:
    answers = []
    for url in urls:
        with httpx.Client(base_url=url, timeout=30) as http:
            made = http.post(COLLECTIONS, json={"name": "edge", "get_or_create": True})
            assert made.status_code == 200, made.text
            target = COLLECTIONS + (f"/{made.json()['id']}{route}" if route else "")
            before = http.get(f"{COLLECTIONS}/{made.json()['id']}/count").json()
            answer = http.post(target, json=body)
            after = http.get(f"{COLLECTIONS}/{made.json()['id']}/count").json()
            answers.append((answer.status_code, answer.json()))
            assert before == after, f"{url}: stored something for {body}"
    (real_status, real_body), (our_status, our_body) = answers
    assert 400 <= real_status < 500, f"real answered {real_status} {real_body}"
    assert 400 <= our_status < 500, f"ours answered {our_status} {our_body}"
    assert word in our_body["message"], our_body


# Real 1.5.9's routes that ours does not serve, each with its entry in docs/differences.md
# ("Routes real Chroma serves that we do not").
NOT_SERVED = {
    "GET /api/v2/tenants/{}/databases/{}/collections/{}/fork_count",
    "POST /api/v2/tenants/{}/databases/{}/collections/{}/fork",
    "POST /api/v2/tenants/{}/databases/{}/collections/{}/search",
    "POST /api/v2/tenants/{}/databases/{}/collections/{}/functions/attach",
    "GET /api/v2/tenants/{}/databases/{}/collections/{}/functions/{}",
    "POST /api/v2/tenants/{}/databases/{}/collections/{}/attached_functions/{}/detach",
    "PATCH /api/v2/tenants/{}",
}


def _routes(url: str) -> set[str]:
    import re

    paths = httpx.get(url + "/openapi.json", timeout=30).json()["paths"]
    return {
        f"{method.upper()} {re.sub(r'{[^}]*}', '{}', path)}"
        for path, methods in paths.items()
        for method in methods
        if path.startswith("/api/v2")
    }


def test_every_route_of_real_chroma_is_served(urls: Tuple[str, str]) -> None:
    real, ours = (_routes(url) for url in urls)
    missing = sorted(real - ours - NOT_SERVED)
    assert not missing, f"routes real Chroma 1.5.9 serves and ours lacks: {missing}"
    assert NOT_SERVED <= real, "an allowance names a route real Chroma does not serve"
