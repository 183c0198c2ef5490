"""Date expressions in a sentence, and what each is: the date of an event, of words spoken or
of a deadline (`periods` resolves them).

Three kinds of expression, resolved against different references:
- absolute ("May 4", "in February last year"): the year, when missing, comes from the reference;
- deictic ("on Monday", "two days ago", "over the weekend", "in the past 24 hours"): relative to
  when the words were spoken: the sentence's own speech date ("said on May 4") or publication;
- anaphoric ("the previous day", "two days earlier", "that date"): relative to a date the text
  has just mentioned.
"""

import calendar
import re
from dataclasses import dataclass

from app.reports.lexicon import HOUSEHOLD_UNITS, ORDINALS, PERSON_UNITS

MONTHS = {
    name: number
    for number, names in enumerate(
        [
            (),
            ("January", "Jan"),
            ("February", "Feb"),
            ("March", "Mar"),
            ("April", "Apr"),
            ("May",),
            ("June", "Jun"),
            ("July", "Jul"),
            ("August", "Aug"),
            ("September", "Sept", "Sep"),
            ("October", "Oct"),
            ("November", "Nov"),
            ("December", "Dec"),
        ]
    )
    for name in names
}
WEEKDAYS = {name: n for n, name in enumerate(calendar.day_name)}

# Names are matched case-sensitively ("May", not "may"); everything else case-insensitively.
_MONTH = r"(?-i:(?P<month>" + "|".join(sorted(MONTHS, key=len, reverse=True)) + r"))(?![a-z])\.?"
_MONTH2 = _MONTH.replace("?P<month>", "?P<month2>")
_WEEKDAY = r"(?-i:(?P<weekday>" + "|".join(WEEKDAYS) + r"))"
_COUNT = r"(?P<count>an?|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|\d{1,3})"
_ORDINAL = r"(?P<ordinal>" + "|".join(ORDINALS) + r"|\d{1,2}(?:st|nd|rd|th))"
_PART = r"(?:\s+(?:night|morning|evening|afternoon))?"
_COUNTED = "|".join(sorted(PERSON_UNITS | HOUSEHOLD_UNITS, key=len, reverse=True))


@dataclass(frozen=True)
class DateMention:
    """A date expression in a sentence (offsets relative to the sentence)."""

    start: int
    end: int
    text: str
    pattern: str
    groups: tuple[tuple[str, str], ...]
    mode: str  # absolute, deictic, anaphoric

    def group(self, name: str) -> str | None:
        """A named part of the match; lower-cased but for month and weekday names."""
        value = dict(self.groups).get(name)
        if value is None or name in ("month", "month2", "weekday", "weekday2"):
            return value
        return value.lower()


