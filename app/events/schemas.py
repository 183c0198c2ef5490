"""The event record as the API reads and writes it: a union of kinds discriminated by `kind`.

To add a kind: write its `...Fields` mixin, its In and Out classes, and add them to KINDS and the
two unions at the bottom. Kind-specific fields are stored as JSON, so no migration is needed.
"""

from datetime import datetime
from enum import StrEnum
from typing import Annotated, Any, Literal, get_args

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from app.core.errors import union_tags
from app.core.types import (
    MAX_COUNT,
    CountryCode,
    EventDate,
    LongName,
    Name,
    Qualifier,
    Text,
    Url,
    examples_config,
)


class DatePrecision(StrEnum):
    """How precisely the source dates the event; a coarse date with no end_date spans its period."""

    DAY = "day"
    WEEK = "week"
    MONTH = "month"
    YEAR = "year"


class GeoPrecision(StrEnum):
    """What the coordinates stand for: the exact place, near it, or the centre of an area."""

    EXACT = "exact"
    NEAR = "near"
    DISTRICT = "district"
    PROVINCE = "province"
    COUNTRY = "country"


class ActorRole(StrEnum):
    """What an actor did in the event."""

    INITIATOR = "initiator"
    TARGET = "target"
    PARTICIPANT = "participant"


class Outcome(StrEnum):
    """How an offensive ended, as far as the sources say."""

    ONGOING = "ongoing"
    REPELLED = "repelled"
    TERRITORY_TAKEN = "territory_taken"
    STALEMATE = "stalemate"
    UNKNOWN = "unknown"


class Tactic(StrEnum):
    """How an offensive was fought."""

    GROUND_ASSAULT = "ground_assault"
    CHECKPOINT_ATTACK = "checkpoint_attack"
    AIR_STRIKE = "air_strike"
    DRONE_STRIKE = "drone_strike"
    ARTILLERY = "artillery"
    SPECIAL_FORCES = "special_forces"
    IED = "ied"
    SUICIDE_ATTACK = "suicide_attack"
    AMBUSH = "ambush"
    HARASSMENT = "harassment"
    OTHER = "other"


class Milestone(StrEnum):
    """A step in a foreign force's withdrawal."""

    DEADLINE_AGREED = "deadline_agreed"
    DEADLINE_ANNOUNCED = "deadline_announced"
    DEADLINE_MISSED = "deadline_missed"
    WITHDRAWAL_STARTED = "withdrawal_started"
    BASE_HANDOVER = "base_handover"
    WITHDRAWAL_COMPLETED = "withdrawal_completed"


def _examples(*examples: dict[str, Any]) -> ConfigDict:
    return examples_config(*examples, forbid_extra=True)


# Figures: numbers are claims. A figure keeps its qualifier, its claimant and any range.
class Claim(BaseModel):
    """A number as a source states it, with its qualifier and who claimed it."""

    model_config = _examples({"value": 20, "qualifier": "exact", "claimed_by": "Taliban"})

    value: int = Field(
        ge=0,
        le=MAX_COUNT,
        strict=True,  # "12" and 12.0 are not what the schema says
        description="The number as stated (the best estimate of a range).",
        examples=[100],
    )
    qualifier: Qualifier = Field(
        default=Qualifier.EXACT,
        description="How the source qualified the number; never drop a 'more than'.",
        examples=["more_than"],
    )
    claimed_by: Name | None = Field(
        default=None, description="Who stated the number.", examples=["Afghan Defense Ministry"]
    )
    low: int | None = Field(
        default=None,
        ge=0,
        le=MAX_COUNT,
        strict=True,  # "12" and 12.0 are not what the schema says
        description="Low end of a range (UCDP's low).",
        examples=[80],
    )
    high: int | None = Field(
        default=None,
        ge=0,
        le=MAX_COUNT,
        strict=True,  # "12" and 12.0 are not what the schema says
        description="High end of a range (UCDP's high).",
        examples=[120],
    )

    @field_validator("value", "low", "high", mode="before")
    @classmethod
    def _not_a_boolean(cls, value: Any) -> Any:
        # pydantic would read true as 1 and false as 0: a count that nobody stated.
        if isinstance(value, bool):
            raise ValueError("Input should be a whole number, not true or false")
        return value

    @model_validator(mode="after")
    def _range_holds_value(self) -> "Claim":
        if self.low is not None and self.low > self.value:
            raise ValueError("low must not exceed value")
        if self.high is not None and self.high < self.value:
            raise ValueError("high must not be below value")
        return self


