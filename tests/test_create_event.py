"""POST /v1/events: keys, canonical names, and every kind of bad input (which changes nothing)."""

from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.conftest import ADMIN_KEY, READ_KEY, WRITE
from tests.payloads import displacement, offensive


def count(client: TestClient) -> int:
    return len(client.get("/v1/events?limit=1000").json()["items"])


def actor_names(client: TestClient) -> list[str]:
    return [a["name"] for a in client.get("/v1/actors?limit=1000").json()["items"]]


@pytest.mark.parametrize(
    ("headers", "status"),
    [
        ({}, 401),
        ({"Authorization": "Bearer not-a-key-at-all-000"}, 401),
        ({"Authorization": "Basic dXNlcjpwYXNz"}, 401),
        ({"Authorization": f"Bearer {READ_KEY}"}, 403),
    ],
)
def test_create_event_without_write_key_is_refused(
    client: TestClient, headers: dict[str, str], status: int
) -> None:
    before = count(client)
    response = client.post("/v1/events", json=offensive(), headers=headers)
    assert response.status_code == status
    assert response.headers["content-type"] == "application/problem+json"
    if status == 401:
        assert response.headers["www-authenticate"] == "Bearer"
    assert count(client) == before


def test_create_event_with_admin_key_is_allowed(client: TestClient) -> None:
    response = client.post(
        "/v1/events", json=offensive(), headers={"Authorization": f"Bearer {ADMIN_KEY}"}
    )
    assert response.status_code == 201


def test_create_event_stores_canonical_names_and_answers_201(client: TestClient) -> None:
    record = offensive(
        province="hilmand",
        district="lashkargah",
        actors=[
            {"name": "taleban", "role": "initiator"},
            {"name": "Afghan army", "role": "target"},
        ],
        latitude=31.59,
        longitude=64.37,
        geo_precision="near",
    )
    response = client.post("/v1/events", json=record, headers=WRITE)
    assert response.status_code == 201, response.text
    created = response.json()
    assert created["province"] == "Helmand"
    assert created["province_pcode"] == "AF30"
    assert created["district"] == "Lashkar Gah"
    assert created["district_pcode"] == "AF3001"
    assert created["actors"] == [
        {"name": "Taliban", "role": "initiator"},
        {"name": "Afghan National Army", "role": "target"},
    ]
    assert created["fatalities"] == {
        "value": 12,
        "qualifier": "at_least",
        "claimed_by": "provincial police",
        "low": None,
        "high": None,
        "alternatives": [],
    }
    assert created["version"] == 1
    assert created["created_at"].endswith("Z") or created["created_at"].endswith("+00:00")
    location = response.headers["location"]
    assert location.endswith(f"/v1/events/{created['id']}")
    assert client.get(location).json() == created


def test_create_event_district_alone_gives_its_province(client: TestClient) -> None:
    created = client.post(
        "/v1/events", json=offensive(province=None, district="AF3001"), headers=WRITE
    ).json()
    assert (created["province"], created["district"]) == ("Helmand", "Lashkar Gah")


def test_create_event_keeps_competing_claims_and_ranges(client: TestClient) -> None:
    fatalities = {
        "value": 100,
        "qualifier": "more_than",
        "claimed_by": "Afghan Defense Ministry",
        "low": 100,
        "high": 150,
        "alternatives": [
            {"value": 20, "qualifier": "exact", "claimed_by": "Taliban", "low": None, "high": None}
        ],
    }
    created = client.post("/v1/events", json=offensive(fatalities=fatalities), headers=WRITE).json()
    assert created["fatalities"] == fatalities


def test_create_event_resolves_displacement_places(client: TestClient) -> None:
    created = client.post("/v1/events", json=displacement(), headers=WRITE).json()
    assert created["origin"] == {
        "province": "Kunduz",
        "province_pcode": "AF19",
        "province_iso_3166_2": "AF-KDZ",
        "district": None,
        "district_pcode": None,
        "location": None,
    }
    assert created["destination"]["province_pcode"] == "AF18"
    assert created["destination"]["location"] == "Taloqan"


def test_create_event_unknown_actor_joins_the_registry(client: TestClient) -> None:
    assert "Kunduz Uprising Forces" not in actor_names(client)
    record = offensive(actors=[{"name": "Kunduz Uprising Forces", "role": "initiator"}])
    assert client.post("/v1/events", json=record, headers=WRITE).status_code == 201
    assert "Kunduz Uprising Forces" in actor_names(client)
    assert len(client.get("/v1/events?actor=kunduz uprising forces").json()["items"]) == 1


def test_create_event_other_kind_keeps_source_type(client: TestClient) -> None:
    record = offensive(
        kind="other",
        source_event_type="Strategic developments",
        source_sub_event_type="Looting/property destruction",
    )
    del record["outcome"], record["tactics"]
    created = client.post("/v1/events", json=record, headers=WRITE).json()
    assert created["kind"] == "other"
    assert created["source_event_type"] == "Strategic developments"


