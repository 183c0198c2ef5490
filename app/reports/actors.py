"""Actors named in a sentence: the registry's names and aliases, and the generic phrases
wire reports use ("government troops", "the insurgents"), mapped to registry names."""

import json
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from app.core.settings import SEEDS_DIR

# The registry `serve` seeds the database with; shipped in the wheel (app.core.settings).
REGISTRY_FILE = SEEDS_DIR / "actors.json"

TALIBAN = "Taliban"
ISKP = "Islamic State Khorasan Province"
ANDSF = "Afghan National Defense and Security Forces"
ANA = "Afghan National Army"
AFGHAN_GOVERNMENT = "Government of Afghanistan"
US_FORCES = "United States Forces"
US_GOVERNMENT = "Government of the United States"
INTERNATIONAL = "International forces"

# Which side each registry actor fights on: roles are reconciled per side.
SIDES = {
    TALIBAN: "taliban",
    ISKP: "iskp",
    ANDSF: "afghan_state",
    ANA: "afghan_state",
    AFGHAN_GOVERNMENT: "afghan_state",
    US_FORCES: "united_states",
    US_GOVERNMENT: "united_states",
    INTERNATIONAL: "international",
}
FOREIGN_FORCES = {US_FORCES: US_FORCES, US_GOVERNMENT: US_FORCES, INTERNATIONAL: INTERNATIONAL}
GOVERNMENT_OF_FORCE = {US_FORCES: US_GOVERNMENT}
ARMED_GROUPS = (TALIBAN, ISKP)


def side_of(name: str) -> str:
    """The side an actor fights on; an actor of no known side is a side of its own."""
    return SIDES.get(name, name)


_ARMED = "<armed group>"

_FOREIGN_BEFORE = re.compile(
    r"(?:U\.S\.|\bUS|American|foreign|NATO|Pakistani|coalition|international|Western)[\s-]*$",
    re.IGNORECASE,
)

# Generic phrases -> registry name; _ARMED stands for the armed group the text is about.
_GENERIC: list[tuple[str, str]] = [
    (r"\bTaliban(?:\s+(?:fighters|militants|insurgents|forces|gunmen))?\b", TALIBAN),
    (r"\bTaleban\b", TALIBAN),
    (
        r"\b(?:the\s+)?Islamic\s+Emirate(?:\s+of\s+Afghanistan)?(?:['\u2019]s)?(?:\s+(?:fighters|forces|mujahideen))?\b",
        TALIBAN,
    ),
    (r"\bIslamic\s+State(?:\s+(?:group|Khorasan(?:\s+Province)?|militants|fighters))?", ISKP),
    (r"\b(?:Daesh|ISIS)\b", ISKP),
    (r"\b(?:the\s+)?(?:insurgents?|militants?|rebels)\b", _ARMED),
    (r"\b(?:Afghan\s+)?(?:national\s+)?security\s+(?:forces|personnel)\b", ANDSF),
    (r"\bAfghan\s+(?:government\s+)?(?:forces|troops)\b", ANDSF),
    (r"\bgovernment\s+(?:forces|troops|soldiers)\b", ANDSF),
    (r"\b(?:Afghan\s+)?air\s+force\b", ANDSF),
    # "Afghan aircraft struck ...", "government helicopters"
    (
        r"\b(?:Afghan|government)\s+(?:military\s+)?(?:aircraft|jets|warplanes|planes|"
        r"helicopters|gunships|drones)\b",
        ANDSF,
    ),
    (
        r"\b(?:(?:Afghan|border|local|national|provincial)\s+)*"
        r"(?:police\s+officers?|police\s+forces?|police(?:men|man)?)\b",
        ANDSF,
    ),
    (r"\b(?:Afghan\s+)?(?:National\s+)?army\b", ANA),
    (r"\b(?:Afghan\s+)?(?:commando\s+forces|special\s+forces|soldiers?|commandos?)\b", ANA),
    (
        r"(?:\bU\.S\.|\bUS|\bAmerican|\bUnited\s+States)(?:-led)?\s+(?:forces|troops|soldiers|"
        r"military|service\s*members|personnel|Marines|aircraft|jets|warplanes|planes|drones|"
        r"helicopters|bombers|B-52s?)\b",
        US_FORCES,
    ),
    (r"\b(?:the\s+)?United\s+States\b|\bWashington\b", US_GOVERNMENT),
    (
        r"\b(?:foreign|international|NATO|NATO-led|coalition|allied|Western)\s+"
        r"(?:forces|troops|soldiers|allies|military)\b",
        INTERNATIONAL,
    ),
    (r"\bNATO\b", INTERNATIONAL),
    (r"\b(?:Afghan|Kabul)\s+government\b", AFGHAN_GOVERNMENT),
]


@dataclass(frozen=True)
class ActorRef:
    """An actor named in a sentence (offsets relative to the sentence)."""

    start: int
    end: int
    text: str
    name: str
    generic: bool

    @property
    def side(self) -> str:
        return side_of(self.name)


class ActorRegistry:
    """The registry's canonical names and aliases, and the generic phrases that map to them."""

    def __init__(self, actors: list[tuple[str, list[str]]]) -> None:
        self.names = {name for name, _ in actors}
        self._patterns: list[tuple[re.Pattern[str], str, bool]] = []
        spellings = [(alias, name) for name, aliases in actors for alias in [name, *aliases]]
        for alias, name in sorted(spellings, key=lambda s: -len(s[0])):
            acronym = sum(c.isupper() for c in alias) >= 2 and len(alias) <= 6
            flags = 0 if acronym else re.IGNORECASE
            regex = re.compile(r"(?<![\w.-])" + re.escape(alias) + r"(?![\w-])", flags)
            self._patterns.append((regex, name, False))
        for generic, name in _GENERIC:
            if name == _ARMED or name in self.names:
                self._patterns.append((re.compile(generic, re.IGNORECASE), name, True))

    def find(self, sentence: str, *, armed_group: str | None) -> list[ActorRef]:
        """Actors named in a sentence, left to right; overlapping names keep the longest."""
        found: list[ActorRef] = []
        for regex, name, generic in self._patterns:
            for match in regex.finditer(sentence):
                start, end = match.span()
                if any(start < f.end and f.start < end for f in found):
                    continue
                canonical = name
                if name == _ARMED:
                    canonical = armed_group or (TALIBAN if TALIBAN in self.names else "")
                    if not canonical:
                        continue
                if (
                    generic
                    and canonical in (ANA, ANDSF)
                    and _FOREIGN_BEFORE.search(sentence[max(0, start - 14) : start])
                ):
                    continue
                found.append(ActorRef(start, end, match.group(0), canonical, generic))
        return sorted(found, key=lambda a: a.start)


def _load(path: Path) -> list[tuple[str, list[str]]]:
    # A missing registry is a broken install, not an empty registry: without it no actor is
    # recognised, so it fails here rather than reading every report silently without actors.
    raw = json.loads(path.read_text(encoding="utf-8"))
    return [(a["name"], [alias["name"] for alias in a.get("aliases", [])]) for a in raw]


@cache
def registry() -> ActorRegistry:
    return ActorRegistry(_load(REGISTRY_FILE))
