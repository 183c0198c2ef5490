"""The span of days an event covers, given its date, end date and precision."""

import calendar
from datetime import date, timedelta

from app.events.schemas import DatePrecision


def period(day: date, precision: DatePrecision) -> tuple[date, date]:
    """First and last day of the week (ISO, Monday first), month or year that holds `day`."""
    if precision == DatePrecision.WEEK:
        start = day - timedelta(days=day.weekday())
        return start, start + timedelta(days=6)
    if precision == DatePrecision.MONTH:
        last = calendar.monthrange(day.year, day.month)[1]
        return day.replace(day=1), day.replace(day=last)
    if precision == DatePrecision.YEAR:
        return date(day.year, 1, 1), date(day.year, 12, 31)
    return day, day


def span(start: date, end: date | None, precision: DatePrecision) -> tuple[date, date]:
    """The days an event may have happened on.

    A coarse date with no end_date stands for its whole week, month or year; an end_date, when
    given, is the last day whatever the precision ("some time in 2021, before 1 May").
    """
    first, last = period(start, precision)
    return first, end or last
