"""GET /api/gedevents/<version>, driven the way scripts written for UCDP's API call it."""

import csv
import json
import math
import urllib.request
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine

from app.core import time_limit
from app.core.database import make_engine
from app.core.settings import Settings
from app.main import create_app
from app.ops.importer import import_file, reader_for
from app.ucdp.rows import OWN_ID_OFFSET
from tests.conftest import READ_KEY, LiveServer, make_settings

UCDP = Path(__file__).parent / "fixtures" / "ucdp-ged-241-bgd-sample.csv"
BANGLADESH, AFGHANISTAN = 771, 700


def import_sample(engine: Engine) -> None:
    report = import_file(engine=engine, path=UCDP, reader=reader_for(UCDP, "ucdp"))
    assert report.rejected == []
    assert report.inserted == len(ged_rows())


def ged_rows() -> dict[int, dict[str, str]]:
    with UCDP.open(encoding="utf-8", newline="") as f:
        rows = [r for r in csv.DictReader(f) if not r["id"].startswith("#") and r["id"]]
    return {int(r["id"]): r for r in rows}


@pytest.fixture
def loaded(client: TestClient, settings: Settings) -> TestClient:
    """The seeds (our own records) and the UCDP sample (a GED import)."""
    engine = make_engine(settings)
    try:
        import_sample(engine)
    finally:
        engine.dispose()
    return client


def get(client: TestClient, query: str, **headers: str) -> dict[str, Any]:
    response = client.get(f"/api/gedevents/24.1?{query}", headers=headers)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    assert set(body) == {"TotalCount", "TotalPages", "PreviousPageUrl", "NextPageUrl", "Result"}
    return body


def ids(client: TestClient, query: str) -> set[int]:
    body = get(client, f"pagesize=1000&{query}")
    assert body["NextPageUrl"] == ""
    assert body["TotalCount"] == len(body["Result"])
    return {row["id"] for row in body["Result"]}


def our_records(client: TestClient) -> list[dict[str, Any]]:
    items = client.get("/v1/events?limit=1000").json()["items"]
    return [i for i in items if i.get("dataset") != "ucdp-ged"]


def _number(text: str) -> int | None:
    return int(text) if text != "" else None


def test_imported_ged_rows_come_back_with_their_ids_and_values(loaded: TestClient) -> None:
    body = get(loaded, f"pagesize=1000&Country={BANGLADESH}")
    source = ged_rows()
    assert body["TotalCount"] == len(source) == len(body["Result"])
    assert body["TotalPages"] == 1
    assert body["NextPageUrl"] == body["PreviousPageUrl"] == ""
    answered = {row["id"]: row for row in body["Result"]}
    assert set(answered) == set(source)  # GED's own ids, not ours
    for event_id, given in source.items():
        row = answered[event_id]
        best, low, high = int(given["best"]), int(given["low"]), int(given["high"])
        assert (row["best"], row["type_of_violence"], row["year"]) == (
            best,
            int(given["type_of_violence"]),
            int(given["year"]),
        ), event_id
        # A side of the range that does not hold best was dropped at import (a note): null.
        assert row["low"] == (low if low <= best else None), event_id
        assert row["high"] == (high if high >= best else None), event_id
        assert row["date_start"] == given["date_start"][:10] + "T00:00:00"
        assert row["date_end"] == given["date_end"][:10] + "T00:00:00"
        assert row["date_prec"] == int(given["date_prec"]), event_id
        assert (row["adm_1"], row["adm_2"]) == (given["adm_1"] or None, given["adm_2"] or None)
        assert (row["latitude"], row["longitude"]) == (
            float(given["latitude"]),
            float(given["longitude"]),
        )
        assert row["priogrid_gid"] == int(given["priogrid_gid"]), event_id
        assert (row["side_a"], row["side_b"]) == (given["side_a"], given["side_b"])
        assert row["where_coordinates"] == (given["where_coordinates"] or None)
        assert (row["country"], row["country_id"], row["region"]) == ("Bangladesh", 771, "Asia")
        for column in ("deaths_a", "deaths_b", "deaths_civilians", "deaths_unknown"):
            assert row[column] == _number(given[column]), (event_id, column)
        for column in ("source_office", "source_headline"):  # clipped at import if long
            kept, whole = row[column], given[column].strip() or None
            assert kept == whole or (kept.endswith("…") and (whole or "").startswith(kept[:-1])), (
                column
            )
        # International waters (7), and a part of the country without a province (5), are
        # kept as "the country" and come back as 6 (app/ucdp/README.md).
        lossy = given["where_prec"] == "7" or (given["where_prec"] == "5" and not given["adm_1"])
        assert row["where_prec"] == (6 if lossy else int(given["where_prec"])), event_id
    # Every column of GED's API, in its order, with its types.
    first = body["Result"][0]
    assert list(first)[:6] == ["id", "relid", "year", "active_year", "code_status",
                                "type_of_violence"]  # fmt: skip
    assert list(first)[-5:] == ["best", "high", "low", "gwnoa", "gwnob"]
    assert all(isinstance(row["best"], int) for row in body["Result"])


