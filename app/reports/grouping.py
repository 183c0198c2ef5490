"""Groups (the mentions of one kind, place and date in one sentence), what the reading has
learnt so far, and the tests that decide whether a group tells a draft's event again."""

import itertools
import re
from dataclasses import dataclass, field
from datetime import date

from app.gazetteer import District, Province
from app.reports.actors import side_of
from app.reports.building import Building
from app.reports.mentions import Mention
from app.reports.periods import Period
from app.reports.places import PlaceRef
from app.reports.roles import Role
from app.reports.timex import DateMention

# Strongest first: a group is as strong as its strongest mention.
MODE_ORDER = {"new": 0, "dated": 1, "weak": 2, "anaphoric": 3}

_LIST_GAP = re.compile(
    r"(?:\s+(?:province|district)s?)?"
    # "took Kohsan district on Saturday and Ghoryan district the day after": each its own date
    r"(?:\s+(?:on|late|early|last)\s+(?:[A-Z]\w+|the\s+\w+\s+of\s+\w+(?:\s+\d+)?)"
    r"(?:\s+(?:night|morning|evening|afternoon|\d{1,2}))?)?"
    r"\s*(?:,|,?\s+and|,?\s+or|,?\s+as\s+well\s+as)\s+"
    r"(?:(?:the\s+)?(?:[a-z]+ern|neighbouring|neighboring|nearby)\s+)?"
)


@dataclass
class ActorRole:
    """An actor of a sentence, its role (None: named, no role) and the mention it goes with."""

    name: str
    role: Role | None
    mention: tuple[int, str]  # (start, trigger) of the mention


@dataclass
class Group:
    """Mentions of one kind, place and date in one sentence."""

    kind: str
    mentions: list[Mention]
    mode: str
    milestone: str | None = None
    province: Province | None = None
    district: District | None = None
    place_note: str = ""
    placed_by_anaphora: bool = False
    period: Period | None = None
    date_note: str = ""
    actors: list[ActorRole] = field(default_factory=list)
    origin: PlaceRef | None = None
    destination: PlaceRef | None = None
    deadline: date | None = None
    deadline_note: str = ""
    reference: date | None = None  # when the sentence was said (or published)
    reference_note: str = ""
    speech: tuple[Period, str] | None = None  # the sentence's own "said on ..." date
    speech_inherited: bool = False  # the speech date is the speaker's, from a sentence before
    past_perfect: bool = False  # "had overrun": told from a later point, counted from events
    when: DateMention | None = None  # the date expression its mentions take
    when_follows: bool = False  # "since May 1, when ...": the clause is at that date's start
    pending: DateMention | None = None  # "two days after ...", with no date before it yet
    retakes: bool = False  # "to retake the district", "a counter-offensive": the other side's

    @property
    def position(self) -> int:
        return self.mentions[0].start

    def sides(self) -> set[str]:
        return {side_of(a.name) for a in self.actors}

    def initiator_sides(self) -> set[str]:
        return {side_of(a.name) for a in self.actors if a.role and a.role.role == "initiator"}


@dataclass
class Context:
    """What the text has said so far that later sentences lean on."""

    published_on: date
    provinces: list[Province]
    last_date: dict[str, Period] = field(default_factory=dict)  # per kind (and milestone)
    first_date: dict[str, Period] = field(default_factory=dict)
    # the earliest date read per kind and place (province, and province and district)
    began: dict[tuple[str, str, str | None], date] = field(default_factory=dict)
    last_any_date: Period | None = None
    last_place: tuple[Province, District | None] | None = None
    claimants: list[str] = field(default_factory=list)
    # a speaker's surname: when they said it (the period and its words), in which sentence
    speakers: dict[str, tuple[tuple[Period, str], int]] = field(default_factory=dict)
    armed_group: str | None = None
    force: str | None = None


def kind_key(kind: str, milestone: str | None) -> str:
    return f"{kind}:{milestone}" if milestone else kind


def stronger_mode(a: str, b: str) -> str:
    return a if MODE_ORDER[a] <= MODE_ORDER[b] else b


def inside(position: int, spans: list[tuple[int, int]]) -> bool:
    return any(start <= position < end for start, end in spans)


def head_word(trigger: str) -> str:
    """The noun or verb a trigger rests on, for matching 'the offensive' to 'an offensive'."""
    word = trigger.lower().split()[-1]
    for suffix in ("es", "s", "ed", "ing"):
        if word.endswith(suffix) and len(word) > len(suffix) + 3:
            return word[: -len(suffix)]
    return word


