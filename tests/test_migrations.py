"""The Alembic migrations: upgrade from empty, downgrade to base, and no drift from the models."""

from pathlib import Path
from typing import Any

import sqlalchemy as sa
from alembic import command
from fastapi.testclient import TestClient

from app.core.database import make_engine
from app.core.settings import Settings
from app.main import create_app
from app.ops.schema import alembic_config, migrate
from tests.conftest import WRITE, make_settings
from tests.databases import Backend
from tests.payloads import offensive


def tables(settings: Settings) -> set[str]:
    engine = make_engine(settings)
    try:
        return set(sa.inspect(engine).get_table_names())
    finally:
        engine.dispose()


def test_migrations_upgrade_downgrade_and_match_the_models(
    backend: Backend, tmp_path: Path
) -> None:
    url = backend.new_database(seeded=False)
    try:
        settings = Settings(database_url=url, data_dir=tmp_path)
        config = alembic_config(settings)
        command.downgrade(config, "base")
        assert tables(settings) <= {"alembic_version"}
        migrate(settings)
        assert {"event", "actor", "actor_alias", "event_actor", "event_place"} <= tables(settings)
        command.check(config)  # raises if the models and the migrations disagree
        command.downgrade(config, "base")
        migrate(settings)
        command.check(config)
    finally:
        backend.drop(url)


def test_upgrading_sums_the_stored_records_into_the_monthly_totals(
    backend: Backend, tmp_path: Path
) -> None:
    url = backend.new_database(seeded=True)
    query = "/v1/stats?group_by=province&group_by=month"
    try:
        settings = make_settings(url, tmp_path, auto_seed=False)
        with TestClient(create_app(settings)) as client:
            before = client.get(query).json()
        assert before["total"]["events"] > 0
        command.downgrade(alembic_config(settings), "d783f715379e")  # before the totals
        migrate(settings)
        with TestClient(create_app(settings)) as client:
            assert client.get(query).json() == before
    finally:
        backend.drop(url)


def test_sqlite_runs_with_wal_foreign_keys_and_busy_timeout(tmp_path: Path) -> None:
    settings = Settings(
        database_url=f"sqlite:///{tmp_path / 'pragmas.db'}", sqlite_busy_timeout_ms=4321
    )
    migrate(settings)
    engine = make_engine(settings)
    with engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert connection.exec_driver_sql("PRAGMA busy_timeout").scalar() == 4321
    engine.dispose()


def _stored_by_an_older_version(
    backend: Backend, tmp_path: Path, record: dict[str, Any], revision: str, update: str
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """`record` created, the database taken back to `revision` and changed by `update` (how that
    version stored it), then upgraded: the record as read back, and its country's province stats."""
    url = backend.new_database(seeded=False)
    try:
        settings = make_settings(url, tmp_path, auto_seed=False)
        migrate(settings)
        with TestClient(create_app(settings)) as client:
            created = client.post("/v1/events", json=record, headers=WRITE).json()
        command.downgrade(alembic_config(settings), revision)
        engine = make_engine(settings)
        try:
            with engine.begin() as connection:
                connection.execute(sa.text(update))
        finally:
            engine.dispose()
        migrate(settings)
        with TestClient(create_app(settings)) as client:
            stored = client.get(f"/v1/events/{created['id']}").json()
            query = f"/v1/stats?group_by=province&country={record['country']}"
            groups = client.get(query).json()["groups"]
        return stored, groups
    finally:
        backend.drop(url)


def test_upgrading_resolves_stored_foreign_places_and_keeps_their_spelling(
    backend: Backend, tmp_path: Path
) -> None:
    record, groups = _stored_by_an_older_version(
        backend,
        tmp_path,
        offensive(country="BGD", province="Barisal", actors=[]),
        "01a0677fffe7",  # before worldwide places: free text
        "UPDATE event SET province = 'Barisāl Division', province_pcode = NULL,"
        " province_key = 'barisaldivision'",
    )
    assert (record["province"], record["province_pcode"]) == ("Barisal", "BD10")
    assert record["province_as_given"] == "Barisāl Division"
    assert [(g["key"]["province_pcode"], g["events"]) for g in groups] == [("BD10", 1)]


def test_upgrading_to_natural_earth_places_gives_old_records_the_codes_of_new_joins(
    backend: Backend, tmp_path: Path
) -> None:
    record, groups = _stored_by_an_older_version(
        backend,
        tmp_path,
        offensive(country="TUR", province="Diyarbak\u0131r", actors=[]),
        "6f1c2d9e4b70",  # before Natural Earth: ISO's unit only
        "UPDATE event SET province = 'Diyarbak\u0131r', province_pcode = NULL,"
        " province_key = 'TR-21', province_iso_3166_2 = 'TR-21'",
    )
    assert (record["province_pcode"], record["province_iso_3166_2"]) == ("TUR021", "TR-21")
    assert record["province_as_given"] == "Diyarbak\u0131r"
    assert [(g["key"]["province_pcode"], g["events"]) for g in groups] == [("TUR021", 1)]
