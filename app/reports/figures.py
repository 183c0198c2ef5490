"""Numbers in a sentence, and which of them are figures: people killed, families or people
displaced. A figure is always a number the text states, with its qualifier; the claimant is
found by `attribution`."""

import re
from dataclasses import dataclass

from app.reports.lexicon import (
    CIVILIANS,
    COMBATANTS,
    HOUSEHOLD_UNITS,
    NUMBER_WORDS,
    PERSON_UNITS,
    QUALIFIERS,
    SCALES,
    SINGLE_PERSONS,
    VAGUE_AMOUNTS,
)

_UNIT_WORDS = "|".join(["one", "two", "three", "four", "five", "six", "seven", "eight", "nine"])
_TENS = "twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety"
_SMALL = (
    "one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen|"
    "fifteen|sixteen|seventeen|eighteen|nineteen"
)
# "killing a tribal elder", "shot dead an Afghan security guard": one person
_ONE_PERSON = "|".join(sorted(SINGLE_PERSONS, key=len, reverse=True))
_WORD_NUMBER = (
    rf"(?:(?:{_TENS})(?:-(?:{_UNIT_WORDS}))?|{_SMALL}|an?(?=\s+(?:hundred|thousand|dozen))"
    rf"|an?(?=\s+(?:[A-Za-z-]+\s+){{0,2}}(?:{_ONE_PERSON})\b))"
    r"(?:\s+(?:hundred|thousand|million|dozen))?"
)
_QUALIFIER = "|".join(q.replace(" ", r"\s+") for q in sorted(QUALIFIERS, key=len, reverse=True))
_VAGUE = "|".join(v.replace(" ", r"\s+") for v in sorted(VAGUE_AMOUNTS, key=len, reverse=True))
_NUMBER = re.compile(
    rf"\b(?:(?P<qualifier>{_QUALIFIER})\s+)?"
    rf"(?:(?P<vague>{_VAGUE})\s+of\b"
    r"|(?P<digits>\d{1,3}(?:,\d{3})+(?!\d)|\d+(?:\.\d+)?)(?:\s+(?P<scale>hundred|thousand|million))?"
    rf"|(?P<words>{_WORD_NUMBER}))\b",
    re.IGNORECASE,
)
# Numbers that count time, distance, age or money: never a figure.
_NOT_A_COUNT_AFTER = re.compile(
    r"^(?:[\s-]*(?:year|yr)s?[\s-]*old|\s*(?:percent|per\s+cent|%)|\s*(?:km|kilomet|mile|meter|"
    r"metre|hour|day|week|month|year|minute|second|a\.m|p\.m|o'clock|dollar|afghani|U\.?S\.?\s+"
    r"dollar|million\s+(?:U\.?S\.?\s+)?dollar))",
    re.IGNORECASE,
)
_STOP_WORDS = frozenset(
    "were was had have has been are is and or in on at to from by with the a an who which that "
    "as for into of".split()
)
_FATAL = (
    r"killed|dead|died|slain|shot\s+dead|executed|lost\s+their\s+lives|perished|martyred"
    r"|embraced\s+martyrdom"
)
_DISPLACED = (
    r"fled|displaced|forced|arrived|reached|(?:taken|took|found)\s+shelter|took\s+refuge|"
    r"taken\s+refuge|sought\s+(?:refuge|shelter)|"
    r"evacuated|left\s+their\s+homes|uprooted"
)
_OTHER = (
    r"wounded|injured|hurt|missing|captured|arrested|detained|abducted|kidnapped|rescued|"
    r"released|returned|trapped|stranded|living"
)
_VERB_AFTER = re.compile(
    rf"^[^.;:]{{0,70}}?\b(?P<verb>{_FATAL}|{_DISPLACED}|{_OTHER})\b", re.IGNORECASE
)
_VERB_BEFORE = re.compile(
    r"\b(?P<verb>killing|killed|kills|kill|shot\s+dead|gunned\s+down|martyred|lost|"
    r"claimed\s+the\s+lives\s+of|"
    r"displacing|displaced|displace|forcing|forced|driven|drove|driving|uprooted|wounding|wounded|injuring|injured|"
    r"arresting|arrested|capturing|captured|bodies\s+of)\s+"
    r"(?:(?:another|a\s+further|an\s+additional|a\s+total\s+of)\s+)?$",
    re.IGNORECASE,
)
_TOLL_BEFORE = re.compile(
    r"\b(?:(?:number|toll|count|tally)\s+of\s+(?P<adj>(?:[\w-]+\s+){0,3}?)(?P<unit>[a-z]+)"
    r"|(?P<death>death|(?<=the\s)(?=toll\s+at))\s*toll\b[^.;:]{0,100}?)\s+(?:at|to|as|was|stood\s+at|rose\s+to|"
    r"climbed\s+to|jumped\s+to|increased\s+to|reached)\s+$",
    re.IGNORECASE,
)


