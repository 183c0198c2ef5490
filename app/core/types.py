"""Constrained scalar types shared by the API models."""

import re
from datetime import UTC, date, datetime
from enum import StrEnum
from typing import Annotated, Any

import pycountry
from annotated_types import Ge, Le
from pydantic import AfterValidator, AwareDatetime, BeforeValidator, ConfigDict, StringConstraints

MAX_COUNT = 1_000_000_000  # more people than any event involves; keeps sums within 64 bits


# PostgreSQL cannot store NUL characters; refuse them on every backend alike. A pattern runs in
# pydantic-core, far cheaper than a Python validator; errors.py words its message.
NO_NUL = r"^[^\x00]*$"


def _country_code(value: str) -> str:
    code = value.upper()
    if code not in _COUNTRY_CODES:
        raise ValueError(f"{value!r} is not an ISO 3166-1 alpha-3 country code (e.g. AFG)")
    return code


# XKX: Kosovo, as UCDP and ACLED code it.
_COUNTRY_CODES = frozenset(c.alpha_3 for c in pycountry.countries) | {"XKX"}
COUNTRY_CODES = _COUNTRY_CODES

Name = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200, pattern=NO_NUL)
]
LongName = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=500, pattern=NO_NUL)
]
Text = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=20_000, pattern=NO_NUL)
]
Url = Annotated[
    str, StringConstraints(strip_whitespace=True, max_length=2000, pattern=r"^https?://[^\s\x00]+$")
]
CountryCode = Annotated[
    str, StringConstraints(min_length=3, max_length=3), AfterValidator(_country_code)
]


def _not_a_number(value: Any) -> Any:
    # pydantic would read 0 as 1970-01-01 (seconds since 1970); the schema says a date string.
    if isinstance(value, int | float):
        raise ValueError("Must be an ISO 8601 date string (2021-05-03), not a number.")
    return value


# The range is checked inside pydantic-core (bulk loads validate millions of these); only the
# refusal of numbers runs in Python.
EARLIEST_DAY, LATEST_DAY = date(1800, 1, 1), date(2200, 12, 31)  # of any record
EventDate = Annotated[date, BeforeValidator(_not_a_number), Ge(EARLIEST_DAY), Le(LATEST_DAY)]

_ISO_INSTANT = re.compile(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}")


def _iso_instant(value: Any) -> Any:
    # pydantic would read "0.5" or "1622505600" as seconds since 1970: a query parameter that
    # says it takes ISO 8601 takes nothing else.
    if isinstance(value, str) and not _ISO_INSTANT.match(value):
        raise ValueError("Must be an ISO 8601 date and time with a timezone: 2021-05-05T08:00:00Z.")
    return value


def _within_utc(value: datetime) -> datetime:
    # A moment early on 0001-01-01 or late on 9999-12-31 in its own offset lies beyond Python's
    # years in UTC, where the database compares it: it means the earliest or latest moment.
    try:
        value.astimezone(UTC)
    except OverflowError:
        return (datetime.min if value.year == 1 else datetime.max).replace(tzinfo=UTC)
    return value


# A moment in a query parameter: ISO 8601 with a timezone, nothing else.
Instant = Annotated[AwareDatetime, BeforeValidator(_iso_instant), AfterValidator(_within_utc)]

ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")


def iso_day(value: Any) -> Any:
    """A before-validator: text must be YYYY-MM-DD (pydantic would read "0" as 1970-01-01,
    seconds since 1970)."""
    if isinstance(value, str) and not ISO_DAY.fullmatch(value):
        raise ValueError("Must be an ISO 8601 date: 2021-05-01.")
    return value


# A day in a query parameter: YYYY-MM-DD, nothing else.
Day = Annotated[date, BeforeValidator(iso_day)]


def examples_config(*examples: dict[str, Any], forbid_extra: bool = False) -> ConfigDict:
    """A model config whose JSON schema carries these examples (the docs page shows them)."""
    return ConfigDict(
        extra="forbid" if forbid_extra else "ignore", json_schema_extra={"examples": list(examples)}
    )


class Qualifier(StrEnum):
    """How a source qualifies a number: 'about 1,000', 'more than 100', 'at least six'."""

    EXACT = "exact"
    ABOUT = "about"
    AT_LEAST = "at_least"
    MORE_THAN = "more_than"
    AT_MOST = "at_most"
