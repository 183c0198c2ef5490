"""Our records as UCDP GED rows, for GET /api/gedevents/<version> (app/ucdp/README.md).

The other direction (a GED row into our record) is app/sources/ucdp.py's `translate`; this
module reads what it stored back out. A record imported from GED gets its GED id and values
back; any other record is mapped, with the rules below. Columns GED has and our records do not
keep are null.
"""

import math
import re
from datetime import date
from typing import Any

from app.sources import countries, ucdp

# GED's columns, in the order of UCDP's API (GED 25.1).
COLUMNS = (
    "id", "relid", "year", "active_year", "code_status", "type_of_violence", "conflict_dset_id",
    "conflict_new_id", "conflict_name", "dyad_dset_id", "dyad_new_id", "dyad_name",
    "side_a_dset_id", "side_a_new_id", "side_a", "side_b_dset_id", "side_b_new_id", "side_b",
    "number_of_sources", "source_article", "source_office", "source_date", "source_headline",
    "source_original", "where_prec", "where_coordinates", "where_description", "adm_1", "adm_2",
    "latitude", "longitude", "geom_wkt", "priogrid_gid", "country", "country_id", "region",
    "event_clarity", "date_prec", "date_start", "date_end", "deaths_a", "deaths_b",
    "deaths_civilians", "deaths_unknown", "best", "high", "low", "gwnoa", "gwnob",
)  # fmt: skip
INTEGER_COLUMNS = frozenset(
    {"id", "year", "type_of_violence", "conflict_new_id", "dyad_new_id", "side_a_new_id",
     "side_b_new_id", "number_of_sources", "where_prec", "priogrid_gid", "country_id",
     "event_clarity", "date_prec", "deaths_a", "deaths_b", "deaths_civilians", "deaths_unknown",
     "best", "high", "low"}
)  # fmt: skip
NUMBER_COLUMNS = frozenset({"latitude", "longitude"})
BOOLEAN_COLUMNS = frozenset({"active_year"})

# A record not imported from GED gets this plus our id as its GED id: above every id GED has
# given (about 600,000 by 2025), within UCDP's 32-bit integers.
OWN_ID_OFFSET = 1_000_000_000

# Gleditsch-Ward numbers of ISO codes, the inverse of app/sources/countries.GLEDITSCH_WARD; where
# two states share one of today's codes, today's state's number.
_PREFERRED = {"DEU": 255, "CZE": 316, "YEM": 678, "VNM": 816}
GW_OF_ISO: dict[str, int] = {
    code: _PREFERRED.get(code, number)
    for number, code in sorted(countries.GLEDITSCH_WARD.items(), reverse=True)
}


def _as_ucdp_spelt(record: dict[str, Any], level: str) -> Any:
    """A GED row's own spelling ("Barisāl Division") for its records; our canonical name else."""
    if str(record.get("dataset") or "").startswith("ucdp") and record.get(f"{level}_as_given"):
        return record[f"{level}_as_given"]
    return record.get(level)


def gleditsch_ward(code: str) -> int | None:
    return GW_OF_ISO.get(code)


def region_of(number: int | None) -> str | None:
    """UCDP's region of a Gleditsch-Ward number, by the range it lies in."""
    if number is None:
        return None
    for last, region in ((199, "Americas"), (399, "Europe"), (629, "Africa"), (699, "Middle East")):
        if number <= last:
            return region
    return "Asia"


