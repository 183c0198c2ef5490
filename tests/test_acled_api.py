"""/api/acled/read and /api/deleted/read, driven the way ACLED's clients call ACLED's API."""

import csv
import io
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from app.main import create_app
from app.ops.cli import main
from tests.conftest import READ_KEY, WRITE, make_settings

ACLED = Path(__file__).parent / "fixtures" / "acled-afg-2021.csv"
# The request an R or Python script written for ACLED's API sends (acledR, the `acled` package).
CLIENT_QUERY = (
    "/api/acled/read?event_date=2021-05-01%7C2021-05-31&event_date_where=BETWEEN"
    "&country=Afghanistan&admin1=Helmand&limit=500&page=1&_format=json"
)


@pytest.fixture
def loaded(cli: Path, client: TestClient) -> TestClient:
    """The seeds (our own records) and the ACLED fixture (an ACLED import)."""
    assert main(["import", "--format", "acled", str(ACLED)]) == 0
    return client


def acled_rows() -> dict[str, dict[str, str]]:
    with ACLED.open(encoding="utf-8", newline="") as f:
        return {row["event_id_cnty"]: row for row in csv.DictReader(f)}


def read(client: TestClient, query: str) -> dict[str, Any]:
    response = client.get(f"/api/acled/read?{query}")
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    assert (body["status"], body["success"]) == (200, True)
    assert body["count"] == len(body["data"]) or "with_total=true" in query
    return body


def test_a_client_query_gets_acleds_envelope_and_rows_field_by_field(loaded: TestClient) -> None:
    response = loaded.get(CLIENT_QUERY)
    assert response.status_code == 200
    body = response.json()
    source = acled_rows()
    expected = sorted(
        (
            r
            for r in source.values()
            if r["admin1"] == "Helmand" and r["event_date"][:7] == "2021-05"
        ),
        key=lambda r: r["event_date"],
        reverse=True,
    )
    # Our own seed records from Helmand in May 2021 answer too, with ids made as ACLED's are.
    ours = [row for row in body["data"] if row["event_id_cnty"] not in source]
    assert ours
    assert all(row["event_id_cnty"].startswith("AFG") for row in ours)
    theirs = [row for row in body["data"] if row["event_id_cnty"] in source]
    assert [r["event_id_cnty"] for r in theirs] == [r["event_id_cnty"] for r in expected]
    assert body["count"] == len(body["data"])
    dates = [row["event_date"] for row in body["data"]]
    assert dates == sorted(dates, reverse=True)  # ACLED's order: newest first
    row, given = theirs[-1], expected[-1]  # AFG51842: a battle near Lashkar Gah
    assert list(row) == list(given)  # ACLED's columns, in ACLED's order
    for column in ("event_id_cnty", "event_date", "event_type", "sub_event_type", "actor1",
                   "actor2", "country", "admin1", "notes", "region"):  # fmt: skip
        assert row[column] == given[column], column
    assert row["year"] == 2021
    assert row["iso"] == 4  # numeric ISO 3166, as ACLED gives it
    assert (row["fatalities"], row["time_precision"], row["geo_precision"]) == (
        int(given["fatalities"]),
        int(given["time_precision"]),
        int(given["geo_precision"]),
    )
    assert (row["latitude"], row["longitude"]) == (
        float(given["latitude"]),
        float(given["longitude"]),
    )
    assert row["source"] == given["source"]
    assert row["timestamp"] > 1_600_000_000
    assert row["disorder_type"] == given["disorder_type"]


def test_our_own_records_are_given_acleds_types(loaded: TestClient) -> None:
    rows = read(loaded, "event_id_cnty=AFG&limit=0")["data"]
    ours = [r for r in rows if r["event_id_cnty"] not in acled_rows()]
    kinds = {(r["event_type"], r["sub_event_type"]) for r in ours}
    assert ("Strategic developments", "Non-violent transfer of territory") in kinds  # handovers
    assert any(t == "Battles" or t == "Explosions/Remote violence" for t, _ in kinds)
    seed = next(r for r in ours if r["event_type"] == "Battles")
    record = loaded.get(f"/v1/events/{seed['event_id_cnty'][3:]}").json()
    assert seed["notes"] == record["summary"]
    assert seed["admin1"] == record["province"]


