"""`conflict-events import`: NDJSON or a JSON array, invalid rows reported by line and skipped."""

import json
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient

from app.core.database import make_engine
from app.core.settings import Settings
from app.events.search import suspend_index
from app.main import create_app
from app.ops.cli import main
from app.ops.importer import import_file
from tests.payloads import offensive


def records(n: int) -> list[dict[str, Any]]:
    return [
        offensive(dataset="archive", external_id=str(i), summary=f"Archived event {i}.")
        for i in range(n)
    ]


def external_ids(client: TestClient) -> set[str]:
    return {
        i["external_id"] for i in client.get("/v1/events?limit=1000&kind=offensive").json()["items"]
    }


def test_import_ndjson_skips_invalid_lines_and_reports_them(
    cli: Path, client: TestClient, capsys: pytest.CaptureFixture[str]
) -> None:
    lines = [json.dumps(r) for r in records(5)]
    lines[2] = json.dumps(offensive(date="2021-02-30", dataset="archive", external_id="bad"))
    lines.insert(4, "{not json")
    path = cli / "events.ndjson"
    path.write_text("\n".join(lines) + "\n\n")
    assert main(["import", str(path), "--batch-size", "2"]) == 0
    captured = capsys.readouterr()
    assert "read 6, inserted 4, updated 0, unchanged 0, rejected 2" in captured.out
    assert f"{path}:3: rejected: /date" in captured.err
    assert f"{path}:5: rejected" in captured.err
    assert {"0", "1", "3", "4"} <= external_ids(client)
    assert "bad" not in external_ids(client)

    assert main(["import", str(path)]) == 0
    assert "inserted 0, updated 0, unchanged 4, rejected 2" in capsys.readouterr().out


def test_import_json_array_with_line_numbers(
    cli: Path, client: TestClient, capsys: pytest.CaptureFixture[str]
) -> None:
    items = records(3)
    items[1]["date"] = "2021-02-30"
    path = cli / "events.json"
    path.write_text(json.dumps(items, indent=2))
    assert main(["import", str(path)]) == 0
    captured = capsys.readouterr()
    assert "inserted 2" in captured.out
    line_of_second = path.read_text().splitlines().index("  {", 1 + 1) + 1
    assert f"{path}:{line_of_second}: rejected: /date" in captured.err


def test_import_strict_stores_nothing_if_any_row_is_invalid(
    cli: Path, client: TestClient, capsys: pytest.CaptureFixture[str]
) -> None:
    lines = [json.dumps(r) for r in records(5)]
    lines[4] = lines[4].replace('"AFG"', '"XYZ"')
    path = cli / "events.ndjson"
    path.write_text("\n".join(lines))
    before = external_ids(client)
    assert main(["import", "--strict", "--batch-size", "2", str(path)]) == 1
    assert "nothing stored" in capsys.readouterr().out
    assert external_ids(client) == before
    path.write_text("\n".join(lines[:4]))
    assert main(["import", "--strict", str(path)]) == 0
    assert {"0", "1", "2", "3"} <= external_ids(client)


def test_import_unreadable_file_fails_cleanly(
    cli: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["import", str(cli / "missing.ndjson")]) == 1
    assert "cannot import" in capsys.readouterr().err
    broken = cli / "broken.json"
    broken.write_text('[{"kind": "offensive"}, {')
    assert main(["import", str(broken)]) == 1


def test_reimport_updates_changed_records_and_records_history(
    cli: Path, client: TestClient, capsys: pytest.CaptureFixture[str]
) -> None:
    items = records(4)
    path = cli / "events.ndjson"
    path.write_text("\n".join(json.dumps(r) for r in items))
    assert main(["import", str(path)]) == 0
    items[2]["summary"] = "Corrected: the attack was repelled."
    path.write_text("\n".join(json.dumps(r) for r in items))
    assert main(["import", str(path)]) == 0
    assert "inserted 0, updated 1, unchanged 3, rejected 0" in capsys.readouterr().out
    changed = client.get("/v1/events?limit=1000").json()["items"]
    record = next(i for i in changed if i["external_id"] == "2")
    assert record["summary"] == "Corrected: the attack was repelled."
    assert record["version"] == 2
    history = client.get(f"/v1/events/{record['id']}/history").json()["items"]
    assert [(h["version"], h["changed_by"]) for h in history] == [(1, "import"), (2, "import")]
    assert {"op": "replace", "path": "/summary", "value": record["summary"]} in history[1]["patch"]


def index_names(url: str) -> set[str]:
    engine = sa.create_engine(url)
    try:
        inspector = sa.inspect(engine)
        return {
            str(index["name"])
            for table in inspector.get_table_names()
            for index in inspector.get_indexes(table)
        }
    finally:
        engine.dispose()


def test_large_import_in_a_worker_with_deferred_indexes(
    database_url: str, cli: Path, client: TestClient
) -> None:
    before = index_names(database_url)
    path = cli / "big.ndjson"
    count = 3000  # over 1 MB: validated in a worker process
    with path.open("w") as f:
        for i in range(count):
            province = "Helmand" if i % 3 == 0 else "Kunduz"
            record = offensive(dataset="big", external_id=str(i), province=province)
            f.write(json.dumps(record | {"summary": f"Event {i}. " + "x" * 300}) + "\n")
    assert path.stat().st_size > 1 << 20
    engine = make_engine(Settings(database_url=database_url))
    try:
        report = import_file(engine=engine, path=path, batch_size=500, defer_indexes=True)
    finally:
        engine.dispose()
    assert (report.read, report.inserted, report.rejected) == (count, count, [])
    assert index_names(database_url) == before
    helmand = client.get("/v1/events?province=AF30&kind=offensive&limit=1000")
    assert sum(1 for i in helmand.json()["items"] if i["dataset"] == "big") == count // 3
    found = client.get('/v1/events?q="event 2999"').json()["items"]  # the search index too
    assert [i["external_id"] for i in found] == ["2999"]


def test_migrate_rebuilds_indexes_a_killed_import_left_dropped(
    database_url: str, cli: Path
) -> None:
    before = index_names(database_url)
    engine = make_engine(Settings(database_url=database_url))
    with engine.begin() as connection:  # as a killed import leaves them
        connection.exec_driver_sql("DROP INDEX ix_event_province_key_date_id")
        connection.exec_driver_sql("DROP INDEX ix_event_actor_actor_id_role_event_id")
        suspend_index(connection)
    assert "ix_event_province_key_date_id" not in index_names(database_url)
    path = cli / "during.ndjson"
    path.write_text(json.dumps(offensive(summary="Stored while the index was down.")))
    assert main(["import", str(path)]) == 0
    assert main(["migrate"]) == 0
    assert index_names(database_url) == before
    with TestClient(create_app(Settings(database_url=database_url, data_dir=cli))) as client:
        found = client.get('/v1/events?q="while the index was down"').json()["items"]
    assert len(found) == 1
    engine.dispose()