class Figure(Claim):
    """A counted quantity (killed, families displaced) with competing claims kept beside it."""

    model_config = _examples(
        {
            "value": 100,
            "qualifier": "more_than",
            "claimed_by": "Afghan Defense Ministry",
            "alternatives": [{"value": 20, "qualifier": "exact", "claimed_by": "Taliban"}],
        }
    )

    alternatives: list[Claim] = Field(
        default_factory=list,
        max_length=20,
        description="Other sources' claims for the same quantity.",
        examples=[[{"value": 20, "qualifier": "exact", "claimed_by": "Taliban"}]],
    )


class Source(BaseModel):
    """A document the record rests on, with the words it rests on."""

    model_config = _examples(
        {
            "publisher": "Xinhua",
            "title": "Thousands flee as Taliban launch offensive in Afghanistan's Helmand",
            "url": "https://example.org/helmand-offensive",
            "published_on": "2021-05-04",
            "quote": "About 1,000 families were forced to flee their homes to escape the fighting",
        }
    )

    publisher: Name = Field(description="Who published the source.", examples=["Xinhua"])
    title: LongName | None = Field(
        default=None,
        description="The source's title.",
        examples=["Thousands flee Helmand fighting"],
    )
    url: Url | None = Field(
        default=None,
        description="Where the source can be read (http or https).",
        examples=["https://example.org/helmand-offensive"],
    )
    published_on: EventDate | None = Field(
        default=None, description="The source's publication date.", examples=["2021-05-04"]
    )
    quote: Text | None = Field(
        default=None,
        description="The sentences of the source this record rests on, verbatim.",
        examples=["About 1,000 families were forced to flee their homes to escape the fighting"],
    )


class ActorRef(BaseModel):
    """An actor and its role in the event. Names are matched to the actor registry's aliases."""

    model_config = _examples({"name": "Taliban", "role": "initiator"})

    name: Name = Field(description="The actor's name or any alias.", examples=["Taliban"])
    role: ActorRole = Field(description="What the actor did in the event.", examples=["initiator"])


class Place(BaseModel):
    """A place other than the event's own: where people fled from or to."""

    model_config = _examples({"province": "Helmand", "district": "Lashkar Gah", "location": None})

    province: Name | None = Field(
        default=None,
        description="Province (admin 1): name, alias or OCHA p-code.",
        examples=["Helmand"],
    )
    district: Name | None = Field(
        default=None,
        description="District (admin 2): name, alias or OCHA p-code.",
        examples=["Lashkar Gah"],
    )
    location: LongName | None = Field(
        default=None,
        description="A place name finer than a district.",
        examples=["outskirts of Lashkar Gah"],
    )


class PlaceOut(Place):
    """A place with the OCHA p-codes the gazetteer resolved."""

    model_config = _examples(
        {
            "province": "Helmand",
            "province_pcode": "AF30",
            "province_iso_3166_2": "AF-HEL",
            "district": "Lashkar Gah",
            "district_pcode": "AF3001",
            "location": None,
        }
    )

    province_pcode: str | None = Field(
        default=None, description="OCHA p-code of the province.", examples=["AF30"]
    )
    district_pcode: str | None = Field(
        default=None, description="OCHA p-code of the district.", examples=["AF3001"]
    )
    province_iso_3166_2: str | None = Field(
        default=None,
        description="ISO 3166-2 code of the province (null for a unit ISO does not list).",
        examples=["AF-HEL"],
    )


