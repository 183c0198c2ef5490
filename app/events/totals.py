"""Monthly totals of live records per (month, province, kind, country), kept in step with them.

/v1/stats mostly asks "how many, how many killed, by province or by month, over a year". Summing
a year of 1,000,000 records reads 100,000 rows and tests 15 qualifiers on each (about 100 ms on
SQLite); the same answer from these totals reads the year's thousand-odd rows. EventWriter calls
`add` after it inserts or changes records and `remove` before it changes or deletes them, in the
same transaction, so the totals are never out of step with the records they sum.

A record counts in the month of its date, under its own province (a displacement's origin and
destination do not count). Which queries the totals can answer, and how the rest of a query is
summed from the records, is app/stats/service.py's business.
"""

from collections.abc import Callable, Iterable
from datetime import date, timedelta
from functools import cache
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session

from app.core.database import RowBinder
from app.core.tables import TOTALS_FIGURES, TOTALS_QUALIFIERS
from app.core.tables import event_month_totals_table as totals_t
from app.core.tables import event_table as event_t

NO_PROVINCE = ""  # the province_key under which records without a province count
KEY = ("month", "province_key", "kind", "country")
COUNTERS = tuple(c.name for c in totals_t.c if c.name not in KEY)

# The event columns the totals depend on: a change to none of them leaves the totals as they are.
COUNTED_COLUMNS = (
    "date",
    "province_key",
    "kind",
    "country",
    "deleted_at",
    *(f"{figure}_{part}" for figure in TOTALS_FIGURES for part in ("value", "qualifier")),
)


def contributions(source: sa.FromClause) -> dict[str, sa.ColumnElement[Any]]:
    """Counter name -> what each record of `source` (event, or a select of its figure columns)
    adds to it."""
    c = source.c
    columns: dict[str, sa.ColumnElement[Any]] = {"events": sa.literal_column("1")}
    for figure in TOTALS_FIGURES:
        value, qualifier = c[f"{figure}_value"], c[f"{figure}_qualifier"]
        columns[f"{figure}_sum"] = sa.func.coalesce(value, 0)
        columns[f"{figure}_figures"] = sa.case((value.is_(None), 0), else_=1)
        for q in TOTALS_QUALIFIERS:
            columns[f"{figure}_{q}"] = sa.case((qualifier == q, 1), else_=0)
    return columns


def month_of(column: sa.ColumnElement[Any], dialect: str) -> sa.ColumnElement[Any]:
    """The first day of the month of a date column."""
    if dialect == "postgresql":
        return sa.cast(sa.func.date_trunc("month", column), sa.Date)
    return sa.func.date(column, "start of month")


def _summed(dialect: str, where: sa.ColumnElement[bool], sign: int) -> sa.Select[Any]:
    """The totals of the live records matching `where`, one row per key, times `sign`."""
    key = [
        month_of(event_t.c.date, dialect),
        sa.func.coalesce(event_t.c.province_key, NO_PROVINCE),
        event_t.c.kind,
        event_t.c.country,
    ]
    each = contributions(event_t)
    sums = [(sa.func.sum(each[name]) * sign).label(name) for name in COUNTERS]
    return sa.select(*key, *sums).where(event_t.c.deleted_at.is_(None), where).group_by(*key)


def _apply(session: Session, where: sa.ColumnElement[bool], sign: int) -> None:
    dialect = session.get_bind().dialect.name
    statement: postgresql.Insert | sqlite.Insert
    statement = postgresql.insert(totals_t) if dialect == "postgresql" else sqlite.insert(totals_t)
    statement = statement.from_select([*KEY, *COUNTERS], _summed(dialect, where, sign))
    session.execute(
        statement.on_conflict_do_update(  # the select has one row per key, as an upsert needs
            index_elements=list(KEY),
            set_={name: totals_t.c[name] + statement.excluded[name] for name in COUNTERS},
        )
    )


# What a record adds to the totals, in the form it has before it is stored: its key, then the
# value and qualifier of each figure. Computed where records are prepared (a bulk load's workers).
Counted = tuple[Any, ...]


def counted(columns: dict[str, Any]) -> Counted:
    """The Counted of a record from its event columns (Python values)."""
    return (
        columns["date"].replace(day=1),
        columns["province_key"] or NO_PROVINCE,
        columns["kind"],
        columns["country"],
        *(
            columns[f"{figure}_{part}"]
            for figure in TOTALS_FIGURES
            for part in ("value", "qualifier")
        ),
    )


def add_counted(session: Session, records: Iterable[Counted]) -> None:
    """Count records just inserted, summed here: cheaper than reading them back."""
    sums: dict[tuple[Any, ...], list[int]] = {}
    slots = {q: n for n, q in enumerate(TOTALS_QUALIFIERS, start=2)}
    width = 2 + len(TOTALS_QUALIFIERS)  # sum, figures, then one count per qualifier
    for record in records:
        row = sums.get(record[:4])
        if row is None:
            row = sums[record[:4]] = [0] * (1 + width * len(TOTALS_FIGURES))
        row[0] += 1
        for n in range(len(TOTALS_FIGURES)):
            value, qualifier = record[4 + 2 * n], record[5 + 2 * n]
            if value is not None:
                at = 1 + width * n
                row[at] += value
                row[at + 1] += 1
                if qualifier is not None:
                    row[at + slots[qualifier]] += 1
    if not sums:
        return
    sql, bind_month = _upsert(session.get_bind().dialect)
    rows = [(bind_month(key[0]), *key[1:], *values) for key, values in sums.items()]
    session.connection().exec_driver_sql(sql, rows)


@cache
def _upsert(dialect: sa.Dialect) -> tuple[str, Callable[[date], Any]]:
    """The driver-level upsert adding to the counters, and how it takes a month."""
    binder = RowBinder(totals_t, (*KEY, *COUNTERS), dialect)
    update = ", ".join(f"{name} = {totals_t.name}.{name} + excluded.{name}" for name in COUNTERS)
    processor = totals_t.c.month.type.dialect_impl(dialect).bind_processor(dialect)
    return (
        f"{binder.sql} ON CONFLICT ({', '.join(KEY)}) DO UPDATE SET {update}",
        processor or (lambda month: month),
    )


def add(session: Session, where: sa.ColumnElement[bool]) -> None:
    """Count the live records matching `where` (just inserted, or just changed)."""
    _apply(session, where, 1)


def remove(session: Session, where: sa.ColumnElement[bool]) -> None:
    """Stop counting the live records matching `where` (about to change or be deleted)."""
    _apply(session, where, -1)


def whole_months(start: date | None, end: date | None) -> tuple[date | None, date | None] | None:
    """The first and last day of the whole months within [start, end] (None: unbounded), or
    None if no whole month fits."""
    first = start
    if start is not None and start.day != 1:
        first = (start.replace(day=28) + timedelta(days=4)).replace(day=1)
    last = end
    if end is not None and (end + timedelta(days=1)).day != 1:
        last = end.replace(day=1) - timedelta(days=1)
    if first is not None and last is not None and first > last:
        return None
    return first, last
