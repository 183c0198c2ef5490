"""Who says so: the subjects of reporting verbs ("X said", "according to X", ", said X")."""

import re
from dataclasses import dataclass

_VERB = re.compile(
    r"\b(?:said|says|say|told|tells|added|adds|confirmed|confirms|reported|stated|claimed|"
    r"claims|announced|noted|(?<!an\s)estimated|insisted|rejected|denied|disputed|verified|"
    r"recorded|registered|documented|counted|"
    r"put(?=\s+the\s+(?:number|toll|death\s+toll|figure|count))|saying|adding|"
    r"according\s+to|(?<=,\s)(?:per|citing)(?!\s+(?:cent|day|week|month|year|hour|capita|person)\b))\b",
    re.IGNORECASE,
)
# Where a subject stops, reading leftwards from its verb.
_BOUNDARY = re.compile(
    r"[,;:\"\u201c\u201d]|\b(?:that|which|while|and|but|where|when|who|whom|as|because|after|before|"
    r"though|although|whereas)\b|--|\u2014"
)
_DROP_LEAD = re.compile(
    r"^(?:(?:a\s+(?:figure|claim|number|toll|report)\s+)|(?:however|meanwhile|separately|"
    r"also|later|earlier|in\s+turn)\s+)+",
    re.IGNORECASE,
)
_DROP_TAIL = re.compile(
    r"\s+(?:also|later|earlier|however|then|separately|previously|again|on\s+\w+)$",
    re.IGNORECASE,
)
# "The Taliban, however, said": the aside is not the subject.
_ASIDE = re.compile(
    r",\s*(?:however|meanwhile|though|too|in\s+turn|for\s+(?:its|his|her|their)\s+part),\s*$",
    re.IGNORECASE,
)
# What may follow a verb that closes its sentence: "said.", "told Xinhua.", "said on Monday,".
_TRAILING = re.compile(
    r"^(?:\s+(?:on|in|at|to|late|early|last)?\s*[\w'\u2019.-]+){0,4}?\s*(?:[,.;:]|$)|^\s+(?:in|on)\s+"
    r"(?:a|an|its|his|her|their)\s+[\w\s-]{1,40}?(?:[,.;]|$)"
)
PRONOUNS = frozenset({"it", "he", "she", "they", "its", "we", "i"})
# "only denies": a claimant for what follows the verb, never for what precedes it.
_FORWARD_ONLY = frozenset({"rejected", "denied", "disputed", "saying", "adding", "put"})


@dataclass(frozen=True)
class Attribution:
    """A reporting verb and its subject (offsets relative to the sentence)."""

    verb_start: int
    verb_end: int
    verb: str
    subject_start: int
    subject_end: int
    subject: str  # as written, cleaned; "" when the verb has none of its own

    trailing: bool = False  # "..., the ministry said." closes the sentence it attributes

    @property
    def forward_only(self) -> bool:
        return self.verb.lower() in _FORWARD_ONLY


def _clean(text: str) -> str:
    text = " ".join(text.replace(",", " ").split())
    text = _DROP_LEAD.sub("", text)
    previous = None
    while previous != text:
        previous = text
        text = _DROP_TAIL.sub("", text)
    text = re.sub(r"\s+in\s+a\s+statement$", "", text)
    text = re.sub(r"^(?:the)\s+", "", text, flags=re.IGNORECASE)
    return text.strip(" .'\"")


def find_attributions(sentence: str) -> list[Attribution]:
    found = []
    for match in _VERB.finditer(sentence):
        verb = " ".join(match.group(0).split())
        start, end = match.span()
        if verb.lower() in ("according to", "per", "citing"):  # the subject follows
            tail = sentence[end:]
            stop = re.search(r",\s+(?:and|but|while|as|who|which)\b|[;.]\s|[.;]$|$", tail)
            raw = tail[: stop.start() if stop else len(tail)]
            subject = _clean(raw)
            found.append(Attribution(start, end, verb, end, end + len(raw), subject, True))
            continue
        before = _ASIDE.sub("", sentence[:start])
        boundary = 0
        for b in _BOUNDARY.finditer(before):
            boundary = b.end()
        raw = before[boundary:]
        subject = _clean(raw)
        subject_start = boundary + (len(raw) - len(raw.lstrip()))
        if not subject and before.rstrip().endswith(","):
            appositive = _appositive(before)
            if appositive:
                subject_start, subject = appositive
        if not subject or subject.lower() in ("and", "but"):
            # ", said Sayed Rami." or ", saying ..." or "and put ..."
            inverted = (
                _INVERTED_NAME.match(sentence[end:])
                or _INVERTED_TITLE.match(sentence[end:])
                or _INVERTED_POSSESSIVE.match(sentence[end:])
            )
            if inverted and verb.lower() in ("said", "says", "added", "told"):
                subject = _clean(inverted.group(1))
                subject_start = end + inverted.start(1)
                found.append(
                    Attribution(
                        start, end, verb, subject_start, end + inverted.end(1), subject, True
                    )
                )
                continue
            subject = ""
        trailing = bool(_TRAILING.match(sentence[end:]))
        found.append(Attribution(start, end, verb, subject_start, start, subject, trailing))
    return found


