"""Faults that are the service's state, not the request's: the database out of reach, locked or
on a full disk. Each gets its own status (503 with Retry-After, or 507) in the one problem shape,
with the request id and security headers, on a connection that stays usable; a full disk never
leaves the database worse than it found it.

The full-disk tests put a real SQLite database on a small tmpfs (CI runs as root) and fill it,
so SQLite itself says "database or disk is full".
"""

import http.client
import json
import os
import sqlite3
import subprocess
import sys
from collections.abc import Callable, Iterator
from contextlib import closing
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
import httpx2
import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient

from app.core.database import make_engine
from app.core.settings import Settings
from app.main import create_app
from app.ops.importer import ImportStopped, import_file
from app.ops.schema import migrate
from app.ops.seeding import load_seeds
from tests.benchmarks.dataset import events
from tests.conftest import API_KEYS, CURSOR_SECRET, WRITE, LiveServer, make_settings
from tests.payloads import offensive

SECURITY_HEADERS = ("x-content-type-options", "x-frame-options", "content-security-policy")


def assert_problem(
    response: httpx.Response | httpx2.Response, status: int, slug: str
) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert len(response.headers["x-request-id"]) >= 16
    for name in SECURITY_HEADERS:
        assert name in response.headers
    problem: dict[str, Any] = response.json()
    assert problem["type"] == f"/problems/{slug}"
    assert problem["status"] == status
    assert "Traceback" not in response.text
    return problem


# A PostgreSQL server that is down: nothing listens on port 1.
UNREACHABLE = "postgresql://postgres@127.0.0.1:1/test"


@pytest.fixture
def unreachable_client(tmp_path: Path) -> Iterator[TestClient]:
    app = create_app(make_settings(UNREACHABLE, tmp_path))
    with TestClient(app, raise_server_exceptions=False) as client:
        yield client


@pytest.mark.parametrize(
    "path", ["/v1/events", "/v1/stats", "/v1/events/1", "/v1/events.csv", "/v1/provinces"]
)
def test_a_database_out_of_reach_is_a_503_with_retry_after(
    unreachable_client: TestClient, path: str
) -> None:
    # /v1/events and /v1/stats are answered by middleware (the fast list, conditional GETs):
    # their errors go through the same handler as the routes'.
    response = unreachable_client.get(path)
    problem = assert_problem(response, 503, "database-unavailable")
    assert int(response.headers["retry-after"]) > 0
    assert "cannot be reached" in problem["detail"]


def test_a_write_while_the_database_is_out_of_reach_is_a_503(
    unreachable_client: TestClient,
) -> None:
    response = unreachable_client.post("/v1/events", json=offensive(), headers=WRITE)
    assert_problem(response, 503, "database-unavailable")
    assert int(response.headers["retry-after"]) > 0


def test_the_acled_endpoint_answers_a_database_out_of_reach_in_acleds_shape(
    unreachable_client: TestClient,
) -> None:
    response = unreachable_client.get("/api/acled/read", params={"country": "Afghanistan"})
    assert response.status_code == 503
    assert int(response.headers["retry-after"]) > 0
    body = response.json()
    assert body["success"] is False
    assert "cannot be reached" in body["error"]["message"]


def test_healthz_says_when_to_try_again_while_the_database_is_out_of_reach(
    unreachable_client: TestClient,
) -> None:
    response = unreachable_client.get("/healthz")
    assert_problem(response, 503, "unavailable")
    assert int(response.headers["retry-after"]) > 0


def test_a_write_locked_out_past_the_busy_timeout_is_a_503_and_changes_nothing(
    tmp_path: Path,
) -> None:
    url = f"sqlite:///{tmp_path / 'locked.db'}"
    settings = make_settings(url, tmp_path, sqlite_busy_timeout_ms=200)
    migrate(settings)
    app = create_app(settings)
    with TestClient(app, raise_server_exceptions=False) as client:
        before = client.get("/v1/events").json()["items"]
        holder = sqlite3.connect(tmp_path / "locked.db", isolation_level=None)
        holder.execute("BEGIN IMMEDIATE")  # another process's long write (an import, a restore)
        try:
            response = client.post("/v1/events", json=offensive(), headers=WRITE)
            problem = assert_problem(response, 503, "database-unavailable")
            assert "locked" in problem["detail"]
            assert int(response.headers["retry-after"]) > 0
            assert client.get("/v1/events").status_code == 200  # reads go on meanwhile
        finally:
            holder.execute("ROLLBACK")
            holder.close()
        assert client.get("/v1/events").json()["items"] == before
        assert client.post("/v1/events", json=offensive(), headers=WRITE).status_code == 201


