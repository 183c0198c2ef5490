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
