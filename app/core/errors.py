"""One error shape for the whole /v1 API: RFC 9457 problem details.

Every error raised on purpose is an ApiError; FastAPI's validation errors, Starlette's HTTP errors
and anything unexpected are turned into the same shape by the handlers registered here.
"""

import errno
import logging
from collections.abc import Iterable
from typing import Any, Literal

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.exc import DBAPIError, SQLAlchemyError
from sqlalchemy.exc import TimeoutError as SQLAlchemyTimeout
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import Match

log = logging.getLogger("conflict_events")

PROBLEM_JSON = "application/problem+json"
# The tags of discriminated unions (an event's kinds): pydantic puts the chosen one into an
# error's location, where the user never wrote it. The models name them (union_tags).
_UNION_TAGS: set[str] = set()


def union_tags(tags: Iterable[str]) -> None:
    """Name the tags of a discriminated union, so errors' locations leave them out."""
    _UNION_TAGS.update(tags)


class ErrorItem(BaseModel):
    """One thing wrong with the request, and where it is."""

    model_config = ConfigDict(
        populate_by_name=True,
        json_schema_extra={
            "examples": [
                {
                    "in": "query",
                    "name": "province",
                    "detail": "Unknown province 'Helmnad'.",
                    "suggestions": ["Helmand"],
                }
            ]
        },
    )

    in_: Literal["query", "body", "path", "header"] = Field(
        alias="in",
        description="Which part of the request is wrong.",
        examples=["query"],
    )
    name: str | None = Field(
        default=None,
        description="The query, path or header parameter that is wrong.",
        examples=["province"],
    )
    pointer: str | None = Field(
        default=None,
        description="JSON Pointer (RFC 6901) to the wrong part of the request body.",
        examples=["/actors/0/role"],
    )
    detail: str = Field(description="What is wrong, in words.", examples=["Unknown province."])
    suggestions: list[str] | None = Field(
        default=None,
        description="Close valid values, best first, where the API can tell.",
        examples=[["Helmand"]],
    )


class Problem(BaseModel):
    """An error, as RFC 9457 problem details (`application/problem+json`)."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "type": "/problems/invalid-request",
                    "title": "Invalid request",
                    "status": 422,
                    "detail": "1 problem with the request.",
                    "errors": [
                        {
                            "in": "query",
                            "name": "province",
                            "detail": "Unknown province 'Helmnad'.",
                            "suggestions": ["Helmand"],
                        }
                    ],
                }
            ]
        }
    )

    type: str = Field(
        description="A URI reference naming the kind of problem.",
        examples=["/problems/invalid-request"],
    )
    title: str = Field(
        description="A short summary of the kind of problem.", examples=["Not found"]
    )
    status: int = Field(description="The HTTP status code.", examples=[404])
    detail: str = Field(
        description="What went wrong with this request.", examples=["No event with id 42."]
    )
    errors: list[ErrorItem] | None = Field(
        default=None,
        description="For 400 and 422: each thing wrong with the request.",
        examples=[[{"in": "query", "name": "limit", "detail": "Must be at most 1000."}]],
    )


# The error responses every /v1 route documents in OpenAPI.
PROBLEMS: dict[int | str, dict[str, Any]] = {
    422: {"model": Problem, "description": "Invalid parameters; `errors` names each one."},
}


def problems(descriptions: dict[int, str], *codes: int) -> dict[int | str, dict[str, Any]]:
    """A route's documented problems: these codes with a router's descriptions, and 422."""
    return {
        code: {"model": Problem, "description": descriptions[code]} for code in codes
    } | PROBLEMS


class ApiError(Exception):
    status = 500
    title = "Internal error"
    slug = "internal-error"

    def __init__(
        self,
        detail: str,
        *,
        errors: list[ErrorItem] | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(detail)
        self.detail = detail
        self.errors = errors
        self.headers = headers

    def problem(self) -> Problem:
        return Problem(
            type=f"/problems/{self.slug}",
            title=self.title,
            status=self.status,
            detail=self.detail,
            errors=self.errors,
        )


class BadRequest(ApiError):
    status, title, slug = 400, "Bad request", "bad-request"


class Unauthorized(ApiError):
    status, title, slug = 401, "Unauthorized", "unauthorized"

    def __init__(self, detail: str) -> None:
        super().__init__(detail, headers={"WWW-Authenticate": "Bearer"})


class Forbidden(ApiError):
    status, title, slug = 403, "Forbidden", "forbidden"


class NotFound(ApiError):
    status, title, slug = 404, "Not found", "not-found"


class UnsupportedMediaType(ApiError):
    status, title, slug = 415, "Unsupported media type", "unsupported-media-type"


def media_type(request: Request) -> str:
    """The request's Content-Type without parameters, lower-cased."""
    return request.headers.get("content-type", "").split(";")[0].strip().lower()


class Gone(ApiError):
    status, title, slug = 410, "Gone", "gone"


class Conflict(ApiError):
    status, title, slug = 409, "Conflict", "conflict"


