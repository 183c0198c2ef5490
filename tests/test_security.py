"""Security and limits: headers and request ids on every answer, an access log that names keys
but never their secrets, CORS only where configured, and the query time limit (503)."""

import asyncio
import json
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient

from app.main import create_app
from tests.conftest import READ_KEY, WRITE, WRITE_KEY, LiveServer, make_settings
from tests.payloads import offensive


def test_every_answer_has_security_headers_and_a_request_id(client: TestClient) -> None:
    answers = [
        client.get("/v1/events"),
        client.get("/v1/events/999999"),  # 404
        client.get("/v1/events?provice=Helmand"),  # 422
        client.post("/v1/events", json=offensive()),  # 401
        client.get("/v1/events.csv"),
        client.get("/docs"),
    ]
    ids = set()
    for response in answers:
        assert response.headers["x-content-type-options"] == "nosniff"
        assert response.headers["x-frame-options"] == "DENY"
        assert response.headers["referrer-policy"] == "no-referrer"
        assert "frame-ancestors 'none'" in response.headers["content-security-policy"]
        ids.add(response.headers["x-request-id"])
    assert len(ids) == len(answers)
    assert answers[-1].headers["content-security-policy"].startswith("default-src 'self'")
    assert answers[0].headers["content-security-policy"].startswith("default-src 'none'")


def test_a_sane_request_id_is_kept_and_a_strange_one_replaced(client: TestClient) -> None:
    kept = client.get("/v1/events", headers={"X-Request-Id": "field-team-42.a_b"})
    assert kept.headers["x-request-id"] == "field-team-42.a_b"
    replaced = client.get("/v1/events", headers={"X-Request-Id": "<script>" + "x" * 100})
    assert replaced.headers["x-request-id"] != "<script>" + "x" * 100
    assert len(replaced.headers["x-request-id"]) == 32


def test_cors_is_off_by_default(client: TestClient) -> None:
    response = client.get("/v1/events", headers={"Origin": "https://example.org"})
    assert "access-control-allow-origin" not in response.headers
    preflight = client.options(
        "/v1/events",
        headers={"Origin": "https://example.org", "Access-Control-Request-Method": "GET"},
    )
    assert "access-control-allow-origin" not in preflight.headers


def test_cors_allows_only_the_configured_origins(database_url: str, tmp_path: Path) -> None:
    settings = make_settings(database_url, tmp_path, cors_origins="https://maps.example.org")
    with TestClient(create_app(settings)) as client:
        allowed = client.get("/v1/events", headers={"Origin": "https://maps.example.org"})
        other = client.get("/v1/events", headers={"Origin": "https://evil.example.com"})
        preflight = client.options(
            "/v1/events/1",
            headers={
                "Origin": "https://maps.example.org",
                "Access-Control-Request-Method": "PATCH",
                "Access-Control-Request-Headers": "authorization, if-match",
            },
        )
    assert allowed.headers["access-control-allow-origin"] == "https://maps.example.org"
    assert "etag" in allowed.headers["access-control-expose-headers"].lower()
    assert "access-control-allow-origin" not in other.headers
    assert preflight.status_code == 200
    assert "PATCH" in preflight.headers["access-control-allow-methods"]


def test_the_access_log_names_keys_but_never_logs_secrets(
    live_server: Callable[..., LiveServer], database_url: str
) -> None:
    server = live_server(database_url)
    httpx.post(
        f"{server.url}/v1/events",
        json=offensive(),
        headers=WRITE | {"X-Request-Id": "create-1"},
    )
    httpx.get(f"{server.url}/api/acled/read", params={"key": READ_KEY, "email": "a@b.org"})
    httpx.get(f"{server.url}/v1/events", params={"province": "Helmand"})
    server.stop()
    log = server.log.read_text()
    assert WRITE_KEY not in log
    assert READ_KEY not in log
    assert "a@b.org" not in log
    lines = [json.loads(line) for line in log.splitlines() if line.startswith("{")]
    [create] = [line for line in lines if line["request_id"] == "create-1"]
    assert (create["method"], create["path"], create["status"], create["key"]) == (
        "POST",
        "/v1/events",
        201,
        "editor",
    )
    [acled] = [line for line in lines if line["path"] == "/api/acled/read"]
    assert "key=%5Bredacted%5D" in acled["query"]
    [listing] = [line for line in lines if line["path"] == "/v1/events" and line["method"] == "GET"]
    assert listing["query"] == "province=Helmand"
    assert listing["status"] == 200
    assert listing["bytes"] > 0


def _load(client: TestClient, n: int) -> None:
    for start in range(0, n, 500):
        records = [
            offensive(
                dataset="time-limit",
                external_id=str(i),
                date=f"20{10 + i % 12}-0{1 + i % 9}-1{i % 10}",
            )
            for i in range(start, min(n, start + 500))
        ]
        response = client.post("/v1/events/bulk", json=records, headers=WRITE)
        assert response.status_code == 200, response.text


