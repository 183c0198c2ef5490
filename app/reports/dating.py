"""Which date expression dates which mention, and what it resolves to in its context."""

import re
from collections.abc import Sequence
from datetime import date, timedelta

from app.reports.building import year_before
from app.reports.grouping import Context, Group, kind_key
from app.reports.mentions import Mention
from app.reports.periods import Period, resolve
from app.reports.text import Sentence
from app.reports.timex import DateMention

# How far back an undated event may take its date from the events read before it.
RECENT = timedelta(days=31)


# "The fighting comes as ...", "The violence came a week after ...": words that frame others
_FRAMING = re.compile(r"\b(?:comes|came|come|happened|occurred)\s*,?\s*$", re.IGNORECASE)
_VAGUELY_BEFORE = re.compile(r"\b(?:days|weeks|months)\s+(?:after|before)\b", re.IGNORECASE)
_SAID = re.compile(r"(?:announc|said|declar|told|stat)", re.IGNORECASE)
# "attacked Pul-e-Alam, the provincial capital, on Friday": an aside between words and date
_APPOSITIVE = re.compile(r"[^,]{0,60},\s+(?:the|a|an|its|their)\s+[^,]{1,60},\s*")


def _shift_dates(
    shift: DateMention,
    mention: Mention,
    sentence: Sentence,
    event_dates: list[DateMention],
    end: int,
) -> bool:
    """Whether 'two days after' dates a mention after it: not one with a date of its own in
    a framing sentence ('The violence comes a week after U.S. forces left Bagram ... on July
    2': the shift dates the violence, not the leaving)."""
    if shift.start >= mention.start:
        return False
    framed = _FRAMING.search(sentence.text[: shift.start])
    own_date = any(
        mention.start < d.start < end and d.pattern != "clause_shift" for d in event_dates
    )
    return not (framed and own_date)


def pick_date(
    sentence: Sentence,
    mention: Mention,
    event_dates: list[DateMention],
    reference: date,
    others: Sequence[Mention] = (),
) -> DateMention | None:
    """The date expression a mention takes: the nearest in its clause, but not across another
    event's words ("overran Qaysar last Thursday and captured Almar two days later")."""
    start, end = sentence.clause_around(mention.start)
    if mention.mode == "dated":
        # "the withdrawal, which began on May 1": the date follows the verb
        start, end = mention.start, mention.end + 15
    candidates = [
        d
        for d in event_dates
        if start <= d.start < end
        and (d.pattern != "clause_shift" or _shift_dates(d, mention, sentence, event_dates, end))
        # "captured two districts over the weekend, days after U.S. forces left Bagram"
        and not _VAGUELY_BEFORE.search(
            sentence.text[min(d.end, mention.end) : max(d.start, mention.start)]
        )
    ]
    # "..., a day after the Taliban seized it": the phrase dates the clause it opens
    candidates += [
        d
        for d in event_dates
        if d.pattern == "clause_shift" and 0 <= start - d.end <= 2 and d not in candidates
    ]
    # a date comes after the words it dates ("overran X last Thursday and captured Y two
    # days later"): one after the mention in the same stretch of words, with no other
    # event's words between, is its own
    between = [
        d
        for d in candidates
        if not any(
            o.start != mention.start
            and min(d.end, mention.end) <= o.start < max(d.start, mention.start)
            for o in others
        )
    ]
    after = [
        d
        for d in between
        if d.start >= mention.end
        and ("," not in (gap := sentence.text[mention.end : d.start]) or _APPOSITIVE.fullmatch(gap))
    ]
    # "which had fallen to the Taliban on July 3, was recaptured after ...": a date right
    # after another event's words, before this one's, is that event's
    owned = [
        d
        for d in candidates
        if d.end <= mention.start
        and any(o.start != mention.start and o.end <= d.start for o in others)
    ]
    if candidates and not after and len(owned) == len(candidates):
        borrowed = _borrowed_date(sentence, mention, event_dates)
        if borrowed is not None:
            return borrowed
    candidates = after or between or candidates
    if mention.milestone == "deadline_announced":
        # "announced that the mission would end on August 31": a date to come is the deadline
        candidates = [
            d
            for d in candidates
            if d.start < mention.start
            or (p := resolve(d, reference, future_ok=True)) is None
            or p.start <= reference
        ]
    if not candidates:
        return _borrowed_date(sentence, mention, event_dates)
    return min(
        candidates, key=lambda d: min(abs(d.start - mention.end), abs(d.end - mention.start))
    )


