"""ACLED's API over our records: the query language of /api/acled/read and /api/deleted/read.

A script written for ACLED's API works against this server by changing its base URL. Filters
follow ACLED's conventions (app/sources/acled.py holds the columns and how a record becomes a
row): any column is a filter, `<column>_where` picks the operator, `a|b` gives several values (or
the two ends of a BETWEEN). Every filter is checked on the ACLED row itself, so the answer is what
ACLED's semantics say; the filters that can be (dates, countries, Afghan provinces, timestamps)
also narrow the database query first. The routes (app/compat/routes.py) answer errors in ACLED's
shape, `{"success": false, "error": ...}`.
"""

import csv
import io
import re
from collections.abc import Callable, Generator, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

import orjson
import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import Session

from app.compat.like import compile_like
from app.core import time_limit
from app.core.errors import ApiError, fault
from app.core.pagination import page_of
from app.core.tables import event_table as event_t
from app.events import service
from app.events.filters import EventFilters
from app.exports.cells import spreadsheet_safe
from app.exports.service import snapshot_records
from app.gazetteer import get_gazetteer
from app.sources import acled, countries

DEFAULT_LIMIT = 5000  # as ACLED's API
OPERATORS = ("=", ">", "<", ">=", "<=", "LIKE", "BETWEEN")
TIMESTAMP_OPERATORS = tuple(o for o in OPERATORS if o != "LIKE")
# Accepted and not used: ACLED's old credentials (unless read keys are required: then `key` is
# one of ours) and its old `terms=accept`, an acknowledgement that asks for nothing.
IGNORED = frozenset({"key", "email", "terms"})
CONTROLS = frozenset({"limit", "page", "fields", "_format", "with_total"})
# ACLED's options of a read: each is done, or refused with a 400 naming it (_options).
OPTIONS = frozenset({"export_type", "population", "inter_num", "maritime_pairs"})
# ACLED's pre-2025 `country=A:OR:country=B`: one parameter, `country`, valued `A:OR:country=B`.
OR = ":OR:"
# Filters on columns rows do not show: the pre-2023 API's iso3 (our country codes).
HIDDEN = ("iso3",)


class AcledError(Exception):
    """A refused request, answered in ACLED's shape by the routes."""

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


def _bad(parameter: str, message: str) -> AcledError:
    return AcledError(400, message, parameter)


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


@dataclass
class Either:
    """ACLED's `:OR:` across columns (`actor1=X:OR:actor2=Y`): a row matching any alternative.
    It names no one column, so it never narrows the database query."""

    alternatives: list[Condition]

    def matches(self, row: dict[str, Any]) -> bool:
        return any(c.matches(row) for c in self.alternatives)


Filter = Condition | Either


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


def _filterable(name: str) -> bool:
    return name in acled.COLUMNS or name in HIDDEN


def _alternatives(name: str, value: str) -> list[tuple[str, str]]:
    """`A:OR:country=B` given as `country`: [(country, A), (country, B)]; a 400 naming `name` if
    an alternative is not `column=value`."""
    first, *rest = value.split(OR)
    alternatives = [(name, first)]
    for text in rest:
        column, equals, given = text.partition("=")
        if not equals or not _filterable(column.strip()):
            raise _bad(
                name,
                f"{name}: each {OR} must be followed by an ACLED column, =, and a value "
                f"(country=Afghanistan{OR}country=Pakistan); got {text!r}.",
            )
        alternatives.append((column.strip(), given))
    return alternatives


def _conditions(params: list[tuple[str, str]]) -> list[Filter]:
    values: dict[str, list[str]] = {}
    operators: dict[str, str] = {}
    either: list[list[tuple[str, str]]] = []
    for name, value in _checked(params):
        if name in IGNORED or name in CONTROLS or name in OPTIONS:
            continue
        if name.endswith("_where") and _filterable(name[: -len("_where")]):
            operator = value.strip().upper()
            if operator not in OPERATORS:
                raise _bad(name, f"{name}: {value!r} is not one of {', '.join(OPERATORS)}.")
            operators[name[: -len("_where")]] = operator
        elif _filterable(name):
            alternatives = _alternatives(name, value)
            if all(column == name for column, _ in alternatives):  # as `a|b`
                values.setdefault(name, []).extend(v for _, v in alternatives for v in v.split("|"))
            else:
                either.append(alternatives)
        else:
            raise _bad(name, f"Unknown parameter {name!r}: give an ACLED column, or {_named()}.")
    conditions: list[Filter] = [
        _condition(column, operators, given) for column, given in values.items()
    ]
    for alternatives in either:
        group = [_condition(c, operators, v.split("|")) for c, v in alternatives]
        conditions.append(Either(group))
    return conditions


