"""The event query is declared once (app.events.filters.EventQuery): /v1/events, /v1/stats and
the exports take the same filters, and refuse the same bad ones with the same errors."""

import json

import pytest
from fastapi.testclient import TestClient

GOOD = [
    "",
    "province=Helmand",
    "province=hilmand&province=Kandahar&kind=offensive",
    "date_from=2021-05-01&date_to=2021-05-31",
    "actor=Taliban&actor_role=initiator",
    "actor=taleban&date_from=2021-01-01",
    "country=AFG&kind=withdrawal_milestone",
    "q=taliban&province=Helmand",
    "q=%22forced%20to%20flee%22",
    "bbox=60,29,70,38",
    "updated_since=2020-01-01T00:00:00Z",
]
BAD = {
    "province=Atlantis": "province",
    "kind=galaxy": "kind",
    "country=ZZZ": "country",
    "date_from=2021-13-01": "date_from",
    "date_from=2021-06-01&date_to=2021-05-01": "date_from",
    "provice=Helmand": "provice",
    "q=%22": "q",
    "actor_role=initiator": "actor_role",
    "province=%00": "province",
    "bbox=1,2,3": "bbox",
    "updated_since=2020-01-01": "updated_since",
}
ENDPOINTS = ["/v1/events", "/v1/stats", "/v1/events.csv", "/v1/events.geojson", "/v1/events.ndjson"]


@pytest.mark.parametrize("query", list(BAD))
def test_every_endpoint_refuses_a_bad_filter_with_the_same_error(
    client: TestClient, query: str
) -> None:
    answers = [client.get(f"{path}?{query}") for path in ENDPOINTS]
    assert [a.status_code for a in answers] == [422] * len(ENDPOINTS)
    errors = [a.json()["errors"] for a in answers]
    assert all(e == errors[0] for e in errors), errors
    assert [item["name"] for item in errors[0]] == [BAD[query]]


@pytest.mark.parametrize("query", GOOD)
def test_every_endpoint_finds_the_same_records(client: TestClient, query: str) -> None:
    listed = client.get(f"/v1/events?{query}&limit=1000")
    assert listed.status_code == 200
    ids = [item["id"] for item in listed.json()["items"]]
    streamed = client.get(f"/v1/events.ndjson?{query}").text.splitlines()
    assert [json.loads(line)["id"] for line in streamed] == ids
    counted = client.get(f"/v1/stats?{query}").json()["total"]["events"]
    assert counted == len(ids)


def test_list_only_parameters_are_refused_elsewhere(client: TestClient) -> None:
    assert client.get("/v1/events?limit=2").status_code == 200
    refused = client.get("/v1/stats?cursor=abc")
    assert refused.status_code == 422
    assert [e["name"] for e in refused.json()["errors"]] == ["cursor"]


def test_pages_follow_their_cursors(client: TestClient) -> None:
    first = client.get("/v1/events?limit=3").json()
    second = client.get(f"/v1/events?limit=3&cursor={first['next_cursor']}").json()
    everything = client.get("/v1/events?limit=6").json()["items"]
    assert [e["id"] for e in first["items"] + second["items"]] == [e["id"] for e in everything]


def test_304_and_gzip_apply_to_the_list(client: TestClient) -> None:
    first = client.get("/v1/events?province=Helmand", headers={"Accept-Encoding": "gzip"})
    assert first.headers["content-encoding"] == "gzip"
    again = client.get(
        "/v1/events?province=Helmand", headers={"If-None-Match": first.headers["etag"]}
    )
    assert again.status_code == 304


def test_csv_by_accept_header_is_the_csv_export(client: TestClient) -> None:
    by_header = client.get("/v1/events?province=Helmand", headers={"Accept": "text/csv"})
    by_path = client.get("/v1/events.csv?province=Helmand")
    assert by_header.status_code == 200
    assert by_header.text == by_path.text