# (name, mode, regex); earlier patterns win over later ones on the same words.
_PATTERNS: list[tuple[str, str, str]] = [
    (
        "running_day",
        "deictic",
        rf"\b(?:for|into|entered|entering|enters|in)\s+(?:a|the|its|their)\s+{_ORDINAL}\s+"
        rf"(?:straight\s+|consecutive\s+|successive\s+)?day"
        rf"(?:\s+(?:on\s+)?{_WEEKDAY}{_PART})?",
    ),
    (
        "day_range",
        "absolute",
        rf"\b(?:between|from)\s+(?P<day>\d{{1,2}})(?:st|nd|rd|th)?(?:\s+{_MONTH2})?\s+"
        rf"(?:and|to|until|through)\s+(?P<day2>\d{{1,2}})(?:st|nd|rd|th)?\s+(?:of\s+)?{_MONTH}"
        rf"(?:,?\s+(?P<year>\d{{4}})\b)?",
    ),
    (
        "day_range",
        "absolute",
        rf"\b(?:between|from)\s+{_MONTH}\s+(?P<day>\d{{1,2}})(?:st|nd|rd|th)?\s+"
        rf"(?:and|to|until|through)\s+(?:{_MONTH2}\s+)?(?P<day2>\d{{1,2}})(?:st|nd|rd|th)?\b"
        rf"(?:,?\s+(?P<year>\d{{4}})\b)?",
    ),
    (
        # "on 3 and 4 August", "on 3, 4 and 5 August", "on August 3 and 4"
        "day_range",
        "absolute",
        rf"\bon\s+(?P<day>\d{{1,2}})(?:st|nd|rd|th)?(?:,\s*\d{{1,2}}(?:st|nd|rd|th)?)*,?\s+and\s+"
        rf"(?P<day2>\d{{1,2}})(?:st|nd|rd|th)?\s+(?:of\s+)?{_MONTH}(?:,?\s+(?P<year>\d{{4}})\b)?"
        rf"|\bon\s+{_MONTH2}\s+(?P<day3>\d{{1,2}})(?:st|nd|rd|th)?"
        rf"(?:,\s*\d{{1,2}}(?:st|nd|rd|th)?)*,?\s+and\s+(?P<day4>\d{{1,2}})(?:st|nd|rd|th)?\b"
        rf"(?:,?\s+(?P<year2>\d{{4}})\b)?"
        # not "on July 3 and 12 policemen were killed": a count, not a day
        rf"(?!\s+(?:[a-z-]+\s+)?(?:{_COUNTED})\b)",
    ),
    (
        "day_of",
        "absolute",
        rf"\b(?:(?P<prep>since|from)\s+)?(?:(?:early|late)\s+)?(?:on\s+)?"
        rf"(?:the\s+(?:night|morning|evening)\s+of\s+)?"
        rf"{_MONTH}\s+(?P<day>\d{{1,2}})(?:st|nd|rd|th)?\b(?:,?\s+(?P<year>\d{{4}})\b)?",
    ),
    (
        "day_of",
        "absolute",
        rf"\b(?:(?P<prep>since|from)\s+)?(?:(?:early|late)\s+)?(?:on\s+)?"
        rf"(?P<day>\d{{1,2}})(?:st|nd|rd|th)?\s+(?:of\s+)?{_MONTH}"
        rf"(?:,?\s+(?P<year>\d{{4}})\b)?",
    ),
    (
        "since_month",
        "absolute",
        rf"\b(?:since|from)\s+(?:the\s+)?(?P<edge>beginning|start|middle|end)\s+of\s+{_MONTH}"
        rf"(?:\s+(?P<year>\d{{4}})\b)?",
    ),
    (
        "month",
        "absolute",
        rf"\b(?P<prep>in|during|since|by|until|through|from)\s+(?:(?:early|mid|late)[\s-]+)?"
        rf"{_MONTH}(?:\s+(?P<year>\d{{4}})\b|\s+(?P<rel>last|this|next)\s+year)?",
    ),
    ("year", "absolute", r"\b(?P<prep>in|since|during|until)\s+(?P<year>(?:19|20)\d\d)\b"),
    (
        "since_year_start",
        "deictic",
        r"\b(?:since|from)\s+the\s+(?:start|beginning)\s+of\s+(?:the|this)\s+"
        r"(?P<unit>year|month|week)\b|\b(?:since|from)\s+the\s+(?:start|beginning)\s+of\s+"
        r"(?P<year>20\d\d)\b|\bso\s+far\s+this\s+(?P<unit2>year|month)\b"
        r"|\bthis\s+(?P<unit3>year|month)\s+so\s+far\b",
    ),
    (
        "relative_period",
        "deictic",
        r"\b(?:(?P<since>since|from)\s+)?(?:(?:earlier|later)\s+)?(?P<rel>last|this|next|"
        r"earlier\s+this)\s+(?P<unit>year|month|week)\b",
    ),
    (
        "past",
        "deictic",
        r"\b(?:in|over|during|within|for)\s+the\s+(?:past|last|previous)\s+"
        r"(?:(?P<count>\d{1,3}|an?|one|two|three|four|five|six|seven|eight|nine|ten|"
        r"eleven|twelve|fourteen|twenty-four|forty-eight|seventy-two|(?P<few>few|several|"
        r"couple\s+of))\s+)?(?P<unit>hours?|days?|weeks?|months?)\b(?!\s+of\b)",
    ),
    ("recent_days", "deictic", r"\bin\s+recent\s+days\b"),
    (
        "weekend",
        "deictic",
        r"\b(?:(?:over|during|at|on|for)\s+(?:the\s+course\s+of\s+)?(?:the|this|last)\s+"
        r"|last\s+|this\s+)weekend\b",
    ),
    (
        "ago",
        "deictic",
        rf"\b{_COUNT}\s+(?P<unit>days?|weeks?|months?|years?)\s+ago\b",
    ),
    (
        "shift",
        "anaphoric",
        rf"\b{_COUNT}\s+(?P<unit>days?|weeks?)\s+(?P<dir>earlier|later)\b",
    ),
    (
        "shift",
        "anaphoric",
        r"\b(?:on\s+)?the\s+(?P<dir>previous|preceding|next|following)\s+day\b"
        r"|\bthe\s+day\s+(?P<dir2>before|after)(?=\s*[,.;]|\s+(?:and|but)\b)",
    ),
    (
        "clause_shift",
        "anaphoric",
        rf"\b(?:{_COUNT}|the)\s+(?P<unit>days?|weeks?)\s+(?P<dir>after|before)\b"
        r"(?=\s+(?:the|a|an|it|they|he|she|[A-Z]))",
    ),
    (
        "since_event",
        "anaphoric",
        r"\bsince\s+the\s+(?P<what>fighting|clashes|offensive|attacks|violence|pull-?out|"
        r"withdrawal|drawdown)\s+(?:first\s+)?(?:began|started|erupted|broke\s+out)\b",
    ),
    (
        "same",
        "anaphoric",
        r"\b(?:on\s+)?(?:that|the\s+same)\s+(?:date|day)\b"
        r"|\b(?:earlier|later)\s+(?:in\s+the|that)\s+day\b",
    ),
    (
        # "a three-day operation that ended on Saturday evening": the days up to that one
        "run_ending",
        "deictic",
        rf"\b(?:a|an|the)\s+(?P<count>two|three|four|five|six|seven|eight|nine|ten|\d{{1,2}})-day\s+"
        rf"(?:[\w-]+\s+){{1,2}}?(?:that|which)\s+(?:ended|concluded|finished)\s+(?:on\s+)?"
        rf"(?:(?:late|early)\s+)?{_WEEKDAY}{_PART}\b",
    ),
    (
        "weekday_range",
        "deictic",
        rf"\b(?:(?:late|early)\s+)?(?:on|between|from)\s+(?:(?:late|early)\s+)?{_WEEKDAY}{_PART}"
        rf"\s+(?:and|to|until|till|through|into)\s+(?:(?:late|early)\s+)?"
        rf"{_WEEKDAY.replace('?P<weekday>', '?P<weekday2>')}{_PART}\b",
    ),
    (
        "day_of_month",
        "deictic",
        rf"\b(?:(?P<prep>since|from)\s+)?(?:(?:early|late)\s+)?on\s+the\s+"
        rf"(?P<day>\d{{1,2}})(?:st|nd|rd|th)\b(?!\s+(?:of\s+)?{_MONTH})",
    ),
    (
        "weekday",
        "deictic",
        rf"\b(?:(?P<since>since|from)\s+)?(?:(?:late|early)\s+(?:on\s+)?)?"
        rf"(?P<prep>on|last|this|since|from)?\s*{_WEEKDAY}{_PART}\b",
    ),
    (
        "near",
        "deictic",
        r"\b(?P<word>yesterday|today|tonight|overnight|last\s+night|earlier\s+today"
        r"|this\s+(?:morning|evening|afternoon))\b",
    ),
]
_COMPILED = [(name, mode, re.compile(regex, re.IGNORECASE)) for name, mode, regex in _PATTERNS]

