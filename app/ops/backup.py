"""Online backups of the SQLite database, and bringing one back.

A backup is SQLite's own backup API copying pages from one read snapshot: the source connection
opens a read transaction first, so every step copies the same state of the database, however
many writes the server commits meanwhile (without that snapshot SQLite restarts the copy after
each write by another process, and a busy server can keep it restarting for ever). The app's
database is always in WAL mode, where a reader never blocks a writer: the server keeps serving
and writing during the copy. The copy goes to a temporary file beside the target, is checked
with `PRAGMA integrity_check`, and is renamed into place: an interrupted backup never leaves a
half file under the target's name. A backup holds every record: it is created readable and
writable by its owner only (0600, whatever the umask), before a byte is written into it.

PostgreSQL has `pg_dump` and `pg_restore` for this; both commands say how to use them.
"""

import contextlib
import os
import secrets
import shlex
import shutil
import sqlite3
import stat
import time
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa
from alembic.script import ScriptDirectory

from app.core.settings import Settings
from app.ops.schema import alembic_config, migrate

SQLITE_MAGIC = b"SQLite format 3\x00"
# What makes a database this application's: Alembic's bookkeeping and the records.
REQUIRED_TABLES = ("alembic_version", "event")
PRIVATE = 0o600  # the mode of a backup, and of every copy made on the way


class BackupError(Exception):
    """The request cannot be done as asked (bad file, missing --force, PostgreSQL, ...): the
    command says why, exits 2, and has changed nothing."""


class DamagedDatabase(Exception):
    """The copy of the live database fails `PRAGMA integrity_check`: the database itself is
    damaged. Nothing was written under the target's name."""


@dataclass(frozen=True)
class BackupReport:
    database: Path
    target: Path
    events: int  # stored records, deleted ones (tombstones) included
    deleted: int
    size: int  # bytes
    seconds: float


@dataclass(frozen=True)
class RestoreReport:
    source: Path
    database: Path
    events: int
    deleted: int
    revision_before: str
    revision_after: str
    size: int


def sqlite_path(settings: Settings, *, command: str, file: Path) -> Path:
    """The configured SQLite database file, or a BackupError naming PostgreSQL's own tools."""
    url = sa.make_url(settings.sqlalchemy_url)
    if url.get_backend_name() == "postgresql":
        quoted = shlex.quote(str(file))
        if command == "backup":
            hint = f'pg_dump --format=custom --file={quoted} "$DATABASE_URL"'
        else:
            hint = (
                f'with the server stopped, pg_restore --clean --if-exists --dbname="$DATABASE_URL" '
                f"{quoted} && conflict-events migrate"
            )
        raise BackupError(f"{command} is for SQLite databases; on PostgreSQL run {hint}")
    if url.get_backend_name() != "sqlite":
        raise BackupError(f"{command} is for SQLite databases, not {url.get_backend_name()}")
    if not url.database or url.database == ":memory:":
        raise BackupError(f"{command} needs a database file, not an in-memory database")
    return Path(url.database)


def backup(
    settings: Settings,
    target: Path,
    *,
    force: bool = False,
    pages_per_step: int = 1024,
    pause: float = 0.0,
) -> BackupReport:
    """Copy the configured SQLite database to `target`, consistently, while it is in use.

    `pages_per_step` pages are copied at a time, with `pause` seconds between steps to leave the
    disk to the server on a large database; neither changes what is copied.
    """
    started = time.monotonic()
    database = sqlite_path(settings, command="backup", file=target)
    if not database.is_file():
        raise BackupError(f"there is no database at {database}")
    _check_target(target, database=database, force=force)
    temporary = _temporary_beside(target)
    try:
        # SQLite would create it with the umask's mode (often 0644), and its journal likewise:
        # SQLite gives a journal the mode of its database.
        _create_private(temporary)
        source = _connect(database, settings=settings, read_only=True)
        try:
            copy = sqlite3.connect(temporary, isolation_level=None)
            try:
                # The read transaction pins one snapshot for every step of the copy.
                source.execute("BEGIN")
                source.execute("SELECT count(*) FROM sqlite_master").fetchone()

                def step_done(_status: int, remaining: int, _total: int) -> None:
                    if pause and remaining:
                        time.sleep(pause)

                source.backup(copy, pages=pages_per_step, progress=step_done)
                source.execute("COMMIT")
                # The copy inherited WAL mode from the header; a backup is one plain file.
                copy.execute("PRAGMA journal_mode=DELETE").fetchone()
                problems = _integrity_problems(copy)
                if problems:
                    raise DamagedDatabase(
                        f"the copy of {database} fails the integrity check ({problems}); "
                        f"the database itself may be damaged; {target} was not written"
                    )
                events, deleted = _count_events(copy)
            finally:
                copy.close()
        finally:
            source.close()
        _fsync(temporary)
        _install(temporary, target, force=force)
    except BaseException:
        _remove_database_files(temporary)
        raise
    return BackupReport(
        database=database,
        target=target,
        events=events,
        deleted=deleted,
        size=target.stat().st_size,
        seconds=time.monotonic() - started,
    )