def test_our_own_records_come_back_mapped(loaded: TestClient) -> None:
    ours = our_records(loaded)
    assert ours
    rows = {r["id"]: r for r in get(loaded, f"pagesize=1000&Country={AFGHANISTAN}")["Result"]}
    assert set(rows) == {OWN_ID_OFFSET + r["id"] for r in ours}
    for record in ours:
        row = rows[OWN_ID_OFFSET + record["id"]]
        assert row["date_start"] == record["date"] + "T00:00:00"
        assert row["date_end"] == (record["end_date"] or record["date"]) + "T00:00:00"
        assert row["adm_1"] == record["province"]
        assert (row["country"], row["country_id"], row["region"]) == ("Afghanistan", 700, "Asia")
        figure = record["fatalities"]
        assert row["best"] == (figure["value"] if figure else None)
        if record["kind"] == "offensive":
            assert row["type_of_violence"] in (1, 2, 3)
        else:  # not organised violence in UCDP's sense
            assert row["type_of_violence"] is None
    # UCDP's names for our actors: the Taliban are UCDP's "Taleban".
    named = {row["side_a"] for row in rows.values()} | {row["side_b"] for row in rows.values()}
    assert "Taleban" in named
    assert "Taliban" not in named
    # Taliban against the Afghan forces: state-based violence.
    battle = next(
        row
        for row in rows.values()
        if row["side_a"] == "Taleban" and "Afghan National" in (row["side_b"] or "")
    )
    assert battle["type_of_violence"] == 1


def test_filters_answer_as_ucdps_do(loaded: TestClient) -> None:
    source = ged_rows()
    ours = {OWN_ID_OFFSET + r["id"] for r in our_records(loaded)}
    assert ids(loaded, f"Country={BANGLADESH}") == set(source)
    assert ids(loaded, f"Country={AFGHANISTAN}") == ours
    assert ids(loaded, f"Country={AFGHANISTAN},{BANGLADESH}") == set(source) | ours
    assert ids(loaded, "Country=2") == set()  # the United States: none here
    assert ids(loaded, "StartDate=2013-01-01&EndDate=2013-12-31") >= {
        i for i, r in source.items() if r["date_start"][:4] == r["date_end"][:4] == "2013"
    }
    expected = {
        i
        for i, r in source.items()
        if r["date_start"][:10] >= "2013-01-01" and r["date_end"][:10] <= "2013-12-31"
    }
    assert expected
    assert ids(loaded, "Country=771&StartDate=2013-01-01&EndDate=2013-12-31") == (expected)
    one_sided = {i for i, r in source.items() if r["type_of_violence"] == "3"}
    assert one_sided
    assert ids(loaded, "Country=771&TypeOfViolence=3") == one_sided
    assert ids(loaded, "Country=771&TypeOfViolence=1,2") == set(source) - one_sided
    assert ids(loaded, "Id=71663,73855") == {71663, 73855}
    first_own = min(ours)
    assert ids(loaded, f"Id={first_own}") == {first_own}
    north = {i for i, r in source.items() if float(r["latitude"]) >= 24}
    assert north
    assert ids(loaded, "Geography=24 85,27 93") == north
    # Names are read case-insensitively, as UCDP's server does.
    assert ids(loaded, "country=771&typeofviolence=3") == one_sided


@pytest.mark.parametrize(
    ("query", "named"),
    [
        ("Countri=700", "Countri"),  # misspelt: never silently everything
        ("Dyad=406", "Dyad"),  # UCDP's ids we do not keep
        ("Actor=116", "Actor"),
        ("Conflict=333", "Conflict"),
        ("Key=abc", "Key"),
        ("pagesize=1001", "pagesize"),
        ("pagesize=0", "pagesize"),
        ("page=-1", "page"),
        ("page=x", "page"),
        ("Country=Afghanistan", "Country"),
        ("StartDate=2021-13-01", "StartDate"),
        ("TypeOfViolence=4", "TypeOfViolence"),
        ("Geography=1 2 3", "Geography"),
    ],
)
def test_what_cannot_be_answered_is_a_400_naming_it(
    client: TestClient, query: str, named: str
) -> None:
    response = client.get(f"/api/gedevents/25.1?{query}")
    assert response.status_code == 400, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    assert [e["name"] for e in response.json()["errors"]] == [named]