def listed_places(s: str, places: list[PlaceRef]) -> list[PlaceRef]:
    """Places given as a list ("Faryab, Badghis and Jawzjan provinces", "including Ghazni and
    Kandahar"): one event each. Empty when the places are no list."""
    ordered = sorted(places, key=lambda p: p.start)
    runs: list[list[PlaceRef]] = [[ordered[0]]]
    for previous, current in itertools.pairwise(ordered):
        if _LIST_GAP.fullmatch(s[previous.end : current.start]):
            runs[-1].append(current)
        else:
            runs.append([current])
    longest = max(runs, key=len)
    keys: dict[tuple[str, str | None], PlaceRef] = {}
    for place in longest:
        keys.setdefault(place.key, place)
    return list(keys.values()) if len(keys) > 1 else []


def most_specific(places: list[PlaceRef]) -> PlaceRef:
    with_district = [p for p in places if p.district]
    return with_district[0] if with_district else places[0]


def gap_days(a: Period, b: Period) -> int:
    """Days between two periods (0 or less when they touch or overlap)."""
    return max((a.start - b.last).days, (b.start - a.last).days)


def dates_fit(group: Group, draft: Building) -> bool:
    if group.period is None or draft.period is None:
        return True
    return (group.period.start, group.period.last) == (draft.period.start, draft.period.last)


def place_fits(group: Group, draft: Building, *, strict: bool = False) -> bool:
    """Same province and no other district; `strict`: a group with a place of its own does
    not go into a dated draft without one."""
    if group.province is None:
        return not strict
    if draft.province is None:
        return not strict or draft.period is None
    if group.province != draft.province:
        return False
    return group.district is None or draft.district is None or group.district == draft.district


def initiators_clash(group: Group, draft: Building) -> bool:
    mine = group.initiator_sides()
    theirs = {side_of(n) for n, r in draft.actors.items() if r == "initiator"}
    return bool(mine and theirs and not mine & theirs)


def sides_fit(group: Group, draft: Building) -> bool:
    mine, theirs = group.sides(), draft.sides()
    return not mine or not theirs or bool(mine & theirs)


def same_event(group: Group, draft: Building) -> bool:
    """Whether a new mention at a fitting place is the draft's event told again: undated (or
    the draft is); or the same dates; or, in the same district, dates that touch ("attacked
    late on Saturday, sparking clashes until Sunday" and "clashed on Sunday")."""
    if group.district is None and draft.district and group.period:
        return False
    if (
        group.district is not None
        and draft.district is None
        and group.period is not None
        and draft.period is not None
        and group.period.precision == "day"
        and (group.period.last - group.period.start) < (draft.period.last - draft.period.start)
    ):
        return False  # "captured Bazarak the previous day", within a week-long offensive
    if group.period is None or draft.period is None:
        if group.retakes and initiators_clash(group, draft):
            return False  # "Commandos launched an operation to retake the district"
        return group.placed_by_anaphora or not initiators_clash(group, draft)
    if initiators_clash(group, draft):
        return False
    if dates_fit(group, draft):
        return True
    same_district = group.district is not None and group.district == draft.district
    # on another day, striking at the side that attacked is a reply, not the same event
    targets = {side_of(a.name) for a in group.actors if a.role and a.role.role == "target"}
    theirs = {side_of(n) for n, r in draft.actors.items() if r == "initiator"}
    if targets & theirs:
        return False
    return same_district and gap_days(group.period, draft.period) <= 1


def near_in_time(group: Group, draft: Building) -> bool:
    """Words referring back ("their offensive in May") to an event weeks away refer elsewhere."""
    if group.period is None or draft.period is None:
        return True
    return gap_days(group.period, draft.period) <= 7


def record_start(context: Context, key: str, building: Building, period: Period) -> None:
    """Remember when events of a kind began at the draft's place: 'since the fighting began'
    there is from the earliest of them."""
    if building.province is None:
        return
    places: list[tuple[str, str | None]] = [(building.province.name, None)]
    if building.district is not None:
        places.append((building.province.name, building.district.name))
    for province, district in places:
        known = context.began.get((key, province, district))
        if known is None or period.start < known:
            context.began[(key, province, district)] = period.start
