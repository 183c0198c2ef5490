"""ACLED's OAuth login: POST /oauth/token issues tokens bound to our API keys, and a Bearer token
reads /api/acled/read and /api/deleted/read; the real `acled` package logs in and reads."""

import json
import os
import subprocess
import sys
import textwrap
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient

from app.core.pagination import encode_cursor
from app.core.settings import Scope, Settings
from app.keys import tokens
from app.main import create_app
from app.sources.acled import event_id
from tests.conftest import (
    ADMIN,
    CURSOR_SECRET,
    READ_KEY,
    WRITE,
    WRITE_KEY,
    LiveServer,
    make_settings,
)

FORM = {"grant_type": "password", "client_id": "acled"}


@pytest.fixture
def closed(database_url: str, tmp_path: Path) -> Iterator[TestClient]:
    """A server whose reads need a key (CE_READ_REQUIRES_KEY=true)."""
    settings = make_settings(database_url, tmp_path, read_requires_key=True)
    with TestClient(create_app(settings)) as client:
        yield client


def login(client: TestClient, username: str = "viewer", password: str = READ_KEY) -> Any:
    return client.post("/oauth/token", data=FORM | {"username": username, "password": password})


def tokens_of(client: TestClient, username: str = "viewer", password: str = READ_KEY) -> Any:
    response = login(client, username, password)
    assert response.status_code == 200, response.text
    return response.json()


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def read(client: TestClient, token: str, path: str = "/api/acled/read?limit=0") -> Any:
    return client.get(path, headers=bearer(token))


def assert_acled_error(response: Any, status: int) -> None:
    assert response.status_code == status, response.text
    body = response.json()
    assert (body["status"], body["success"], body["error"]["status"]) == (status, False, status)
    assert body["error"]["message"]


def test_a_login_gives_acleds_tokens_which_read_data_and_deletions(closed: TestClient) -> None:
    response = login(closed)
    assert response.status_code == 200
    assert response.headers["cache-control"] == "no-store"
    answer = response.json()
    assert answer["token_type"] == "Bearer"
    assert answer["expires_in"] == 24 * 3600
    assert answer["refresh_token_expires_in"] == 14 * 24 * 3600
    assert answer["access_token"] != answer["refresh_token"]
    data = read(closed, answer["access_token"])
    assert data.status_code == 200
    assert data.json()["success"] is True
    assert (
        data.json()["count"]
        == len(closed.get("/v1/events?limit=1000", headers=WRITE).json()["items"])
        > 0
    )
    deleted = read(closed, answer["access_token"], "/api/deleted/read")
    assert deleted.status_code == 200
    assert deleted.json()["success"] is True


def test_the_login_takes_a_keys_name_and_its_secret_together(closed: TestClient) -> None:
    assert login(closed, "editor", WRITE_KEY).status_code == 200
    for username, password in [
        ("viewer", "not-the-secret-0123456789"),
        ("editor", READ_KEY),  # another key's secret
        ("nobody", READ_KEY),
    ]:
        response = login(closed, username, password)
        assert response.status_code == 400
        assert response.json()["error"] == "invalid_grant"
        assert "access_token" not in response.json()


@pytest.mark.parametrize(
    ("form", "status", "error"),
    [
        (FORM | {"username": "viewer"}, 400, "invalid_request"),
        ({"grant_type": "client_credentials"}, 400, "unsupported_grant_type"),
        ({"client_id": "acled"}, 400, "unsupported_grant_type"),
        (FORM | {"client_id": "other", "username": "viewer", "password": READ_KEY}, 401,
         "invalid_client"),
        ({"grant_type": "refresh_token"}, 400, "invalid_request"),
    ],
)  # fmt: skip
def test_malformed_logins_get_oauths_errors(
    closed: TestClient, form: dict[str, str], status: int, error: str
) -> None:
    response = closed.post("/oauth/token", data=form)
    assert response.status_code == status
    assert response.json()["error"] == error


def test_a_login_sent_as_json_is_refused(closed: TestClient) -> None:
    response = closed.post("/oauth/token", json=FORM | {"username": "viewer", "password": READ_KEY})
    assert response.status_code == 400
    assert response.json()["error"] == "invalid_request"


def test_a_refresh_token_renews_and_is_no_access_token(closed: TestClient) -> None:
    first = tokens_of(closed)
    renewed = closed.post(
        "/oauth/token",
        data={"grant_type": "refresh_token", "client_id": "acled"}
        | {"refresh_token": first["refresh_token"]},
    )
    assert renewed.status_code == 200
    assert read(closed, renewed.json()["access_token"]).status_code == 200
    assert_acled_error(read(closed, first["refresh_token"]), 401)
    as_refresh = closed.post(
        "/oauth/token", data={"grant_type": "refresh_token", "refresh_token": first["access_token"]}
    )
    assert as_refresh.status_code == 400
    assert as_refresh.json()["error"] == "invalid_grant"