def test_the_version_does_not_filter(loaded: TestClient) -> None:
    everything = len(ged_rows()) + len(our_records(loaded))
    for version in ("24.1", "25.1", "25.0.7", "19.1"):
        response = loaded.get(f"/api/gedevents/{version}?pagesize=1")
        assert response.status_code == 200
        assert response.json()["TotalCount"] == everything


def ucdp_script(base: str, token: str | None = None) -> tuple[list[dict[str, Any]], list[Any]]:
    """A script as UCDP's documentation has one write it: ask for page 0, then follow
    NextPageUrl until it is empty."""
    url: str | None = f"{base}/api/gedevents/24.1?pagesize=100&page=0"
    events: list[dict[str, Any]] = []
    envelopes = []
    while url:
        request = urllib.request.Request(url)
        if token:
            request.add_header("x-ucdp-access-token", token)
        with urllib.request.urlopen(request, timeout=30) as response:
            data = json.load(response)
        envelopes.append((data["TotalCount"], data["TotalPages"], data["PreviousPageUrl"]))
        events.extend(data["Result"])
        url = data["NextPageUrl"]
    return events, envelopes


def test_a_script_following_next_page_url_gets_every_record_once(
    live_server: Callable[..., LiveServer], database_url: str, tmp_path: Path
) -> None:
    engine = make_engine(make_settings(database_url, tmp_path))
    try:
        import_sample(engine)
    finally:
        engine.dispose()
    server = live_server(database_url, CE_READ_REQUIRES_KEY="true")
    with TestClient(create_app(make_settings(database_url, tmp_path))) as client:
        expected = set(ged_rows()) | {OWN_ID_OFFSET + r["id"] for r in our_records(client)}
    events, envelopes = ucdp_script(server.url, READ_KEY)
    got = [event["id"] for event in events]
    assert len(got) == len(set(got))  # none twice
    assert set(got) == expected  # none missed
    pages = math.ceil(len(expected) / 100)
    assert len(envelopes) == pages > 1
    assert {(count, total) for count, total, _ in envelopes} == {(len(expected), pages)}
    assert envelopes[0][2] == ""
    assert envelopes[1][2].endswith("page=0")


def test_tokens_where_reads_need_a_key(database_url: str, tmp_path: Path) -> None:
    settings = make_settings(database_url, tmp_path, read_requires_key=True)
    with TestClient(create_app(settings)) as closed:
        refused = closed.get("/api/gedevents/24.1")
        assert refused.status_code == 401
        assert refused.headers["content-type"].startswith("application/problem+json")
        wrong = closed.get("/api/gedevents/24.1", headers={"x-ucdp-access-token": "nope"})
        assert wrong.status_code == 401
        # The usual header is not UCDP's: it does not open this endpoint.
        bearer = closed.get("/api/gedevents/24.1", headers={"Authorization": f"Bearer {READ_KEY}"})
        assert bearer.status_code == 401
        right = closed.get("/api/gedevents/24.1", headers={"x-ucdp-access-token": READ_KEY})
        assert right.status_code == 200
        assert right.json()["TotalCount"] > 0


def test_tokens_where_reads_are_public(client: TestClient) -> None:
    assert client.get("/api/gedevents/24.1").status_code == 200
    wrong = client.get("/api/gedevents/24.1", headers={"x-ucdp-access-token": "nope"})
    assert wrong.status_code == 401
    right = client.get("/api/gedevents/24.1", headers={"x-ucdp-access-token": READ_KEY})
    assert right.status_code == 200


def test_wrong_tokens_count_toward_the_address_limit(client: TestClient) -> None:
    statuses = [
        client.get("/api/gedevents/24.1", headers={"x-ucdp-access-token": f"wrong-{n}"}).status_code
        for n in range(40)
    ]
    assert statuses[0] == 401
    assert statuses[-1] == 429


def test_the_work_a_request_does_is_bounded_by_the_query_time_limit(
    loaded: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    class Passed(time_limit.Deadline):
        def __init__(self, limit_ms: int) -> None:
            super().__init__(limit_ms)
            self.at = 0.0  # long past

    monkeypatch.setattr(time_limit, "Deadline", Passed)
    response = loaded.get("/api/gedevents/24.1?pagesize=1")
    assert response.status_code == 503
    assert response.headers["content-type"].startswith("application/problem+json")
    assert "Retry-After" in response.headers
