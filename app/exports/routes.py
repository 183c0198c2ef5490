"""GET /v1/events.csv, .geojson and .ndjson: every record a /v1/events query matches, streamed."""

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import StreamingResponse

from app.core.deps import SessionDep
from app.core.errors import PROBLEMS
from app.exports.service import MEDIA_TYPES
from app.exports.web import CsvQuery, ExportQuery, streamed

router = APIRouter(prefix="/v1", tags=["exports"])


def _doc(kind: str, what: str) -> dict[int | str, dict[str, Any]]:
    return {200: {"description": what, "content": {MEDIA_TYPES[kind].split(";")[0]: {}}}} | PROBLEMS


@router.get("/events.csv", response_class=StreamingResponse, responses=_doc("csv", "CSV"))
def export_csv(
    request: Request,
    session: SessionDep,
    query: Annotated[CsvQuery, Query()],
) -> StreamingResponse:
    """Every matching event as CSV, one row each, newest first: a flat layout for spreadsheets
    (actors and sources joined with "; ", each figure as value, qualifier, claimant, low, high).
    `hxl=true` adds the HXL hashtag row. Takes every filter of /v1/events. Also served by
    /v1/events with `Accept: text/csv`. The X-Data-Attribution header says whom to credit."""
    return streamed(
        request,
        session,
        query.filters(),
        kind="csv",
        fields=query.fields,
        hxl=query.hxl,
        limit=query.limit,
    )


@router.get(
    "/events.geojson",
    response_class=StreamingResponse,
    responses=_doc("geojson", "An RFC 7946 FeatureCollection"),
)
def export_geojson(
    request: Request,
    session: SessionDep,
    query: Annotated[ExportQuery, Query()],
) -> StreamingResponse:
    """Every matching event as a GeoJSON Feature (RFC 7946) with the CSV's flat columns as
    properties. Records without coordinates sit at their province's centroid (geo_source
    'gazetteer'); records with no place at all have a null geometry. The collection's
    `attribution` member says whom to credit."""
    return streamed(
        request, session, query.filters(), kind="geojson", fields=query.fields, limit=query.limit
    )


@router.get(
    "/events.ndjson",
    response_class=StreamingResponse,
    responses=_doc("ndjson", "One JSON record per line"),
)
def export_ndjson(
    request: Request,
    session: SessionDep,
    query: Annotated[ExportQuery, Query()],
) -> StreamingResponse:
    """Every matching event as one JSON record per line, in the shape GET /v1/events/{id}
    gives: for jq, pandas.read_json(lines=True), or loading elsewhere in a stream."""
    return streamed(
        request, session, query.filters(), kind="ndjson", fields=query.fields, limit=query.limit
    )