class TooManyRequests(ApiError):
    status, title, slug = 429, "Too many failed keys", "too-many-failed-keys"

    def __init__(self, retry_after: int) -> None:
        super().__init__(
            "Too many requests from this address presented an API key that is not valid: no key "
            f"from it is checked for {retry_after} s.",
            headers={"Retry-After": str(retry_after)},
        )


class QueryTimeout(ApiError):
    status, title, slug = 503, "Query time limit", "query-time-limit"

    def __init__(self, limit_ms: int, *, first_row: bool = True) -> None:
        what = "produce its first row" if first_row else "finish"
        super().__init__(
            f"The query did not {what} within {limit_ms} ms. Narrow it (a shorter date range, "
            "a province, fewer groups, a longer literal in a pattern) or try again later.",
            headers={"Retry-After": "5"},
        )


class DatabaseUnavailable(ApiError):
    status, title, slug = 503, "Database unavailable", "database-unavailable"

    def __init__(self, detail: str, retry_after_s: int) -> None:
        super().__init__(detail, headers={"Retry-After": str(retry_after_s)})


class InsufficientStorage(ApiError):
    status, title, slug = 507, "Insufficient storage", "insufficient-storage"

    def __init__(self) -> None:
        super().__init__(
            "The server's disk is full: nothing was written. Reads still work; try the write "
            "again once an operator has freed space.",
            headers={"Retry-After": "60"},
        )


# What a database driver says when the disk is full, when its server cannot be reached (down,
# restarting, refusing connections) and when SQLite's file is locked past the busy timeout.
# SQLSTATE classes: 53100 disk_full; 08 connection exceptions, 57P0x shutdowns and restarts.
_DISK_FULL_WORDS = ("database or disk is full", "no space left on device", "could not extend file")
_DISK_FULL_STATES = ("53100",)
_LOCKED_WORDS = ("database is locked", "database table is locked", "database schema is locked")
_UNREACHABLE_STATES = ("08", "57P01", "57P02", "57P03")
_UNREACHABLE_WORDS = (
    "connection refused",
    "could not connect",
    "server closed the connection",
    "connection is closed",
    "connection failed",
    "terminating connection",
    "the database system is",  # ... starting up / shutting down / in recovery mode
    "unable to open database file",
)


def cause(error: BaseException) -> str:
    """The first line of what went wrong: the driver's own words for a database error."""
    lines = str(getattr(error, "orig", None) or error).strip().splitlines()
    return lines[0] if lines else type(error).__name__


def disk_full(error: BaseException) -> bool:
    """Whether an error (a database's, or the file system's) is a full disk."""
    if isinstance(error, OSError) and error.errno == errno.ENOSPC:
        return True
    original = getattr(error, "orig", None) or error
    state = str(getattr(original, "sqlstate", "") or "")
    return state in _DISK_FULL_STATES or any(w in str(original).lower() for w in _DISK_FULL_WORDS)


def fault(error: BaseException, limit_ms: int) -> ApiError | None:
    """The answer to an error that is the service's state, not the request's fault: the time
    limit (503), a full disk (507), the database locked or out of reach (503, Retry-After)."""
    if timed_out(error):
        return QueryTimeout(limit_ms)
    if disk_full(error):
        return InsufficientStorage()
    if isinstance(error, SQLAlchemyTimeout):  # no connection free in the pool in time
        return DatabaseUnavailable("Every database connection is busy; try again shortly.", 2)
    if not isinstance(error, DBAPIError):
        return None
    original = error.orig
    text = str(original).lower()
    if any(w in text for w in _LOCKED_WORDS):
        return DatabaseUnavailable(
            "The database is locked by a long write (a backup, an import); try again shortly.", 5
        )
    state = str(getattr(original, "sqlstate", "") or "")
    if (
        error.connection_invalidated
        or state.startswith(_UNREACHABLE_STATES)
        or any(w in text for w in _UNREACHABLE_WORDS)
    ):
        return DatabaseUnavailable("The database cannot be reached; try again shortly.", 5)
    return None


def timed_out(error: BaseException) -> bool:
    """Whether a database error is the time limit stopping a query."""
    original = getattr(error, "orig", None)
    if original is None:
        return False
    if type(original).__name__ == "QueryCanceled":  # psycopg: statement_timeout
        return True
    return "interrupted" in str(original)  # sqlite3: the progress handler


class InvalidRequest(ApiError):
    status, title, slug = 422, "Invalid request", "invalid-request"

    def __init__(self, errors: list[ErrorItem]) -> None:
        count = len(errors)
        super().__init__(
            f"{count} problem{'s' if count != 1 else ''} with the request.", errors=errors
        )


def invalid(
    where: Literal["query", "body", "path", "header"],
    location: str,
    detail: str,
    suggestions: list[str] | None = None,
) -> InvalidRequest:
    """A 422 about one parameter (query/path/header: its name; body: a JSON pointer)."""
    item = ErrorItem(
        in_=where,
        name=None if where == "body" else location,
        pointer=location if where == "body" else None,
        detail=detail,
        suggestions=suggestions,
    )
    return InvalidRequest([item])


