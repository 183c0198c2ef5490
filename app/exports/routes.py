"""GET /v1/events.csv, .geojson and .ndjson: every record a /v1/events query matches, streamed."""

from collections.abc import Iterator
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import StreamingResponse
from sqlmodel import Session

from app.core import time_limit
from app.core.deps import SessionDep
from app.core.errors import PROBLEMS
from app.events import service
from app.events.filters import EventFilters, event_filters
from app.exports import attribution, formats
from app.exports.fields import Fields, selected

router = APIRouter(prefix="/v1", tags=["exports"])


def export_wanted(accept: str) -> str | None:
    """csv, geojson or ndjson if an Accept header prefers it to JSON (GET /v1/events)."""
    for item in accept.split(","):
        media = item.split(";")[0].strip().lower()
        if media in _BY_MEDIA_TYPE:
            return _BY_MEDIA_TYPE[media]
        if media in ("application/json", "*/*", "application/*"):
            return None
    return None


MEDIA_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "geojson": "application/geo+json",
    "ndjson": "application/x-ndjson",
}
_BY_MEDIA_TYPE = {media.split(";")[0]: kind for kind, media in MEDIA_TYPES.items()}
Hxl = Annotated[
    bool,
    Query(
        description="Add the HXL hashtag row under the header row (hxlstandard.org).",
        examples=[True],
    ),
]
ExportLimit = Annotated[
    int | None,
    Query(ge=1, description="At most this many records (default: all).", examples=[10000]),
]


def snapshot_records(
    request: Request, resolved: service.ResolvedFilters, limit: int | None = None
) -> Iterator[dict[str, Any]]:
    """The records, read in one transaction (one snapshot) that lasts as long as the stream."""
    engine = request.app.state.engine
    if engine.dialect.name == "postgresql":
        engine = engine.execution_options(isolation_level="REPEATABLE READ")
    with Session(engine) as session:
        yield from service.iter_events(session=session, resolved=resolved, limit=limit)


def export(
    request: Request,
    session: Session,
    filters: EventFilters,
    *,
    kind: str,
    fields: list[str] | None,
    hxl: bool = False,
    limit: int | None = None,
) -> StreamingResponse:
    """Stream the matching records as `kind` (csv, geojson, ndjson)."""
    resolved = service.resolve_filters(session=session, filters=filters)  # 422s before streaming
    chosen = selected(fields, flat=kind != "ndjson")
    credits = attribution.attributions(session)
    records = time_limit.primed(snapshot_records(request, resolved, limit))
    if kind == "csv":
        body = formats.csv_chunks(records, fields=chosen, hxl=hxl)
    elif kind == "geojson":
        metadata = {"attribution": credits, "generator": "conflict-events"}
        body = formats.geojson_chunks(records, fields=chosen, metadata=metadata)
    else:
        body = formats.ndjson_chunks(records, fields=chosen)
    headers = {
        "X-Data-Attribution": attribution.header(credits),
        "Content-Disposition": f'inline; filename="events.{kind}"',
    }
    return StreamingResponse(body, media_type=MEDIA_TYPES[kind], headers=headers)


def _doc(kind: str, what: str) -> dict[int | str, dict[str, Any]]:
    return {200: {"description": what, "content": {MEDIA_TYPES[kind].split(";")[0]: {}}}} | PROBLEMS


@router.get("/events.csv", response_class=StreamingResponse, responses=_doc("csv", "CSV"))
def export_csv(
    request: Request,
    session: SessionDep,
    filters: Annotated[EventFilters, Depends(event_filters)],
    fields: Fields = None,
    hxl: Hxl = False,
    limit: ExportLimit = None,
) -> StreamingResponse:
    """Every matching event as CSV, one row each, newest first: a flat layout for spreadsheets
    (actors and sources joined with "; ", each figure as value, qualifier, claimant, low, high).
    `hxl=true` adds the HXL hashtag row. Takes every filter of /v1/events. Also served by
    /v1/events with `Accept: text/csv`. The X-Data-Attribution header says whom to credit."""
    return export(request, session, filters, kind="csv", fields=fields, hxl=hxl, limit=limit)


@router.get(
    "/events.geojson",
    response_class=StreamingResponse,
    responses=_doc("geojson", "An RFC 7946 FeatureCollection"),
)
def export_geojson(
    request: Request,
    session: SessionDep,
    filters: Annotated[EventFilters, Depends(event_filters)],
    fields: Fields = None,
    limit: ExportLimit = None,
) -> StreamingResponse:
    """Every matching event as a GeoJSON Feature (RFC 7946) with the CSV's flat columns as
    properties. Records without coordinates sit at their province's centroid (geo_source
    'gazetteer'); records with no place at all have a null geometry. The collection's
    `attribution` member says whom to credit."""
    return export(request, session, filters, kind="geojson", fields=fields, limit=limit)


@router.get(
    "/events.ndjson",
    response_class=StreamingResponse,
    responses=_doc("ndjson", "One JSON record per line"),
)
def export_ndjson(
    request: Request,
    session: SessionDep,
    filters: Annotated[EventFilters, Depends(event_filters)],
    fields: Fields = None,
    limit: ExportLimit = None,
) -> StreamingResponse:
    """Every matching event as one JSON record per line, in the shape GET /v1/events/{id}
    gives: for jq, pandas.read_json(lines=True), or loading elsewhere in a stream."""
    return export(request, session, filters, kind="ndjson", fields=fields, limit=limit)
