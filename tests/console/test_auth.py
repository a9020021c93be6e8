"""The console on a server with token auth: it asks for the token, keeps it for the tab's
session, and forgets it on request; its page and assets load without one."""

from __future__ import annotations

from typing import Any

import httpx

from tests.console.conftest import TOKEN, Server, shot


def sign_in(page: Any, token: str) -> None:
    page.locator("#login-dialog").wait_for()
    page.fill("#login-token", token)
    page.click("#login-submit")


def test_the_console_asks_for_the_token_and_keeps_it(token_server: Server, open_page: Any) -> None:
    page = open_page(token_server).page
    page.locator("#login-dialog").wait_for()
    assert "Missing token" in page.inner_text("#login-reason")
    shot(page, "login")
    sign_in(page, "not-the-token")
    page.wait_for_function(
        "() => document.getElementById('login-reason').textContent.includes('Invalid token')"
    )
    sign_in(page, TOKEN)
    page.locator("[data-database=default_database]").wait_for()
    assert "1 collection" in page.inner_text("[data-database=default_database]")

    # Kept for the session: a reload and another page need no token.
    page.reload()
    page.locator("[data-database=default_database]").wait_for()
    page.click("[data-database=default_database]")
    page.locator("[data-collection=secret-stuff]").wait_for()
    assert not page.locator("#login-dialog").is_visible()

    page.click("#logout")
    page.locator("#login-dialog").wait_for()
    assert page.locator("#login-dialog").is_visible()


def test_a_new_session_asks_again(token_server: Server, open_page: Any) -> None:
    first = open_page(token_server).page
    sign_in(first, TOKEN)
    first.locator("[data-database=default_database]").wait_for()
    second = open_page(token_server).page
    second.locator("#login-dialog").wait_for()
    assert second.locator("#login-dialog").is_visible()


def test_assets_are_open_and_data_routes_are_not(token_server: Server) -> None:
    assert httpx.get(token_server.url + "/").status_code == 200
    assert httpx.get(token_server.url + "/console/static/js/main.js").status_code == 200
    collections = httpx.get(
        token_server.url + "/api/v2/tenants/default_tenant/databases/default_database/collections",
        headers={"Authorization": f"Bearer {TOKEN}"},
    ).json()
    path = (
        "/console/api/tenants/default_tenant/databases/default_database/collections/"
        f"{collections[0]['id']}/map"
    )
    refused = httpx.get(token_server.url + path)
    assert refused.status_code == 401 and refused.json()["error"] == "AuthError"
    allowed = httpx.get(token_server.url + path, headers={"X-Chroma-Token": TOKEN})
    assert allowed.status_code == 200 and allowed.json()["ids"] == ["s1"]
