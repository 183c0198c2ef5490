"""GET /v1/events.csv, .geojson and .ndjson: every record a /v1/events query matches, streamed;
GET /v1/events.datapackage.json: the Frictionless Data Package describing the CSV."""

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import StreamingResponse

from app.core.deps import SessionDep
from app.core.errors import PROBLEMS
from app.events.filters import EventQuery
from app.exports import datapackage
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


_PACKAGE_EXAMPLE: dict[str, Any] = {
    "$schema": datapackage.PROFILE,
    "name": "conflict-events",
    "licenses": [next(iter(datapackage.LICENCES.values()))],
    "resources": [
        {
            "name": "events",
            "path": "http://127.0.0.1:8000/v1/events.csv?province=Helmand",
            "format": "csv",
            "mediatype": "text/csv",
            "encoding": "utf-8",
            "schema": {"fields": datapackage.table_schema()["fields"][:2], "missingValues": [""]},
        }
    ],
}


_PACKAGE_DOC: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "A Frictionless Data Package (datapackage.json)",
        "content": {"application/json": {"example": _PACKAGE_EXAMPLE}},
    }
}


@router.get("/events.datapackage.json", responses=_PACKAGE_DOC | PROBLEMS)
def export_datapackage(
    request: Request,
    session: SessionDep,
    query: Annotated[EventQuery, Query()],
) -> dict[str, Any]:
    """A Frictionless Data Package (specs.frictionlessdata.io, datapackage.org) describing the CSV
    export of the same filters: its absolute URL (/v1/events.csv with this query, one header row,
    no HXL row), the Table Schema of its columns (name, type, description), and the licences
    and sources of the data. `frictionless validate` and HDX load it. Takes every filter of
    /v1/events."""
    csv_url = str(request.url_for("export_csv"))
    if request.url.query:
        csv_url += "?" + request.url.query
    return datapackage.describe(session, query.filters(), csv_url=csv_url)
