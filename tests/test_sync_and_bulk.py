"""Mirroring by updated_since, idempotent creates, bulk loads, and the body size limit."""

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from app.main import create_app
from tests.conftest import OTHER_WRITE, WRITE, make_settings
from tests.payloads import offensive

NDJSON = {"Content-Type": "application/x-ndjson"}


def count(client: TestClient) -> int:
    return len(client.get("/v1/events?limit=1000").json()["items"])


def changes_since(client: TestClient, since: str, limit: int = 2) -> list[dict[str, Any]]:
    seen: list[dict[str, Any]] = []
    params: dict[str, Any] = {"updated_since": since, "limit": limit}
    for _ in range(100):  # a cursor that does not advance must fail the test, not hang it
        page = client.get("/v1/events", params=params).json()
        seen += page["items"]
        if not page["next_cursor"]:
            return seen
        params["cursor"] = page["next_cursor"]
    raise AssertionError("paging never ended")


def test_updated_since_returns_changes_in_order(client: TestClient) -> None:
    newest = max(i["updated_at"] for i in client.get("/v1/events?limit=1000").json()["items"])
    first = client.post("/v1/events", json=offensive(summary="first"), headers=WRITE).json()
    second = client.post("/v1/events", json=offensive(summary="second"), headers=WRITE).json()
    client.patch(
        f"/v1/events/{first['id']}",
        json={"summary": "first, corrected"},
        headers=WRITE | {"If-Match": '"1"'},
    )
    changes = changes_since(client, newest)
    assert [(c["id"], c["version"]) for c in changes] == [(second["id"], 1), (first["id"], 2)]
    keys = [(c["updated_at"], c["id"]) for c in changes]
    assert keys == sorted(keys)
    assert changes_since(client, changes[-1]["updated_at"]) == []


def test_updated_since_pages_see_every_change_made_while_paging(client: TestClient) -> None:
    start = "2000-01-01T00:00:00+00:00"
    page = client.get("/v1/events", params={"updated_since": start, "limit": 4}).json()
    seen = {i["id"]: i["version"] for i in page["items"]}
    edited = page["items"][0]  # already seen; edited while the client pages on
    client.patch(
        f"/v1/events/{edited['id']}",
        json={"summary": "edited meanwhile"},
        headers=WRITE | {"If-Match": f'"{edited["version"]}"'},
    )
    added = client.post("/v1/events", json=offensive(), headers=WRITE).json()
    params: dict[str, Any] = {"updated_since": start, "limit": 4, "cursor": page["next_cursor"]}
    while params.get("cursor"):
        page = client.get("/v1/events", params=params).json()
        seen |= {i["id"]: i["version"] for i in page["items"]}
        params["cursor"] = page["next_cursor"]
    assert seen[edited["id"]] == edited["version"] + 1
    assert added["id"] in seen
    assert len(seen) == 11


def test_updated_since_needs_a_timezone(client: TestClient) -> None:
    response = client.get("/v1/events", params={"updated_since": "2021-05-01T00:00:00"})
    assert response.status_code == 422
    assert response.json()["errors"][0]["name"] == "updated_since"


def test_idempotent_create_returns_the_first_answer(client: TestClient) -> None:
    before = count(client)
    headers = WRITE | {"Idempotency-Key": "3d2f-retry-me"}
    first = client.post("/v1/events", json=offensive(), headers=headers)
    again = client.post("/v1/events", json=offensive(), headers=headers)
    assert (first.status_code, again.status_code) == (201, 201)
    assert again.json() == first.json()
    assert again.headers["location"] == first.headers["location"]
    assert again.headers["idempotent-replayed"] == "true"
    assert count(client) == before + 1
    other = client.post("/v1/events", json=offensive(summary="Another."), headers=headers)
    assert other.status_code == 422
    assert other.json()["errors"][0]["name"] == "Idempotency-Key"
    # Keys are per API key: another editor's same string is another request.
    theirs = client.post(
        "/v1/events", json=offensive(), headers=OTHER_WRITE | {"Idempotency-Key": "3d2f-retry-me"}
    )
    assert theirs.json()["id"] != first.json()["id"]


