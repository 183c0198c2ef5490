"""From report to drafts: the event records a careful analyst would code from a wire report,
each with the sentences it rests on and how each inferred field was inferred.

Rule-based, pure and deterministic: no database, no network, no model. The pieces:
`text` (sentences, clauses), `anchor` (the publication date a dateline states), `timex` and
`periods` (dates), `places` (the gazetteer), `actors` (the registry), `roles`, `figures`,
`attribution` (who claims a number), `mentions` (kinds, and what is not an event) and `reader`
(which reads sentence by sentence into drafts, with `placing` and `merging`).
"""

import re
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from pydantic import TypeAdapter, ValidationError

from app.events.schemas import EventIn, EventInModel
from app.gazetteer import HOME
from app.reports.anchor import find_anchor
from app.reports.building import Building
from app.reports.cues import OUTCOMES
from app.reports.dating import RECENT
from app.reports.lexicon import NUMBER_WORDS
from app.reports.periods import Period
from app.reports.places import capital_of, find_places
from app.reports.reader import Reader
from app.reports.text import split_sentences

# Older than this before publication, an offensive or displacement is background, not news.
BACKGROUND = timedelta(days=365)

_event_adapter: TypeAdapter[EventInModel] = TypeAdapter(EventIn)


class NoAnchorDate(ValueError):
    """The text states no publication date and none was given."""


@dataclass(frozen=True)
class Evidence:
    start: int  # character offset into the text
    end: int  # text[start:end] == quote, always
    quote: str


@dataclass
class Draft:
    # a body POST /v1/events accepts, without "sources" (the API adds the report, with quotes)
    event: dict[str, Any]
    evidence: list[Evidence]  # the sentences it rests on, in text order
    explanations: dict[str, str]  # per inferred field: how it was inferred


@dataclass
class Extraction:
    published_on: date  # given, or found in the text
    published_on_explanation: str  # "given" or "dateline 'Published June 22, 2021'"
    drafts: list[Draft]


def extract(text: str, *, published_on: date | None = None) -> Extraction:
    """Pure and deterministic: no database, no network. Raises NoAnchorDate."""
    anchor = find_anchor(text)
    if published_on is not None:
        anchor_date, explanation = published_on, "given"
    elif anchor.published_on is not None:
        anchor_date, explanation = anchor.published_on, anchor.explanation
    else:
        raise NoAnchorDate(
            f"The text states no publication date ({anchor.explanation}); give published_on."
        )
    sentences = split_sentences(text, body_start=anchor.body_start)
    buildings = Reader(text, anchor_date, sentences).read()
    buildings = [b for b in buildings if not _only_a_cause(b, buildings)]
    buildings = [b for b in buildings if not _summed_up_later(b, buildings)]
    if anchor.place:
        _place_by_dateline(buildings, anchor.place)
    drafts = []
    for building in buildings:
        draft = _finish(text, building, buildings, anchor_date)
        if draft is not None:
            drafts.append(draft)
    drafts.sort(key=lambda d: (d.evidence[0].start, d.evidence[-1].start))
    return Extraction(anchor_date, explanation, drafts)


def _finish(
    text: str, building: Building, everything: list[Building], published_on: date
) -> Draft | None:
    if building.period is None:
        _date_from_context(building, everything, published_on)
    assert building.period is not None
    if building.kind in ("offensive", "displacement"):
        if building.period.last < published_on - BACKGROUND:
            return None
    if building.kind == "offensive" and building.province is None and not building.actors:
        return None
    if building.kind == "displacement":
        precise = [f for f in building.figures.values() if not f.main.vague]
        if precise:
            building.figures = {k: f for k, f in building.figures.items() if not f.main.vague}
        if not building.figures:
            return None
    if building.kind == "withdrawal_milestone" and not building.force:
        return None
    building.finish_roles()
    building.fill_milestone_actors()
    event = {k: v for k, v in building.event(HOME).items() if v is not None}
    try:
        _event_adapter.validate_python(
            event | {"sources": [{"publisher": "report", "quote": "validation"}]}
        )
    except ValidationError:
        return None
    evidence = [Evidence(start, end, text[start:end]) for start, end in building.evidence]
    explanations = building.explanations()
    explanations["kind"] = f"{building.kind}: '{building.trigger}'"
    return Draft(event, evidence, explanations)


