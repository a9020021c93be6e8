"""The console's pages and actions in headless Chromium, against a real server and real data.

Each test opens the console as a user would and checks what the page shows; ``open_page``
fails a test whose page raised a script error or sent a request outside the server's origin.
"""

from __future__ import annotations

import re
from typing import Any

import pytest

import chromadb
from tests.console.conftest import PER_CLUSTER, Server, shot

DB = "#/tenants/default_tenant/databases/default_database"


def collection_url(name: str, database: str = "default_database") -> str:
    return f"#/tenants/default_tenant/databases/{database}/collections/{name}"


def client_of(server: Server, database: str = "default_database") -> Any:
    return chromadb.HttpClient(host="127.0.0.1", port=server.port, database=database)


def test_home_lists_the_databases_of_the_tenant(console_server: Server, open_page: Any) -> None:
    page = open_page(console_server).page
    cards = page.locator("#databases .database")
    cards.first.wait_for()
    texts = {card.get_attribute("data-database"): card.inner_text() for card in cards.all()}
    assert "2 collections" in texts["default_database"]
    assert "1 collection" in texts["archive"]
    shot(page, "home")
    page.click("[data-database=archive]")
    page.locator("[data-collection=old-notes]").wait_for()
    assert "/databases/archive" in page.url


def test_an_unknown_tenant_is_reported(console_server: Server, open_page: Any) -> None:
    page = open_page(console_server).page
    page.fill("#tenant-name", "no-such-tenant")
    page.click("text=Open")
    error = page.locator(".error")
    error.wait_for()
    assert "NotFoundError" in error.inner_text()


def test_collections_show_counts_metadata_and_configuration(
    console_server: Server, open_page: Any
) -> None:
    page = open_page(console_server, DB).page
    row = page.locator("[data-collection=clusters]")
    row.wait_for()
    assert row.locator(".count").inner_text() == str(3 * PER_CLUSTER)
    assert '"topic": "synthetic"' in row.locator(".metadata").inner_text()
    docs = page.locator("[data-collection=docs]")
    assert docs.locator(".count").inner_text() == "5"
    docs.locator("summary").click()
    configuration = docs.locator(".configuration").inner_text()
    assert '"name": "default"' in configuration and '"space": "l2"' in configuration
    shot(page, "collections")


def test_records_are_paged(console_server: Server, open_page: Any) -> None:
    page = open_page(console_server, collection_url("clusters")).page
    rows = page.locator("#records tr.record")
    page.locator("[data-id=a-000]").wait_for()
    assert rows.count() == 25
    page.click("#page-next")
    page.locator("[data-id=a-025]").wait_for()
    assert rows.first.get_attribute("data-id") == "a-025"
    assert page.inner_text("#page-status") == "Records 26–50"
    page.click("#page-prev")
    page.locator("[data-id=a-000]").wait_for()
    shot(page, "records")


def ids_shown(page: Any) -> list[str]:
    return [row.get_attribute("data-id") for row in page.locator("#records tr.record").all()]


def test_filter_builder_builds_where_and_where_document(
    console_server: Server, open_page: Any
) -> None:
    page = open_page(console_server, collection_url("clusters")).page
    page.locator("[data-id=a-000]").wait_for()
    page.click("#add-condition")
    page.click("#add-condition")
    keys, ops, values = (page.locator(sel) for sel in (".where-key", ".where-op", ".where-value"))
    keys.nth(0).fill("cluster")
    ops.nth(0).select_option("$in")
    values.nth(0).fill("a, c")
    keys.nth(1).fill("n")
    ops.nth(1).select_option("$lt")
    values.nth(1).fill("20")
    page.fill("#doc-text", "item 7 ")
    preview = page.inner_text("#filter-json")
    assert '"$and"' in preview and '"$in": [\n' in preview and '"$lt": 20' in preview
    assert '"$contains": "item 7 "' in preview
    page.click("#apply-filter")
    page.wait_for_function("() => document.querySelectorAll('#records tr.record').length === 2")
    assert ids_shown(page) == ["a-007", "c-007"]
    shot(page, "filter")
    # A filter the server refuses is shown as its error, and the table stays usable.
    page.fill("#doc-text", "")
    ops.nth(1).select_option("$gt")
    values.nth(1).fill("many")
    page.click("#apply-filter")
    assert "InvalidArgumentError" in page.locator(".error").inner_text()
    page.click("#clear-filter")
    page.locator("[data-id=a-000]").wait_for()


