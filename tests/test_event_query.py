"""GET /v1/events's fast path answers exactly as the route does, and leaves it everything else."""

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from app.events.fast_list import FastList
from app.main import create_app
from tests.conftest import make_settings

QUERIES = [
    "",
    "province=Helmand",
    "province=hilmand&province=Kandahar&kind=offensive",
    "date_from=2021-05-01&date_to=2021-05-31",
    "actor=Taliban&actor_role=initiator",
    "actor=taleban&date_from=2021-01-01",
    "country=AFG&kind=withdrawal_milestone",
    "q=taliban&province=Helmand",
    "q=%22forced%20to%20flee%22",
    "limit=2",
    "limit=1000",
    # What the fast path leaves to the route: errors, and parameters it does not parse itself.
    "limit=0",
    "limit=abc",
    "province=Atlantis",
    "kind=galaxy",
    "country=afg",
    "country=ZZZ",
    "date_from=2021-13-01",
    "date_from=2021-06-01&date_to=2021-05-01",
    "date_from=2021-05-01&date_from=2021-06-01",
    "provice=Helmand",
    "q=%22",
    "cursor=forged",
    "fields=id,date",
    "bbox=60,29,70,38",
    "updated_since=2020-01-01T00:00:00Z",
    "actor_role=initiator",
    "province=%00",
]


@pytest.fixture
def both(database_url: str, tmp_path: Path) -> Iterator[tuple[TestClient, TestClient]]:
    """The same database served with the fast path and without it."""
    fast = create_app(make_settings(database_url, tmp_path))
    slow = create_app(make_settings(database_url, tmp_path, fast_list=False))
    with TestClient(fast) as fast_client, TestClient(slow) as slow_client:
        yield fast_client, slow_client


def answer(client: TestClient, query: str, **headers: str) -> tuple[Any, ...]:
    response = client.get(f"/v1/events?{query}", headers=headers)
    return (
        response.status_code,
        response.headers.get("content-type"),
        response.headers.get("link"),
        response.headers.get("etag"),
        response.content,
    )


@pytest.mark.parametrize("query", QUERIES)
def test_the_fast_path_answers_as_the_route_does(
    both: tuple[TestClient, TestClient], query: str
) -> None:
    fast, slow = both
    assert answer(fast, query) == answer(slow, query)


def test_pages_follow_each_others_cursors(both: tuple[TestClient, TestClient]) -> None:
    fast, slow = both
    page = fast.get("/v1/events?limit=3").json()
    follow = f"limit=3&cursor={page['next_cursor']}"
    assert answer(fast, follow) == answer(slow, follow)
    assert fast.get(f"/v1/events?{follow}").json()["items"]


def test_plain_lists_take_the_fast_path_and_the_rest_the_route(
    both: tuple[TestClient, TestClient], monkeypatch: pytest.MonkeyPatch
) -> None:
    fast, _ = both
    served: list[str] = []
    page = FastList._page

    def spy(self: FastList, scope: Any, *args: Any) -> Any:
        answered = page(self, scope, *args)  # raises, for a filter the service refuses
        served.append(scope["query_string"].decode())
        return answered

    monkeypatch.setattr(FastList, "_page", spy)
    for query in ("province=Helmand", "q=taliban&limit=2", "province=Atlantis", "fields=id"):
        fast.get(f"/v1/events?{query}")
    fast.get("/v1/events?province=Helmand", headers={"Accept": "text/csv"})
    assert served == ["province=Helmand", "q=taliban&limit=2"]


def test_304_and_gzip_still_apply(both: tuple[TestClient, TestClient]) -> None:
    fast, _ = both
    first = fast.get("/v1/events?province=Helmand", headers={"Accept-Encoding": "gzip"})
    assert first.headers["content-encoding"] == "gzip"
    again = fast.get(
        "/v1/events?province=Helmand", headers={"If-None-Match": first.headers["etag"]}
    )
    assert again.status_code == 304


def test_csv_by_accept_header_is_left_to_the_route(both: tuple[TestClient, TestClient]) -> None:
    fast, slow = both
    assert answer(fast, "province=Helmand", accept="text/csv") == answer(
        slow, "province=Helmand", accept="text/csv"
    )
