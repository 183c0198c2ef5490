"""Editing with optimistic concurrency: ETag / If-Match, PUT, PATCH, DELETE, history."""

import json
import threading
from collections.abc import Callable
from typing import Any

import httpx
import httpx2
import jsonpatch
import pytest
from fastapi.testclient import TestClient

from tests.conftest import OTHER_WRITE, WRITE, LiveServer
from tests.payloads import displacement, offensive


def create(client: TestClient, record: dict[str, Any] | None = None) -> dict[str, Any]:
    response = client.post("/v1/events", json=record or offensive(), headers=WRITE)
    assert response.status_code == 201, response.text
    assert response.headers["etag"] == '"1"'
    created: dict[str, Any] = response.json()
    return created


def patch(
    client: TestClient,
    event_id: int,
    body: Any,
    if_match: str | None,
    headers: dict[str, str] = WRITE,
) -> httpx2.Response:
    extra = {"Content-Type": "application/merge-patch+json"}
    if if_match is not None:
        extra["If-Match"] = if_match
    return client.patch(f"/v1/events/{event_id}", json=body, headers=headers | extra)


def test_read_event_carries_its_version_as_etag(client: TestClient) -> None:
    response = client.get("/v1/events/1")
    assert response.headers["etag"] == f'"{response.json()["version"]}"'


def test_patch_event_merges_fields_and_bumps_the_version(client: TestClient) -> None:
    event = create(client, offensive(location="Kunduz airport"))
    response = patch(client, event["id"], {"outcome": "territory_taken", "location": None}, '"1"')
    assert response.status_code == 200, response.text
    assert response.headers["etag"] == '"2"'
    changed = response.json()
    assert changed["outcome"] == "territory_taken"
    assert changed["location"] is None
    assert changed["version"] == 2
    assert changed["updated_at"] > event["updated_at"]
    assert {
        k: v
        for k, v in changed.items()
        if k not in ("outcome", "location", "version", "updated_at")
    } == {
        k: v for k, v in event.items() if k not in ("outcome", "location", "version", "updated_at")
    }


def test_patch_nested_figure_keeps_its_other_parts(client: TestClient) -> None:
    event = create(client)
    changed = patch(client, event["id"], {"fatalities": {"value": 15}}, '"1"').json()
    assert changed["fatalities"]["value"] == 15
    assert changed["fatalities"]["claimed_by"] == "provincial police"


@pytest.mark.parametrize("method", ["PATCH", "PUT", "DELETE"])
def test_write_without_if_match_is_428_and_changes_nothing(client: TestClient, method: str) -> None:
    event = create(client)
    body = {"outcome": "stalemate"} if method == "PATCH" else offensive(outcome="stalemate")
    response = client.request(method, f"/v1/events/{event['id']}", json=body, headers=WRITE)
    assert response.status_code == 428
    assert response.headers["content-type"] == "application/problem+json"
    assert client.get(f"/v1/events/{event['id']}").json() == event


@pytest.mark.parametrize("if_match", ['"2"', '"0"', 'W/"1"', "1", "garbage"])
def test_write_with_another_version_is_412_and_changes_nothing(
    client: TestClient, if_match: str
) -> None:
    event = create(client)
    response = patch(client, event["id"], {"outcome": "stalemate"}, if_match)
    assert response.status_code == 412
    assert response.headers["etag"] == '"1"'
    assert client.get(f"/v1/events/{event['id']}").json() == event


def test_write_with_any_version_star_or_a_list(client: TestClient) -> None:
    event = create(client)
    assert patch(client, event["id"], {"outcome": "stalemate"}, "*").status_code == 200
    assert patch(client, event["id"], {"outcome": "ongoing"}, '"7", "2"').status_code == 200


def test_patch_cannot_change_kind_but_put_can(client: TestClient) -> None:
    event = create(client)
    response = patch(client, event["id"], {"kind": "displacement", "families": {"value": 5}}, '"1"')
    assert response.status_code == 422
    assert response.json()["errors"][0]["pointer"] == "/kind"
    put = client.put(
        f"/v1/events/{event['id']}", json=displacement(), headers=WRITE | {"If-Match": '"1"'}
    )
    assert put.status_code == 200, put.text
    assert put.json()["kind"] == "displacement"
    assert "outcome" not in put.json()
    assert put.json()["id"] == event["id"]
    assert event["id"] in [
        i["id"] for i in client.get("/v1/events?kind=displacement").json()["items"]
    ]


@pytest.mark.parametrize(
    ("body", "content_type", "status"),
    [
        (b'{"outcome": "x"}', "text/plain", 415),
        (b"{", "application/merge-patch+json", 400),
        (b"[1, 2]", "application/merge-patch+json", 422),
        (b'{"outcome": "won"}', "application/merge-patch+json", 422),
        (b'{"latitude": 95, "longitude": 10}', "application/json", 422),
        (b'{"province": "Atlantis"}', "application/json", 422),
    ],
)
def test_bad_patch_changes_nothing(
    client: TestClient, body: bytes, content_type: str, status: int
) -> None:
    event = create(client)
    response = client.patch(
        f"/v1/events/{event['id']}",
        content=body,
        headers=WRITE | {"If-Match": '"1"', "Content-Type": content_type},
    )
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert client.get(f"/v1/events/{event['id']}").json() == event


