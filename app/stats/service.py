"""Aggregates over the records a /v1/events query matches, grouped in SQL, zero-filled in Python."""

from collections.abc import Iterator
from datetime import date, timedelta
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session

from app.core.database import StatementCache
from app.core.errors import invalid
from app.core.tables import TOTALS_QUALIFIERS
from app.core.tables import actor_table as actor_t
from app.core.tables import event_actor_table as event_actor_t
from app.core.tables import event_month_totals_table as totals_t
from app.core.tables import event_table as event_t
from app.events import totals
from app.events.dates import period
from app.events.schemas import DatePrecision
from app.events.service import ResolvedFilters, conditions, place_arms
from app.gazetteer import get_gazetteer
from app.stats.schemas import FIGURES, PERIODS, Dimension

MAX_GROUPS = 100_000
QUALIFIERS = TOTALS_QUALIFIERS


# Dimensions the monthly totals hold; grouping by district, actor, week or day reads the records.
_TOTALS_DIMENSIONS = {
    Dimension.PROVINCE,
    Dimension.KIND,
    Dimension.COUNTRY,
    Dimension.YEAR,
    Dimension.MONTH,
}


def _period(
    dimension: Dimension, dialect: str, column: sa.ColumnElement[Any]
) -> sa.ColumnElement[Any]:
    """The label of the period holding a date: '2021', '2021-05', or a day."""
    if dialect == "postgresql":
        if dimension == Dimension.WEEK:
            return sa.func.to_char(sa.func.date_trunc("week", column), "YYYY-MM-DD")
        pattern = {"year": "YYYY", "month": "YYYY-MM", "day": "YYYY-MM-DD"}[dimension.value]
        return sa.func.to_char(column, pattern)
    if dimension == Dimension.WEEK:  # back six days, then on to a Monday: the ISO week's first
        return sa.func.date(column, "-6 days", "weekday 1")
    length = {"year": 4, "month": 7, "day": 10}[dimension.value]
    return sa.func.substr(column, 1, length)


def _event_key(dimension: Dimension, dialect: str) -> sa.ColumnElement[Any]:
    if dimension in PERIODS:
        return _period(dimension, dialect, event_t.c.date)
    if dimension == Dimension.ACTOR:
        return actor_t.c.name
    column = {"province": "province_key", "district": "district_key"}.get(dimension.value)
    key = event_t.c[column or dimension.value]
    if dimension == Dimension.PROVINCE and dialect == "sqlite":
        # Grouped by the bare column, SQLite walks the (province_key, date) index and reads
        # every row (300 ms for a year of 1M events) rather than scan the covering stats
        # index and sort (30 ms).
        return key.op("||")("")
    return key


def _totals_key(dimension: Dimension, dialect: str) -> sa.ColumnElement[Any]:
    if dimension in PERIODS:
        return _period(dimension, dialect, totals_t.c.month)
    if dimension == Dimension.PROVINCE:
        no_province: sa.ColumnElement[Any] = sa.func.nullif(
            totals_t.c.province_key, totals.NO_PROVINCE
        )
        return no_province
    return totals_t.c[dimension.value]


def _totals(row: Any) -> dict[str, Any]:
    out: dict[str, Any] = {"events": int(row["events"])}
    for figure in FIGURES:
        out[figure] = {
            "sum": int(row[f"{figure}_sum"]),
            "figures": int(row[f"{figure}_figures"]),
            "qualifiers": {q: int(row[f"{figure}_{q}"]) for q in QUALIFIERS},
        }
    return out


def _zero() -> dict[str, Any]:
    return _totals(dict.fromkeys(totals.COUNTERS, 0))


def _from(group_by: list[Dimension]) -> sa.FromClause:
    if Dimension.ACTOR not in group_by:
        return event_t
    return event_t.join(event_actor_t, event_actor_t.c.event_id == event_t.c.id).join(
        actor_t, actor_t.c.id == event_actor_t.c.actor_id
    )


