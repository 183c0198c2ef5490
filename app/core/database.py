"""The database engine and sessions, the same code for SQLite and PostgreSQL."""

import threading
from collections import OrderedDict
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, Generic, TypeVar

import orjson
import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Engine
from sqlmodel import Session

from app.core.settings import Settings

Built = TypeVar("Built")


def _json_dumps(value: Any) -> str:
    return orjson.dumps(value).decode()


# orjson reads and writes the JSON columns several times faster than the json module.
_JSON_CODEC: dict[str, Any] = {"json_serializer": _json_dumps, "json_deserializer": orjson.loads}


def make_engine(settings: Settings, *, serving: bool = False) -> Engine:
    """The engine for the settings' database. A server's (`serving`) also bounds SQLite's memory
    in the process (CE_SQLITE_MEMORY_MB); a bulk import's does not: it wants a 64 MiB cache
    (a 1M-record import took 97 s under the server's bound, against 70)."""
    url = sa.make_url(settings.sqlalchemy_url)
    if url.get_backend_name() != "sqlite":
        return sa.create_engine(
            url, pool_pre_ping=True, pool_size=10, max_overflow=10, **_JSON_CODEC
        )
    if url.database and url.database != ":memory:":
        Path(url.database).parent.mkdir(parents=True, exist_ok=True)
    engine = sa.create_engine(
        url,
        # Last in, first out: under light load one or two connections serve everything and
        # keep their caches warm; the others are used only under concurrency. Ten kept, so that
        # a steady load from several clients does not close and reopen connections.
        pool_use_lifo=True,
        pool_size=10,
        max_overflow=20,
        **_JSON_CODEC,
        connect_args={
            "check_same_thread": False,
            "timeout": settings.sqlite_busy_timeout_ms / 1000,
        },
    )
    busy_timeout = settings.sqlite_busy_timeout_ms
    cache_kib = settings.sqlite_cache_mb * 1024
    heap_bytes = settings.sqlite_memory_mb * 1024 * 1024 if serving else 0

    @event.listens_for(engine, "connect")
    def _configure(dbapi_connection: Any, _record: Any) -> None:
        # pysqlite's own transaction handling would defer BEGIN; we emit it ourselves below.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={int(busy_timeout)}")
        cursor.execute("PRAGMA synchronous=NORMAL")
        # SQLite's default page cache (2 MB) is too small for a list page that checks each record
        # for an actor: 0.70 ms a query with it, 0.30 ms with 4 MB or more (1M records).
        cursor.execute(f"PRAGMA cache_size=-{int(cache_kib)}")
        if heap_bytes:  # for the whole process, however many connections the pool opens
            cursor.execute(f"PRAGMA soft_heap_limit={int(heap_bytes)}")
        cursor.close()

    # Writers of this process queue on a lock, in order; SQLite's own busy handler (still there
    # for other processes) sleeps and retries, which gave a p99 of over a second under load.
    write_lock = threading.Lock()

    @event.listens_for(engine, "begin")
    def _begin(connection: sa.Connection) -> None:
        # A writer takes the write lock up front: a deferred transaction that reads and then
        # writes can fail with "database is locked" without waiting for the busy timeout.
        mode = connection.get_execution_options().get("sqlite_begin", "DEFERRED")
        if mode == "IMMEDIATE":
            write_lock.acquire()
            connection.info["holds_write_lock"] = True
        try:
            connection.exec_driver_sql(f"BEGIN {mode}")
        except BaseException:
            _release(connection)
            raise

    def _release(connection: sa.Connection) -> None:
        if connection.info.pop("holds_write_lock", False):
            write_lock.release()

    event.listen(engine, "commit", _release)
    event.listen(engine, "rollback", _release)

    return engine


def writer(engine: Engine) -> Engine:
    """The engine to bind sessions that write: on SQLite their transactions begin IMMEDIATE."""
    return engine.execution_options(sqlite_begin="IMMEDIATE")


def is_sqlite(engine: Engine) -> bool:
    return engine.dialect.name == "sqlite"


