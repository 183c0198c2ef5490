"""ACLED exports as our records, and (for /api/acled/read) our records as ACLED rows.

Both directions live here so they cannot drift. Kinds: Battles and the attack sub-events of
Explosions/Remote violence become `offensive`; a foreign force's Non-violent transfer of
territory (a base handed over), or another Strategic development whose notes tell of a foreign
force withdrawing, becomes a `withdrawal_milestone`; everything else is kept as `other`. Every
record keeps ACLED's event_type and sub_event_type.
"""

import re
from datetime import date, datetime
from pathlib import Path
from typing import Any

from app.core.normalize import name_key
from app.gazetteer import get_gazetteer
from app.sources import countries
from app.sources.tabular import (
    Options,
    Row,
    Translated,
    Unusable,
    clip,
    point,
    secondary_number,
    text,
)

name = "acled"
dataset = "acled"
id_column = "event_id_cnty"
essential: frozenset[str] = frozenset()
required: tuple[tuple[str, ...], ...] = (
    ("event_id_cnty",),
    ("event_date",),
    ("event_type",),
    ("actor1",),
    ("country", "iso"),
)

PUBLISHER = "Armed Conflict Location & Event Data (ACLED)"

# (event_type, sub_event_type) -> (outcome, tactics) of an offensive.
OFFENSIVES = {
    ("Battles", "Armed clash"): ("unknown", []),
    ("Battles", "Government regains territory"): ("territory_taken", []),
    ("Battles", "Non-state actor overtakes territory"): ("territory_taken", []),
    ("Explosions/Remote violence", "Air/drone strike"): ("unknown", ["air_strike"]),
    ("Explosions/Remote violence", "Shelling/artillery/missile attack"): ("unknown", ["artillery"]),
    ("Explosions/Remote violence", "Suicide bomb"): ("unknown", ["suicide_attack"]),
    ("Explosions/Remote violence", "Remote explosive/landmine/IED"): ("unknown", ["ied"]),
    ("Explosions/Remote violence", "Grenade"): ("unknown", ["other"]),
}
_OFFENSIVES = {(name_key(t), name_key(s)): v for (t, s), v in OFFENSIVES.items()}
STRATEGIC = "Strategic developments"
# A foreign force's non-violent transfer of territory is a base handed over, whatever the notes
# say: ACLED codes the actor taking the territory as actor1 or as actor2, and the notes say
# "handed over", "transferred", "turned over", "vacated" or "left" as their sources did.
TRANSFER = "Non-violent transfer of territory"
# In another Strategic development's notes: a withdrawal, or a base handed over ...
_HANDOVER = r"(hand|turn)(ed|s|ing)?\b[^.;]{0,80}?\bover|handover"
WITHDRAWAL = re.compile(
    rf"\b(withdr[ae]w\w*|pull(ed|s|ing)? out|{_HANDOVER}|departure|left the country)\b",
    re.IGNORECASE,
)
HANDOVER = re.compile(rf"\b({_HANDOVER})\b", re.IGNORECASE)
COMPLETED = re.compile(
    r"\b(complet\w*|last (US |American |foreign )?(troops|soldiers|forces))\b", re.I
)
DEADLINE = re.compile(r"\bdeadline\b", re.IGNORECASE)
# ... by a foreign force: another country's military, or an alliance's.
_FOREIGN = re.compile(
    r"^(Military Forces of (the )?(?P<country>.+?)( \(\d{4}-(\d{4})?\))?|NATO.*|"
    r"Coalition.*|Resolute Support.*|ISAF.*|International.*)$",
    re.IGNORECASE,
)
# time_precision (1 the day, 2 the week, 3 the month) -> date_precision
DATE_PRECISION = {"1": "day", "2": "week", "3": "month"}
# geo_precision (1 the town, 2 near it or part of a region, 3 a larger region) -> ours
GEO_PRECISION = {"1": "exact", "2": "near", "3": "province"}
# ACLED's names for actors our registry knows by another name; other names are kept as given.
actors: dict[str, str] = {
    "Military Forces of Afghanistan (2004-2021)": "Afghan National Defense and Security Forces",
    "Military Forces of the United States (2017-2021)": "United States Forces",
    "Military Forces of the United States (2021-)": "United States Forces",
    "Islamic State (Afghanistan)": "Islamic State Khorasan Province",
}


