"""The particulars of a withdrawal milestone: the withdrawing force, the base handed over and
who received it."""

import re

from app.reports.actors import FOREIGN_FORCES, INTERNATIONAL, US_FORCES, registry
from app.reports.building import Building
from app.reports.grouping import Group

_FACILITY = re.compile(
    r"\b(?:hand(?:ed|ing|s)?\s+over|handover\s+of|turn(?:ed|ing)?\s+over|transferr?(?:ed|ing)|"
    r"hand(?:ed|ing)?)\s+(?P<facility>[^,;]{3,120}?)(?=\s+(?:over\s+)?to\s+|,|;|\.$|$)",
    re.IGNORECASE,
)
_NAMED_FACILITY = re.compile(
    r"\b(?:[A-Z][\w-]+\s+){1,3}(?:Airfield|Air\s+Base|Airbase)\b|\bCamp\s+[A-Z][\w-]+"
    r"(?:\s+[A-Z][\w-]+)?"
)
_MEMBERS = (
    "Germany Italy Britain France Turkey Poland Georgia Romania Australia Canada Spain Norway "
    "Denmark Belgium Mongolia Portugal Sweden Finland Czech\\s+Republic the\\s+Netherlands "
    "New\\s+Zealand"
).split()
# "Germany's last troops", "British forces": a foreign force the registry does not name.
_NATIONAL_FORCE = re.compile(
    r"\b(?!Afghan)(?P<nation>[A-Z][a-z]+(?:an|ish|ese|ch|ian)|[A-Z][a-z]+['\u2019]s)\s+(?:last\s+|"
    r"final\s+|remaining\s+)?(?:troops|soldiers|forces|contingent)\b"
    # "Italy also completed its withdrawal": a NATO member as the subject of its own withdrawal
    rf"|\b(?P<country>{'|'.join(_MEMBERS)})\s+(?:also\s+|has\s+|had\s+|then\s+)*"
    r"(?:completed|finished|ended|concluded|began|started|pulled|withdrew)\b"
)


_AMERICAN = re.compile(
    r"\b(?:American|U\.S\.|US|America['\u2019]s)\s+(?:military\s+)?(?:withdrawal|pull-?out|drawdown|"
    r"mission|departure|exit)\b"
)


_US_LEADERS = re.compile(
    r"\b(?:President\s+)?(?:Joe\s+)?Biden\b|\bthe\s+(?:Pentagon|White\s+House)\b"
)


def nation_named(s: str, group: Group) -> str | None:
    """Which contingent of the international forces: 'German troops', 'Italy completed its
    withdrawal' (the nearest to the milestone's words), keyed by the name's first letters
    ('germ' for Germany and German)."""
    trigger = group.mentions[0].start
    found = [
        (abs(m.start() - trigger), (m.group("nation") or m.group("country")).lower()[:4])
        for m in _NATIONAL_FORCE.finditer(s)
    ]
    return min(found)[1] if found else None


_TO_AFGHANS = re.compile(
    r"\b(?:handed|turned)\s+(?:it\s+|them\s+)?over\s+to\s+(?:the\s+)?Afghan\b|\bforeign\s+(?:base|troops|forces)\b",
    re.IGNORECASE,
)


def handed_over_by_foreigners(s: str, group: Group) -> str | None:
    """'Kandahar Airfield, once the largest foreign base in the south, was handed over to
    Afghan forces in May': a named base handed to Afghans, by no force named, was handed over
    by the international forces."""
    if group.milestone != "base_handover" or INTERNATIONAL not in registry().names:
        return None
    if _NAMED_FACILITY.search(s) and _TO_AFGHANS.search(s):
        return INTERNATIONAL
    return None


def force_named(s: str, group: Group, armed_group: str | None) -> str | None:
    """The foreign force the sentence names for a milestone: for a handover, the one before
    the verb (who handed over); otherwise the one nearest it."""
    found = registry().find(s, armed_group=armed_group)
    foreign = [a for a in found if a.name in FOREIGN_FORCES]
    trigger = group.mentions[0]
    if not foreign:
        if _NATIONAL_FORCE.search(s) and INTERNATIONAL in registry().names:
            return INTERNATIONAL  # "Germany completed its withdrawal, weeks after Biden ..."
        if (_AMERICAN.search(s) or _US_LEADERS.search(s)) and US_FORCES in registry().names:
            return US_FORCES  # "the American withdrawal began", "as announced by Biden"
        return None
    if group.milestone == "base_handover":
        before = [a for a in foreign if a.start < trigger.start]
        if before:
            return FOREIGN_FORCES[before[-1].name]
    nearest = min(foreign, key=lambda a: abs(a.start - trigger.start))
    return FOREIGN_FORCES[nearest.name]


def add_handover(s: str, group: Group, target: Building, armed_group: str | None) -> None:
    """The base handed over ('Kandahar Airfield', 'a base in Helmand') and who received it."""
    named = _NAMED_FACILITY.search(s)
    if named and not target.facility:
        target.facility = named.group(0)
        target.explained["facility"] = f"the base named: '{named.group(0)}'"
    match = _FACILITY.search(s)
    if match and not target.facility and match.group("facility").lower() not in ("it", "them"):
        facility = re.sub(r"^(?:on\s+\w+\s+)", "", match.group("facility").strip())
        target.facility = facility
        target.explained["facility"] = f"what was handed over: '{facility}'"
    if target.handed_to is None:
        tail = s[match.end() :] if match else s[group.mentions[0].end :]
        to = re.match(r"\s+(?:over\s+)?to\s+(?P<who>[^,.;]{2,80})", tail)
        receivers = registry().find(to.group("who"), armed_group=armed_group) if to else []
        if to and receivers:
            target.handed_to = receivers[0].name
            target.explained["handed_to"] = f"'to {to.group('who').strip()}' = {receivers[0].name}"
