"""The answer of /v1/stats: groups of events, each with its count and its claimed totals."""

import copy
from enum import StrEnum
from typing import Any, cast

from pydantic import BaseModel, ConfigDict, Field
from pydantic.config import JsonDict

from app.core.tables import TOTALS_FIGURES
from app.core.types import Qualifier


class Dimension(StrEnum):
    """What to group by: a place, the kind, an actor, the country, or a period of the date."""

    PROVINCE = "province"
    DISTRICT = "district"
    KIND = "kind"
    ACTOR = "actor"
    COUNTRY = "country"
    YEAR = "year"
    MONTH = "month"
    WEEK = "week"
    DAY = "day"


PERIODS = (Dimension.YEAR, Dimension.MONTH, Dimension.WEEK, Dimension.DAY)
FIGURES = TOTALS_FIGURES  # the figures stats sum: those the monthly totals keep


# Examples. A field's example must differ from its model's own, or pydantic drops it.
Example = dict[str, Any]
_QUALIFIERS: Example = {"exact": 2, "about": 1, "at_least": 0, "more_than": 1, "at_most": 0}
_ONLY_ABOUT: Example = dict.fromkeys(_QUALIFIERS, 0) | {"about": 1}
_FIGURE: Example = {"sum": 340, "figures": 4, "qualifiers": _QUALIFIERS}
_KILLED: Example = {"sum": 117, "figures": 3, "qualifiers": _QUALIFIERS | {"exact": 1}}
_FAMILIES: Example = {"sum": 1000, "figures": 1, "qualifiers": _ONLY_ABOUT}
_NONE: Example = {"sum": 0, "figures": 0, "qualifiers": dict.fromkeys(_QUALIFIERS, 0)}
_TOTALS: Example = {"events": 5, "fatalities": _KILLED, "families": _FAMILIES, "individuals": _NONE}
_GROUP: Example = {"key": {"province": "Helmand", "province_pcode": "AF30", "month": "2021-05"}}
_GROUP |= {"events": 3, "fatalities": _KILLED, "families": _NONE, "individuals": _NONE}


def _examples(*examples: Example) -> JsonDict:
    return {"examples": [cast(JsonDict, copy.deepcopy(e)) for e in examples]}


class QualifierCounts(BaseModel):
    """How many of the summed figures carried each qualifier."""

    model_config = ConfigDict(json_schema_extra=_examples(_QUALIFIERS))

    exact: int = Field(description="Figures given as exact.", examples=[2])
    about: int = Field(description="'About', 'some', 'nearly' figures.", examples=[1])
    at_least: int = Field(description="'At least' figures: lower bounds.", examples=[0])
    more_than: int = Field(description="'More than' figures: lower bounds.", examples=[1])
    at_most: int = Field(description="'At most' figures: upper bounds.", examples=[0])


assert set(QualifierCounts.model_fields) == {q.value for q in Qualifier}


class FigureTotal(BaseModel):
    """The sum of the figures the records claim, and how precise those claims are."""

    model_config = ConfigDict(json_schema_extra=_examples(_FIGURE))

    sum: int = Field(description="Sum of the figures' values.", examples=[340])
    figures: int = Field(
        description="How many records gave a figure (the others say nothing, not zero).",
        examples=[4],
    )
    qualifiers: QualifierCounts = Field(
        description="How many of those figures were exact, 'about', 'at least', 'more than' or "
        "'at most': a sum of 'more than' figures is itself a lower bound.",
        json_schema_extra=_examples(_ONLY_ABOUT),
    )


class Totals(BaseModel):
    """How many records, and the totals of their figures."""

    model_config = ConfigDict(json_schema_extra=_examples(_TOTALS | {"individuals": _FAMILIES}))

    events: int = Field(description="Number of records.", examples=[5])
    fatalities: FigureTotal = Field(
        description="People killed.", json_schema_extra=_examples(_KILLED)
    )
    families: FigureTotal = Field(
        description="Families (households) displaced.",
        json_schema_extra=_examples(_FAMILIES),
    )
    individuals: FigureTotal = Field(
        description="People displaced.", json_schema_extra=_examples(_NONE)
    )


class _Keyed(BaseModel):
    key: dict[str, str | None] = Field(
        description="The group's value for each group_by dimension. province and district come "
        "with their p-codes (province_pcode, district_pcode); periods are '2021' (year), "
        "'2021-05' (month), '2021-05-03' (week: its Monday, ISO weeks) and '2021-05-03' (day).",
        examples=[{"province": "Helmand", "province_pcode": "AF30", "month": "2021-05"}],
    )


class Group(Totals, _Keyed):
    """One group: its key first, then its totals."""

    model_config = ConfigDict(json_schema_extra=_examples(_GROUP))


class Stats(BaseModel):
    """Totals of the records the filters match, overall and per group."""

    model_config = ConfigDict(
        json_schema_extra=_examples(
            {"group_by": ["province", "month"], "total": _TOTALS, "groups": [_GROUP]}
        )
    )

    group_by: list[Dimension] = Field(
        description="The dimensions asked for, in order.", examples=[["province", "month"]]
    )
    total: Totals = Field(
        description="Over every matching record, each counted once.",
        json_schema_extra=_examples(_TOTALS),
    )
    groups: list[Group] = Field(
        description="One per combination of group_by values, in order of those values. With "
        "date_from and date_to and a period dimension, every period of the range appears, with "
        "zeros where there were no events. A record counts in the period of its date, under "
        "its own province and district (not a displacement's origin or destination), and "
        "under each of its actors when grouped by actor.",
        examples=[[_GROUP]],
    )