def test_filters_follow_acleds_operators(loaded: TestClient) -> None:
    def ids(query: str) -> set[str]:
        return {r["event_id_cnty"] for r in read(loaded, query + "&limit=0")["data"]}

    source = acled_rows()
    # Text columns: LIKE by default, case-insensitive, part of the text.
    assert ids("actor1=islamic state") == {
        k for k, r in source.items() if "islamic state" in r["actor1"].lower()
    }
    # `=` when asked, and several values as a|b.
    assert ids("event_type=Protests|Riots&event_type_where=%3D") == {
        k for k, r in source.items() if r["event_type"] in ("Protests", "Riots")
    }
    # Numbers compare as numbers.
    assert ids("fatalities=10&fatalities_where=%3E") >= {
        k for k, r in source.items() if int(r["fatalities"]) > 10
    }
    assert all(
        r["fatalities"] > 10
        for r in read(loaded, "fatalities=10&fatalities_where=%3E&limit=0")["data"]
    )
    assert ids("iso=586") == {"PAK83412"}
    assert ids("iso3=PAK") == {"PAK83412"}
    assert ids("country=Pakistan") == {"PAK83412"}
    assert ids("event_date=2021-08-30") >= {"AFG55603"}
    assert ids("event_date=2021-08-29&event_date_where=%3E%3D&event_type=Strategic") >= {"AFG55603"}
    assert ids("admin1=Nimruz") == {"AFG54981"}
    assert ids("admin1=Nimroz") == set()  # ACLED's spelling is Nimruz, and ACLED says so
    assert not ids("year=2020") & set(source)  # the fixture is all 2021


def test_pages_limits_fields_totals_and_csv(loaded: TestClient) -> None:
    everything = read(loaded, "limit=0")["data"]
    assert len(everything) > 40
    first = read(loaded, "limit=7&page=1")
    second = read(loaded, "limit=7&page=2")
    assert [r["event_id_cnty"] for r in first["data"] + second["data"]] == [
        r["event_id_cnty"] for r in everything[:14]
    ]
    total = read(loaded, "limit=7&with_total=true")
    assert (total["count"], len(total["data"])) == (len(everything), 7)
    assert read(loaded, "limit=3&fields=event_id_cnty|fatalities")["data"][0].keys() == {
        "event_id_cnty",
        "fatalities",
    }
    assert len(read(loaded, "page=1")["data"]) == len(everything)  # default limit 5000
    response = loaded.get("/api/acled/read?_format=csv&limit=0&fields=event_id_cnty|admin1|notes")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert [r["event_id_cnty"] for r in rows] == [r["event_id_cnty"] for r in everything]
    assert rows[0].keys() == {"event_id_cnty", "admin1", "notes"}


def test_timestamps_give_what_changed_since_a_sync(loaded: TestClient) -> None:
    rows = read(loaded, "limit=0&fields=event_id_cnty|timestamp")["data"]
    last_sync = max(r["timestamp"] for r in rows) + 1
    assert read(loaded, f"timestamp={last_sync}&timestamp_where=%3E%3D")["data"] == []
    target = loaded.get("/v1/events?dataset=acled&limit=1").json()["items"][0]
    etag = loaded.get(f"/v1/events/{target['id']}").headers["ETag"]
    patched = loaded.patch(
        f"/v1/events/{target['id']}",
        json={"summary": "Revised after the fact."},
        headers=WRITE | {"If-Match": etag, "Content-Type": "application/merge-patch+json"},
    )
    assert patched.status_code == 200
    changed = read(loaded, f"timestamp={last_sync - 1}&timestamp_where=%3E%3D")["data"]
    assert target["external_id"] in {r["event_id_cnty"] for r in changed}


def test_deleted_records_are_listed_for_mirrors(loaded: TestClient) -> None:
    target = loaded.get("/v1/events?dataset=acled&limit=1").json()["items"][0]
    etag = loaded.get(f"/v1/events/{target['id']}").headers["ETag"]
    assert (
        loaded.delete(f"/v1/events/{target['id']}", headers=WRITE | {"If-Match": etag}).status_code
        == 204
    )
    body = loaded.get("/api/deleted/read?deleted_timestamp=0&deleted_timestamp_where=%3E%3D").json()
    assert body["success"] is True
    assert [r["event_id_cnty"] for r in body["data"]] == [target["external_id"]]
    assert isinstance(body["data"][0]["deleted_timestamp"], int)
    later = body["data"][0]["deleted_timestamp"] + 1
    assert (
        loaded.get(
            f"/api/deleted/read?deleted_timestamp={later}&deleted_timestamp_where=%3E%3D"
        ).json()["data"]
        == []
    )
    assert target["external_id"] not in {
        r["event_id_cnty"] for r in read(loaded, "limit=0")["data"]
    }


