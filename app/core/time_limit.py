"""A bound on how long a query may take to produce its first row, for the serving engine.

A request that asks for too much (a search of every record with a rare word, years grouped by
day) must not hold the database: past `CE_QUERY_TIME_LIMIT_MS` the query is stopped and the
request answered 503 in the common problem shape, with Retry-After. Only the first row is
bounded: a long export keeps streaming once its rows come. Work a request does in Python on
rows the database returned is bounded alike by a `Deadline`.

- SQLite: a progress handler, called every few thousand virtual-machine steps, interrupts the
  statement once its deadline has passed. The deadline is set before each statement and
  cleared when pysqlite's execute returns, which is when the first row is ready.
- PostgreSQL: `statement_timeout` on each connection. A streamed export reads with a
  server-side cursor, so the bound applies to each fetch of rows, not to the whole export.
"""

import itertools
import time
from collections.abc import Iterator
from typing import Any, TypeVar, cast

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.engine import Engine

from app.core.errors import QueryTimeout

T = TypeVar("T")
_STEPS = 4_000  # VM steps between checks: ~0.1 ms of work, a negligible cost


def install(engine: Engine, limit_ms: int) -> None:
    """Bound every statement the engine runs; 0 leaves it unbounded."""
    if limit_ms <= 0:
        return
    if engine.dialect.name == "sqlite":
        _install_progress_handler(engine, limit_ms / 1000)
        return

    @event.listens_for(engine, "connect")
    def _statement_timeout(dbapi_connection: Any, _record: Any) -> None:
        cursor = dbapi_connection.cursor()
        cursor.execute(f"SET statement_timeout = {int(limit_ms)}")
        cursor.close()
        dbapi_connection.commit()


def _install_progress_handler(engine: Engine, seconds: float) -> None:
    """SQLite: interrupt a statement still running `seconds` after it started."""

    @event.listens_for(engine, "connect")
    def _progress_handler(dbapi_connection: Any, record: Any) -> None:
        deadline = record.info.setdefault("deadline", [0.0])

        def past_deadline() -> int:
            return 1 if deadline[0] and time.monotonic() > deadline[0] else 0

        dbapi_connection.set_progress_handler(past_deadline, _STEPS)

    @event.listens_for(engine, "before_cursor_execute")
    def _arm(conn: sa.Connection, *_args: Any) -> None:
        deadline = conn.connection.info.get("deadline")
        if deadline is not None:
            deadline[0] = time.monotonic() + seconds

    @event.listens_for(engine, "after_cursor_execute")
    def _disarm(conn: sa.Connection, *_args: Any) -> None:
        deadline = conn.connection.info.get("deadline")
        if deadline is not None:
            deadline[0] = 0.0

    @event.listens_for(engine, "handle_error")
    def _disarm_on_error(context: Any) -> None:
        if context.connection is not None and not context.connection.invalidated:
            deadline = context.connection.connection.info.get("deadline")
            if deadline is not None:
                deadline[0] = 0.0


class Deadline:
    """The same bound on a request's own work in Python (testing rows one by one, as ACLED's
    filters are), which no database limit sees: `check()` raises QueryTimeout once it has
    passed. 0 leaves it unbounded."""

    __slots__ = ("at", "limit_ms")

    def __init__(self, limit_ms: int) -> None:
        self.limit_ms = limit_ms
        self.at = time.monotonic() + limit_ms / 1000 if limit_ms > 0 else None

    def check(self) -> None:
        if self.at is not None and time.monotonic() > self.at:
            raise QueryTimeout(self.limit_ms, first_row=False)

    def lift(self) -> None:
        """No bound from now on (a stream that has started)."""
        self.at = None


_END = object()


def primed(items: Iterator[T]) -> Iterator[T]:
    """Run a lazy query to its first item now, so that a time limit (or any database error) is
    an error answer before a stream starts, not a stream cut short."""
    first = next(items, _END)
    if first is _END:
        return iter(())
    return itertools.chain([cast(T, first)], items)
