"""Aggregates over the records a /v1/events query matches, grouped in SQL, zero-filled in Python."""

from collections.abc import Iterator
from datetime import date, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.sql.util import ClauseAdapter
from sqlmodel import Session

from app.errors import invalid
from app.events.dates import period
from app.events.schemas import DatePrecision, Qualifier
from app.events.service import ResolvedFilters, conditions, place_arms
from app.gazetteer import get_gazetteer
from app.models import actor_table as actor_t
from app.models import event_actor_table as event_actor_t
from app.models import event_table as event_t
from app.stats.schemas import FIGURES, PERIODS, Dimension

MAX_GROUPS = 100_000
QUALIFIERS = [q.value for q in Qualifier]


def _period(dimension: Dimension, dialect: str) -> sa.ColumnElement[str]:
    """The label of the period holding an event's date: '2021', '2021-05', or a day."""
    column = event_t.c.date
    if dialect == "postgresql":
        if dimension == Dimension.WEEK:
            return sa.func.to_char(sa.func.date_trunc("week", column), "YYYY-MM-DD")
        pattern = {"year": "YYYY", "month": "YYYY-MM", "day": "YYYY-MM-DD"}[dimension.value]
        return sa.func.to_char(column, pattern)
    if dimension == Dimension.WEEK:  # back six days, then on to a Monday: the ISO week's first
        return sa.func.date(column, "-6 days", "weekday 1")
    length = {"year": 4, "month": 7, "day": 10}[dimension.value]
    return sa.func.substr(column, 1, length)


def _key_column(dimension: Dimension, dialect: str) -> sa.ColumnElement[Any]:
    if dimension in PERIODS:
        return _period(dimension, dialect)
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


def _metrics() -> list[sa.ColumnElement[Any]]:
    columns: list[sa.ColumnElement[Any]] = [sa.func.count().label("events")]
    for figure in FIGURES:
        value, qualifier = event_t.c[f"{figure}_value"], event_t.c[f"{figure}_qualifier"]
        columns += [
            sa.func.coalesce(sa.func.sum(value), 0).label(f"{figure}_sum"),
            sa.func.count(value).label(f"{figure}_figures"),
        ]
        columns += [
            sa.func.coalesce(sa.func.sum(sa.case((qualifier == q, 1), else_=0)), 0).label(
                f"{figure}_{q}"
            )
            for q in QUALIFIERS
        ]
    return columns


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
    return _totals(dict.fromkeys(_metric_names(), 0))


def _metric_names() -> list[str]:
    names = ["events"]
    for figure in FIGURES:
        names += [f"{figure}_sum", f"{figure}_figures", *(f"{figure}_{q}" for q in QUALIFIERS)]
    return names


def _aggregate(
    session: Session, resolved: ResolvedFilters, group_by: list[Dimension]
) -> list[sa.RowMapping]:
    dialect = resolved.dialect
    keys = [_key_column(d, dialect).label(f"k{n}") for n, d in enumerate(group_by)]
    where = conditions(resolved)
    arms = place_arms(resolved)
    if not arms:  # one SELECT ... GROUP BY straight on event (the stats index covers it)
        stmt = sa.select(*keys, *_metrics()).select_from(_from(group_by)).where(*where)
        return list(session.execute(stmt.group_by(*keys)).mappings())
    # Place filters come as disjoint arms: stack the matching rows, then group them once.
    needed = [event_t.c[f"{f}_{part}"] for f in FIGURES for part in ("value", "qualifier")]
    stacked = sa.union_all(
        *(sa.select(*keys, *needed).select_from(_from(group_by)).where(*where, arm) for arm in arms)
    ).subquery()
    outer_keys = [stacked.c[f"k{n}"] for n in range(len(group_by))]
    metrics = [_rebind(column, stacked) for column in _metrics()]
    stmt = sa.select(*outer_keys, *metrics).group_by(*outer_keys)
    return list(session.execute(stmt).mappings())


def _rebind(column: sa.ColumnElement[Any], stacked: sa.Subquery) -> sa.ColumnElement[Any]:
    """A metric over event's columns, made to read the same columns of `stacked`."""
    adapted: sa.ColumnElement[Any] = ClauseAdapter(stacked).traverse(column)
    return adapted


def _from(group_by: list[Dimension]) -> sa.FromClause:
    if Dimension.ACTOR not in group_by:
        return event_t
    return event_t.join(event_actor_t, event_actor_t.c.event_id == event_t.c.id).join(
        actor_t, actor_t.c.id == event_actor_t.c.actor_id
    )


def _place_names(
    session: Session, dimension: Dimension, keys: set[str | None]
) -> dict[str | None, tuple[str | None, str | None]]:
    """Key -> (name, p-code): the gazetteer's for p-codes, the stored spelling for the rest."""
    gazetteer = get_gazetteer()
    places = gazetteer.provinces if dimension == Dimension.PROVINCE else gazetteer.districts
    names: dict[str | None, tuple[str | None, str | None]] = {None: (None, None)}
    others = []
    for key in keys:
        if key is None:
            continue
        if key in places:
            names[key] = (places[key].name, key)
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
    rows = _aggregate(session, resolved, group_by)
    groups = {tuple(row[f"k{n}"] for n in range(len(group_by))): _totals(row) for row in rows}
    if not group_by:  # an aggregate without GROUP BY has exactly one row
        total = groups[()]
    elif Dimension.ACTOR in group_by:  # a record with several actors is in several groups
        total = _totals(_aggregate(session, resolved, [])[0])
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
