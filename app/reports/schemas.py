"""Reports as the API reads and writes them: a report in, its draft records out."""

from datetime import date, datetime
from enum import StrEnum
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, BeforeValidator, Field, StringConstraints

from app.core.types import NO_NUL, EventDate, LongName, Name, Url, examples_config, iso_day

MAX_TEXT = 200_000  # characters: a long feature article is a tenth of it


def _not_blank(value: str) -> str:
    if not value.strip():
        raise ValueError("The text is blank: paste the report's words.")
    return value


# Not stripped: evidence offsets count from the text's first character, as the client sent it.
ReportText = Annotated[
    str,
    StringConstraints(min_length=1, max_length=MAX_TEXT, pattern=NO_NUL),
    AfterValidator(_not_blank),
]
ReportDay = Annotated[EventDate, BeforeValidator(iso_day)]
Reason = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=2000, pattern=NO_NUL)
]


class DraftStatus(StrEnum):
    """Where a draft stands: waiting for a person, accepted as a record, or rejected."""

    PENDING = "pending"
    ACCEPTED = "accepted"
    REJECTED = "rejected"


# Examples. A field's example must differ from its model's own, or pydantic drops it.
_TEXT = (
    "Provincial council head Attaullah Afghan said on May 4 that the Taliban launched an ample "
    "offensive the previous day, attacking checkpoints around the outskirts of the regional "
    "capital of Lashkar Gah, taking over some of them."
)
_QUOTE = _TEXT
_REPORT_IN = {
    "text": _TEXT,
    "published_on": "2021-05-04",
    "publisher": "Xinhua",
    "title": "Thousands flee as Taliban launch offensive in Afghanistan's Helmand",
    "url": "https://example.org/helmand-offensive",
}
_EVIDENCE = {"start": 0, "end": len(_QUOTE), "quote": _QUOTE}
_EXPLANATIONS = {
    "date": "'the previous day' relative to 'on May 4' = 2021-05-03",
    "province": "'Lashkar Gah' is a district of Helmand",
}
_EVENT = {
    "kind": "offensive",
    "date": "2021-05-03",
    "country": "AFG",
    "province": "Helmand",
    "district": "Lashkar Gah",
    "actors": [{"name": "Taliban", "role": "initiator"}],
    "summary": _QUOTE,
    "outcome": "territory_taken",
    "tactics": ["checkpoint_attack"],
    "sources": [
        {
            "publisher": "Xinhua",
            "title": "Thousands flee as Taliban launch offensive in Afghanistan's Helmand",
            "url": "https://example.org/helmand-offensive",
            "published_on": "2021-05-04",
            "quote": _QUOTE,
        }
    ],
}
_DRAFT = {
    "n": 0,
    "status": "pending",
    "event": _EVENT,
    "evidence": [_EVIDENCE],
    "explanations": _EXPLANATIONS,
    "possible_duplicate_of": [1],
    "event_id": None,
    "correction": None,
    "reason": None,
    "decided_at": None,
    "decided_by": None,
}
_REPORT_OUT = {
    "id": 1,
    **_REPORT_IN,
    "published_on_explanation": "given in the request",
    "created_at": "2021-05-05T08:00:00Z",
    "created_by": "editor",
    "drafts": [_DRAFT],
}
_COUNTS = {"pending": 3, "accepted": 2, "rejected": 1}
_SUMMARY = {
    k: v for k, v in _REPORT_OUT.items() if k not in ("text", "drafts", "published_on_explanation")
} | {"drafts": _COUNTS}

# The draft's event is documented as the body POST /v1/events takes (its models are in the
# schema already); it is served as stored, so a record is never refused on the way out.
_EVENT_IN_KINDS = {
    "offensive": "OffensiveIn",
    "displacement": "DisplacementIn",
    "withdrawal_milestone": "WithdrawalMilestoneIn",
    "other": "OtherIn",
}
_EVENT_IN_SCHEMA: dict[str, Any] = {
    "oneOf": [{"$ref": f"#/components/schemas/{name}"} for name in _EVENT_IN_KINDS.values()],
    "discriminator": {
        "propertyName": "kind",
        "mapping": {k: f"#/components/schemas/{v}" for k, v in _EVENT_IN_KINDS.items()},
    },
}


class ReportIn(BaseModel):
    """A report to read: its text, and what the records that cite it will say of it."""

    model_config = examples_config(_REPORT_IN, forbid_extra=True)

    text: ReportText = Field(
        description=f"The report's text, as published (at most {MAX_TEXT:,} characters). "
        "Evidence offsets count characters (Unicode code points) from its start.",
        examples=["Thousands of people have fled their homes in Afghanistan's Helmand..."],
    )
    published_on: ReportDay | None = Field(
        default=None,
        description="When the report was published (YYYY-MM-DD): the day its relative dates "
        "('the previous day', 'two days ago') count from. May be omitted when the text states "
        "it (a dateline, 'Published June 22, 2021'); 422 if it does not.",
        examples=["2021-05-04"],
    )
    publisher: Name = Field(
        description="Who published the report; each accepted record cites it.",
        examples=["Xinhua"],
    )
    title: LongName | None = Field(
        default=None,
        description="The report's title.",
        examples=["Thousands flee as Taliban launch offensive in Afghanistan's Helmand"],
    )
    url: Url | None = Field(
        default=None,
        description="Where the report can be read (http or https).",
        examples=["https://example.org/helmand-offensive"],
    )