def test_create_event_same_dataset_and_external_id_is_409(client: TestClient) -> None:
    record = offensive(dataset="ucdp-ged", external_id="71663")
    assert client.post("/v1/events", json=record, headers=WRITE).status_code == 201
    before = count(client)
    response = client.post("/v1/events", json=record, headers=WRITE)
    assert response.status_code == 409
    assert count(client) == before
    # The failed write released the database for the next one.
    assert client.post("/v1/events", json=offensive(), headers=WRITE).status_code == 201


BAD_RECORDS: list[tuple[str, dict[str, Any], str]] = [
    ("unknown kind", offensive(kind="battle"), ""),
    ("latitude 999", offensive(latitude=999, longitude=64), "/latitude"),
    ("latitude without longitude", offensive(latitude=31.5), ""),
    ("end before start", offensive(date="2021-05-04", end_date="2021-05-01"), ""),
    ("NUL in summary", offensive(summary="a\x00b"), "/summary"),
    (
        "NUL in actor",
        offensive(actors=[{"name": "Tali\x00ban", "role": "initiator"}]),
        "/actors/0/name",
    ),
    ("huge number", offensive(fatalities={"value": 10**30}), "/fatalities/value"),
    ("negative number", offensive(fatalities={"value": -1}), "/fatalities/value"),
    ("range outside value", offensive(fatalities={"value": 5, "low": 9}), "/fatalities"),
    ("wrong type", offensive(date=["2021"]), "/date"),
    ("not a date", offensive(date="2021-02-30"), "/date"),
    ("far future", offensive(date="9999-01-01"), "/date"),
    ("unknown role", offensive(actors=[{"name": "Taliban", "role": "victim"}]), "/actors/0/role"),
    ("no sources", offensive(sources=[]), "/sources"),
    ("unknown field", offensive(casualties=3), "/casualties"),
    ("unknown country", offensive(country="XYZ"), "/country"),
    ("unknown province", offensive(province="Helmnad"), "/province"),
    (
        "district of another province",
        offensive(province="Kabul", district="Lashkar Gah"),
        "/district",
    ),
    ("ambiguous district", offensive(province=None, district="Arghandab"), "/district"),
    ("displacement without figures", displacement(families=None), ""),
    ("unknown origin", displacement(origin={"province": "Atlantis"}), "/origin/province"),
    (
        "bad url",
        offensive(sources=[{"publisher": "x", "url": "javascript:alert(1)"}]),
        "/sources/0/url",
    ),
    ("empty summary", offensive(summary="   "), "/summary"),
    (
        "other without source type",
        {k: v for k, v in offensive(kind="other").items() if k not in ("outcome", "tactics")},
        "",
    ),
    ("body is a list", [offensive()], ""),  # type: ignore[list-item]
]


@pytest.mark.parametrize(
    ("record", "pointer"),
    [(r, p) for _, r, p in BAD_RECORDS],
    ids=[name for name, _, _ in BAD_RECORDS],
)
def test_create_event_bad_input_is_422_and_stores_nothing(
    client: TestClient, record: dict[str, Any], pointer: str
) -> None:
    before_events, before_actors = count(client), actor_names(client)
    response = client.post("/v1/events", json=record, headers=WRITE)
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == "application/problem+json"
    problem = response.json()
    assert problem["status"] == 422
    assert problem["errors"], problem
    assert all(e["in"] == "body" for e in problem["errors"])
    if pointer:
        assert pointer in [e["pointer"] for e in problem["errors"]], problem
    assert count(client) == before_events
    assert actor_names(client) == before_actors


def test_create_event_unknown_province_suggests_names(client: TestClient) -> None:
    response = client.post("/v1/events", json=offensive(province="Kandhar"), headers=WRITE)
    [error] = response.json()["errors"]
    assert error["suggestions"][0] == "Kandahar"


@pytest.mark.parametrize("body", [b"{", b"\xff\xfe", b'{"kind": "offensive",}', b"nul\x00"])
def test_create_event_malformed_json_is_400(client: TestClient, body: bytes) -> None:
    before = count(client)
    response = client.post(
        "/v1/events", content=body, headers={**WRITE, "Content-Type": "application/json"}
    )
    assert response.status_code == 400
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["errors"][0]["in"] == "body"
    assert count(client) == before


def test_create_event_with_no_body_is_422_naming_the_body(client: TestClient) -> None:
    before = count(client)
    response = client.post(
        "/v1/events", content=b"", headers={**WRITE, "Content-Type": "application/json"}
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["in"] == "body"
    assert count(client) == before


def test_create_event_deeply_nested_json_is_refused(client: TestClient) -> None:
    body = b'{"summary": ' + b"[" * 10_000 + b"]" * 10_000 + b"}"
    response = client.post(
        "/v1/events", content=body, headers={**WRITE, "Content-Type": "application/json"}
    )
    assert 400 <= response.status_code < 500
    assert response.headers["content-type"] == "application/problem+json"
