"""The wheel, installed normally (not editable) and run from a folder that is not the repository,
serves the seeded API, migrates, extracts with the actor registry, and imports: seeds/ and
migrations/ travel inside it.

The wheel is built once per run from a copy of what the Dockerfile's build stage copies (a clean
tree: setuptools' in-tree build/ would carry files removed since), without build isolation or an
index, and installed without its dependencies into a new venv that sees this environment's
site-packages but not the editable install of the repository.
"""

import json
import os
import shutil
import site
import sqlite3
import subprocess
import sys
import time
import tomllib
import zipfile
from collections.abc import Iterator
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from app.core.settings import Settings
from app.ops.schema import alembic_config
from tests.conftest import REPO, free_port
from tests.payloads import displacement, offensive

BUILD_INPUTS = ("pyproject.toml", "README.md", "app", "seeds", "migrations")
REPORT = REPO / "seeds" / "reports" / "helmand-offensive-2021-05-04.txt"


@dataclass(frozen=True)
class Installed:
    wheel: Path
    venv: Path

    @property
    def bin(self) -> Path:
        return self.venv / "bin"


def _run(
    *args: str | Path, cwd: Path | None = None, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(
        [str(a) for a in args], capture_output=True, text=True, timeout=180, cwd=cwd, env=env
    )
    assert result.returncode == 0, f"{args}:\n{result.stdout}\n{result.stderr}"
    return result


@pytest.fixture(scope="session")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Installed:
    work = tmp_path_factory.mktemp("wheel")
    source = work / "source"
    source.mkdir()
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
    for name in BUILD_INPUTS:
        if (REPO / name).is_dir():
            shutil.copytree(REPO / name, source / name, ignore=ignore)
        else:
            shutil.copy2(REPO / name, source / name)
    pip = (sys.executable, "-m", "pip", "--disable-pip-version-check", "--no-input")
    _run(*pip, "wheel", "--no-deps", "--no-build-isolation", "--no-index", "-w", work, source)
    (wheel,) = work.glob("conflict_events-*.whl")

    venv = work / "venv"
    _run(sys.executable, "-m", "venv", "--without-pip", venv)
    python = venv / "bin" / "python"
    _run(*pip, "--python", python, "install", "--no-deps", "--no-index", wheel)
    # The dependencies come from this environment, as plain paths: a .pth file's paths are not
    # site folders, so their own .pth files (the editable install's finder for the repository's
    # `app`) are not run.
    purelib = _run(python, "-c", "import sysconfig; print(sysconfig.get_path('purelib'))")
    paths = [p for p in site.getsitepackages() if Path(p).is_dir()]
    (Path(purelib.stdout.strip()) / "test-environment.pth").write_text("\n".join(paths) + "\n")
    return Installed(wheel, venv)


@pytest.fixture
def elsewhere(tmp_path: Path) -> dict[str, str]:
    """An environment for the installed command in a folder that is not the repository: its
    data (SQLite) in tmp_path, none of this run's database or path settings."""
    environment = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("CE_", "PYTHON")) and k != "DATABASE_URL"
    }
    return environment | {
        "CE_DATA_DIR": str(tmp_path),
        "CE_HOST": "127.0.0.1",
        "PYTHONUNBUFFERED": "1",  # serve's lines in its log as they are printed
    }


def _command(installed: Installed, *args: str | Path, cwd: Path, env: dict[str, str]) -> str:
    return _run(installed.bin / "conflict-events", *args, cwd=cwd, env=env).stdout


def test_the_wheel_carries_every_package_seeds_and_migrations(installed: Installed) -> None:
    names = set(zipfile.ZipFile(installed.wheel).namelist())
    # Every module and data file of app/ (pyproject.toml lists its packages one by one).
    shipped = {
        p.relative_to(REPO).as_posix()
        for p in (REPO / "app").rglob("*")
        if p.is_file() and "__pycache__" not in p.parts and p.suffix != ".md"
    }
    assert shipped - names == set(), "pyproject.toml's packages or package-data miss these"
    for folder, bundled in (
        ("seeds", "app/bundled/seeds"),
        ("migrations", "app/bundled/migrations"),
    ):
        files = {
            p.relative_to(REPO / folder).as_posix()
            for p in (REPO / folder).rglob("*")
            if p.is_file() and "__pycache__" not in p.parts
        }
        assert files
        assert {f"{bundled}/{f}" for f in files} <= names, f"{folder}/ is not all in the wheel"
    assert not any(n.startswith(("seeds/", "migrations/", "tests/")) for n in names)


