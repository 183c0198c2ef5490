"""The query parameters of GET /v1/events, parsed and checked before any database work."""

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Annotated

from fastapi import Query

from app.core.errors import invalid
from app.core.types import EARLIEST_DAY, LATEST_DAY, NO_NUL, CountryCode, Day, Instant, Name
from app.events.geo import BBox, parse_bbox
from app.events.schemas import ActorRole
from app.events.search import Term, parse

MAX_VALUES = 100

Kind = Annotated[str, Query(pattern="^(offensive|displacement|withdrawal_milestone|other)$")]


@dataclass(frozen=True, slots=True)
class EventFilters:
    province: list[str] = field(default_factory=list)
    district: list[str] = field(default_factory=list)
    date_from: date | None = None
    date_to: date | None = None
    actor: list[str] = field(default_factory=list)
    actor_role: list[ActorRole] = field(default_factory=list)
    kind: list[str] = field(default_factory=list)
    country: list[str] = field(default_factory=list)
    dataset: list[str] = field(default_factory=list)
    updated_since: datetime | None = None
    # Records changed at or after this time, listed in the usual order (the ACLED endpoint's
    # timestamp filter); not a /v1 parameter: updated_since there also orders by change.
    updated_from: datetime | None = None
    q: tuple[Term, ...] = ()
    bbox: BBox | None = None

    def __post_init__(self) -> None:
        # Clipped to the days a record's span can reach (dates are 1800-2200, a coarse one's
        # period a few days more): the same records match, and the date arithmetic on the
        # bounds (span reach, stats periods) stays within Python's years 1 to 9999.
        for name in ("date_from", "date_to"):
            day = getattr(self, name)
            if day is not None and not FIRST_DAY <= day <= LAST_DAY:
                object.__setattr__(self, name, min(max(day, FIRST_DAY), LAST_DAY))


# A year beyond the days any record's span can reach (app.types.EventDate).
FIRST_DAY = EARLIEST_DAY.replace(year=EARLIEST_DAY.year - 1)
LAST_DAY = LATEST_DAY.replace(year=LATEST_DAY.year + 1)


def _many(description: str, example: str) -> object:
    return Query(max_length=MAX_VALUES, description=description, examples=[[example]])


async def event_filters(
    province: Annotated[
        list[Name] | None,
        _many(
            "Province: name, any spelling, or OCHA p-code (Helmand, Hilmand, AF30). Repeat for "
            "several (OR). Also matches displacements whose origin or destination is there.",
            "Helmand",
        ),
    ] = None,
    district: Annotated[
        list[Name] | None,
        _many(
            "District: name, alias or OCHA p-code (Lashkar Gah, AF3001). Repeatable.", "Lashkar Gah"
        ),
    ] = None,
    date_from: Annotated[
        Day | None,
        Query(
            description="Events whose span reaches this day or later (ISO date).",
            examples=["2021-05-01"],
        ),
    ] = None,
    date_to: Annotated[
        Day | None,
        Query(
            description="Events whose span starts this day or earlier (ISO date).",
            examples=["2021-05-31"],
        ),
    ] = None,
    actor: Annotated[
        list[Name] | None,
        _many(
            "Actor: name or alias, any role unless actor_role narrows it. Repeatable.", "Taliban"
        ),
    ] = None,
    actor_role: Annotated[
        list[ActorRole] | None,
        _many("Only count `actor` matches in these roles. Repeatable.", "initiator"),
    ] = None,
    kind: Annotated[
        list[Kind] | None,
        _many(
            "Event kind: offensive, displacement, withdrawal_milestone, other. Repeatable.",
            "offensive",
        ),
    ] = None,
    country: Annotated[
        list[CountryCode] | None,
        _many("ISO 3166-1 alpha-3 country code. Repeatable.", "AFG"),
    ] = None,
    dataset: Annotated[
        list[Name] | None,
        _many(
            "Dataset the records were imported from (ucdp-ged, acled, or a name given to an "
            "import). Repeatable.",
            "ucdp-ged",
        ),
    ] = None,
    q: Annotated[
        str | None,
        Query(
            max_length=500,
            pattern=NO_NUL,
            description="Full-text search of summaries, places and source quotes. Words are "
            'ANDed; "quoted phrases" match in order; `word*` matches a prefix.',
            examples=["checkpoint", '"forced to flee"', "Lashkar*"],
        ),
    ] = None,
    bbox: Annotated[
        str | None,
        Query(
            max_length=200,
            description="minLon,minLat,maxLon,maxLat (WGS 84). Records without coordinates "
            "count at their province's centroid (see geo_source).",
            examples=["63.5,30.5,65.0,32.5"],
        ),
    ] = None,
    updated_since: Annotated[
        Instant | None,
        Query(
            description="Only records created or changed after this time (ISO 8601 with a "
            "timezone); pages then come in order of change, oldest first, to mirror the data.",
            examples=["2021-05-05T08:00:00Z"],
        ),
    ] = None,
) -> EventFilters:
    if date_from and date_to and date_from > date_to:
        raise invalid("query", "date_from", "date_from must not be after date_to.")
    if actor_role and not actor:
        raise invalid("query", "actor_role", "actor_role narrows `actor`; give an actor too.")
    terms: list[Term] = []
    if q is not None:
        terms = parse(q)
        if not terms:
            raise invalid("query", "q", "q has no words to search for (letters or digits).")
    return EventFilters(
        q=tuple(terms),
        bbox=parse_bbox(bbox) if bbox is not None else None,
        province=province or [],
        district=district or [],
        date_from=date_from,
        date_to=date_to,
        actor=actor or [],
        actor_role=actor_role or [],
        kind=sorted(set(kind or [])),
        country=sorted(set(country or [])),
        dataset=sorted(set(dataset or [])),
        updated_since=updated_since,
    )
