"""The console's map in headless Chromium: clusters drawn apart in their colours (checked on the
screenshot, pixel by pixel), hover, click, query results highlighted, and 100k points."""

from __future__ import annotations

import importlib.util
import json
import time
from typing import Any, Dict, Tuple

import numpy as np
import pytest
from PIL import Image

import chromadb
from tests.console.conftest import ARTIFACTS, PER_CLUSTER, Server, shot

CLUSTERS_MAP = "#/tenants/default_tenant/databases/default_database/collections/clusters/map"
# The first three colours of the console's palette (map.js PALETTE), in category order.
COLOURS = {"a": (0xE6, 0x19, 0x4B), "b": (0x3C, 0xB4, 0x4B), "c": (0x43, 0x63, 0xD8)}


def wait_for_map(page: Any, points: int) -> None:
    page.wait_for_selector(f"#map-canvas[data-ready='{points}']")


def colour_by(page: Any, key: str) -> None:
    page.select_option("#map-color", key)
    page.wait_for_selector(f"#map-canvas[data-coloured-by='{key}']")
    page.wait_for_timeout(100)  # the next animation frame paints


def pixels_of(path: Any, rgb: Tuple[int, int, int]) -> np.ndarray:
    """(y, x) of every pixel of exactly colour ``rgb`` in a screenshot."""
    image = np.asarray(Image.open(path).convert("RGB")).astype(int)
    return np.argwhere((image == np.array(rgb)).all(axis=2))


def test_map_shows_the_clusters_in_their_colours(console_server: Server, open_page: Any) -> None:
    page = open_page(console_server, CLUSTERS_MAP).page
    wait_for_map(page, 3 * PER_CLUSTER)
    assert page.locator("#map-status").inner_text().startswith("450 of 450 records · PCA")
    colour_by(page, "cluster")
    assert [s.get_attribute("data-category") for s in page.locator("[data-category]").all()] == [
        "a",
        "b",
        "c",
    ]
    path = shot(page.locator("#map-canvas"), "map-clusters")
    shot(page, "map")
    centres: Dict[str, np.ndarray] = {}
    for label, rgb in COLOURS.items():
        found = pixels_of(path, rgb)
        assert len(found) > PER_CLUSTER * 3, f"cluster {label} is barely drawn"
        centre = found.mean(axis=0)
        spread = np.linalg.norm(found - centre, axis=1)
        assert np.percentile(spread, 90) < 80, f"cluster {label} is not drawn together"
        centres[label] = centre
    for one, other in [("a", "b"), ("a", "c"), ("b", "c")]:
        assert np.linalg.norm(centres[one] - centres[other]) > 200, (one, other)


def point_on_screen(page: Any, record_id: str) -> Dict[str, float]:
    spot = page.evaluate(f"window.chromaConsole.map.screenOf({json.dumps(record_id)})")
    assert spot is not None
    return dict(spot)


def test_hover_shows_the_document_and_click_opens_the_record(
    console_server: Server, open_page: Any
) -> None:
    page = open_page(console_server, CLUSTERS_MAP).page
    wait_for_map(page, 3 * PER_CLUSTER)
    spot = point_on_screen(page, "b-005")
    page.mouse.move(spot["x"], spot["y"])
    tooltip = page.locator("#tooltip")
    page.wait_for_function(
        "() => document.getElementById('tooltip').textContent.includes('of cluster')"
    )
    assert tooltip.is_visible()
    text = tooltip.inner_text()
    assert "of cluster b" in text and text.startswith("b-")
    shot(page, "map-hover")
    page.mouse.click(spot["x"], spot["y"])
    title = page.locator("#record-title")
    title.wait_for()
    assert title.inner_text().startswith("Record b-")
    assert "of cluster b" in page.inner_text("#record-document")


