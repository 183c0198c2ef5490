"""UCDP GED CSV files (releases 19.1 to 25.1) as our records.

Columns are read by name, so releases that add, drop or reorder columns all load; only the
columns below in REQUIRED must be there. Each event becomes an `offensive` (UCDP's events are
fatal attacks and clashes) that keeps UCDP's type of violence as `source_event_type`, its sides as
actors, its low/best/high deaths as one fatalities figure with its range, and its source columns
as sources. The tables below are the whole mapping; README lists them for users.
"""

import re
from datetime import date
from pathlib import Path
from typing import Any

from app.core.types import EARLIEST_DAY, LATEST_DAY
from app.sources import countries
from app.sources.tabular import (
    Options,
    Row,
    Translated,
    Unusable,
    clip,
    number,
    point,
    secondary_number,
    text,
)

name = "ucdp"
dataset = "ucdp-ged"
id_column = "id"
# A UCDP event without its best estimate is not UCDP's event: a bad `best` rejects the row.
essential = frozenset({"fatalities"})
required: tuple[tuple[str, ...], ...] = (
    ("id",),
    ("date_start",),
    ("type_of_violence",),
    ("side_a",),
    ("side_b",),
    ("best",),
    ("iso3", "country", "country_id"),
)

# type_of_violence -> source_event_type
VIOLENCE = {"1": "state-based violence", "2": "non-state violence", "3": "one-sided violence"}
# date_prec (1 exact day; 2 within 2-6 days; 3 the week; 4 the month; 5 the year) -> ours; the
# span is UCDP's own date_start..date_end, kept as date..end_date.
DATE_PRECISION = {"1": "day", "2": "week", "3": "week", "4": "month", "5": "year"}
# where_prec (1 the place; 2 within 25 km; 3 the district; 4 the province; 5 a part of the
# country; 6 the country; 7 international waters or airspace) -> geo_precision
GEO_PRECISION = {
    "1": "exact",
    "2": "near",
    "3": "district",
    "4": "province",
    "5": "country",
    "6": "country",
    "7": "country",
}
# UCDP's names for actors our registry knows by another name; other names are kept as given.
actors: dict[str, str] = {
    "Taleban": "Taliban",
    "Government of United States of America": "Government of the United States",
}


def release_of(path: Path) -> str | None:
    """UCDP's release from a file name: ged241.csv, GEDEvent_v25_1.csv, ucdp-ged-241-x.csv."""
    match = re.search(
        r"ged\w*?[-_ ]?v?(\d{2})[._-]?(\d{1,2})(?:[._-](\d{1,2}))?(?!\d)", path.name, re.I
    )
    if match is None:
        return None
    candidate = f".{int(match.group(3))}" if match.group(3) else ""  # monthly: 25.0.7
    return f"{match.group(1)}.{int(match.group(2))}{candidate}"


def _day(value: str | None, column: str) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value[:10])  # "2013-12-13" or "2013-12-13 00:00:00.000"
    except ValueError:
        raise Unusable(f"{column}: {value!r} is not a date") from None


def _end(row: Row, start: date, notes: list[str]) -> date | None:
    """date_end, unless it is not a date or falls before date_start: then left out, noted."""
    try:
        end = _day(text(row, "date_end"), "date_end")
    except Unusable as error:
        notes.append(f"{error}: left out")
        return None
    if end is not None and end < start:
        notes.append(f"date_end {end} before date_start {start}: left out")
        return None
    return end


def _first_day(value: str | None, notes: list[str]) -> str | None:
    """The first valid date of a ';'-separated list (UCDP's source_date), as ISO text. UCDP
    writes 1753-01-01 (SQL Server's first day) for an unknown date: it, and any date outside
    what a record may hold, is left out with a note."""
    for part in (value or "").split(";"):
        try:
            day = date.fromisoformat(part.strip()[:10])
        except ValueError:
            continue
        if EARLIEST_DAY <= day <= LATEST_DAY:
            return day.isoformat()
        notes.append(f"source_date {day} left out (UCDP's placeholder for an unknown date)")
    return None


def _country(row: Row) -> str:
    code = (text(row, "iso3") or "").upper() or None
    code = code or countries.from_name(text(row, "country"))
    code = code or countries.from_gleditsch_ward(text(row, "country_id"))
    if code is None:
        raise Unusable(
            f"country: no ISO code for {text(row, 'country')!r} "
            f"(country_id {text(row, 'country_id')!r})"
        )
    return code


