"""GET /v1/stats: counts and honest totals of claimed figures, grouped, zero-filled."""

import json
from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.conftest import WRITE
from tests.payloads import displacement, offensive


def post(client: TestClient, record: dict[str, Any]) -> None:
    response = client.post("/v1/events", json=record, headers=WRITE)
    assert response.status_code == 201, response.text


def stats(client: TestClient, query: str) -> dict[str, Any]:
    response = client.get(f"/v1/stats?{query}")
    assert response.status_code == 200, response.text
    result: dict[str, Any] = response.json()
    return result


@pytest.fixture
def data(empty_client: TestClient) -> TestClient:
    client = empty_client
    killed = [
        (10, "exact", "2021-05-03"),
        (100, "more_than", "2021-05-04"),
        (7, "about", "2021-07-01"),
    ]
    for value, qualifier, day in killed:
        fatalities = {"value": value, "qualifier": qualifier}
        post(client, offensive(province="Helmand", date=day, fatalities=fatalities))
    post(client, offensive(province="Kandahar", date="2021-05-20", fatalities=None))
    post(
        client,
        displacement(
            province="Kandahar",
            date="2021-05-05",
            families={"value": 1000, "qualifier": "about"},
            individuals={"value": 6000, "qualifier": "at_least"},
            origin={"province": "Helmand"},
            destination={"province": "Kandahar"},
        ),
    )
    return client


def test_totals_keep_the_qualifiers_of_the_figures_they_sum(data: TestClient) -> None:
    total = stats(data, "")["total"]
    assert total["events"] == 5
    assert total["fatalities"]["sum"] == 117
    assert total["fatalities"]["figures"] == 3  # the Kandahar offensive gave no figure
    assert total["fatalities"]["qualifiers"] == {
        "exact": 1,
        "about": 1,
        "at_least": 0,
        "more_than": 1,
        "at_most": 0,
    }
    assert total["families"] == {
        "sum": 1000,
        "figures": 1,
        "qualifiers": {"exact": 0, "about": 1, "at_least": 0, "more_than": 0, "at_most": 0},
    }
    assert total["individuals"]["sum"] == 6000


def test_a_displacement_counts_under_its_own_province_once(data: TestClient) -> None:
    by_province = stats(data, "group_by=province")
    groups = {g["key"]["province"]: g for g in by_province["groups"]}
    assert set(groups) == {"Helmand", "Kandahar"}
    assert groups["Helmand"]["key"]["province_pcode"] == "AF30"
    assert (groups["Helmand"]["events"], groups["Kandahar"]["events"]) == (3, 2)
    assert groups["Kandahar"]["families"]["sum"] == 1000
    assert sum(g["events"] for g in by_province["groups"]) == by_province["total"]["events"]
    # The Helmand filter finds the displacement through its origin, and counts it once.
    helmand = stats(data, "province=Helmand&group_by=province")
    assert helmand["total"]["events"] == 4
    assert {g["key"]["province"]: g["events"] for g in helmand["groups"]} == {
        "Helmand": 3,
        "Kandahar": 1,
    }


def test_every_month_of_the_range_appears_with_zeros(data: TestClient) -> None:
    result = stats(data, "group_by=province&group_by=month&date_from=2021-04-01&date_to=2021-08-31")
    rows = {(g["key"]["province"], g["key"]["month"]): g for g in result["groups"]}
    months = ["2021-04", "2021-05", "2021-06", "2021-07", "2021-08"]
    assert sorted(rows) == sorted((p, m) for p in ("Helmand", "Kandahar") for m in months)
    assert rows[("Helmand", "2021-05")]["fatalities"]["sum"] == 110
    assert rows[("Helmand", "2021-06")]["events"] == 0
    assert rows[("Helmand", "2021-07")]["fatalities"]["qualifiers"]["about"] == 1
    assert [g["key"]["month"] for g in result["groups"][:5]] == months  # in order


def test_weeks_start_on_monday_and_days_fill_the_range(data: TestClient) -> None:
    weeks = stats(data, "group_by=week&date_from=2021-05-01&date_to=2021-05-16")["groups"]
    assert [(g["key"]["week"], g["events"]) for g in weeks] == [
        ("2021-04-26", 0),
        ("2021-05-03", 3),  # Monday 3 May: the 3rd, 4th and 5th
        ("2021-05-10", 0),
    ]
    days = stats(data, "group_by=day&date_from=2021-05-02&date_to=2021-05-05")["groups"]
    assert [g["events"] for g in days] == [0, 1, 1, 1]