_PARTICIPLE = re.compile(r"\b(?:displaced|uprooted|dead|killed)\b", re.IGNORECASE)
_AID_BEFORE = re.compile(
    r"\b(?:distribut\w*|provid\w*|deliver\w*|gave|giving|handed\s+out|reach\w*|assist\w*|"
    r"support\w*|help\w*|serv\w*)\b[^.;]{0,60}?\b(?:to|for)\s+(?:(?:about|some|around|nearly|"
    r"more\s+than|over|at\s+least|an\s+estimated)\s+)?$",
    re.IGNORECASE,
)
_PUT_AT = re.compile(
    r"\b(?:put|puts|putting|estimated|gave|placed)\s+(?:the|that|this|its)\s+(?:number|figure|count|"
    r"total|tally)\s+at\s+(?:nearer\s+|closer\s+to\s+)?$",
    re.IGNORECASE,
)
_ONE_KILLED_AFTER = re.compile(
    r"^(?:\s+[A-Za-z-]+)?\s+(?:was|had\s+been|has\s+been|is)\s+(?:also\s+)?(?:killed|shot\s+dead|"
    r"martyred|slain)\b",
    re.IGNORECASE,
)
_AND_MORE = re.compile(
    # "a teacher and his two sons", "a soldier, a policeman and two civilians"
    r"^(?:\s+of\s+(?:the\s+)?[\w-]+)?(?:\s+and|\s*,)\s+(?:his|her|their|its|a|an|\d+|one|two|three|four|five|six|seven|eight|nine|ten|"
    r"several|other|many)\b",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Amount:
    """A number as the text states it (offsets relative to the sentence)."""

    start: int
    end: int
    text: str
    value: int
    qualifier: str
    vague: bool


@dataclass(frozen=True)
class FigureRef:
    """A number the text gives for a figure: `field` is fatalities, families or individuals."""

    amount: Amount
    field: str
    unit: str
    note: str


def _word_value(text: str) -> int:
    total, current = 0, 0
    for word in re.split(r"[\s-]+", text.lower()):
        if word in SCALES:
            current = max(current, 1) * SCALES[word]
            if SCALES[word] >= 1000:
                total, current = total + current, 0
        elif word == "dozen":
            current = max(current, 1) * 12
        elif word in NUMBER_WORDS:
            current += NUMBER_WORDS[word]
    return total + current


def find_amounts(sentence: str, *, skip: list[tuple[int, int]]) -> list[Amount]:
    """Numbers that may count people; `skip` holds the spans of date expressions."""
    found = []
    for match in _NUMBER.finditer(sentence):
        start, end = match.span()
        core = next(name for name in ("vague", "digits", "words") if match.group(name))
        if any(match.start(core) < e and s < end for s, e in skip):
            continue
        if _NOT_A_COUNT_AFTER.match(sentence[end:]) or sentence[end : end + 1] in ("%", "-"):
            continue
        qualifier_text = " ".join((match.group("qualifier") or "").lower().split())
        qualifier = QUALIFIERS.get(qualifier_text, "exact")
        if match.group("vague"):
            vague = " ".join(match.group("vague").lower().split())
            value, vague_flag = VAGUE_AMOUNTS[vague], True
            qualifier = "more_than"
            end = match.end("vague")
        elif match.group("digits"):
            number = float(match.group("digits").replace(",", ""))
            scale = match.group("scale")
            value = int(number * (SCALES[scale.lower()] if scale else 1))
            if not scale and "." in match.group("digits"):
                continue
            vague_flag = False
        else:
            value, vague_flag = _word_value(match.group("words")), False
        if value <= 0:
            continue
        found.append(Amount(start, end, sentence[start:end], value, qualifier, vague_flag))
    return found


def _unit_after(sentence: str, end: int) -> tuple[str, int] | None:
    """The counted noun after a number: '100 Taliban fighters', 'three of its fighters'."""
    words = list(re.finditer(r"[A-Za-z][\w'\u2019-]*", sentence[end : end + 80]))
    gap_end = 0
    for position, word in enumerate(words[:5]):
        between = sentence[end + gap_end : end + word.start()]
        if position and any(c in between for c in ',.;:()"'):
            return None
        gap_end = word.end()
        lower = word.group(0).lower()
        if lower in HOUSEHOLD_UNITS or lower in PERSON_UNITS:
            return lower, end + word.end()
        if lower == "of" and position == 0:
            continue
        if lower in _STOP_WORDS and not (position == 1 and lower in ("its", "their", "the")):
            if lower not in ("its", "their", "the", "his", "her"):
                return None
    return None


def classify(sentence: str, amounts: list[Amount]) -> list[FigureRef]:
    """The amounts that are figures, with their field."""
    figures: list[FigureRef] = []
    for amount in amounts:
        figure = _figure(sentence, amount, figures)
        if figure is not None:
            figures.append(figure)
    return figures


def _figure(sentence: str, amount: Amount, figures: list[FigureRef]) -> FigureRef | None:
    """The figure an amount gives, if any: by the words before it ('put the number at', 'the
    death toll rose to'), else by its counted noun and the verb that says what befell them."""
    before = sentence[: amount.start]
    put = _PUT_AT.search(before)
    if put and figures:
        # "..., though a local aid group put the number at nearer 700": the same count
        field, unit = figures[-1].field, figures[-1].unit
        return FigureRef(amount, field, unit, f"'{put.group(0).strip()} {amount.text}'")
    toll = _TOLL_BEFORE.search(before)
    if toll:
        figure = _toll_figure(toll, amount)
        if figure is not None:
            return figure
    if _AID_BEFORE.search(before):
        return None  # "distributed food rations to 1,000 displaced families": who got aid
    return _counted_figure(sentence, amount, before)


def _toll_figure(toll: re.Match[str], amount: Amount) -> FigureRef | None:
    """'the death toll rose to 12', 'the number of displaced families reached 500'."""
    unit = (toll.group("unit") or "people").lower()
    adjective = (toll.group("adj") or "").lower()
    if toll.group("death") is not None or "dead" in adjective or "killed" in adjective:
        note = f"'{toll.group(0).strip()} {amount.text}': a death toll"
        return FigureRef(amount, "fatalities", "people", note)
    if "displaced" in adjective or unit in ("displaced",):
        field = "families" if unit in HOUSEHOLD_UNITS else "individuals"
        note = f"'{toll.group(0).strip()} {amount.text}': {field} displaced"
        return FigureRef(amount, field, unit, note)
    return None


def _counted_figure(sentence: str, amount: Amount, before: str) -> FigureRef | None:
    """'killing 12 soldiers', '55,000 displaced individuals', '300 families fled': a number of
    people or households and the verb that says they were killed or displaced."""
    unit_found = _unit_after(sentence, amount.end)
    if not unit_found:
        return None
    unit, unit_end = unit_found
    verb_before = _VERB_BEFORE.search(before)
    verb = _verb_of(sentence, amount, unit_end, verb_before)
    if verb is None:
        return None
    rest = sentence[unit_end:]
    if amount.value == 1 and _AND_MORE.match(rest):
        return None  # "a teacher and his two sons were killed": more than one, not summed
    if amount.text.lower() in ("a", "an") and not (verb_before or _ONE_KILLED_AFTER.match(rest)):
        return None  # "an official said ... four soldiers had been killed": no count of one
    return _field_figure(amount, unit, verb, sentence[amount.start : unit_end])


def _verb_of(
    sentence: str, amount: Amount, unit_end: int, verb_before: re.Match[str] | None
) -> str | None:
    """The verb that says what befell the people counted: before the number, between it and
    its noun ('55,000 displaced individuals', '12 dead soldiers'), or after them."""
    inside_words = _PARTICIPLE.search(sentence[amount.end : unit_end])
    if verb_before:
        return verb_before.group("verb").lower()
    if inside_words:
        return inside_words.group(0).lower()
    after = _VERB_AFTER.match(sentence[unit_end:])
    return after.group("verb").lower() if after else None


def _field_figure(amount: Amount, unit: str, verb: str, phrase: str) -> FigureRef | None:
    """The field a verb gives the people counted: killed (not households) or displaced (not
    fighters; arriving is fleeing only for civilians)."""
    households = unit in HOUSEHOLD_UNITS
    if re.fullmatch(
        _FATAL + r"|killing|kills?|gunned\s+down|lost|claimed\s+the\s+lives\s+of|bodies\s+of",
        verb,
    ) and (not households):
        return FigureRef(amount, "fatalities", unit, f"'{phrase}' {verb}")
    if (
        re.fullmatch(_DISPLACED + r"|displacing|displace|forcing|driven|drove|driving", verb)
        and unit not in COMBATANTS  # "200 Taliban fighters reached the outskirts"
        # "300 foreign journalists reached Kabul airport": arriving is fleeing for civilians
        and (verb not in ("reached", "arrived") or unit in CIVILIANS)
    ):
        field = "families" if households else "individuals"
        return FigureRef(amount, field, unit, f"'{phrase}' {verb}")
    return None