def _condition(column: str, operators: dict[str, str], given: list[str]) -> Condition:
    default = "LIKE" if column in acled.LIKE_COLUMNS else "="
    operator = operators.get(column, default)
    name = column
    typed = [_typed(column, v.strip()) for v in given]
    if operator == "BETWEEN" and len(typed) != 2:
        raise _bad(name, f"{name}: BETWEEN takes two values, as low|high.")
    if operator == "BETWEEN" and typed[0] > typed[1]:
        raise _bad(name, f"{name}: the low end of BETWEEN is above the high end.")
    return Condition(column, operator, typed)


def _named() -> str:
    return "one of " + ", ".join(sorted(CONTROLS | IGNORED | OPTIONS))


def _options(params: dict[str, str]) -> bool:
    """ACLED's options of a read, each done or refused; True for `export_type=monadic`."""
    monadic = _choice(params, "export_type", ("dyadic", "monadic"), "dyadic") == "monadic"
    if params.get("population", "none").strip().lower() not in ("none", "false", "0", ""):
        raise _bad(
            "population",
            "population: this server has no population data; leave it out, or population=none.",
        )
    # inter1, inter2 and interaction are empty here, as numbers (1) as well as text (0).
    _choice(params, "inter_num", ("0", "1"), "0")
    if params.get("maritime_pairs", "false").strip().lower() not in ("false", "0", ""):
        raise _bad(
            "maritime_pairs",
            "maritime_pairs: this server has no maritime events; leave it out, or give false.",
        )
    return monadic


def _monadic(row: dict[str, Any]) -> Iterator[dict[str, Any]]:
    """ACLED's monadic export: the event once per actor, that actor in actor1, actor2 empty."""
    empty = {"actor2": "", "assoc_actor_2": "", "inter2": ""}
    yield row | empty
    if row["actor2"]:
        yield (
            row
            | empty
            | {
                "actor1": row["actor2"],
                "assoc_actor_1": row["assoc_actor_2"],
                "inter1": row["inter2"],
            }
        )


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


def _narrowed(filters: list[Filter]) -> EventFilters | None:
    """Filters of the database query that find every record the conditions can match (None:
    none can)."""
    date_from: date | None = None
    date_to: date | None = None
    codes: list[str] | None = None
    updated_from = None
    conditions = [c for c in filters if isinstance(c, Condition)]
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
    provinces = _provinces(conditions, codes[0]) if codes and len(codes) == 1 else []
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


def _provinces(conditions: list[Condition], country: str) -> list[str] | None:
    """The keys of the country's provinces an admin1 filter can match (all: []; none: None).

    Provinces the gazetteer does not know (imported as spelt) are tested row by row instead."""
    admin1 = [c for c in conditions if c.column == "admin1" and c.operator in ("=", "LIKE")]
    if not admin1:
        return []
    provinces = get_gazetteer().in_country(country)
    keys = {p.key for p in provinces if all(c.test(p.acled_name.casefold()) for c in admin1)}
    return sorted(keys) if keys else []


def _rows(
    engine: Engine, conditions: list[Filter], deadline: time_limit.Deadline, *, monadic: bool
) -> Generator[dict[str, Any]]:
    """The matching rows, newest first (ACLED's order); the query is resolved before the first
    row is asked for, so a refused filter is an error answer, not a broken stream. Testing the
    rows here is work the database's time limit does not see: `deadline` bounds it."""
    filters = _narrowed(conditions)
    nothing: list[dict[str, Any]] = []
    if filters is None:
        return (row for row in nothing)
    with Session(engine) as session:
        resolved = service.resolve_filters(session=session, filters=filters)

    def rows() -> Generator[dict[str, Any]]:
        for n, record in enumerate(snapshot_records(engine, resolved)):
            if n % 64 == 0:
                deadline.check()
            row = acled.to_row(record)
            row["iso3"] = record["country"]
            for each in _monadic(row) if monadic else (row,):
                if all(c.matches(each) for c in conditions):
                    yield each

    return rows()


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


@dataclass
class Answer:
    """What a read answers: a whole body, or chunks to stream."""

    media_type: str
    body: bytes = b""
    chunks: Iterator[bytes] | None = None


def read(engine: Engine, params: list[tuple[str, str]], limit_ms: int) -> Answer:
    """/api/acled/read: the rows the parameters ask for, as ACLED's JSON envelope or CSV; every
    refusal (ours, the time limit, the database out of reach) as an AcledError."""
    try:
        return _read(engine, params, limit_ms)
    except ApiError as error:  # a filter our own layer refused, or the time limit
        raise AcledError.of(error) from None
    except SQLAlchemyError as error:
        raise _database_fault(error, limit_ms) from error


def _database_fault(error: SQLAlchemyError, limit_ms: int) -> Exception:
    known = fault(error, limit_ms)
    return error if known is None else AcledError.of(known)