def test_tokens_expire_as_acleds_do(closed: TestClient, monkeypatch: pytest.MonkeyPatch) -> None:
    issued = tokens_of(closed)
    now = time.time()
    monkeypatch.setattr(tokens, "clock", lambda: now + 24 * 3600 - 60)
    assert read(closed, issued["access_token"]).status_code == 200
    monkeypatch.setattr(tokens, "clock", lambda: now + 24 * 3600 + 60)
    expired = read(closed, issued["access_token"])
    assert_acled_error(expired, 401)
    assert "expired" in expired.json()["error"]["message"]
    assert expired.headers["www-authenticate"] == "Bearer"
    refresh = {"grant_type": "refresh_token", "refresh_token": issued["refresh_token"]}
    assert closed.post("/oauth/token", data=refresh).status_code == 200
    monkeypatch.setattr(tokens, "clock", lambda: now + 14 * 24 * 3600 + 60)
    too_late = closed.post("/oauth/token", data=refresh)
    assert too_late.status_code == 400
    assert "expired" in too_late.json()["error_description"]


def test_revoking_a_key_revokes_its_tokens(closed: TestClient) -> None:
    created = closed.post("/v1/keys", json={"name": "field-team", "scope": "read"}, headers=ADMIN)
    assert created.status_code == 201, created.text
    issued = tokens_of(closed, "field-team", created.json()["secret"])
    assert read(closed, issued["access_token"]).status_code == 200
    assert closed.delete("/v1/keys/field-team", headers=ADMIN).status_code in (200, 204)
    assert_acled_error(read(closed, issued["access_token"]), 401)
    refresh = {"grant_type": "refresh_token", "refresh_token": issued["refresh_token"]}
    assert closed.post("/oauth/token", data=refresh).json()["error"] == "invalid_grant"


def test_a_configured_key_given_a_new_secret_loses_its_tokens(
    database_url: str, tmp_path: Path, closed: TestClient
) -> None:
    issued = tokens_of(closed)
    rotated = Settings(
        database_url=database_url,
        data_dir=tmp_path,
        api_keys="viewer:read:a-new-secret-0123456789",
        cursor_secret=CURSOR_SECRET,
        read_requires_key=True,
    )
    with TestClient(create_app(rotated)) as client:
        assert_acled_error(read(client, issued["access_token"]), 401)
    with TestClient(create_app(make_settings(database_url, tmp_path, read_requires_key=True))) as c:
        assert read(c, issued["access_token"]).status_code == 200  # the same key, another app


def test_forged_tokens_are_refused_and_counted_as_wrong_keys(
    database_url: str, tmp_path: Path
) -> None:
    settings = make_settings(
        database_url, tmp_path, read_requires_key=True, auth_failures_per_minute=3
    )
    with TestClient(create_app(settings)) as client:
        good = tokens_of(client)["access_token"]
        body, _, _signature = good.removeprefix(tokens.PREFIX).partition(".")
        cursor = encode_cursor(CURSOR_SECRET.encode(), {"n": "viewer"}, "x")  # same secret
        for forged in [
            good[:-2] + ("AA" if not good.endswith("AA") else "BB"),
            tokens.PREFIX + cursor,
        ]:
            assert_acled_error(read(client, forged), 401)
        assert read(client, good).status_code == 200  # two failures: not yet over the limit
        assert_acled_error(read(client, tokens.PREFIX + body + ".x"), 401)
        blocked = read(client, good)
        assert_acled_error(blocked, 429)
        assert int(blocked.headers["retry-after"]) > 0


def test_wrong_logins_count_toward_the_per_address_limit(database_url: str, tmp_path: Path) -> None:
    settings = make_settings(database_url, tmp_path, auth_failures_per_minute=3)
    with TestClient(create_app(settings)) as client:
        for _ in range(3):
            assert login(client, "viewer", "guessed-secret-0123456789").status_code == 400
        blocked = login(client)  # the right secret, from an address over the limit
        assert blocked.status_code == 429
        assert blocked.json()["error"] == "slow_down"
        assert int(blocked.headers["retry-after"]) > 0
        assert client.get("/v1/keys", headers=ADMIN).status_code == 429  # any key, as guessing


def test_a_right_secret_under_a_wrong_name_counts_too(database_url: str, tmp_path: Path) -> None:
    settings = make_settings(database_url, tmp_path, auth_failures_per_minute=2)
    with TestClient(create_app(settings)) as client:
        for _ in range(2):
            assert login(client, "editor", READ_KEY).status_code == 400
        assert login(client).status_code == 429


