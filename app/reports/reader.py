"""Reading a report sentence by sentence into drafts.

Each sentence yields mentions; the mentions of one kind, place and date become a group; a
group starts a draft or adds to one already read (same kind, a place that fits, dates and
sides that agree), bringing its date, place, actors and roles, figures with their claimants,
outcome, tactics and needs. Words that only refer back ("the attack") add to the draft they
refer to, and only when they add something.
"""

import re
from datetime import date

from app.reports.actors import ARMED_GROUPS, ActorRef, registry
from app.reports.attribution import (
    Attribution,
    claimant,
    claimant_for,
    find_attributions,
    sources_named,
)
from app.reports.building import Building, Claim
from app.reports.cues import needs_in, outcomes_in, tactics_in
from app.reports.dating import (
    date_after_clause,
    date_group,
    find_deadline,
    note_date,
    pick_date,
)
from app.reports.figures import FigureRef, classify, find_amounts
from app.reports.grouping import (
    MODE_ORDER,
    ActorRole,
    Context,
    Group,
    inside,
    kind_key,
    stronger_mode,
)
from app.reports.mentions import Mention, find_mentions, not_an_event
from app.reports.merging import Merging
from app.reports.periods import Period, resolve
from app.reports.places import PlaceRef, find_places, report_provinces
from app.reports.placing import Placing
from app.reports.roles import DENIAL_AFTER, role_of
from app.reports.text import Sentence
from app.reports.timex import DateMention, find_dates
from app.reports.timex import role_of as date_role

_UNNAMED_PLACES = re.compile(
    r"\b(?:several|many|multiple|various|numerous|a\s+number\s+of|\d+|two|three|four|five|six|"
    r"seven|eight|nine|ten|dozens\s+of)\s+(?:other\s+)?(?:[a-z]+ern\s+)?(?:provinces|districts|"
    r"cities|regions)\b|\bacross\s+(?:the\s+country|Afghanistan|the\s+(?:north|south|east|"
    r"west))\b|\b(?:nationwide|countrywide)\b",
    re.IGNORECASE,
)
# "have fled the fighting", "displaced by the clashes": the event read before is what they fled,
# and the sentence's date is when they fled, not when it happened.
_FLED_BEFORE = re.compile(
    r"\b(?:fled|flee(?:s|ing)?|escap(?:ed|es|ing)|(?:displaced|driven\s+out|uprooted)\s+by)"
    r"\s+(?:the|this|that|these|those)\s+(?:[\w-]+\s+)?$",
    re.IGNORECASE,
)