def _read(engine: Engine, params: list[tuple[str, str]], limit_ms: int) -> Answer:
    conditions = _conditions(params)
    named = dict(params)
    monadic = _options(named)
    limit = _integer(named, "limit", DEFAULT_LIMIT, 0)
    page = _integer(named, "page", 1, 1)
    fields = _fields(named)
    kind = _choice(named, "_format", ("json", "csv"), "json")
    with_total = _choice(named, "with_total", ("true", "false"), "false") == "true"
    deadline = time_limit.Deadline(limit_ms)
    rows = _rows(engine, conditions, deadline, monadic=monadic)
    stream = _csv_stream if kind == "csv" else _json_stream
    media_type = "text/csv" if kind == "csv" else "application/json"
    if limit == 0:  # everything, streamed: the bound is on the first row, as for exports
        streamed = time_limit.primed(rows)
        deadline.lift()
        return Answer(media_type, chunks=stream(streamed, fields))
    data, total = page_of(rows, (page - 1) * limit, limit, count_all=with_total)
    if kind == "csv":
        return Answer(media_type, b"".join(_csv_stream(iter(data), fields)))
    body = {
        "status": 200,
        "success": True,
        "count": total if with_total else len(data),
        "data": [{f: row[f] for f in fields} for row in data],
    }
    return Answer(media_type, orjson.dumps(body))


def _choice(params: dict[str, str], name: str, allowed: tuple[str, ...], default: str) -> str:
    value = params.get(name, default).lower()
    if value not in allowed:
        raise _bad(name, f"{name}: {' or '.join(allowed)}.")
    return value


def deleted(engine: Engine, params: list[tuple[str, str]], limit_ms: int) -> bytes:
    """/api/deleted/read: the deleted records, newest deletion first, filtered and paged in
    the database."""
    try:
        return _deleted(engine, params)
    except SQLAlchemyError as error:
        raise _database_fault(error, limit_ms) from error


def _deleted(engine: Engine, params: list[tuple[str, str]]) -> bytes:
    named = dict(_checked(params))
    allowed = CONTROLS | IGNORED | {"deleted_timestamp", "deleted_timestamp_where"}
    for name in named:
        if name not in allowed:
            raise _bad(name, f"Unknown parameter {name!r}.")
    limit = _integer(named, "limit", DEFAULT_LIMIT, 0)
    page = _integer(named, "page", 1, 1)
    operator = named.get("deleted_timestamp_where", "=").strip().upper()
    if operator not in TIMESTAMP_OPERATORS:
        raise _bad("deleted_timestamp_where", "deleted_timestamp_where: =, >, <, >=, <=, BETWEEN.")
    stmt = (
        sa.select(event_t.c.id, event_t.c.country, event_t.c.dataset, event_t.c.external_id,
                  event_t.c.deleted_at)
        .where(event_t.c.deleted_at.is_not(None))
        .order_by(event_t.c.deleted_at.desc(), event_t.c.id.desc())
    )  # fmt: skip
    if "deleted_timestamp" in named:
        values = [_typed("timestamp", v.strip()) for v in named["deleted_timestamp"].split("|")]
        if operator == "BETWEEN" and len(values) != 2:
            raise _bad("deleted_timestamp", "BETWEEN takes two values, as low|high.")
        stmt = stmt.where(_deleted_between(operator, values))
    if limit:
        stmt = stmt.limit(limit).offset((page - 1) * limit)
    with Session(engine) as session:
        data = [
            {
                "event_id_cnty": acled.event_id(dict(row)),
                "deleted_timestamp": int(row["deleted_at"].timestamp()),
            }
            for row in session.execute(stmt).mappings()
        ]
    return orjson.dumps({"status": 200, "success": True, "count": len(data), "data": data})


def _instant(seconds: float) -> datetime:
    """Unix seconds as a UTC time, clipped to the times Python can hold."""
    try:
        return datetime.fromtimestamp(seconds, UTC)
    except (OverflowError, OSError, ValueError):
        return _LATEST if seconds > 0 else _EARLIEST


_EARLIEST = datetime(1, 1, 2, tzinfo=UTC)
_LATEST = datetime(9999, 12, 30, tzinfo=UTC)


def _deleted_between(operator: str, values: list[Any]) -> sa.ColumnElement[bool]:
    """A deletion time whose whole Unix second compares with `values` by `operator`."""
    at = event_t.c.deleted_at
    if operator == "=":
        return sa.or_(*(sa.and_(at >= _instant(v), at < _instant(v + 1)) for v in values))
    if operator == "BETWEEN":
        return sa.and_(at >= _instant(values[0]), at < _instant(values[1] + 1))
    low, high = min(values), max(values)
    return {
        ">": lambda: at >= _instant(low + 1),
        ">=": lambda: at >= _instant(low),
        "<": lambda: at < _instant(high),
        "<=": lambda: at < _instant(high + 1),
    }[operator]()