# A date right after a reporting verb is when the words were spoken, not when the event happened.
_SPEECH_BEFORE = re.compile(
    r"\b(?:said|says|told|added|confirmed|reported|announced|stated|claimed|noted|insisted|"
    r"warned|dismissed)(?:\s+(?:reporters|journalists|Xinhua|AFP|Reuters|the\s+media|"
    r"(?:in|at|from)\s+(?:a\s+)?[\w' ]{1,30}?))?\s*(?:on\s+)?$"
)
# "The death toll rose to 58 on Sunday": when it was counted, not when people died.
_TOLL_BEFORE = re.compile(
    r"\btoll\b[^.;]{0,100}?\b(?:rose|climbed|jumped|increased|reached|stood)\b[^.;]{0,20}$",
    re.IGNORECASE,
)
# "On July 8, Biden said ...": a date that opens the sentence of a speaker's words
_SPEECH_AFTER = re.compile(
    r"^\s*,\s+(?:[\w.'\u2019-]+\s+){1,6}?(?:said|says|announced|told|declared|stated|insisted)\b"
)
_DEADLINE_BEFORE = re.compile(r"\b(?:by|until|before|deadline\s+of)\s+(?:the\s+)?$")
_DEADLINE_AFTER = re.compile(r"^\s+(?:withdrawal\s+|pull-?out\s+|exit\s+)?deadline\b")


def find_dates(sentence: str) -> list[DateMention]:
    """Every date expression in a sentence, left to right, none overlapping."""
    taken: list[tuple[int, int]] = []
    found: list[DateMention] = []
    for name, mode, regex in _COMPILED:
        for match in regex.finditer(sentence):
            start, end = match.span()
            if any(start < e and s < end for s, e in taken):
                continue
            if name == "weekday" and not match.group("weekday"):
                continue
            groups = tuple((k, v) for k, v in match.groupdict().items() if v is not None)
            text = match.group(0)
            lead = len(text) - len(text.lstrip())
            taken.append((start, end))
            found.append(DateMention(start + lead, end, text.strip(), name, groups, mode))
    return sorted(found, key=lambda m: m.start)


def role_of(sentence: str, mention: DateMention) -> str:
    """'speech' (when it was said), 'deadline' (a limit, not an event), or 'event'."""
    before = sentence[: mention.start]
    if mention.mode != "anaphoric" and (
        _SPEECH_BEFORE.search(before) or _TOLL_BEFORE.search(before)
    ):
        return "speech"
    if not before.strip() and _SPEECH_AFTER.match(sentence[mention.end :]):
        return "speech"  # "On July 8, Biden said ...", "Six days later, Biden said ..."
    if _DEADLINE_BEFORE.search(before) or _DEADLINE_AFTER.match(sentence[mention.end :]):
        return "deadline"
    return "event"