def batch(n: int, **changes: Any) -> list[dict[str, Any]]:
    return [offensive(dataset="field-coding", external_id=f"r{i}", **changes) for i in range(n)]


def test_bulk_json_array_stores_all(client: TestClient) -> None:
    before = count(client)
    response = client.post("/v1/events/bulk", json=batch(3), headers=WRITE)
    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["inserted"], body["updated"], body["unchanged"]) == (3, 0, 0)
    assert count(client) == before + 3
    assert [client.get(f"/v1/events/{i}").json()["external_id"] for i in body["ids"]] == [
        "r0",
        "r1",
        "r2",
    ]


def test_bulk_ndjson_resent_updates_instead_of_duplicating(client: TestClient) -> None:
    records = batch(3)
    text = "\n".join(json.dumps(r) for r in records) + "\n"
    first = client.post("/v1/events/bulk", content=text, headers=WRITE | NDJSON).json()
    before = count(client)
    records[1]["summary"] = "Corrected in the second load."
    again = client.post(
        "/v1/events/bulk", content="\n".join(json.dumps(r) for r in records), headers=WRITE | NDJSON
    ).json()
    assert (again["inserted"], again["updated"], again["unchanged"]) == (0, 1, 2)
    assert again["ids"] == first["ids"]
    assert count(client) == before
    changed = client.get(f"/v1/events/{first['ids'][1]}").json()
    assert (changed["summary"], changed["version"]) == ("Corrected in the second load.", 2)


@pytest.mark.parametrize(
    ("records", "pointers"),
    [
        (
            [offensive(), offensive(date="2021-02-30"), offensive(province="Atlantis")],
            ["/1/date", "/2/province"],
        ),
        ([*batch(2), offensive(dataset="field-coding", external_id="r0")], ["/2/external_id"]),
        ([offensive(), "not a record"], ["/1"]),
    ],
)
def test_bulk_with_an_invalid_record_stores_none(
    client: TestClient, records: list[Any], pointers: list[str]
) -> None:
    before = count(client)
    response = client.post("/v1/events/bulk", json=records, headers=WRITE)
    assert response.status_code == 422
    assert [e["pointer"] for e in response.json()["errors"]] == pointers
    assert count(client) == before


@pytest.mark.parametrize(
    ("content", "content_type", "status"),
    [
        (b"[{", "application/json", 400),
        (b'{"kind": "offensive"}', "application/json", 422),
        (b'{"a": 1}\n{broken', "application/x-ndjson", 400),
        (b"[]", "text/plain", 415),
        (b"id,best\n1,2\n", "text/csv", 422),  # a CSV body needs format=
    ],
)
def test_bulk_bad_bodies_store_nothing(
    client: TestClient, content: bytes, content_type: str, status: int
) -> None:
    before = count(client)
    response = client.post(
        "/v1/events/bulk", content=content, headers=WRITE | {"Content-Type": content_type}
    )
    assert response.status_code == status
    assert response.headers["content-type"] == "application/problem+json"
    assert count(client) == before


def test_bulk_needs_a_write_key(client: TestClient) -> None:
    assert client.post("/v1/events/bulk", json=batch(1)).status_code == 401


def test_bodies_over_the_limit_are_413(database_url: str, tmp_path: Path) -> None:
    settings = make_settings(database_url, tmp_path, max_body_bytes=2000)
    with TestClient(create_app(settings)) as client:
        before = count(client)
        big = offensive(summary="x" * 3000)
        response = client.post("/v1/events", json=big, headers=WRITE)
        assert response.status_code == 413
        assert response.headers["content-type"] == "application/problem+json"
        assert response.json()["status"] == 413

        def chunks() -> Iterator[bytes]:  # no Content-Length: the limit is enforced while reading
            yield json.dumps(big).encode()

        streamed = client.post("/v1/events/bulk", content=chunks(), headers=WRITE | NDJSON)
        assert streamed.status_code == 413
        assert streamed.headers["content-type"] == "application/problem+json"
        assert count(client) == before
