"""A draft under construction: what the sentences read so far say about one event, and how
it becomes a record in the shape `POST /v1/events` accepts."""

import re
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from app.gazetteer import District, Province
from app.reports.actors import GOVERNMENT_OF_FORCE, side_of
from app.reports.periods import Period
from app.reports.timex import DateMention

OUTCOME_ORDER = ("repelled", "territory_taken", "ongoing")
SUMMARY_LIMIT = 1000


@dataclass
class Claim:
    value: int
    qualifier: str
    claimed_by: str | None
    vague: bool
    note: str
    quote: str  # the words the number was read from

    def as_dict(self) -> dict[str, Any]:
        return {"value": self.value, "qualifier": self.qualifier, "claimed_by": self.claimed_by}


@dataclass
class FigureDraft:
    main: Claim
    alternatives: list[Claim] = field(default_factory=list)

    def add(self, claim: Claim) -> None:
        """A second claim for the same quantity: a competing one if someone else makes it."""
        if self.main.vague and not claim.vague:
            self.main, claim = claim, self.main
            if claim.claimed_by is None or claim.claimed_by == self.main.claimed_by:
                return
        if claim.vague:
            return
        known = [self.main, *self.alternatives]
        if any(_same_claimant(c.claimed_by, claim.claimed_by) for c in known):
            return
        if claim.claimed_by is None and any(c.value == claim.value for c in known):
            return
        self.alternatives.append(claim)

    def as_dict(self) -> dict[str, Any]:
        figure = self.main.as_dict()
        figure["alternatives"] = [a.as_dict() for a in self.alternatives]
        return figure

    def describe(self) -> str:
        parts = [self.main.note]
        parts += [f"competing claim: {a.note}" for a in self.alternatives]
        return "; ".join(parts)


def _same_claimant(a: str | None, b: str | None) -> bool:
    if a is None or b is None:
        return a is b
    return a.lower() == b.lower()


@dataclass
class PlaceDraft:
    province: Province | None = None
    district: District | None = None
    note: str = ""

    def as_dict(self) -> dict[str, Any] | None:
        if not self.province:
            return None
        if self.district is None:
            return {"province": self.province.name}
        return {"province": self.province.name, "district": self.district.name}