class Reader(Placing, Merging):
    """Reads the narrative sentences of one report, in order, into drafts under way."""

    def __init__(self, text: str, published_on: date, sentences: list[Sentence]) -> None:
        self.sentences = sentences
        self.context = Context(published_on, report_provinces(text))
        self.drafts: list[Building] = []
        self._figures: list[FigureRef] = []

    def read(self) -> list[Building]:
        for sentence in self.sentences:
            if sentence.narrative:
                self._read(sentence)
        return self.drafts

    # -- one sentence ---------------------------------------------------------------------
    def _read(self, sentence: Sentence) -> None:
        s = sentence.text
        ctx = self.context
        dates = find_dates(s)
        date_roles = [date_role(s, d) for d in dates]
        speech = next((d for d, r in zip(dates, date_roles, strict=True) if r == "speech"), None)
        speech_period = None
        if speech is not None:
            # "Six days later, Biden said": counted from the date read last
            counted_from = ctx.last_any_date.start if ctx.last_any_date else ctx.published_on
            base = counted_from if speech.mode == "anaphoric" else ctx.published_on
            speech_period = resolve(speech, base)
        said = (speech_period, speech.text) if speech and speech_period else None
        attributions = find_attributions(s)
        said, inherited = self._speaker_date(attributions, speech, said, sentence.index)
        claimant_spans = [(a.subject_start, a.subject_end) for a in attributions if a.subject]
        places = find_places(s, context=ctx.provinces)
        actors = registry().find(s, armed_group=ctx.armed_group)
        for actor in actors:
            if actor.name in ARMED_GROUPS and not actor.generic:
                ctx.armed_group = actor.name
        mentions = find_mentions(s)
        # "fled since the fighting began": words inside a date expression are no event
        spans = [(d.start, d.end) for d in dates]
        kept = [
            m
            for m in mentions
            if not inside(m.start, spans) and self._is_event(sentence, m, places, mentions)
        ]
        self._figures = classify(s, find_amounts(s, skip=[(d.start, d.end) for d in dates]))
        war_long = bool(_WHOLE_WAR.search(s)) and not places and not dates
        if (places or not _UNNAMED_PLACES.search(s)) and not war_long:
            # "nearly 390,000 displaced across the country", "2,400 killed in the war": tallies
            kept = sorted(kept + self._figure_mentions(sentence, kept), key=lambda m: m.start)
        roles = _roles(s, [a for a in actors if not inside(a.start, claimant_spans)], mentions)
        groups = self._groups(
            sentence, kept, places, claimant_spans, dates, date_roles, said, inherited
        )
        for group in groups:
            own = {(m.start, m.trigger) for m in group.mentions}
            group.actors = [r for r in roles if r.mention in own]
            if group.mode == "weak" and group.initiator_sides():
                group.mode = "new"  # "government forces killed 32 ...": someone did something
        date_after_clause(sentence, groups)
        built: list[tuple[Group, Building]] = []
        for group in groups:
            building = self._merge(sentence, group)
            if building is not None:
                built.append((group, building))
                self._add_figures(sentence, group, building, attributions, groups)
                self._add_cues(sentence, group, building)
        self._link_pending(built)
        if not any(g.period for g in groups):
            note_date(ctx, dates, date_roles, _told_on(said, ctx.published_on)[0])
        self._add_needs(sentence)
        ctx.claimants += sources_named(attributions, ctx.claimants)

    def _speaker_date(
        self,
        attributions: list[Attribution],
        speech: DateMention | None,
        said: tuple[Period, str] | None,
        index: int,
    ) -> tuple[tuple[Period, str] | None, bool]:
        """When the words were said: the sentence's own 'said on July 5', remembered for its
        speaker; or, in one of the next two sentences that speaker is said to say, that same
        date ('... the previous day, Mohebi said' is the day before July 5)."""
        speakers = self.context.speakers
        if speech is not None and said is not None:
            before = [a for a in attributions if a.subject and a.verb_end <= speech.start]
            key = _speaker_key(before[-1].subject) if before else None
            if key:
                speakers[key] = (said, index)
            return said, False
        for attribution in attributions:
            key = _speaker_key(attribution.subject)
            if key and key in speakers and index - speakers[key][1] <= 2:
                (period, words), _ = speakers[key]
                return (period, f"{words}, when {attribution.subject} said it"), True
        return said, False

    def _is_event(
        self, sentence: Sentence, mention: Mention, places: list[PlaceRef], mentions: list[Mention]
    ) -> bool:
        """Whether a mention reports an event: not a warning, a forecast, a condition, a
        count since a date, or fighting in places the text does not name."""
        s = sentence.text
        clause_start = sentence.clause_around(mention.start)[0]
        if not_an_event(s, mention, clause_start):
            return False
        if mention.kind == "offensive" and mention.mode == "anaphoric":
            if _FLED_BEFORE.search(s[: mention.start]) and any(
                m.kind == "displacement" for m in mentions
            ):
                return False  # "have fled the fighting": the cause of the displacement
        if mention.kind == "offensive" and mention.perfect and not places:
            if re.search(r"\bsince\b", s[mention.end :]):
                return False  # "have captured more than 100 districts since May": a tally
        if mention.milestone is not None:
            return True
        clause_start, clause_end = sentence.clause_around(mention.start)
        clause = s[clause_start:clause_end]
        in_clause = [p for p in places if clause_start <= p.start < clause_end]
        if mention.mode == "weak" and _WHOLE_WAR.search(clause):
            # "the war, in which more than 2,400 service members were killed"; not "killed in
            # Kunduz on Monday, one of the deadliest days of the war"
            if not in_clause and not find_dates(clause):
                return False
        # "even as the Taliban press offensives across the country": fighting nowhere named,
        # whatever another clause names
        unnamed = _UNNAMED_PLACES.search(clause)
        if unnamed and not in_clause and not _is_listed_with(clause, unnamed):
            return False
        return not (not places and _UNNAMED_PLACES.search(s))

    def _figure_mentions(self, sentence: Sentence, kept: list[Mention]) -> list[Mention]:
        """A number of dead or displaced says an event happened, even with no other word;
        not one under a forecast ('up to 500,000 more could be displaced')."""
        extra = []
        for kind, fields in (
            ("offensive", ("fatalities",)),
            ("displacement", ("families", "individuals")),
        ):
            first = next((f for f in self._figures if f.field in fields), None)
            if first and not any(m.kind == kind for m in kept):
                amount = first.amount
                mention = Mention(kind, amount.start, amount.end, amount.text, "weak")
                clause_start = sentence.clause_around(amount.start)[0]
                if not_an_event(sentence.text, mention, clause_start):
                    continue
                if _MODAL_AFTER.match(sentence.text[amount.end : amount.end + 60]):
                    continue  # "up to 500,000 more people could be displaced"
                extra.append(mention)
        return extra

    # -- groups ---------------------------------------------------------------------------
    def _groups(
        self,
        sentence: Sentence,
        mentions: list[Mention],
        places: list[PlaceRef],
        claimant_spans: list[tuple[int, int]],
        dates: list[DateMention],
        date_roles: list[str],
        said: tuple[Period, str] | None,
        inherited: bool = False,
    ) -> list[Group]:
        s = sentence.text
        ctx = self.context
        reference, reference_note = _told_on(said, ctx.published_on)
        event_dates = [d for d, r in zip(dates, date_roles, strict=True) if r == "event"]
        deadline_dates = [d for d, r in zip(dates, date_roles, strict=True) if r == "deadline"]
        groups = self._gather(sentence, mentions, places, claimant_spans, event_dates, reference)
        # "had overrun X a day earlier, killing three": the whole telling counts from the event
        perfect_whens = {id(g.when) for g in groups if g.past_perfect and g.when}
        for group in groups:
            group.past_perfect = group.past_perfect or id(group.when) in perfect_whens
            group.reference, group.reference_note, group.speech = reference, reference_note, said
            group.speech_inherited = inherited
            if group.kind == "displacement":
                self._displacement_places(group, places, claimant_spans, sentence.index)
            if group.province is None and group.milestone in (None, "base_handover"):
                self._anaphoric_place(s, group)
            date_group(ctx, group, dates, s)
            if group.kind == "withdrawal_milestone":
                find_deadline(s, group, deadline_dates, dates)
        ordered = sorted(groups, key=lambda g: (MODE_ORDER[g.mode], g.position))
        counted_from = self._date_counted(s, ordered)
        _share_dates(ordered, counted_from)
        return ordered

    def _gather(
        self,
        sentence: Sentence,
        mentions: list[Mention],
        places: list[PlaceRef],
        claimant_spans: list[tuple[int, int]],
        event_dates: list[DateMention],
        reference: date,
    ) -> list[Group]:
        """The sentence's mentions gathered into groups: one per kind (and milestone), place,
        date, clause (for words referring back) and strength, in the order first mentioned."""
        s = sentence.text
        groups: dict[tuple[object, ...], Group] = {}
        for mention in mentions:
            keys = self._places_of(sentence, mention, places, claimant_spans, mentions)
            if mention.kind == "withdrawal_milestone" and mention.milestone != "base_handover":
                keys = [None]
            when = pick_date(sentence, mention, event_dates, reference, mentions)
            clause_start, clause_end = sentence.clause_around(mention.start)
            retakes = bool(_RETAKE.search(s[clause_start:clause_end]))
            for key in keys:
                key_when = _date_right_after(s, key, event_dates) if len(keys) > 1 else None
                key_when = key_when or when
                group_key = (
                    mention.kind,
                    mention.milestone,
                    key.key if key else None,
                    sentence.clause_of(mention.start) if mention.mode == "anaphoric" else -1,
                    mention.mode == "weak",
                    key_when.start if key_when else None,
                )
                group = groups.get(group_key)
                if group is None:
                    group = groups[group_key] = _new_group(s, mention, key, key_when)
                group.mentions.append(mention)
                group.mode = stronger_mode(group.mode, mention.mode)
                group.retakes = group.retakes or retakes
        return list(groups.values())

    def _date_counted(self, s: str, ordered: list[Group]) -> list[Group]:
        """Date the groups told as 'a day after' another: from that one's date (or, for 'The
        attack came two days after ...', the date of the attack read before). Returns the
        groups counted from ('The fall of X came a day after ...': not that day)."""
        counted_from: list[Group] = []
        for group in ordered:
            main = _counted_from(group, ordered)
            if not (group.pending and main and group.when):
                continue
            counted_from.append(main)
            base = main.period
            if base is None and _came_after(s, main, group.when):
                # "The attack came two days after ...": the date of the attack read before
                base = self.context.last_date.get(kind_key(main.kind, main.milestone))
            if base:
                # "retook X on Wednesday, a day after ...", the date after the phrase
                group.period = resolve(group.when, base.start)
                group.date_note = (
                    f"'{group.when.text}' relative to the date of '{main.mentions[0].trigger}' "
                    f"({base.describe()})"
                )
                group.pending = None
        return counted_from

    @staticmethod
    def _link_pending(built: list[tuple[Group, Building]]) -> None:
        """A draft dated only as 'two days after' an event the sentence dates nowhere waits
        for that event's draft to be dated (by a later sentence)."""
        for group, building in built:
            main = _counted_from(group, [g for g, _ in built])
            if group.pending is None or main is None or building.period is not None:
                continue
            base = next(b for g, b in built if g is main)
            if base is not building:
                building.after = (group.pending, base)

    # -- figures, outcome, tactics, needs --------------------------------------------------
    def _add_figures(
        self,
        sentence: Sentence,
        group: Group,
        target: Building,
        attributions: list[Attribution],
        groups: list[Group],
    ) -> None:
        """The sentence's numbers of dead (for an offensive) or displaced, each with its
        claimant; a number shared by a list of places belongs to none of them."""
        same_kind = [g for g in groups if g.kind == group.kind]
        for figure in self._figures:
            wanted = "offensive" if figure.field == "fatalities" else "displacement"
            if wanted != group.kind:
                continue
            if len(same_kind) > 1:
                nearest = min(same_kind, key=lambda g: abs(g.position - figure.amount.start))
                if nearest is not group:
                    continue
                if any(g is not group and g.mentions == group.mentions for g in same_kind):
                    continue
            attribution = claimant_for(figure.amount.start, attributions)
            province = target.province.name if target.province else None
            who, how = claimant(attribution, attributions, self.context.claimants, province)
            note = f"'{figure.amount.text}' ({figure.note})"
            note += f", claimed by {who} ({how})" if who else ", no claimant in the sentence"
            amount = figure.amount
            claim = Claim(amount.value, amount.qualifier, who, amount.vague, note, amount.text)
            target.add_figure(figure.field, claim)

    @staticmethod
    def _add_cues(sentence: Sentence, group: Group, target: Building) -> None:
        """An offensive's outcome (from the whole sentence) and tactics (from its clauses)."""
        if target.kind != "offensive":
            return
        for outcome, words in outcomes_in(sentence.text).items():
            target.outcomes.setdefault(outcome, words)
        clauses = sorted({sentence.clause_of(m.start) for m in group.mentions})
        text = " ".join(sentence.text[slice(*sentence.clause_span(c))] for c in clauses)
        for tactic, words in tactics_in(text).items():
            target.tactics.setdefault(tactic, words)

    def _add_needs(self, sentence: Sentence) -> None:
        """Needs go to the displacement read in the last sentences."""
        needs = needs_in(sentence.text)
        target = next(
            (
                d
                for d in reversed(self.drafts)
                if d.kind == "displacement" and sentence.index - d.last_sentence <= 2
            ),
            None,
        )
        if not needs or target is None:
            return
        target.needs += [n for n in needs if n not in target.needs]
        target.add_evidence(sentence.index, (sentence.start, sentence.end))
        target.explained["needs"] = f"needs named in sentence {sentence.index + 1}"