def insert_ignoring_conflicts(
    session: Session, table: sa.Table, rows: list[dict[str, Any]], *, unique: list[str]
) -> None:
    """INSERT ... ON CONFLICT DO NOTHING: the one dialect-specific statement we need.

    Two writers creating the same actor at once must not fail; the loser just finds the row.
    """
    if not rows:
        return
    statement: postgresql.Insert | sqlite.Insert
    if session.get_bind().dialect.name == "postgresql":
        statement = postgresql.insert(table)
    else:
        statement = sqlite.insert(table)
    session.execute(statement.values(rows).on_conflict_do_nothing(index_elements=unique))


def contains_pattern(text: str) -> str:
    """A LIKE pattern (escape character: backslash) matching values that contain `text`."""
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


# Any number that no other application on the same PostgreSQL server uses for an advisory lock.
WRITERS_LOCK = 0x43455754  # "CEWT"


def serialise_writers(session: Session) -> None:
    """Make this transaction the only writer until it ends.

    Changes then commit in the order of their timestamps, which is what lets a client mirror the
    database by `updated_since` without missing a change. SQLite's BEGIN IMMEDIATE already did it.
    """
    if session.get_bind().dialect.name == "postgresql":
        session.execute(sa.text("SELECT pg_advisory_xact_lock(:key)"), {"key": WRITERS_LOCK})


class RowBinder:
    """Rows of chosen columns as the driver takes them, and the INSERT that stores them.

    Each value goes through its column's bind processor, as SQLAlchemy would, but without its
    per-row bookkeeping, which cost bulk loads more than the database itself. Binding can happen
    in another process (the importer's workers); the result is plain values, cheap to pickle.
    """

    def __init__(self, table: sa.Table, names: Sequence[str], dialect: sa.Dialect) -> None:
        self.names = tuple(names)
        self.dialect = dialect
        quote = dialect.identifier_preparer.quote
        marker = "?" if dialect.paramstyle == "qmark" else "%s"
        self.sql = (
            f"INSERT INTO {quote(table.name)} ({', '.join(quote(n) for n in self.names)}) "
            f"VALUES ({', '.join([marker] * len(self.names))})"
        )
        self._processors = [
            (index, processor)
            for index, name in enumerate(self.names)
            if (processor := table.c[name].type.dialect_impl(dialect).bind_processor(dialect))
            is not None
        ]

    def bind(self, values: Sequence[Any], *, offset: int = 0) -> tuple[Any, ...]:
        """`values` of the columns from `offset` on (all, or a run of them), bound."""
        bound = list(values)
        end = offset + len(bound)
        for index, processor in self._processors:
            if offset <= index < end:
                bound[index - offset] = processor(bound[index - offset])
        return tuple(bound)

    def insert(self, session: Session, rows: Sequence[tuple[Any, ...]]) -> None:
        """INSERT bound rows with one driver-level executemany."""
        if rows:
            session.connection().exec_driver_sql(self.sql, list(rows))


def tune_for_bulk_load(session: Session) -> None:
    """A larger page cache for this connection: random index inserts then hit memory."""
    if session.get_bind().dialect.name == "sqlite":
        session.execute(sa.text("PRAGMA cache_size=-65536"))  # 64 MiB, whatever the file size


class StatementCache(Generic[Built]):
    """Statements built for recent requests, by a key that names everything they depend on.

    A statement holds only SQL and its values, so the same request can reuse it: building one
    and computing its cache key took a quarter of a list page's or a stats answer's time, and
    SQLAlchemy remembers the key on the statement object. The oldest go past `size`.
    """

    def __init__(self, size: int = 512) -> None:
        self.size = size
        self._built: OrderedDict[str, Built] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: str, build: Callable[[], Built]) -> Built:
        found = self._built.get(key)
        if found is None:
            found = build()
            with self._lock:
                self._built[key] = found
                while len(self._built) > self.size:
                    self._built.popitem(last=False)
        return found


def answers(session: Session) -> bool:
    """Whether the database answers a trivial query (GET /healthz)."""
    try:
        session.execute(sa.text("SELECT 1"))
    except sa.exc.SQLAlchemyError:
        return False
    return True
