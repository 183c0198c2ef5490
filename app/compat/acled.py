"""GET /api/acled/read and /api/deleted/read: ACLED's API over our records, for ACLED's clients.

A script written for ACLED's API works against this server by changing its base URL. Filters
follow ACLED's conventions (app/sources/acled.py holds the columns and how a record becomes a
row): any column is a filter, `<column>_where` picks the operator, `a|b` gives several values (or
the two ends of a BETWEEN). Every filter is checked on the ACLED row itself, so the answer is what
ACLED's semantics say; the filters that can be (dates, countries, Afghan provinces, timestamps)
also narrow the database query first. Errors use ACLED's shape, `{"success": false, "error": ...}`.
"""

import csv
import io
import re
from collections.abc import Callable, Generator, Iterator
from contextlib import closing
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

import orjson
import sqlalchemy as sa
from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response, StreamingResponse
from fastapi.security import HTTPAuthorizationCredentials
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import Session

from app.compat.like import compile_like
from app.core import time_limit
from app.core.errors import ApiError, fault
from app.core.settings import Scope
from app.core.tables import event_table as event_t
from app.events import service
from app.events.filters import EventFilters
from app.exports.cells import spreadsheet_safe
from app.exports.service import snapshot_records
from app.gazetteer import get_gazetteer
from app.keys.auth import authenticate
from app.sources import acled, countries

router = APIRouter(prefix="/api", tags=["acled"])

DEFAULT_LIMIT = 5000  # as ACLED's API
OPERATORS = ("=", ">", "<", ">=", "<=", "LIKE", "BETWEEN")
TIMESTAMP_OPERATORS = tuple(o for o in OPERATORS if o != "LIKE")
# Accepted and not used: ACLED's old credentials (unless read keys are required: then `key` is
# one of ours) and options that change nothing here.
IGNORED = frozenset(
    {"key", "email", "terms", "export_type", "population", "inter_num", "maritime_pairs"}
)
CONTROLS = frozenset({"limit", "page", "fields", "_format", "with_total"})
# Filters on columns rows do not show: the pre-2023 API's iso3 (our country codes).
HIDDEN = ("iso3",)