def test_put_invalid_record_changes_nothing(client: TestClient) -> None:
    event = create(client)
    response = client.put(
        f"/v1/events/{event['id']}",
        json=offensive(date="2021-99-01"),
        headers=WRITE | {"If-Match": '"1"'},
    )
    assert response.status_code == 422
    assert client.get(f"/v1/events/{event['id']}").json() == event


def test_delete_keeps_a_tombstone_that_sync_clients_see(client: TestClient) -> None:
    event = create(client)
    listed_before = [i["id"] for i in client.get("/v1/events?limit=1000").json()["items"]]
    assert event["id"] in listed_before
    response = client.delete(f"/v1/events/{event['id']}", headers=WRITE | {"If-Match": '"1"'})
    assert response.status_code == 204
    gone = client.get(f"/v1/events/{event['id']}")
    assert gone.status_code == 410
    assert gone.headers["content-type"] == "application/problem+json"
    assert event["id"] not in [i["id"] for i in client.get("/v1/events?limit=1000").json()["items"]]
    deleted = client.get("/v1/events/deleted").json()["items"]
    assert [d["id"] for d in deleted] == [event["id"]]
    assert deleted[0]["deleted_at"].endswith(("Z", "+00:00"))
    later = client.get("/v1/events/deleted", params={"since": deleted[0]["deleted_at"]}).json()
    assert later["items"] == []


@pytest.mark.parametrize("method", ["PATCH", "PUT", "DELETE"])
def test_writes_to_a_deleted_record_are_410(client: TestClient, method: str) -> None:
    event = create(client)
    client.delete(f"/v1/events/{event['id']}", headers=WRITE | {"If-Match": '"1"'})
    body = {"outcome": "stalemate"} if method == "PATCH" else offensive()
    response = client.request(
        method, f"/v1/events/{event['id']}", json=body, headers=WRITE | {"If-Match": "*"}
    )
    assert response.status_code == 410


def test_deleted_since_needs_a_timezone(client: TestClient) -> None:
    response = client.get("/v1/events/deleted", params={"since": "2021-05-01T00:00:00"})
    assert response.status_code == 422
    assert response.json()["errors"][0]["name"] == "since"


def test_history_lists_every_revision_with_its_key_and_patch(client: TestClient) -> None:
    event = create(client)
    patch(client, event["id"], {"outcome": "stalemate"}, '"1"', headers=OTHER_WRITE)
    client.put(
        f"/v1/events/{event['id']}",
        json=offensive(summary="Corrected."),
        headers=WRITE | {"If-Match": '"2"'},
    )
    client.delete(f"/v1/events/{event['id']}", headers=OTHER_WRITE | {"If-Match": '"3"'})
    history = client.get(f"/v1/events/{event['id']}/history").json()["items"]
    assert [(h["version"], h["action"], h["changed_by"]) for h in history] == [
        (1, "create", "editor"),
        (2, "update", "corrector"),
        (3, "update", "editor"),
        (4, "delete", "corrector"),
    ]
    assert history[1]["patch"] == [{"op": "replace", "path": "/outcome", "value": "stalemate"}]
    assert {"op": "replace", "path": "/summary", "value": "Corrected."} in history[2]["patch"]
    assert history[3]["patch"] == []
    # Replaying the patches rebuilds each version from nothing.
    state = jsonpatch.apply_patch({}, history[0]["patch"])
    assert state["summary"] == event["summary"]
    state = jsonpatch.apply_patch(state, history[1]["patch"])
    assert state["outcome"] == "stalemate"
    state = jsonpatch.apply_patch(state, history[2]["patch"])
    assert (state["outcome"], state["summary"]) == ("repelled", "Corrected.")
    assert [h["changed_at"] for h in history] == sorted(h["changed_at"] for h in history)


def test_history_of_unknown_event_is_404(client: TestClient) -> None:
    assert client.get("/v1/events/999999/history").status_code == 404


def test_each_concurrent_edit_is_answered_with_the_version_it_made(
    live_server: Callable[..., LiveServer], database_url: str
) -> None:
    # The answer was once read after the commit, so another writer's change could come back as
    # ours. Six writers edit one record at once; each 200 shows its own summary and version.
    server = live_server(database_url)
    merge = WRITE | {"Content-Type": "application/merge-patch+json", "If-Match": "*"}
    answers: list[tuple[str, httpx.Response]] = []

    def edit(writer: int) -> None:
        with httpx.Client(base_url=server.url, timeout=30) as http:
            for round_ in range(8):
                summary = f"Edited by writer {writer}, round {round_}."
                body = json.dumps({"summary": summary})
                answers.append((summary, http.patch("/v1/events/1", content=body, headers=merge)))

    threads = [threading.Thread(target=edit, args=(n,)) for n in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    # On PostgreSQL a patch merged onto a version another writer has since replaced is a 412.
    assert {r.status_code for _, r in answers} <= {200, 412}
    done = [(summary, r) for summary, r in answers if r.status_code == 200]
    assert len(done) >= 6
    for summary, response in done:
        assert response.json()["summary"] == summary
        assert response.headers["etag"] == f'"{response.json()["version"]}"'
    assert len({r.json()["version"] for _, r in done}) == len(done)
