"""The answer of /v1/stats: groups of events, each with its count and its claimed totals."""

from enum import StrEnum

from pydantic import BaseModel, Field

from app.events.schemas import Qualifier


class Dimension(StrEnum):
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
FIGURES = ("fatalities", "families", "individuals")


class QualifierCounts(BaseModel):
    """How many of the summed figures carried each qualifier."""

    exact: int = Field(examples=[2])
    about: int = Field(examples=[1])
    at_least: int = Field(examples=[0])
    more_than: int = Field(examples=[1])
    at_most: int = Field(examples=[0])


assert set(QualifierCounts.model_fields) == {q.value for q in Qualifier}


class FigureTotal(BaseModel):
    """The sum of the figures the records claim, and how precise those claims are."""

    sum: int = Field(description="Sum of the figures' values.", examples=[340])
    figures: int = Field(
        description="How many records gave a figure (the others say nothing, not zero).",
        examples=[4],
    )
    qualifiers: QualifierCounts = Field(
        description="How many of those figures were exact, 'about', 'at least', 'more than' or "
        "'at most': a sum of 'more than' figures is itself a lower bound."
    )


class Totals(BaseModel):
    events: int = Field(description="Number of records.", examples=[4])
    fatalities: FigureTotal
    families: FigureTotal = Field(description="Families (households) displaced.")
    individuals: FigureTotal = Field(description="People displaced.")


class _Keyed(BaseModel):
    key: dict[str, str | None] = Field(
        description="The group's value for each group_by dimension. province and district come "
        "with their p-codes (province_pcode, district_pcode); periods are '2021' (year), "
        "'2021-05' (month), '2021-05-03' (week: its Monday, ISO weeks) and '2021-05-03' (day).",
        examples=[{"province": "Helmand", "province_pcode": "AF30", "month": "2021-05"}],
    )


class Group(Totals, _Keyed):
    """One group: its key first, then its totals."""


class Stats(BaseModel):
    """Totals of the records the filters match, overall and per group."""

    group_by: list[Dimension] = Field(examples=[["province", "month"]])
    total: Totals = Field(description="Over every matching record, each counted once.")
    groups: list[Group] = Field(
        description="One per combination of group_by values, in order of those values. With "
        "date_from and date_to and a period dimension, every period of the range appears, with "
        "zeros where there were no events. A record counts in the period of its date, under "
        "its own province and district (not a displacement's origin or destination), and "
        "under each of its actors when grouped by actor."
    )
