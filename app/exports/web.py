"""The web side of exports: the `fields=` parameter, and an export as a streamed answer."""

from typing import Annotated, Any

from fastapi import Query, Request
from fastapi.responses import StreamingResponse

from app.events.filters import EventFilters
from app.exports import service

Fields = Annotated[
    list[str] | None,
    Query(
        max_length=100,
        description="Only these fields, comma-separated or repeated (e.g. `id,date,province`). "
        "JSON and NDJSON take the record's fields; CSV and GeoJSON the flat columns.",
        examples=[["id,date,province,fatalities"]],
    ),
]


def streamed(
    request: Request,
    session: Any,
    filters: EventFilters,
    *,
    kind: str,
    fields: list[str] | None,
    hxl: bool = False,
    limit: int | None = None,
) -> StreamingResponse:
    """Stream the matching records as `kind` (csv, geojson, ndjson)."""
    found = service.export(
        request.app.state.engine,
        session,
        filters,
        kind=kind,
        fields=fields,
        hxl=hxl,
        limit=limit,
    )
    return StreamingResponse(found.chunks, media_type=found.media_type, headers=found.headers)
