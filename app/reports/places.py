"""Afghan provinces, districts and cities named in a sentence, through the gazetteer."""

import itertools
import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache

from app.core.normalize import name_key
from app.gazetteer import HOME, District, Gazetteer, Province, get_gazetteer

_WORD = re.compile(r"[A-Za-z][\w\u2019'-]*")
_CONNECTORS = frozenset({"e", "i", "wa", "y"})
_CITY_AFTER = re.compile(r"^(?:['\u2019]s)?\s+city\b", re.IGNORECASE)
_CITY_BEFORE = re.compile(r"\bcity\s+of\s+$", re.IGNORECASE)
_CAPITAL_AFTER = re.compile(
    r"^\s*,\s*(?:the\s+)?(?:regional\s+|provincial\s+)?capital\s+of\b", re.IGNORECASE
)
_CAPITAL_BEFORE = re.compile(
    r"(?P<lead>(?:,\s*)?(?:the\s+)?(?:regional\s+|provincial\s+)?capital\s+of\s+(?:the\s+)?"
    r"(?:[a-z]+(?:ern)?\s+)?(?:province\s+of\s+)?)$",
    re.IGNORECASE,
)
_REFERENCE_BEFORE = re.compile(
    # "commandos were flown in from Kabul": where help came from; "forces had withdrawn to
    # Parun": where they went
    r"\b(?:flown|sent|deployed|dispatched|brought|airlifted|rushed|moved)\s+(?:in\s+)?from\s+"
    r"(?:the\s+)?(?:[\w'-]+\s+){0,2}$|"
    r"\b(?:withdrew|withdrawn|retreated|pulled\s+back|fell\s+back|relocated)\s+to\s+(?:the\s+)?"
    r"(?:[\w'-]+\s+){0,2}$|"
    r"(?:\b|(?<=\d))(?:km|kilometers|kilometres|miles|north|south|east|west|northeast|northwest|southeast|"
    r"southwest)\s+(?:(?:north|south|east|west)\w*\s+)?(?:of|from)\s+(?:the\s+)?"
    r"(?:[\w'-]+\s+){0,3}$",
    re.IGNORECASE,
)
# "the highway between Kabul and Kandahar": the ends of a road, not where something happened.
_BETWEEN_BEFORE = re.compile(
    r"\b(?:between|linking|connecting)\s+(?:the\s+)?(?:[\w'\u2019-]+\s+){0,2}?(?:[\w'\u2019-]+\s+and\s+)?$",
    re.IGNORECASE,
)
# "Attaullah Khogyani", "General Abdul Wardak": a place name after a given name is a surname.
_GIVEN_NAME_BEFORE = re.compile(r"\b[A-Z][a-z]+\s+$")
_NOT_GIVEN_NAMES = frozenset(
    "In On At From To The Of Near And Or But As After Before Since While When Where Meanwhile "
    "Separately Also Northern Southern Eastern Western Central Northeastern Northwestern "
    "Southeastern Southwestern Neighbouring Neighboring Nearby Afghanistan Afghan Province "
    "Provinces District Districts City Between Across Outside Inside Through Taliban Army Police "
    "Government Officials Residents Security Forces Troops Militants Insurgents Rebels Elders "
    "Local Provincial Kabul Upper Lower Greater Old New".split()
)
_ORIGIN_CUE = re.compile(
    r"\b(?:from|fled|fleeing|flee|left|leaving|homes\s+in|villages\s+in|displaced\s+in|"
    r"evacuated\s+from)\b",
    re.IGNORECASE,
)
_DESTINATION_CUE = re.compile(
    r"\b(?:to|for|into|reached|arrived\s+in|arriving\s+in|refuge\s+in|shelter\s+in|"
    r"camps?\s+in|relocated\s+to)\b",
    re.IGNORECASE,
)
_JUST_BEFORE = re.compile(r"^(?:['\u2019]s)?(?:\s+city)?\s*$", re.IGNORECASE)
_CUE_GAP = re.compile(r"^\s+(?:the\s+)?(?:[\w'\u2019-]+\s+){0,5}$")


@dataclass(frozen=True)
class PlaceRef:
    """A place named in a sentence (offsets relative to the sentence)."""

    start: int
    end: int
    text: str
    province: Province
    district: District | None
    note: str
    role: str  # site, origin, destination, reference

    @property
    def key(self) -> tuple[str, str | None]:
        return self.province.key, self.district.pcode if self.district else None