# Fields every kind shares.
class EventCommon(BaseModel):
    model_config = ConfigDict(extra="forbid")

    date: EventDate = Field(
        description="When the event happened (its first day).", examples=["2021-05-03"]
    )
    end_date: EventDate | None = Field(
        default=None, description="Last day, for events that span days.", examples=["2021-05-04"]
    )
    date_precision: DatePrecision = Field(
        default=DatePrecision.DAY,
        description="How precisely the sources date the event.",
        examples=["day"],
    )
    country: CountryCode = Field(description="ISO 3166-1 alpha-3 country code.", examples=["AFG"])
    province: Name | None = Field(
        default=None,
        description="Province (admin 1): name, alias or OCHA p-code; stored as its canonical name.",
        examples=["Helmand"],
    )
    district: Name | None = Field(
        default=None,
        description="District (admin 2): name, alias or OCHA p-code; stored as its canonical name.",
        examples=["Lashkar Gah"],
    )
    location: LongName | None = Field(
        default=None,
        description="A place name finer than a district.",
        examples=["outskirts of Lashkar Gah"],
    )
    latitude: float | None = Field(
        default=None,
        ge=-90,
        le=90,
        allow_inf_nan=False,
        strict=True,  # true or "31.5" are not what the schema says
        description="WGS 84 latitude.",
        examples=[31.59],
    )
    longitude: float | None = Field(
        default=None,
        ge=-180,
        le=180,
        allow_inf_nan=False,
        strict=True,  # true or "31.5" are not what the schema says
        description="WGS 84 longitude.",
        examples=[64.37],
    )
    geo_precision: GeoPrecision | None = Field(
        default=None, description="What the coordinates stand for.", examples=["near"]
    )
    actors: list[ActorRef] = Field(
        default_factory=list,
        max_length=50,
        description="Who was involved, and how.",
        examples=[[{"name": "Taliban", "role": "initiator"}]],
    )
    summary: Text = Field(
        description="What happened, in a few sentences.",
        examples=["The Taliban attacked checkpoints around Lashkar Gah."],
    )
    fatalities: Figure | None = Field(
        default=None,
        description="People killed, as claimed.",
        examples=[
            {"value": 100, "qualifier": "more_than", "claimed_by": "Afghan Defense Ministry"}
        ],
    )
    sources: list[Source] = Field(
        min_length=1,
        max_length=50,
        description="The sources the record rests on.",
        examples=[
            [
                {
                    "publisher": "Xinhua",
                    "published_on": "2021-05-04",
                    "quote": "The Taliban launched an ample offensive the previous day",
                }
            ]
        ],
    )
    source_event_type: Name | None = Field(
        default=None,
        description="The source dataset's own event type (e.g. ACLED's event_type).",
        examples=["Battles"],
    )
    source_sub_event_type: Name | None = Field(
        default=None,
        description="The source dataset's own sub-event type.",
        examples=["Armed clash"],
    )
    dataset: Name | None = Field(
        default=None, description="The dataset the record was imported from.", examples=["ucdp-ged"]
    )
    external_id: Name | None = Field(
        default=None,
        description="The record's id in that dataset; unique with `dataset`.",
        examples=["71663"],
    )
    release: Name | None = Field(
        default=None,
        description="The release of the dataset this version of the record comes from (a "
        "re-import of a newer release leaves records it does not change as they were).",
        examples=["24.1"],
    )

    @model_validator(mode="after")
    def _consistent(self) -> "EventCommon":
        if self.end_date is not None and self.end_date < self.date:
            raise ValueError("end_date must not be before date")
        if (self.latitude is None) != (self.longitude is None):
            raise ValueError("latitude and longitude go together")
        if (self.dataset is None) != (self.external_id is None):
            raise ValueError("dataset and external_id go together")
        return self


# Output adds what the server assigns: the id first, the rest after the record's own fields.
class EventId(BaseModel):
    id: int = Field(description="Stable id, never reused.", examples=[1])


class EventStamps(BaseModel):
    province_pcode: str | None = Field(
        default=None, description="OCHA p-code of the province.", examples=["AF30"]
    )
    district_pcode: str | None = Field(
        default=None, description="OCHA p-code of the district.", examples=["AF3001"]
    )
    province_iso_3166_2: str | None = Field(
        default=None,
        description="ISO 3166-2 code of the province (null for a unit ISO does not list).",
        examples=["AF-HEL"],
    )
    province_as_given: str | None = Field(
        default=None,
        description="The province as the writer or source spelt it (province is the "
        "gazetteer's canonical name, or this spelling when it did not resolve).",
        examples=["Hilmand province"],
    )
    district_as_given: str | None = Field(
        default=None,
        description="The district as the writer or source spelt it.",
        examples=["Lashkargah"],
    )
    geo_source: Literal["record", "gazetteer"] | None = Field(
        default=None,
        description="Where latitude/longitude come from: the record itself, or, for a record "
        "without coordinates, the centroid of its province (geo_precision is then 'province').",
        examples=["gazetteer"],
    )
    created_at: datetime = Field(
        description="When the record was created (UTC).", examples=["2021-05-05T08:00:00Z"]
    )
    updated_at: datetime = Field(
        description="When the record last changed (UTC).", examples=["2021-05-05T08:00:00Z"]
    )
    imported_at: datetime | None = Field(
        default=None,
        description="When an import (a file or the bulk endpoint) last wrote the record (UTC); "
        "null for records written one at a time.",
        examples=["2026-11-25T08:00:00Z"],
    )
    version: int = Field(description="Incremented by every change.", examples=[1])