def test_database_faults_on_postgresql_are_503s_and_the_connection_stays_usable(
    database_url: str, live_server: Callable[..., LiveServer]
) -> None:
    """PostgreSQL refusing connections (as while it restarts), on a live server: the answer to
    GET /v1/events (a middleware's) and the next request share one keep-alive connection."""
    engine_url = sa.make_url(Settings(database_url=database_url).sqlalchemy_url)
    if engine_url.get_backend_name() != "postgresql":
        pytest.skip("PostgreSQL's own refusal; SQLite's faults are tested on files above")
    server = live_server(database_url)
    name = engine_url.database
    admin = sa.create_engine(
        engine_url.set(database="postgres"),
        isolation_level="AUTOCOMMIT",
        poolclass=sa.pool.NullPool,
    )
    connection = http.client.HTTPConnection(urlsplit(server.url).netloc, timeout=30)
    try:
        with admin.connect() as db:
            db.exec_driver_sql(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS false')
            db.exec_driver_sql(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s",
                (name,),
            )
        connection.request("GET", "/v1/events?province=Helmand")
        refused = connection.getresponse()
        body = json.loads(refused.read())
        assert refused.status == 503
        assert body["type"] == "/problems/database-unavailable"
        assert int(refused.getheader("retry-after") or 0) > 0
        assert refused.getheader("x-request-id")
        socket_used = connection.sock
        with admin.connect() as db:
            db.exec_driver_sql(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS true')
        connection.request("GET", "/v1/events?province=Helmand")
        answered = connection.getresponse()
        assert answered.status == 200
        assert json.loads(answered.read())["items"]
        assert connection.sock is socket_used  # the same connection: it was not dropped
    finally:
        connection.close()
        with admin.connect() as db:
            db.exec_driver_sql(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS true')
        admin.dispose()


# A full disk: a real SQLite database on a small tmpfs, filled.


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    """A 24 MiB tmpfs (as root, as CI runs)."""
    mount = tmp_path / "disk"
    mount.mkdir()
    if os.geteuid() != 0:
        pytest.fail("the full-disk tests mount a tmpfs: run them as root (CI does)")
    subprocess.run(["mount", "-t", "tmpfs", "-o", "size=24m", "tmpfs", str(mount)], check=True)
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=True)


def fill(disk: Path) -> Path:
    """Fill the disk to its last byte; the file to delete to free it."""
    filler = disk / "filler"
    descriptor = os.open(filler, os.O_WRONLY | os.O_CREAT, 0o600)
    try:
        for size in (1 << 16, 1):
            try:
                while os.write(descriptor, b"\0" * size):
                    pass
            except OSError:
                pass
    finally:
        os.close(descriptor)
    return filler


def seeded_database(disk: Path) -> str:
    url = f"sqlite:///{disk / 'conflict-events.db'}"
    settings = make_settings(url, disk)
    migrate(settings)
    engine = make_engine(settings)
    load_seeds(engine=engine, seeds_dir=settings.seeds_dir)
    engine.dispose()
    return url


def schema(path: Path) -> list[tuple[str, str]]:
    with sqlite3.connect(path) as db:
        return db.execute(
            "SELECT type, name FROM sqlite_master WHERE type IN ('index', 'trigger') ORDER BY 2"
        ).fetchall()


def test_a_full_disk_refuses_writes_with_507_and_reads_go_on(
    small_disk: Path, live_server: Callable[..., LiveServer]
) -> None:
    server = live_server(seeded_database(small_disk))
    connection = http.client.HTTPConnection(urlsplit(server.url).netloc, timeout=30)
    with httpx.Client(base_url=server.url, timeout=30) as client, closing(connection):
        before = client.get("/v1/events", params={"limit": 100}).json()["items"]
        filler = fill(small_disk)
        created = client.post("/v1/events", json=offensive(), headers=WRITE)
        problem = assert_problem(created, 507, "insufficient-storage")
        assert "disk is full" in problem["detail"]
        assert int(created.headers["retry-after"]) > 0
        edited = client.patch(
            f"/v1/events/{before[0]['id']}",
            content=b'{"summary": "changed on a full disk"}',
            headers={
                **WRITE,
                "Content-Type": "application/merge-patch+json",
                "If-Match": client.get(f"/v1/events/{before[0]['id']}").headers["etag"],
            },
        )
        assert_problem(edited, 507, "insufficient-storage")
        # Reads keep working, and nothing changed.
        assert client.get("/v1/events", params={"limit": 100}).json()["items"] == before
        for path in ("/v1/stats", "/v1/events.csv", "/healthz", "/api/acled/read"):
            assert client.get(path).status_code == 200, path
        # The 507 leaves the keep-alive connection usable.
        headers = {**WRITE, "Content-Type": "application/json"}
        connection.request("POST", "/v1/events", json.dumps(offensive()), headers)
        refused = connection.getresponse()
        refused.read()
        assert refused.status == 507
        socket_used = connection.sock
        connection.request("GET", "/v1/events")
        answered = connection.getresponse()
        assert answered.status == 200
        answered.read()
        assert connection.sock is socket_used
        # Space freed: writes work again.
        filler.unlink()
        assert client.post("/v1/events", json=offensive(), headers=WRITE).status_code == 201


def test_serve_on_a_full_disk_says_why_in_one_line(small_disk: Path) -> None:
    url = seeded_database(small_disk)
    fill(small_disk)
    result = subprocess.run(
        [sys.executable, "-m", "app.ops.cli", "serve", "--port", "1"],
        env=os.environ
        | {"DATABASE_URL": url, "CE_DATA_DIR": str(small_disk), "CE_API_KEYS": API_KEYS},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert lines == [
        f"conflict-events: serve: the disk holding {small_disk.resolve()} is full (0 bytes "
        "free): free some space and start again"
    ]


def write_events(path: Path, count: int) -> Path:
    with path.open("w") as out:
        for n, record in enumerate(events(count, seed=7)):
            out.write(json.dumps({**record, "dataset": "full-disk", "external_id": str(n)}))
            out.write("\n")
    return path


def test_an_import_that_fills_the_disk_says_what_it_stored_in_one_line(
    small_disk: Path, tmp_path: Path
) -> None:
    url = seeded_database(small_disk)
    database = small_disk / "conflict-events.db"
    indexes_and_triggers = schema(database)
    source = write_events(tmp_path / "big.ndjson", 60_000)  # more than 24 MiB stored
    result = subprocess.run(
        [sys.executable, "-m", "app.ops.cli", "import", str(source)],
        env=os.environ | {"DATABASE_URL": url, "CE_DATA_DIR": str(tmp_path)},
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    last = result.stderr.strip().splitlines()[-1]
    prefix = f"conflict-events: import of {source} stopped: the disk is full. Stored: "
    assert last.startswith(prefix), result.stderr
    stored = int(last[len(prefix) :].split(" ")[0].replace(",", ""))
    with sqlite3.connect(database) as db:
        counted = db.execute("SELECT count(*) FROM event WHERE dataset = 'full-disk'").fetchone()
        assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    assert stored > 0
    assert counted == (stored,)
    assert schema(database) == indexes_and_triggers


def test_a_bulk_load_on_a_full_disk_rolls_back_with_every_index_in_place(
    small_disk: Path, tmp_path: Path
) -> None:
    """With its indexes deferred (a load larger than the table), the load and the rebuild are one
    transaction: stopped by a full disk, the database is as it was, search included."""
    url = seeded_database(small_disk)
    database = small_disk / "conflict-events.db"
    indexes_and_triggers = schema(database)
    source = write_events(tmp_path / "big.ndjson", 60_000)
    engine = make_engine(Settings(database_url=url, data_dir=tmp_path, cursor_secret=CURSOR_SECRET))
    try:
        with pytest.raises(ImportStopped) as stopped:
            import_file(engine=engine, path=source, defer_indexes=True, workers=0)
    finally:
        engine.dispose()
    assert stopped.value.reason == "the disk is full"
    assert stopped.value.report.inserted == 0
    assert schema(database) == indexes_and_triggers
    with sqlite3.connect(database) as db:
        assert db.execute("SELECT count(*) FROM event").fetchone() == (10,)
        assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    settings = make_settings(url, tmp_path)
    with TestClient(create_app(settings)) as client:
        found = client.get("/v1/events", params={"q": '"forced to flee"'}).json()["items"]
        assert found  # the full-text triggers and index are there, and current
