"""UCDP's API over our records: the query of GET /api/gedevents/<version>.

A script written for UCDP's API (https://ucdp.uu.se/apidocs/) works against this server by
changing its base URL. Parameters are UCDP's (names read case-insensitively, as UCDP's server
does); those our records can answer are filters, the others are refused with a 400 naming them,
never ignored. Country, dates and Geography narrow the database query first; every filter is then
checked on the GED row itself (app/ucdp/rows.py), within the query time limit.
"""

import math
import re
from collections.abc import Callable, Generator
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlmodel import Session

from app.core import time_limit
from app.core.errors import BadRequest, ErrorItem
from app.core.pagination import page_of
from app.core.tables import actor_alias_table as alias_t
from app.core.tables import actor_table as actor_t
from app.events import service
from app.events.filters import EventFilters
from app.events.geo import BBox
from app.exports.service import snapshot_records
from app.sources import countries
from app.ucdp import rows

DEFAULT_PAGE_SIZE = 100
MAX_PAGE_SIZE = 1000  # UCDP's limit
MAX_VALUE_LENGTH, MAX_PARAMETERS, MAX_VALUES = 1000, 100, 100
# UCDP's parameters (lower-cased) this server answers, and those it refuses, with why.
FILTERS = ("Id", "Country", "StartDate", "EndDate", "TypeOfViolence", "Geography")
CONTROLS = ("pagesize", "page")
REFUSED = {
    "dyad": "Dyad: UCDP's dyad ids are not kept in these records.",
    "actor": "Actor: UCDP's actor ids are not kept in these records.",
    "conflict": "Conflict: UCDP's conflict ids are not kept in these records.",
    "key": "Key: send the token in the x-ucdp-access-token header.",
}
_KNOWN = {name.lower(): name for name in (*FILTERS, *CONTROLS)}


def _bad(name: str, detail: str) -> BadRequest:
    return BadRequest(detail, errors=[ErrorItem(in_="query", name=name, detail=detail)])


@dataclass
class Query:
    """A request's parameters, checked."""

    page_size: int = DEFAULT_PAGE_SIZE
    page: int = 0
    ids: set[int] | None = None
    countries: set[str] | None = None  # ISO codes of the Gleditsch-Ward numbers asked for
    start: date | None = None
    end: date | None = None
    violence: set[int] | None = None
    box: BBox | None = None
    tests: list[Callable[[dict[str, Any]], bool]] = field(default_factory=list)

    def matches(self, row: dict[str, Any]) -> bool:
        return all(test(row) for test in self.tests)


def _grouped(params: list[tuple[str, str]]) -> dict[str, list[str]]:
    """The parameters by UCDP's name; unknown and refused ones are a 400 naming each."""
    if len(params) > MAX_PARAMETERS:
        raise _bad(params[0][0], f"At most {MAX_PARAMETERS} parameters a request.")
    grouped: dict[str, list[str]] = {}
    errors: list[ErrorItem] = []
    for name, value in params:
        if len(value) > MAX_VALUE_LENGTH or "\x00" in value:
            detail = f"{name}: at most {MAX_VALUE_LENGTH} characters, and no NUL."
            errors.append(ErrorItem(in_="query", name=name, detail=detail))
        elif name.lower() in REFUSED:
            errors.append(ErrorItem(in_="query", name=name, detail=REFUSED[name.lower()]))
        elif name.lower() not in _KNOWN:
            detail = (
                f"Unknown parameter {name!r}: this server answers "
                f"{', '.join((*CONTROLS, *FILTERS))}."
            )
            errors.append(ErrorItem(in_="query", name=name, detail=detail))
        else:
            grouped.setdefault(_KNOWN[name.lower()], []).append(value)
    if errors:
        detail = "; ".join(e.detail for e in errors)
        raise BadRequest(detail, errors=errors)
    return grouped


def _one(grouped: dict[str, list[str]], name: str) -> str | None:
    values = grouped.get(name)
    if not values:
        return None
    if len(values) > 1:
        raise _bad(name, f"{name}: give it once.")
    return values[0].strip()


def _listed(grouped: dict[str, list[str]], name: str) -> list[str] | None:
    """A comma-separated list (a repeated parameter adds to it)."""
    if name not in grouped:
        return None
    values = [v.strip() for value in grouped[name] for v in value.split(",") if v.strip()]
    if not values or len(values) > MAX_VALUES:
        raise _bad(name, f"{name}: 1 to {MAX_VALUES} comma-separated values.")
    return values


def _whole(name: str, text: str, low: int, high: int) -> int:
    try:
        value = int(text)
    except ValueError:
        raise _bad(name, f"{name}: {text!r} is not a whole number.") from None
    if not low <= value <= high:
        raise _bad(name, f"{name}: from {low} to {high}.")
    return value


def _day(name: str, text: str | None) -> date | None:
    if text is None:
        return None
    try:
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text) is None:
            raise ValueError(text)
        return date.fromisoformat(text)
    except ValueError:
        raise _bad(name, f"{name}: {text!r} is not a date (YYYY-MM-DD).") from None


