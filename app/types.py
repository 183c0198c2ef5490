"""Constrained scalar types shared by the API models."""

from datetime import date
from typing import Annotated, Any

import pycountry
from annotated_types import Ge, Le
from pydantic import AfterValidator, ConfigDict, StringConstraints

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
# Checked inside pydantic-core: bulk loads validate millions of these.
EventDate = Annotated[date, Ge(date(1800, 1, 1)), Le(date(2200, 12, 31))]


def examples_config(*examples: dict[str, Any], forbid_extra: bool = False) -> ConfigDict:
    """A model config whose JSON schema carries these examples (the docs page shows them)."""
    return ConfigDict(
        extra="forbid" if forbid_extra else "ignore", json_schema_extra={"examples": list(examples)}
    )
