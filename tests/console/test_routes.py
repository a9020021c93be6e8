"""The console's own routes over real HTTP (no browser): the page and its assets, the map and
its colours, server-side query embedding, and the PCA behind the map."""

from __future__ import annotations

import base64
import re
from importlib import resources
from typing import Any, Dict, List

import httpx
import numpy as np
import pytest

from chromadb.console.projection import pca_2d
from tests.console.conftest import CLUSTERS, PER_CLUSTER, Server

BASE = "/console/api/tenants/default_tenant/databases/default_database/collections"


def collection_id(server: Server, name: str) -> str:
    path = f"/api/v2/tenants/default_tenant/databases/default_database/collections/{name}"
    return str(httpx.get(server.url + path).json()["id"])


def decode(b64: str, dtype: Any) -> np.ndarray:
    return np.frombuffer(base64.b64decode(b64), dtype=np.dtype(dtype).newbyteorder("<"))


def test_every_asset_the_page_loads_is_served(console_server: Server) -> None:
    page = httpx.get(console_server.url + "/")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    pending: List[str] = re.findall(r'(?:src|href)="(/console/static/[^"]+)"', page.text)
    seen = set()
    while pending:
        path = pending.pop()
        if path in seen:
            continue
        seen.add(path)
        answer = httpx.get(console_server.url + path)
        assert answer.status_code == 200, path
        if path.endswith(".js"):
            assert answer.headers["content-type"].startswith("text/javascript")
            folder = path.rsplit("/", 1)[0]
            for target in re.findall(r'from "(\.{1,2}/[^"]+)"', answer.text):
                parts = (folder + "/" + target).split("/")
                resolved: List[str] = []
                for part in parts:
                    if part == "..":
                        resolved.pop()
                    elif part != ".":
                        resolved.append(part)
                pending.append("/".join(resolved))
    assert "/console/static/js/map.js" in seen and "/console/static/console.css" in seen


def test_the_page_forbids_other_origins(console_server: Server) -> None:
    policy = httpx.get(console_server.url + "/").headers["content-security-policy"]
    assert "default-src 'self'" in policy and "connect-src 'self'" in policy
    assert "script-src 'self'" in policy and "unsafe-inline" not in policy.split("style-src")[0]


def test_every_static_file_is_package_data() -> None:
    # pyproject ships console/static/**/*: the page must not need anything outside it.
    root = resources.files("chromadb.console").joinpath("static")
    assert root.joinpath("index.html").is_file()
    assert root.joinpath("js").joinpath("pages").joinpath("collection.js").is_file()


@pytest.mark.parametrize(
    "path",
    ["../routes.py", "..%2Froutes.py", "js/../../routes.py", "nope.js", "jsconfig.json"],
)
def test_only_shipped_assets_are_served(console_server: Server, path: str) -> None:
    answer = httpx.get(console_server.url + "/console/static/" + path)
    assert answer.status_code == 404


def test_the_map_separates_the_clusters(console_server: Server) -> None:
    cid = collection_id(console_server, "clusters")
    answer = httpx.get(f"{console_server.url}{BASE}/{cid}/map", timeout=60)
    assert answer.status_code == 200
    data = answer.json()
    assert data["total"] == len(data["ids"]) == 3 * PER_CLUSTER
    assert data["method"] == "pca" and "pca" in data["methods"]
    assert {"cluster", "n", "even"} <= set(data["keys"])
    points = decode(data["points"], np.float32).reshape(-1, 2)
    labels = np.array([i.split("-")[0] for i in data["ids"]])
    centres = {c: points[labels == c].mean(axis=0) for c in CLUSTERS}
    spread = max(points[labels == c].std(axis=0).max() for c in CLUSTERS)
    for one in CLUSTERS:
        for other in CLUSTERS:
            if one < other:
                assert np.linalg.norm(centres[one] - centres[other]) > 6 * spread


def test_colours_name_each_records_category(console_server: Server) -> None:
    cid = collection_id(console_server, "clusters")
    data = httpx.get(
        f"{console_server.url}{BASE}/{cid}/map/colours", params={"key": "cluster"}
    ).json()
    categories = data["categories"]
    assert sorted(categories) == ["a", "b", "c"]
    codes = decode(data["codes"], np.uint8)
    for record_id, code in zip(data["ids"], codes):
        assert categories[code] == record_id.split("-")[0]
    absent = httpx.get(f"{console_server.url}{BASE}/{cid}/map/colours", params={"key": "nope"})
    assert absent.json()["categories"] == []
    assert set(decode(absent.json()["codes"], np.uint8)) == {1}  # "no value"


@pytest.mark.parametrize(
    "params, status, name",
    [
        pytest.param({"method": "tsne"}, 400, "InvalidArgumentError", id="unknown-method"),
        pytest.param({"limit": 0}, 400, "InvalidArgumentError", id="limit-zero"),
        pytest.param({"limit": "many"}, 400, "InvalidArgumentError", id="limit-text"),
    ],
)
def test_bad_map_requests_are_4xx(
    console_server: Server, params: Dict[str, Any], status: int, name: str
) -> None:
    cid = collection_id(console_server, "clusters")
    answer = httpx.get(f"{console_server.url}{BASE}/{cid}/map", params=params)
    assert answer.status_code == status and answer.json()["error"] == name


def test_map_of_a_missing_collection_is_404(console_server: Server) -> None:
    answer = httpx.get(f"{console_server.url}{BASE}/no-such-collection/map")
    assert answer.status_code == 404 and answer.json()["error"] == "NotFoundError"


def test_embed_uses_the_recorded_function(console_server: Server) -> None:
    answer = httpx.post(
        f"{console_server.url}{BASE}/docs/embed", json={"texts": ["a cat"]}, timeout=60
    )
    assert answer.status_code == 200
    (vector,) = answer.json()["embeddings"]
    assert len(vector) == 384 and abs(np.linalg.norm(vector) - 1) < 1e-3


@pytest.mark.parametrize(
    "collection, body",
    [
        pytest.param("clusters", {"texts": ["x"]}, id="no-known-function"),
        pytest.param("docs", {"texts": []}, id="no-texts"),
        pytest.param("docs", {"texts": "a cat"}, id="not-a-list"),
    ],
)
def test_bad_embed_requests_are_400(console_server: Server, collection: str, body: Any) -> None:
    answer = httpx.post(f"{console_server.url}{BASE}/{collection}/embed", json=body)
    assert answer.status_code == 400 and answer.json()["error"] == "InvalidArgumentError"


def test_pca_finds_the_directions_of_largest_variance() -> None:
    rng = np.random.default_rng(0)
    data = rng.normal(0, 1, (3000, 10)).astype(np.float32)
    data[:, 3] *= 8
    data[:, 7] *= 4
    points = pca_2d(data)
    assert points.shape == (3000, 2) and points.dtype == np.float32
    assert abs(np.corrcoef(points[:, 0], data[:, 3])[0, 1]) > 0.99
    assert abs(np.corrcoef(points[:, 1], data[:, 7])[0, 1]) > 0.99
    np.testing.assert_array_equal(points, pca_2d(data))  # the same data, the same map


@pytest.mark.parametrize("shape", [(0, 4), (1, 4), (5, 1)])
def test_pca_of_degenerate_inputs(shape: tuple[int, int]) -> None:
    points = pca_2d(np.ones(shape, dtype=np.float32))
    assert points.shape == (shape[0], 2) and np.isfinite(points).all()
