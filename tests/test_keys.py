"""API keys: the CLI and the admin API make, list and revoke them; reads may require one."""

from pathlib import Path

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient

from app.core.database import make_engine
from app.core.settings import Settings
from app.core.tables import api_key_table
from app.main import create_app
from app.ops.cli import main
from tests.conftest import ADMIN, API_KEYS, CURSOR_SECRET, READ_KEY, WRITE, make_settings
from tests.payloads import offensive


@pytest.fixture
def cli_env(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> Settings:
    monkeypatch.setenv("DATABASE_URL", settings.sqlalchemy_url)
    monkeypatch.setenv("CE_DATA_DIR", str(settings.data_dir))
    monkeypatch.setenv("CE_API_KEYS", API_KEYS)
    monkeypatch.setenv("CE_CURSOR_SECRET", CURSOR_SECRET)
    return settings


def bearer(secret: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {secret}"}


def test_keys_cli_creates_lists_and_revokes(
    client: TestClient, cli_env: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["keys", "create", "--name", "field-team", "--scope", "write"]) == 0
    secret = capsys.readouterr().out.strip().splitlines()[-1]
    assert secret.startswith("ce_")
    assert client.post("/v1/events", json=offensive(), headers=bearer(secret)).status_code == 201
    history = client.get(
        f"/v1/events/{client.get('/v1/events').json()['items'][0]['id']}/history"
    ).json()
    assert history["items"][0]["changed_by"] == "field-team"

    assert main(["keys", "list"]) == 0
    listing = capsys.readouterr().out
    assert "field-team" in listing
    assert secret not in listing
    assert secret[:10] in listing

    engine = make_engine(cli_env)
    with engine.connect() as connection:
        stored = connection.execute(sa.select(api_key_table)).mappings().one()
    engine.dispose()
    assert secret not in str(dict(stored))

    assert main(["keys", "revoke", "field-team"]) == 0
    response = client.post("/v1/events", json=offensive(), headers=bearer(secret))
    assert response.status_code == 401
    assert (
        response.json()["detail"]
        == client.post(
            "/v1/events", json=offensive(), headers=bearer("ce_never-issued-0000000000")
        ).json()["detail"]
    )  # a revoked key looks like any unknown key

    assert main(["keys", "create", "--name", "field-team", "--scope", "read"]) == 1
    assert "exists" in capsys.readouterr().err


def test_keys_admin_api(client: TestClient) -> None:
    response = client.post("/v1/keys", json={"name": "analyst", "scope": "read"}, headers=ADMIN)
    assert response.status_code == 201
    secret = response.json()["secret"]
    listed = client.get("/v1/keys", headers=ADMIN).json()["items"]
    assert [(k["name"], k["scope"], k["revoked_at"]) for k in listed] == [("analyst", "read", None)]
    assert "secret" not in listed[0]
    assert client.post("/v1/events", json=offensive(), headers=bearer(secret)).status_code == 403
    assert client.delete("/v1/keys/analyst", headers=ADMIN).status_code == 204
    assert client.get("/v1/keys", headers=ADMIN).json()["items"][0]["revoked_at"]
    assert client.delete("/v1/keys/nobody", headers=ADMIN).status_code == 404
    assert (
        client.post("/v1/keys", json={"name": "editor", "scope": "read"}, headers=ADMIN).status_code
        == 409
    )


@pytest.mark.parametrize(("headers", "status"), [({}, 401), (WRITE, 403), (bearer(READ_KEY), 403)])
def test_keys_api_needs_the_admin_scope(
    client: TestClient, headers: dict[str, str], status: int
) -> None:
    assert client.get("/v1/keys", headers=headers).status_code == status
    assert (
        client.post("/v1/keys", json={"name": "x", "scope": "admin"}, headers=headers).status_code
        == status
    )


def test_reads_can_be_made_to_require_a_key(database_url: str, tmp_path: Path) -> None:
    settings = make_settings(database_url, tmp_path, read_requires_key=True)
    with TestClient(create_app(settings)) as client:
        for path in (
            "/v1/events",
            "/v1/events/1",
            "/v1/provinces",
            "/v1/actors",
            "/v1/events/deleted",
        ):
            assert client.get(path).status_code == 401, path
            assert client.get(path, headers=bearer(READ_KEY)).status_code == 200, path
            assert client.get(path, headers=WRITE).status_code == 200, path
        assert client.get("/healthz").status_code == 200
        assert client.get("/docs").status_code == 200