def problem_response(problem: Problem, headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse(
        problem.model_dump(mode="json", by_alias=True, exclude_none=True),
        status_code=problem.status,
        media_type=PROBLEM_JSON,
        headers=headers,
    )


def _pointer(parts: list[str | int]) -> str:
    return "".join("/" + str(p).replace("~", "~0").replace("/", "~1") for p in parts)


def _error_item(error: dict[str, Any]) -> ErrorItem:
    where, *path = error["loc"] or ("body",)
    message = str(error.get("msg", "Invalid value."))
    if error.get("type") == "string_pattern_mismatch" and "\\x00" in message:
        message = "Must not contain NUL characters."
    if where == "body":
        # A discriminated union puts the chosen kind into the location; the user never wrote it.
        if path and path[0] in _UNION_TAGS:
            path = path[1:]
        # Model-level validators report no field; their message says which fields are involved.
        message = message.removeprefix("Value error, ")
        return ErrorItem(in_="body", pointer=_pointer(path), detail=message)
    if where not in ("query", "path", "header"):
        where = "query"
    name = ".".join(str(p) for p in path if not isinstance(p, int)) or None
    return ErrorItem(in_=where, name=name, detail=message.removeprefix("Value error, "))


def query_errors(error: Any) -> InvalidRequest:
    """A 422 from a pydantic ValidationError raised while validating a query model."""
    return InvalidRequest([_error_item({**e, "loc": ("query", *e["loc"])}) for e in error.errors()])


def body_errors(error: Any) -> InvalidRequest:
    """A 422 from a pydantic ValidationError raised while validating a request body."""
    return InvalidRequest([_error_item({**e, "loc": ("body", *e["loc"])}) for e in error.errors()])


async def _validation_handler(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    raw = list(exc.errors())
    if any(e.get("type") == "json_invalid" for e in raw):
        detail = "The request body is not valid JSON."
        item = ErrorItem(in_="body", pointer="", detail=detail)
        return problem_response(BadRequest(detail, errors=[item]).problem())
    return problem_response(InvalidRequest([_error_item(e) for e in raw]).problem())


async def _api_error_handler(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, ApiError)
    return problem_response(exc.problem(), exc.headers)


_HTTP_TITLES = {
    400: "Bad request",
    404: "Not found",
    405: "Method not allowed",
    413: "Request body too large",
    415: "Unsupported media type",
}
_HTTP_SLUGS = {413: "body-too-large"}


async def _http_error_handler(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    title = _HTTP_TITLES.get(exc.status_code, "HTTP error")
    detail = exc.detail if isinstance(exc.detail, str) else title
    if exc.status_code == 404 and detail == "Not Found":
        detail = f"No such path: {request.url.path}"
    errors = None
    if exc.status_code == 400 and detail == "There was an error parsing the body":
        # FastAPI's words for a body json cannot read (nested too deep, a number of too many
        # digits): a 400 names what was wrong, as every other one does.
        detail = "The request body is not valid JSON (or is nested or numbered beyond limits)."
        errors = [ErrorItem(in_="body", pointer="", detail=detail)]
    problem = Problem(
        type=f"/problems/{_HTTP_SLUGS.get(exc.status_code, title.lower().replace(' ', '-'))}",
        title=title,
        status=exc.status_code,
        detail=detail,
        errors=errors,
    )
    headers = dict(exc.headers) if exc.headers else {}
    if exc.status_code == 405:
        headers["Allow"] = ", ".join(allowed_methods(request))
    return problem_response(problem, headers or None)


def allowed_methods(request: Request) -> list[str]:
    """Every method some route serves at the request's path (Starlette names only the first
    route's, and GET /v1/events and POST /v1/events are two routes)."""
    return [
        method
        for method in _METHODS
        if any(
            route.matches({**request.scope, "method": method})[0] == Match.FULL
            for route in request.app.router.routes
        )
    ]


_METHODS = ("DELETE", "GET", "HEAD", "PATCH", "POST", "PUT")


async def error_response(request: Request, exc: Exception) -> JSONResponse:
    """The one answer to any error, wherever it was raised: a route, a dependency or a
    middleware (app.middleware.RequestContext sends what escapes the routes here too)."""
    if isinstance(exc, RequestValidationError):
        return await _validation_handler(request, exc)
    if isinstance(exc, ApiError):
        return await _api_error_handler(request, exc)
    if isinstance(exc, StarletteHTTPException):
        return await _http_error_handler(request, exc)
    known = fault(exc, request.app.state.settings.query_time_limit_ms)
    if known is not None:
        log.warning("%s on %s %s: %s", known.title, request.method, request.url.path, cause(exc))
        return await _api_error_handler(request, known)
    log.exception("unexpected error on %s %s", request.method, request.url.path)
    return problem_response(
        ApiError("The server failed to answer; the error was logged.").problem()
    )


def install_error_handlers(app: FastAPI) -> None:
    kinds = (RequestValidationError, ApiError, StarletteHTTPException, SQLAlchemyError, OSError)
    for kind in (*kinds, Exception):
        app.add_exception_handler(kind, error_response)