_HAD_BEFORE = re.compile(r"\bhad\s+(?:been\s+|already\s+|\w+ly\s+)?$", re.IGNORECASE)
_RETAKE = re.compile(
    r"\b(?:retake|retook|retaken|retaking|recapture[sd]?|recapturing|regain(?:ed|ing)?|"
    r"counter-?(?:offensives?|attack(?:s|ed)?|operations?))\b",
    re.IGNORECASE,
)
_CAME_BEFORE = re.compile(r"^\W*(?:(?:the|this|that|its|their)\s+)?(?:[\w-]+(?:'s)?\s+)?$", re.I)
_CAME = re.compile(
    r"^(?:\s+of\s+[A-Z][\w'\u2019-]*(?:\s+[A-Z][\w'\u2019-]*)?)?\s+(?:came|comes|has\s+come|"
    r"happened|occurred|took\s+place)\s+(?:just\s+|only\s+)?$"
)


def _came_after(s: str, main: Group, when: DateMention) -> bool:
    """'The attack came two days after ...': the sentence opens with words referring back
    to an event, which 'came' at a time counted from another ('The news of the offensive
    came a day after ...' dates the news, not the offensive)."""
    mention = main.mentions[0]
    return (
        main.mode == "anaphoric"
        and bool(_CAME_BEFORE.match(s[: mention.start]))
        and bool(_CAME.match(s[mention.end : when.start]))
    )


