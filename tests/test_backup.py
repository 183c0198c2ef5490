"""`conflict-events backup` and `restore`, run as real processes: an online backup of SQLite
while the real server writes, and a restore that checks the file, changes nothing when it refuses,
and migrates an older backup. On PostgreSQL both commands point to pg_dump and pg_restore."""

import hashlib
import os
import re
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
import sqlalchemy as sa
from alembic import command
from alembic.script import ScriptDirectory

from app.core.settings import Settings
from app.ops.schema import alembic_config
from tests.conftest import WRITE, LiveServer
from tests.payloads import offensive

BACKEND = os.environ.get("CE_TEST_BACKEND", "sqlite")
sqlite_only = pytest.mark.skipif(
    BACKEND != "sqlite", reason="backup and restore copy SQLite files (PostgreSQL: pg_dump)"
)
OLDER_REVISION = "d783f715379e"  # before the monthly totals
SLOW = ("--pages-per-step", "1", "--pause-ms", "100")  # a backup that takes a few seconds


def conflict_events(
    database_url: str, folder: Path, *args: str
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "app.ops.cli", *args],
        cwd=folder,
        env=os.environ | {"DATABASE_URL": database_url, "CE_DATA_DIR": str(folder)},
        capture_output=True,
        text=True,
        timeout=120,
    )


def refused(result: subprocess.CompletedProcess[str], *words: str) -> None:
    """Exit status 2 with one line saying why."""
    assert result.returncode == 2, result.stdout + result.stderr
    assert result.stdout == ""
    assert len(result.stderr.splitlines()) == 1, result.stderr
    for word in words:
        assert word in result.stderr


def file_of(url: str) -> Path:
    return Path(sa.make_url(url).database or "")


def head() -> str:
    revision = ScriptDirectory.from_config(alembic_config(Settings())).get_current_head()
    assert revision is not None
    return revision


def inspect(path: Path) -> dict[str, Any]:
    """What a test wants to know of an SQLite file, read without changing it."""
    connection = sqlite3.connect(f"{path.absolute().as_uri()}?mode=ro", uri=True)
    try:
        return {
            "journal_mode": connection.execute("PRAGMA journal_mode").fetchone()[0],
            "integrity": connection.execute("PRAGMA integrity_check").fetchall(),
            "revision": connection.execute("SELECT version_num FROM alembic_version").fetchall(),
            "events": connection.execute("SELECT count(*) FROM event").fetchone()[0],
            "tables": {
                name
                for (name,) in connection.execute(
                    "SELECT name FROM sqlite_master WHERE type='table'"
                )
            },
        }
    finally:
        connection.close()


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def temporaries(folder: Path) -> list[Path]:
    return sorted(folder.glob(".*.tmp*"))


def damage(path: Path) -> None:
    """Make an index disagree with its table, as a torn write would: integrity_check fails,
    every query that does not use the index still works."""
    connection = sqlite3.connect(path, isolation_level=None)
    try:
        connection.execute("PRAGMA writable_schema=ON")
        connection.execute(
            "UPDATE sqlite_master SET sql = 'CREATE INDEX ix_event_updated_at_id "
            "ON event (summary, id)' WHERE name = 'ix_event_updated_at_id'"
        )
    finally:
        connection.close()


def every_event(url: str, query: str = "") -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    next_url: str | None = f"{url}/v1/events?limit=1000{query}"
    while next_url:
        response = httpx.get(next_url, timeout=60)
        assert response.status_code == 200
        items += response.json()["items"]
        next_url = response.headers.get("link", "").split(">")[0].lstrip("<") or None
    return items


def written(writer: int, n: int) -> dict[str, Any]:
    """Event `n` of writer `writer`: its own new actor and source, to find half-stored events."""
    return offensive(
        dataset="backup-test",
        external_id=f"{writer}-{n}",
        actors=[
            {"name": f"Backup Test Group {writer}-{n}", "role": "initiator"},
            {"name": f"Backup Test Target {writer}", "role": "target"},
        ],
        sources=[{"publisher": f"Wire {writer}-{n}", "quote": f"Report {writer}-{n}."}],
    )