class AcledError(Exception):
    def __init__(
        self,
        status: int,
        message: str,
        parameter: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.status, self.message, self.parameter = status, message, parameter
        self.headers = headers

    @classmethod
    def of(cls, error: ApiError) -> "AcledError":
        """One of our own errors (a refused filter, a key, the time limit) in ACLED's shape."""
        return cls(error.status, str(error.detail), headers=error.headers)

    def response(self) -> JSONResponse:
        error: dict[str, Any] = {"status": self.status, "message": self.message}
        if self.parameter:
            error["parameter"] = self.parameter
        return JSONResponse(
            {"status": self.status, "success": False, "error": error},
            status_code=self.status,
            headers=self.headers,
        )


def _bad(parameter: str, message: str) -> AcledError:
    return AcledError(400, message, parameter)


_ERROR_SCHEMA = {
    "type": "object",
    "required": ["status", "success", "error"],
    "properties": {
        "status": {"type": "integer"},
        "success": {"type": "boolean", "enum": [False]},
        "error": {
            "type": "object",
            "required": ["status", "message"],
            "properties": {
                "status": {"type": "integer"},
                "message": {"type": "string"},
                "parameter": {"type": "string"},
            },
        },
    },
}


def _error_response(status: int, description: str) -> dict[str, Any]:
    example = {"status": status, "success": False, "error": {"status": status, "message": "..."}}
    if status == 400:
        example["error"] = {"status": 400, "message": "...", "parameter": "page"}
    return {
        "description": description,
        "content": {"application/json": {"schema": _ERROR_SCHEMA, "example": example}},
    }


# The errors both endpoints answer, in ACLED's shape (not problem details).
ERROR_RESPONSES = {
    "400": _error_response(400, "ACLED's error shape; `parameter` names what was wrong."),
    "401": _error_response(401, "No valid key, where the server requires read keys."),
    "403": _error_response(403, "A key without the read scope."),
    "429": _error_response(429, "Too many wrong keys from this address; see Retry-After."),
    "503": _error_response(
        503, "The database is out of reach, or the query ran past the time limit; see Retry-After."
    ),
}


@dataclass
class Condition:
    """One filter: an ACLED column, an operator and its values, tested on ACLED rows."""

    column: str
    operator: str
    values: list[Any]
    test: Callable[[Any], bool] = field(init=False)

    def __post_init__(self) -> None:
        values, op = self.values, self.operator
        if op == "LIKE":
            patterns = [compile_like(str(v)) for v in values]
            self.test = lambda v: v is not None and any(p.matches(str(v)) for p in patterns)
            return
        compare: Callable[[Any], bool]
        if op == "BETWEEN":
            low, high = values
            compare = lambda v: low <= v <= high  # noqa: E731
        elif op == "=":
            compare = lambda v: v in values  # noqa: E731
        else:
            order: Callable[[Any, Any], bool] = {
                ">": lambda a, b: a > b,
                "<": lambda a, b: a < b,
                ">=": lambda a, b: a >= b,
                "<=": lambda a, b: a <= b,
            }[op]
            compare = lambda v: any(order(v, b) for b in values)  # noqa: E731

        def test(value: Any) -> bool:
            if value is None or value == "":
                return False
            try:
                return compare(_folded(value))
            except TypeError:  # a number compared with text: no match
                return False

        self.test = test

    def matches(self, row: dict[str, Any]) -> bool:
        return self.test(row[self.column])


def _folded(value: Any) -> Any:
    return value.casefold() if isinstance(value, str) else value


def _typed(column: str, text: str) -> Any:
    """A filter value as the column's type; a 400 naming the column if it is not one."""
    if column == "event_date":
        try:
            return date.fromisoformat(text).isoformat()
        except ValueError:
            raise _bad(column, f"{column}: {text!r} is not a date (YYYY-MM-DD).") from None
    if column == "timestamp" and re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        try:  # ACLED takes a day as well as Unix seconds
            return int(datetime.fromisoformat(text).replace(tzinfo=UTC).timestamp())
        except ValueError:
            raise _bad(column, f"{column}: {text!r} is not a date.") from None
    if column in acled.NUMBER_COLUMNS:
        try:
            number = float(text)
        except ValueError:
            raise _bad(column, f"{column}: {text!r} is not a number.") from None
        if number != number or number in (float("inf"), float("-inf")):
            raise _bad(column, f"{column}: {text!r} is not a number.")
        return int(number) if number.is_integer() else number
    return text.casefold()


# What one request may ask: longer values or more of them are refused before any work (a 10 MB
# value took 9 s to compare with every row).
MAX_VALUE_LENGTH, MAX_PARAMETERS = 1000, 1000


def _checked(params: list[tuple[str, str]]) -> list[tuple[str, str]]:
    if len(params) > MAX_PARAMETERS:
        raise _bad(params[0][0], f"At most {MAX_PARAMETERS} parameters a request.")
    for name, value in params:
        if len(value) > MAX_VALUE_LENGTH:
            raise _bad(name, f"{name}: at most {MAX_VALUE_LENGTH} characters.")
        if "\x00" in value:
            raise _bad(name, f"{name}: must not contain NUL characters.")
    return params


def _conditions(params: list[tuple[str, str]]) -> list[Condition]:
    values: dict[str, list[str]] = {}
    operators: dict[str, str] = {}
    for name, value in _checked(params):
        if name in IGNORED or name in CONTROLS:
            continue
        if name.endswith("_where") and name[: -len("_where")] in (*acled.COLUMNS, *HIDDEN):
            operator = value.strip().upper()
            if operator not in OPERATORS:
                raise _bad(name, f"{name}: {value!r} is not one of {', '.join(OPERATORS)}.")
            operators[name[: -len("_where")]] = operator
        elif name in acled.COLUMNS or name in HIDDEN:
            values.setdefault(name, []).extend(v for v in value.split("|"))
        else:
            raise _bad(name, f"Unknown parameter {name!r}: give an ACLED column, or {_named()}.")
    conditions = []
    for column, given in values.items():
        default = "LIKE" if column in acled.LIKE_COLUMNS else "="
        operator = operators.get(column, default)
        name = column
        typed = [_typed(column, v.strip()) for v in given]
        if operator == "BETWEEN" and len(typed) != 2:
            raise _bad(name, f"{name}: BETWEEN takes two values, as low|high.")
        if operator == "BETWEEN" and typed[0] > typed[1]:
            raise _bad(name, f"{name}: the low end of BETWEEN is above the high end.")
        conditions.append(Condition(column, operator, typed))
    return conditions


def _named() -> str:
    return "one of " + ", ".join(sorted(CONTROLS | IGNORED))


# Narrowing the database query: only ever to a superset of what the conditions match.
def _date_bounds(c: Condition) -> tuple[date | None, date | None]:
    """The dates an event_date or year condition keeps (a raised ValueError: none that exist)."""
    if c.column == "year":
        years = [int(v) for v in c.values]
        low, high = date(min(years), 1, 1), date(max(years), 12, 31)
        after, before = date(min(years) + 1, 1, 1), date(max(years) - 1, 12, 31)
    else:
        days = [date.fromisoformat(v) for v in c.values]
        low, high = min(days), max(days)
        after, before = low + timedelta(days=1), high - timedelta(days=1)
    return {
        "=": (low, high),
        "BETWEEN": (low, high),
        ">": (after, None),
        ">=": (low, None),
        "<": (None, before),
        "<=": (None, high),
    }.get(c.operator, (None, None))


def _narrowed(conditions: list[Condition]) -> EventFilters | None:
    """Filters of the database query that find every record the conditions can match (None:
    none can)."""
    date_from: date | None = None
    date_to: date | None = None
    codes: list[str] | None = None
    updated_from = None
    for c in conditions:
        if c.column in ("event_date", "year") and c.operator != "LIKE":
            try:
                low, high = _date_bounds(c)
            except (ValueError, OverflowError):
                continue
            if low and (date_from is None or low > date_from):
                date_from = low
            if high and (date_to is None or high < date_to):
                date_to = high
        elif c.column in ("country", "iso", "iso3") and c.operator == "=":
            found = [_code_of(c.column, v) for v in c.values]
            if None not in found:
                codes = sorted({code for code in found if code})
        elif c.column == "timestamp" and c.operator in (">", ">=", "BETWEEN"):
            seconds = min(c.values) + (1 if c.operator == ">" else 0)
            try:
                updated_from = datetime.fromtimestamp(seconds, UTC)
            except (ValueError, OverflowError, OSError):
                continue
    provinces = _provinces(conditions) if codes == ["AFG"] else []
    if provinces is None or (date_from and date_to and date_from > date_to):
        return None  # nothing can match
    return EventFilters(
        province=provinces,
        date_from=date_from,
        date_to=date_to,
        country=codes or [],
        updated_from=updated_from,
    )


def _code_of(column: str, value: Any) -> str | None:
    if column == "iso":
        return countries.from_iso_number(str(value))
    if column == "iso3":
        return str(value).upper()
    return countries.from_name(value)


def _provinces(conditions: list[Condition]) -> list[str] | None:
    """The p-codes of the Afghan provinces an admin1 filter can match (all: []; none: None)."""
    admin1 = [c for c in conditions if c.column == "admin1" and c.operator in ("=", "LIKE")]
    if not admin1:
        return []
    provinces = get_gazetteer().provinces.values()
    pcodes = {p.pcode for p in provinces if all(c.test(p.acled_name.casefold()) for c in admin1)}
    return sorted(pcodes) or None


def _rows(
    request: Request, conditions: list[Condition], deadline: time_limit.Deadline
) -> Generator[dict[str, Any]]:
    """The matching rows, newest first (ACLED's order); the query is resolved before the first
    row is asked for, so a refused filter is an error answer, not a broken stream. Testing the
    rows here is work the database's time limit does not see: `deadline` bounds it."""
    filters = _narrowed(conditions)
    nothing: list[dict[str, Any]] = []
    if filters is None:
        return (row for row in nothing)
    with Session(request.app.state.engine) as session:
        resolved = service.resolve_filters(session=session, filters=filters)

    def rows() -> Generator[dict[str, Any]]:
        for n, record in enumerate(snapshot_records(request.app.state.engine, resolved)):
            if n % 64 == 0:
                deadline.check()
            row = acled.to_row(record)
            row["iso3"] = record["country"]
            if all(c.matches(row) for c in conditions):
                yield row

    return rows()


def _check_key(request: Request) -> None:
    """With read keys required, ACLED's `key` parameter (or the usual header) must be one."""
    if not request.app.state.settings.read_requires_key:
        return
    presented = request.query_params.get("key")
    header = request.headers.get("authorization", "")
    if header.lower().startswith("bearer "):
        presented = header[7:].strip()
    credentials = (
        HTTPAuthorizationCredentials(scheme="Bearer", credentials=presented) if presented else None
    )
    try:
        authenticate(request, credentials, Scope.READ)
    except ApiError as error:  # 429 keeps its Retry-After, 401 its WWW-Authenticate
        raise AcledError.of(error) from None


def _integer(params: dict[str, str], name: str, default: int, least: int) -> int:
    text = params.get(name)
    if text is None:
        return default
    try:
        value = int(text)
    except ValueError:
        raise _bad(name, f"{name}: {text!r} is not a whole number.") from None
    if value < least:
        raise _bad(name, f"{name} must be {least} or more.")
    return value


def _fields(params: dict[str, str]) -> list[str]:
    if "fields" not in params:
        return list(acled.COLUMNS)
    fields = [f.strip() for f in params["fields"].split("|") if f.strip()]
    unknown = [f for f in fields if f not in acled.COLUMNS]
    if unknown or not fields:
        raise _bad("fields", f"fields: unknown column(s) {', '.join(unknown) or '(none given)'}.")
    return fields


def _json_stream(rows: Iterator[dict[str, Any]], fields: list[str]) -> Iterator[bytes]:
    yield b'{"status":200,"success":true,"data":['
    count = 0
    for row in rows:
        yield (b"," if count else b"") + orjson.dumps({f: row[f] for f in fields})
        count += 1
    yield b'],"count":' + str(count).encode() + b"}"


def _csv_stream(rows: Iterator[dict[str, Any]], fields: list[str]) -> Iterator[bytes]:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(fields)
    for n, row in enumerate(rows, 1):
        writer.writerow(["" if row[f] is None else spreadsheet_safe(row[f]) for f in fields])
        if n % 500 == 0:
            yield buffer.getvalue().encode()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue().encode()


# An example value of each column's filter, for the docs page.
_EXAMPLES = {
    "event_id_cnty": "AFG51842",
    "event_date": "2021-05-01|2021-05-31",
    "year": "2021",
    "time_precision": "1",
    "disorder_type": "Political violence",
    "event_type": "Battles",
    "sub_event_type": "Armed clash",
    "actor1": "Taliban",
    "assoc_actor_1": "Militia",
    "inter1": "Rebel group",
    "actor2": "Military Forces of Afghanistan (2004-2021)",
    "assoc_actor_2": "Civilians",
    "inter2": "State forces",
    "interaction": "State forces-Rebel group",
    "civilian_targeting": "Civilian targeting",
    "iso": "4",
    "region": "Caucasus and Central Asia",
    "country": "Afghanistan",
    "admin1": "Helmand",
    "admin2": "Lashkar Gah",
    "admin3": "Bolan",
    "location": "Lashkar Gah",
    "latitude": "31.5938",
    "longitude": "64.3716",
    "geo_precision": "1",
    "source": "Pajhwok",
    "source_scale": "National",
    "notes": "checkpoint",
    "fatalities": "10",
    "tags": "crowd size",
    "timestamp": "1622505600",
}
_READ_DOC = {
    "parameters": [
        *(
            {
                "name": column,
                "in": "query",
                "required": False,
                "description": "An ACLED column as a filter ("
                + ("LIKE" if column in acled.LIKE_COLUMNS else "=")
                + " by default; `<column>_where` for another operator); several values as a|b.",
                "schema": {"type": "string"},
                "example": _EXAMPLES[column],
            }
            for column in acled.COLUMNS
        ),
        {
            "name": "event_date_where",
            "in": "query",
            "required": False,
            "description": "The operator for event_date (any `<column>_where` works): "
            + ", ".join(OPERATORS)
            + "; BETWEEN takes low|high.",
            "schema": {"type": "string", "enum": list(OPERATORS)},
            "example": "BETWEEN",
        },
        {
            "name": "limit",
            "in": "query",
            "required": False,
            "description": "Rows per page (default 5000); 0: every row, streamed.",
            "schema": {"type": "integer", "minimum": 0},
            "example": 500,
        },
        {
            "name": "page",
            "in": "query",
            "required": False,
            "description": "Page number, 1 first.",
            "schema": {"type": "integer", "minimum": 1},
            "example": 1,
        },
        {
            "name": "fields",
            "in": "query",
            "required": False,
            "description": "Columns to return, as a|b.",
            "schema": {"type": "string"},
            "example": "event_id_cnty|event_date|admin1|fatalities",
        },
        {
            "name": "_format",
            "in": "query",
            "required": False,
            "description": "json (default) or csv.",
            "schema": {"type": "string", "enum": ["json", "csv"]},
            "example": "csv",
        },
        {
            "name": "with_total",
            "in": "query",
            "required": False,
            "description": "true: `count` is the number of matching rows, not of rows returned.",
            "schema": {"type": "string", "pattern": "^([Tt][Rr][Uu][Ee]|[Ff][Aa][Ll][Ss][Ee])$"},
            "example": "true",
        },
        {
            "name": "key",
            "in": "query",
            "required": False,
            "description": "Ignored, unless the server requires read keys: then an API key.",
            "schema": {"type": "string"},
            "example": "my-read-key",
        },
    ],
    "responses": {
        "200": {
            "description": "ACLED's envelope: {status, success, count, data: [rows]}.",
            "content": {
                "application/json": {
                    "example": {
                        "status": 200,
                        "success": True,
                        "count": 1,
                        "data": [{"event_id_cnty": "AFG7", "event_date": "2021-05-03"}],
                    }
                },
                "text/csv": {},
            },
        },
        **ERROR_RESPONSES,
    },
}


@router.get("/acled/read", openapi_extra=_READ_DOC, summary="Events, as ACLED's API gives them")
def acled_read(request: Request) -> Response:
    """ACLED's `/api/acled/read`: point an ACLED client's base URL here to read this server."""
    try:
        _check_key(request)
        params = dict(request.query_params)
        conditions = _conditions(list(request.query_params.multi_items()))
        limit = _integer(params, "limit", DEFAULT_LIMIT, 0)
        page = _integer(params, "page", 1, 1)
        fields = _fields(params)
        kind = params.get("_format", "json").lower()
        if kind not in ("json", "csv"):
            raise _bad("_format", "_format: json or csv.")
        total_wanted = params.get("with_total", "false").lower()
        if total_wanted not in ("true", "false"):
            raise _bad("with_total", "with_total: true or false.")
        with_total = total_wanted == "true"
        deadline = time_limit.Deadline(request.app.state.settings.query_time_limit_ms)
        rows = _rows(request, conditions, deadline)
        if limit == 0:  # everything, streamed: the bound is on the first row, as for exports
            streamed = time_limit.primed(rows)
            deadline.lift()
            if kind == "csv":
                return StreamingResponse(_csv_stream(streamed, fields), media_type="text/csv")
            return StreamingResponse(_json_stream(streamed, fields), media_type="application/json")
        skip, data, total = (page - 1) * limit, [], 0
        with closing(rows):  # stopping after the page closes the query's cursor now
            for row in rows:
                if skip <= total < skip + limit:
                    data.append(row)
                total += 1
                if total >= skip + limit and not with_total:
                    break
    except AcledError as error:
        return error.response()
    except ApiError as error:  # a filter our own layer refused, or the time limit
        return AcledError.of(error).response()
    except SQLAlchemyError as error:  # the time limit, the database out of reach
        known = fault(error, request.app.state.settings.query_time_limit_ms)
        if known is None:
            raise
        return AcledError.of(known).response()
    if kind == "csv":
        return Response(b"".join(_csv_stream(iter(data), fields)), media_type="text/csv")
    body = {
        "status": 200,
        "success": True,
        "count": total if with_total else len(data),
        "data": [{f: row[f] for f in fields} for row in data],
    }
    return Response(orjson.dumps(body), media_type="application/json")


@router.get(
    "/deleted/read",
    summary="Deleted events, as ACLED's deleted endpoint lists them",
    openapi_extra={
        "parameters": [
            {
                "name": "deleted_timestamp",
                "in": "query",
                "required": False,
                "description": "Unix seconds (or YYYY-MM-DD); with deleted_timestamp_where "
                "(=, >, <, >=, <=, BETWEEN), e.g. >= the last sync.",
                "schema": {"type": "string"},
                "example": "1622505600",
            },
            {
                "name": "deleted_timestamp_where",
                "in": "query",
                "required": False,
                "description": "The operator for deleted_timestamp (default =).",
                "schema": {"type": "string", "enum": list(TIMESTAMP_OPERATORS)},
                "example": ">=",
            },
            {
                "name": "limit",
                "in": "query",
                "required": False,
                "description": "Rows per page (default 5000; 0: all).",
                "schema": {"type": "integer"},
                "example": 5000,
            },
            {
                "name": "page",
                "in": "query",
                "required": False,
                "description": "Page number, 1 first.",
                "schema": {"type": "integer"},
                "example": 1,
            },
        ],
        "responses": {
            "200": {
                "description": "{status, success, count, data: [{event_id_cnty, "
                "deleted_timestamp}]}",
                "content": {
                    "application/json": {
                        "example": {
                            "status": 200,
                            "success": True,
                            "count": 1,
                            "data": [{"event_id_cnty": "AFG7", "deleted_timestamp": 1622505600}],
                        }
                    }
                },
            },
            **ERROR_RESPONSES,
        },
    },
)
def deleted_read(request: Request) -> Response:
    """ACLED's `/api/deleted/read`: the records deleted here, for clients that mirror the data."""
    try:
        _check_key(request)
        params = dict(_checked(list(request.query_params.multi_items())))
        allowed = CONTROLS | IGNORED | {"deleted_timestamp", "deleted_timestamp_where"}
        for name in params:
            if name not in allowed:
                raise _bad(name, f"Unknown parameter {name!r}.")
        limit = _integer(params, "limit", DEFAULT_LIMIT, 0)
        page = _integer(params, "page", 1, 1)
        condition = None
        operator = params.get("deleted_timestamp_where", "=").strip().upper()
        if operator not in TIMESTAMP_OPERATORS:
            raise _bad(
                "deleted_timestamp_where", "deleted_timestamp_where: =, >, <, >=, <=, BETWEEN."
            )
        if "deleted_timestamp" in params:
            values = [
                _typed("timestamp", v.strip()) for v in params["deleted_timestamp"].split("|")
            ]
            if operator == "BETWEEN" and len(values) != 2:
                raise _bad("deleted_timestamp", "BETWEEN takes two values, as low|high.")
            condition = Condition("deleted_timestamp", operator, values)
    except AcledError as error:
        return error.response()
    stmt = (
        sa.select(event_t.c.id, event_t.c.country, event_t.c.dataset, event_t.c.external_id,
                  event_t.c.deleted_at)
        .where(event_t.c.deleted_at.is_not(None))
        .order_by(event_t.c.deleted_at.desc(), event_t.c.id.desc())
    )  # fmt: skip
    data = []
    with Session(request.app.state.engine) as session:
        for row in session.execute(stmt).mappings():
            entry = {
                "event_id_cnty": acled.event_id(dict(row)),
                "deleted_timestamp": int(row["deleted_at"].timestamp()),
            }
            if condition is None or condition.matches(entry):
                data.append(entry)
    if limit:
        data = data[(page - 1) * limit : page * limit]
    return Response(
        orjson.dumps({"status": 200, "success": True, "count": len(data), "data": data}),
        media_type="application/json",
    )
