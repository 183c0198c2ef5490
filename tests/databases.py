"""Per-test databases, cloned from templates that were migrated (and seeded) once per run.

SQLite: a file copy. PostgreSQL: CREATE DATABASE ... TEMPLATE, so every test has its own
database and tests run in any order.
"""

import itertools
import os
import shutil
from pathlib import Path

import sqlalchemy as sa

from app.core.database import make_engine
from app.core.settings import Settings
from app.ops.schema import migrate
from app.ops.seeding import load_seeds


class Backend:
    name: str

    def prepare(self, workdir: Path) -> None:
        raise NotImplementedError

    def new_database(self, *, seeded: bool) -> str:
        raise NotImplementedError

    def drop(self, url: str) -> None:
        raise NotImplementedError

    def close(self) -> None:
        pass

    def _build_templates(self, empty_url: str, seeded_url: str) -> None:
        for url, seed in ((empty_url, False), (seeded_url, True)):
            settings = Settings(database_url=url)
            migrate(settings)
            if seed:
                engine = make_engine(settings)
                load_seeds(engine=engine, seeds_dir=settings.seeds_dir)
                engine.dispose()


class SqliteBackend(Backend):
    name = "sqlite"

    def prepare(self, workdir: Path) -> None:
        self.workdir = workdir
        self.counter = itertools.count()
        self.templates = {
            False: workdir / "template-empty.db",
            True: workdir / "template-seeded.db",
        }
        self._build_templates(*(f"sqlite:///{self.templates[s]}" for s in (False, True)))

    def new_database(self, *, seeded: bool) -> str:
        path = self.workdir / f"test-{next(self.counter)}.db"
        shutil.copyfile(self.templates[seeded], path)
        return f"sqlite:///{path}"

    def drop(self, url: str) -> None:
        path = Path(sa.make_url(url).database or "")
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)


class PostgresBackend(Backend):
    name = "postgresql"

    def __init__(self, url: str) -> None:
        self.base = sa.make_url(Settings(database_url=url).sqlalchemy_url)
        self.admin = sa.create_engine(
            self.base, isolation_level="AUTOCOMMIT", poolclass=sa.pool.NullPool
        )
        self.prefix = f"ce_test_{os.getpid()}"
        self.counter = itertools.count()

    def _url(self, name: str) -> str:
        return self.base.set(database=name).render_as_string(hide_password=False)

    def _execute(self, sql: str) -> None:
        with self.admin.connect() as connection:
            connection.exec_driver_sql(sql)

    def prepare(self, workdir: Path) -> None:
        self.templates = {False: f"{self.prefix}_tpl_empty", True: f"{self.prefix}_tpl_seeded"}
        for name in self.templates.values():
            self._execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            self._execute(f'CREATE DATABASE "{name}"')
        self._build_templates(*(self._url(self.templates[s]) for s in (False, True)))

    def new_database(self, *, seeded: bool) -> str:
        name = f"{self.prefix}_{next(self.counter)}"
        self._execute(f'CREATE DATABASE "{name}" TEMPLATE "{self.templates[seeded]}"')
        return self._url(name)

    def drop(self, url: str) -> None:
        self._execute(f'DROP DATABASE IF EXISTS "{sa.make_url(url).database}" WITH (FORCE)')

    def close(self) -> None:
        for name in self.templates.values():
            self._execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        self.admin.dispose()


def backend_from_environment() -> Backend:
    wanted = os.environ.get("CE_TEST_BACKEND", "sqlite")
    if wanted == "sqlite":
        return SqliteBackend()
    if wanted == "postgresql":
        url = os.environ.get("TEST_DATABASE_URL")
        if not url:
            raise RuntimeError("CE_TEST_BACKEND=postgresql needs TEST_DATABASE_URL")
        return PostgresBackend(url)
    raise RuntimeError(f"CE_TEST_BACKEND must be sqlite or postgresql, not {wanted!r}")