def test_reads_without_a_token_or_key_are_refused_where_keys_are_required(
    closed: TestClient,
) -> None:
    for path in ["/api/acled/read?limit=1", "/api/deleted/read"]:
        refused = closed.get(path)
        assert_acled_error(refused, 401)
        assert refused.headers["www-authenticate"] == "Bearer"
    assert closed.get(f"/api/acled/read?limit=1&key={READ_KEY}").status_code == 200  # legacy
    assert closed.get("/api/acled/read?limit=1", headers=bearer(READ_KEY)).status_code == 200


def test_where_reads_are_public_a_token_is_still_checked(client: TestClient) -> None:
    assert client.get("/api/acled/read?limit=1").status_code == 200
    good = tokens_of(client)["access_token"]
    assert read(client, good).status_code == 200
    assert_acled_error(read(client, good[:-4] + "AAAA"), 401)
    assert_acled_error(read(client, good[:-4] + "AAAA", "/api/deleted/read"), 401)
    # Anything else in the header is ignored, as ever where reads are public.
    assert client.get("/api/acled/read?limit=1", headers=bearer("old-acled-key")).status_code == 200


def test_every_scope_can_read_so_no_token_gets_a_403() -> None:
    # A key without the read scope cannot exist: each scope includes the ones before it. The
    # 403 the endpoints document is kept for a scope that would not.
    assert all(scope.allows(Scope.READ) for scope in Scope)


def test_openapi_documents_the_token_endpoint(client: TestClient) -> None:
    paths = client.get("/openapi.json").json()["paths"]
    operation = paths["/api/oauth/token"]["post"]
    assert "application/x-www-form-urlencoded" in operation["requestBody"]["content"]
    assert {"200", "400", "401", "429"} <= set(operation["responses"])
    assert "/oauth/token" not in paths  # ACLED's address: the same endpoint, documented once


def test_the_token_endpoint_answers_at_acleds_address_and_under_api(closed: TestClient) -> None:
    form = FORM | {"username": "viewer", "password": READ_KEY}
    for path in ["/oauth/token", "/api/oauth/token"]:
        answer = closed.post(path, data=form)
        assert answer.status_code == 200
        assert read(closed, answer.json()["access_token"]).status_code == 200
        wrong = closed.post(path, data=form | {"password": "wrong-secret-0123456789"})
        assert wrong.json() == {
            "error": "invalid_grant",
            "error_description": "The user credentials were incorrect.",
            "status": 400,
            "success": False,
        }


# The real `acled` package (PyPI), as a user runs it: ACLED_API_HOST and its token endpoint set.
ACLED_SCRIPT = textwrap.dedent(
    """
    import json, sys
    from acled.auth import OAuthTokenAuth
    OAuthTokenAuth.TOKEN_ENDPOINT = sys.argv[1] + "/oauth/token"
    from acled import AcledClient

    client = AcledClient(username="viewer", password=sys.argv[2])
    assert isinstance(client._acled_data_client.auth, OAuthTokenAuth)
    events = client.get_data(country="Afghanistan", limit=1000)
    since = {"deleted_timestamp_where": ">="}
    deleted = client.get_deleted_data(deleted_timestamp=0, query_params=since)
    print(json.dumps({
        "events": [e["event_id_cnty"] for e in events],
        "years": sorted({e["year"] for e in events}),
        "deleted": [d["event_id_cnty"] for d in deleted],
    }))
    """
)


def test_the_acled_package_logs_in_with_oauth_and_reads_data_and_deletions(
    live_server: Callable[..., LiveServer], database_url: str, tmp_path: Path
) -> None:
    server = live_server(database_url, CE_READ_REQUIRES_KEY="true")
    events = httpx.get(f"{server.url}/v1/events?limit=1000", headers=WRITE).json()["items"]
    target = events[0]
    etag = httpx.get(f"{server.url}/v1/events/{target['id']}", headers=WRITE).headers["ETag"]
    removed = httpx.delete(
        f"{server.url}/v1/events/{target['id']}", headers=WRITE | {"If-Match": etag}
    )
    assert removed.status_code == 204
    environment = os.environ | {"ACLED_API_HOST": f"{server.url}/api", "ACLED_MAX_RETRIES": "0"}
    for name in ("ACLED_USERNAME", "ACLED_EMAIL", "ACLED_PASSWORD", "ACLED_API_KEY"):
        environment.pop(name, None)
    result = subprocess.run(
        [sys.executable, "-c", ACLED_SCRIPT, server.url, READ_KEY],
        env=environment,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    answer = json.loads(result.stdout.strip().splitlines()[-1])
    afghan = [e for e in events[1:] if e["country"] == "AFG"]
    assert sorted(answer["events"]) == sorted(event_id(e) for e in afghan)
    assert len(afghan) > 1
    assert event_id(target) not in answer["events"]
    assert answer["years"] == sorted({int(e["date"][:4]) for e in afghan})
    assert answer["deleted"] == [event_id(target)]
    log = server.log.read_text()
    assert '"path":"/oauth/token"' in log
    assert '"key":"viewer"' in log
