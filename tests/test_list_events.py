"""GET /v1/events: filters, order, pagination, and the errors of each."""

from datetime import UTC, date, datetime
from typing import Any

import orjson
import pytest
from fastapi.testclient import TestClient

from app.events import search, service
from tests.conftest import WRITE
from tests.payloads import displacement, offensive


def ids(client: TestClient, query: str) -> list[int]:
    response = client.get(f"/v1/events?limit=1000&{query}")
    assert response.status_code == 200, response.text
    return [item["id"] for item in response.json()["items"]]


def items(client: TestClient, query: str) -> list[dict[str, Any]]:
    response = client.get(f"/v1/events?limit=1000&{query}")
    assert response.status_code == 200, response.text
    result: list[dict[str, Any]] = response.json()["items"]
    return result


def test_list_events_province_spellings_find_the_same_records(client: TestClient) -> None:
    expected = ids(client, "province=Helmand")
    assert len(expected) >= 3
    for spelling in ("hilmand", "AF30", "af-hel", "HÉLMAND", " Helmand "):
        assert ids(client, f"province={spelling}") == expected, spelling


def test_list_events_province_matches_displacement_destination(client: TestClient) -> None:
    created = client.post("/v1/events", json=displacement(), headers=WRITE).json()
    assert created["id"] in ids(client, "province=Takhar")
    assert created["id"] in ids(client, "province=Kunduz")
    assert created["id"] not in ids(client, "province=Helmand")


def test_list_events_unknown_province_suggests_names(client: TestClient) -> None:
    response = client.get("/v1/events?province=Helmnad")
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    [error] = response.json()["errors"]
    assert error["in"] == "query"
    assert error["name"] == "province"
    assert "Helmnad" in error["detail"]
    assert error["suggestions"][0] == "Helmand"


def test_list_events_district_by_name_alias_or_pcode(client: TestClient) -> None:
    expected = ids(client, "district=Lashkar Gah")
    assert len(expected) >= 2  # the offensive there, and the displacement to it
    assert ids(client, "district=Lashkargah") == expected
    assert ids(client, "district=AF3001") == expected
    assert ids(client, "district=lashkar-gah") == expected


def test_list_events_unknown_district_suggests_names(client: TestClient) -> None:
    response = client.get("/v1/events?district=Lashkar Gha")
    assert response.status_code == 422
    assert "Lashkar Gah" in response.json()["errors"][0]["suggestions"]


def test_list_events_date_range_matches_overlapping_spans(client: TestClient) -> None:
    on_may_4 = items(client, "date_from=2021-05-04&date_to=2021-05-04")
    external = {item["external_id"] for item in on_may_4}
    assert "helmand-taliban-offensive" in external  # 3-4 May overlaps 4 May
    assert "helmand-base-handover" not in external  # 2 May does not
    for item in on_may_4:
        assert date.fromisoformat(item["date"]) <= date(2021, 5, 4)
        assert date.fromisoformat(item["end_date"] or item["date"]) >= date(2021, 5, 4) or (
            item["date_precision"] != "day"
        )


def test_list_events_coarse_date_spans_its_period(client: TestClient) -> None:
    # The deadline was agreed "last year": dated 2020 with precision year, so June 2020 matches.
    external = {i["external_id"] for i in items(client, "date_from=2020-06-01&date_to=2020-06-30")}
    assert external == {"us-withdrawal-deadline-agreed"}


def test_list_events_week_precision_spans_the_week(client: TestClient) -> None:
    created = client.post(
        "/v1/events", json=offensive(date="2021-06-09", date_precision="week"), headers=WRITE
    ).json()
    # 9 June 2021 is a Wednesday: the record spans Monday 7 to Sunday 13 June.
    assert created["id"] in ids(client, "date_from=2021-06-13&date_to=2021-06-20")
    assert created["id"] in ids(client, "date_from=2021-06-01&date_to=2021-06-07")
    assert created["id"] not in ids(client, "date_from=2021-06-14&date_to=2021-06-20")


@pytest.mark.parametrize(
    ("query", "name"),
    [
        ("date_from=2021-13-01", "date_from"),
        ("date_to=yesterday", "date_to"),
        ("date_from=2021-06-01&date_to=2021-05-01", "date_from"),
    ],
)
def test_list_events_bad_dates_are_422(client: TestClient, query: str, name: str) -> None:
    response = client.get(f"/v1/events?{query}")
    assert response.status_code == 422
    assert [e["name"] for e in response.json()["errors"]] == [name]


def test_list_events_actor_alias_any_role(client: TestClient) -> None:
    taliban = ids(client, "actor=Taliban")
    assert ids(client, "actor=taleban") == taliban
    assert ids(client, "actor=Islamic Emirate of Afghanistan") == taliban
    assert len(taliban) == 4  # three offensives, and the deadline agreed with the US