@pytest.mark.parametrize(
    ("query", "parameter"),
    [
        ("event_date=2021-13-01", "event_date"),
        ("event_date=2021-05-01&event_date_where=BETWEEN", "event_date"),
        ("event_date=2021-05-01&event_date_where=NEAR", "event_date_where"),
        ("fatalities=many", "fatalities"),
        ("limit=-1", "limit"),
        ("page=0", "page"),
        ("fields=event_id_cnty|colour", "fields"),
        ("_format=xml", "_format"),
        ("provice=Helmand", "provice"),
        ("country=Afghanistan:OR:Pakistan", "country"),  # :OR: takes column=value
        ("country=Afghanistan:OR:colour=red", "country"),
        ("export_type=triadic", "export_type"),
        ("population=full", "population"),  # no population data here
        ("inter_num=2", "inter_num"),
        ("maritime_pairs=true", "maritime_pairs"),
    ],
)
def test_bad_requests_get_acleds_error_shape(
    loaded: TestClient, query: str, parameter: str
) -> None:
    response = loaded.get(f"/api/acled/read?{query}")
    assert response.status_code == 400
    body = response.json()
    assert body["success"] is False
    assert body["error"]["parameter"] == parameter
    assert body["error"]["message"]


def test_legacy_keys_are_ignored_unless_reads_need_a_key(
    loaded: TestClient, database_url: str, tmp_path: Path
) -> None:
    assert read(loaded, "key=old-acled-key&email=me@example.org&limit=1")["data"]
    settings = make_settings(database_url, tmp_path, read_requires_key=True, auto_seed=False)
    with TestClient(create_app(settings)) as closed:
        refused = closed.get("/api/acled/read?limit=1&key=old-acled-key&email=me@example.org")
        assert refused.status_code == 401
        assert refused.json()["success"] is False
        assert closed.get("/api/acled/read?limit=1").status_code == 401
        assert closed.get(f"/api/acled/read?limit=1&key={READ_KEY}").json()["success"] is True
        assert closed.get(f"/api/deleted/read?key={READ_KEY}").status_code == 200


def test_or_has_its_pre_2025_meaning(loaded: TestClient) -> None:
    def ids(query: str) -> set[str]:
        return {r["event_id_cnty"] for r in read(loaded, query + "&limit=0")["data"]}

    # `country=Afghanistan:OR:country=Pakistan` arrives as one parameter, `country`.
    both = ids("country=Afghanistan:OR:country=Pakistan")
    assert both == ids("country=Afghanistan|Pakistan") == ids("country=Afghanistan") | {"PAK83412"}
    assert ids("country=Pakistan:OR:country=Nowhere") == {"PAK83412"}
    # Across columns: a row matching either; other filters still all apply.
    either = ids("actor1=Taliban:OR:actor2=Taliban")
    assert either == ids("actor1=Taliban") | ids("actor2=Taliban")
    assert either > ids("actor1=Taliban")
    assert ids("actor1=Taliban:OR:actor2=Taliban&admin1=Nimruz") == either & ids("admin1=Nimruz")
    # `<column>_where` applies to the column in any alternative.
    assert ids("country=Pakistan:OR:fatalities=10&fatalities_where=%3E") == ids("iso=586") | ids(
        "fatalities=10&fatalities_where=%3E"
    )


def test_monadic_exports_give_one_row_per_actor(loaded: TestClient) -> None:
    dyadic = read(loaded, "limit=0")["data"]
    assert read(loaded, "limit=0&export_type=dyadic")["data"] == dyadic
    monadic = read(loaded, "limit=0&export_type=monadic")["data"]
    assert len(monadic) == len(dyadic) + sum(1 for r in dyadic if r["actor2"])
    assert all(r["actor2"] == "" and r["assoc_actor_2"] == "" for r in monadic)
    two = next(r for r in dyadic if r["actor2"])
    rows = [r for r in monadic if r["event_id_cnty"] == two["event_id_cnty"]]
    assert [r["actor1"] for r in rows] == [two["actor1"], two["actor2"]]
    assert rows[1] | {"actor1": two["actor1"], "assoc_actor_1": two["assoc_actor_1"]} == (
        two | {"actor2": "", "assoc_actor_2": ""}
    )
    # Filters see the monadic rows: an actor on either side is actor1.
    taliban = read(loaded, "limit=0&export_type=monadic&actor1=Taliban")["data"]
    assert {r["event_id_cnty"] for r in taliban} == {
        r["event_id_cnty"] for r in dyadic if "taliban" in (r["actor1"] + r["actor2"]).lower()
    }
    counted = read(loaded, "limit=2&export_type=monadic&with_total=true")
    assert counted["count"] == len(monadic)


def test_options_that_change_nothing_here_are_accepted(loaded: TestClient) -> None:
    plain = read(loaded, "limit=0")["data"]
    for query in ["terms=accept", "inter_num=1", "inter_num=0", "population=none",
                  "maritime_pairs=false"]:  # fmt: skip
        assert read(loaded, f"limit=0&{query}")["data"] == plain, query