def test_group_by_kind_actor_and_year(data: TestClient) -> None:
    kinds = {g["key"]["kind"]: g["events"] for g in stats(data, "group_by=kind")["groups"]}
    assert kinds == {"displacement": 1, "offensive": 4}
    actors = stats(data, "group_by=actor")
    by_actor = {g["key"]["actor"]: g["events"] for g in actors["groups"]}
    assert by_actor["Taliban"] == 4
    assert actors["total"]["events"] == 5  # records once each, whatever their actors
    years = stats(data, "group_by=year&group_by=country")["groups"]
    assert [(g["key"]["year"], g["key"]["country"], g["events"]) for g in years] == [
        ("2021", "AFG", 5)
    ]


def test_stats_take_the_event_filters(data: TestClient) -> None:
    assert stats(data, "kind=displacement")["total"]["events"] == 1
    assert stats(data, "date_from=2021-07-01")["total"]["fatalities"]["sum"] == 7
    assert stats(data, "actor=Taliban&actor_role=initiator")["total"]["events"] == 4


@pytest.mark.parametrize(
    ("query", "name"),
    [
        ("group_by=galaxy", "group_by"),
        ("group_by=province&group_by=province", "group_by"),
        ("group_by=month&group_by=year", "group_by"),
        ("group_by=kind&group_by=province&group_by=month", "group_by"),
        ("group_by=day&date_from=1000-01-01&date_to=2999-12-31&group_by=province", "group_by"),
        ("province=Atlantis", "province"),
    ],
)
def test_bad_stats_queries_are_422_naming_the_parameter(
    data: TestClient, query: str, name: str
) -> None:
    response = data.get(f"/v1/stats?{query}")
    assert response.status_code == 422, response.text
    assert response.json()["errors"][0]["name"] == name


# Stats from the monthly totals, from the records, or from both (part-months at the ends of a
# range, displacements found through their origin) must agree with the records the same filters
# list, however those records were written, changed or deleted.
CHECKED = [
    "group_by=province",
    "group_by=month&date_from=2021-01-01&date_to=2021-02-28",
    "group_by=province&group_by=month&date_from=2021-01-10&date_to=2021-03-15",
    "group_by=kind&date_from=2021-02-01",
    "group_by=year&date_to=2021-01-31",
    "group_by=province&province=Helmand&date_from=2021-01-01&date_to=2021-03-31",
    "group_by=province&kind=offensive&country=AFG",
    "group_by=country&date_from=2021-01-01&date_to=2021-12-31",
    "date_from=2020-12-01&date_to=2021-01-31",
    "group_by=district&date_from=2021-01-01&date_to=2021-03-31",
    "group_by=week&date_from=2021-01-01&date_to=2021-01-31",
    "group_by=province&dataset=wire&date_from=2021-01-01&date_to=2021-12-31",
]
KEYS: dict[str, Callable[[dict[str, Any]], Any]] = {
    "province": lambda r: r["province"],
    "district": lambda r: r.get("district"),
    "kind": lambda r: r["kind"],
    "country": lambda r: r["country"],
    "year": lambda r: r["date"][:4],
    "month": lambda r: r["date"][:7],
    "week": lambda r: str(
        date.fromisoformat(r["date"]) - timedelta(date.fromisoformat(r["date"]).weekday())
    ),
}


def recount(client: TestClient, query: str) -> dict[tuple[Any, ...], dict[str, Any]]:
    """The groups stats should give, summed here from the records the filters list."""
    params = [p.split("=", 1) for p in query.split("&") if p]
    dimensions = [v for k, v in params if k == "group_by"]
    filters = "&".join(f"{k}={v}" for k, v in params if k != "group_by")
    response = client.get(f"/v1/events.ndjson?{filters}")
    assert response.status_code == 200, response.text
    groups: dict[tuple[Any, ...], dict[str, Any]] = {}
    for line in response.text.splitlines():
        record = json.loads(line)
        key = tuple(KEYS[d](record) for d in dimensions)
        group = groups.setdefault(key, {"events": 0})
        group["events"] += 1
        for figure in ("fatalities", "families", "individuals"):
            total = group.setdefault(
                figure, {"sum": 0, "figures": 0, "qualifiers": dict.fromkeys(QUALIFIERS, 0)}
            )
            claim = record.get(figure)
            if claim is not None:
                total["sum"] += claim["value"]
                total["figures"] += 1
                total["qualifiers"][claim["qualifier"]] += 1
    return groups