def _totals_months(
    resolved: ResolvedFilters, group_by: list[Dimension]
) -> tuple[date | None, date | None] | None:
    """The whole months of the query's range that the monthly totals can answer for, if any.

    They can when the only filters are those the totals are keyed by (dates, province, kind,
    country) and every dimension is one they hold.
    """
    f = resolved.filters
    if (
        f.q
        or f.bbox is not None
        or f.updated_since is not None
        or f.updated_from is not None
        or f.dataset
        or resolved.actor_ids
        or resolved.district_keys
        or not set(group_by) <= _TOTALS_DIMENSIONS
    ):
        return None
    return totals.whole_months(f.date_from, f.date_to)


def _aggregate(
    session: Session, resolved: ResolvedFilters, group_by: list[Dimension]
) -> dict[tuple[Any, ...], dict[str, Any]]:
    """Group keys -> the sum of every counter of app.events.totals over the group's records.

    Where the monthly totals can answer for the whole months of the range, they do; the records
    are read only for the rest: those dated in the part-months at either end of the range (or
    outside it, with a span reaching into it), and those matched through a displacement's origin
    or destination rather than their own province. Each part is grouped in SQL; the parts are
    added up here.
    """
    names = [f"k{n}" for n in range(len(group_by))]
    statements = _STATEMENTS.get(
        repr((resolved, group_by)), lambda: _statements(resolved, group_by, names)
    )
    groups: dict[tuple[Any, ...], dict[str, Any]] = {}
    for statement in statements:
        for row in session.execute(statement).mappings():
            if not row["events"]:  # no records (an empty ungrouped sum, or emptied totals)
                continue
            key = tuple(row[k] for k in names)
            if key in groups:
                _add(groups[key], _totals(row))
            else:
                groups[key] = _totals(row)
    return groups


_STATEMENTS = StatementCache[list[sa.Select[Any]]]()


def _statements(
    resolved: ResolvedFilters, group_by: list[Dimension], names: list[str]
) -> list[sa.Select[Any]]:
    """_aggregate's statements: the totals' (if they can answer) and the records' parts."""
    dialect = resolved.dialect
    arms = place_arms(resolved) or [sa.true()]
    # (conditions, place arm) of each part read from the records
    parts = [(conditions(resolved), arm) for arm in arms]
    months = _totals_months(resolved, group_by)
    statements = []
    if months is not None:
        first, last = months
        keys = [_totals_key(d, dialect).label(k) for d, k in zip(group_by, names, strict=True)]
        counters = [sa.func.sum(totals_t.c[name]).label(name) for name in totals.COUNTERS]
        statements.append(
            sa.select(*keys, *counters)
            .where(*_totals_conditions(resolved, first, last))
            .group_by(*keys)
        )
        own = arms[0]  # the totals count records under their own province only
        parts = parts[1:]
        if first is not None:
            parts.append((conditions(resolved, dated=(None, first - timedelta(days=1))), own))
        if last is not None:
            parts.append((conditions(resolved, dated=(last + timedelta(days=1), None)), own))
    keys = [_event_key(d, dialect).label(k) for d, k in zip(group_by, names, strict=True)]
    each = totals.contributions(event_t)
    counters = [sa.func.sum(each[name]).label(name) for name in totals.COUNTERS]
    for where, arm in parts:
        statement = sa.select(*keys, *counters).select_from(_from(group_by)).where(*where, arm)
        statements.append(statement.group_by(*keys))
    return statements


def _totals_conditions(
    resolved: ResolvedFilters, first: date | None, last: date | None
) -> list[sa.ColumnElement[bool]]:
    f = resolved.filters
    where: list[sa.ColumnElement[bool]] = []
    if first is not None:
        where.append(totals_t.c.month >= first)
    if last is not None:
        where.append(totals_t.c.month <= last)
    if resolved.province_keys:
        where.append(totals_t.c.province_key.in_(resolved.province_keys))
    if f.kind:
        where.append(totals_t.c.kind.in_(f.kind))
    if f.country:
        where.append(totals_t.c.country.in_(f.country))
    return where


