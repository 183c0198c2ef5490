"""Lossless imports: a bad value in a secondary field costs that value, never the event; ACLED's
base handovers by a foreign force; a newer release reports (and with --prune deletes) the records
it no longer has, within its own countries and years."""

from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from pydantic import TypeAdapter

from app.events.schemas import EventIn, EventInModel
from app.ops.cli import main
from app.sources.tabular import Unusable, settle
from tests.test_sources import ACLED, UCDP, exported, table, write

_adapter: TypeAdapter[EventInModel] = TypeAdapter(EventIn)


def test_import_ucdp_bad_secondary_values_are_left_out_and_the_events_stored(
    cli: Path, client: TestClient, capsys: pytest.CaptureFixture[str]
) -> None:
    # Real UCDP GED 24.1 rows (Bangladesh), each given one quirk of real releases; 1753-01-01 is
    # what UCDP writes for an unknown source date (SQL Server's first day).
    header, rows = table(UCDP)
    at = {name: n for n, name in enumerate(header)}

    def quirk(n: int, **values: str) -> str:
        for name, value in values.items():
            rows[n][at[name]] = value
        return rows[n][at["id"]]

    placeholder = quirk(0, source_date="1753-01-01")  # 71663: line 2 (rows[n]: line n + 2)
    listed = quirk(10, source_office="BBC Monitoring", source_date="1753-01-01;2013-12-16")
    far_north = quirk(2, latitude="95.2")  # out of range: left out by validation
    backwards = quirk(3, date_end="1990-01-01")
    no_low = quirk(4, low="n/a")
    no_deaths_a = quirk(5, deaths_a="?")
    null_island = quirk(6, latitude="0", longitude="0")
    no_end = quirk(7, date_end="unknown")
    quirk(8, best="many")  # the event's own count: the row is rejected
    quirk(9, date_start="")  # no date: the row is rejected
    path = write(cli / "ged.csv", header, rows)
    assert main(["import", "--format", "ucdp", str(path)]) == 0
    out, err = capsys.readouterr()
    assert "read 601, inserted 599, updated 0, unchanged 0, rejected 2" in out
    assert "ged.csv:2: note: source_date 1753-01-01 left out" in err
    assert "ged.csv:4: note: /latitude: 95.2 left out, with longitude and geo_precision" in err
    assert "ged.csv:5: note: date_end 1990-01-01 before date_start" in err
    assert "ged.csv:6: note: low: 'n/a' is not a number: left out" in err
    assert "ged.csv:8: note: latitude, longitude: 0, 0 left out" in err
    assert "ged.csv:10: rejected: best: 'many' is not a number" in err
    assert "ged.csv:11: rejected: date_start: empty" in err

    records = exported(client, "dataset=ucdp-ged")
    assert len(records) == 599
    first = records[placeholder]  # stored whole, but for the source's date
    assert (first["date"], first["fatalities"]["value"]) == ("2013-12-13", 1)
    assert first["sources"][0]["publisher"] == "BBC Monitoring Newsfile"
    assert first["sources"][0]["published_on"] is None
    assert records[listed]["sources"][0]["published_on"] == "2013-12-16"
    for event_id in (far_north, null_island):
        assert records[event_id]["geo_precision"] != "exact"  # not the record's own point
        assert records[event_id]["geo_source"] != "record"
    assert records[backwards]["end_date"] is None
    assert records[no_end]["end_date"] is None
    assert records[no_low]["fatalities"]["low"] is None
    assert "side A" not in records[no_deaths_a]["summary"]


