"""Conditional GETs for poor networks: weak ETags on collection reads, 304 when unchanged.

The ETag is a hash of the request (path, query, Accept) and of the data's version: the latest
change of any event (every write, deletions included, moves updated_at) and of the actor
registry. It is computed before the query, so it is never newer than the answer it goes with.
When reads are public, a matching If-None-Match is answered 304 without running the query; when
they need a key, the request runs (and is authorised) first and only the body is saved.
Single records keep their version ETag (app.events.etags), which If-Match editing relies on.
"""

import hashlib
import sqlite3

import anyio
import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError
from starlette.datastructures import Headers, MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app import __version__
from app.core.errors import timed_out
from app.core.tables import actor_alias_table, actor_table, event_table

_PREFIXES = ("/v1/events.", "/v1/stats", "/v1/provinces", "/v1/actors")
_PATHS = ("/v1/events", "/v1/events/deleted")


def cacheable(path: str) -> bool:
    return path in _PATHS or path.startswith(_PREFIXES)


# Plain SQL, the same on both backends: it runs on every cacheable GET.
_VERSION = (
    f"SELECT (SELECT max(updated_at) FROM {event_table.name}), "
    f"(SELECT max(id) FROM {actor_table.name}), "
    f"(SELECT count(*) FROM {actor_alias_table.name})"
)


def data_version(engine: Engine) -> str:
    with engine.connect() as connection:
        return repr(tuple(connection.exec_driver_sql(_VERSION).one()))


class SQLiteVersion:
    """The data's version on a SQLite file, from a connection of its own that never writes:
    `PRAGMA data_version` changes when any other connection, of any process, has committed
    since the last look, and only then are the index ends read again. Costs a few microseconds,
    not a pool checkout and three subqueries (6% of a list page's time). For the event loop's
    thread only."""

    def __init__(self, path: str, timeout_s: float) -> None:
        self.path, self.timeout_s = path, timeout_s
        self._connection: sqlite3.Connection | None = None
        self._seen: int | None = None
        self._version = ""

    def __call__(self) -> str:
        if self._connection is None:
            self._connection = sqlite3.connect(
                self.path, timeout=self.timeout_s, isolation_level=None, check_same_thread=False
            )
            self._connection.execute("PRAGMA query_only=1")
        seen = self._connection.execute("PRAGMA data_version").fetchone()[0]
        if seen != self._seen:
            self._version = repr(tuple(self._connection.execute(_VERSION).fetchone()))
            self._seen = seen
        return self._version

    def close(self) -> None:
        if self._connection is not None:
            self._connection.close()
            self._connection = None


def matches(if_none_match: str, etag: str) -> bool:
    """Weak comparison (RFC 9110 13.1.2): W/ prefixes do not count."""
    tags = [t.strip().removeprefix("W/") for t in if_none_match.split(",")]
    return "*" in tags or etag.removeprefix("W/") in tags


class ConditionalGet:
    def __init__(
        self, app: ASGIApp, engine: Engine, *, public_reads: bool, sqlite_busy_s: float = 5.0
    ) -> None:
        self.app, self.engine, self.public_reads = app, engine, public_reads
        self.sqlite_version: SQLiteVersion | None = None
        database = engine.url.database
        if engine.dialect.name == "sqlite" and database and database != ":memory:":
            self.sqlite_version = SQLiteVersion(database, sqlite_busy_s)
            sa.event.listen(engine, "engine_disposed", lambda _e: self._close())

    def _close(self) -> None:
        if self.sqlite_version is not None:
            self.sqlite_version.close()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (
            scope["type"] != "http"
            or scope["method"] not in ("GET", "HEAD")
            or not cacheable(scope["path"])
        ):
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        # On SQLite inline, not in the thread pool: reading three index ends (~50 us) costs less
        # than the trip there and back. A server's round trip could stall the event loop.
        try:
            if self.sqlite_version is not None:
                version = self.sqlite_version()
            elif self.engine.dialect.name == "sqlite":
                version = data_version(self.engine)
            else:
                version = await anyio.to_thread.run_sync(data_version, self.engine)
        except DBAPIError as error:
            if not timed_out(error):
                raise
            await self.app(scope, receive, send)  # no ETag this time; the route answers
            return
        request = [__version__, version, scope["path"], scope["query_string"].decode("latin-1")]
        request.append(headers.get("accept", ""))
        digest = hashlib.sha256("\n".join(request).encode()).hexdigest()[:32]
        etag = f'W/"{digest}"'
        wanted = headers.get("if-none-match")
        hit = wanted is not None and matches(wanted, etag)
        if hit and self.public_reads:
            await self._not_modified(send, etag)
            return
        answered_304 = False

        async def send_with_etag(message: Message) -> None:
            nonlocal answered_304
            if message["type"] == "http.response.start" and message["status"] == 200:
                if hit:
                    answered_304 = True
                    await self._not_modified(send, etag)
                    return
                response_headers = MutableHeaders(scope=message)
                response_headers["ETag"] = etag
                response_headers["Cache-Control"] = "no-cache"
            elif answered_304:  # the body of an answer already given as 304
                return
            await send(message)

        await self.app(scope, receive, send_with_etag)

    @staticmethod
    async def _not_modified(send: Send, etag: str) -> None:
        headers = [(b"etag", etag.encode()), (b"cache-control", b"no-cache")]
        await send({"type": "http.response.start", "status": 304, "headers": headers})
        await send({"type": "http.response.body", "body": b""})
