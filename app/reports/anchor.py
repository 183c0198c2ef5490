"""The date a report was published, when the text states it: a dateline ("KABUL, June 22
(Xinhua) --", "Kabul, 12 July 2021 (AFP) -", "KABUL —"), a publication line ("Published June 22,
2021"), a heading that ends with its date, or a line that is only a date or a timestamp."""

import re
from dataclasses import dataclass
from datetime import date

from app.reports.timex import MONTHS

_MONTH = r"(?P<month>" + "|".join(sorted(MONTHS, key=len, reverse=True)) + r")(?![a-z])\.?"
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
    r"|\s+\((?P<agency2>[^)]{1,40})\)\s*|(?<=[A-Z])\s+(?=--|\u2014|\u2013))\.?(?:--|\u2014|\u2013|-|:)\s*",
)
_PUBLISHED = re.compile(
    rf"^\s*(?:Published|Posted|Updated|Dated?)(?:\s+on)?\s*:?\s*{_DATE}", re.IGNORECASE
)
_FULL_DATE = re.compile(rf"\b{_DATE}")
# A line that is only a full date, or opens the story with one: "July 12, 2021", "3 August
# 2021 - Fighting ..."
_DATE_LINE = re.compile(
    rf"^\s*(?P<stated>{_DATE})"
    # "at 6:25 p.m. EDT", ", 10:12 GMT"
    r"(?:,?\s*(?:at\s+)?\d{1,2}[:.]\d{2}\s*(?:[ap]\.?m\.?)?\s*(?:[A-Z]{2,4})?)?"
    # "| KUNDUZ"
    r"(?:\s*\|\s*(?P<after_place>[A-Z][A-Z .'\u2019-]{2,40}?))?"
    r"\s*(?:$|(?:--|\u2014|\u2013|-|:)\s*)"
)
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
    # the publication line is read whatever its case ("posted JULY 3, 2021")
    number = MONTHS.get(month_name) or MONTHS.get(month_name.title())
    if number is None:
        return None
    return (int(year_text) if year_text else None), number, int(day_text)


def _valid(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


def _stated_date(line: str, offset: int) -> Anchor | None:
    """The date a header line states: a publication line ('Published June 22, 2021'), a
    heading ending with its date, or a line that is a date ('Jun 24th 2021 | KUNDUZ',
    'August 13, 2021 at 6:25 p.m. EDT'); with where the story starts after it."""
    published = _PUBLISHED.match(line)
    if published:
        found = _full(published)
        if found:
            return Anchor(found, f"publication line '{published.group(0).strip()}'", 0)
    heading = None if line.rstrip().endswith(".") else _HEADING_DATE.search(line)
    if heading:
        found = _full(heading)
        if found:
            stated = heading.group(0).strip(_HEADING_PUNCTUATION)
            return Anchor(found, f"heading dated '{stated}'", offset + len(line))
    alone = _DATE_LINE.match(line)
    if alone:
        found = _full(alone)
        if found:
            stated = alone.group("stated").strip(_HEADING_PUNCTUATION + ":")
            place = alone.group("after_place")
            return Anchor(found, f"date line '{stated}'", offset + alone.end(), place)
    return None


def _full(match: re.Match[str]) -> date | None:
    parts = _parse(match)
    return _valid(parts[0], parts[1], parts[2]) if parts and parts[0] else None


def find_anchor(text: str) -> Anchor:
    """The publication date the text states, and where its narrative starts: a dateline
    ('KABUL, June 22 (Xinhua) --', 'KABUL —') and a date stated by a header line, before or
    after it ('Published ...', a heading ending with its date, a timestamp line)."""
    lines = text.splitlines(keepends=True)
    starts = [0]
    for line in lines:
        starts.append(starts[-1] + len(line))
    stated: Anchor | None = None
    for number, line in enumerate(lines[:4]):
        if not line.strip():
            continue
        if stated is None:
            stated = _stated_date(line, starts[number])
            if stated is not None:
                continue
        dateline = _dateline(line)
        if dateline is None:
            continue  # a headline: a dateline may still follow it
        return _dated_by_dateline(text, lines, starts, number, dateline, stated)
    return stated or Anchor(None, "no dateline or publication line", 0)


def _dateline(line: str) -> re.Match[str] | None:
    """The line's dateline, if it opens with one (and not with a headline in capitals)."""
    dateline = _DATELINE.match(line)
    if dateline is not None and _only_a_headline(dateline):
        return None
    return dateline


def _dated_by_dateline(
    text: str,
    lines: list[str],
    starts: list[int],
    number: int,
    dateline: re.Match[str],
    stated: Anchor | None,
) -> Anchor:
    """The anchor of a text whose line `number` is a dateline: its own full date; else a date
    a header line states (before it, or a timestamp a line or two after it); else its day and
    month with the latest year of a full date in the text."""
    body_start = starts[number] + dateline.end()
    place = dateline.group("place").strip()
    quote = lines[number][: dateline.end()].strip()
    dated = dateline.group("month") or dateline.group("month2") or dateline.group("iso")
    parts = _parse(dateline) if dated else None
    year = parts[0] if parts else None
    if parts is not None and year is not None:
        return Anchor(_valid(year, parts[1], parts[2]), f"dateline '{quote}'", body_start, place)
    if stated is None:
        stated = _timestamp_after(lines, starts, number)
    if stated is not None:
        return Anchor(stated.published_on, stated.explanation, body_start, place)
    if parts is None:
        return Anchor(None, f"dateline '{quote}' gives no date", body_start, place)
    year = _year_elsewhere(text)
    if year is None:
        return Anchor(None, f"dateline '{quote}' gives no year", body_start, place)
    note = f"dateline '{quote}', year {year} from a date in the text"
    return Anchor(_valid(year, parts[1], parts[2]), note, body_start, place)


def _timestamp_after(lines: list[str], starts: list[int], number: int) -> Anchor | None:
    """A timestamp a line or two after the dateline ("KABUL — ..." then "August 13, 2021 at
    6:25 p.m. EDT")."""
    later = (
        _stated_date(ln, starts[number + 1 + k])
        for k, ln in enumerate(lines[number + 1 : number + 3])
    )
    return next((a for a in later if a is not None), None)


def _only_a_headline(dateline: re.Match[str]) -> bool:
    """'TALIBAN CLOSE IN ON KANDAHAR — A roadside bomb ...': capitals before a dash, with no
    date or agency, are a place only when they are a name's few words ('KABUL —')."""
    bare = not (
        dateline.group("agency")
        or dateline.group("agency2")
        or dateline.group("month")
        or dateline.group("month2")
        or dateline.group("iso")
    )
    return bare and len(dateline.group("place").split()) > 3


def _year_elsewhere(text: str) -> int | None:
    """The latest year of a full date in the text ('since the Sept. 11, 2001 attacks' is
    background, not when the report was written)."""
    years = [
        int(year)
        for match in _FULL_DATE.finditer(text)
        if (year := match.group("year") or match.group("year2"))
    ]
    return max(years, default=None)


def is_date_line(line: str) -> bool:
    """Whether a line only states a date (a timestamp), and tells nothing."""
    match = _DATE_LINE.match(line)
    return match is not None and not line[match.end() :].strip()