@sqlite_only
def test_backup_while_the_server_writes_is_one_consistent_snapshot(
    database_url: str, tmp_path: Path, live_server: Callable[..., LiveServer]
) -> None:
    server = live_server(database_url)
    writers, stop = 2, threading.Event()
    acknowledged: list[list[int]] = [[] for _ in range(writers)]
    failures: list[str] = []

    def write(writer: int) -> None:
        with httpx.Client(base_url=server.url, headers=WRITE, timeout=60) as http:
            n = 0
            while not stop.is_set():
                response = http.post("/v1/events", json=written(writer, n))
                if response.status_code != 201:
                    failures.append(f"{response.status_code} {response.text}")
                    return
                acknowledged[writer].append(n)
                n += 1

    threads = [threading.Thread(target=write, args=(w,)) for w in range(writers)]
    for thread in threads:
        thread.start()
    try:
        deadline = time.monotonic() + 60
        while min(map(len, acknowledged)) < 10 and not failures and time.monotonic() < deadline:
            time.sleep(0.05)
        before = [len(a) for a in acknowledged]  # acknowledged before the backup started
        target = tmp_path / "backup.db"
        # Small steps with pauses: the copy spans many of the writers' commits.
        result = conflict_events(
            database_url,
            tmp_path,
            "backup",
            str(target),
            "--pages-per-step",
            "2",
            "--pause-ms",
            "20",
        )
        during = sum(len(a) - b for a, b in zip(acknowledged, before, strict=True))
    finally:
        stop.set()
        for thread in threads:
            thread.join()
    assert not failures
    assert result.returncode == 0, result.stderr
    assert during > 0  # the server kept acknowledging writes while the backup ran
    match = re.fullmatch(
        r"conflict-events: backed up (\d+) events from .* to .*backup\.db \(.* KB\) in .* s\n",
        result.stdout,
    )
    assert match, result.stdout
    copied = inspect(target)
    assert copied["integrity"] == [("ok",)]
    assert copied["journal_mode"] == "delete"  # one plain file
    assert not Path(f"{target}-wal").exists()
    assert temporaries(tmp_path) == []
    assert copied["events"] == int(match[1])
    seeded = {e["id"] for e in every_event(server.url) if e.get("dataset") != "backup-test"}
    server.stop()

    restored_url = f"sqlite:///{tmp_path / 'restored' / 'conflict-events.db'}"
    result = conflict_events(restored_url, tmp_path, "restore", str(target))
    assert result.returncode == 0, result.stderr
    assert f"restored {copied['events']} events from" in result.stdout
    restored = inspect(file_of(restored_url))
    assert restored["integrity"] == [("ok",)]
    assert restored["revision"] == [(head(),)]
    again = live_server(restored_url, CE_AUTO_SEED="false")
    events = every_event(again.url)
    assert len(events) == copied["events"] == restored["events"]
    assert {e["id"] for e in events if e.get("dataset") != "backup-test"} == seeded
    stored: list[list[int]] = [[] for _ in range(writers)]
    for event in (e for e in events if e.get("dataset") == "backup-test"):
        writer, n = map(int, event["external_id"].split("-"))
        stored[writer].append(n)
        expected = written(writer, n)
        assert [(a["name"], a["role"]) for a in event["actors"]] == [
            (a["name"], a["role"]) for a in expected["actors"]
        ]
        assert [(s["publisher"], s["quote"]) for s in event["sources"]] == [
            (s["publisher"], s["quote"]) for s in expected["sources"]
        ]
    for writer in range(writers):
        # One moment of the database: each writer's first k events, nothing after a gap; at
        # least every event acknowledged before the backup started, at most one in flight more.
        assert sorted(stored[writer]) == list(range(len(stored[writer])))
        assert before[writer] <= len(stored[writer]) <= len(acknowledged[writer]) + 1