def test_query_by_text_uses_the_collections_embedding_function(
    console_server: Server, open_page: Any
) -> None:
    log = open_page(console_server, collection_url("docs"))
    page = log.page
    page.locator("[data-id=cat]").wait_for()
    assert page.locator("#query-mode").input_value() == "text"
    page.fill("#query-text", "a kitten napping in the sun")
    page.fill("#query-n", "3")
    page.click("#query-run")
    first = page.locator("#query-table tr.record").first
    first.wait_for()
    assert first.get_attribute("data-id") == "cat"
    distances = [float(d) for d in page.locator("#query-table .distance").all_inner_texts()]
    assert len(distances) == 3 and distances == sorted(distances)
    assert any("/embed" in url for url in log.requests)
    shot(page, "query-text")


def test_text_query_is_offered_only_where_the_server_can_embed(
    console_server: Server, open_page: Any
) -> None:
    page = open_page(console_server, collection_url("clusters")).page
    page.locator("[data-id=a-000]").wait_for()
    assert page.locator("#query-mode").input_value() == "like"
    assert page.locator("#query-mode option[value=text]").is_disabled()


def test_more_like_this_record(console_server: Server, open_page: Any) -> None:
    page = open_page(console_server, collection_url("clusters")).page
    page.click("[data-id=a-003]")
    page.click("#record-like")
    page.locator("#query-table tr.record").first.wait_for()
    ids = [r.get_attribute("data-id") for r in page.locator("#query-table tr.record").all()]
    assert ids[0] == "a-003" and len(ids) == 10
    assert all(i.startswith("a-") for i in ids)
    assert float(page.locator("#query-table .distance").first.inner_text()) == 0.0
    # Or by typing an id, with the filter applied to the query too.
    page.click("#add-condition")
    page.fill(".where-key", "even")
    page.fill(".where-value", "true")
    page.fill("#query-text", "b-011")
    page.fill("#query-n", "5")
    page.click("#query-run")
    page.wait_for_function("() => document.querySelectorAll('#query-table tr.record').length === 5")
    ids = [r.get_attribute("data-id") for r in page.locator("#query-table tr.record").all()]
    assert all(i.startswith("b-") and int(i[2:]) % 2 == 0 for i in ids), ids


def test_record_details_show_the_embedding(console_server: Server, open_page: Any) -> None:
    page = open_page(console_server, collection_url("clusters")).page
    page.focus("[data-id=a-001]")  # rows open from the keyboard too
    page.keyboard.press("Enter")
    dialog = page.locator("#record-dialog")
    dialog.locator("#embedding-preview").wait_for()
    assert dialog.locator("#record-document").inner_text() == "item 1 of cluster a"
    assert '"cluster": "a"' in dialog.locator("#record-metadata").inner_text()
    assert "16 dimensions" in dialog.locator("#embedding-preview").inner_text()
    got = (
        client_of(console_server)
        .get_collection("clusters")
        .get(ids=["a-001"], include=["embeddings"])
    )
    first = f"{float(got['embeddings'][0][0]):.4f}"
    assert dialog.locator("#embedding-preview pre").inner_text().startswith(f"[{first}, ")
    shot(page, "record")
    page.click("#record-close")
    assert not dialog.is_visible()


@pytest.fixture
def scratch(console_server: Server) -> Any:
    """A collection of its own (in a database of its own) for a test that changes data."""
    admin = chromadb.AdminClient(
        chromadb.config.Settings(
            chroma_api_impl="rest",
            chroma_server_host="127.0.0.1",
            chroma_server_http_port=console_server.port,
        )
    )
    try:
        admin.create_database("scratch")
    except chromadb.errors.UniqueConstraintError:
        pass
    client = client_of(console_server, "scratch")
    try:
        client.delete_collection("edits")
    except chromadb.errors.NotFoundError:
        pass
    collection = client.create_collection("edits")
    collection.add(
        ids=["x", "y", "markup"],
        documents=["the first note", "the second note", MARKUP],
        metadatas=[{"tag": "old", "keep": 1}, {"tag": "old"}, {"html": MARKUP}],
    )
    return collection


MARKUP = '<img src="/pwned" onerror="window.pwned=1"><b>bold</b>'


def test_documents_and_metadata_are_shown_as_text(
    console_server: Server, open_page: Any, scratch: Any
) -> None:
    log = open_page(console_server, collection_url("edits", "scratch"))
    page = log.page
    cell = page.locator("[data-id=markup] .doc")
    cell.wait_for()
    assert cell.inner_text() == MARKUP
    page.click("[data-id=markup]")
    assert page.inner_text("#record-document") == MARKUP
    assert page.evaluate("window.pwned") is None
    assert not any(url.endswith("/pwned") for url in log.requests)