# UCDP's names for our actors (the inverse of the import's table); the registry's aliases of
# source "ucdp" add to it (service.ucdp_names).
THEIR_NAMES = {ours: [theirs] for theirs, ours in ucdp.actors.items()}
_VIOLENCE_CODES = {text: int(code) for code, text in ucdp.VIOLENCE.items()}
# An actor that is a state's forces, for the type of violence of our own offensives.
_STATE = re.compile(
    r"\b(government|army|military|armed forces|security forces|defen[cs]e forces|police|"
    r"forces)\b",
    re.IGNORECASE,
)
_CIVILIANS = re.compile(r"^civilians?\b", re.IGNORECASE)
_WHERE_PREC = {"exact": 1, "near": 2, "district": 3, "province": 4}
_DATE_PREC = {"day": 1, "month": 4, "year": 5}
# The deaths by side, as the import writes them into the summary.
_DEATHS = re.compile(
    r"(?:side A (?P<a>\d+))?(?:, )?(?:side B (?P<b>\d+))?(?:, )?(?:civilians (?P<c>\d+))?"
    r"(?:, )?(?:unknown (?P<u>\d+))?\.$"
)
_UCDP_TITLE = re.compile(r"^GED event \S+(?:; original source: (?P<original>.*))?$", re.DOTALL)


def from_ged(record: dict[str, Any]) -> bool:
    """Whether the record was imported from a GED file (and so keeps GED's id)."""
    external = record.get("external_id") or ""
    return record.get("dataset") == ucdp.dataset and external.isascii() and external.isdigit()


def ged_id(record: dict[str, Any]) -> int:
    """GED's id kept from a GED import; otherwise OWN_ID_OFFSET plus our id."""
    if from_ged(record):
        return int(record["external_id"])
    return OWN_ID_OFFSET + int(record["id"])


def type_of_violence(record: dict[str, Any]) -> int | None:
    """1 state-based, 2 non-state, 3 one-sided: kept from GED; for our own offensives, 3 when
    an actor is civilians, 1 when one is a state's forces, else 2; null for other kinds."""
    kept = _VIOLENCE_CODES.get(record.get("source_event_type") or "")
    if kept is not None:
        return kept
    if record.get("kind") != "offensive":
        return None
    names = [a["name"] for a in record.get("actors") or []]
    if any(_CIVILIANS.match(n) for n in names):
        return 3
    if any(_STATE.search(n) for n in names):
        return 1
    return 2


def _their_name(
    actor: dict[str, str] | None, record: dict[str, Any], names: dict[str, list[str]]
) -> str | None:
    """UCDP's name for an actor: of its UCDP names, the one the summary of a GED row gives
    (its dyad), else the first; our own name when UCDP has none."""
    if actor is None:
        return None
    theirs = names.get(actor["name"])
    if not theirs:
        return actor["name"]
    dyad = (record.get("summary") or "").split(", at ")[0].split(". ")[0]
    sides = dyad.partition(": ")[2].split(" - ")
    return next((n for n in theirs if n in sides), theirs[0])


def _sides(record: dict[str, Any], names: dict[str, list[str]]) -> tuple[str | None, str | None]:
    named: list[dict[str, str]] = list(record.get("actors") or [])
    first = next((a for a in named if a["role"] == "initiator"), named[0] if named else None)
    rest = [a for a in named if a is not first]
    second = next((a for a in rest if a["role"] == "target"), rest[0] if rest else None)
    return _their_name(first, record, names), _their_name(second, record, names)


def _day(value: Any) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value)[:10])


def date_prec(precision: str | None, start: date, end: date) -> int:
    """GED's date_prec: a week is 2 (within 2-6 days) when the span is shorter than 6 days."""
    if precision == "week":
        return 2 if (end - start).days < 6 else 3
    return _DATE_PREC.get(precision or "day", 1)


def where_prec(record: dict[str, Any]) -> int | None:
    """GED's where_prec: a country-wide place is 5 (a part of the country) when a province is
    named, else 6; null without coordinates."""
    if record.get("latitude") is None or record.get("longitude") is None:
        return None
    precision = record.get("geo_precision")
    if precision in _WHERE_PREC:
        return _WHERE_PREC[precision]
    if precision == "country":
        return 5 if record.get("province") else 6
    return 4 if record.get("province") else 6


def priogrid(latitude: float | None, longitude: float | None) -> int | None:
    """The PRIO-GRID cell (half a degree) of a point."""
    if latitude is None or longitude is None:
        return None
    row = min(math.floor((latitude + 90) / 0.5), 359)
    column = min(math.floor((longitude + 180) / 0.5), 719)
    return row * 720 + column + 1