_MODAL_AFTER = re.compile(
    r"[^,.;]*?\b(?:will|would|could|might|(?-i:may)|should|can|expected\s+to|likely\s+to)\b",
    re.IGNORECASE,
)
_WHOLE_WAR = re.compile(
    r"\b(?:the|this|America['\u2019]s|its|their)\s+(?:(?:\d+|twenty)-year(?:-old)?\s+|two-decade\s+|"
    r"longest\s+|(?:20|twenty)\s+years\s+of\s+)?war\b(?!-)|\bsince\s+2001\b",
    re.IGNORECASE,
)


def _told_on(said: tuple[Period, str] | None, published_on: date) -> tuple[date, str]:
    """The day the sentence's words were told, to count its other dates from, and how it is
    known: its 'said on ...' day, or the publication date ('announced last month' is no day)."""
    if said and said[0].precision == "day":
        return said[0].start, f"'{said[1]}'"
    return published_on, "the publication date"


def _is_listed_with(clause: str, unnamed: re.Match[str]) -> bool:
    """'in at least six other provinces, including Ghazni and Kandahar': named after all."""
    return bool(re.match(r"[,\s]+(?:including|such\s+as|among\s+them)\b", clause[unnamed.end() :]))


def _speaker_key(subject: str) -> str | None:
    """A named speaker's surname ('Najibullah Mohebi', 'Mohebi'); None for a title alone."""
    words = subject.split()
    if not words or not words[-1][:1].isupper() or words[-1].lower() in _NOT_NAMES:
        return None
    return words[-1].lower()


