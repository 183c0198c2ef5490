"""The Dockerfile and the settings refuse what would be unsafe or broken."""

import secrets
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from app.core.settings import Settings
from app.ops.cli import main

REPO = Path(__file__).resolve().parent.parent


def test_dockerfile_is_hadolint_clean() -> None:
    hadolint = shutil.which("hadolint") or str(Path(sys.executable).parent / "hadolint")
    result = subprocess.run([hadolint, str(REPO / "Dockerfile")], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_dockerfile_runs_the_readme_service_as_non_root() -> None:
    dockerfile = (REPO / "Dockerfile").read_text()
    assert dockerfile.startswith("#")
    assert "FROM python:3.11-slim" in dockerfile
    assert "USER 10001" in dockerfile
    assert 'VOLUME ["/data"]' in dockerfile
    assert "HEALTHCHECK" in dockerfile
    assert 'CMD ["conflict-events", "serve"]' in dockerfile


def test_settings_refuse_production_without_a_cursor_secret() -> None:
    with pytest.raises(ValueError, match="CE_CURSOR_SECRET"):
        Settings(environment="production")
    made = secrets.token_urlsafe(32)
    assert Settings(environment="production", cursor_secret=made).environment == "production"


@pytest.mark.parametrize(
    "overrides",
    [
        {"cursor_secret": "s" * 32},
        {"cursor_secret": "replace-with-48-random-characters-replace-with-48-random"},
        {"api_keys": "editor:write:replace-with-a-long-random-secret"},
        {"api_keys": "editor:write:test-write-key-0123456789"},
        {"cors_origins": "*"},
    ],
)
def test_production_refuses_example_secrets_and_open_cors(overrides: dict[str, str]) -> None:
    settings: dict[str, Any] = {"environment": "production"}
    settings["cursor_secret"] = secrets.token_urlsafe(32)
    with pytest.raises(ValueError, match=r"CE_CURSOR_SECRET|CE_API_KEYS|CE_CORS_ORIGINS"):
        Settings(**(settings | overrides))


def test_settings_refuse_short_or_malformed_api_keys() -> None:
    with pytest.raises(ValueError, match="shorter than 16"):
        Settings(api_keys="editor:write:short")
    with pytest.raises(ValueError, match="name:read"):
        Settings(api_keys="editor:superuser:0123456789abcdef0123")


def test_settings_point_postgresql_urls_at_psycopg() -> None:
    assert (
        Settings(database_url="postgresql://u@h/db").sqlalchemy_url == "postgresql+psycopg://u@h/db"
    )
    assert (
        Settings(database_url=None, data_dir=Path("d")).sqlalchemy_url
        == "sqlite:///d/conflict-events.db"
    )


def test_cli_reports_bad_settings(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("CE_ENVIRONMENT", "production")
    monkeypatch.delenv("CE_CURSOR_SECRET", raising=False)
    assert main(["migrate"]) == 2
    assert "CE_CURSOR_SECRET" in capsys.readouterr().err


def test_generated_cursor_secret_is_private_and_stable(tmp_path: Path) -> None:
    first = Settings(data_dir=tmp_path).signing_secret
    assert Settings(data_dir=tmp_path).signing_secret == first
    assert len(first) >= 32
    assert (tmp_path / ".cursor-secret").stat().st_mode & 0o077 == 0
