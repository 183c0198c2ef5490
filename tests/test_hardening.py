"""Hardening (the security issue): the explorer and the docs pages work under a Content Security
Policy that runs no inline script, driven in a real headless Chromium against `conflict-events
serve`; the server's answers name no software; backups are written 0600 whatever the umask."""

import os
import re
import signal
import stat
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest
from fastapi.testclient import TestClient
from playwright.sync_api import Browser, Page, sync_playwright

from app.core.docs import INIT, INIT_URL
from app.core.settings import Settings
from app.ops.backup import backup
from tests.conftest import LiveServer, start_server
from tests.databases import Backend
from tests.test_backup import SLOW, conflict_events, file_of, inspect, sqlite_only, temporaries
from tests.test_explorer import CHROMIUM, MAY_2021, Explorer, opened

PAGES = ["/", "/explore", "/docs", "/redoc"]
# Every CSP violation the page sees, kept where the test can read it.
RECORD_VIOLATIONS = """
window.__violations = [];
document.addEventListener("securitypolicyviolation", (e) => {
  const where = `${e.sourceFile}:${e.lineNumber}`;
  window.__violations.push(`${e.effectiveDirective} ${e.blockedURI} ${where}`);
});
"""
# ReDoc always shows "API docs by Redocly" with a logo from cdn.redoc.ly; img-src refuses it
# (nothing leaves the server) and ReDoc then hides the image. Nothing else may be refused.
REDOCLY_LOGO = r"https://cdn\.redoc\.ly/redoc/logo-mini\.svg"


def directives(policy: str) -> dict[str, list[str]]:
    parsed = (part.split() for part in policy.split(";") if part.strip())
    return {name: values for name, *values in parsed}


# ---------------------------------------------------------------- the policy and the pages


@pytest.mark.parametrize("path", PAGES)
def test_pages_run_no_inline_script_and_their_policy_allows_none(
    client: TestClient, path: str
) -> None:
    response = client.get(path)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    policy = directives(response.headers["content-security-policy"])
    assert policy["script-src"] == ["'self'"]
    assert policy["default-src"] == ["'self'"]
    assert "blob:" in policy["worker-src"]  # ReDoc's worker
    assert "'unsafe-eval'" not in response.headers["content-security-policy"]
    html = response.text
    scripts = re.findall(r"<script\b[^>]*>", html, re.IGNORECASE)
    assert scripts
    assert all(re.search(r"""\ssrc=["']/""", tag) for tag in scripts), scripts
    bodies = re.findall(r"<script\b[^>]*>(.*?)</script>", html, re.IGNORECASE | re.DOTALL)
    assert len(bodies) == len(scripts)
    assert not any(body.strip() for body in bodies), bodies
    assert not re.search(r"\son[a-z]+\s*=", html, re.IGNORECASE)
    assert "javascript:" not in html.lower()


def test_swagger_ui_start_is_served_as_a_script(client: TestClient) -> None:
    response = client.get(INIT_URL)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/javascript")
    assert response.text == INIT.read_text(encoding="utf-8")
    assert "SwaggerUIBundle(" in response.text  # (tests/test_wheel.py: it is in the wheel)


# ---------------------------------------------------------------- in a real browser


@pytest.fixture(scope="module")
def chromium() -> Iterator[Browser]:
    if not Path(CHROMIUM).is_file():
        pytest.fail(
            f"No Chromium at {CHROMIUM}: these tests drive Debian's chromium package "
            "(apt-get install chromium; .ci/test installs it), or set CE_CHROMIUM to a binary."
        )
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM)
        yield launched
        launched.close()