def test_query_results_are_highlighted_on_the_map(console_server: Server, open_page: Any) -> None:
    page = open_page(console_server, CLUSTERS_MAP.removesuffix("/map")).page
    page.fill("#query-text", "c-000")
    page.click("#query-run")
    page.locator("#show-on-map").click()
    wait_for_map(page, 3 * PER_CLUSTER)
    assert page.inner_text("#legend-results") == "10 query results"
    colour_by(page, "cluster")
    path = shot(page.locator("#map-canvas"), "map-highlight")
    rings = pixels_of(path, (0x11, 0x11, 0x11))
    assert len(rings) > 50, "no highlight rings drawn"
    cluster_c = pixels_of(path, COLOURS["c"]).mean(axis=0)
    assert np.linalg.norm(rings.mean(axis=0) - cluster_c) < 60


def test_pan_and_zoom_move_the_points(console_server: Server, open_page: Any) -> None:
    page = open_page(console_server, CLUSTERS_MAP).page
    wait_for_map(page, 3 * PER_CLUSTER)
    before = point_on_screen(page, "a-000")
    box = page.locator("#map-canvas").bounding_box()
    page.mouse.move(box["x"] + 30, box["y"] + 30)
    page.mouse.wheel(0, -400)
    page.wait_for_timeout(100)
    zoomed = point_on_screen(page, "a-000")
    assert zoomed != before
    page.click("#map-reset")
    assert point_on_screen(page, "a-000") == before


@pytest.mark.skipif(importlib.util.find_spec("umap") is None, reason="umap-learn not installed")
def test_umap_when_installed(console_server: Server, open_page: Any) -> None:
    page = open_page(console_server, CLUSTERS_MAP).page
    wait_for_map(page, 3 * PER_CLUSTER)
    page.select_option("#map-method", "umap")
    page.wait_for_selector("#map-canvas[data-method='umap']", timeout=120_000)


BIG = 100_000


@pytest.fixture(scope="module")
def big_collection(console_server: Server) -> Any:
    """100k records in 8 clusters (8-d, so that writing them takes seconds, not minutes)."""
    admin = chromadb.AdminClient(
        chromadb.config.Settings(
            chroma_api_impl="rest",
            chroma_server_host="127.0.0.1",
            chroma_server_http_port=console_server.port,
        )
    )
    admin.create_database("big")
    client = chromadb.HttpClient(host="127.0.0.1", port=console_server.port, database="big")
    collection = client.get_or_create_collection("big-map", embedding_function=None)
    rng = np.random.default_rng(3)
    groups = rng.integers(0, 8, BIG)
    vectors = np.eye(8, dtype=np.float32)[groups] * 20 + rng.normal(0, 1, (BIG, 8))
    batch = client.get_max_batch_size()
    for start in range(0, BIG, batch):
        end = min(BIG, start + batch)
        collection.add(
            ids=[f"r{i}" for i in range(start, end)],
            embeddings=vectors[start:end].astype(np.float32),
            metadatas=[{"group": int(g)} for g in groups[start:end]],
        )
    return collection


@pytest.mark.slow
def test_map_of_100k_points(console_server: Server, open_page: Any, big_collection: Any) -> None:
    """All 100k points drawn, recoloured and hit-tested; the times are written to
    artifacts/map-100k.json (measured, not asserted)."""
    page = open_page(
        console_server,
        CLUSTERS_MAP.replace("clusters", "big-map").replace("default_database", "big"),
    ).page
    started = time.monotonic()
    wait_for_map(page, BIG)
    loaded_s = time.monotonic() - started
    started = time.monotonic()
    colour_by(page, "group")
    colour_s = time.monotonic() - started
    frame_ms = page.evaluate(
        """() => { const map = window.chromaConsole.map; const t = performance.now();
                   for (let i = 0; i < 10; i++) map.paint(); return (performance.now() - t) / 10; }"""
    )
    spot = point_on_screen(page, "r123")
    page.mouse.move(spot["x"], spot["y"])
    page.wait_for_function("() => document.getElementById('tooltip').textContent.startsWith('r')")
    shot(page.locator("#map-canvas"), "map-100k")
    figures = {"points": BIG, "load_s": loaded_s, "recolour_s": colour_s, "paint_ms": frame_ms}
    (ARTIFACTS / "map-100k.json").write_text(json.dumps(figures, indent=2))
    print("map of 100k points:", figures)