def _borrowed_date(
    sentence: Sentence, mention: Mention, event_dates: list[DateMention]
) -> DateMention | None:
    """A clause without a date of its own may take its neighbour's: 'since May 1, when U.S.
    forces began pulling out' (the date a 'when' clause follows); 'fled the city as fighting
    intensified on Wednesday night' (the date of the 'as', 'when' or 'while' clause after)."""
    s = sentence.text
    number = sentence.clause_of(mention.start)
    start, end = sentence.clause_span(number)
    opening = s[start:end].lstrip(", ").lower()
    if opening.startswith("when "):
        before = [d for d in event_dates if 0 <= start - d.end <= 3]
        if before:
            return before[-1]  # the clause is when that date was: see Group.when_follows
    if opening.startswith("after ") and number > 0:
        # "fled Ab Kamari in June after the Taliban captured its district centre": no later
        previous_start, _ = sentence.clause_span(number - 1)
        before = [d for d in event_dates if previous_start <= d.start < start]
        if before and before[-1].mode != "anaphoric" and before[-1].pattern in ("month", "year"):
            return before[-1]
    if number + 1 < len(sentence.clause_starts()):
        next_start, next_end = sentence.clause_span(number + 1)
        # "have overrun Qush Tepa after government forces withdrew on Saturday night"
        if _FRAMING.search(s[start:end]) is None and re.match(
            r"[,\s]*(?:as|when|while|after)\b", s[next_start:next_end], re.IGNORECASE
        ):
            inside = [d for d in event_dates if next_start <= d.start < next_end]
            if inside and inside[0].mode != "anaphoric":
                return inside[0]
    return None


def date_group(
    context: Context, group: Group, all_dates: list[DateMention], text: str = ""
) -> None:
    """Set a group's period from the date expression its mentions take."""
    if group.milestone == "deadline_missed" or (group.mode == "anaphoric" and group.milestone):
        return  # dated by the deadline it missed; or a reference to a milestone read before
    # "... would end by August 31, the date Biden set last month": set then, not said now
    set_before = group.when is not None and any(
        m.trigger.lower().endswith(" set") for m in group.mentions
    )
    announced_on = (
        group.speech
        and not group.speech_inherited
        and not set_before
        and _SAID.match(group.mentions[0].trigger)
    )
    if group.milestone == "deadline_announced" and announced_on and group.speech:
        # "Biden announced on April 14 that troops would leave by September 11, ... last
        # year": the announcement is dated by its own verb
        said, words = group.speech
        group.period = said
        group.date_note = f"announced when it was said: '{words}' = {said.describe()}"
        return
    if group.when is None:
        if group.milestone == "deadline_announced" and group.speech:
            said, words = group.speech
            group.period = said
            group.date_note = f"announced when it was said: '{words}' = {said.describe()}"
        return
    period, note = resolve_in_context(context, group, group.when, all_dates)
    if period and group.kind == "displacement" and _AS_OF.search(text[: group.when.start]):
        # "As of 10 August, 12,000 people had fled the district": since the fighting there
        began = _began(context, group, "offensive")
        if began is not None and began < period.start:
            note = (
                f"{note}; a count as of then, since the fighting there began ({began.isoformat()})"
            )
            period = Period(began, period.start, period.precision)
    if period is None and group.when.pattern == "clause_shift":
        group.pending = group.when  # dated once what it counts from is dated
    if period and group.when_follows and period.end:
        # "since May 1, when the pullout began": the pullout began on May 1
        period = Period(period.start, None, period.precision)
    if period and group.kind != "withdrawal_milestone":
        period, note = _lasted_until(context, group, text, all_dates, period, note)
    if period:
        group.period, group.date_note = period, note


_AS_OF = re.compile(r"\bas\s+of\s+$", re.IGNORECASE)
_SINCE_CLAUSE = re.compile(r"\bsince\s+(?:the|they|it|he|she|[A-Z])[^,;.]{0,60}$")
_CONTINUED_SINCE = re.compile(
    r"^\s*,?\s+and\s+(?:has|have|had)\s+(?:continued|raged|gone\s+on|persisted)\s+(?:ever\s+)?since\b",
    re.IGNORECASE,
)
_UNTIL_BEFORE = re.compile(
    r"\b(?:until|till|til|through|to|(?:still\s+)?(?:going\s+on|continuing|under\s+way|raging)"
    r"(?:\s+on)?)\s+$",
    re.IGNORECASE,
)