def _box(text: str | None) -> BBox | None:
    """Geography, UCDP's box: two corners as "lat lon,lat lon" (in any order)."""
    if text is None:
        return None
    message = 'Geography: two corners as "lat1 lon1,lat2 lon2" (degrees, WGS 84).'
    try:
        corners = [[float(n) for n in corner.split()] for corner in text.split(",")]
    except ValueError:
        raise _bad("Geography", message) from None
    numbers = [n for corner in corners for n in corner]
    if [len(c) for c in corners] != [2, 2] or not all(math.isfinite(n) for n in numbers):
        raise _bad("Geography", message)
    (lat1, lon1), (lat2, lon2) = corners
    if not (-90 <= min(lat1, lat2) and max(lat1, lat2) <= 90):
        raise _bad("Geography", "Geography: latitudes are within -90..90.")
    if not (-180 <= min(lon1, lon2) and max(lon1, lon2) <= 180):
        raise _bad("Geography", "Geography: longitudes are within -180..180.")
    return BBox(min(lon1, lon2), min(lat1, lat2), max(lon1, lon2), max(lat1, lat2))


def _numbers(name: str, values: list[str] | None, high: int) -> set[int] | None:
    if values is None:
        return None
    return {_whole(name, v, 0, high) for v in values}


def parse(params: list[tuple[str, str]]) -> Query:
    """The request's parameters as a Query; a 400 naming each one that is wrong."""
    grouped = _grouped(params)
    query = Query()
    size, page = _one(grouped, "pagesize"), _one(grouped, "page")
    if size is not None:
        query.page_size = _whole("pagesize", size, 1, MAX_PAGE_SIZE)
    if page is not None:
        query.page = _whole("page", page, 0, 10_000_000)
    query.ids = _numbers("Id", _listed(grouped, "Id"), 2**31 - 1)
    gw = _numbers("Country", _listed(grouped, "Country"), 9999)
    if gw is not None:
        query.countries = {
            code for n in gw if (code := countries.from_gleditsch_ward(str(n))) is not None
        }
    query.start = _day("StartDate", _one(grouped, "StartDate"))
    query.end = _day("EndDate", _one(grouped, "EndDate"))
    query.violence = _numbers("TypeOfViolence", _listed(grouped, "TypeOfViolence"), 3)
    if query.violence is not None and not query.violence <= {1, 2, 3}:
        detail = "TypeOfViolence: 1 (state-based), 2 (non-state), 3 (one-sided)."
        raise _bad("TypeOfViolence", detail)
    query.box = _box(_one(grouped, "Geography"))
    query.tests = _tests(query)
    return query


def _tests(q: Query) -> list[Callable[[dict[str, Any]], bool]]:
    tests: list[Callable[[dict[str, Any]], bool]] = []
    if q.ids is not None:
        ids = q.ids
        tests.append(lambda row: row["id"] in ids)
    if q.start is not None:
        start = q.start.isoformat()
        tests.append(lambda row: row["date_start"][:10] >= start)
    if q.end is not None:
        end = q.end.isoformat()
        tests.append(lambda row: row["date_end"][:10] <= end)
    if q.violence is not None:
        violence = q.violence
        tests.append(lambda row: row["type_of_violence"] in violence)
    if q.box is not None:
        box = q.box
        tests.append(
            lambda row: (
                row["latitude"] is not None
                and box.min_lat <= row["latitude"] <= box.max_lat
                and box.min_lon <= row["longitude"] <= box.max_lon
            )
        )
    return tests


def _narrowed(q: Query) -> EventFilters | None:
    """The database query's filters: every record the Query can match (None: none can).
    Countries are exact (a record's country_id derives from its ISO code); dates and the box
    find a superset, which the row tests narrow."""
    if q.countries is not None and not q.countries:
        return None  # no Gleditsch-Ward number asked for is a country we know
    if q.start and q.end and q.start > q.end:
        return None
    return EventFilters(
        country=sorted(q.countries or []), date_from=q.start, date_to=q.end, bbox=q.box
    )


def ucdp_names(session: Session) -> dict[str, list[str]]:
    """UCDP's names of our actors: the import's table, and the registry's aliases that came
    from UCDP (ours -> theirs)."""
    names = {ours: list(theirs) for ours, theirs in rows.THEIR_NAMES.items()}
    found = session.execute(
        sa.select(actor_t.c.name, alias_t.c.alias)
        .join(alias_t, alias_t.c.actor_id == actor_t.c.id)
        .where(alias_t.c.source == "ucdp")
        .order_by(alias_t.c.id)
    )
    for ours, theirs in found:
        if theirs not in names.setdefault(ours, []):
            names[ours].append(theirs)
    return names


def _rows(engine: Engine, q: Query, deadline: time_limit.Deadline) -> Generator[dict[str, Any]]:
    filters = _narrowed(q)
    if filters is None:
        return
    with Session(engine) as session:
        resolved = service.resolve_filters(session=session, filters=filters)
        names = ucdp_names(session)
    for n, record in enumerate(snapshot_records(engine, resolved)):
        if n % 64 == 0:
            deadline.check()
        row = rows.to_row(record, names)
        if q.matches(row):
            yield row


@dataclass
class Page:
    """One page of the answer, and how many rows match in all."""

    result: list[dict[str, Any]]
    total: int
    page: int
    page_size: int

    @property
    def pages(self) -> int:
        return math.ceil(self.total / self.page_size)


def read(engine: Engine, q: Query, limit_ms: int) -> Page:
    """The page the Query asks for, counting every match (the envelope's TotalCount); the work
    is bounded by the query time limit (a 503 past it; a database fault is answered by the one
    error handler)."""
    deadline = time_limit.Deadline(limit_ms)
    rows = _rows(engine, q, deadline)
    result, total = page_of(rows, q.page * q.page_size, q.page_size, count_all=True)
    return Page(result, total, q.page, q.page_size)