def test_settle_leaves_out_what_fails_but_never_what_the_event_needs() -> None:
    def offensive(**changes: Any) -> dict[str, Any]:
        return {
            "kind": "offensive",
            "date": "2021-07-02",
            "country": "AFG",
            "summary": "Fighting.",
            "actors": [{"name": "", "role": "initiator"}, {"name": "Taliban", "role": "target"}],
            "fatalities": {"value": 3, "low": 5},
            "sources": [{"publisher": "UCDP", "published_on": "1753-01-01"}],
            "dataset": "d",
            "external_id": "1",
        } | changes

    record, notes = settle(offensive(), _adapter.validate_python, frozenset())
    assert [a.name for a in record.actors] == ["Taliban"]  # the nameless actor goes whole
    assert record.fatalities is None  # a range that does not hold its value
    assert record.sources[0].published_on is None
    assert len(notes) == 3
    assert any(n.startswith("/sources/0/published_on: '1753-01-01' left out") for n in notes)
    # What the event needs rejects the row, with the first reason: a required field, a field
    # the source calls essential, a list left too short.
    with pytest.raises(Unusable, match=r"^/date: "):
        settle(offensive(date="1753-01-01"), _adapter.validate_python, frozenset())
    with pytest.raises(Unusable, match=r"^/fatalities: "):
        settle(offensive(), _adapter.validate_python, frozenset({"fatalities"}))
    with pytest.raises(Unusable, match=r"^/sources/0/publisher: "):
        settle(offensive(sources=[{"publisher": ""}]), _adapter.validate_python, frozenset())


# ACLED rows written to ACLED's codebook (not ACLED's data: its terms forbid passing rows on).
# A Non-violent transfer of territory names the actor taking the place as actor1 or actor2.
HANDOVERS = [
    # (event_id_cnty, sub_event_type, actor1, actor2, location, notes)
    (
        "AFG90001",
        "Non-violent transfer of territory",
        "Military Forces of Afghanistan (2004-2021)",
        "Military Forces of the United States (2021-)",
        "Bagram Airfield",
        "On 2 July 2021, Afghan forces took control of Bagram airbase after US forces left it "
        "overnight.",
    ),
    (
        "AFG90002",
        "Non-violent transfer of territory",
        "NATO: North Atlantic Treaty Organization",
        "Military Forces of Afghanistan (2004-2021)",
        "Camp Shorab",
        "On 29 April 2021, NATO troops transferred Camp Shorab to the ANDSF.",
    ),
    (
        "AFG90003",
        "Other",
        "Military Forces of Germany",
        "Military Forces of Afghanistan (2004-2021)",
        "Mazar-e-Sharif",
        "On 29 June 2021, German forces handed Camp Marmal over to the Afghan army.",
    ),
    (  # the national army leaving to the Taliban: no foreign force
        "AFG90004",
        "Non-violent transfer of territory",
        "Taliban",
        "Military Forces of Afghanistan (2004-2021)",
        "Khwahan",
        "On 4 July 2021, Afghan army forces withdrew from Khwahan district centre.",
    ),
    (  # the Taliban's own government's forces are not foreign
        "AFG90005",
        "Non-violent transfer of territory",
        "Military Forces of the Islamic Emirate of Afghanistan",
        "Taliban",
        "Kabul",
        "On 1 September 2021, Taliban units handed over a checkpoint to the new army.",
    ),
]