def release_of(path: Path) -> str | None:
    """ACLED files carry no release; give one with --release (e.g. the export's date)."""
    return None


def _day(row: Row) -> date:
    value = text(row, "event_date")
    if value is None:
        raise Unusable("event_date: empty")
    for pattern in ("%Y-%m-%d", "%d %B %Y", "%d-%B-%Y", "%d %b %Y", "%d-%b-%Y", "%m/%d/%Y"):
        try:
            day = datetime.strptime(value[:10] if pattern == "%Y-%m-%d" else value, pattern).date()
            break
        except ValueError:
            continue
    else:
        raise Unusable(f"event_date: {value!r} is not a date")
    year = text(row, "year")
    if day.year < 1000 and year and year.isdigit():  # ACLED's "0025-03-01" for 2025
        day = day.replace(year=int(year))
    return day


def _country(row: Row) -> str:
    code = countries.from_iso_number(text(row, "iso")) or countries.from_name(text(row, "country"))
    if code is None:
        raise Unusable(f"country: no ISO code for {text(row, 'country')!r}")
    return code


def _foreign(actor: str | None, country: str) -> bool:
    """Whether `actor` is a foreign force in `country`: another state's military (by a name
    ACLED gives it: "Military Forces of the United States (2021-)"), or an alliance's."""
    match = _FOREIGN.match(actor or "")
    if match is None:
        return False
    named = match.group("country")
    if named is None:
        return True
    code = countries.from_name(named)  # None for "the Islamic Emirate of Afghanistan"
    return code != country if code else name_key(countries.name_of(country)) not in name_key(named)


def _milestone(sub_type: str, notes: str) -> str:
    if HANDOVER.search(notes):
        return "base_handover"
    if DEADLINE.search(notes):
        return "deadline_agreed" if "agreement" in sub_type.lower() else "deadline_announced"
    if COMPLETED.search(notes):
        return "withdrawal_completed"
    return "withdrawal_started"


def _handover_sides(row: Row, country: str) -> tuple[str, str | None] | None:
    """The foreign force of a transfer of territory, and who it hands the place to: the other
    side, whichever column ACLED put the foreign force in (an actor or one associated with it)."""
    actor1, actor2 = text(row, "actor1"), text(row, "actor2")
    for actor, column, other in (
        (actor1, "assoc_actor_1", actor2),
        (actor2, "assoc_actor_2", actor1),
    ):
        associated = [a.strip() for a in (text(row, column) or "").split(";")]
        force = next((a for a in (actor, *associated) if a and _foreign(a, country)), None)
        if force is not None:
            return force, other
    return None


def _withdrawal(row: Row, country: str) -> dict[str, Any] | None:
    """A foreign force's withdrawal milestone, if a Strategic development is one."""
    event_type, sub_type = text(row, "event_type") or "", text(row, "sub_event_type") or ""
    if name_key(event_type) != name_key(STRATEGIC):
        return None
    actor1, actor2 = text(row, "actor1"), text(row, "actor2")
    notes = text(row, "notes") or ""
    force: str | None
    if name_key(sub_type) == name_key(TRANSFER):
        sides = _handover_sides(row, country)
        if sides is None:
            return None
        (force, handed_to), milestone = sides, "base_handover"
    elif WITHDRAWAL.search(notes) and _foreign(actor1, country):
        force, handed_to, milestone = actor1, actor2, _milestone(sub_type, notes)
    else:
        return None
    handover = milestone == "base_handover"
    return {
        "kind": "withdrawal_milestone",
        "milestone": milestone,
        "force": clip(actors.get(force or "", force), 200),
        "facility": clip(text(row, "location"), 500) if handover else None,
        "handed_to": clip(actors.get(handed_to or "", handed_to), 200) if handover else None,
    }