def restore(settings: Settings, source: Path, *, force: bool) -> RestoreReport:
    """Replace the configured SQLite database with the backup `source`, brought to the current
    schema. Meant for a stopped server: one still connected to the database is refused.

    The backup is copied beside the database, checked, migrated, and renamed over it: a
    refused or interrupted restore leaves the database as it was.
    """
    database = sqlite_path(settings, command="restore", file=source)
    _check_source(source)
    if database.exists() and database.resolve() == source.resolve():
        raise BackupError(f"{source} is the configured database itself")
    database.parent.mkdir(parents=True, exist_ok=True)
    temporary = _temporary_beside(database)
    try:
        _create_private(temporary)
        shutil.copyfile(source, temporary)  # into the private file: its mode is kept
        revision_before = _check_backup(temporary, source=source, settings=settings)
        if database.exists():
            if not force:
                raise BackupError(
                    f"{database} exists; restoring replaces it, with everything written since "
                    "the backup: stop the server and run again with --force"
                )
            _check_not_in_use(database)
        migrate(settings.model_copy(update={"database_url": f"sqlite:///{temporary}"}))
        connection = sqlite3.connect(temporary, isolation_level=None)
        try:
            connection.execute("PRAGMA journal_mode=DELETE").fetchone()
            events, deleted = _count_events(connection)
            revision_after = _revision(connection) or "?"
        finally:
            connection.close()
        _fsync(temporary)
        # A log left by the old database would be replayed into the new one.
        for suffix in ("-wal", "-shm", "-journal"):
            Path(f"{database}{suffix}").unlink(missing_ok=True)
        if database.exists():  # the database keeps the mode it had
            os.chmod(temporary, stat.S_IMODE(database.stat().st_mode))
        os.replace(temporary, database)
        _fsync_folder(database.parent)
    except BaseException:
        _remove_database_files(temporary)
        raise
    return RestoreReport(
        source=source,
        database=database,
        events=events,
        deleted=deleted,
        revision_before=revision_before,
        revision_after=revision_after,
        size=database.stat().st_size,
    )


def _connect(path: Path, *, settings: Settings, read_only: bool) -> sqlite3.Connection:
    """A connection that waits for locks as long as the app's own connections do."""
    uri = path.absolute().as_uri() + ("?mode=ro" if read_only else "")
    timeout_ms = int(settings.sqlite_busy_timeout_ms)
    connection = sqlite3.connect(uri, uri=True, isolation_level=None, timeout=timeout_ms / 1000)
    connection.execute(f"PRAGMA busy_timeout={timeout_ms}")
    return connection


def _check_target(target: Path, *, database: Path, force: bool) -> None:
    if target.is_dir():
        raise BackupError(f"{target} is a folder; give the backup's file name")
    if not target.parent.is_dir():
        raise BackupError(f"the folder {target.parent} does not exist")
    if target.exists():
        if target.resolve() == database.resolve():
            raise BackupError(f"{target} is the database itself")
        if not force:
            raise BackupError(f"{target} exists; add --force to replace it")


def _check_source(source: Path) -> None:
    if not source.is_file():
        raise BackupError(f"there is no file {source}")
    with source.open("rb") as data:
        if data.read(len(SQLITE_MAGIC)) != SQLITE_MAGIC:
            raise BackupError(f"{source} is not an SQLite database")
    log = Path(f"{source}-wal")
    if log.exists() and log.stat().st_size:
        raise BackupError(
            f"{source} has a write-ahead log beside it ({log}): it is a live database, not a "
            "backup; make one with `conflict-events backup`"
        )


