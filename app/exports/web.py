"""The web side of exports: the `fields=` parameter, and an export as a streamed answer."""

from fastapi import Request
from fastapi.responses import StreamingResponse
from pydantic import Field

from app.core.deps import DbSession
from app.events.filters import EventFilters, EventQuery
from app.exports import service
from app.exports.fields import FIELDS


class ExportQuery(EventQuery):
    """An export's query: the filters of /v1/events, the fields, and at most how many."""

    fields: list[str] | None = FIELDS
    limit: int | None = Field(
        default=None,
        ge=1,
        description="At most this many records (default: all).",
        examples=[10000],
    )


class CsvQuery(ExportQuery):
    hxl: bool = Field(
        default=False,
        description="Add the HXL hashtag row under the header row (hxlstandard.org).",
        examples=[True],
    )


def streamed(
    request: Request,
    session: DbSession,
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
