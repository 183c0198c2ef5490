"""The query of GET /v1/events (and of /v1/stats and the exports), declared once: EventQuery,
a Pydantic model whose fields are the query parameters, checked before any database work; its
`filters()` is what the services take (EventFilters)."""

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, WithJsonSchema

from app.core.errors import invalid
from app.core.pagination import CURSOR_FIELD, LIMIT_FIELD
from app.core.types import EARLIEST_DAY, LATEST_DAY, NO_NUL, CountryCode, Day, Instant, Name
from app.events.geo import BBox, parse_bbox
from app.events.schemas import KINDS, ActorRole
from app.events.search import Term, parse
from app.exports.fields import FIELDS

MAX_VALUES = 100


def _known_kind(value: str) -> str:
    if value not in KINDS:
        raise ValueError(f"Input should be {', '.join(repr(k) for k in KINDS)}")
    return value


Kind = Annotated[
    str, AfterValidator(_known_kind), WithJsonSchema({"type": "string", "enum": list(KINDS)})
]


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


def _many(description: str, example: str) -> Any:
    return Field(
        default_factory=list, max_length=MAX_VALUES, description=description, examples=[[example]]
    )


class EventQuery(BaseModel):
    """The filters of an event query: GET /v1/events, /v1/stats and the exports take them all."""

    model_config = ConfigDict(extra="ignore")

    province: list[Name] = _many(
        "Province: name, any spelling, or OCHA p-code (Helmand, Hilmand, AF30). Repeat for "
        "several (OR). Also matches displacements whose origin or destination is there.",
        "Helmand",
    )
    district: list[Name] = _many(
        "District: name, alias or OCHA p-code (Lashkar Gah, AF3001). Repeatable.", "Lashkar Gah"
    )
    date_from: Day | None = Field(
        default=None,
        description="Events whose span reaches this day or later (ISO date).",
        examples=["2021-05-01"],
    )
    date_to: Day | None = Field(
        default=None,
        description="Events whose span starts this day or earlier (ISO date).",
        examples=["2021-05-31"],
    )
    actor: list[Name] = _many(
        "Actor: name or alias, any role unless actor_role narrows it. Repeatable.", "Taliban"
    )
    actor_role: list[ActorRole] = _many(
        "Only count `actor` matches in these roles. Repeatable.", "initiator"
    )
    kind: list[Kind] = _many(f"Event kind: {', '.join(KINDS)}. Repeatable.", KINDS[0])
    country: list[CountryCode] = _many("ISO 3166-1 alpha-3 country code. Repeatable.", "AFG")
    dataset: list[Name] = _many(
        "Dataset the records were imported from (ucdp-ged, acled, or a name given to an "
        "import). Repeatable.",
        "ucdp-ged",
    )
    q: str | None = Field(
        default=None,
        max_length=500,
        pattern=NO_NUL,
        description="Full-text search of summaries, places and source quotes. Words are "
        'ANDed; "quoted phrases" match in order; `word*` matches a prefix.',
        examples=["checkpoint", '"forced to flee"', "Lashkar*"],
    )
    bbox: str | None = Field(
        default=None,
        max_length=200,
        description="minLon,minLat,maxLon,maxLat (WGS 84). Records without coordinates "
        "count at their province's centroid (see geo_source).",
        examples=["63.5,30.5,65.0,32.5"],
    )
    updated_since: Instant | None = Field(
        default=None,
        description="Only records created or changed after this time (ISO 8601 with a "
        "timezone); pages then come in order of change, oldest first, to mirror the data.",
        examples=["2021-05-05T08:00:00Z"],
    )

    def filters(self) -> EventFilters:
        """The filters the services take; a 422 naming the parameter where two disagree."""
        if self.date_from and self.date_to and self.date_from > self.date_to:
            raise invalid("query", "date_from", "date_from must not be after date_to.")
        if self.actor_role and not self.actor:
            raise invalid("query", "actor_role", "actor_role narrows `actor`; give an actor too.")
        terms: list[Term] = []
        if self.q is not None:
            terms = parse(self.q)
            if not terms:
                raise invalid("query", "q", "q has no words to search for (letters or digits).")
        return EventFilters(
            q=tuple(terms),
            bbox=parse_bbox(self.bbox) if self.bbox is not None else None,
            province=self.province,
            district=self.district,
            date_from=self.date_from,
            date_to=self.date_to,
            actor=self.actor,
            actor_role=self.actor_role,
            kind=sorted(set(self.kind)),
            country=sorted(set(self.country)),
            dataset=sorted(set(self.dataset)),
            updated_since=self.updated_since,
        )


class ListQuery(EventQuery):
    """GET /v1/events: the filters, a page, and the fields of each record."""

    limit: int = LIMIT_FIELD
    cursor: str | None = CURSOR_FIELD
    fields: list[str] | None = FIELDS