def _check_backup(copy: Path, *, source: Path, settings: Settings) -> str:
    """The Alembic revision of a copy of a backup, if it is this application's database, whole,
    and of a schema this version knows; else a BackupError."""
    connection = sqlite3.connect(copy, isolation_level=None)
    try:
        tables = {
            name
            for (name,) in connection.execute("SELECT name FROM sqlite_master WHERE type='table'")
        }
        missing = [table for table in REQUIRED_TABLES if table not in tables]
        if missing:
            raise BackupError(
                f"{source} is not a conflict-events database (no {' or '.join(missing)} table)"
            )
        problems = _integrity_problems(connection)
        if problems:
            raise BackupError(f"{source} fails the integrity check: {problems}")
        revision = _revision(connection)
        if revision is None:
            raise BackupError(f"{source} has no single schema revision in alembic_version")
    except sqlite3.DatabaseError as error:
        raise BackupError(f"{source} is damaged: {error}") from error
    finally:
        connection.close()
    known = {
        script.revision
        for script in ScriptDirectory.from_config(alembic_config(settings)).walk_revisions()
    }
    if revision not in known:
        raise BackupError(
            f"{source} has schema revision {revision!r}, unknown to this version of "
            "conflict-events (a newer one made it?)"
        )
    return revision


def _check_not_in_use(database: Path) -> None:
    """Refuse a database another process has open (a running server).

    Leaving WAL mode needs every other connection closed, so it fails at once if one is open;
    otherwise it folds the log into the file, which is about to be replaced anyway.
    """
    try:
        connection = sqlite3.connect(database, isolation_level=None, timeout=0)
    except sqlite3.Error:
        return  # not a database we can open: nothing can be using it as one
    try:
        connection.execute("PRAGMA journal_mode=DELETE").fetchone()
    except sqlite3.OperationalError as error:
        if error.sqlite_errorcode in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED):
            raise BackupError(
                f"{database} is in use (is the server running?); stop it, then restore"
            ) from error
    except sqlite3.DatabaseError:
        pass  # damaged: it is being replaced
    finally:
        connection.close()


def _integrity_problems(connection: sqlite3.Connection) -> str:
    """What `PRAGMA integrity_check` found wrong (the first few), or "" if nothing."""
    rows = [row[0] for row in connection.execute("PRAGMA integrity_check(5)")]
    return "" if rows == ["ok"] else "; ".join(str(row) for row in rows)


def _revision(connection: sqlite3.Connection) -> str | None:
    """The Alembic revision the schema is at, if alembic_version holds exactly one."""
    rows = connection.execute("SELECT version_num FROM alembic_version").fetchall()
    return str(rows[0][0]) if len(rows) == 1 else None


def _count_events(connection: sqlite3.Connection) -> tuple[int, int]:
    """Stored records and how many of them are deleted (0, 0 without an event table)."""
    try:
        total, deleted = connection.execute(
            "SELECT count(*), count(deleted_at) FROM event"
        ).fetchone()
    except sqlite3.OperationalError:
        return 0, 0
    return int(total), int(deleted)


def _temporary_beside(path: Path) -> Path:
    """A new file name in the folder of `path`: renaming it onto `path` is then atomic."""
    return path.with_name(f".{path.name}.{secrets.token_hex(4)}.tmp")


def _create_private(path: Path) -> None:
    """Create the file `path`, empty, with mode 0600 whatever the umask (which may only take
    bits away, never add them: no moment exists where another user may open it)."""
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE)
    try:
        if os.chmod in os.supports_fd:  # a umask like 0o277 took the owner's write bit
            os.chmod(descriptor, PRIVATE)
    finally:
        os.close(descriptor)


def _install(temporary: Path, target: Path, *, force: bool) -> None:
    exists = BackupError(f"{target} exists; add --force to replace it")
    if target.exists() and not force:
        raise exists
    # A log left beside the target by another database would be replayed into this one.
    for suffix in ("-wal", "-shm", "-journal"):
        Path(f"{target}{suffix}").unlink(missing_ok=True)
    if force:
        os.replace(temporary, target)
    else:
        # A hard link never replaces a file that appeared since the first check.
        try:
            os.link(temporary, target)
        except FileExistsError:
            raise exists from None
        except OSError:  # a file system without hard links
            os.replace(temporary, target)
        else:
            temporary.unlink()
    _fsync_folder(target.parent)


def _fsync(path: Path) -> None:
    with path.open("rb+") as file:
        os.fsync(file.fileno())


def _fsync_folder(folder: Path) -> None:
    """Make a rename durable; some systems (Windows) cannot open a folder, and need not."""
    with contextlib.suppress(OSError):
        descriptor = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(descriptor)
        finally:
            os.close(descriptor)


def _remove_database_files(path: Path) -> None:
    for suffix in ("", "-journal", "-wal", "-shm"):
        with contextlib.suppress(OSError):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