def test_import_acled_foreign_transfers_become_base_handovers(
    cli: Path, client: TestClient, capsys: pytest.CaptureFixture[str]
) -> None:
    header, rows = table(ACLED)
    at = {name: n for n, name in enumerate(header)}
    template = next(row for row in rows if row[at["event_id_cnty"]] == "AFG53911")
    written = []
    for event_id, sub_type, actor1, actor2, location, notes in HANDOVERS:
        row = list(template)
        for name, value in {
            "event_id_cnty": event_id,
            "sub_event_type": sub_type,
            "actor1": actor1,
            "actor2": actor2,
            "location": location,
            "notes": notes,
        }.items():
            row[at[name]] = value
        written.append(row)
    quirky = list(template)  # secondary values that are not valid: left out, the event kept
    quirky[at["event_id_cnty"]] = "AFG90006"
    quirky[at["fatalities"]] = "unknown"
    quirky[at["latitude"]] = "n/a"
    quirky[at["admin1"]] = "Atlantis"
    written.append(quirky)
    path = write(cli / "acled.csv", header, written)
    assert main(["import", "--format", "acled", str(path)]) == 0
    out, err = capsys.readouterr()
    assert "read 6, inserted 6, updated 0, unchanged 0, rejected 0" in out
    assert "acled.csv:7: note: fatalities: 'unknown' is not a number: left out" in err
    # An unknown province costs nothing: kept as spelt, counted, and its district places it.
    assert "provinces resolved by name 6, by coordinates 0, unresolved 0" in out
    records = exported(client, "dataset=acled")

    def milestone(event_id: str) -> tuple[Any, ...]:
        r = records[event_id]
        return r["kind"], r.get("milestone"), r.get("force"), r.get("handed_to")

    ours = "Afghan National Defense and Security Forces"
    assert milestone("AFG90001") == (
        "withdrawal_milestone",
        "base_handover",
        "United States Forces",
        ours,
    )
    assert records["AFG90001"]["facility"] == "Bagram Airfield"
    assert milestone("AFG90002")[1:] == (
        "base_handover",
        "NATO: North Atlantic Treaty Organization",
        ours,
    )
    assert milestone("AFG90003")[:3] == (
        "withdrawal_milestone",
        "base_handover",
        "Military Forces of Germany",
    )
    assert milestone("AFG90004")[0] == milestone("AFG90005")[0] == "other"
    for event_id, sub_type, *_ in HANDOVERS:  # ACLED's own types are kept
        assert records[event_id]["source_event_type"] == "Strategic developments"
        assert records[event_id]["source_sub_event_type"] == sub_type
    quirks = records["AFG90006"]
    assert (quirks["kind"], quirks["fatalities"], quirks["geo_source"]) == (
        "withdrawal_milestone",
        None,
        "gazetteer",  # its own point left out: its province's centre
    )
    assert quirks["province"] == "Parwan"  # its district's, Bagram's


def test_import_newer_release_reports_gone_records_and_prune_deletes_only_those(
    cli: Path, client: TestClient, capsys: pytest.CaptureFixture[str]
) -> None:
    header, rows = table(UCDP)
    at = {name: n for n, name in enumerate(header)}
    elsewhere = list(rows[0])  # a record of the same dataset in another country and year
    for name, value in {
        "id": "999000",
        "country": "India",
        "iso3": "IND",
        "country_id": "750",
        "adm_1": "",
        "adm_2": "",
        "year": "2022",
        "date_start": "2022-05-01",
        "date_end": "2022-05-01",
    }.items():
        elsewhere[at[name]] = value
    first = write(cli / "ged241.csv", header, [*rows, elsewhere])
    assert main(["import", "--format", "ucdp", str(first)]) == 0
    assert main(["import", "--format", "ucdp", "--dataset", "other", str(first)]) == 0
    removed = rows.pop(10)[at["id"]]
    rows[0][at["best"]] = rows[0][at["high"]] = "4"
    added = list(rows[1])
    added[at["id"]] = "999001"
    newer = write(cli / "ged251.csv", header, [*rows, added])
    capsys.readouterr()

    assert main(["import", "--format", "ucdp", str(newer)]) == 0
    out = capsys.readouterr().out
    assert "read 601, inserted 1, updated 1, unchanged 599, rejected 0" in out
    records = exported(client, "dataset=ucdp-ged")
    gone_id = records[removed]["id"]
    assert "1 gone: stored records of dataset ucdp-ged" in out
    assert f"{gone_id} ({removed}); kept; --prune deletes them" in out
    assert client.get(f"/v1/events/{gone_id}").status_code == 200  # reported, not deleted

    assert main(["import", "--format", "ucdp", "--prune", str(newer)]) == 0
    out = capsys.readouterr().out
    assert "inserted 0, updated 0, unchanged 601" in out
    assert "1 gone: " in out
    assert "deleted (--prune)" in out
    assert client.get(f"/v1/events/{gone_id}").status_code == 410
    history = client.get(f"/v1/events/{gone_id}/history").json()["items"]
    assert (history[-1]["action"], history[-1]["changed_by"]) == ("delete", "import")
    left = exported(client, "dataset=ucdp-ged")
    assert removed not in left
    assert "999000" in left  # outside the file's countries and years
    assert len(exported(client, "dataset=other")) == 602  # another dataset
    assert main(["import", "--format", "ucdp", "--prune", str(newer)]) == 0
    assert "gone" not in capsys.readouterr().out
