"""GET /v1/stats: counts and honest totals of claimed figures, grouped, zero-filled."""

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
