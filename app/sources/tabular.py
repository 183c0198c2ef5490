"""CSV files of other tools, read by header name, and what every source's translation shares."""

import csv
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from app.exports.cells import spreadsheet_unsafe
from app.gazetteer import get_gazetteer

Row = dict[str, str]


class Unusable(ValueError):
    """A row that cannot become a record; the message says why, for the import report."""


class MissingColumns(ValueError):
    """The file lacks columns every row needs: it is not the format it was said to be."""


@dataclass(frozen=True)
class Options:
    dataset: str
    release: str | None = None


@dataclass
class Translated:
    """A record in our input form, and what was kept otherwise than given (for the report)."""

    record: dict[str, Any]
    notes: list[str] = field(default_factory=list)


class Format(Protocol):
    name: str
    dataset: str  # the default dataset name: with the source's id, it names a record across loads
    required: tuple[tuple[str, ...], ...]  # each: one of these columns must be there
    actors: dict[str, str]  # the source's actor names -> ours (registered as aliases)

    def translate(self, row: Row, options: Options) -> Translated: ...

    def release_of(self, path: Path) -> str | None:
        """The release a file holds, if its name says."""


def rows(lines: Iterable[str], fmt: Format) -> Iterator[tuple[int, Row]]:
    """(line number, row by lower-case column name) of each data row.

    Columns are found by name, whatever their order or number; an HXL hashtag row under the
    header (cells empty or starting with '#') and blank lines are skipped.
    """
    reader = csv.reader(lines)
    header = [name.strip().lower().lstrip("\ufeff") for name in next(reader, [])]
    missing = [" or ".join(options) for options in fmt.required if not set(options) & set(header)]
    if missing:
        raise MissingColumns(
            f"the file has no column {', '.join(missing)}: is it a {fmt.name.upper()} CSV file?"
        )
    width = len(header)
    first = True
    while True:
        line = reader.line_num + 1
        try:
            cells = next(reader)
        except StopIteration:
            return
        if not any(cell.strip() for cell in cells):
            continue
        if first and all(not c.strip() or c.strip().startswith("#") for c in cells):
            first = False
            continue
        first = False
        cells += [""] * (width - len(cells))
        yield line, dict(zip(header, cells, strict=False))


def text(row: Row, *names: str) -> str | None:
    """The first non-empty value among `names`, stripped (and without the ' a spreadsheet-safe
    CSV, such as GET /api/acled/read's, puts before text starting with =, +, -, @, tab or CR)."""
    for name in names:
        value = spreadsheet_unsafe(row.get(name) or "").strip()
        if value:
            return value
    return None


def number(row: Row, name: str) -> int | None:
    value = text(row, name)
    if value is None:
        return None
    try:
        parsed = float(value)
    except ValueError:
        raise Unusable(f"{name}: {value!r} is not a number") from None
    if parsed != int(parsed) or parsed < 0:
        raise Unusable(f"{name}: {value!r} is not a whole number of zero or more")
    return int(parsed)


def coordinate(row: Row, name: str) -> float | None:
    value = text(row, name)
    try:
        return float(value) if value is not None else None
    except ValueError:
        raise Unusable(f"{name}: {value!r} is not a number") from None


def clip(value: str | None, length: int) -> str | None:
    """At most `length` characters (a field's limit), marked with an ellipsis when cut."""
    if value is None or len(value) <= length:
        return value
    return value[: length - 1] + "…"


_SUFFIX = re.compile(r"\s+(province|district|wilayat|woluswali)$", re.IGNORECASE)


def afghan_place(
    province: str | None, district: str | None, column: str
) -> tuple[str | None, str | None, list[str]]:
    """The province and district of an Afghan record as the gazetteer names them, and notes.

    Sources add "province"/"district" and spell names their own way; the gazetteer's aliases
    cover the common spellings. An unknown province makes the row unusable; an unknown district
    is left out (the caller keeps its name in `location`) and noted.
    """
    gazetteer = get_gazetteer()
    found = None
    if province:
        plain = _SUFFIX.sub("", province)
        found = gazetteer.find_province(plain) or gazetteer.find_province(province)
        if found is None:
            suggestions = ", ".join(gazetteer.suggest_provinces(plain)[:3])
            raise Unusable(
                f"{column}: unknown Afghan province {province!r}"
                + (f" (did you mean {suggestions}?)" if suggestions else "")
            )
    if not district:
        return (found.name if found else None), None, []
    plain = _SUFFIX.sub("", district)
    pcode = found.pcode if found else None
    candidates = gazetteer.find_districts(plain, province_pcode=pcode) or gazetteer.find_districts(
        district, province_pcode=pcode
    )
    if len(candidates) != 1:
        return (
            (found.name if found else None),
            None,
            [f"district {district!r} not in the gazetteer"],
        )
    match = candidates[0]
    return gazetteer.provinces[match.province_pcode].name, match.name, []
