"""Exports: every record a query matches, as CSV, GeoJSON or NDJSON chunks, read from one snapshot
of the database. The web layer (app/exports/web.py) streams them."""

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from sqlalchemy.engine import Engine
from sqlmodel import Session

from app.core import time_limit
from app.events import service
from app.events.filters import EventFilters
from app.exports import attribution, formats
from app.exports.columns import BY_NAME
from app.exports.fields import selected

MEDIA_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "geojson": "application/geo+json",
    "ndjson": "application/x-ndjson",
}
_BY_MEDIA_TYPE = {media.split(";")[0]: kind for kind, media in MEDIA_TYPES.items()}


def export_wanted(accept: str) -> str | None:
    """csv, geojson or ndjson if an Accept header prefers it to JSON (GET /v1/events)."""
    for item in accept.split(","):
        media = item.split(";")[0].strip().lower()
        if media in _BY_MEDIA_TYPE:
            return _BY_MEDIA_TYPE[media]
        if media in ("application/json", "*/*", "application/*"):
            return None
    return None


def snapshot_records(
    engine: Engine,
    resolved: service.ResolvedFilters,
    limit: int | None = None,
    fields: tuple[str, ...] | None = None,
) -> Iterator[dict[str, Any]]:
    """The records (with `fields`: at least those fields of each), read in one transaction
    (one snapshot) that lasts as long as the stream."""
    if engine.dialect.name == "postgresql":
        engine = engine.execution_options(isolation_level="REPEATABLE READ")
    with Session(engine) as session:
        yield from service.iter_events(
            session=session, resolved=resolved, limit=limit, fields=fields
        )


def _record_fields(kind: str, chosen: list[str] | None) -> tuple[str, ...] | None:
    """The record fields an export of the `chosen` fields or columns is made of (None: all)."""
    if chosen is None:
        return None
    if kind == "ndjson":
        return tuple(chosen)
    needed = [f for name in chosen for f in BY_NAME[name].fields]
    if kind == "geojson":  # the geometry
        needed += ["id", "latitude", "longitude"]
    return tuple(dict.fromkeys(needed))


@dataclass(frozen=True)
class Export:
    chunks: Iterator[bytes]
    media_type: str
    headers: dict[str, str]


def export(
    engine: Engine,
    session: Session,
    filters: EventFilters,
    *,
    kind: str,
    fields: list[str] | None,
    hxl: bool = False,
    limit: int | None = None,
) -> Export:
    """The matching records as `kind` (csv, geojson, ndjson); a refused filter or field, or the
    time limit before the first record, raises before any chunk is made."""
    resolved = service.resolve_filters(session=session, filters=filters)
    chosen = selected(fields, flat=kind != "ndjson")
    credits = attribution.attributions(session)
    needed = _record_fields(kind, chosen)
    records = time_limit.primed(snapshot_records(engine, resolved, limit, needed))
    if kind == "csv":
        chunks = formats.csv_chunks(records, fields=chosen, hxl=hxl)
    elif kind == "geojson":
        metadata = {"attribution": credits, "generator": "conflict-events"}
        chunks = formats.geojson_chunks(records, fields=chosen, metadata=metadata)
    else:
        chunks = formats.ndjson_chunks(records, fields=chosen)
    headers = {
        "X-Data-Attribution": attribution.header(credits),
        "Content-Disposition": f'inline; filename="events.{kind}"',
    }
    return Export(chunks, MEDIA_TYPES[kind], headers)
