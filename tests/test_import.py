"""`conflict-events import`: NDJSON or a JSON array, invalid rows reported by line and skipped."""

import json
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from app.cli import main
from tests.payloads import offensive


@pytest.fixture
def cli(database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("DATABASE_URL", database_url)
    monkeypatch.setenv("CE_DATA_DIR", str(tmp_path))
    return tmp_path


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
    items[1]["province"] = "Atlantis"
    path = cli / "events.json"
    path.write_text(json.dumps(items, indent=2))
    assert main(["import", str(path)]) == 0
    captured = capsys.readouterr()
    assert "inserted 2" in captured.out
    line_of_second = path.read_text().splitlines().index("  {", 1 + 1) + 1
    assert f"{path}:{line_of_second}: rejected: /province" in captured.err


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