def _place_names(
    session: Session, dimension: Dimension, keys: set[str | None]
) -> dict[str | None, tuple[str | None, str | None]]:
    """Key -> (name, p-code): the gazetteer's for the units it knows (grouped by code, so one
    unit never splits under two spellings), the stored spelling for the rest."""
    gazetteer = get_gazetteer()
    places = gazetteer.provinces if dimension == Dimension.PROVINCE else gazetteer.districts
    names: dict[str | None, tuple[str | None, str | None]] = {None: (None, None)}
    others = []
    for key in keys:
        if key is None:
            continue
        if key in places:
            names[key] = (places[key].name, places[key].pcode)
        else:
            others.append(key)
    if others:
        column, key_column = event_t.c[dimension.value], event_t.c[f"{dimension.value}_key"]
        rows = session.execute(
            sa.select(key_column, sa.func.max(column))
            .where(key_column.in_(others))
            .group_by(key_column)
        )
        names |= {key: (name, None) for key, name in rows}
    return names


def _periods(dimension: Dimension, start: date, end: date) -> Iterator[str]:
    """Every period label from the one holding `start` to the one holding `end`."""
    precision = {
        Dimension.YEAR: DatePrecision.YEAR,
        Dimension.MONTH: DatePrecision.MONTH,
        Dimension.WEEK: DatePrecision.WEEK,
        Dimension.DAY: DatePrecision.DAY,
    }[dimension]
    day = period(start, precision)[0]
    while day <= end:
        first, last = period(day, precision)
        yield {
            Dimension.YEAR: first.isoformat()[:4],
            Dimension.MONTH: first.isoformat()[:7],
        }.get(dimension, first.isoformat())
        day = last + timedelta(days=1)


def _fill(
    groups: dict[tuple[Any, ...], dict[str, Any]],
    group_by: list[Dimension],
    resolved: ResolvedFilters,
) -> None:
    """Add the missing periods of the date range, with zeros, for each other key seen."""
    f = resolved.filters
    at = next((n for n, d in enumerate(group_by) if d in PERIODS), None)
    if at is None or f.date_from is None or f.date_to is None:
        return
    labels = list(_periods(group_by[at], f.date_from, f.date_to))
    others = {key[:at] + key[at + 1 :] for key in groups} if len(group_by) > 1 else {()}
    if len(labels) * len(others) > MAX_GROUPS:
        raise invalid(
            "query",
            "group_by",
            "Too many periods to list: use a coarser period or a shorter range.",
        )
    for other in others:
        for label in labels:
            key = (*other[:at], label, *other[at:])
            groups.setdefault(key, _zero())


def _sort_key(key: tuple[Any, ...]) -> tuple[tuple[bool, str], ...]:
    return tuple((value is None, str(value)) for value in key)


def stats(
    *, session: Session, resolved: ResolvedFilters, group_by: list[Dimension]
) -> dict[str, Any]:
    if len(set(group_by)) != len(group_by):
        raise invalid("query", "group_by", "Each dimension may appear once in group_by.")
    if sum(d in PERIODS for d in group_by) > 1:
        raise invalid("query", "group_by", "Group by at most one period (year, month, week, day).")
    groups = _aggregate(session, resolved, group_by)
    if not group_by:
        total = groups.get((), _zero())
        groups[()] = total
    elif Dimension.ACTOR in group_by:  # a record with several actors is in several groups
        total = _aggregate(session, resolved, []).get((), _zero())
    else:
        total = _zero()
        for group in groups.values():
            _add(total, group)
    _fill(groups, group_by, resolved)
    names = {
        d: _place_names(session, d, {key[n] for key in groups})
        for n, d in enumerate(group_by)
        if d in (Dimension.PROVINCE, Dimension.DISTRICT)
    }
    out = []
    for key in sorted(groups, key=_sort_key):
        labels: dict[str, str | None] = {}
        for n, dimension in enumerate(group_by):
            if dimension in names:
                name, pcode = names[dimension][key[n]]
                labels[dimension.value] = name
                labels[f"{dimension.value}_pcode"] = pcode
            else:
                labels[dimension.value] = None if key[n] is None else str(key[n])
        out.append({"key": labels, **groups[key]})
    return {"group_by": [d.value for d in group_by], "total": total, "groups": out}


def _add(total: dict[str, Any], more: dict[str, Any]) -> None:
    total["events"] += more["events"]
    for figure in FIGURES:
        total[figure]["sum"] += more[figure]["sum"]
        total[figure]["figures"] += more[figure]["figures"]
        for q in QUALIFIERS:
            total[figure]["qualifiers"][q] += more[figure]["qualifiers"][q]