# Kind-specific fields, one mixin per kind.
class OffensiveFields(BaseModel):
    kind: Literal["offensive"] = Field(
        description="An armed attack or battle.", examples=["offensive"]
    )
    outcome: Outcome = Field(
        default=Outcome.UNKNOWN, description="How the offensive ended.", examples=["repelled"]
    )
    tactics: list[Tactic] = Field(
        default_factory=list,
        max_length=20,
        description="How it was fought.",
        examples=[["ground_assault", "checkpoint_attack"]],
    )


class DisplacementFields(BaseModel):
    kind: Literal["displacement"] = Field(
        description="People forced from their homes.", examples=["displacement"]
    )
    families: Figure | None = Field(
        default=None,
        description="Families (households) displaced, as claimed.",
        examples=[{"value": 1000, "qualifier": "about", "claimed_by": "director for refugees"}],
    )
    individuals: Figure | None = Field(
        default=None,
        description="People displaced, as claimed.",
        examples=[{"value": 2000, "qualifier": "at_least"}],
    )
    needs: list[Name] = Field(
        default_factory=list,
        max_length=20,
        description="What the displaced need, as reported.",
        examples=[["shelter"]],
    )
    origin: Place | None = Field(
        default=None, description="Where people fled from.", examples=[{"province": "Helmand"}]
    )
    destination: Place | None = Field(
        default=None,
        description="Where people took refuge.",
        examples=[{"province": "Helmand", "district": "Lashkar Gah"}],
    )

    @model_validator(mode="after")
    def _counts_someone(self) -> "DisplacementFields":
        if self.families is None and self.individuals is None:
            raise ValueError("a displacement needs families or individuals (or both)")
        return self


class WithdrawalMilestoneFields(BaseModel):
    kind: Literal["withdrawal_milestone"] = Field(
        description="A step in a foreign force's withdrawal.", examples=["withdrawal_milestone"]
    )
    milestone: Milestone = Field(description="Which step.", examples=["base_handover"])
    force: Name = Field(description="The withdrawing force.", examples=["United States Forces"])
    facility: LongName | None = Field(
        default=None, description="The base or facility concerned.", examples=["a base in Helmand"]
    )
    handed_to: Name | None = Field(
        default=None, description="Who received the facility.", examples=["Afghan National Army"]
    )
    deadline: EventDate | None = Field(
        default=None,
        description="The withdrawal deadline, where there is one.",
        examples=["2021-05-01"],
    )


class OtherFields(BaseModel):
    kind: Literal["other"] = Field(
        description="An imported event that fits no other kind; see source_event_type.",
        examples=["other"],
    )

    @model_validator(mode="after")
    def _keeps_source_type(self) -> "OtherFields":
        if getattr(self, "source_event_type", None) is None:
            raise ValueError("an event of kind 'other' needs source_event_type")
        return self


