"""ASGI middleware: the request body size limit, answered in the common problem shape; the
request id, security headers and access log on every request."""

import logging
import re
import time
import uuid
from datetime import UTC, datetime
from urllib.parse import parse_qsl, urlencode

import orjson
from starlette.datastructures import MutableHeaders
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.core.errors import Problem, error_response, problem_response


class BodyLimit:
    """413 for bodies over `limit` bytes, before the app reads them where the size is declared."""

    def __init__(self, app: ASGIApp, limit: int) -> None:
        self.app, self.limit = app, limit

    def _too_large(self) -> str:
        return f"The body is over {self.limit} bytes; load big files with `conflict-events import`."

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope["headers"]).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.limit:
            problem = Problem(
                type="/problems/body-too-large",
                title="Request body too large",
                status=413,
                detail=self._too_large(),
            )
            await problem_response(problem)(scope, receive, send)
            return
        received = 0

        async def counting_receive() -> Message:
            nonlocal received
            message = await receive()
            received += len(message.get("body", b""))
            if received > self.limit:
                raise HTTPException(413, self._too_large())
            return message

        await self.app(scope, counting_receive, send)


_REQUEST_ID = re.compile(r"[A-Za-z0-9._-]{1,64}")
# Query parameters never written to the log: ACLED's credentials, and anything named like one.
_SECRET_PARAMETERS = frozenset({"key", "api_key", "apikey", "token", "password", "secret", "email"})
_SECURITY_HEADERS = [
    ("x-content-type-options", "nosniff"),
    ("x-frame-options", "DENY"),
    ("referrer-policy", "no-referrer"),
    ("cross-origin-opener-policy", "same-origin"),
]
# JSON, CSV and GeoJSON load nothing; the pages (explorer, docs) load their own scripts and
# styles, and run no inline script (Swagger UI starts from /docs/swagger-init.js). ReDoc runs a
# worker from a blob, and its styled-components add <style> elements: without inline styles
# it renders nothing (Swagger UI and the explorer need none).
_CSP_DATA = "default-src 'none'; frame-ancestors 'none'"
_CSP_PAGES = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; worker-src 'self' blob:; frame-ancestors 'none'"
)
access_log = logging.getLogger("conflict_events.access")


_MAYBE_SECRET = re.compile("|".join(_SECRET_PARAMETERS).encode(), re.IGNORECASE)


def redacted_query(query: bytes) -> str:
    if not _MAYBE_SECRET.search(query):  # most queries: no parsing
        return query.decode("latin-1")
    pairs = parse_qsl(query.decode("latin-1"), keep_blank_values=True)
    if not any(name.lower() in _SECRET_PARAMETERS for name, _ in pairs):
        return query.decode("latin-1")
    return urlencode(
        [(n, "[redacted]" if n.lower() in _SECRET_PARAMETERS else v) for n, v in pairs]
    )


class RequestContext:
    """The outermost layer: a request id (the client's X-Request-Id if it is a sane one, else a
    new one) returned on every answer, security headers on every answer, and one JSON access-log
    line per request. The log names the key by its name (never its secret) and redacts secret
    query parameters; the Authorization header is never read here."""

    def __init__(self, app: ASGIApp, *, log: bool, hsts: bool) -> None:
        self.app, self.log = app, log
        self.headers = list(_SECURITY_HEADERS)
        if hsts:
            self.headers.append(("strict-transport-security", "max-age=31536000"))

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        given = next((v for k, v in scope["headers"] if k == b"x-request-id"), b"").decode(
            "latin-1"
        )
        request_id = given if _REQUEST_ID.fullmatch(given) else uuid.uuid4().hex
        scope.setdefault("state", {})["request_id"] = request_id
        started, status, sent = time.perf_counter(), 0, 0

        async def send_with_headers(message: Message) -> None:
            nonlocal status, sent
            if message["type"] == "http.response.start":
                status = message["status"]
                headers = MutableHeaders(scope=message)
                headers["X-Request-Id"] = request_id
                for name, value in self.headers:
                    headers.append(name, value)
                page = headers.get("content-type", "").startswith("text/html")
                headers["Content-Security-Policy"] = _CSP_PAGES if page else _CSP_DATA
            elif message["type"] == "http.response.body":
                sent += len(message.get("body", b""))
            await send(message)

        try:
            await self.app(scope, receive, send_with_headers)
        except Exception as error:
            # Raised in a middleware (or past the routes' handlers): answered like any other
            # error, with the request id and security headers, on a connection that stays
            # usable. After the answer has started, only closing the connection is honest.
            if status:
                raise
            response = await error_response(Request(scope), error)
            await response(scope, receive, send_with_headers)
        finally:
            if self.log:
                self._log(scope, request_id, status, sent, started)

    @staticmethod
    def _log(scope: Scope, request_id: str, status: int, sent: int, started: float) -> None:
        client = scope.get("client")
        line = {
            "time": datetime.now(UTC).isoformat(timespec="milliseconds"),
            "request_id": request_id,
            "method": scope["method"],
            "path": scope["path"],
            "query": redacted_query(scope.get("query_string", b"")),
            "status": status or 500,  # none sent: the server's own error answer
            "ms": round((time.perf_counter() - started) * 1000, 2),
            "bytes": sent,
            "client": client[0] if client else None,
            "key": scope.get("state", {}).get("key_name"),
        }
        access_log.info(orjson.dumps(line).decode())


def configure_access_log() -> None:
    """Access lines go to stderr as they are (JSON), once per process."""
    if not access_log.handlers:
        handler = logging.StreamHandler()
        handler.setFormatter(logging.Formatter("%(message)s"))
        access_log.addHandler(handler)
        access_log.setLevel(logging.INFO)
        access_log.propagate = False
