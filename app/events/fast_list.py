"""GET /v1/events, the common requests, without FastAPI's per-request machinery.

The route in app/events/routes.py stays the definition: its parameters document the API, and it
answers every request. This ASGI layer, just outside the router, answers the plain list requests
it can parse strictly (known parameters, well-formed values, a JSON answer) with the same code
(`routes.list_page`), and passes everything else on, including any request whose filters the
service refuses, so that errors keep coming from one place. Parsing the query with FastAPI's
dependency solver and a thread-pool hop per dependency cost more than the page's queries.
A test checks that both paths give the same answers.
"""

from datetime import date
from typing import Any
from urllib.parse import parse_qsl

import anyio
from fastapi import Request, Response
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError
from sqlmodel import Session
from starlette.types import ASGIApp, Receive, Scope, Send

from app.core.errors import ApiError, QueryTimeout, problem_response, timed_out
from app.core.types import COUNTRY_CODES, ISO_DAY
from app.events.filters import MAX_VALUES, EventFilters, event_filters
from app.events.routes import list_page
from app.events.schemas import ActorRole
from app.exports.service import export_wanted

_LISTS = ("province", "district", "actor", "kind", "country", "dataset", "actor_role")
_SINGLE = ("date_from", "date_to", "limit", "cursor", "q")
_KINDS = frozenset({"offensive", "displacement", "withdrawal_milestone", "other"})
_ROLES = frozenset(role.value for role in ActorRole)


def _name(value: str) -> str | None:
    value = value.strip()
    return value if 0 < len(value) <= 200 and "\x00" not in value else None


def parse(query: str) -> dict[str, Any] | None:
    """The list request's parameters, typed as the route takes them; None for anything the
    route must judge (unknown or repeated parameters, values it might refuse or read otherwise)."""
    lists: dict[str, list[str]] = {}
    single: dict[str, str] = {}
    for key, value in parse_qsl(query, keep_blank_values=True, strict_parsing=False):
        if key in _LISTS:
            lists.setdefault(key, []).append(value)
        elif key in _SINGLE and key not in single:
            single[key] = value
        else:
            return None
    args: dict[str, Any] = {}
    for key, values in lists.items():
        if len(values) > MAX_VALUES:
            return None
        given = [_name(v) for v in values]
        names = [n for n in given if n is not None]
        if len(names) != len(given):
            return None
        if key == "kind" and not set(names) <= _KINDS:
            return None
        if key == "actor_role":
            if not set(names) <= _ROLES:
                return None
            args[key] = [ActorRole(n) for n in names]
            continue
        if key == "country" and not set(names) <= COUNTRY_CODES:
            return None
        args[key] = names
    for key in ("date_from", "date_to"):
        if key in single:
            if not ISO_DAY.fullmatch(single[key]):
                return None
            try:
                args[key] = date.fromisoformat(single[key])
            except ValueError:
                return None
    if "q" in single:
        if len(single["q"]) > 500 or "\x00" in single["q"]:
            return None
        args["q"] = single["q"]
    limit = single.get("limit", "50")
    if not (limit.isascii() and limit.isdigit()) or not 1 <= int(limit) <= 1000:  # not "²"
        return None
    cursor = single.get("cursor")
    if cursor is not None and len(cursor) > 512:
        return None
    return {"filters": args, "limit": int(limit), "cursor": cursor}


class FastList:
    def __init__(
        self, app: ASGIApp, engine: Engine, *, public_reads: bool, limit_ms: int = 0
    ) -> None:
        self.app, self.engine, self.public_reads = app, engine, public_reads
        self.limit_ms = limit_ms

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (
            scope["type"] != "http"
            or scope["method"] != "GET"
            or scope["path"] != "/v1/events"
            or not self.public_reads
        ):
            await self.app(scope, receive, send)
            return
        parsed = parse(scope["query_string"].decode("latin-1"))
        accept = next((v for k, v in scope["headers"] if k == b"accept"), b"").decode("latin-1")
        answer = None
        if parsed is not None and export_wanted(accept) is None:
            try:
                filters = await event_filters(**parsed["filters"])
                if self.engine.dialect.name == "sqlite":  # a page costs less than a thread trip
                    answer = self._page(scope, filters, parsed)
                else:  # a database server's round trips must not stall the event loop
                    answer = await anyio.to_thread.run_sync(self._page, scope, filters, parsed)
            except ApiError:
                answer = None  # the route answers it, with the error in its usual shape
            except DBAPIError as error:
                if not timed_out(error):
                    raise
                timeout = QueryTimeout(self.limit_ms)
                await problem_response(timeout.problem(), timeout.headers)(scope, receive, send)
                return
        if answer is None:
            await self.app(scope, receive, send)
            return
        body, headers = answer
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        await send({"type": "http.response.body", "body": body})

    def _page(
        self, scope: Scope, filters: EventFilters, parsed: dict[str, Any]
    ) -> tuple[bytes, list[tuple[bytes, bytes]]]:
        request, response = Request(scope), Response()
        with Session(self.engine) as session:
            body = list_page(
                request,
                response,
                session,
                filters,
                limit=parsed["limit"],
                cursor=parsed["cursor"],
                fields=None,
            )
        headers = [
            (b"content-type", b"application/json"),
            (b"content-length", str(len(body)).encode()),
        ]
        if "link" in response.headers:
            headers.append((b"link", response.headers["link"].encode("latin-1")))
        return body, headers