def _kind(row: Row, country: str) -> dict[str, Any]:
    event_type, sub_type = text(row, "event_type") or "", text(row, "sub_event_type") or ""
    offensive = _OFFENSIVES.get((name_key(event_type), name_key(sub_type)))
    if offensive is not None:
        return {"kind": "offensive", "outcome": offensive[0], "tactics": offensive[1]}
    return _withdrawal(row, country) or {"kind": "other"}


def _actors(row: Row, battle: bool) -> list[dict[str, str]]:
    named: list[tuple[str, str]] = []
    for column, role in (("actor1", "initiator"), ("actor2", "target")):
        if actor := text(row, column):
            named.append((actor, "participant" if battle else role))
    for column in ("assoc_actor_1", "assoc_actor_2"):
        named += [(a.strip(), "participant") for a in (text(row, column) or "").split(";")]
    unique: dict[str, dict[str, str]] = {}
    for actor, role in named:
        ours = actors.get(actor, actor)[:200]
        if ours and name_key(ours) not in unique:
            unique[name_key(ours)] = {"name": ours, "role": role}
    return list(unique.values())[:50]


def translate(row: Row, options: Options) -> Translated:
    event_id = text(row, "event_id_cnty")
    if event_id is None:
        raise Unusable("event_id_cnty: empty")
    day = _day(row)
    country = _country(row)
    notes: list[str] = []
    # As the source spells them: the import resolves them in the row's country, and keeps
    # what the gazetteer does not know as spelt (app.events.places).
    province, district = text(row, "admin1"), text(row, "admin2")
    location = text(row, "location")
    latitude, longitude = point(row, notes)
    event_type, sub_type = text(row, "event_type"), text(row, "sub_event_type")
    description = text(row, "notes")
    fatalities = secondary_number(row, "fatalities", notes)
    kind = _kind(row, country)
    publishers = [p.strip() for p in (text(row, "source") or "").split(";") if p.strip()]
    record: dict[str, Any] = {
        **kind,
        "date": day.isoformat(),
        "date_precision": DATE_PRECISION.get(text(row, "time_precision") or "1", "day"),
        "country": country,
        "province": clip(province, 200),
        "district": clip(district, 200),
        "location": clip(location, 500),
        "latitude": latitude,
        "longitude": longitude,
        "geo_precision": GEO_PRECISION.get(text(row, "geo_precision") or "")
        if latitude is not None
        else None,
        "actors": _actors(row, name_key(event_type or "") == name_key("Battles")),
        "summary": clip(description, 20_000)
        or f"{event_type}: {sub_type or 'unspecified'}, {location or country}.",
        "fatalities": (
            {"value": fatalities, "qualifier": "at_least", "claimed_by": "ACLED"}
            if fatalities is not None
            else None
        ),
        "sources": [
            *({"publisher": clip(p, 200)} for p in publishers[:49]),
            {
                "publisher": PUBLISHER,
                "title": f"ACLED event {event_id}",
                "quote": clip(description, 20_000),
            },
        ],
        "source_event_type": clip(event_type, 200),
        "source_sub_event_type": clip(sub_type, 200),
        "dataset": options.dataset,
        "external_id": event_id,
        "release": options.release,
    }
    return Translated(record, notes)


# Our records as ACLED rows (GET /api/acled/read). ---------------------------------------------

# ACLED's columns, in the order of its exports (2023+ layout).
COLUMNS = (
    "event_id_cnty", "event_date", "year", "time_precision", "disorder_type", "event_type",
    "sub_event_type", "actor1", "assoc_actor_1", "inter1", "actor2", "assoc_actor_2", "inter2",
    "interaction", "civilian_targeting", "iso", "region", "country", "admin1", "admin2", "admin3",
    "location", "latitude", "longitude", "geo_precision", "source", "source_scale", "notes",
    "fatalities", "tags", "timestamp",
)  # fmt: skip
NUMBER_COLUMNS = frozenset(
    {"year", "time_precision", "iso", "latitude", "longitude", "geo_precision", "fatalities",
     "timestamp"}
)  # fmt: skip
# Filters on these default to LIKE (case-insensitive, part of the text); on the others to `=`.
LIKE_COLUMNS = frozenset(
    {"event_id_cnty", "disorder_type", "event_type", "sub_event_type", "actor1", "actor2",
     "assoc_actor_1", "assoc_actor_2", "civilian_targeting", "admin1", "admin2", "admin3",
     "location", "source", "source_scale", "notes", "tags"}
)  # fmt: skip