def _deaths(record: dict[str, Any]) -> dict[str, int | None]:
    empty: dict[str, int | None] = dict.fromkeys(
        ("deaths_a", "deaths_b", "deaths_civilians", "deaths_unknown")
    )
    if not from_ged(record):
        return empty
    summary = record.get("summary") or ""
    head, _, tail = summary.rpartition("): ")
    match = _DEATHS.fullmatch(tail) if head else None
    if match is None:
        return empty
    return {
        column: int(match.group(group)) if match.group(group) is not None else None
        for column, group in zip(empty, "abcu", strict=True)
    }


def _sources(record: dict[str, Any]) -> dict[str, Any]:
    sources: list[dict[str, Any]] = list(record.get("sources") or [])
    ucdp_entries = [s for s in sources if s.get("publisher") == "UCDP Georeferenced Event Dataset"]
    reports = [s for s in sources if s not in ucdp_entries]
    # The import names a report without source_office "unknown": GED's row had none.
    placeholder = ("unknown",) if from_ged(record) else ()
    original = None
    for entry in ucdp_entries:
        match = _UCDP_TITLE.match(entry.get("title") or "")
        if match and match.group("original"):
            original = match.group("original")

    def joined(key: str) -> str | None:
        values = [str(s[key]) for s in reports if s.get(key) and s[key] not in placeholder]
        return "; ".join(values) or None

    return {
        "number_of_sources": None if from_ged(record) else len(reports),
        "source_article": None,
        "source_office": joined("publisher"),
        "source_date": joined("published_on"),
        "source_headline": joined("title"),
        "source_original": original,
    }


def _figures(record: dict[str, Any]) -> dict[str, int | None]:
    figure = record.get("fatalities") or {}
    best = figure.get("value")
    if best is None:
        return {"best": None, "high": None, "low": None}
    if from_ged(record):  # as imported: a side dropped for not holding best stays null
        return {"best": best, "high": figure.get("high"), "low": figure.get("low")}
    low, high = figure.get("low"), figure.get("high")
    return {
        "best": best,
        "high": best if high is None else high,
        "low": best if low is None else low,
    }


def to_row(record: dict[str, Any], names: dict[str, list[str]] | None = None) -> dict[str, Any]:
    """A record (as GET /v1/events gives it) as a GED row: GED's columns, types and order;
    `names`: UCDP's names of our actors (default THEIR_NAMES)."""
    start = _day(record["date"])
    end = _day(record["end_date"]) if record.get("end_date") else start
    side_a, side_b = _sides(record, THEIR_NAMES if names is None else names)
    latitude, longitude = record.get("latitude"), record.get("longitude")
    if latitude is None or longitude is None:
        latitude = longitude = None
    number = gleditsch_ward(record["country"])
    row: dict[str, Any] = dict.fromkeys(COLUMNS)
    row.update(
        {
            "id": ged_id(record),
            "year": start.year,
            "type_of_violence": type_of_violence(record),
            "dyad_name": f"{side_a} - {side_b}" if side_a and side_b else side_a,
            "side_a": side_a,
            "side_b": side_b,
            "where_prec": where_prec(record),
            "where_coordinates": record.get("location"),
            "adm_1": _as_ucdp_spelt(record, "province"),
            "adm_2": _as_ucdp_spelt(record, "district"),
            "latitude": latitude,
            "longitude": longitude,
            "geom_wkt": f"POINT ({longitude} {latitude})" if latitude is not None else None,
            "priogrid_gid": priogrid(latitude, longitude),
            "country": countries.name_of(record["country"]),
            "country_id": number,
            "region": region_of(number),
            "date_prec": date_prec(record.get("date_precision"), start, end),
            "date_start": f"{start.isoformat()}T00:00:00",
            "date_end": f"{end.isoformat()}T00:00:00",
            **_sources(record),
            **_deaths(record),
            **_figures(record),
        }
    )
    return row