def translate(row: Row, options: Options) -> Translated:
    event_id = text(row, "id")
    if event_id is None:
        raise Unusable("id: empty")
    violence = text(row, "type_of_violence") or ""
    if violence not in VIOLENCE:
        raise Unusable(f"type_of_violence: {violence!r} is not 1, 2 or 3")
    start = _day(text(row, "date_start"), "date_start")
    if start is None:
        raise Unusable("date_start: empty")
    country = _country(row)
    best = number(row, "best")
    if best is None:
        raise Unusable("best: empty")
    notes: list[str] = []
    end = _end(row, start, notes)
    # As UCDP spells them ("Barisāl Division"): the import resolves them in the row's country
    # and keeps what the gazetteer does not know as spelt (app.events.places).
    province, district = text(row, "adm_1"), text(row, "adm_2")
    location = text(row, "where_coordinates", "where_description")
    side_a, side_b = text(row, "side_a") or "unknown", text(row, "side_b") or "unknown"
    roles = ("initiator", "target") if violence == "3" else ("participant", "participant")
    low, high = secondary_number(row, "low", notes), secondary_number(row, "high", notes)
    if low is not None and low > best:  # real rows have this (84006: low 0, best 3, high 0)
        notes.append(f"low {low} above best {best}: low left out")
        low = None
    if high is not None and high < best:
        notes.append(f"high {high} below best {best}: high left out")
        high = None
    ranged = (low is not None and low != best) or (high is not None and high != best)
    latitude, longitude = point(row, notes)
    where_prec = text(row, "where_prec")
    record: dict[str, Any] = {
        "kind": "offensive",
        "outcome": "unknown",
        "date": start.isoformat(),
        "end_date": end.isoformat() if end and end != start else None,
        "date_precision": DATE_PRECISION.get(text(row, "date_prec") or "1", "day"),
        "country": country,
        "province": clip(province, 200),
        "district": clip(district, 200),
        "location": clip(location, 500),
        "latitude": latitude,
        "longitude": longitude,
        "geo_precision": GEO_PRECISION.get(where_prec or "") if latitude is not None else None,
        "actors": [
            {"name": clip(actors.get(side_a, side_a), 200), "role": roles[0]},
            {"name": clip(actors.get(side_b, side_b), 200), "role": roles[1]},
        ],
        "summary": _summary(row, VIOLENCE[violence], (side_a, side_b), (best, low, high), notes),
        "fatalities": {
            "value": best,
            "qualifier": "about" if ranged else "exact",
            "claimed_by": "UCDP",
            "low": low,
            "high": high,
        },
        "sources": _sources(row, event_id, notes),
        "source_event_type": VIOLENCE[violence],
        "dataset": options.dataset,
        "external_id": event_id,
        "release": options.release,
    }
    return Translated(record, notes)


def _summary(
    row: Row,
    violence: str,
    sides: tuple[str, str],
    deaths: tuple[int, int | None, int | None],
    notes: list[str],
) -> str:
    (side_a, side_b), (best, low, high) = sides, deaths
    place = ", ".join(p for p in (text(row, "where_coordinates"), text(row, "adm_1")) if p)
    words = [f"{violence.capitalize()}: {text(row, 'dyad_name') or f'{side_a} - {side_b}'}"]
    if place:
        words[0] += f", at {place}"
    killed = f"{best} killed (UCDP's best estimate"
    if low is not None and high is not None:
        killed += f"; low {low}, high {high}"
    killed += ")"
    parts = []
    for label, column in (
        ("side A", "deaths_a"),
        ("side B", "deaths_b"),
        ("civilians", "deaths_civilians"),
        ("unknown", "deaths_unknown"),
    ):
        count = secondary_number(row, column, notes)
        if count is not None:
            parts.append(f"{label} {count}")
    if parts:
        killed += f": {', '.join(parts)}"
    return f"{words[0]}. {killed}."


def _sources(row: Row, event_id: str, notes: list[str]) -> list[dict[str, Any]]:
    original = text(row, "source_original")
    ucdp = {  # not naming the release: a row a newer release repeats is the same record
        "publisher": "UCDP Georeferenced Event Dataset",
        "title": clip(
            f"GED event {event_id}" + (f"; original source: {original}" if original else ""), 500
        ),
    }
    office, headline = text(row, "source_office"), text(row, "source_headline")
    if not (office or headline):
        return [ucdp]
    reported = {
        "publisher": clip(office or "unknown", 200),
        "title": clip(headline, 500),
        "published_on": _first_day(text(row, "source_date"), notes),
    }
    return [reported, ucdp]