DISORDER = {
    "Battles": "Political violence",
    "Explosions/Remote violence": "Political violence",
    "Violence against civilians": "Political violence",
    "Protests": "Demonstrations",
    "Riots": "Demonstrations",
    STRATEGIC: "Strategic developments",
}
# Our tactics -> ACLED's sub-event of Explosions/Remote violence (the first that applies).
_TACTIC_SUB_EVENTS = {
    "air_strike": "Air/drone strike",
    "drone_strike": "Air/drone strike",
    "artillery": "Shelling/artillery/missile attack",
    "suicide_attack": "Suicide bomb",
    "ied": "Remote explosive/landmine/IED",
}
_MILESTONE_SUB_EVENTS = {
    "base_handover": "Non-violent transfer of territory",
    "deadline_agreed": "Agreement",
}
# ACLED's regions, by ISO 3166-1 alpha-3.
REGIONS = {
    code: region
    for region, codes in {
        "Caucasus and Central Asia": "AFG ARM AZE GEO KAZ KGZ TJK TKM UZB",
        "South Asia": "BGD BTN IND LKA MDV NPL PAK",
        "Middle East": "ARE BHR CYP EGY IRN IRQ ISR JOR KWT LBN OMN PSE QAT SAU SYR TUR YEM",
        "Southeast Asia": "BRN IDN KHM LAO MMR MYS PHL SGP THA TLS VNM",
        "East Asia": "CHN HKG JPN KOR MNG PRK TWN",
        "Northern Africa": "DZA LBY MAR SDN TUN",
        "Western Africa": "BEN BFA CIV CPV GHA GIN GMB GNB LBR MLI MRT NER NGA SEN SLE TGO",
        "Middle Africa": "AGO CAF CMR COD COG GAB GNQ STP TCD",
        "Eastern Africa": "BDI COM DJI ERI ETH KEN MDG MOZ MUS MWI RWA SOM SSD SYC TZA UGA ZMB ZWE",
        "Southern Africa": "BWA LSO NAM SWZ ZAF",
        "Europe": "ALB AUT BEL BGR BIH BLR CHE CZE DEU DNK ESP EST FIN FRA GBR GRC HRV HUN IRL "
        "ISL ITA LTU LUX LVA MDA MKD MLT MNE NLD NOR POL PRT ROU RUS SRB SVK SVN SWE UKR XKX",
        "North America": "CAN USA",
        "Central America": "BLZ CRI GTM HND MEX NIC PAN SLV",
        "Caribbean": "BHS BRB CUB DMA DOM GRD HTI JAM KNA LCA TTO VCT",
        "South America": "ARG BOL BRA CHL COL ECU GUY PER PRY SUR URY VEN",
        "Oceania": "AUS FJI NZL PNG SLB VUT WSM",
    }.items()
    for code in codes.split()
}
_PERIOD = re.compile(r"\((\d{4})-(\d{4})?\)$")  # ACLED names a state's forces per government
_TIME_PRECISION = {"day": 1, "week": 2, "month": 3, "year": 3}
_GEO_PRECISION = {"exact": 1, "near": 2}


def event_id(record: dict[str, Any]) -> str:
    """ACLED's id kept from an ACLED import; otherwise the country's code and our id (AFG123)."""
    if record.get("dataset") == dataset and record.get("external_id"):
        return str(record["external_id"])
    return f"{record['country']}{record['id']}"


