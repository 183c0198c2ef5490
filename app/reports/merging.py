"""Whether a sentence's group tells an event already read (and which) or a new one, and what
it brings to the draft it adds to: dates (and the drafts waiting on them), place, actors."""

import re

from app.reports.actors import INTERNATIONAL
from app.reports.building import Building, tidy
from app.reports.cues import outcomes_in
from app.reports.figures import FigureRef
from app.reports.grouping import (
    Context,
    Group,
    dates_fit,
    gap_days,
    head_word,
    initiators_clash,
    kind_key,
    near_in_time,
    place_fits,
    record_start,
    same_event,
    sides_fit,
)
from app.reports.milestones import (
    add_handover,
    force_named,
    handed_over_by_foreigners,
    nation_named,
)
from app.reports.periods import resolve
from app.reports.text import Sentence

# "Afghan soldiers left ...": the Afghans are the ones leaving
_AFGHANS_LEFT = re.compile(r"\bAfghan\s+(?:\w+\s+){0,2}$|\bgovernment\s+(?:forces|troops)\s+$")


class Merging:
    """The merging rules of `Reader`, which holds the context and the drafts under way."""

    context: Context
    drafts: list[Building]
    _figures: list[FigureRef]  # the sentence's figures

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

    def _merge(self, sentence: Sentence, group: Group) -> Building | None:
        """The draft a group adds to, a new one, or None (words that only refer back to
        nothing, or add nothing)."""
        if group.kind == "withdrawal_milestone":
            return self._merge_milestone(sentence, group)
        candidates = self._candidates(sentence, group)
        target: Building | None
        if group.mode == "anaphoric":
            target = self._referred_to(sentence, group, candidates)
            if target is None:
                return None
        else:
            target = self._told_again(sentence, group, candidates)
            if target is None:
                target = self._start(sentence, group)
                self._counter_target(group, target)
        self._apply(sentence, group, target)
        if group.province:
            self.context.last_place = (group.province, group.district)
        elif target.province:
            self.context.last_place = (target.province, target.district)
        return target

    def _candidates(self, sentence: Sentence, group: Group) -> list[Building]:
        """The drafts of the group's kind it may add to, the latest first."""
        candidates = [d for d in reversed(self.drafts) if d.kind == group.kind]
        if group.period and group.mode != "anaphoric":
            # a dated event is not one whose date waits on another's ("two days after ...")
            candidates = [d for d in candidates if d.after is None or d.period is not None]
        if group.pending:
            # "retook X, two days after it fell": not the event the sentence has just told
            candidates = [d for d in candidates if d.last_sentence != sentence.index]
        return candidates

    def _referred_to(
        self, sentence: Sentence, group: Group, candidates: list[Building]
    ) -> Building | None:
        """The draft words referring back ("the attack") add to: one whose place and time fit,
        preferably named with the same head word; None when none fits or they add nothing."""
        heads = {head_word(m.trigger) for m in group.mentions}
        fitting = [d for d in candidates if place_fits(group, d) and near_in_time(group, d)]
        target = next((d for d in fitting if heads & d.heads), fitting[0] if fitting else None)
        if target is None or not self._informative(sentence, group, target):
            return None
        return target

    def _told_again(
        self, sentence: Sentence, group: Group, candidates: list[Building]
    ) -> Building | None:
        """The draft a new or weak group tells more of, or None for a new event."""
        if group.mode == "weak":
            return self._going_on(sentence, group, candidates)
        if group.province is None:
            latest = candidates[0] if candidates else None
            if latest and self._goes_on(sentence, group, latest):
                return latest
            return None
        return next(
            (d for d in candidates if place_fits(group, d, strict=True) and same_event(group, d)),
            None,
        )

    def _going_on(
        self, sentence: Sentence, group: Group, candidates: list[Building]
    ) -> Building | None:
        """'... were killed in the operation': the event the text last told of."""
        told = sorted(candidates, key=lambda d: d.last_sentence, reverse=True)
        going_on = [d for d in told if self._continues(sentence, group, d)]
        if group.province is None and group.period is None and group.kind == "offensive":
            # "The Taliban said they had killed 17 soldiers": a count of the dead contests
            # the event that has one, not the latest told
            if any(f.field == "fatalities" for f in self._figures):
                counted = [d for d in going_on if "fatalities" in d.figures]
                going_on = counted or going_on
        return going_on[0] if going_on else None

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
        if (
            group.milestone == "base_handover"
            and force is None
            and _AFGHANS_LEFT.search(sentence.text[: group.position])
        ):
            return None  # "Afghan soldiers left Shindand Air Base": no foreigners handed it over
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