def _place_by_dateline(buildings: list[Building], dateline: str) -> None:
    """An attack the text places nowhere ("a suicide bombing at the airport's gate") happened
    where the report was filed from: the dateline's city; unless it falls on the days of an
    attack placed there (then it is more about that one)."""
    places = find_places(dateline.title(), context=[])
    if len(places) != 1:
        return
    home = places[0]
    district = home.district or capital_of(home.province)
    placed = [b for b in buildings if b.kind == "offensive" and b.province == home.province]
    for building in buildings:
        if building.kind != "offensive" or building.province is not None:
            continue
        if any(_same_days(building.period, other.period) for other in placed):
            continue  # more words about the attack the text has placed there
        building.province, building.district = home.province, district
        building.place_note = f"the dateline '{dateline}': {home.note}"


def _same_days(a: Period | None, b: Period | None) -> bool:
    """Whether an undated draft or one dated within another's days may be about it."""
    if a is None:
        return True
    return b is not None and b.precision == "day" and a.start <= b.last and b.start <= a.last


def _only_a_cause(building: Building, everything: list[Building]) -> bool:
    """'Fighting in Ghor has displaced 2,300 households': fighting named only as what people
    fled, with no one, no number and no date of its own, is not an event of its own."""
    if building.kind != "offensive" or building.actors or building.figures:
        return False
    return any(
        other.kind == "displacement"
        and set(building.sentences) <= set(other.sentences)
        and (building.period is None or building.period == other.period)
        for other in everything
    )


_SEVERAL_PLACES = re.compile(
    r"\b(?:two|three|four|five|six|seven|eight|nine|ten|several|multiple|\d+)\s+(?:more\s+|other\s+|"
    r"key\s+|new\s+)?(?:districts|provincial\s+capitals|cities|towns|district\s+centres|"
    r"district\s+centers)\b",
    re.IGNORECASE,
)


def _summed_up_later(building: Building, everything: list[Building]) -> bool:
    """'Taliban fighters captured two districts in Herat over the weekend' and then 'took
    Kohsan on Saturday and Ghoryan the day after': the lead sums up the events told after it
    (captures, if it tells of captures; as many as it counts); its sentence becomes their
    evidence."""
    several = _SEVERAL_PLACES.search(building.summary)
    if (
        several is None
        or building.kind != "offensive"
        or building.district is not None
        or building.province is None
        or building.period is None
        or len(building.sentences) != 1
    ):
        return False
    period = building.period
    told = [
        b
        for b in everything
        if b is not building
        and b.kind == "offensive"
        and b.province == building.province
        and b.district is not None
        and b.period is not None
        and period.start <= b.period.start
        and b.period.last <= period.last
        and min(b.sentences) > building.sentences[0]
    ]
    if OUTCOMES["territory_taken"].search(building.summary):
        told = [b for b in told if "territory_taken" in b.outcomes]
    counted = NUMBER_WORDS.get(several.group(0).split()[0].lower())
    if counted and len(told) > counted:
        told = sorted(told, key=lambda b: min(b.sentences))[:counted]
    if not told:
        return False
    for b in told:
        b.add_evidence(building.sentences[0], building.evidence[0])
    return True


def _date_from_context(building: Building, everything: list[Building], published_on: date) -> None:
    """An event the text does not date: a displacement shares the dates of the fighting it
    fled; anything else is dated when the sentence was said or published."""
    if building.kind == "displacement" and building.province:
        causes = [
            b
            for b in everything
            if b.kind == "offensive"
            and b.province == building.province
            and b.period is not None
            and min(b.sentences) <= max(building.sentences)
        ]
        origin = building.origin.district or building.district
        same_district = [b for b in causes if origin and b.district == origin]
        sharing = [b for b in causes if set(b.sentences) & set(building.sentences)]
        best = same_district or sharing or causes
        cause = best[-1] if best else None
        if cause is not None and cause.period is not None:
            building.period = cause.period
            building.date_note = (
                f"not dated; as the fighting it fled ('{cause.trigger}', {cause.period.describe()})"
            )
            return
    recent = building.context_period
    if building.kind != "withdrawal_milestone" and recent and recent.last >= published_on - RECENT:
        building.period = recent
        building.date_note = (
            f"not dated in the text; the date of the events read just before: {recent.describe()}"
        )
        return
    day = building.default_date or published_on
    note = building.default_note or "the publication date"
    building.period = Period(day, None, "day")
    building.date_note = f"not dated in the text; {note} = {day.isoformat()}"
