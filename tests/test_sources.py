"""Importing the files people already have: UCDP GED (any release layout) and ACLED exports."""

import csv
import io
import json
from pathlib import Path
from typing import Any

import httpx2
import pytest
from fastapi.testclient import TestClient

from app.ops.cli import main
from tests.conftest import WRITE

FIXTURES = Path(__file__).parent / "fixtures"
UCDP = FIXTURES / "ucdp-ged-241-bgd-sample.csv"
ACLED = FIXTURES / "acled-afg-2021.csv"
ACLED_UPDATE = FIXTURES / "acled-afg-2021-update.csv"


def table(path: Path) -> tuple[list[str], list[list[str]]]:
    """Header and data rows of a CSV file (a UCDP file's HXL row left out)."""
    with path.open(encoding="utf-8", newline="") as f:
        header, *rows = list(csv.reader(f))
    return header, [row for row in rows if not row[1].startswith("#")]


def write(path: Path, header: list[str], rows: list[list[str]]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def exported(client: TestClient, query: str) -> dict[str, dict[str, Any]]:
    """The records a query finds, by external_id."""
    response = client.get(f"/v1/events.ndjson?{query}")
    assert response.status_code == 200, response.text
    records = [json.loads(line) for line in response.text.splitlines()]
    return {r["external_id"]: r for r in records}


def test_the_ucdp_sample_loads_and_a_second_load_changes_nothing(
    cli: Path, client: TestClient, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["import", "--format", "ucdp", str(UCDP)]) == 0
    out, err = capsys.readouterr()
    assert "read 601, inserted 601, updated 0, unchanged 0, rejected 0" in out
    assert "(ucdp, dataset ucdp-ged, release 24.1)" in out  # the release read from the name
    # Row 84006 says low 0, best 3, high 0: the best estimate is kept, the range that does not
    # hold it is left out, and the report says so.
    assert ":64: note: high 0 below best 3: high left out" in err
    assert main(["import", "--format", "ucdp", str(UCDP)]) == 0
    assert "read 601, inserted 0, updated 0, unchanged 601, rejected 0" in capsys.readouterr().out

    records = exported(client, "dataset=ucdp-ged")
    assert len(records) == 601
    first = records["71663"]  # the sample's first row, as UCDP gives it
    assert first["kind"] == "offensive"
    assert first["source_event_type"] == "non-state violence"
    assert (first["date"], first["end_date"], first["date_precision"]) == (
        "2013-12-13",
        "2013-12-14",
        "week",  # date_prec 2: within a few days
    )
    assert (first["country"], first["province"], first["district"]) == (
        "BGD",
        "Barisal",
        "Pirojpur",
    )
    assert (first["province_as_given"], first["district_as_given"]) == (
        "Barisāl Division",
        "Pirojpur District",
    )
    assert (first["province_pcode"], first["province_iso_3166_2"]) == ("BD10", "BD-A")
    assert (first["latitude"], first["longitude"], first["geo_precision"]) == (
        22.488976,
        90.062732,
        "exact",
    )
    assert first["actors"] == [
        {"name": "Supporters of Awami League", "role": "participant"},
        {"name": "Supporters of BNP", "role": "participant"},
    ]
    assert first["fatalities"] == {
        "value": 1,
        "qualifier": "exact",
        "claimed_by": "UCDP",
        "low": 1,
        "high": 1,
        "alternatives": [],
    }
    assert first["sources"][0]["publisher"] == "BBC Monitoring Newsfile"
    assert first["sources"][0]["published_on"] == "2013-12-14"
    assert first["sources"][1]["title"] == "GED event 71663; original source: police"
    assert (first["release"], first["imported_at"] is not None) == ("24.1", True)
    ranged = [r["fatalities"] for r in records.values() if r["fatalities"]["low"] is not None]
    assert any(f["low"] < f["value"] < f["high"] and f["qualifier"] == "about" for f in ranged)
    assert records["84006"]["fatalities"]["value"] == 3
    assert records["84006"]["fatalities"]["high"] is None
    one_sided = next(r for r in records.values() if r["source_event_type"] == "one-sided violence")
    assert [a["role"] for a in one_sided["actors"]] == ["initiator", "target"]


def _without(
    header: list[str], rows: list[list[str]], *names: str
) -> tuple[list[str], list[list[str]]]:
    keep = [n for n, name in enumerate(header) if name not in names]
    return [header[n] for n in keep], [[row[n] for n in keep] for row in rows]


def _older(header: list[str], rows: list[list[str]]) -> tuple[list[str], list[list[str]]]:
    """As releases before the CSV had iso3: the code comes from the country name."""
    return _without(header, rows, "iso3")


def _gleditsch_ward_only(
    header: list[str], rows: list[list[str]]
) -> tuple[list[str], list[list[str]]]:
    """No iso3 and no country name: the code comes from the Gleditsch-Ward number."""
    return _without(header, rows, "iso3", "country")


def _newer(header: list[str], rows: list[list[str]]) -> tuple[list[str], list[list[str]]]:
    """Columns in another order, and columns this code has never heard of."""
    order = list(reversed(range(len(header))))
    extra = ["where_description", "event_clarity_2", "relid"]
    return (
        [header[n] for n in order] + extra,
        [[row[n] for n in order] + ["", "1", f"BGD-{n}"] for n, row in enumerate(rows)],
    )


@pytest.mark.parametrize("layout", [_older, _gleditsch_ward_only, _newer])
def test_every_ucdp_release_layout_gives_the_same_records(
    cli: Path, client: TestClient, layout: Any
) -> None:
    assert main(["import", "--format", "ucdp", str(UCDP)]) == 0
    changed = write(cli / "ged.csv", *layout(*table(UCDP)))
    assert (
        main(
            ["import", "--format", "ucdp", "--dataset", "other", "--release", "24.1", str(changed)]
        )
        == 0
    )

    def said(record: dict[str, Any]) -> dict[str, Any]:
        skip = {"id", "dataset", "created_at", "updated_at", "imported_at", "version"}
        return {k: v for k, v in record.items() if k not in skip}

    expected = {k: said(v) for k, v in exported(client, "dataset=ucdp-ged").items()}
    assert {k: said(v) for k, v in exported(client, "dataset=other").items()} == expected


def test_a_file_without_a_needed_column_is_refused_whole(
    cli: Path, client: TestClient, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write(cli / "ged.csv", *_without(*table(UCDP), "best"))
    assert main(["import", "--format", "ucdp", str(path)]) == 1
    assert "no column best" in capsys.readouterr().err
    assert exported(client, "dataset=ucdp-ged") == {}


def test_a_newer_release_updates_changed_rows_and_adds_new_ones(
    cli: Path, client: TestClient, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["import", "--format", "ucdp", str(UCDP)]) == 0
    header, rows = table(UCDP)
    at = {name: n for n, name in enumerate(header)}
    rows[0][at["best"]] = rows[0][at["high"]] = "4"  # 71663: UCDP revised its estimate
    added = list(rows[1])
    added[at["id"]] = "999999001"
    path = write(cli / "ged251.csv", header, [*rows, added])
    capsys.readouterr()
    assert main(["import", "--format", "ucdp", str(path)]) == 0
    assert "inserted 1, updated 1, unchanged 600, rejected 0" in capsys.readouterr().out
    records = exported(client, "dataset=ucdp-ged")
    revised = records["71663"]
    assert (revised["fatalities"]["value"], revised["version"], revised["release"]) == (
        4,
        2,
        "25.1",
    )
    assert records[rows[1][at["id"]]]["release"] == "24.1"  # unchanged: the release it came from
    history = client.get(f"/v1/events/{revised['id']}/history").json()["items"]
    assert {"op": "replace", "path": "/fatalities/value", "value": 4} in history[1]["patch"]


def test_bad_rows_are_reported_by_line_and_the_rest_stored(
    cli: Path, client: TestClient, capsys: pytest.CaptureFixture[str]
) -> None:
    header, rows = table(UCDP)
    at = {name: n for n, name in enumerate(header)}
    rows[3][at["type_of_violence"]] = "9"
    rows[5][at["date_start"]] = "yesterday"
    rows[7][at["best"]] = "-2"
    path = write(cli / "ged.csv", header, rows)
    assert main(["import", "--strict", "--format", "ucdp", str(path)]) == 1
    assert exported(client, "dataset=ucdp-ged") == {}  # --strict: nothing, if anything is wrong
    capsys.readouterr()
    assert main(["import", "--format", "ucdp", str(path)]) == 0
    out, err = capsys.readouterr()
    assert "inserted 598, updated 0, unchanged 0, rejected 3" in out
    assert "ged.csv:5: rejected: type_of_violence: '9' is not 1, 2 or 3" in err
    assert "ged.csv:7: rejected: date_start: 'yesterday' is not a date" in err
    assert "ged.csv:9: rejected: best: '-2' is not a whole number of zero or more" in err
    assert len(exported(client, "dataset=ucdp-ged")) == 598


def test_afghan_ucdp_rows_land_on_the_gazetteer(
    cli: Path, client: TestClient, capsys: pytest.CaptureFixture[str]
) -> None:
    header, rows = table(UCDP)
    at = {name: n for n, name in enumerate(header)}

    def afghan(event_id: str, adm_1: str, adm_2: str, side_b: str = "Taleban") -> list[str]:
        row = list(rows[0])
        values = {
            "id": event_id,
            "country": "Afghanistan",
            "iso3": "AFG",
            "country_id": "700",
            "adm_1": adm_1,
            "adm_2": adm_2,
            "side_a": "Government of Afghanistan",
            "side_b": side_b,
            "type_of_violence": "1",
        }
        for name, value in values.items():
            row[at[name]] = value
        return row

    path = write(
        cli / "ged.csv",
        header,
        [
            afghan("1", "Hilmand province", "Nahr-e Saraj district"),
            afghan("2", "Kandahar province", "Nowhere district"),
            afghan("3", "Atlantis province", ""),
        ],
    )
    assert main(["import", "--format", "ucdp", "--dataset", "afg", str(path)]) == 0
    out, _ = capsys.readouterr()
    # An unknown place costs nothing: kept as UCDP spelt it, with no code, and counted.
    assert "inserted 3, updated 0, unchanged 0, rejected 0" in out
    assert "unresolved 1 (kept as spelt, no code: 'Atlantis province' in AFG x1)" in out
    records = exported(client, "dataset=afg")
    assert (records["1"]["province_pcode"], records["1"]["district"]) == ("AF30", "Nahr-e-Saraj")
    assert records["1"]["province_as_given"] == "Hilmand province"
    assert (records["2"]["province"], records["2"]["province_pcode"]) == ("Kandahar", "AF27")
    assert (records["2"]["district"], records["2"]["district_pcode"]) == ("Nowhere district", None)
    assert (records["3"]["country"], records["3"]["province"]) == ("AFG", "Atlantis province")
    assert records["3"]["province_pcode"] is None
    # UCDP's "Taleban" is our Taliban, and a user may still ask for it by UCDP's name.
    assert records["1"]["actors"][1] == {"name": "Taliban", "role": "participant"}
    found = client.get("/v1/events?actor=Taleban&province=Hilmand&dataset=afg").json()["items"]
    assert [r["external_id"] for r in found] == ["1"]


def test_an_acled_export_keeps_its_types_and_maps_kinds_and_places(
    cli: Path, client: TestClient, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["import", "--format", "acled", str(ACLED)]) == 0
    out, _ = capsys.readouterr()
    assert "read 40, inserted 40, updated 0, unchanged 0, rejected 0" in out
    assert "unresolved 0" in out
    records = exported(client, "dataset=acled")
    _, rows = table(ACLED)
    for row in rows:  # every record keeps ACLED's own types
        record = records[row[0]]
        assert (record["source_event_type"], record["source_sub_event_type"]) == (row[5], row[6])
    kinds = {k: (r["kind"], r.get("milestone"), r.get("outcome")) for k, r in records.items()}
    assert kinds["AFG51842"] == ("offensive", None, "unknown")  # Battles / Armed clash
    assert kinds["AFG52107"] == ("offensive", None, "territory_taken")
    assert records["AFG51975"]["tactics"] == ["air_strike"]
    assert kinds["AFG53911"] == ("withdrawal_milestone", "base_handover", None)  # Bagram
    assert records["AFG53911"]["force"] == "United States Forces"
    assert records["AFG53911"]["facility"]
    assert kinds["AFG51690"] == ("withdrawal_milestone", "withdrawal_started", None)
    assert kinds["AFG55603"] == ("withdrawal_milestone", "withdrawal_completed", None)
    assert kinds["AFG55480"] == ("withdrawal_milestone", "deadline_agreed", None)
    # The Afghan army withdrawing is not a foreign force's withdrawal; protests are not modelled.
    assert kinds["AFG53960"][0] == kinds["AFG54495"][0] == kinds["AFG54310"][0] == "other"
    assert client.get("/v1/events?kind=other&dataset=acled&q=protest").json()["items"]
    # ACLED's spellings land on the gazetteer: every Afghan record has its province's p-code.
    afghan = [r for r in records.values() if r["country"] == "AFG"]
    assert len(afghan) == 39
    assert all(r["province_pcode"] for r in afghan)
    nimruz = next(r for r in afghan if r["external_id"] == "AFG54981")
    assert (nimruz["province"], nimruz["province_pcode"]) == ("Nimruz", "AF34")
    by_ocha_name = client.get("/v1/events?province=Nimroz&dataset=acled").json()["items"]
    assert [r["external_id"] for r in by_ocha_name] == ["AFG54981"]
    assert records["PAK83412"]["country"] == "PAK"
    assert records["AFG51842"]["fatalities"] == {
        "value": 14,
        "qualifier": "at_least",  # ACLED codes the most conservative figure
        "claimed_by": "ACLED",
        "low": None,
        "high": None,
        "alternatives": [],
    }
    assert records["AFG51842"]["sources"][-1]["quote"] == records["AFG51842"]["summary"]


def test_an_acled_update_changes_three_rows_and_adds_two(
    cli: Path, client: TestClient, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["import", "--format", "acled", str(ACLED)]) == 0
    assert main(["import", "--format", "acled", "--release", "2021-09-30", str(ACLED_UPDATE)]) == 0
    assert "read 7, inserted 2, updated 3, unchanged 2, rejected 0" in capsys.readouterr().out
    records = exported(client, "dataset=acled")
    assert len(records) == 42
    assert records["AFG51842"]["fatalities"]["value"] == 21
    assert records["AFG53506"]["outcome"] == "territory_taken"  # now "Government regains"
    assert records["AFG53911"]["version"] == 1


def csv_bytes(path: Path, change: Any = None) -> bytes:
    header, rows = table(path)
    if change:
        change(header, rows)
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue().encode()


def test_the_bulk_endpoint_takes_the_same_files(client: TestClient) -> None:
    csv_headers = WRITE | {"Content-Type": "text/csv"}

    def post(body: bytes, query: str = "format=acled") -> httpx2.Response:
        return client.post(f"/v1/events/bulk?{query}", content=body, headers=csv_headers)

    response = post(csv_bytes(ACLED))
    assert response.status_code == 200, response.text
    assert (response.json()["inserted"], response.json()["unchanged"]) == (40, 0)
    assert post(csv_bytes(ACLED)).json()["unchanged"] == 40

    def break_a_date(header: list[str], rows: list[list[str]]) -> None:
        rows[2][header.index("event_date")] = "soon"

    before = client.get("/v1/stats?dataset=ucdp-ged").json()["total"]["events"]
    response = post(
        csv_bytes(UCDP, lambda h, r: r[2].__setitem__(h.index("date_start"), "x")), "format=ucdp"
    )
    assert response.status_code == 422
    assert response.json()["errors"] == [
        {"in": "body", "pointer": "/2", "detail": "line 4: date_start: 'x' is not a date"}
    ]
    assert client.get("/v1/stats?dataset=ucdp-ged").json()["total"]["events"] == before == 0
    response = post(csv_bytes(ACLED, break_a_date))
    assert response.status_code == 422
    assert response.json()["errors"][0]["pointer"] == "/2"
    response = post(b"id,best\n1,2\n", "format=ucdp")
    assert response.status_code == 422
    assert "no column date_start" in response.json()["errors"][0]["detail"]
    response = post(csv_bytes(UCDP), "format=ucdp&dataset=ged-via-api&release=24.1")
    assert response.json()["inserted"] == 601
    assert exported(client, "dataset=ged-via-api")["71663"]["release"] == "24.1"