@sqlite_only
def test_backup_refuses_to_overwrite_a_file_without_force(
    database_url: str, tmp_path: Path
) -> None:
    target = tmp_path / "backup.db"
    target.write_bytes(b"last week's backup")
    refused(conflict_events(database_url, tmp_path, "backup", str(target)), "exists", "--force")
    assert target.read_bytes() == b"last week's backup"
    assert temporaries(tmp_path) == []

    # With --force it is replaced; a log another database left beside it (as after a crash)
    # must not be replayed into the backup.
    target.unlink()
    connection = sqlite3.connect(target, isolation_level=None)
    connection.execute("PRAGMA journal_mode=WAL")
    connection.execute("CREATE TABLE other (x)")
    connection.execute("INSERT INTO other VALUES (1)")
    log = Path(f"{target}-wal").read_bytes()
    connection.close()
    Path(f"{target}-wal").write_bytes(log)
    result = conflict_events(database_url, tmp_path, "backup", str(target), "--force")
    assert result.returncode == 0, result.stderr
    assert not Path(f"{target}-wal").exists()
    copied = inspect(target)
    assert copied["integrity"] == [("ok",)]
    assert "other" not in copied["tables"]
    assert copied["events"] == inspect(file_of(database_url))["events"]


@sqlite_only
def test_an_interrupted_backup_leaves_no_file_under_its_name(
    database_url: str, tmp_path: Path
) -> None:
    target = tmp_path / "backup.db"
    for sent in (signal.SIGINT, signal.SIGKILL):
        process = subprocess.Popen(
            [sys.executable, "-m", "app.ops.cli", "backup", str(target), *SLOW],
            cwd=tmp_path,
            env=os.environ | {"DATABASE_URL": database_url, "CE_DATA_DIR": str(tmp_path)},
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        deadline = time.monotonic() + 60
        while not temporaries(tmp_path) and time.monotonic() < deadline:
            time.sleep(0.02)
        time.sleep(0.3)  # a few steps in
        process.send_signal(sent)
        _, stderr = process.communicate(timeout=60)
        assert not target.exists()
        if sent == signal.SIGINT:  # Ctrl-C: the copy is removed too
            assert process.returncode == 130
            assert b"interrupted" in stderr
            assert temporaries(tmp_path) == []


@sqlite_only
def test_backup_of_a_damaged_database_fails_loudly_and_writes_nothing(
    database_url: str, tmp_path: Path
) -> None:
    damage(file_of(database_url))
    target = tmp_path / "backup.db"
    result = conflict_events(database_url, tmp_path, "backup", str(target))
    assert result.returncode == 1
    assert "fails the integrity check" in result.stderr
    assert "missing from index" in result.stderr
    assert not target.exists()
    assert temporaries(tmp_path) == []


@sqlite_only
def test_restore_refuses_what_is_not_a_whole_backup_of_this_application(
    database_url: str, tmp_path: Path
) -> None:
    database = file_of(database_url)
    before = digest(database)
    text = tmp_path / "notes.txt"
    text.write_text("SQLite format 2, or so I thought\n")
    foreign = tmp_path / "other-app.db"
    with sqlite3.connect(foreign) as connection:
        connection.execute("CREATE TABLE event (id INTEGER PRIMARY KEY)")
    connection.close()
    damaged = tmp_path / "damaged.db"
    assert conflict_events(database_url, tmp_path, "backup", str(damaged)).returncode == 0
    damage(damaged)
    foreign_message = "is not a conflict-events database (no alembic_version table)"
    cases = [
        (tmp_path / "missing.db", ["--force"], "there is no file"),
        (text, [], "is not an SQLite database"),
        (text, ["--force"], "is not an SQLite database"),
        (foreign, [], foreign_message),
        (foreign, ["--force"], foreign_message),
        (damaged, ["--force"], "fails the integrity check"),
    ]
    for source, force, message in cases:
        refused(conflict_events(database_url, tmp_path, "restore", str(source), *force), message)
        assert digest(database) == before
        assert temporaries(database.parent) == []


@sqlite_only
def test_restore_replaces_a_database_only_with_force_and_the_server_stopped(
    database_url: str, tmp_path: Path, live_server: Callable[..., LiveServer]
) -> None:
    server = live_server(database_url, CE_AUTO_SEED="false")

    def create(name: str) -> str:
        response = httpx.post(
            f"{server.url}/v1/events", json=offensive(summary=name), headers=WRITE, timeout=60
        )
        assert response.status_code == 201
        return httpx.URL(response.headers["location"]).path

    kept = create("written before the backup")
    target = tmp_path / "backup.db"
    assert conflict_events(database_url, tmp_path, "backup", str(target)).returncode == 0
    lost = create("written after the backup")
    refused(
        conflict_events(database_url, tmp_path, "restore", str(target), "--force"),
        "in use",
        "server",
    )
    assert httpx.get(f"{server.url}{lost}").status_code == 200
    server.stop()
    refused(conflict_events(database_url, tmp_path, "restore", str(target)), "exists", "--force")
    result = conflict_events(database_url, tmp_path, "restore", str(target), "--force")
    assert result.returncode == 0, result.stderr
    assert f"schema {head()}, current" in result.stdout
    again = live_server(database_url, CE_AUTO_SEED="false")
    assert httpx.get(f"{again.url}{kept}").status_code == 200
    assert httpx.get(f"{again.url}{lost}").status_code == 404


@sqlite_only
def test_restore_brings_an_older_backup_to_the_current_schema(
    database_url: str, tmp_path: Path
) -> None:
    command.downgrade(alembic_config(Settings(database_url=database_url)), OLDER_REVISION)
    target = tmp_path / "backup.db"
    assert conflict_events(database_url, tmp_path, "backup", str(target)).returncode == 0
    assert inspect(target)["revision"] == [(OLDER_REVISION,)]
    before = digest(target)
    restored_url = f"sqlite:///{tmp_path / 'fresh' / 'conflict-events.db'}"
    result = conflict_events(restored_url, tmp_path, "restore", str(target))
    assert result.returncode == 0, result.stderr
    assert f"schema {OLDER_REVISION} migrated to {head()}" in result.stdout
    restored = inspect(file_of(restored_url))
    assert restored["revision"] == [(head(),)]
    assert restored["integrity"] == [("ok",)]
    assert "event_month_totals" in restored["tables"]
    assert restored["events"] == inspect(target)["events"] > 0
    assert digest(target) == before  # the backup itself is only read


def test_postgresql_is_pointed_to_pg_dump_and_pg_restore(
    empty_database_url: str, tmp_path: Path
) -> None:
    """On the PostgreSQL run, with the test database; on SQLite, with a made-up URL: neither
    command connects. The URL (and its password) is not printed: the hint says $DATABASE_URL."""
    url = empty_database_url
    if BACKEND != "postgresql":
        url = "postgresql://ce:not-to-be-printed@db.invalid:5432/ce"
    dump = tmp_path / "events.dump"
    result = conflict_events(url, tmp_path, "backup", str(dump))
    refused(result, f'pg_dump --format=custom --file={dump} "$DATABASE_URL"')
    assert not dump.exists()
    dump.write_bytes(b"PGDMP")
    for force in ([], ["--force"]):
        result = conflict_events(url, tmp_path, "restore", str(dump), *force)
        refused(
            result,
            f'pg_restore --clean --if-exists --dbname="$DATABASE_URL" {dump} '
            "&& conflict-events migrate",
            "server stopped",
        )
    assert "not-to-be-printed" not in result.stderr
