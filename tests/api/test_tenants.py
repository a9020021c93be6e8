"""Tenants and databases: creating them, and the isolation between them."""

from __future__ import annotations

from typing import Any, Callable

import pytest

import chromadb
from chromadb.config import DEFAULT_DATABASE, DEFAULT_TENANT
from chromadb.errors import NotFoundError, UniqueConstraintError


@pytest.fixture
def admin(client: Any) -> Any:
    """An admin client on the same database as ``client`` (same settings)."""
    return chromadb.AdminClient(client.get_settings())


def test_default_tenant_and_database_exist(admin: Any, client: Any) -> None:
    assert admin.get_tenant(DEFAULT_TENANT)["name"] == DEFAULT_TENANT
    db = admin.get_database(DEFAULT_DATABASE, tenant=DEFAULT_TENANT)
    assert db["name"] == DEFAULT_DATABASE and db["tenant"] == DEFAULT_TENANT
    assert (client.tenant, client.database) == (DEFAULT_TENANT, DEFAULT_DATABASE)


def test_create_tenant_and_databases(admin: Any, unique_name: Callable[[str], str]) -> None:
    tenant = unique_name("tenant")
    admin.create_tenant(tenant)
    assert admin.get_tenant(tenant)["name"] == tenant
    with pytest.raises(UniqueConstraintError):
        admin.create_tenant(tenant)
    admin.create_database("one", tenant=tenant)
    admin.create_database("two", tenant=tenant)
    with pytest.raises(UniqueConstraintError):
        admin.create_database("one", tenant=tenant)
    assert [d["name"] for d in admin.list_databases(tenant=tenant)] == ["one", "two"]
    assert [d["name"] for d in admin.list_databases(limit=1, offset=1, tenant=tenant)] == ["two"]
    got = admin.get_database("two", tenant=tenant)
    assert got["tenant"] == tenant and got["id"]
    admin.delete_database("two", tenant=tenant)
    with pytest.raises(NotFoundError):
        admin.get_database("two", tenant=tenant)
    assert [d["name"] for d in admin.list_databases(tenant=tenant)] == ["one"]


def test_missing_tenant_and_database(
    admin: Any, client_factory: Callable[..., Any], unique_name: Callable[[str], str]
) -> None:
    with pytest.raises(NotFoundError):
        admin.get_tenant(unique_name("nobody"))
    with pytest.raises(NotFoundError):
        admin.get_database("nothing-here", tenant=DEFAULT_TENANT)
    with pytest.raises(NotFoundError):
        admin.create_database("dbx", tenant=unique_name("nobody"))
    with pytest.raises(NotFoundError):
        client_factory(tenant=unique_name("nobody"), database=DEFAULT_DATABASE)


def test_databases_isolate_collections(
    admin: Any,
    client: Any,
    client_factory: Callable[..., Any],
    ef: Any,
    unique_name: Callable[[str], str],
) -> None:
    tenant = unique_name("tenant")
    admin.create_tenant(tenant)
    admin.create_database("main", tenant=tenant)
    admin.create_database("side", tenant=tenant)
    main = client_factory(tenant=tenant, database="main")
    side = client_factory(tenant=tenant, database="side")
    # The same name in different databases: two different collections.
    a = main.create_collection("shared-name", embedding_function=ef)
    b = side.create_collection("shared-name", embedding_function=ef)
    assert a.id != b.id
    a.add(ids=["x"], embeddings=[[1.0, 2.0, 3.0]], documents=["main's"])
    assert b.count() == 0
    assert main.get_collection("shared-name", embedding_function=ef).get()["documents"] == [
        "main's"
    ]
    assert [c.name for c in main.list_collections()] == ["shared-name"]
    assert main.count_collections() == 1
    assert client.count_collections() == 0  # the default database sees none of it
    with pytest.raises(NotFoundError):
        client.get_collection("shared-name", embedding_function=ef)
    side.delete_collection("shared-name")
    assert main.get_collection("shared-name", embedding_function=ef).count() == 1


def test_set_tenant_and_database(
    admin: Any, client: Any, ef: Any, unique_name: Callable[[str], str]
) -> None:
    tenant = unique_name("tenant")
    admin.create_tenant(tenant)
    admin.create_database("db1", tenant=tenant)
    admin.create_database("db2", tenant=tenant)
    client.set_tenant(tenant, database="db1")
    client.create_collection("in-db1", embedding_function=ef)
    client.set_database("db2")
    assert (client.tenant, client.database) == (tenant, "db2")
    assert client.list_collections() == []
    client.set_database("db1")
    assert [c.name for c in client.list_collections()] == ["in-db1"]
    with pytest.raises(NotFoundError):
        client.set_database("db-missing")
    assert client.database == "db1"


def test_deleting_a_database_deletes_its_collections(
    admin: Any, client_factory: Callable[..., Any], ef: Any, unique_name: Callable[[str], str]
) -> None:
    tenant = unique_name("tenant")
    admin.create_tenant(tenant)
    admin.create_database("doomed", tenant=tenant)
    doomed = client_factory(tenant=tenant, database="doomed")
    doomed.create_collection("inside", embedding_function=ef).add(
        ids=["a"], embeddings=[[1.0, 1.0, 1.0]]
    )
    admin.delete_database("doomed", tenant=tenant)
    admin.create_database("doomed", tenant=tenant)
    assert client_factory(tenant=tenant, database="doomed").list_collections() == []
