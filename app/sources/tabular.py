"""CSV files of other tools, read by header name, and what every source's translation shares."""

import csv
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol, TypeVar

from pydantic import ValidationError

from app.exports.cells import spreadsheet_unsafe

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
    id_column: str  # the source's own id of a row: the record's external_id
    required: tuple[tuple[str, ...], ...]  # each: one of these columns must be there
    essential: frozenset[str]  # optional fields of ours a record of this source cannot lose
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


def secondary_number(row: Row, name: str, notes: list[str]) -> int | None:
    """A count the record can do without: one that is not a whole number is left out, noted."""
    try:
        return number(row, name)
    except Unusable as error:
        notes.append(f"{error}: left out")
        return None


def point(
    row: Row, notes: list[str], names: tuple[str, str] = ("latitude", "longitude")
) -> tuple[float | None, float | None]:
    """Latitude and longitude, both or neither: one that is not a number, or the placeholder
    0, 0 (a point in the sea off Africa), leaves both out, with a note. Out-of-range values are
    left out when the record is validated (settle)."""
    values = [text(row, name) for name in names]
    if values[0] is None or values[1] is None:
        return None, None
    try:
        latitude, longitude = float(values[0]), float(values[1])
    except ValueError:
        notes.append(f"{names[0]}, {names[1]}: {values[0]!r}, {values[1]!r} left out (not numbers)")
        return None, None
    if latitude == longitude == 0:
        notes.append(f"{names[0]}, {names[1]}: 0, 0 left out (a placeholder, not a place)")
        return None, None
    return latitude, longitude


def clip(value: str | None, length: int) -> str | None:
    """At most `length` characters (a field's limit), marked with an ellipsis when cut."""
    if value is None or len(value) <= length:
        return value
    return value[: length - 1] + "…"


# Settling a record: a value that fails validation is left out, unless the event needs it. ------

Valid = TypeVar("Valid")
# Fields that stand or fall together: leaving one out leaves out the others.
TOGETHER = {
    "latitude": ("latitude", "longitude", "geo_precision"),
    "longitude": ("latitude", "longitude", "geo_precision"),
}
_MOST_DROPS = 20


def settle(
    record: dict[str, Any], validate: Callable[[dict[str, Any]], Valid], essential: frozenset[str]
) -> tuple[Valid, list[str]]:
    """The validated record, and a note for each value left out to make it valid.

    A value that fails validation (a publication date before 1800, a latitude of 95, a range
    that does not hold its value) is removed and the record validated again. A value the record
    cannot be without (a required field: its removal fails too; a field of `essential`; a list
    left too short) rejects the row instead: Unusable, with the first reason. `record` is changed.
    """
    notes: list[str] = []
    reasons: dict[tuple[Any, ...], str] = {}  # what was removed, and why
    for _ in range(_MOST_DROPS):
        try:
            return validate(record), notes
        except ValidationError as error:
            problem = error.errors()[0]
            path = tuple(problem["loc"])
            if path and path[0] == record.get("kind"):
                path = path[1:]  # the union's tag
            reason, why = f"{_pointer(path)}: {problem['msg']}", problem["msg"]
            if problem["type"] == "missing" and path in reasons:
                reason = why = reasons[path]  # needed where it was: its holder goes
                path = path[:-1]
                notes.pop()
            elif path:  # a holder left invalid (a list too short) by what was taken out of it
                reason = next((r for p, r in reasons.items() if p[: len(path)] == path), reason)
            if not path or path[0] in essential or not _remove(record, path, notes, why):
                raise Unusable(reason) from None
            reasons[path] = reason
    raise Unusable("too many values that are not valid")


def _pointer(path: tuple[Any, ...]) -> str:
    return "/" + "/".join(str(part) for part in path)


def _remove(record: dict[str, Any], path: tuple[Any, ...], notes: list[str], why: str) -> bool:
    """Remove the value at `path` (a key of a dict, an item of a list), noting it."""
    holder: Any = record
    for part in path[:-1]:
        try:
            holder = holder[part]
        except (KeyError, IndexError, TypeError):
            return False
    last = path[-1]
    names = TOGETHER.get(last, (last,)) if len(path) == 1 else (last,)
    try:
        value = holder[last]
    except (KeyError, IndexError, TypeError):
        return False
    if isinstance(holder, list):
        del holder[last]
    else:
        for name in names:
            holder.pop(name, None)
    shown = "" if isinstance(value, dict | list) else f": {value!r}"
    together = f", with {' and '.join(n for n in names if n != last)}" if len(names) > 1 else ""
    notes.append(f"{_pointer(path)}{shown} left out{together} ({why})")
    return True