@dataclass
class Building:
    """One event as read so far."""

    kind: str
    milestone: str | None = None
    period: Period | None = None
    date_note: str = ""
    extra_date_notes: list[str] = field(default_factory=list)
    province: Province | None = None
    district: District | None = None
    place_note: str = ""
    origin: PlaceDraft = field(default_factory=PlaceDraft)
    destination: PlaceDraft = field(default_factory=PlaceDraft)
    actors: dict[str, str] = field(default_factory=dict)
    actor_notes: list[str] = field(default_factory=list)
    figures: dict[str, FigureDraft] = field(default_factory=dict)
    outcomes: dict[str, str] = field(default_factory=dict)  # outcome -> the words for it
    tactics: dict[str, str] = field(default_factory=dict)  # tactic -> the words for it
    needs: list[str] = field(default_factory=list)
    sentences: list[int] = field(default_factory=list)
    evidence: list[tuple[int, int]] = field(default_factory=list)
    summary: str = ""
    trigger: str = ""
    force: str | None = None
    nation: str | None = None  # the contingent of international forces ("germ", "ital")
    facility: str | None = None
    handed_to: str | None = None
    deadline: date | None = None
    deadline_note: str = ""
    explained: dict[str, str] = field(default_factory=dict)
    last_sentence: int = -1
    heads: set[str] = field(default_factory=set)  # the words its mentions rest on
    default_date: date | None = None  # when the sentence that started it was said
    context_period: Period | None = None  # the date the text had reached when it started
    default_note: str = ""
    # "retaken X, two days after the Taliban overran it", the retaking dated only later in
    # the text: the phrase, and the draft whose date it counts from
    after: "tuple[DateMention, Building] | None" = None

    # reading
    def sides(self) -> set[str]:
        return {side_of(name) for name in self.actors}

    def initiator(self) -> str | None:
        return next((n for n, r in self.actors.items() if r == "initiator"), None)

    def add_actor(self, name: str, role: str, note: str) -> None:
        side = side_of(name)
        current = self.actors.get(name)
        if current is not None:
            if (
                current == "participant"
                and role != "participant"
                and not self._conflicts(side, role)
            ):
                self.actors[name] = role
                self.actor_notes.append(f"{name}: {role} ({note})")
            return
        if role in ("initiator", "target") and self._conflicts(side, role):
            note += f"; a participant, as the {role} of this event is on another side"
            role = "participant"
        self.actors[name] = role
        self.actor_notes.append(f"{name}: {role} ({note})")

    def _conflicts(self, side: str, role: str) -> bool:
        return any(r == role and side_of(n) != side for n, r in self.actors.items()) or any(
            side_of(n) == side and r not in ("participant", role) for n, r in self.actors.items()
        )

    def extend(self, period: Period, note: str) -> None:
        if self.period is None:
            self.period, self.date_note = period, note
            return
        start = min(self.period.start, period.start)
        last = max(self.period.last, period.last)
        if (start, last) != (self.period.start, self.period.last):
            self.extra_date_notes.append(note)
        self.period = Period(start, last if last != start else None, self.period.precision)

    def add_figure(self, field_name: str, claim: Claim) -> None:
        if field_name in self.figures:
            self.figures[field_name].add(claim)
        else:
            self.figures[field_name] = FigureDraft(claim)

    def add_evidence(self, sentence: int, span: tuple[int, int]) -> None:
        if span not in self.evidence:
            self.evidence.append(span)
            self.evidence.sort()
        if sentence not in self.sentences:
            self.sentences.append(sentence)
        self.last_sentence = max(self.last_sentence, sentence)

    # writing
    def finish_roles(self) -> None:
        """A participant facing an initiator of another side, with no one of its own side
        in a role, is the one attacked."""
        initiator = self.initiator()
        if initiator is None:
            return
        attacker_side = side_of(initiator)
        for name, role in list(self.actors.items()):
            side = side_of(name)
            if role != "participant" or side == attacker_side:
                continue
            if any(side_of(n) == side and r != "participant" for n, r in self.actors.items()):
                continue
            self.actors[name] = "target"
            self.actor_notes.append(f"{name}: target (fighting {initiator}'s attack)")

    def event(self, country: str) -> dict[str, Any]:
        assert self.period is not None
        event: dict[str, Any] = {
            "kind": self.kind,
            "date": self.period.start.isoformat(),
            "end_date": self.period.end.isoformat() if self.period.end else None,
            "date_precision": self.period.precision,
            "country": country,
            "province": self.province.name if self.province else None,
            "district": self.district.name if self.district else None,
            "actors": [{"name": n, "role": r} for n, r in self.actors.items()],
            "summary": self.summary[:SUMMARY_LIMIT],
        }
        if self.kind == "offensive":
            fatalities = self.figures.get("fatalities")
            event["fatalities"] = fatalities.as_dict() if fatalities else None
            event["outcome"] = self.outcome()
            event["tactics"] = list(self.tactics)
        elif self.kind == "displacement":
            event["actors"] = []
            for name in ("families", "individuals"):
                figure = self.figures.get(name)
                event[name] = figure.as_dict() if figure else None
            event["origin"] = self.origin.as_dict()
            event["destination"] = self.destination.as_dict()
            event["needs"] = list(self.needs)
        else:
            event["milestone"] = self.milestone
            event["force"] = self.force
            event["facility"] = self.facility
            event["handed_to"] = self.handed_to
            event["deadline"] = self.deadline.isoformat() if self.deadline else None
        return event

    def outcome(self) -> str:
        """Pushed back beats taken (the attack that took checkpoints was repelled), which
        beats going on."""
        return next((o for o in OUTCOME_ORDER if o in self.outcomes), "unknown")

    def explanations(self) -> dict[str, str]:
        notes = dict(self.explained)
        if self.kind == "offensive" and self.outcomes:
            notes["outcome"] = f"'{self.outcomes[self.outcome()]}'"
        if self.tactics:
            notes["tactics"] = "; ".join(f"{t}: '{w}'" for t, w in self.tactics.items())
        if self.period:
            date_note = self.date_note
            if self.extra_date_notes:
                date_note += "; extended by " + "; ".join(self.extra_date_notes)
            notes["date"] = date_note
        if self.province:
            notes["province"] = self.place_note
        if self.actor_notes:
            notes["actors"] = "; ".join(self.actor_notes)
        for name, figure in self.figures.items():
            notes[name] = figure.describe()
        if self.origin.note:
            notes["origin"] = self.origin.note
        if self.destination.note:
            notes["destination"] = self.destination.note
        if self.deadline_note:
            notes["deadline"] = self.deadline_note
        return notes

    def fill_milestone_actors(self) -> None:
        """Deadlines are set and missed by governments; bases are handed over by forces."""
        if self.kind != "withdrawal_milestone" or not self.force:
            return
        government = GOVERNMENT_OF_FORCE.get(self.force)
        if self.milestone and self.milestone.startswith("deadline_"):
            actor = government or self.force
            role = "participant" if self.milestone == "deadline_agreed" else "initiator"
            others = {n: r for n, r in self.actors.items() if n not in (actor, self.force)}
            self.actors = {actor: role}
            self.actor_notes = [f"{actor}: {role} (the government of the withdrawing force)"]
            if self.milestone == "deadline_agreed":
                for name in others:
                    self.actors[name] = "participant"
                    self.actor_notes.append(f"{name}: participant (the other party)")
            return
        actors = {self.force: "initiator"}
        notes = [f"{self.force}: initiator (the withdrawing force)"]
        if self.handed_to:
            actors[self.handed_to] = "participant"
            notes.append(f"{self.handed_to}: participant (received the facility)")
        self.actors, self.actor_notes = actors, notes


def year_before(period: Period) -> Period:
    """The span before an event in its year: what 'X happened after Y' says of Y's date."""
    start = date(period.start.year, 1, 1)
    end = period.start - timedelta(days=1)
    return Period(start, end if end > start else None, "year")


def tidy(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()