def _variants(name: str) -> set[str]:
    folded = name.lower()
    keys = {name_key(folded)}
    for joiner in ("e", "i", ""):
        keys.add(name_key(re.sub(r"[-\s](?:e|i|y)[-\s]", f" {joiner} ", folded)))
    return keys


def skeleton(name: str) -> str:
    """A spelling-blind key: 'Chahar Bolak' = 'Char Bolak', 'Panjwai' = 'Panjwayi',
    'Kohistanat' = 'Kohestanat' (no vowels, no h, w or y after the first letter)."""
    key = name_key(name)
    return key[:1] + re.sub(r"[aeiouhwy]", "", key[1:])


class PlaceIndex:
    """Every spelling of every province and district, keyed as `app.normalize.name_key`."""

    def __init__(self, gazetteer: Gazetteer) -> None:
        self.gazetteer = gazetteer
        self.provinces: dict[str, Province] = {}
        self.districts: dict[str, list[District]] = {}
        for province in gazetteer.in_country(HOME):
            for name in (province.name, *(a.name for a in province.aliases)):
                for key in _variants(name):
                    self.provinces.setdefault(key, province)
        for district in gazetteer.in_country_districts(HOME):
            for name in (district.name, *(a.name for a in district.aliases)):
                for key in _variants(name):
                    found = self.districts.setdefault(key, [])
                    if district not in found:
                        found.append(district)
        # Skeleton keys are a last resort, kept only where they name one place.
        owners: dict[str, set[str]] = {}
        for province in gazetteer.in_country(HOME):
            for name in (province.name, *(a.name for a in province.aliases)):
                owners.setdefault(skeleton(name), set()).add(province.key)
        for district in gazetteer.in_country_districts(HOME):
            for name in (district.name, *(a.name for a in district.aliases)):
                owners.setdefault(skeleton(name), set()).add(district.pcode)
        self.skeletons = {
            key: next(iter(pcodes))
            for key, pcodes in owners.items()
            if len(pcodes) == 1 and len(key) >= 5
        }
        self.longest = 4

    def capital(self, province: Province) -> District | None:
        return self.gazetteer.districts.get(province.key + "01")

    def province_of(self, district: District) -> Province:
        return self.gazetteer.provinces[district.province_pcode]


@cache
def place_index() -> PlaceIndex:
    return PlaceIndex(get_gazetteer())


@dataclass(frozen=True)
class _Name:
    start: int
    end: int
    text: str
    province: Province | None
    districts: tuple[District, ...]


def _names(sentence: str, index: PlaceIndex) -> list[_Name]:
    words = [(m.start(), m.end(), m.group(0)) for m in _WORD.finditer(sentence)]
    found: list[_Name] = []
    i = 0
    while i < len(words):
        match = _name_at(sentence, words, i, index) if words[i][2][0].isupper() else None
        if match:
            name, length = match
            found.append(name)
            i += length
        else:
            i += 1
    return found


def _name_at(
    sentence: str, words: list[tuple[int, int, str]], i: int, index: PlaceIndex
) -> tuple[_Name, int] | None:
    """The longest place name starting at word `i`, and how many words it takes."""
    for length in range(index.longest, 0, -1):
        span = words[i : i + length]
        if len(span) < length or not _could_be_a_name(sentence, span):
            continue
        name = _look_up(sentence, span[0][0], span[-1][1], index)
        if name is not None:
            return name, length
    return None


def _could_be_a_name(sentence: str, span: list[tuple[int, int, str]]) -> bool:
    """Capitalised words, ending with one, joined by a space or a hyphen ('Lashkar Gah',
    'Mazar-i-Sharif', 'Deh Rawud'), with only connectors in lower case."""
    if not span[-1][2][0].isupper():
        return False
    gaps = [sentence[a[1] : b[0]] for a, b in itertools.pairwise(span)]
    if any(gap not in (" ", "-") for gap in gaps):
        return False
    return not any(not w[0].isupper() and w.lower() not in _CONNECTORS for _, _, w in span)