def _lasted_until(
    context: Context,
    group: Group,
    text: str,
    all_dates: list[DateMention],
    period: Period,
    note: str,
) -> tuple[Period, str]:
    """'clashes erupted on Tuesday afternoon and lasted until early Wednesday': the event
    runs to the day the 'until' names; 'erupted on July 9 and has continued since', and 'have
    fled since the Taliban seized it on Sunday', to when it was said."""
    reference = group.reference or context.published_on
    when = group.when
    assert when is not None
    since_clause = _SINCE_CLAUSE.search(text[: when.start])
    if since_clause and group.position > since_clause.start():
        since_clause = None  # what the "since" clause itself tells happened on its day
    runs_on = _CONTINUED_SINCE.match(text[when.end :]) or since_clause
    if runs_on and period.last < reference:
        extended = Period(period.start, reference, period.precision)
        words = runs_on.group(0).strip()
        return extended, f"{note}; '{words}' runs to {reference.isoformat()}"
    for d in all_dates:
        if d.start < when.end or d.start - when.end > 80 or d.mode == "anaphoric":
            continue
        if not _UNTIL_BEFORE.search(text[: d.start]):
            continue
        until = resolve(d, reference)
        if until is None or until.precision != "day" or not period.start < until.last <= reference:
            continue
        extended = Period(period.start, until.last, period.precision)
        return extended, f"{note}; until '{d.text}' = {extended.describe()}"
    return period, note


def resolve_in_context(
    context: Context, group: Group, mention: DateMention, all_dates: list[DateMention]
) -> tuple[Period | None, str]:
    """A date expression's period and how it was found: absolute and deictic ones against the
    sentence's reference, anaphoric ones against the date they refer back to."""
    reference = group.reference or context.published_on
    reference_note = group.reference_note or "the publication date"
    if mention.mode != "anaphoric":
        return _resolve_stated(mention, reference, reference_note)
    earlier = [
        d
        for d in all_dates
        if d.end <= mention.start and d.mode != "anaphoric" and _day_level(d, reference)
    ]
    if mention.pattern == "clause_shift" and not earlier:
        return None, ""  # "a day after X": only with a date for what it is after
    if mention.pattern == "since_event":
        return _since_event(context, group, mention, reference, reference_note)
    base, base_note = _anaphoric_base(context, group, mention, earlier, reference, reference_note)
    period = resolve(mention, base.start) if base else None
    if period is None:
        return None, ""
    return period, f"'{mention.text}' relative to {base_note} = {period.describe()}"


def _resolve_stated(
    mention: DateMention, reference: date, reference_note: str
) -> tuple[Period | None, str]:
    """An absolute or deictic date expression, against the sentence's reference."""
    period = resolve(mention, reference)
    if period is None:
        return None, ""
    if mention.mode == "absolute":
        inferred = "" if mention.group("year") else f" (year from {reference_note})"
        return period, f"'{mention.text}' = {period.describe()}{inferred}"
    return period, f"'{mention.text}' relative to {reference_note} = {period.describe()}"


def _since_event(
    context: Context, group: Group, mention: DateMention, reference: date, reference_note: str
) -> tuple[Period | None, str]:
    """'since the fighting began': from when the events named began to the reference."""
    began = _began(context, group, _SINCE_EVENT_KINDS.get(mention.group("what") or "", ""))
    if began is None:
        return None, ""
    period = Period(began, reference if reference > began else None, "day")
    return period, (
        f"'{mention.text}': from when it began ({began.isoformat()}) to "
        f"{reference_note} = {period.describe()}"
    )


def _anaphoric_base(
    context: Context,
    group: Group,
    mention: DateMention,
    earlier: list[DateMention],
    reference: date,
    reference_note: str,
) -> tuple[Period | None, str]:
    """The date an anaphoric expression counts from, and how it is known: the day-level date
    before it in the sentence, the speaker's day, the day of the telling, the last date of its
    kind, the last date read, or the reference."""
    if earlier:
        return resolve(earlier[-1], reference), f"'{earlier[-1].text}'"
    if group.speech_inherited and group.speech and not group.past_perfect:
        # "Government forces counter-attacked the previous day, Mohebi said": his day before
        return group.speech[0], f"'{group.speech[1]}'"
    if (
        mention.pattern == "shift"
        and mention.group("dir") in ("previous", "preceding")
        and not group.past_perfect
    ):
        # "attacked checkpoints the previous day, officials said": the day before the telling
        return Period(reference, None, "day"), reference_note
    key = kind_key(group.kind, group.milestone)
    if key in context.last_date:
        base = context.last_date[key]
        return base, f"the {group.milestone or group.kind} before it ({base.describe()})"
    if context.last_any_date:
        base = context.last_any_date
        return base, f"the date last read ({base.describe()})"
    return Period(reference, None, "day"), reference_note