def test_editing_where_the_client_embeds_keeps_the_embedding(
    console_server: Server, open_page: Any
) -> None:
    client = client_of(console_server)
    try:
        client.delete_collection("client-embedded")
    except chromadb.errors.NotFoundError:
        pass
    collection = client.create_collection("client-embedded", embedding_function=None)
    collection.add(ids=["p"], embeddings=[[0.5, 0.25]], documents=["before"])
    try:
        page = open_page(console_server, collection_url("client-embedded")).page
        page.click("[data-id=p]")
        page.click("#record-edit")
        assert "the stored embedding is kept" in page.inner_text("#record-dialog")
        page.fill("#edit-document", "after")
        page.click("#edit-save")
        page.click("#confirm-ok")
        page.wait_for_function(
            "() => document.querySelector('[data-id=p] .doc')?.textContent === 'after'"
        )
        got = collection.get(ids=["p"], include=["documents", "embeddings"])
        assert got["documents"] == ["after"]
        assert [float(v) for v in got["embeddings"][0]] == [0.5, 0.25]
    finally:
        client.delete_collection("client-embedded")


def test_edit_asks_first_and_reembeds_a_changed_document(
    console_server: Server, open_page: Any, scratch: Any
) -> None:
    before = scratch.get(ids=["x"], include=["embeddings", "documents", "metadatas"])
    page = open_page(console_server, collection_url("edits", "scratch")).page
    page.click("[data-id=x]")
    page.click("#record-edit")
    page.fill("#edit-document", "a note about volcanoes")
    page.fill("#edit-metadata", '{"tag": "new"}')
    page.click("#edit-save")
    page.locator("#confirm-dialog").wait_for()
    shot(page, "edit-confirm")
    page.click("#confirm-cancel")
    assert scratch.get(ids=["x"], include=["documents"])["documents"] == before["documents"]

    page.click("#edit-save")
    page.click("#confirm-ok")
    page.wait_for_selector("#record-dialog", state="hidden")
    page.wait_for_function(
        "() => document.querySelector('[data-id=x] .doc')?.textContent === 'a note about volcanoes'"
    )
    after = scratch.get(ids=["x"], include=["embeddings", "documents", "metadatas"])
    assert after["documents"] == ["a note about volcanoes"]
    assert after["metadatas"] == [{"tag": "new"}]  # "keep" was removed in the editor
    assert list(after["embeddings"][0]) != list(before["embeddings"][0])
    # Bad metadata is refused in the page, before anything is sent.
    page.click("[data-id=y]")
    page.click("#record-edit")
    page.fill("#edit-metadata", "[1, 2]")
    page.click("#edit-save")
    assert "must be a JSON object" in page.locator("#record-dialog .error").inner_text()
    assert scratch.get(ids=["y"])["metadatas"] == [{"tag": "old"}]


def test_delete_asks_first(console_server: Server, open_page: Any, scratch: Any) -> None:
    page = open_page(console_server, collection_url("edits", "scratch")).page
    page.click("[data-id=y]")
    page.click("#record-delete")
    assert re.search(r'Delete record "y"', page.inner_text("#confirm-message"))
    page.click("#confirm-cancel")
    assert scratch.count() == 3
    page.click("#record-delete")
    page.click("#confirm-ok")
    page.wait_for_selector("[data-id=y]", state="detached")
    assert scratch.count() == 2 and scratch.get()["ids"] == ["x", "markup"]
    # The page redraws the table, then asks for the count: the heading follows a moment later.
    page.wait_for_function(
        "document.getElementById('record-count').textContent === '2 records'", timeout=10_000
    )
    assert page.inner_text("#record-count") == "2 records"


def test_an_empty_collection_has_an_empty_table_and_map(
    console_server: Server, open_page: Any
) -> None:
    client = client_of(console_server, "archive")
    client.get_or_create_collection("empty", embedding_function=None)
    try:
        page = open_page(console_server, collection_url("empty", "archive")).page
        assert page.locator("#records td.muted").inner_text() == "No records match."
        page.click("#tab-map")
        page.wait_for_selector("#map-canvas[data-ready='0']")
        assert page.inner_text("#map-status").startswith("0 of 0 records")
    finally:
        client.delete_collection("empty")