def test_list_events_actor_role_narrows(client: TestClient) -> None:
    initiated = items(client, "actor=Taliban&actor_role=initiator")
    assert len(initiated) == 3
    for item in initiated:
        assert {"name": "Taliban", "role": "initiator"} in item["actors"]
    participated = items(client, "actor=Taliban&actor_role=participant")
    assert [i["external_id"] for i in participated] == ["us-withdrawal-deadline-agreed"]


def test_common_and_rare_actors_find_the_same_records(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    queries = [
        "actor=Taliban",
        "actor=Taliban&actor_role=participant",
        "actor=Taliban&province=Helmand",
    ]
    rare = {query: ids(client, query) for query in queries}
    monkeypatch.setattr(search, "COMMON", 2)  # each record is now checked for the actor
    assert {query: ids(client, query) for query in queries} == rare
    assert all(rare.values())


def test_list_events_unknown_actor_suggests_names(client: TestClient) -> None:
    response = client.get("/v1/events?actor=Talibn")
    assert response.status_code == 422
    [error] = response.json()["errors"]
    assert error["name"] == "actor"
    assert "Taliban" in error["suggestions"]


def test_list_events_repeated_parameters_are_or_and_parameters_are_and(client: TestClient) -> None:
    either = items(client, "province=Ghazni&province=Kandahar")
    assert {i["province"] for i in either} == {"Ghazni", "Kandahar"}
    assert len(either) == 2
    narrowed = items(client, "province=Ghazni&province=Kandahar&kind=displacement")
    assert narrowed == []


def test_list_events_kind_and_country(client: TestClient) -> None:
    milestones = items(client, "kind=withdrawal_milestone")
    assert len(milestones) == 5
    assert all(i["kind"] == "withdrawal_milestone" for i in milestones)
    client.post(
        "/v1/events", json=offensive(country="PAK", province="Khyber Pakhtunkhwa"), headers=WRITE
    )
    assert [i["country"] for i in items(client, "country=pak")] == ["PAK"]
    assert client.get("/v1/events?kind=battle").status_code == 422
    assert client.get("/v1/events?country=XXX").status_code == 422


def test_list_events_other_countries_match_folded_names(client: TestClient) -> None:
    created = client.post(
        "/v1/events",
        json={
            **offensive(country="BGD", province="Barisāl Division", actors=[]),
            "district": "Pirojpur",
        },
        headers=WRITE,
    ).json()
    assert created["province"] == "Barisal"  # OCHA's name for the division
    assert created["province_pcode"] == "BD10"
    assert created["province_as_given"] == "Barisāl Division"
    assert ids(client, "province=barisal division") == [created["id"]]
    assert ids(client, "province=BARISĀL-DIVISION") == [created["id"]]


def test_list_events_more_than_100_values_is_422(client: TestClient) -> None:
    query = "&".join(["province=Helmand"] * 101)
    response = client.get(f"/v1/events?{query}")
    assert response.status_code == 422
    assert response.json()["errors"][0]["name"] == "province"
    assert client.get("/v1/events?" + "&".join(["province=Helmand"] * 100)).status_code == 200


def test_list_events_newest_first_then_highest_id(client: TestClient) -> None:
    listed = items(client, "")
    keys = [(i["date"], i["id"]) for i in listed]
    assert keys == sorted(keys, reverse=True)
    assert len(listed) == 10


@pytest.mark.parametrize("limit", ["0", "1001", "-5", "ten"])
def test_list_events_limit_out_of_range_is_422(client: TestClient, limit: str) -> None:
    response = client.get(f"/v1/events?limit={limit}")
    assert response.status_code == 422
    assert response.json()["errors"][0]["name"] == "limit"


def test_list_events_unknown_parameter_is_422_with_suggestion(client: TestClient) -> None:
    response = client.get("/v1/events?provice=Helmand")
    assert response.status_code == 422
    [error] = response.json()["errors"]
    assert error["name"] == "provice"
    assert error["suggestions"] == ["province"]


def walk_pages(client: TestClient, first: str) -> list[list[int]]:
    pages = []
    url: str | None = first
    while url:
        response = client.get(url)
        assert response.status_code == 200, response.text
        body = response.json()
        pages.append([i["id"] for i in body["items"]])
        if body["next_cursor"]:
            assert body["next_cursor"] in response.headers["link"]
            assert response.headers["link"].endswith('; rel="next"')
            url = response.headers["link"].split(">")[0].lstrip("<")
        else:
            assert "link" not in response.headers
            url = None
    return pages


def test_list_events_pages_cover_everything_once(client: TestClient) -> None:
    everything = ids(client, "")
    pages = walk_pages(client, "/v1/events?limit=3")
    assert [len(p) for p in pages] == [3, 3, 3, 1]
    assert [i for page in pages for i in page] == everything


def test_list_events_pages_stable_while_records_are_added(client: TestClient) -> None:
    before = ids(client, "")
    first = client.get("/v1/events?limit=4").json()
    # Records added meanwhile, newer, older and on the same day as the page boundary.
    boundary = client.get(f"/v1/events/{first['items'][-1]['id']}").json()["date"]
    for day in ("2030-01-01", boundary, "1999-01-01"):
        assert client.post("/v1/events", json=offensive(date=day), headers=WRITE).status_code == 201
    seen = [i["id"] for i in first["items"]]
    cursor = first["next_cursor"]
    while cursor:
        page = client.get("/v1/events", params={"limit": 4, "cursor": cursor}).json()
        seen += [i["id"] for i in page["items"]]
        cursor = page["next_cursor"]
    assert len(seen) == len(set(seen))
    assert set(before) <= set(seen)


def test_list_events_tampered_cursor_is_422(client: TestClient) -> None:
    cursor = client.get("/v1/events?limit=2").json()["next_cursor"]
    body, signature = cursor.split(".")
    for bad in (body + "x." + signature, body + "." + signature[::-1], "garbage", "a.b.c", "."):
        response = client.get("/v1/events", params={"limit": 2, "cursor": bad})
        assert response.status_code == 422, bad
        assert response.json()["errors"][0]["name"] == "cursor"


def test_list_events_cursor_from_other_filters_is_422(client: TestClient) -> None:
    cursor = client.get("/v1/events?limit=2").json()["next_cursor"]
    response = client.get(
        "/v1/events", params={"limit": 2, "cursor": cursor, "province": "Helmand"}
    )
    assert response.status_code == 422
    assert "other filters" in response.json()["errors"][0]["detail"]
    # The same filters spelt differently are the same query.
    cursor = client.get("/v1/events?limit=1&province=Helmand").json()["next_cursor"]
    assert (
        client.get(
            "/v1/events", params={"limit": 1, "cursor": cursor, "province": "AF30"}
        ).status_code
        == 200
    )


def test_list_events_province_and_district_may_match_different_places(client: TestClient) -> None:
    # Own province Kandahar, destination district Lashkar Gah (Helmand): matches both filters.
    record = displacement(
        province="Kandahar",
        origin={"province": "Kandahar"},
        destination={"province": "Helmand", "district": "Lashkar Gah"},
    )
    created = client.post("/v1/events", json=record, headers=WRITE).json()
    assert created["id"] in ids(client, "province=Kandahar&district=Lashkar Gah")
    assert created["id"] not in ids(client, "province=Kandahar&district=Kandahar")
    # Listed once, though it matches through its own place and its origin.
    assert ids(client, "province=Kandahar").count(created["id"]) == 1


def test_a_listed_record_is_the_record_its_own_url_gives(client: TestClient) -> None:
    # On SQLite, lists read the stored text of datetimes and JSON as it is
    # (app.events.service._text_to_api); single records are read the usual way.
    client.post("/v1/events", json=displacement(province="Kunduz"), headers=WRITE)
    listed = items(client, "")
    assert len(listed) > 3
    for item in listed:
        assert client.get(f"/v1/events/{item['id']}").json() == item


@pytest.mark.parametrize(
    "stored",
    [
        "2021-05-04 10:00:00.000000",
        "2021-05-04 10:00:00.000005",
        "2021-05-04 10:00:00.618894",
        "2021-05-04 10:00:00",
        "2021-05-04T12:00:00+02:00",
    ],
)
def test_stored_datetimes_are_written_as_for_any_other_datetime(stored: str) -> None:
    moment = datetime.fromisoformat(stored)
    moment = moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
    written = orjson.dumps(moment, option=orjson.OPT_UTC_Z).decode().strip('"')
    assert service._utc_text(stored) == written


@pytest.mark.parametrize(
    "fields",
    [
        "id,date,province",
        "id,kind,date,country,province,province_pcode,district,district_pcode,latitude,"
        "longitude,summary,external_id",
        "actors,id",
        "geo_source,geo_precision,longitude",
        "outcome,families,origin,destination,milestone,force,needs,tactics",
        "sources,fatalities,created_at,updated_at,imported_at,version,release",
        "summary",
    ],
)
def test_list_events_fields_give_each_full_record_s_fields_and_the_same_pages(
    client: TestClient, fields: str
) -> None:
    chosen = fields.split(",")
    for query in ("limit=1000", "limit=3", "limit=3&kind=displacement", "province=Helmand"):
        full = client.get(f"/v1/events?{query}").json()
        some = client.get(f"/v1/events?{query}&fields={fields}").json()
        assert some["items"] == [
            {name: record[name] for name in chosen if name in record} for record in full["items"]
        ], query
        assert some["items"], query
        assert (some["next_cursor"] is None) == (full["next_cursor"] is None), query
