"""Records to bytes, a chunk at a time: CSV (with the HXL hashtag row if asked), GeoJSON, NDJSON."""

import csv
import io
from collections.abc import Iterable, Iterator
from typing import Any

import orjson

from app.events.documents import jsonable
from app.exports.cells import spreadsheet_safe
from app.exports.columns import BY_NAME, COLUMNS, Record

CHUNK_ROWS = 500


def _columns(fields: list[str] | None) -> list[Any]:
    return [BY_NAME[name] for name in fields] if fields else COLUMNS


def flat(record: Record, columns: list[Any]) -> list[Any]:
    return [column.value(record) for column in columns]


def csv_chunks(
    records: Iterable[Record], *, fields: list[str] | None, hxl: bool
) -> Iterator[bytes]:
    """UTF-8 CSV with a header row (and the HXL hashtag row under it), RFC 4180 line ends;
    text a spreadsheet would run as a formula gets a leading ' (app.exports.cells)."""
    columns = _columns(fields)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([c.name for c in columns])
    if hxl:
        writer.writerow([c.hxl for c in columns])
    yield buffer.getvalue().encode()  # the header goes out before the first query's rows
    buffer.seek(0)
    buffer.truncate()
    for n, record in enumerate(records, 1):
        writer.writerow(map(spreadsheet_safe, flat(record, columns)))
        if n % CHUNK_ROWS == 0:
            yield buffer.getvalue().encode()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue().encode()


def _dumps(value: Any) -> bytes:
    return orjson.dumps(value, default=jsonable, option=orjson.OPT_UTC_Z)  # as the JSON API: ...Z


def _picked(record: Record, fields: list[str] | None) -> Record:
    return {name: record[name] for name in fields if name in record} if fields else record


def ndjson_chunks(records: Iterable[Record], *, fields: list[str] | None) -> Iterator[bytes]:
    """One JSON record per line, as GET /v1/events/{id} gives it."""
    lines: list[bytes] = []
    for record in records:
        lines.append(_dumps(_picked(record, fields)) + b"\n")
        if len(lines) == CHUNK_ROWS:
            yield b"".join(lines)
            lines = []
    yield b"".join(lines)


def geojson_chunks(
    records: Iterable[Record], *, fields: list[str] | None, metadata: dict[str, Any]
) -> Iterator[bytes]:
    """An RFC 7946 FeatureCollection: a Point per record (null geometry if it has no place),
    the flat columns as properties, and `metadata` as foreign members of the collection."""
    columns = _columns(fields)
    head = _dumps({"type": "FeatureCollection", **metadata})[:-1]
    yield head + b',"features":['
    parts: list[bytes] = []
    for n, record in enumerate(records):
        geometry = None
        if record.get("longitude") is not None and record.get("latitude") is not None:
            geometry = {"type": "Point", "coordinates": [record["longitude"], record["latitude"]]}
        properties = dict(zip((c.name for c in columns), flat(record, columns), strict=True))
        feature = {"type": "Feature", "id": record["id"], "geometry": geometry}
        parts.append((b"," if n else b"") + _dumps(feature | {"properties": properties}))
        if len(parts) == CHUNK_ROWS:
            yield b"".join(parts)
            parts = []
    yield b"".join(parts) + b"]}"
