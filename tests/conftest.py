"""Fixtures: a fresh database per test on the chosen backend, an app, clients and keys."""

import os
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from pydantic import TypeAdapter

from app.core.errors import Problem
from app.core.settings import Settings
from app.main import create_app
from tests.databases import Backend, backend_from_environment

WRITE_KEY = "test-write-key-0123456789"
OTHER_WRITE_KEY = "test-other-write-key-0123456789"
READ_KEY = "test-read-key-0123456789"
ADMIN_KEY = "test-admin-key-0123456789"
API_KEYS = (
    f"editor:write:{WRITE_KEY},corrector:write:{OTHER_WRITE_KEY},viewer:read:{READ_KEY},"
    f"root:admin:{ADMIN_KEY}"
)
CURSOR_SECRET = "test-cursor-secret-" + "x" * 32
WRITE = {"Authorization": f"Bearer {WRITE_KEY}"}
OTHER_WRITE = {"Authorization": f"Bearer {OTHER_WRITE_KEY}"}
ADMIN = {"Authorization": f"Bearer {ADMIN_KEY}"}
REPO = Path(__file__).resolve().parent.parent


def pytest_report_header() -> str:
    return f"conflict-events database backend: {os.environ.get('CE_TEST_BACKEND', 'sqlite')}"


@pytest.fixture(scope="session")
def backend(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Backend]:
    chosen = backend_from_environment()
    chosen.prepare(tmp_path_factory.mktemp("databases"))
    yield chosen
    chosen.close()


def _database(backend: Backend, *, seeded: bool) -> Iterator[str]:
    url = backend.new_database(seeded=seeded)
    yield url
    backend.drop(url)


@pytest.fixture
def database_url(backend: Backend) -> Iterator[str]:
    """A migrated database holding the seed data."""
    yield from _database(backend, seeded=True)


@pytest.fixture
def empty_database_url(backend: Backend) -> Iterator[str]:
    """A migrated database with no rows."""
    yield from _database(backend, seeded=False)


def make_settings(url: str, data_dir: Path, **overrides: Any) -> Settings:
    return Settings(
        database_url=url,
        data_dir=data_dir,
        api_keys=API_KEYS,
        cursor_secret=CURSOR_SECRET,
        **overrides,
    )


@pytest.fixture
def settings(database_url: str, tmp_path: Path) -> Settings:
    return make_settings(database_url, tmp_path)


class _RouteRecorder:
    """The app, keeping the route that answered the last request (Starlette puts it into the
    request's scope); anything else is the app's (client.app.state, ...)."""

    def __init__(self, app: Any) -> None:
        self.wrapped, self.route = app, None

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        await self.wrapped(scope, receive, send)
        if scope["type"] == "http":
            self.route = scope.get("route")

    def __getattr__(self, name: str) -> Any:
        return getattr(self.wrapped, name)


class CheckedClient(TestClient):
    """A test client that checks every JSON answer against what its route declares: the
    response model for a success, the Problem model for an error. In production the list route
    writes its JSON without validating each record; in the tests every page is validated."""

    def __init__(self, app: Any, **kwargs: Any) -> None:
        self.recorder = _RouteRecorder(app)
        super().__init__(self.recorder, **kwargs)

    def request(self, method: str, url: Any, *args: Any, **kwargs: Any) -> Any:
        self.recorder.route = None
        response = super().request(method, url, *args, **kwargs)
        check_declared(self.recorder.route, response)
        return response


def check_declared(route: Any, response: Any) -> None:
    media = response.headers.get("content-type", "").split(";")[0]
    if media == "application/problem+json":
        Problem.model_validate(response.json())
        return
    if media != "application/json" or not 200 <= response.status_code < 300:
        return
    if not isinstance(route, APIRoute) or route.response_model is None:
        return
    if "fields" in response.request.url.params:
        return  # `fields=` narrows each item, as the schema says
    TypeAdapter(route.response_model).validate_python(response.json())


@pytest.fixture
def client(settings: Settings) -> Iterator[TestClient]:
    with CheckedClient(create_app(settings)) as test_client:
        yield test_client


@pytest.fixture
def cli(database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """For `conflict-events` commands run in-process (app.ops.cli.main): the test's database, and a
    folder for files."""
    monkeypatch.setenv("DATABASE_URL", database_url)
    monkeypatch.setenv("CE_DATA_DIR", str(tmp_path))
    return tmp_path


@pytest.fixture
def empty_client(empty_database_url: str, tmp_path: Path) -> Iterator[TestClient]:
    with CheckedClient(create_app(make_settings(empty_database_url, tmp_path))) as test_client:
        yield test_client


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


class LiveServer:
    """`conflict-events serve` in a subprocess, on a real port of 127.0.0.1."""

    def __init__(self, process: subprocess.Popen[bytes], url: str, log: Path) -> None:
        self.process, self.url, self.log = process, url, log

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def start_server(database_url: str, data_dir: Path, *args: str, **env: str) -> LiveServer:
    port = free_port()
    log = data_dir / f"server-{port}.log"
    environment = os.environ | {
        "DATABASE_URL": database_url,
        "CE_DATA_DIR": str(data_dir),
        "CE_API_KEYS": API_KEYS,
        "CE_CURSOR_SECRET": CURSOR_SECRET,
        "CE_PORT": str(port),
        "CE_HOST": "127.0.0.1",
        **env,
    }
    with log.open("wb") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "app.ops.cli", "serve", *args],
            cwd=data_dir,
            env=environment,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    server = LiveServer(process, f"http://127.0.0.1:{port}", log)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited:\n{log.read_text()}")
        try:
            if httpx.get(f"{server.url}/healthz", timeout=1).status_code == 200:
                return server
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    server.stop()
    raise RuntimeError(f"server did not answer within 60 s:\n{log.read_text()}")


@pytest.fixture
def live_server(tmp_path: Path) -> Iterator[Callable[..., LiveServer]]:
    started: list[LiveServer] = []

    def start(database_url: str, *args: str, **env: str) -> LiveServer:
        server = start_server(database_url, tmp_path, *args, **env)
        started.append(server)
        return server

    yield start
    for server in started:
        server.stop()
