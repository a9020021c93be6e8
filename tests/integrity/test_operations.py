"""Operations a user can trust: a bad port or a busy one refused before anything opens, a path
that cannot hold a database named clearly, reset refusals that name the setting that helps, and a
database file that is complete on its own once closed."""

from __future__ import annotations

import shutil
import socket
import sqlite3
import subprocess
from pathlib import Path
from typing import Iterator

import httpx
import pytest

import chromadb
from chromadb.api.client import clear_system_cache
from chromadb.errors import AuthorizationError, InvalidArgumentError
from tests.integrity.damage import chroma
from tests.integrity.servers import ServerProcess

pytestmark = pytest.mark.usefixtures("fresh_systems")


def test_port_out_of_range_is_refused(tmp_path: Path) -> None:
    done = chroma("run", "--path", str(tmp_path / "data"), "--port", "99999")
    assert done.returncode == 2
    assert "port must be between 0 and 65535, got 99999" in done.stderr
    assert not (tmp_path / "data").exists()


def test_busy_port_is_found_before_the_database_opens(tmp_path: Path) -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        done = chroma("run", "--path", str(tmp_path / "data"), "--port", str(port))
    assert done.returncode == 1
    assert f"Cannot listen on 127.0.0.1 port {port}" in done.stderr
    assert "in use" in done.stderr
    assert not (tmp_path / "data").exists(), "the database was not opened"


def test_a_file_as_the_path_is_named_clearly(tmp_path: Path) -> None:
    path = tmp_path / "not-a-folder"
    path.write_text("mine")
    with pytest.raises(InvalidArgumentError, match="is a file, not a folder"):
        chromadb.PersistentClient(path=str(path))
    assert path.read_text() == "mine"
    done = chroma("run", "--path", str(path), "--port", "0")
    assert done.returncode == 1 and "is a file, not a folder" in done.stderr


@pytest.fixture
def read_only_folder(tmp_path: Path) -> Iterator[Path]:
    """A folder on a file system mounted read-only (root ignores permission bits)."""
    mount = tmp_path / "ro"
    mount.mkdir()
    made = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=16m", "tmpfs", str(mount)])
    if made.returncode != 0:
        pytest.skip("mounting a tmpfs is not allowed here (needs root)")
    try:
        data = mount / "data"
        chromadb.PersistentClient(path=str(data)).get_or_create_collection("ccc").add(
            ids=["a"], embeddings=[[1.0, 2.0]]
        )
        clear_system_cache()
        subprocess.run(["mount", "-o", "remount,ro", str(mount)], check=True)
        yield data
    finally:
        clear_system_cache()
        subprocess.run(["umount", "-l", str(mount)])


def test_a_read_only_folder_gives_a_chromadb_error(read_only_folder: Path) -> None:
    with pytest.raises(InvalidArgumentError, match="not writable"):
        chromadb.PersistentClient(path=str(read_only_folder))
    with pytest.raises(InvalidArgumentError, match="not writable"):
        chromadb.PersistentClient(path=str(read_only_folder / "new"))


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    root = tmp_path_factory.mktemp("ops")
    proc = ServerProcess(root / "data", root / "server.log")
    yield proc
    proc.stop()


def test_reset_refusal_over_http_names_the_servers_setting(server: ServerProcess) -> None:
    answer = httpx.post(server.url + "/api/v2/reset")
    assert answer.status_code == 403
    assert "ALLOW_RESET=TRUE" in answer.json()["message"]
    # The client's own allow_reset cannot help, and the message says so.
    from chromadb.config import Settings

    client = chromadb.HttpClient(
        host="127.0.0.1", port=server.port, settings=Settings(allow_reset=True)
    )
    with pytest.raises(AuthorizationError, match="start the server with ALLOW_RESET=TRUE"):
        client.reset()


def _copy_alone(db: Path, to: Path) -> int:
    """Copy chroma.sqlite3 without its -wal/-shm files, as a user copying "the database"
    does; returns how many records the copy holds."""
    to.mkdir()
    shutil.copy(db, to / "chroma.sqlite3")
    with sqlite3.connect(to / "chroma.sqlite3") as conn:
        return int(conn.execute("SELECT count(*) FROM records").fetchone()[0])


def test_closing_leaves_everything_in_the_main_file(tmp_path: Path) -> None:
    path = tmp_path / "data"
    client = chromadb.PersistentClient(path=str(path))
    col = client.create_collection("ccc", embedding_function=None)
    col.add(ids=[str(i) for i in range(500)], embeddings=[[float(i), 0.0] for i in range(500)])
    # raw_sql shows what a copy of the file holds, even before closing.
    assert int(client.raw_sql("SELECT count(*) AS n FROM embeddings")["n"][0]) == 500
    assert _copy_alone(path / "chroma.sqlite3", tmp_path / "copy1") == 500
    col.add(ids=["late"], embeddings=[[1.0, 1.0]])
    clear_system_cache()
    assert not (path / "chroma.sqlite3-wal").exists() or (
        (path / "chroma.sqlite3-wal").stat().st_size == 0
    )
    assert _copy_alone(path / "chroma.sqlite3", tmp_path / "copy2") == 501
