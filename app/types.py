"""Constrained scalar types shared by the API models."""

from datetime import date
from typing import Annotated, Any

import pycountry
from pydantic import AfterValidator, ConfigDict, StringConstraints

MAX_COUNT = 1_000_000_000  # more people than any event involves; keeps sums within 64 bits


def reject_nul(value: str) -> str:
    # PostgreSQL cannot store NUL characters; refuse them on every backend alike.
    if "\x00" in value:
        raise ValueError("must not contain NUL characters")
    return value


def _country_code(value: str) -> str:
    code = value.upper()
    if code not in _COUNTRY_CODES:
        raise ValueError(f"{value!r} is not an ISO 3166-1 alpha-3 country code (e.g. AFG)")
    return code


def _plausible_date(value: date) -> date:
    if not date(1800, 1, 1) <= value <= date(2200, 12, 31):
        raise ValueError("must be between 1800-01-01 and 2200-12-31")
    return value


# XKX: Kosovo, as UCDP and ACLED code it.
_COUNTRY_CODES = frozenset(c.alpha_3 for c in pycountry.countries) | {"XKX"}

Name = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=200),
    AfterValidator(reject_nul),
]
LongName = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=500),
    AfterValidator(reject_nul),
]
Text = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=20_000),
    AfterValidator(reject_nul),
]
Url = Annotated[
    str,
    StringConstraints(strip_whitespace=True, max_length=2000, pattern=r"^https?://[^\s]+$"),
    AfterValidator(reject_nul),
]
CountryCode = Annotated[
    str, StringConstraints(min_length=3, max_length=3), AfterValidator(_country_code)
]
EventDate = Annotated[date, AfterValidator(_plausible_date)]


def examples_config(*examples: dict[str, Any], forbid_extra: bool = False) -> ConfigDict:
    """A model config whose JSON schema carries these examples (the docs page shows them)."""
    return ConfigDict(
        extra="forbid" if forbid_extra else "ignore", json_schema_extra={"examples": list(examples)}
    )