_SEED_OFFENSIVE = {
    "kind": "offensive",
    "date": "2021-05-03",
    "end_date": "2021-05-04",
    "country": "AFG",
    "province": "Helmand",
    "district": "Lashkar Gah",
    "location": "checkpoints on the outskirts of Lashkar Gah",
    "actors": [
        {"name": "Taliban", "role": "initiator"},
        {"name": "Afghan National Army", "role": "target"},
    ],
    "summary": "The Taliban attacked checkpoints around Lashkar Gah and took some of them.",
    "fatalities": {"value": 100, "qualifier": "more_than", "claimed_by": "Afghan Defense Ministry"},
    "outcome": "repelled",
    "tactics": ["checkpoint_attack", "ground_assault"],
    "sources": [
        {
            "publisher": "Xinhua",
            "published_on": "2021-05-04",
            "quote": "the Taliban launched an ample offensive the previous day",
        }
    ],
}
_SEED_DISPLACEMENT = {
    "kind": "displacement",
    "date": "2021-05-03",
    "end_date": "2021-05-04",
    "country": "AFG",
    "province": "Helmand",
    "summary": "About 1,000 families fled the fighting and took refuge in Lashkar Gah.",
    "families": {"value": 1000, "qualifier": "about", "claimed_by": "director for refugees"},
    "destination": {"province": "Helmand", "district": "Lashkar Gah"},
    "sources": [
        {"publisher": "Xinhua", "quote": "About 1,000 families were forced to flee their homes"}
    ],
}
_SEED_MILESTONE = {
    "kind": "withdrawal_milestone",
    "date": "2021-05-02",
    "country": "AFG",
    "province": "Helmand",
    "milestone": "base_handover",
    "force": "United States Forces",
    "facility": "a base in Helmand",
    "handed_to": "Afghan National Army",
    "summary": "U.S. forces handed over a base in Helmand to Afghan troops.",
    "sources": [
        {
            "publisher": "Xinhua",
            "quote": "U.S. forces handed over a base in Helmand to Afghan troops two days ago.",
        }
    ],
}
_SEED_OTHER = {
    "kind": "other",
    "date": "2013-12-13",
    "end_date": "2013-12-14",
    "country": "BGD",
    "province": "Barisāl Division",
    "summary": "Clashes between supporters of the Awami League and of the BNP.",
    "source_event_type": "non-state conflict",
    "sources": [{"publisher": "BBC Monitoring Newsfile"}],
}


def _meta_example(example: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": 1,
        **example,
        "created_at": "2021-05-05T08:00:00Z",
        "updated_at": "2021-05-05T08:00:00Z",
        "version": 1,
    }


class OffensiveIn(EventCommon, OffensiveFields):
    """An offensive, as a client writes it."""

    model_config = _examples(_SEED_OFFENSIVE)


class DisplacementIn(EventCommon, DisplacementFields):
    """A displacement, as a client writes it."""

    model_config = _examples(_SEED_DISPLACEMENT)


class WithdrawalMilestoneIn(EventCommon, WithdrawalMilestoneFields):
    """A withdrawal milestone, as a client writes it."""

    model_config = _examples(_SEED_MILESTONE)


class OtherIn(EventCommon, OtherFields):
    """An imported event of another type, as a client writes it."""

    model_config = _examples(_SEED_OTHER)


class OffensiveOut(EventStamps, OffensiveIn, EventId):
    """An offensive, as stored."""

    model_config = _examples(_meta_example(_SEED_OFFENSIVE))


class DisplacementOut(EventStamps, DisplacementIn, EventId):
    """A displacement, as stored."""

    model_config = _examples(_meta_example(_SEED_DISPLACEMENT))

    origin: PlaceOut | None = Field(
        default=None,
        description="Where people fled from.",
        examples=[{"province": "Helmand", "province_pcode": "AF30"}],
    )
    destination: PlaceOut | None = Field(
        default=None,
        description="Where people took refuge.",
        examples=[
            {
                "province": "Helmand",
                "province_pcode": "AF30",
                "district": "Lashkar Gah",
                "district_pcode": "AF3001",
            }
        ],
    )


class WithdrawalMilestoneOut(EventStamps, WithdrawalMilestoneIn, EventId):
    """A withdrawal milestone, as stored."""

    model_config = _examples(_meta_example(_SEED_MILESTONE))


class OtherOut(EventStamps, OtherIn, EventId):
    """An imported event of another type, as stored."""

    model_config = _examples(_meta_example(_SEED_OTHER))


EventIn = Annotated[
    OffensiveIn | DisplacementIn | WithdrawalMilestoneIn | OtherIn, Field(discriminator="kind")
]
EventOut = Annotated[
    OffensiveOut | DisplacementOut | WithdrawalMilestoneOut | OtherOut, Field(discriminator="kind")
]
EventInModel = OffensiveIn | DisplacementIn | WithdrawalMilestoneIn | OtherIn


def _kind(model: type[BaseModel]) -> str:
    """The value of a model's `kind` tag (its Literal)."""
    (tag,) = get_args(model.model_fields["kind"].annotation)
    return str(tag)