def answered(client: TestClient, query: str) -> dict[tuple[Any, ...], dict[str, Any]]:
    dimensions = [v for k, v in (p.split("=", 1) for p in query.split("&") if p) if k == "group_by"]
    return {
        tuple(g["key"][d] for d in dimensions): {k: v for k, v in g.items() if k != "key"}
        for g in stats(client, query)["groups"]
        if g["events"]  # the zero-filled periods have no records to recount
    }


QUALIFIERS = ["exact", "about", "at_least", "more_than", "at_most"]


def test_stats_agree_with_the_listed_records_through_every_kind_of_write(
    empty_client: TestClient,
) -> None:
    client = empty_client
    provinces = ["Helmand", "Kandahar", "Kabul"]
    days = ["2020-12-30", "2021-01-05", "2021-01-31", "2021-02-01", "2021-02-14", "2021-03-31"]
    ids = []
    for n in range(24):
        day, province = days[n % len(days)], provinces[n % len(provinces)]
        figure = {"value": n + 1, "qualifier": QUALIFIERS[n % len(QUALIFIERS)]}
        if n % 4 == 3:
            record = displacement(
                date=day,
                province=province,
                families=figure,
                origin={"province": "Helmand"},
                destination={"province": province},
            )
        else:
            record = offensive(date=day, province=province, fatalities=figure if n % 5 else None)
        if n % 6 == 5:  # coarse dates: a record dated to its week or month spans it
            record["date_precision"] = "month" if n % 12 == 5 else "week"
        if n == 12:
            record["district"] = "Lashkar Gah"
        response = client.post("/v1/events", json=record, headers=WRITE)
        assert response.status_code == 201, response.text
        ids.append(response.json()["id"])
    bulk = [
        offensive(date="2021-02-10", province="Kabul", dataset="wire", external_id=str(n))
        for n in range(3)
    ]
    assert client.post("/v1/events/bulk", json=bulk, headers=WRITE).status_code == 200

    def check() -> None:
        for query in CHECKED:
            assert answered(client, query) == recount(client, query), query

    check()

    def change(method: str, event_id: int, **body: Any) -> None:
        etag = client.get(f"/v1/events/{event_id}").headers["ETag"]
        headers = WRITE | {"If-Match": etag}
        if method == "PATCH":
            headers["Content-Type"] = "application/merge-patch+json"
            response = client.patch(f"/v1/events/{event_id}", json=body, headers=headers)
        elif method == "PUT":
            response = client.put(f"/v1/events/{event_id}", json=body, headers=headers)
        else:
            response = client.delete(f"/v1/events/{event_id}", headers=headers)
        assert response.status_code == (204 if method == "DELETE" else 200), response.text

    change("PATCH", ids[1], date="2021-02-20")  # to another month
    change("PATCH", ids[2], province="Kabul")  # to another province
    change("PATCH", ids[4], fatalities={"value": 99, "qualifier": "at_most"})
    change("PATCH", ids[8], summary="Only the words change.")
    change("DELETE", ids[0])
    change("DELETE", ids[6])
    change("PUT", ids[9], **displacement(date="2021-03-02", province="Kandahar"))
    bulk[0]["fatalities"] = {"value": 500, "qualifier": "more_than"}
    bulk[1]["province"] = "Helmand"
    assert client.post("/v1/events/bulk", json=bulk, headers=WRITE).status_code == 200
    check()
    # Every record of a province deleted: it leaves the groups, though its totals stay stored.
    for event_id in ids:
        if client.get(f"/v1/events/{event_id}").json().get("province") == "Kandahar":
            change("DELETE", event_id)
    assert "Kandahar" not in {g["key"]["province"] for g in stats(client, CHECKED[0])["groups"]}
    check()