def _began(context: Context, group: Group, key: str) -> date | None:
    """When the events named began: the earliest read at the group's place (district, then
    province, then where people fled from or to), else the first read of their kind."""
    places = [(group.province, group.district)]
    for end in (group.origin, group.destination):
        if end is not None:
            places.append((end.province, end.district))
    # districts first ("fled to Asadabad since the fighting began": where it began there)
    keys: list[tuple[str, str | None]] = [
        (p.name, d.name) for p, d in places if p is not None and d is not None
    ]
    keys += [(p.name, None) for p, _ in places if p is not None]
    for where in keys:
        if (key, *where) in context.began:
            return context.began[(key, *where)]
    first = context.first_date.get(key)
    return first.start if first else None


# "since the pullout began": the date the text gave for the kind of event named.
_SINCE_EVENT_KINDS = {
    "pullout": "withdrawal_milestone:withdrawal_started",
    "pull-out": "withdrawal_milestone:withdrawal_started",
    "withdrawal": "withdrawal_milestone:withdrawal_started",
    "drawdown": "withdrawal_milestone:withdrawal_started",
    "fighting": "offensive",
    "clashes": "offensive",
    "offensive": "offensive",
    "attacks": "offensive",
    "violence": "offensive",
}


def _day_level(mention: DateMention, reference: date) -> bool:
    period = resolve(mention, reference)
    return period is not None and period.precision == "day"


def find_deadline(
    s: str, group: Group, deadline_dates: list[DateMention], all_dates: list[DateMention]
) -> None:
    """A milestone's deadline: 'the May 1 deadline' for one agreed or missed, 'by September 11'
    for one announced or a withdrawal begun."""
    reference = group.reference
    assert reference is not None
    if group.milestone == "deadline_announced":
        # "said the mission would conclude on Aug. 31, moving up the Sept. 11 deadline": the
        # date to come nearest after the words
        later = [
            d
            for d in all_dates
            if d.start > group.position
            and (p := resolve(d, reference, future_ok=True)) is not None
            and p.start > reference
        ]
        deadline_dates = later[:1] or deadline_dates
    if not deadline_dates:
        return
    named = [d for d in deadline_dates if re.match(r"\s+(?:\w+\s+)?deadline", s[d.end :])]
    limits = [d for d in deadline_dates if d not in named]
    order = named + limits
    if group.milestone not in ("deadline_missed", "deadline_agreed"):
        order = limits + named
    chosen = order[0]
    period = resolve(chosen, reference, future_ok=True)
    if period is None:
        return
    group.deadline = period.start
    group.deadline_note = f"'{chosen.text}' = {period.start.isoformat()}"
    if group.milestone == "deadline_missed" and group.period is None:
        group.period = Period(period.start, None, "day")
        group.date_note = f"the deadline it missed: '{chosen.text}' = {period.describe()}"


def date_after_clause(sentence: Sentence, groups: list[Group]) -> None:
    """'It began on May 1 after Biden announced ...': the announcement came before May 1,
    within its year."""
    s = sentence.text
    dated = [g for g in groups if g.period is not None]
    for group in groups:
        if group.period is not None or group.kind != "withdrawal_milestone":
            continue
        start, _ = sentence.clause_around(group.position)
        if not s[start:].lstrip(", ").lower().startswith("after"):
            continue
        before = [g for g in dated if g.position < start]
        anchor = before[-1].period if before else None
        if anchor:
            group.period = year_before(anchor)
            group.date_note = (
                f"not dated; it came before '{before[-1].mentions[0].trigger}' "
                f"({anchor.describe()}): {group.period.describe()}"
            )


def note_date(
    context: Context, dates: list[DateMention], roles: list[str], reference: date
) -> None:
    """A sentence that codes nothing may still say when things happened ("clashes went on
    in several provinces on Monday"): what follows undated is read as of then."""
    for mention, role in zip(dates, roles, strict=True):
        if role != "event" or mention.mode == "anaphoric":
            continue
        period = resolve(mention, reference)
        if (
            period
            and period.precision in ("day", "week")
            and context.published_on - RECENT <= period.last <= context.published_on
        ):
            context.last_any_date = period