# The kinds, in the order of the unions above: every list of kinds derives from these.
KIND_OUT_MODELS: dict[str, type[BaseModel]] = {_kind(m): m for m in get_args(get_args(EventOut)[0])}
# kind -> the fields stored in event.details
KIND_MODELS: dict[str, type[EventCommon]] = {_kind(m): m for m in get_args(EventInModel)}
KINDS: tuple[str, ...] = tuple(KIND_MODELS)
assert tuple(KIND_OUT_MODELS) == KINDS
union_tags(KINDS)
DETAIL_FIELDS: dict[str, frozenset[str]] = {
    kind: frozenset(model.model_fields) - frozenset(EventCommon.model_fields) - {"kind"}
    for kind, model in KIND_MODELS.items()
}


class EventPage(BaseModel):
    """One page of events, newest first."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [{"items": [_meta_example(_SEED_OFFENSIVE)], "next_cursor": None}]
        }
    )

    items: list[EventOut] = Field(
        description="The events of this page.", examples=[[_meta_example(_SEED_OFFENSIVE)]]
    )
    next_cursor: str | None = Field(
        description="Pass as `cursor` to get the next page; null on the last page.",
        examples=["eyJkIjoiMjAyMS0wNS0wMyIsImkiOjF9.abc"],
    )


class DeletedEvent(BaseModel):
    """A deleted record's id, and when it was deleted."""

    model_config = examples_config(
        {"id": 7, "deleted_at": "2021-06-01T10:00:00Z", "dataset": None, "external_id": None}
    )

    id: int = Field(description="The deleted record's id.", examples=[7])
    deleted_at: datetime = Field(
        description="When it was deleted (UTC).", examples=["2021-06-01T10:00:00Z"]
    )
    dataset: str | None = Field(
        description="Its dataset, if it was imported.", examples=["ucdp-ged"]
    )
    external_id: str | None = Field(description="Its id in that dataset.", examples=["71663"])


class DeletedPage(BaseModel):
    """Deleted records in order of deletion."""

    model_config = examples_config(
        {
            "items": [
                {
                    "id": 7,
                    "deleted_at": "2021-06-01T10:00:00Z",
                    "dataset": None,
                    "external_id": None,
                }
            ],
            "next_cursor": None,
        }
    )

    items: list[DeletedEvent] = Field(
        description="The deletions.",
        examples=[
            [{"id": 7, "deleted_at": "2021-06-01T10:00:00Z", "dataset": None, "external_id": None}]
        ],
    )
    next_cursor: str | None = Field(
        description="Pass as `cursor` for the next page; null on the last page.", examples=[None]
    )


_REVISION = {
    "version": 2,
    "action": "update",
    "changed_at": "2021-05-06T09:00:00Z",
    "changed_by": "editor",
    "patch": [{"op": "replace", "path": "/outcome", "value": "territory_taken"}],
}


class Revision(BaseModel):
    """One version of a record: who made it, when, and what changed."""

    model_config = examples_config(_REVISION)

    version: int = Field(description="The version this change made.", examples=[2])
    action: Literal["create", "update", "delete"] = Field(
        description="What the change was.", examples=["update"]
    )
    changed_at: datetime = Field(description="When (UTC).", examples=["2021-05-06T09:00:00Z"])
    changed_by: str | None = Field(
        description="The name of the API key that made it (seed, import: the loader).",
        examples=["editor"],
    )
    patch: list[dict[str, Any]] = Field(
        description="What changed, as a JSON Patch (RFC 6902) from the previous version; "
        "a creation adds the whole record at path ''.",
        examples=[[{"op": "replace", "path": "/outcome", "value": "territory_taken"}]],
    )


class HistoryPage(BaseModel):
    """Every version of a record, oldest first."""

    model_config = examples_config({"items": [_REVISION]})

    items: list[Revision] = Field(description="The versions.", examples=[[_REVISION]])


class BulkResult(BaseModel):
    """What a bulk request stored."""

    model_config = examples_config(
        {"inserted": 2, "updated": 1, "unchanged": 0, "ids": [11, 12, 3]}
    )

    inserted: int = Field(description="Records created.", examples=[2])
    updated: int = Field(
        description="Stored records (same dataset + external_id) changed.", examples=[1]
    )
    unchanged: int = Field(description="Stored records the request did not change.", examples=[0])
    ids: list[int] = Field(
        description="The id of each record, in the order sent.", examples=[[11, 12, 3]]
    )
