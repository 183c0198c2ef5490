"""The date a report was published, when the text states it: a dateline ("KABUL, June 22
(Xinhua) --") or a publication line ("Published June 22, 2021")."""

import re
from dataclasses import dataclass
from datetime import date

from app.reports.timex import MONTHS

_MONTH = r"(?P<month>" + "|".join(sorted(MONTHS, key=len, reverse=True)) + r")\.?"
_WEEKDAY = r"(?:(?:Mon|Tues|Wednes|Thurs|Fri|Satur|Sun)day,?\s+)?"
_DATE = (
    rf"{_WEEKDAY}(?:{_MONTH}\s+(?P<day>\d{{1,2}})(?:st|nd|rd|th)?(?:,?\s+(?P<year>\d{{4}}))?"
    rf"|(?P<day2>\d{{1,2}})\s+{_MONTH.replace('month', 'month2')}(?:,?\s+(?P<year2>\d{{4}}))?"
    r"|(?P<iso>\d{4}-\d{2}-\d{2}))"
)
_DATELINE = re.compile(
    # "KABUL", or a name in title case followed by a date or an agency: "Mazar-i-Sharif, 3 Aug"
    rf"^\s*(?P<place>[A-Z][A-Z .'\u2019-]{{2,40}}?"
    r"|[A-Z][a-z]+(?:[ -](?:[a-z]{1,2}-)?[A-Z][a-z]+){0,2}(?=,\s+(?:[A-Z][a-z]+\.?,?\s+)?\d|\s+\())"
    rf"(?:,\s+(?:[A-Z][a-z]+,?\s+)?(?:{_DATE}\s*)?"
    r"(?:\((?P<agency>[^)]{1,40})\)\s*)?"
    # or with no comma, an agency in brackets: "KABUL (AFP) -"
    r"|\s+\((?P<agency2>[^)]{1,40})\)\s*)\.?(?:--|\u2014|\u2013|-|:)\s*",
)
_PUBLISHED = re.compile(
    rf"^\s*(?:Published|Posted|Updated|Dated?)(?:\s+on)?\s*:?\s*{_DATE}", re.IGNORECASE
)
_FULL_DATE = re.compile(rf"\b{_DATE}")
# A line that is only a full date, or opens the story with one: "July 12, 2021", "3 August
# 2021 - Fighting ..."
_DATE_LINE = re.compile(rf"^\s*{_DATE}\s*(?:$|(?:--|\u2014|\u2013|-|:)\s*)")
# A heading that ends with its own full date: "Flash Update No. 2 - Conflict in the north
# (11 August 2021)", "Weekly report - 3 May 2021". A heading is a line without a full stop.
_HEADING_PUNCTUATION = " \t\r\n()[],-\u2013\u2014"
_HEADING_DATE = re.compile(rf"(?:\(|\[|,|\s[\u2013\u2014-])\s*{_DATE}\s*[)\]]?\s*$")


@dataclass(frozen=True)
class Anchor:
    published_on: date | None
    explanation: str
    body_start: int  # where the narrative starts (after a dateline)
    place: str | None = None  # the dateline's place ("KANDAHAR"), where the reporter files from


def _parse(match: re.Match[str]) -> tuple[int | None, int, int] | None:
    if match.group("iso"):
        year, month, day = (int(p) for p in match.group("iso").split("-"))
        return year, month, day
    month_name = match.group("month") or match.group("month2")
    day_text = match.group("day") or match.group("day2")
    if not month_name or not day_text:
        return None
    year_text = match.group("year") or match.group("year2")
    return (int(year_text) if year_text else None), MONTHS[month_name], int(day_text)


def _valid(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


def find_anchor(text: str) -> Anchor:
    """The publication date the text states, and where its narrative starts."""
    lines = text.splitlines(keepends=True)
    offset = 0
    date_line: Anchor | None = None  # "12 July 2021" on a line of its own, before a dateline
    for line in lines[:4]:
        if date_line is not None and not line.strip():
            offset += len(line)
            continue
        published = _PUBLISHED.match(line)
        if published:
            parts = _parse(published)
            if parts and parts[0]:
                found = _valid(parts[0], parts[1], parts[2])
                if found:
                    # a dateline may still open the story: "PUL-I-ALAM (Pajhwok): ..."
                    quote = published.group(0).strip()
                    date_line = Anchor(found, f"publication line '{quote}'", 0)
                    offset += len(line)
                    continue
        heading = None if line.rstrip().endswith(".") else _HEADING_DATE.search(line)
        if heading:
            parts = _parse(heading)
            found = _valid(parts[0], parts[1], parts[2]) if parts and parts[0] else None
            if found:
                stated = heading.group(0).strip(_HEADING_PUNCTUATION)
                note = f"heading dated '{stated}'"
                return Anchor(found, note, offset + len(line))
        alone = _DATE_LINE.match(line)
        if alone:
            parts = _parse(alone)
            found = _valid(parts[0], parts[1], parts[2]) if parts and parts[0] else None
            if found:
                stated = alone.group(0).strip(_HEADING_PUNCTUATION + ":")
                date_line = Anchor(found, f"date line '{stated}'", offset + alone.end())
                offset += len(line)
                continue
        dateline = _DATELINE.match(line)
        if date_line is not None:
            if dateline is None:
                return date_line
            place = dateline.group("place").strip()
            return Anchor(
                date_line.published_on, date_line.explanation, offset + dateline.end(), place
            )
        if dateline:
            body_start = offset + dateline.end()
            place = dateline.group("place").strip()
            quote = line[: dateline.end()].strip()
            dated = dateline.group("month") or dateline.group("month2") or dateline.group("iso")
            parts = _parse(dateline) if dated else None
            if parts is None:
                return Anchor(None, f"dateline '{quote}' gives no date", body_start, place)
            year, month, day = parts
            if year is None:
                year = _year_elsewhere(text)
                if year is None:
                    return Anchor(None, f"dateline '{quote}' gives no year", body_start, place)
                found = _valid(year, month, day)
                note = f"dateline '{quote}', year {year} from a date in the text"
                return Anchor(found, note, body_start, place)
            return Anchor(_valid(year, month, day), f"dateline '{quote}'", body_start, place)
        offset += len(line)
    if date_line is not None:
        return date_line
    return Anchor(None, "no dateline or publication line", 0)


def _year_elsewhere(text: str) -> int | None:
    for match in _FULL_DATE.finditer(text):
        year = match.group("year") or match.group("year2")
        if year:
            return int(year)
    return None
