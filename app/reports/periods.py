"""The periods date expressions stand for: each expression's resolver, given the date it is read
against (the publication date, when the words were said, or a date read before)."""

import calendar
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta

from app.reports.lexicon import NUMBER_WORDS, ORDINALS
from app.reports.timex import MONTHS, WEEKDAYS, DateMention


@dataclass(frozen=True)
class Period:
    """A resolved date: its first day, its last day (None: the one day or the whole period)."""

    start: date
    end: date | None
    precision: str  # day, week, month, year

    @property
    def last(self) -> date:
        return self.end or self.start

    def describe(self) -> str:
        if self.end and self.end != self.start:
            return f"{self.start.isoformat()} to {self.end.isoformat()}"
        return self.start.isoformat()


def _count(text: str | None) -> int:
    if text is None:
        return 1
    if text.isdigit():
        return int(text)
    return NUMBER_WORDS.get(text.lower(), 1)


def _ordinal(text: str) -> int:
    digits = re.match(r"\d+", text)
    return int(digits.group(0)) if digits else ORDINALS[text.lower()]


def _month_end(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


def _weekday_on_or_before(reference: date, weekday: int) -> date:
    return reference - timedelta(days=(reference.weekday() - weekday) % 7)


def _year_for(month: int, day: int, reference: date, *, future_ok: bool) -> int:
    year = reference.year
    if not future_ok:
        try:
            candidate = date(year, month, day)
        except ValueError:
            return year
        if candidate > reference + timedelta(days=7):
            year -= 1
    return year


def _month_shift(reference: date, months: int) -> date:
    """The first day of the month `months` away from the reference's."""
    year, month = divmod(reference.year * 12 + reference.month - 1 + months, 12)
    return date(year, month + 1, 1)


def _since(start: date, reference: date, precision: str) -> Period:
    return Period(start, reference if reference > start else None, precision)


def _day_of(m: DateMention, reference: date, future_ok: bool) -> Period | None:
    month, day, year_text = (
        MONTHS[m.group("month") or ""],
        int(m.group("day") or 0),
        m.group("year"),
    )
    year = int(year_text) if year_text else _year_for(month, day, reference, future_ok=future_ok)
    try:
        day_date = date(year, month, day)
    except ValueError:
        return None
    if m.group("prep") in ("since", "from") and day_date < reference:
        return Period(day_date, reference, "day")
    return Period(day_date, None, "day")


def _day_range(m: DateMention, reference: date, future_ok: bool) -> Period | None:
    """'between 6 and 8 August', 'from August 6 to 8', 'between 30 July and 2 August',
    'on 3 and 4 August', 'on August 3 and 4'."""
    if m.group("day3"):  # "on August 3 and 4": one month, named first
        first_month = last_month = MONTHS[m.group("month2") or ""]
        first_day, last_day = int(m.group("day3") or 0), int(m.group("day4") or 0)
        if last_day <= first_day:
            return None  # "on July 13 and 4 ...": no run of days
        year_text = m.group("year2")
    else:
        named, other = m.group("month") or "", m.group("month2")
        day_first = m.text.lower().split()[1][:1].isdigit()  # "between 6 ... August"
        first_month = MONTHS[other or named] if day_first else MONTHS[named]
        last_month = MONTHS[named] if day_first else MONTHS[other or named]
        first_day, last_day = int(m.group("day") or 0), int(m.group("day2") or 0)
        year_text = m.group("year")
    year = (
        int(year_text)
        if year_text
        else _year_for(last_month, last_day, reference, future_ok=future_ok)
    )
    try:
        last = date(year, last_month, last_day)
        first = date(year, first_month, first_day)
        if first > last:
            first = date(year - 1, first_month, first_day)
    except ValueError:
        return None
    return Period(first, last if last > first else None, "day")


def _day_of_month(m: DateMention, reference: date, future_ok: bool) -> Period | None:
    """'on the 14th': that day of the reference's month, or of the month before when the
    reference has not reached it."""
    day = int(m.group("day") or 0)
    first = reference.replace(day=1) if day <= reference.day else _month_shift(reference, -1)
    try:
        day_date = first.replace(day=day)
    except ValueError:
        return None
    if m.group("prep") in ("since", "from") and day_date < reference:
        return Period(day_date, reference, "day")
    return Period(day_date, None, "day")


def _month(m: DateMention, reference: date, future_ok: bool) -> Period:
    month = MONTHS[m.group("month") or ""]
    year_text, relative = m.group("year"), m.group("rel")
    if year_text:
        year = int(year_text)
    elif relative:
        year = reference.year + _SHIFTS[relative]
    else:
        # "in November", read in May: last November (unless a deadline may lie ahead)
        year = reference.year - (1 if month > reference.month + (12 if future_ok else 0) else 0)
    first = date(year, month, 1)
    if m.pattern == "since_month":
        edges = {"middle": first.replace(day=15), "end": _month_end(year, month)}
        return _since(edges.get(m.group("edge") or "", first), reference, "month")
    if m.group("prep") in ("since", "from"):
        return _since(first, reference, "month")
    return Period(first, None, "month")


def _year(m: DateMention, reference: date, future_ok: bool) -> Period:
    first = date(int(m.group("year") or 0), 1, 1)
    return Period(first, reference if m.group("prep") == "since" else None, "year")


def _relative_period(m: DateMention, reference: date, future_ok: bool) -> Period:
    if m.group("since"):  # "since last week": from its first day to the reference
        period = _relative_period(_without(m, "since"), reference, future_ok)
        return Period(
            period.start, reference if reference > period.start else None, period.precision
        )
    unit, shift = m.group("unit"), _SHIFTS[(m.group("rel") or "this").split()[-1]]
    if unit == "year":
        return Period(date(reference.year + shift, 1, 1), None, "year")
    # "earlier this week": up to the day before the reference (the day itself when that is
    # the first of the period)
    earlier = shift == 0 and m.text.lower().startswith("earlier")
    until = reference - timedelta(days=1) if earlier else reference
    if unit == "month":
        start = _month_shift(reference, shift)
        if shift != 0:
            return Period(start, None, "month")  # a month date without end spans the month
        return _since(start, max(until, start), "month")
    monday = reference - timedelta(days=reference.weekday()) + timedelta(weeks=shift)
    end = max(until, monday) if shift == 0 else monday + timedelta(days=6)
    return Period(monday, end if end != monday else None, "week")


def _without(m: DateMention, name: str) -> DateMention:
    groups = tuple((k, v) for k, v in m.groups if k != name)
    return DateMention(m.start, m.end, m.text, m.pattern, groups, m.mode)


def _since_start(m: DateMention, reference: date, future_ok: bool) -> Period:
    """'since the start of the year / month / week', 'so far this month'."""
    unit = m.group("unit") or m.group("unit2") or m.group("unit3") or "year"
    if m.group("year"):  # "since the start of 2021"
        return Period(date(int(m.group("year") or 0), 1, 1), reference, "year")
    if unit == "year":
        return Period(date(reference.year, 1, 1), reference, "year")
    if unit == "month":
        return _since(reference.replace(day=1), reference, "month")
    return _since(reference - timedelta(days=reference.weekday()), reference, "week")


def _past(m: DateMention, reference: date, future_ok: bool) -> Period:
    unit = (m.group("unit") or "day").rstrip("s")
    count = _count(m.group("count"))
    if m.group("few"):
        # "in the past few days": as vague as "in recent days"; "a couple of days": two
        if unit == "day" and "couple" not in (m.group("few") or ""):
            return Period(reference - timedelta(days=7), reference, "week")
        count = 2 if "couple" in (m.group("few") or "") else 3
    days = {"hour": max(1, count // 24), "day": count, "week": 7 * count, "month": 30 * count}
    precision = {"hour": "day", "day": "day", "week": "week", "month": "month"}[unit]
    return Period(reference - timedelta(days=days[unit]), reference, precision)


def _weekend(m: DateMention, reference: date, future_ok: bool) -> Period:
    saturday = _weekday_on_or_before(reference, 5)
    if reference.weekday() == 5 and "last" in m.text.lower():
        saturday -= timedelta(days=7)
    sunday = min(saturday + timedelta(days=1), reference)
    return Period(saturday, sunday if sunday != saturday else None, "week")


def _ago(m: DateMention, reference: date, future_ok: bool) -> Period:
    unit, count = (m.group("unit") or "day").rstrip("s"), _count(m.group("count"))
    if unit == "day":
        return Period(reference - timedelta(days=count), None, "day")
    if unit == "week":
        return Period(reference - timedelta(weeks=count), None, "week")
    if unit == "month":
        return Period(_month_shift(reference, -count), None, "month")
    return Period(date(reference.year - count, 1, 1), None, "year")


def _shift(m: DateMention, reference: date, future_ok: bool) -> Period:
    """'two days earlier', 'the previous day'; and 'X, a day after Y' (Y the day before)."""
    direction = m.group("dir") or m.group("dir2") or "earlier"
    earlier = direction in ("earlier", "previous", "preceding", "before")
    if m.pattern == "clause_shift":
        earlier = direction == "after"
    unit = (m.group("unit") or "day").rstrip("s")
    days = _count(m.group("count")) * (7 if unit == "week" else 1) if m.group("unit") else 1
    return Period(reference + timedelta(days=-days if earlier else days), None, "day")


def _weekday(m: DateMention, reference: date, future_ok: bool) -> Period:
    """'on Monday': the last Monday up to the reference; 'last Thursday': the last before it,
    but a week earlier when that is one or two days before in the same week (said on a
    Friday, 'last Thursday' is not yesterday; said on a Sunday, it is three days before)."""
    day = _weekday_on_or_before(reference, WEEKDAYS[m.group("weekday") or "Monday"])
    since = m.group("since") or (m.group("prep") if m.group("prep") in ("since", "from") else None)
    prep = m.group("prep") if m.group("prep") not in (None, "since", "from") else since
    if since and prep == "last":  # "since last Thursday": last Thursday, up to the reference
        last = _weekday(_without(m, "since"), reference, future_ok)
        return Period(last.start, reference, "day")
    if day == reference and prep in ("last", "since", "from"):
        day -= timedelta(days=7)
    monday = reference - timedelta(days=reference.weekday())
    if prep == "last" and day >= monday and (reference - day).days < 3:
        day -= timedelta(days=7)
    if prep in ("since", "from"):
        return Period(day, reference, "day")
    return Period(day, None, "day")


def _weekday_range(m: DateMention, reference: date, future_ok: bool) -> Period:
    """'on Sunday and Monday', 'from Saturday to Monday': the last such run up to the
    reference."""
    last = _weekday_on_or_before(reference, WEEKDAYS[m.group("weekday2") or "Monday"])
    first = _weekday_on_or_before(last, WEEKDAYS[m.group("weekday") or "Monday"])
    return Period(first, last if last != first else None, "day")


def _run_ending(m: DateMention, reference: date, future_ok: bool) -> Period:
    """'a three-day operation that ended on Saturday': Thursday to Saturday."""
    last = _weekday_on_or_before(reference, WEEKDAYS[m.group("weekday") or "Monday"])
    days = max(1, _count(m.group("count")))
    return Period(last - timedelta(days=days - 1), last if days > 1 else None, "day")


def _running_day(m: DateMention, reference: date, future_ok: bool) -> Period:
    """'for a sixth day on Tuesday': the five days before Tuesday, and Tuesday."""
    weekday = m.group("weekday")
    last = _weekday_on_or_before(reference, WEEKDAYS[weekday]) if weekday else reference
    count = _ordinal(m.group("ordinal") or "first")
    return Period(last - timedelta(days=count - 1), last if count > 1 else None, "day")


def _near(m: DateMention, reference: date, future_ok: bool) -> Period:
    word = " ".join((m.group("word") or "").split())
    if word == "yesterday":
        return Period(reference - timedelta(days=1), None, "day")
    if word == "overnight":
        return Period(reference - timedelta(days=1), reference, "day")
    if word == "last night":  # the evening before the telling: that day
        return Period(reference - timedelta(days=1), None, "day")
    return Period(reference, None, "day")


_SHIFTS = {"last": -1, "this": 0, "next": 1}
_RESOLVERS: dict[str, Callable[[DateMention, date, bool], Period | None]] = {
    "day_of": _day_of,
    "day_range": _day_range,
    "day_of_month": _day_of_month,
    "month": _month,
    "since_month": _month,
    "year": _year,
    "since_year_start": _since_start,
    "relative_period": _relative_period,
    "past": _past,
    "recent_days": lambda m, ref, _: Period(ref - timedelta(days=7), ref, "week"),
    "weekend": _weekend,
    "ago": _ago,
    "shift": _shift,
    "clause_shift": _shift,
    "same": lambda m, ref, _: Period(ref, None, "day"),
    "since_event": lambda m, ref, _: Period(ref, None, "day"),  # resolved with its context
    "weekday": _weekday,
    "weekday_range": _weekday_range,
    "run_ending": _run_ending,
    "running_day": _running_day,
    "near": _near,
}


def resolve(mention: DateMention, reference: date, *, future_ok: bool = False) -> Period | None:
    """The period a date expression stands for, given its reference date; `future_ok` for a
    deadline, which may lie after it."""
    return _RESOLVERS[mention.pattern](mention, reference, future_ok)