SLOW = "/v1/stats?group_by=day&group_by=actor&q=Taliban"


def test_a_query_over_the_time_limit_is_a_503_and_changes_nothing(
    database_url: str, tmp_path: Path
) -> None:
    with TestClient(create_app(make_settings(database_url, tmp_path))) as client:
        _load(client, 3000)
        unlimited = client.get(SLOW)
        count = client.get("/v1/stats").json()["total"]["events"]
    assert unlimited.status_code == 200
    settings = make_settings(database_url, tmp_path, query_time_limit_ms=1)
    with TestClient(create_app(settings)) as client:
        response = client.get(SLOW)
    assert response.status_code == 503
    assert response.headers["content-type"] == "application/problem+json"
    assert response.headers["retry-after"] == "5"
    problem = response.json()
    assert (problem["status"], problem["type"]) == (503, "/problems/query-time-limit")
    assert "1 ms" in problem["detail"]
    with TestClient(create_app(make_settings(database_url, tmp_path))) as client:
        assert client.get("/v1/stats").json()["total"]["events"] == count


def test_the_time_limit_does_not_cut_a_streaming_export(database_url: str, tmp_path: Path) -> None:
    with TestClient(create_app(make_settings(database_url, tmp_path))) as client:
        _load(client, 3000)
        expected = client.get("/v1/stats").json()["total"]["events"]
    limit_ms = 50
    settings = make_settings(database_url, tmp_path, query_time_limit_ms=limit_ms)
    with TestClient(create_app(settings)) as client:
        started = time.perf_counter()
        response = client.get("/v1/events.ndjson")
        elapsed_ms = (time.perf_counter() - started) * 1000
    assert response.status_code == 200
    assert len(response.text.splitlines()) == expected
    assert elapsed_ms > limit_ms  # the whole export took longer than the limit, and was whole


def test_uvicorn_does_not_log_urls_with_keys(
    live_server: Callable[..., LiveServer], database_url: str
) -> None:
    server = live_server(database_url)
    httpx.get(f"{server.url}/api/acled/read", params={"key": "k" * 20 + "-visible"})
    server.stop()
    assert "-visible" not in server.log.read_text()


async def _asgi_get(client: TestClient, path: str, query: str) -> tuple[int, bytes]:
    """A GET straight to the app, for queries longer than HTTP clients send (uvicorn itself
    refuses request lines over 64 KB with a plain 400, before the app)."""
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "GET",
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": query.encode(),
        "headers": [(b"host", b"testserver")],
        "client": ("127.0.0.1", 1),
        "server": ("testserver", 80),
        "root_path": "",
    }
    answer: dict[str, Any] = {"body": b""}

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        if message["type"] == "http.response.start":
            answer["status"] = message["status"]
        else:
            answer["body"] += message.get("body", b"")

    await client.app(scope, receive, send)  # type: ignore[arg-type]
    return answer["status"], answer["body"]


@pytest.mark.parametrize(
    ("path", "query", "status"),
    [
        ("/v1/events", "&".join(["province=Helmand"] * 10_000), 422),
        ("/v1/stats", "&".join(["kind=offensive"] * 10_000), 422),
        ("/v1/events", "&".join(f"p{i}=1" for i in range(10_000)), 422),
        ("/v1/events", "q=" + "a" * 10 * 1024 * 1024, 422),
        ("/api/acled/read", "&".join(["admin1=Helmand"] * 10_000), 400),
        ("/api/acled/read", "notes=" + "a" * 10 * 1024 * 1024, 400),
    ],
)
def test_oversized_queries_are_refused_quickly(
    client: TestClient, path: str, query: str, status: int
) -> None:
    started = time.perf_counter()
    answered, body = asyncio.run(_asgi_get(client, path, query))
    assert answered == status
    assert json.loads(body)
    assert time.perf_counter() - started < 5


@pytest.mark.parametrize(
    ("body", "status"),
    [
        (b"[" * 10_000 + b"]" * 10_000, 400),  # nested past what JSON parsing allows
        (b'{"a":' * 10_000 + b"1" + b"}" * 10_000, 400),
        (json.dumps(offensive(summary="x" * 10 * 1024 * 1024)).encode(), 422),  # too long
        (json.dumps(offensive(summary="\u202e\U0001d573\u0000")).encode(), 422),  # a NUL
    ],
)
def test_abusive_bodies_are_4xx_and_store_nothing(
    client: TestClient, body: bytes, status: int
) -> None:
    before = client.get("/v1/stats").json()["total"]["events"]
    for path in ("/v1/events", "/v1/events/bulk"):
        response = client.post(
            path, content=body, headers=WRITE | {"Content-Type": "application/json"}
        )
        assert response.status_code == status
        assert response.headers["content-type"] == "application/problem+json"
        assert response.json()["errors"]
    assert client.get("/v1/stats").json()["total"]["events"] == before
