"""The real server: `conflict-events serve` on a real port, one or several workers."""

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

import httpx

from tests.conftest import WRITE, LiveServer
from tests.payloads import offensive


def test_serve_migrates_and_seeds_an_empty_database_once(
    empty_database_url: str, live_server: Callable[..., LiveServer]
) -> None:
    server = live_server(empty_database_url)
    events = httpx.get(f"{server.url}/v1/events").json()["items"]
    assert len(events) == 10
    server.stop()
    again = live_server(empty_database_url, "--workers", "2")
    assert [e["id"] for e in httpx.get(f"{again.url}/v1/events").json()["items"]] == [
        e["id"] for e in events
    ]
    assert "seeds: 0 inserted, 10 already there" in again.log.read_text()


def test_serve_can_skip_the_seeds(
    empty_database_url: str, live_server: Callable[..., LiveServer]
) -> None:
    server = live_server(empty_database_url, CE_AUTO_SEED="false")
    assert httpx.get(f"{server.url}/v1/events").json()["items"] == []
    assert httpx.get(f"{server.url}/v1/provinces").status_code == 200


def test_concurrent_creates_are_each_stored_once(
    empty_database_url: str, live_server: Callable[..., LiveServer]
) -> None:
    server = live_server(empty_database_url, "--workers", "2", CE_AUTO_SEED="false")
    clients, per_client = 8, 50

    def create_many(client_number: int) -> list[int]:
        statuses = []
        with httpx.Client(base_url=server.url, headers=WRITE, timeout=60) as http:
            for n in range(per_client):
                record = offensive(
                    dataset="load-test",
                    external_id=f"{client_number}-{n}",
                    actors=[{"name": f"Group {n % 7}", "role": "initiator"}],
                )
                statuses.append(http.post("/v1/events", json=record).status_code)
        return statuses

    with ThreadPoolExecutor(clients) as pool:
        statuses = [s for result in pool.map(create_many, range(clients)) for s in result]
    assert statuses == [201] * clients * per_client
    stored = []
    url: str | None = f"{server.url}/v1/events?limit=1000"
    while url:
        response = httpx.get(url)
        stored += [item["external_id"] for item in response.json()["items"]]
        url = response.headers.get("link", "").split(">")[0].lstrip("<") or None
    assert sorted(stored) == sorted(f"{c}-{n}" for c in range(clients) for n in range(per_client))
    actors = httpx.get(f"{server.url}/v1/actors?q=group").json()["items"]
    assert sorted(a["name"] for a in actors) == [f"Group {n}" for n in range(7)]
    assert "database is locked" not in server.log.read_text()


def test_concurrent_edits_of_one_record_have_one_winner_per_version(
    database_url: str, live_server: Callable[..., LiveServer]
) -> None:
    server = live_server(database_url, "--workers", "2")
    event_id, clients, attempts = 1, 6, 12

    def edit(client_number: int) -> list[tuple[int, int, str]]:
        outcomes = []
        with httpx.Client(base_url=server.url, headers=WRITE, timeout=60) as http:
            for attempt in range(attempts):
                etag = http.get(f"/v1/events/{event_id}").headers["etag"]
                summary = f"edit by client {client_number}, attempt {attempt}"
                response = http.patch(
                    f"/v1/events/{event_id}",
                    json={"summary": summary},
                    headers={"If-Match": etag, "Content-Type": "application/merge-patch+json"},
                )
                outcomes.append((response.status_code, int(etag.strip('"')), summary))
        return outcomes

    with ThreadPoolExecutor(clients) as pool:
        outcomes = [o for result in pool.map(edit, range(clients)) for o in result]
    assert {status for status, _, _ in outcomes} <= {200, 412}
    winners = {base: summary for status, base, summary in outcomes if status == 200}
    assert len(winners) == sum(1 for status, _, _ in outcomes if status == 200)  # one per version
    final = httpx.get(f"{server.url}/v1/events/{event_id}").json()
    assert final["version"] == 1 + len(winners)
    assert final["summary"] == winners[max(winners)]
    history = httpx.get(f"{server.url}/v1/events/{event_id}/history").json()["items"]
    assert [h["version"] for h in history] == list(range(1, final["version"] + 1))
    for revision in history[1:]:  # every winning edit is in the history, none lost
        assert revision["patch"] == [
            {"op": "replace", "path": "/summary", "value": winners[revision["version"] - 1]}
        ]