def _look_up(sentence: str, start: int, end: int, index: PlaceIndex) -> _Name | None:
    """The province or districts the words name (a possessive's 's dropped); by a skeleton
    key, as a last resort, for a long name that is one place's."""
    text = sentence[start:end]
    if text.endswith(("'s", "\u2019s")):
        text, end = text[:-2], end - 2
    key = name_key(text)
    province = index.provinces.get(key)
    districts = tuple(index.districts.get(key, ()))
    if not province and not districts and len(key) >= 6:
        pcode = index.skeletons.get(skeleton(text))
        if pcode in index.gazetteer.provinces:
            province = index.gazetteer.provinces[pcode]
        elif pcode:
            districts = (index.gazetteer.districts[pcode],)
    if province or districts:
        return _Name(start, end, text, province, districts)
    return None


def report_provinces(text: str) -> list[Province]:
    """Provinces named anywhere in the text, most often named first."""
    index = place_index()
    counts: dict[str, int] = {}
    order: dict[str, Province] = {}
    for name in _names(text, index):
        if name.province:
            counts[name.province.key] = counts.get(name.province.key, 0) + 1
            order.setdefault(name.province.key, name.province)
    return sorted(order.values(), key=lambda p: -counts[p.key])


def _role(sentence: str, start: int) -> str:
    before = sentence[max(0, start - 80) : start]
    if _REFERENCE_BEFORE.search(before) or _BETWEEN_BEFORE.search(before):
        return "reference"
    best, role = -1, "site"
    for cue, cue_role in ((_ORIGIN_CUE, "origin"), (_DESTINATION_CUE, "destination")):
        for match in cue.finditer(before):
            if _CUE_GAP.match(before[match.end() :]) and match.start() > best:
                best, role = match.start(), cue_role
    return role


def find_places(sentence: str, *, context: Sequence[Province]) -> list[PlaceRef]:
    """Places named in a sentence; a district named in several provinces is resolved by the
    provinces named in the sentence, then those of the report (`context`)."""
    index = place_index()
    names = _names(sentence, index)
    named_provinces = [n.province for n in names if n.province]
    preferred = [p.key for p in named_provinces] + [p.key for p in context]
    refs: list[PlaceRef] = []
    for name in names:
        after, before = sentence[name.end :], sentence[: name.start]
        if _is_surname(before, after, names, name):
            continue
        role = _role(sentence, name.start)
        if name.province:
            province = name.province
            # "Kunduz city", "the city of Kunduz", "Kunduz, the capital of Kunduz province"
            is_city = bool(
                _CITY_AFTER.match(after)
                or _CITY_BEFORE.search(before)
                or _CAPITAL_AFTER.match(after)
            )
            capital = index.capital(province)
            if is_city and capital:
                note = f"'{name.text} city' is {capital.name}, the capital of {province.name}"
                refs.append(
                    PlaceRef(name.start, name.end, name.text, province, capital, note, role)
                )
                continue
            lead = _CAPITAL_BEFORE.search(before)
            if lead and capital and not _named_just_before(sentence, names, lead.start("lead")):
                note = f"the capital of {province.name} is {capital.name} (gazetteer)"
                refs.append(
                    PlaceRef(name.start, name.end, name.text, province, capital, note, role)
                )
                continue
            note = f"'{name.text}' is the province {province.name} ({province.key})"
            refs.append(PlaceRef(name.start, name.end, name.text, province, None, note, role))
            continue
        districts = sorted(
            name.districts,
            key=lambda d: (
                preferred.index(d.province_pcode) if d.province_pcode in preferred else 99,
                d.pcode,
            ),
        )
        district = districts[0]
        province = index.province_of(district)
        note = (
            f"'{name.text}' is the district {district.name} of {province.name} ({district.pcode})"
        )
        if len(districts) > 1:
            note += f"; chosen among {len(districts)} districts of that name by the provinces named"
        refs.append(PlaceRef(name.start, name.end, name.text, province, district, note, role))
    return refs


def _is_surname(before: str, after: str, names: Sequence[_Name], name: _Name) -> bool:
    given = _GIVEN_NAME_BEFORE.search(before)
    if not given or given.group(0).strip() in _NOT_GIVEN_NAMES:
        return False
    if re.match(r"\s+(?:province|district|city)\b", after, re.IGNORECASE):
        return False
    return not any(n.end <= name.start and name.start - n.end <= 1 for n in names)


def _named_just_before(sentence: str, names: Sequence[_Name], position: int) -> bool:
    """Whether a place is named right before "the capital of ...": "Lashkar Gah, the capital"."""
    return any(n.end <= position and _JUST_BEFORE.match(sentence[n.end : position]) for n in names)


def capital_of(province: Province) -> District | None:
    return place_index().capital(province)