_NOT_NAMES = frozenset(
    "taliban ministry un u.n nato police army government officials official spokesman "
    "pentagon afp reuters ap xinhua".split()
)


def _date_right_after(
    s: str, place: PlaceRef | None, dates: list[DateMention]
) -> DateMention | None:
    """'took Kohsan district on Saturday and Ghoryan district the day after': the date right
    after a listed place is that place's own."""
    if place is None:
        return None
    for d in dates:
        if d.start >= place.end and re.fullmatch(
            r"\s*(?:(?:province|district|city)\s*)?,?\s*", s[place.end : d.start]
        ):
            return d
    return None


def _new_group(s: str, mention: Mention, key: PlaceRef | None, when: DateMention | None) -> Group:
    group = Group(mention.kind, [], mention.mode, mention.milestone, when=when)
    group.when_follows = _when_follows(s, when, mention)
    group.past_perfect = bool(_HAD_BEFORE.search(s[: mention.start]))
    if key:
        group.province, group.district = key.province, key.district
        group.place_note = key.note
    return group


def _share_dates(ordered: list[Group], counted_from: list[Group]) -> None:
    """A mention without a date of its own shares the date of its kind in the sentence."""
    for group in ordered:
        if (
            group.period is None
            and group.kind != "withdrawal_milestone"
            and not group.pending
            and not any(group is c for c in counted_from)
        ):
            same = next(
                (g for g in ordered if g.kind == group.kind and g.period and g.mode == "new"),
                None,
            )
            if same:
                group.period, group.date_note = same.period, same.date_note


def _counted_from(group: Group, groups: list[Group]) -> Group | None:
    """The event a 'two days after ...' phrase counts from: the nearest before it."""
    when = group.pending
    if when is None:
        return None
    before = [g for g in groups if g is not group and g.position < when.start and not g.pending]
    return max(before, key=lambda g: g.position, default=None)


def _when_follows(s: str, when: DateMention | None, mention: Mention) -> bool:
    """'since May 1, when U.S. forces began pulling out': the mention is at that date."""
    if when is None or when.end > mention.start:
        return False
    return s[when.end : mention.start].lstrip(", ").lower().startswith("when ")


def _roles(s: str, actors: list[ActorRef], mentions: list[Mention]) -> list[ActorRole]:
    """Each actor with its role and the mention nearest the words its role rests on; an actor
    with no role goes with a mention only when near it, and not when it denies something."""
    result = []
    for actor in actors:
        role = role_of(s, actor, [a for a in actors if a is not actor])
        if role is None and DENIAL_AFTER.match(s[actor.end :]):
            continue
        low, high = (role.anchor, role.anchor) if role else (actor.start, actor.end)
        nearest = min(mentions, key=lambda m: max(0, m.start - high, low - m.end), default=None)
        if nearest is None:
            continue
        if role is None and max(0, nearest.start - high, low - nearest.end) > 80:
            continue
        result.append(ActorRole(actor.name, role, (nearest.start, nearest.trigger)))
    return result
