"""Wrong API keys are limited per client address: past CE_AUTH_FAILURES_PER_MINUTE, 429 with
Retry-After for any key from that address, which is then not looked up at all."""

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from app.core.settings import Settings
from app.keys.limits import FailureLimiter, failure_limiter
from app.keys.service import stored_key
from app.main import create_app
from tests.conftest import ADMIN, ADMIN_KEY, READ_KEY, WRITE, LiveServer, make_settings
from tests.payloads import offensive

LIMIT = 5
WRONG = {"Authorization": "Bearer ce_never-issued-0000000000000"}
ATTACKER, NEIGHBOUR = "203.0.113.7", "198.51.100.9"


def bearer(secret: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {secret}"}


class Clock:
    """A clock the test moves by hand, standing in for time.monotonic."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


class Clients:
    """One app, and a test client for it at any address."""

    def __init__(self, app: FastAPI) -> None:
        self.app = app
        self.clock = Clock()
        failure_limiter(app).clock = self.clock

    def at(self, address: str) -> TestClient:
        return TestClient(self.app, client=(address, 50000))


@contextmanager
def serving(database_url: str, tmp_path: Path, **overrides: Any) -> Iterator[Clients]:
    settings = make_settings(database_url, tmp_path, **overrides)
    app = create_app(settings)
    with TestClient(app):  # the lifespan: the engine is disposed of at the end
        yield Clients(app)


@pytest.fixture
def limited(database_url: str, tmp_path: Path) -> Iterator[Clients]:
    with serving(database_url, tmp_path, auth_failures_per_minute=LIMIT) as clients:
        yield clients


@pytest.fixture
def lookups(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Each secret looked up in the database, in order."""
    looked_up: list[str] = []

    def counting(engine: Any, secret: str) -> Any:
        looked_up.append(secret)
        return stored_key(engine, secret)

    monkeypatch.setattr("app.keys.auth.stored_key", counting)
    return looked_up


def assert_limited(response: Any) -> int:
    """The 429 problem; its Retry-After, in seconds."""
    assert response.status_code == 429, response.text
    assert response.headers["content-type"] == "application/problem+json"
    problem = response.json()
    assert problem["type"] == "/problems/too-many-failed-keys"
    assert problem["status"] == 429
    assert problem["title"]
    assert problem["detail"]
    retry_after = int(response.headers["retry-after"])
    assert 1 <= retry_after <= 60
    return retry_after


def test_wrong_keys_past_the_limit_get_429_and_are_not_looked_up(
    limited: Clients, lookups: list[str]
) -> None:
    attacker = limited.at(ATTACKER)
    for _ in range(LIMIT):
        response = attacker.post("/v1/events", json=offensive(), headers=WRONG)
        assert response.status_code == 401
    assert len(lookups) == LIMIT
    assert_limited(attacker.post("/v1/events", json=offensive(), headers=WRONG))
    # The right key too: an address over the limit cannot tell a right key from a wrong one.
    right = attacker.post("/v1/events", json=offensive(), headers=WRITE)
    wrong = attacker.get("/v1/keys", headers=WRONG)
    assert_limited(right)
    assert right.json() == wrong.json()
    assert right.headers["retry-after"] == wrong.headers["retry-after"]
    assert len(lookups) == LIMIT  # none of the refused keys cost a database query
    assert "ce_never-issued" not in right.text + wrong.text
    # No key at all is not a guess: the usual 401, which says a key is needed.
    assert attacker.post("/v1/events", json=offensive()).status_code == 401


def test_a_revoked_key_counts_as_a_wrong_one(limited: Clients) -> None:
    admin = limited.at("192.0.2.1")
    created = admin.post("/v1/keys", json={"name": "leaked", "scope": "write"}, headers=ADMIN)
    secret = created.json()["secret"]
    assert admin.delete("/v1/keys/leaked", headers=ADMIN).status_code == 204
    attacker = limited.at(ATTACKER)
    for _ in range(LIMIT):
        assert attacker.get("/v1/keys", headers=bearer(secret)).status_code == 401
    assert_limited(attacker.get("/v1/keys", headers=bearer(secret)))


def test_other_addresses_are_not_affected(limited: Clients) -> None:
    attacker, neighbour = limited.at(ATTACKER), limited.at(NEIGHBOUR)
    for _ in range(LIMIT + 3):
        attacker.post("/v1/events", json=offensive(), headers=WRONG)
    assert_limited(attacker.get("/v1/keys", headers=ADMIN))
    assert neighbour.post("/v1/events", json=offensive(), headers=WRITE).status_code == 201
    assert neighbour.get("/v1/keys", headers=ADMIN).status_code == 200
    assert neighbour.post("/v1/events", json=offensive(), headers=WRONG).status_code == 401


def test_valid_keys_and_missing_ones_never_count(limited: Clients) -> None:
    client = limited.at(ATTACKER)
    for _ in range(3 * LIMIT):
        assert client.get("/v1/keys", headers=ADMIN).status_code == 200
        assert client.get("/v1/keys", headers=WRITE).status_code == 403  # a key, without scope
        assert client.get("/v1/keys").status_code == 401  # no key: not a guess
    for _ in range(LIMIT - 1):
        assert client.get("/v1/keys", headers=WRONG).status_code == 401
    for _ in range(3 * LIMIT):
        assert client.get("/v1/keys", headers=ADMIN).status_code == 200
    assert client.get("/v1/keys", headers=WRONG).status_code == 401  # the last one allowed
    assert_limited(client.get("/v1/keys", headers=ADMIN))  # valid keys did not clear the count


def test_the_limit_ends_with_the_window(limited: Clients) -> None:
    client = limited.at(ATTACKER)
    for _ in range(LIMIT):
        assert client.get("/v1/keys", headers=WRONG).status_code == 401
    assert assert_limited(client.get("/v1/keys", headers=ADMIN)) == 60
    limited.clock.now += 45.5
    assert assert_limited(client.get("/v1/keys", headers=ADMIN)) == 15
    limited.clock.now += 14
    assert assert_limited(client.get("/v1/keys", headers=WRONG)) == 1
    limited.clock.now += 0.5  # 60 s since the first failure
    assert client.get("/v1/keys", headers=ADMIN).status_code == 200
    # A new window: the same number of guesses again, no more.
    for _ in range(LIMIT):
        assert client.get("/v1/keys", headers=WRONG).status_code == 401
    assert_limited(client.get("/v1/keys", headers=WRONG))


def test_the_acled_endpoint_answers_429_in_acleds_shape(database_url: str, tmp_path: Path) -> None:
    overrides = {"auth_failures_per_minute": LIMIT, "read_requires_key": True}
    with serving(database_url, tmp_path, **overrides) as clients:
        attacker = clients.at(ATTACKER)
        for _ in range(LIMIT):
            response = attacker.get("/api/acled/read?limit=1&key=old-acled-key")
            assert response.status_code == 401
            assert response.json()["success"] is False
            assert response.headers["www-authenticate"] == "Bearer"
        for query in ("key=old-acled-key", f"key={READ_KEY}"):
            refused = attacker.get(f"/api/acled/read?limit=1&{query}")
            assert refused.status_code == 429
            assert 1 <= int(refused.headers["retry-after"]) <= 60
            body = refused.json()
            assert (body["status"], body["success"]) == (429, False)
            assert body["error"]["status"] == 429
            assert body["error"]["message"]
        header = attacker.get("/api/deleted/read", headers=bearer(READ_KEY))
        assert header.status_code == 429
        assert "retry-after" in header.headers
        # Reads with a key on /v1 are limited the same way.
        assert_limited(attacker.get("/v1/events", headers=bearer(READ_KEY)))
        neighbour = clients.at(NEIGHBOUR)
        assert neighbour.get(f"/api/acled/read?limit=1&key={READ_KEY}").json()["success"] is True


def test_zero_means_no_limit(database_url: str, tmp_path: Path) -> None:
    with serving(database_url, tmp_path, auth_failures_per_minute=0) as clients:
        client = clients.at(ATTACKER)
        for _ in range(50):
            assert client.get("/v1/keys", headers=WRONG).status_code == 401
        assert client.get("/v1/keys", headers=ADMIN).status_code == 200


def test_the_default_limit_is_30_and_configurable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CE_AUTH_FAILURES_PER_MINUTE", raising=False)
    assert Settings(api_keys="").auth_failures_per_minute == 30
    monkeypatch.setenv("CE_AUTH_FAILURES_PER_MINUTE", "7")
    assert Settings(api_keys="").auth_failures_per_minute == 7
    monkeypatch.setenv("CE_AUTH_FAILURES_PER_MINUTE", "-1")
    with pytest.raises(ValueError, match="greater than or equal to 0"):
        Settings(api_keys="")


def test_the_default_limit_applies_to_an_app(client: TestClient) -> None:
    for _ in range(30):
        assert client.get("/v1/keys", headers=WRONG).status_code == 401
    assert_limited(client.get("/v1/keys", headers=bearer(ADMIN_KEY)))


def test_the_limiter_tracks_a_bounded_number_of_addresses() -> None:
    clock = Clock()
    limiter = FailureLimiter(2, max_clients=100, clock=clock)
    for i in range(1000):
        limiter.failed(f"10.0.{i // 256}.{i % 256}")
        clock.now += 0.01
    assert len(limiter) == 100
    limiter.failed("10.0.3.231")  # the last one, still tracked: now at its limit
    assert limiter.retry_after("10.0.3.231") == 60
    limiter.failed("10.0.0.0")  # the first one was forgotten: this starts it anew
    assert limiter.retry_after("10.0.0.0") is None
    clock.now += 60
    assert limiter.retry_after("10.0.3.231") is None
    assert len(limiter) == 0  # ended windows are forgotten


def test_requests_without_a_known_address_share_one_count() -> None:
    limiter = FailureLimiter(3, clock=Clock())
    for _ in range(3):
        assert limiter.retry_after(None) is None
        limiter.failed(None)
    assert limiter.retry_after(None) == 60
    assert limiter.retry_after("192.0.2.1") is None


def test_behind_a_trusted_proxy_the_forwarded_address_is_the_one_counted(
    database_url: str, live_server: Callable[..., LiveServer]
) -> None:
    server = live_server(
        database_url, CE_AUTH_FAILURES_PER_MINUTE="3", CE_FORWARDED_ALLOW_IPS="127.0.0.1"
    )
    wrong = {"Authorization": "Bearer wrong-key-0123456789abcdef"}
    with httpx.Client(base_url=server.url, timeout=30) as http:
        guesser = {"X-Forwarded-For": "203.0.113.7"}
        statuses = [
            http.post("/v1/events", json=offensive(), headers=wrong | guesser).status_code
            for _ in range(4)
        ]
        assert statuses == [401, 401, 401, 429]
        neighbour = http.post(
            "/v1/events", json=offensive(), headers=WRITE | {"X-Forwarded-For": "203.0.113.8"}
        )
        assert neighbour.status_code == 201


def test_without_a_trusted_proxy_a_forwarded_address_is_ignored(
    database_url: str, live_server: Callable[..., LiveServer]
) -> None:
    server = live_server(database_url, CE_AUTH_FAILURES_PER_MINUTE="3")
    wrong = {"Authorization": "Bearer wrong-key-0123456789abcdef"}
    with httpx.Client(base_url=server.url, timeout=30) as http:
        # A guesser cannot pass for a new client with each request.
        statuses = [
            http.post(
                "/v1/events",
                json=offensive(),
                headers=wrong | {"X-Forwarded-For": f"203.0.113.{n}"},
            ).status_code
            for n in range(4)
        ]
        assert statuses == [401, 401, 401, 429]