def test_the_venv_imports_the_wheel_not_the_repository(
    installed: Installed, tmp_path: Path, elsewhere: dict[str, str]
) -> None:
    where = _run(
        installed.bin / "python",
        "-c",
        "import app, app.core.settings as s; print(app.__file__); print(s.Settings().seeds_dir)",
        cwd=tmp_path,
        env=elsewhere,
    ).stdout.split()
    assert Path(where[0]).is_relative_to(installed.venv), where
    assert Path(where[1]).is_relative_to(installed.venv), where


def test_the_migrations_config_needs_no_pyproject_and_matches_it() -> None:
    """From the repository too, alembic_config builds Alembic's configuration itself; its
    options are those the alembic command reads from pyproject.toml's [tool.alembic]."""
    config = alembic_config(Settings())
    tool = tomllib.loads((REPO / "pyproject.toml").read_text())["tool"]["alembic"]
    assert config.toml_file_name is None
    assert config.config_file_name is None
    assert Path(config.get_main_option("script_location") or "") == REPO / "migrations"
    assert config.get_main_option("file_template") == tool["file_template"].replace("%%", "%")


@dataclass
class Served:
    url: str
    log: Path


@pytest.fixture
def served(installed: Installed, tmp_path: Path, elsewhere: dict[str, str]) -> Iterator[Served]:
    """`migrate`, then `serve` (which migrates again and loads the seeds), from tmp_path."""
    assert "database at the latest schema" in _command(
        installed, "migrate", cwd=tmp_path, env=elsewhere
    )
    port = free_port()
    log = tmp_path / "serve.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [installed.bin / "conflict-events", "serve", "--port", str(port)],
            cwd=tmp_path,
            env=elsewhere,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            assert process.poll() is None, f"serve exited:\n{log.read_text()}"
            assert time.monotonic() < deadline, f"serve did not answer:\n{log.read_text()}"
            try:
                if httpx.get(f"{url}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.2)
        yield Served(url, log)
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def test_the_wheel_migrates_and_serves_the_seeded_api(served: Served) -> None:
    events = httpx.get(f"{served.url}/v1/events").json()["items"]
    assert len(events) == 10
    assert "seeds: 10 inserted" in served.log.read_text()
    for page in ("/", "/docs", "/openapi.json"):
        assert httpx.get(served.url + page).status_code == 200, page


def test_the_wheel_extracts_with_the_actor_registry(
    installed: Installed, tmp_path: Path, elsewhere: dict[str, str]
) -> None:
    printed = json.loads(
        _command(
            installed,
            "extract",
            "--published-on",
            "2021-05-04",
            REPORT,
            cwd=tmp_path,
            env=elsewhere,
        )
    )
    actors = {a["name"] for draft in printed["drafts"] for a in draft["event"]["actors"]}
    # The registry's names: an empty registry recognises no actor at all.
    assert {"Taliban", "Afghan National Army", "United States Forces"} <= actors


def test_the_wheel_imports_into_a_new_database(
    installed: Installed, tmp_path: Path, elsewhere: dict[str, str]
) -> None:
    records = [
        offensive(dataset="wheel", external_id="1"),
        displacement(dataset="wheel", external_id="2"),
    ]
    path = tmp_path / "events.ndjson"
    path.write_text("".join(json.dumps(r) + "\n" for r in records))
    out = _command(installed, "import", path, cwd=tmp_path, env=elsewhere)
    assert "inserted 2" in out
    with closing(sqlite3.connect(tmp_path / "conflict-events.db")) as db:
        stored = db.execute("SELECT external_id FROM event WHERE dataset = 'wheel'").fetchall()
    assert sorted(stored) == [("1",), ("2",)]