@pytest.fixture(scope="module")
def server(backend: Backend, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """One `conflict-events serve` on the seed data for the tests that only read."""
    url = backend.new_database(seeded=True)
    started = start_server(url, tmp_path_factory.mktemp("hardening"))
    yield started
    started.stop()
    backend.drop(url)


@contextmanager
def strict_tab(chromium: Browser, server: LiveServer) -> Iterator[Explorer]:
    """A tab that records requests, console errors and CSP violations (tests/test_explorer.py's
    Explorer), with nothing allowed to leave 127.0.0.1."""
    with opened(chromium, server) as tab:
        tab.page.add_init_script(RECORD_VIOLATIONS)
        yield tab


def violations(page: Page) -> list[str]:
    found: list[str] = page.evaluate("window.__violations")
    return found


def assert_policy_kept(tab: Explorer, *, allowed: str | None = None) -> None:
    """No CSP violation, no console error, no request for another host (but `allowed`)."""
    tab.page.wait_for_timeout(300)  # a late violation is reported asynchronously

    def unexpected(found: list[str]) -> list[str]:
        return [f for f in found if not (allowed and re.search(allowed, f))]

    assert unexpected(violations(tab.page)) == []
    assert unexpected(tab.console_errors) == []
    assert tab.requests, "the page made no request"
    outside = [u for u in tab.requests if urlsplit(u).hostname != "127.0.0.1"]
    assert unexpected(outside) == []


def page_policy(tab: Explorer, path: str) -> dict[str, list[str]]:
    response = tab.page.goto(f"{tab.server.url}{path}")
    assert response is not None
    assert response.status == 200
    policy = directives(response.headers["content-security-policy"])
    assert "'unsafe-inline'" not in policy["script-src"]
    assert "'unsafe-eval'" not in policy["script-src"]
    return policy


def test_swagger_ui_renders_its_operations_under_the_policy(
    chromium: Browser, server: LiveServer
) -> None:
    with strict_tab(chromium, server) as tab:
        page_policy(tab, "/docs")
        page = tab.page
        operation = page.locator("#operations-events-list_events_v1_events_get")
        operation.wait_for(state="visible")
        summary = operation.locator(".opblock-summary-path")
        assert summary.get_attribute("data-path") == "/v1/events"
        assert operation.locator(".opblock-summary-method").inner_text() == "GET"
        assert page.locator(".opblock").count() > 20
        assert (
            page.locator(".information-container .title").inner_text().startswith("conflict-events")
        )
        operation.locator(".opblock-summary").first.click()  # it opens: the page is live
        page.locator("#operations-events-list_events_v1_events_get .parameters").wait_for()
        assert_policy_kept(tab)


def test_redoc_renders_under_the_policy(chromium: Browser, server: LiveServer) -> None:
    with strict_tab(chromium, server) as tab:
        page_policy(tab, "/redoc")
        page = tab.page
        operation = page.locator(
            '[data-section-id="tag/events/operation/list_events_v1_events_get"]'
        )
        operation.wait_for(state="visible")
        assert "/v1/events" in operation.inner_text()
        assert page.locator("h1").first.inner_text().startswith("conflict-events")
        assert page.locator('[data-section-id*="/operation/"]').count() > 20
        # The search runs in ReDoc's worker, started from a blob (worker-src blob:).
        page.locator("input.search-input").fill("provinces")
        results = page.locator('[data-role="search:results"]')
        results.locator('[data-item-id$="/operation/list_provinces_v1_provinces_get"]').wait_for()
        assert_policy_kept(tab, allowed=REDOCLY_LOGO)


@pytest.mark.parametrize("path", ["/", "/explore"])
def test_the_explorer_renders_its_map_and_list_under_the_policy(
    chromium: Browser, server: LiveServer, path: str
) -> None:
    with strict_tab(chromium, server) as tab:
        page_policy(tab, path)
        tab.open(MAY_2021, path=path)
        assert len(tab.province_values()) == 34
        everything = tab.api_ids(**MAY_2021)
        assert tab.listed() == everything
        assert tab.page.locator("#summary").inner_text().startswith(f"{len(everything)} events")
        assert tab.page.locator("#timeline .bar").count() > 0
        assert_policy_kept(tab)


# ---------------------------------------------------------------- the server header


def test_answers_name_no_server_software(server: LiveServer) -> None:
    with httpx.Client(base_url=server.url, timeout=30) as http:
        answers = {
            "/": http.get("/"),
            "/v1/events": http.get("/v1/events"),
            "/v1/events/999999": http.get("/v1/events/999999"),
            "/no-such-page": http.get("/no-such-page"),
            "/docs": http.get("/docs"),
            "/healthz": http.get("/healthz"),
        }
    assert [answers[p].status_code for p in answers] == [200, 200, 404, 404, 200, 200]
    for path, response in answers.items():
        assert "server" not in response.headers, (path, response.headers["server"])
        assert "uvicorn" not in str(response.headers).lower(), path


# ---------------------------------------------------------------- backups are 0600


@contextmanager
def umask(mask: int) -> Iterator[None]:
    before = os.umask(mask)
    try:
        yield
    finally:
        os.umask(before)


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@sqlite_only
def test_a_backup_is_written_0600_with_a_umask_of_022(database_url: str, tmp_path: Path) -> None:
    target = tmp_path / "backup.db"
    with umask(0o022):
        result = conflict_events(database_url, tmp_path, "backup", str(target))
        assert result.returncode == 0, result.stderr
        assert mode(target) == 0o600
        assert inspect(target)["integrity"] == [("ok",)]

        # A backup replaced with --force is a new file: 0600, not the old file's 0644.
        os.chmod(target, 0o644)
        result = conflict_events(database_url, tmp_path, "backup", str(target), "--force")
        assert result.returncode == 0, result.stderr
        assert mode(target) == 0o600
        assert temporaries(tmp_path) == []


@sqlite_only
def test_a_backup_in_progress_is_never_readable_by_others(
    database_url: str, tmp_path: Path
) -> None:
    """The copy being written (and SQLite's journal beside it) is 0600 from its first moment."""
    target = tmp_path / "backup.db"
    seen: dict[str, int] = {}
    with umask(0o022):
        process = subprocess.Popen(
            [sys.executable, "-m", "app.ops.cli", "backup", str(target), *SLOW],
            cwd=tmp_path,
            env=os.environ | {"DATABASE_URL": database_url, "CE_DATA_DIR": str(tmp_path)},
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and process.poll() is None:
            for path in temporaries(tmp_path):
                try:
                    seen[path.name] = seen.get(path.name, 0) | mode(path)
                except FileNotFoundError:
                    pass
            time.sleep(0.005)
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGINT)
        process.communicate(timeout=60)
    assert any(name.endswith(".tmp") for name in seen), seen
    assert set(seen.values()) == {0o600}, {name: oct(m) for name, m in seen.items()}
    assert mode(target) == 0o600


@sqlite_only
def test_a_backup_is_0600_even_under_a_umask_that_takes_the_owners_bits(
    settings: Settings, tmp_path: Path
) -> None:
    target = tmp_path / "backup.db"
    with umask(0o277):
        backup(settings, target)
    assert mode(target) == 0o600


@sqlite_only
def test_restore_keeps_the_mode_of_the_database_and_a_new_one_is_0600(
    database_url: str, tmp_path: Path
) -> None:
    target = tmp_path / "backup.db"
    database = file_of(database_url)
    with umask(0o022):
        assert conflict_events(database_url, tmp_path, "backup", str(target)).returncode == 0
        os.chmod(database, 0o640)
        result = conflict_events(database_url, tmp_path, "restore", str(target), "--force")
        assert result.returncode == 0, result.stderr
        assert mode(database) == 0o640
        fresh = tmp_path / "fresh" / "conflict-events.db"
        result = conflict_events(f"sqlite:///{fresh}", tmp_path, "restore", str(target))
        assert result.returncode == 0, result.stderr
        assert mode(fresh) == 0o600
    assert temporaries(database.parent) == []
