"""Reading a report sentence by sentence into drafts.

Each sentence yields mentions; the mentions of one kind, place and date become a group; a
group starts a draft or adds to one already read (same kind, a place that fits, dates and
sides that agree), bringing its date, place, actors and roles, figures with their claimants,
outcome, tactics and needs. Words that only refer back ("the attack") add to the draft they
refer to, and only when they add something.
"""

import re
from datetime import date

from app.reports.actors import ARMED_GROUPS, INTERNATIONAL, ActorRef, registry
from app.reports.attribution import (
    Attribution,
    claimant,
    claimant_for,
    find_attributions,
    sources_named,
)
from app.reports.building import Building, Claim, tidy
from app.reports.cues import ANAPHORIC_PLACE, needs_in, outcomes_in, tactics_in
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
    dates_fit,
    gap_days,
    head_word,
    initiators_clash,
    inside,
    kind_key,
    listed_places,
    most_specific,
    near_in_time,
    place_fits,
    record_start,
    same_event,
    sides_fit,
    stronger_mode,
)
from app.reports.mentions import Mention, find_mentions, not_an_event
from app.reports.milestones import (
    add_handover,
    force_named,
    handed_over_by_foreigners,
    nation_named,
)
from app.reports.places import PlaceRef, capital_of, find_places, report_provinces
from app.reports.roles import role_of
from app.reports.text import Sentence
from app.reports.timex import DateMention, Period, find_dates, resolve
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
_DENIED = re.compile(r"\s+(?:has\s+|have\s+|had\s+)?(?:denied|rejected)\b", re.IGNORECASE)