def _types(record: dict[str, Any]) -> tuple[str, str]:
    """ACLED's event_type and sub_event_type: kept from an ACLED import, else from our kind."""
    if record.get("dataset") == dataset and record.get("source_event_type"):
        return record["source_event_type"], record.get("source_sub_event_type") or ""
    kind = record["kind"]
    if record.get("source_event_type") == "one-sided violence":  # UCDP's
        return "Violence against civilians", "Attack"
    if kind == "offensive":
        for tactic in record.get("tactics") or []:
            if tactic in _TACTIC_SUB_EVENTS:
                return "Explosions/Remote violence", _TACTIC_SUB_EVENTS[tactic]
        if record.get("outcome") == "territory_taken":
            return "Battles", "Non-state actor overtakes territory"
        return "Battles", "Armed clash"
    if kind == "withdrawal_milestone":
        return STRATEGIC, _MILESTONE_SUB_EVENTS.get(record.get("milestone") or "", "Other")
    return STRATEGIC, "Other"


def _admin1(record: dict[str, Any]) -> str:
    """ACLED's spelling: as an ACLED file gave it, else the gazetteer's ACLED alias, else ours."""
    if record.get("dataset") == "acled" and record.get("province_as_given"):
        return str(record["province_as_given"])
    key = record.get("province_pcode") or record.get("province_iso_3166_2")
    province = get_gazetteer().provinces.get(key) if key else None
    if province and province.acled_name != province.name:
        return province.acled_name
    return record.get("province") or ""


def _their_name(actor: str | None, year: int) -> str:
    """ACLED's name for one of our actors: of several, the one whose period holds the year
    (the latest to begin, as governments follow each other)."""
    if not actor:
        return ""
    best, begun = actor, -1
    for theirs, ours in actors.items():
        if ours != actor:
            continue
        period = _PERIOD.search(theirs)
        start = int(period.group(1)) if period else 0
        end = int(period.group(2)) if period and period.group(2) else 9999
        if start <= year <= end and start > begun:
            best, begun = theirs, start
    return best


def to_row(record: dict[str, Any]) -> dict[str, Any]:
    """A record (as GET /v1/events gives it) as an ACLED row: ACLED's names, types and order."""
    event_type, sub_type = _types(record)
    named: list[dict[str, str]] = list(record.get("actors") or [])
    first = next((a for a in named if a["role"] == "initiator"), named[0] if named else None)
    rest = [a for a in named if a is not first]
    second = next((a for a in rest if a["role"] == "target"), rest[0] if rest else None)
    others = [a["name"] for a in rest if a is not second]
    year = int(str(record["date"])[:4])
    fatalities = record.get("fatalities")
    publishers = [
        s["publisher"] for s in record.get("sources") or [] if s["publisher"] != PUBLISHER
    ]
    day = record["date"]
    day = day if isinstance(day, str) else day.isoformat()
    updated = record["updated_at"]
    return {
        "event_id_cnty": event_id(record),
        "event_date": day,
        "year": year,
        "time_precision": _TIME_PRECISION.get(record.get("date_precision") or "day", 1),
        "disorder_type": DISORDER.get(event_type, ""),
        "event_type": event_type,
        "sub_event_type": sub_type,
        "actor1": _their_name(first["name"] if first else None, year),
        "assoc_actor_1": "; ".join(_their_name(n, year) for n in others),
        "inter1": "",
        "actor2": _their_name(second["name"] if second else None, year),
        "assoc_actor_2": "",
        "inter2": "",
        "interaction": "",
        "civilian_targeting": "Civilian targeting"
        if event_type == "Violence against civilians"
        else "",
        "iso": countries.iso_number(record["country"]),
        "region": REGIONS.get(record["country"], ""),
        "country": countries.name_of(record["country"]),
        "admin1": _admin1(record),
        "admin2": record.get("district") or "",
        "admin3": "",
        "location": record.get("location")
        or record.get("district")
        or record.get("province")
        or "",
        "latitude": record.get("latitude"),
        "longitude": record.get("longitude"),
        "geo_precision": _GEO_PRECISION.get(record.get("geo_precision") or "", 3),
        "source": "; ".join(publishers),
        "source_scale": "",
        "notes": record.get("summary") or "",
        "fatalities": fatalities["value"] if fatalities else 0,
        "tags": "",
        "timestamp": int(updated.timestamp()) if hasattr(updated, "timestamp") else updated,
    }