class EvidenceOut(BaseModel):
    """Words of the report a draft rests on: `text[start:end] == quote`."""

    model_config = examples_config(_EVIDENCE)

    start: int = Field(
        description="Offset of the quote's first character in the text.", examples=[0]
    )
    end: int = Field(description="Offset just after the quote's last character.", examples=[120])
    quote: str = Field(
        description="The words, verbatim.",
        examples=["About 1,000 families were forced to flee their homes to escape the fighting"],
    )


class DraftOut(BaseModel):
    """A record the report supports, proposed for a person to accept (maybe corrected) or reject."""

    model_config = examples_config(_DRAFT)

    n: int = Field(
        description="The draft's number in its report, from 0: `drafts[n]`; the `{n}` of "
        "/v1/reports/{report_id}/drafts/{n}/accept and /reject.",
        examples=[2],
    )
    status: DraftStatus = Field(description="Where the draft stands.", examples=["accepted"])
    event: dict[str, Any] = Field(
        description="The proposed record, exactly as POST /v1/events takes it: its `sources` "
        "cite the report once per quote of `evidence`. A correction sent with accept is a "
        "JSON merge patch of this.",
        examples=[_EVENT | {"outcome": "repelled"}],
        json_schema_extra=_EVENT_IN_SCHEMA,
    )
    evidence: list[EvidenceOut] = Field(
        description="The sentences the draft rests on, in the order of the text.",
        examples=[[_EVIDENCE | {"start": 1}]],
    )
    explanations: dict[str, str] = Field(
        description="How each inferred field was read from the text, by field name.",
        examples=[{"date": "'the previous day' relative to 'on May 4' = 2021-05-03"}],
    )
    possible_duplicate_of: list[int] = Field(
        description="Ids of live records of the same kind, in the same province (the same "
        "country when the draft names none), whose dates overlap the draft's; computed when "
        "read, at most 20, oldest first. The record this draft became is not listed.",
        examples=[[1, 4]],
    )
    event_id: int | None = Field(description="The record an accepted draft became.", examples=[12])
    correction: dict[str, Any] | None = Field(
        description="The merge patch applied to `event` when it was accepted, if any.",
        examples=[{"outcome": "repelled"}],
    )
    reason: str | None = Field(
        description="Why the draft was rejected, if the person said.",
        examples=["The same offensive as record 1."],
    )
    decided_at: datetime | None = Field(
        description="When it was accepted or rejected (UTC).", examples=["2021-05-05T09:00:00Z"]
    )
    decided_by: str | None = Field(
        description="The name of the API key that accepted or rejected it.", examples=["editor"]
    )


class ReportStamps(BaseModel):
    """A stored report: who published it, and who stored it when."""

    id: int = Field(description="The report's id.", examples=[3])
    publisher: str = Field(description="Who published the report.", examples=["Pajhwok"])
    title: str | None = Field(description="The report's title.", examples=["Helmand fighting"])
    url: str | None = Field(
        description="Where it can be read.", examples=["https://example.org/report"]
    )
    created_at: datetime = Field(
        description="When it was stored (UTC).", examples=["2021-05-05T08:30:00Z"]
    )
    created_by: str | None = Field(
        description="The name of the API key that stored it.", examples=["field-team"]
    )


class ReportOut(ReportStamps):
    """A stored report and the draft records read from it, each with its status."""

    model_config = examples_config(_REPORT_OUT)

    text: str = Field(description="The text, as sent.", examples=[_TEXT[:60]])
    published_on: date = Field(
        description="The publication date relative dates count from.", examples=["2021-05-03"]
    )
    published_on_explanation: str = Field(
        description="Where the publication date comes from: the request, or the words of the "
        "text that state it.",
        examples=["dateline 'KABUL, May 4, 2021' = 2021-05-04"],
    )
    drafts: list[DraftOut] = Field(
        description="The proposed records, in order (`n` from 0).", examples=[[_DRAFT]]
    )


class DraftCounts(BaseModel):
    """How many of a report's drafts stand where."""

    model_config = examples_config(_COUNTS)

    pending: int = Field(description="Drafts waiting for a decision.", examples=[1])
    accepted: int = Field(description="Drafts accepted as records.", examples=[4])
    rejected: int = Field(description="Drafts rejected.", examples=[0])


class ReportSummary(ReportStamps):
    """A stored report, without its text and drafts (read it by id for those)."""

    model_config = examples_config(_SUMMARY)

    published_on: date = Field(description="Its publication date.", examples=["2021-05-03"])
    drafts: DraftCounts = Field(
        description="How many drafts are pending, accepted, rejected.",
        examples=[{"pending": 0, "accepted": 5, "rejected": 1}],
    )


class ReportPage(BaseModel):
    """One page of reports, newest first."""

    model_config = examples_config({"items": [_SUMMARY], "next_cursor": None})

    items: list[ReportSummary] = Field(
        description="The reports of this page.", examples=[[_SUMMARY | {"id": 2}]]
    )
    next_cursor: str | None = Field(
        description="Pass as `cursor` to get the next page; null on the last page.",
        examples=["eyJpIjozfQ.abc"],
    )


class RejectIn(BaseModel):
    """Why a draft is rejected (optional)."""

    model_config = examples_config({"reason": "The same offensive as record 1."}, forbid_extra=True)

    reason: Reason | None = Field(
        default=None,
        description="Why, in words (kept with the draft).",
        examples=["Not an event: a statement."],
    )