class Reader:
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
        said, inherited = self._speaker_date(attributions, speech, said)
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
        if (places or not _UNNAMED_PLACES.search(s)) and not _WHOLE_WAR.search(s):
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
            reference = said[0].start if said else ctx.published_on
            note_date(ctx, dates, date_roles, reference)
        self._add_needs(sentence)
        ctx.claimants += sources_named(attributions, ctx.claimants)

    def _speaker_date(
        self,
        attributions: list[Attribution],
        speech: DateMention | None,
        said: tuple[Period, str] | None,
    ) -> tuple[tuple[Period, str] | None, bool]:
        """When the words were said: the sentence's own 'said on July 5', remembered for its
        speaker; or, in a later sentence that speaker is said to say, that same date ('...
        the previous day, Mohebi said' is the day before July 5)."""
        speakers = self.context.speakers
        if speech is not None and said is not None:
            before = [a for a in attributions if a.subject and a.verb_end <= speech.start]
            key = _speaker_key(before[-1].subject) if before else None
            if key:
                speakers[key] = said
            return said, False
        for attribution in attributions:
            key = _speaker_key(attribution.subject)
            if key and key in speakers:
                period, words = speakers[key]
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
        if mention.mode == "weak" and _WHOLE_WAR.search(s):
            return False  # "the war, in which more than 2,400 service members were killed"
        # "even as the Taliban press offensives across the country": fighting nowhere named,
        # whatever another clause names
        clause_start, clause_end = sentence.clause_around(mention.start)
        clause = s[clause_start:clause_end]
        in_clause = [p for p in places if clause_start <= p.start < clause_end]
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
        reference = said[0].start if said else ctx.published_on
        reference_note = f"'{said[1]}'" if said else "the publication date"
        event_dates = [d for d, r in zip(dates, date_roles, strict=True) if r == "event"]
        deadline_dates = [d for d, r in zip(dates, date_roles, strict=True) if r == "deadline"]
        groups: dict[tuple[object, ...], Group] = {}
        for mention in mentions:
            keys = self._places_of(sentence, mention, places, claimant_spans, mentions)
            if mention.kind == "withdrawal_milestone" and mention.milestone != "base_handover":
                keys = [None]
            when = pick_date(sentence, mention, event_dates, reference, mentions)
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
                    group = Group(mention.kind, [], mention.mode, mention.milestone, when=key_when)
                    group.when_follows = _when_follows(s, key_when, mention)
                    if key:
                        group.province, group.district = key.province, key.district
                        group.place_note = key.note
                    groups[group_key] = group
                group.mentions.append(mention)
                group.mode = stronger_mode(group.mode, mention.mode)
                clause_start, clause_end = sentence.clause_around(mention.start)
                if _RETAKE.search(s[clause_start:clause_end]):
                    group.retakes = True
        for group in groups.values():
            group.reference, group.reference_note, group.speech = reference, reference_note, said
            group.speech_inherited = inherited
            if group.kind == "displacement":
                self._displacement_places(group, places, claimant_spans, sentence.index)
            if group.province is None and group.milestone in (None, "base_handover"):
                self._anaphoric_place(s, group)
            date_group(ctx, group, dates, s)
            if group.kind == "withdrawal_milestone":
                find_deadline(s, group, deadline_dates, dates)
        ordered = sorted(groups.values(), key=lambda g: (MODE_ORDER[g.mode], g.position))
        counted_from: list[Group] = []  # "The fall of X came a day after ...": not that day
        for group in ordered:
            main = _counted_from(group, ordered)
            if not (group.pending and main and group.when):
                continue
            counted_from.append(main)
            base = main.period
            if base is None and _came_after(s, main, group.when):
                # "The attack came two days after ...": the date of the attack read before
                base = ctx.last_date.get(kind_key(main.kind, main.milestone))
            if base:
                # "retook X on Wednesday, a day after ...", the date after the phrase
                group.period = resolve(group.when, base.start)
                group.date_note = (
                    f"'{group.when.text}' relative to the date of '{main.mentions[0].trigger}' "
                    f"({base.describe()})"
                )
                group.pending = None
        # A mention without a date of its own shares the date of its kind in the sentence.
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
        return ordered

    def _places_of(
        self,
        sentence: Sentence,
        mention: Mention,
        places: list[PlaceRef],
        claimant_spans: list[tuple[int, int]],
        mentions: list[Mention] = (),  # type: ignore[assignment]
    ) -> list[PlaceRef | None]:
        """Where a mention happened: the places of its clause (or sentence), a list of places
        giving one event each; a place named in a source's title only as a last resort; not
        the place of a withdrawal told in another clause ("fighting in the valley began hours
        after the last U.S. troops left Kabul airport")."""
        s = sentence.text
        named = [p for p in places if p.role != "reference"]
        if mention.kind != "withdrawal_milestone":
            withdrawals = [
                (m.start, sentence.clause_around(m.start)[1])
                for m in mentions
                if m.kind == "withdrawal_milestone" and m.milestone != "base_handover"
            ]
            named = [p for p in named if not inside(p.start, withdrawals)]
        usable = [p for p in named if not inside(p.start, claimant_spans)] or named
        if not usable:
            return [None]
        start, end = sentence.clause_around(mention.start)
        in_clause = [p for p in usable if start <= p.start < end]
        if not in_clause and s[start:end].lstrip(", ").lower().startswith("where"):
            in_clause = [p for p in usable if p.start < start][-1:]
        if not in_clause and mention.kind == "offensive":
            # "fled from Shiberghan city to Mazar-e-Sharif after the Taliban captured the
            # city": fighting is where people fled from, not where they went
            usable = [p for p in usable if p.role != "destination"] or usable
        chosen = in_clause or usable
        if mention.kind == "offensive":
            listed = listed_places(s, chosen)
            if listed:
                return list(listed)
        nearest = min(chosen, key=lambda p: abs(p.start - mention.start))
        if nearest.district is None:
            finer = [p for p in chosen if p.district and p.province == nearest.province]
            if finer:
                nearest = min(finer, key=lambda p: abs(p.start - mention.start))
        return [nearest]

    def _displacement_places(
        self,
        group: Group,
        places: list[PlaceRef],
        claimant_spans: list[tuple[int, int]],
        index: int,
    ) -> None:
        """Where people fled from and to; the event is placed where they fled from."""
        usable = [p for p in places if not inside(p.start, claimant_spans)]
        origins = [p for p in usable if p.role == "origin"]
        destinations = [p for p in usable if p.role == "destination"]
        if origins:
            group.origin = most_specific(origins)
        if destinations:
            group.destination = most_specific(destinations)
        if group.destination and not group.origin and len(usable) == len(destinations):
            group.origin = self._fled_from(group.destination, index)
        main = group.origin or (group.destination if not group.province else None)
        if main:
            group.province, group.district = main.province, main.district
            group.place_note = main.note
        elif group.destination and group.province and group.district == group.destination.district:
            group.district = None

    def _fled_from(self, destination: PlaceRef, index: int) -> PlaceRef | None:
        """'Taliban fighters stormed Lashkar Gah ... Thousands have fled to Kandahar city':
        people who are only said to have reached a place fled the fighting just told, in
        another province; unless there was fighting in that place's province too."""
        recent = [
            d
            for d in self.drafts
            if d.kind == "offensive" and d.province is not None and index - d.last_sentence <= 3
        ]
        if not recent or any(d.province == destination.province for d in recent):
            return None
        fought = max(recent, key=lambda d: d.last_sentence)
        if index - fought.last_sentence > 2:
            return None
        assert fought.province is not None
        note = f"where the fighting just told was ({fought.place_note or fought.province.name})"
        return PlaceRef(0, 0, "", fought.province, fought.district, note, "origin")

    def _anaphoric_place(self, s: str, group: Group) -> None:
        """'the area', 'the town': the place last named; 'the city': its province's capital."""
        cue = ANAPHORIC_PLACE.search(s)
        last = self.context.last_place
        if not cue or last is None:
            return
        province, district = last
        word = cue.group(0).lower()
        how = "the place last named"
        if "capital" in word or "city" in word:
            district, how = capital_of(province), "the capital of the province last named"
        elif "province" in word:
            district, how = None, "the province last named"
        group.province, group.district = province, district
        group.placed_by_anaphora = True
        where = f"{district.name}, {province.name}" if district else province.name
        group.place_note = f"'{cue.group(0)}': {how} ({where})"

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

    def _date_waiting(self, base: Building) -> None:
        """Date the drafts that count from a draft just dated."""
        if base.period is None:
            return
        for draft in self.drafts:
            if draft.after is None or draft.after[1] is not base or draft.period is not None:
                continue
            when = draft.after[0]
            period = resolve(when, base.period.start)
            if period is not None:
                draft.period = period
                draft.date_note = (
                    f"'{when.text}' relative to the date of '{base.trigger}', read later "
                    f"({base.period.describe()}) = {period.describe()}"
                )
                record_start(self.context, kind_key(draft.kind, draft.milestone), draft, period)

    # -- merging --------------------------------------------------------------------------
    def _merge(self, sentence: Sentence, group: Group) -> Building | None:
        """The draft a group adds to, a new one, or None (words that only refer back to
        nothing, or add nothing)."""
        ctx = self.context
        if group.kind == "withdrawal_milestone":
            return self._merge_milestone(sentence, group)
        candidates = [d for d in reversed(self.drafts) if d.kind == group.kind]
        if group.period and group.mode != "anaphoric":
            # a dated event is not one whose date waits on another's ("two days after ...")
            candidates = [d for d in candidates if d.after is None or d.period is not None]
        if group.pending:
            # "retook X, two days after it fell": not the event the sentence has just told
            candidates = [d for d in candidates if d.last_sentence != sentence.index]
        target: Building | None = None
        if group.mode == "anaphoric":
            heads = {head_word(m.trigger) for m in group.mentions}
            fitting = [d for d in candidates if place_fits(group, d) and near_in_time(group, d)]
            target = next((d for d in fitting if heads & d.heads), fitting[0] if fitting else None)
            if target is None or not self._informative(sentence, group, target):
                return None
        elif group.mode == "weak":
            # "... were killed in the operation": the event the text last told of
            told = sorted(candidates, key=lambda d: d.last_sentence, reverse=True)
            going_on = [d for d in told if self._continues(sentence, group, d)]
            if group.province is None and group.period is None and group.kind == "offensive":
                # "The Taliban said they had killed 17 soldiers": a count of the dead contests
                # the event that has one, not the latest told
                if any(f.field == "fatalities" for f in self._figures):
                    counted = [d for d in going_on if "fatalities" in d.figures]
                    going_on = counted or going_on
            target = going_on[0] if going_on else None
        elif group.province is None:
            latest = candidates[0] if candidates else None
            if latest and self._goes_on(sentence, group, latest):
                target = latest
        else:
            target = next(
                (
                    d
                    for d in candidates
                    if place_fits(group, d, strict=True) and same_event(group, d)
                ),
                None,
            )
        if target is None:
            target = self._start(sentence, group)
            self._counter_target(group, target)
        self._apply(sentence, group, target)
        if group.province:
            ctx.last_place = (group.province, group.district)
        elif target.province:
            ctx.last_place = (target.province, target.district)
        return target

    def _start(self, sentence: Sentence, group: Group) -> Building:
        draft = Building(group.kind, milestone=group.milestone)
        draft.default_date, draft.default_note = group.reference, group.reference_note
        draft.context_period = self.context.last_any_date
        draft.summary = tidy(sentence.text)
        draft.trigger = group.mentions[0].trigger
        self.drafts.append(draft)
        return draft

    def _goes_on(self, sentence: Sentence, group: Group, latest: Building) -> bool:
        """Whether a new mention with no place of its own continues the latest event of its
        kind: its sides agree, and it is undated, or dated as that event is."""
        if not sides_fit(group, latest):
            return False
        if group.period is None:
            return True
        if latest.period is None:
            return latest.province is None or sentence.index - latest.last_sentence <= 2
        return dates_fit(group, latest)

    def _continues(self, sentence: Sentence, group: Group, draft: Building) -> bool:
        """Whether 'weak' words ("... were killed", "fighting continued") go on with a draft:
        the same place at any distance; or, within a few sentences, a draft or a group
        without a place of its own ("in eastern Afghanistan", then "in Jalalabad")."""
        recent = sentence.index - draft.last_sentence <= 3
        if group.province is None:
            return recent
        if draft.province is None:
            latest = next(d for d in reversed(self.drafts) if d.kind == draft.kind)
            return draft is latest and recent and dates_fit(group, draft)
        if group.district is None and draft.district and group.period:
            # "54 Taliban fighters had been killed in Jowzjan in the past 24 hours": the
            # province's dead during the fighting at its capital, when within its days
            within = draft.period is not None and (
                draft.period.start <= group.period.start and group.period.last <= draft.period.last
            )
            return (
                within and group.province == draft.province and not initiators_clash(group, draft)
            )
        if (
            group.period
            and draft.period
            and (
                gap_days(group.period, draft.period) > 1
                or group.period.precision != draft.period.precision
            )
        ):
            return False  # "... were killed earlier this month": not last night's attack
        return place_fits(group, draft) and not initiators_clash(group, draft)

    def _informative(self, sentence: Sentence, group: Group, target: Building) -> bool:
        """Whether words referring back to an event add to it: a date, a number, an outcome,
        or an actor in a role it did not have."""
        start, end = sentence.clause_around(group.position)
        fatal = group.kind == "offensive"
        if group.period or any((f.field == "fatalities") == fatal for f in self._figures):
            return True
        if outcomes_in(sentence.text[start:end]):
            return True
        return any(a.role and a.name not in target.actors for a in group.actors)

    def _merge_milestone(self, sentence: Sentence, group: Group) -> Building | None:
        """Milestones are one per step and force: 'the pullout began' adds to the one read."""
        ctx = self.context
        force = force_named(sentence.text, group, ctx.armed_group)
        nation = nation_named(sentence.text, group) if force == INTERNATIONAL else None
        target = next(
            (
                d
                for d in reversed(self.drafts)
                if d.milestone == group.milestone
                and (
                    force is None
                    or d.force is None
                    or d.force == force
                    # "U.S. forces left Bagram" and "the last U.S. and NATO troops left Bagram"
                    or (group.district is not None and group.district == d.district)
                )
                and (nation is None or d.nation is None or d.nation == nation)
                # "moving up the Sept. 11 deadline": another deadline is another announcement
                and (group.deadline is None or d.deadline is None or d.deadline == group.deadline)
            ),
            None,
        )
        if target is None:
            if group.mode == "anaphoric" or (group.mode == "dated" and group.period is None):
                return None
            force = force or ctx.force or handed_over_by_foreigners(sentence.text, group)
            if force is None:
                return None  # no foreign force named or read before: not a withdrawal
            target = self._start(sentence, group)
        target.nation = target.nation or nation
        if force and not target.force:
            target.force = force
            target.explained["force"] = f"'{force}' from the sentence's foreign force"
        ctx.force = target.force or ctx.force
        if group.milestone == "base_handover":
            add_handover(sentence.text, group, target, ctx.armed_group)
        if group.deadline and target.deadline is None:
            target.deadline, target.deadline_note = group.deadline, group.deadline_note
        self._apply(sentence, group, target)
        return target

    def _counter_target(self, group: Group, target: Building) -> None:
        """A counter-offensive is aimed at whoever launched the offensive it answers."""
        if not any("counter" in m.trigger.lower() for m in group.mentions):
            return
        own = {a.name for a in group.actors if a.role and a.role.role == "initiator"}
        earlier = next(
            (
                d
                for d in reversed(self.drafts)
                if d is not target and d.kind == "offensive" and d.province == group.province
            ),
            None,
        )
        attacker = earlier.initiator() if earlier else None
        if attacker and attacker not in own:
            target.add_actor(attacker, "target", "the counter-offensive answers its offensive")

    def _apply(self, sentence: Sentence, group: Group, target: Building) -> None:
        ctx = self.context
        target.heads |= {head_word(m.trigger) for m in group.mentions}
        target.add_evidence(sentence.index, (sentence.start, sentence.end))
        if group.period:
            target.extend(group.period, group.date_note)
            ctx.last_date[kind_key(group.kind, group.milestone)] = group.period
            ctx.first_date.setdefault(kind_key(group.kind, group.milestone), group.period)
            ctx.last_any_date = group.period
        if group.province and (
            target.province is None
            or (target.district is None and group.district and group.province == target.province)
        ):
            target.province, target.district = group.province, group.district
            target.place_note = group.place_note
        for actor in group.actors:
            if actor.role is None:
                target.add_actor(actor.name, "participant", "named in the sentence")
            else:
                target.add_actor(actor.name, actor.role.role, actor.role.note)
        for place, into in ((group.origin, target.origin), (group.destination, target.destination)):
            if place and not into.province:
                into.province, into.district, into.note = place.province, place.district, place.note
        if target.period:
            record_start(ctx, kind_key(target.kind, target.milestone), target, target.period)
            self._date_waiting(target)

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
        if role is None and _DENIED.match(s[actor.end :]):
            continue
        low, high = (role.anchor, role.anchor) if role else (actor.start, actor.end)
        nearest = min(mentions, key=lambda m: max(0, m.start - high, low - m.end), default=None)
        if nearest is None:
            continue
        if role is None and max(0, nearest.start - high, low - nearest.end) > 80:
            continue
        result.append(ActorRole(actor.name, role, (nearest.start, nearest.trigger)))
    return result