# ", said Sayed Rami.", ", said refugees director Mohammad Qasim."
_INVERTED_NAME = re.compile(
    r"\s+((?:(?!(?:on|in|at|late|early|last|this|that|the|an?|to|by|from|of|and|but)\b)"
    r"[a-z][\w'\u2019-]*\s+){0,4}(?:[A-Z][\w'\u2019.-]*\s*){1,5})(?:[,.]|$)"
)
# ", said Faryab's director for refugees, who ...": a title owned by a place or body
_INVERTED_POSSESSIVE = re.compile(
    r"\s+([A-Z][\w.-]*(?:\s+[A-Z][\w.-]*)?['\u2019]s\s+(?:[\w'\u2019-]+\s+){0,4}?[\w-]+"
    # "..., Mohammad Hanif Qaderi": the title's holder named after it
    r"(?:,\s+(?:[A-Z][\w'\u2019-]*\s*){1,4}(?=[,.]|$))?)(?:,|\.?$)"
)
# ", said a hospital director,": a subject after its verb, named by what it is.
_INVERTED_TITLE = re.compile(
    r"\s+((?:an?|the)\s+(?!(?:[\w'\u2019.-]+\s+){0,4}?(?:was|were|is|are|had|has|have|would|will|"
    r"killed|wounded|died)\b)(?:[\w'\u2019.-]+\s+){0,4}?[\w'\u2019-]+"
    r"(?:,\s+(?:[A-Z][\w'\u2019-]*\s*){1,4}(?=[,.]|$))?)(?:,|\.?$)"
)
_NAME = re.compile(r"^(?:[A-Z][\w'\u2019.-]*\s*){1,5}$")
_TITLE = re.compile(r"^(?:[Tt]he|an?|An?)\b|^[a-z]")


def _appositive(before: str) -> tuple[int, str] | None:
    """'Zabihullah Mujahid, a spokesman for the Taliban, said', 'the head of the refugee
    department, Dost Mohammad Daryab, said': a name and its title around commas."""
    parts = before.rstrip()[:-1].split(",")
    if len(parts) < 2:
        return None
    last, previous = parts[-1].strip(), parts[-2].strip()
    if not last or len(last.split()) > 12:
        return None
    last_start = len(",".join(parts[:-1])) + 1 + (len(parts[-1]) - len(parts[-1].lstrip()))
    previous_start = len(",".join(parts[:-2])) + (1 if len(parts) > 2 else 0)
    previous_start += len(parts[-2]) - len(parts[-2].lstrip())
    if re.match(r"(?:who|which)\b", last):
        if len(previous.split()) <= 8:
            return previous_start, _clean(previous)
        return None
    is_name, was_name = bool(_NAME.match(last)), bool(_NAME.match(previous))
    if is_name and not was_name and _TITLE.match(previous) and len(previous.split()) <= 10:
        return previous_start, _clean(f"{previous} {last}")
    if was_name and not is_name and _TITLE.match(last):
        return previous_start, _clean(f"{previous} {last}")
    if is_name:
        return last_start, _clean(last)
    return None


def claimant_for(position: int, attributions: list[Attribution]) -> Attribution | None:
    """The attribution a number at `position` rests on: the nearest reporting verb before it,
    else the nearest after it ("..., the ministry said")."""
    before = [a for a in attributions if a.verb_end <= position]
    if before:
        return before[-1]
    after = [
        a
        for a in attributions
        if a.verb_start >= position and a.subject and not a.forward_only and a.trailing
    ]
    return min(after, key=lambda a: a.verb_start) if after else None


_PROVINCE_POSSESSIVE = re.compile(r"\b(?:the\s+)?province['\u2019]s\s+", re.IGNORECASE)
_SURNAME = re.compile(r"[A-Z][\w'\u2019-]+")


def _fuller(subject: str, earlier: list[str]) -> str | None:
    """'Rahmani' = 'provincial police spokesman Enamuddin Rahmani', named before."""
    if not _SURNAME.fullmatch(subject):
        return None
    return next((c for c in reversed(earlier) if c.endswith(" " + subject)), None)


def claimant(
    attribution: Attribution | None,
    attributions: list[Attribution],
    earlier: list[str],
    province: str | None,
) -> tuple[str | None, str]:
    """Who claims a number, and how that was found: the subject of its reporting verb, or of
    the verb it continues ("said ..., adding that"); a pronoun or a surname is the source
    named before; "the province's director" is the director of the event's province."""
    if attribution is None:
        return None, ""
    subject = attribution.subject
    how = f"subject of '{attribution.verb}'"
    if not subject:
        before = [a for a in attributions if a.verb_start < attribution.verb_start and a.subject]
        if before:
            subject = before[-1].subject
            how = f"subject of '{before[-1].verb}', continued by '{attribution.verb}'"
        elif earlier:
            subject, how = earlier[-1], "the previous sentence's source"
        else:
            return None, ""
    if subject.lower() in PRONOUNS and earlier:
        subject, how = earlier[-1], f"'{subject}' = the source named before"
    if _PROVINCE_POSSESSIVE.search(subject) and province:
        subject = _PROVINCE_POSSESSIVE.sub(f"{province} provincial ", subject)
    fuller = _fuller(subject, earlier)
    if fuller:
        subject, how = fuller, f"'{attribution.subject}' = {fuller}, named before"
    return subject[:200], how


def sources_named(attributions: list[Attribution], earlier: list[str]) -> list[str]:
    """The sources a sentence names, for the sentences after it ("He said", "Rahmani said")."""
    named: list[str] = []
    for attribution in attributions:
        subject = attribution.subject
        if subject and subject.lower() not in PRONOUNS:
            named.append(_fuller(subject, earlier + named) or subject)
    return named
