"""HTTP routes for events: thin; they parse, call the services, and shape the answer."""

from datetime import date, datetime
from typing import Annotated, Any

import orjson
from fastapi import APIRouter, Depends, Header, Path, Query, Request, Response, status

from app.core.deps import DbSession, SessionDep, WriteSessionDep, database_work
from app.core.errors import PROBLEMS, invalid, problems
from app.core.pagination import Cursor, Limit, Pager
from app.core.routing import DirectRoute, parsed_query, query_parameters
from app.core.types import Instant
from app.events import bulk, service, web, writes
from app.events.etags import etag, expected_versions
from app.events.filters import EventFilters, ListQuery
from app.events.schemas import (
    BulkResult,
    DeletedPage,
    EventIn,
    EventOut,
    EventPage,
    HistoryPage,
)
from app.events.web import IfMatch
from app.exports.fields import selected
from app.exports.service import export_wanted
from app.exports.web import streamed
from app.keys.auth import WriteKey, v1_checks

# Ids are 32-bit integers in PostgreSQL: a larger one is no id at all (422), not a 500.
EventId = Annotated[int, Path(ge=1, le=2**31 - 1, description="The event's id.", examples=[1])]

router = APIRouter(prefix="/v1/events", tags=["events"])


_DESCRIPTIONS = {
    400: "The body is not valid JSON (or NDJSON).",
    401: "No API key, an unknown or a revoked one.",
    403: "The API key lacks the scope.",
    404: "No event has this id.",
    409: "A record with this dataset and external_id exists.",
    410: "The event was deleted.",
    412: "If-Match names an old version: reload the record; nothing was changed.",
    413: "The body is larger than the server accepts.",
    415: "The body's Content-Type is not one this operation reads.",
    428: "Send If-Match with the ETag of the version you edited.",
}


def _problems(*codes: int) -> dict[int | str, dict[str, Any]]:
    return problems(_DESCRIPTIONS, *codes)


WRITE_PROBLEMS = (401, 403, 404, 409, 410, 412, 413, 415, 428)


async def list_events(request: Request) -> Response:
    """List events matching the filters: newest first, or in order of change with updated_since."""
    # A DirectRoute: no dependency is solved for it, so it runs the /v1 checks itself and reads
    # its query (ListQuery, which documents its parameters) itself.
    await v1_checks(request)
    query = parsed_query(ListQuery, request)
    response = Response()
    filters = query.filters()
    if (kind := export_wanted(request.headers.get("accept", ""))) is not None:
        if query.cursor is not None:
            raise invalid("query", "cursor", "Exports stream every record; they take no cursor.")
        cap = query.limit if "limit" in request.query_params else None
        return await database_work(
            request,
            lambda session: streamed(
                request, session, filters, kind=kind, fields=query.fields, limit=cap
            ),
        )
    body = await database_work(
        request, lambda session: _page(request, response, session, query, filters)
    )
    link = response.headers.get("link")
    return Response(body, media_type="application/json", headers={"Link": link} if link else None)


router.add_api_route(
    "",
    list_events,
    methods=["GET"],
    route_class_override=DirectRoute,
    response_model=EventPage,
    openapi_extra={"parameters": query_parameters(ListQuery)},
    responses=PROBLEMS
    | {
        200: {
            "description": "A page of events; with Accept: text/csv, application/geo+json or "
            "application/x-ndjson, every matching event in that format (see exports).",
            "content": {"text/csv": {}, "application/geo+json": {}, "application/x-ndjson": {}},
        }
    },
)


def _page(
    request: Request,
    response: Response,
    session: DbSession,
    query: ListQuery,
    filters: EventFilters,
) -> bytes:
    """A page of events as JSON bytes; the Link header goes on `response`."""
    chosen = selected(query.fields, flat=False)
    resolved = service.resolve_filters(session=session, filters=filters)
    pager = Pager(request, response, resolved.scope())
    items, last = service.list_events(
        session=session,
        resolved=resolved,
        after=_position(pager, query.cursor),
        limit=query.limit,
        fields=None if chosen is None else tuple(chosen),
    )
    next_cursor = None
    if last is not None:
        where = "t" if isinstance(last[0], datetime) else "d"
        next_cursor = pager.next_cursor({where: last[0].isoformat(), "i": last[1]})
    if chosen is not None:  # a subset of each record
        items = [{name: item[name] for name in chosen if name in item} for item in items]
    # Straight to JSON bytes: the records were valid when stored, and validating them again on
    # the way out cost more than the query (a page of 50: 0.9 ms of 7 ms). The tests check
    # every answer against EventPage.
    return orjson.dumps({"items": items, "next_cursor": next_cursor}, option=orjson.OPT_UTC_Z)


def _position(pager: Pager, cursor: str | None) -> service.Position | None:
    """Where the page starts: after the record the cursor names."""
    position = pager.position(cursor)
    if position is None:
        return None
    if "t" in position:
        return (datetime.fromisoformat(position["t"]), int(position["i"]))
    return (date.fromisoformat(position["d"]), int(position["i"]))


@router.get("/deleted", response_model=DeletedPage, responses=PROBLEMS)
def list_deleted_events(
    request: Request,
    response: Response,
    session: SessionDep,
    since: Annotated[
        Instant | None,
        Query(
            description="Only deletions after this time (ISO 8601 with a timezone).",
            examples=["2021-05-05T08:00:00Z"],
        ),
    ] = None,
    limit: Limit = 100,
    cursor: Cursor = None,
) -> dict[str, Any]:
    """List deleted events in order of deletion, for clients that keep a copy in sync."""
    pager = Pager(request, response, {"deleted": since})
    position = pager.position(cursor)
    after = (
        None if position is None else (datetime.fromisoformat(position["t"]), int(position["i"]))
    )
    items, last = service.list_deleted(session=session, since=since, after=after, limit=limit)
    next_cursor = None
    if last is not None:
        next_cursor = pager.next_cursor({"t": last[0].isoformat(), "i": last[1]})
    return {"items": items, "next_cursor": next_cursor}


@router.get("/{event_id:int}", response_model=EventOut, responses=_problems(404, 410))
def read_event(event_id: EventId, session: SessionDep, response: Response) -> dict[str, Any]:
    """Read one event; its ETag is the version to send back in If-Match when editing it."""
    record = service.read_event(session=session, event_id=event_id)
    response.headers["ETag"] = etag(record["version"])
    return record


@router.get("/{event_id:int}/history", response_model=HistoryPage, responses=_problems(404))
def read_event_history(event_id: EventId, session: SessionDep) -> dict[str, Any]:
    """List every version of an event: when, by which key, and what changed (JSON Patch)."""
    return {"items": service.history(session=session, event_id=event_id)}


@router.post(
    "",
    response_model=EventOut,
    status_code=status.HTTP_201_CREATED,
    responses=_problems(401, 403, 409, 413, 415),
)
def create_event(
    key: WriteKey,
    event_in: EventIn,
    request: Request,
    response: Response,
    session: WriteSessionDep,
    idempotency_key: Annotated[
        str | None,
        Header(
            max_length=200,
            description="Any unique string; a retry with the same key and body "
            "returns the first answer instead of creating a duplicate.",
            examples=["7f1c9d52-2b8e-4c51-9d4c-3f5a3d0c2f11"],
        ),
    ] = None,
) -> dict[str, Any]:
    """Create an event; names of places and actors are stored under their canonical names."""
    record, replayed = writes.create_event(
        session=session, event_in=event_in, by=key.name, idempotency_key=idempotency_key
    )
    response.headers["Location"] = str(request.url_for("read_event", event_id=record["id"]))
    response.headers["ETag"] = etag(record["version"])
    if replayed:
        response.headers["Idempotent-Replayed"] = "true"
    return record


@router.put("/{event_id:int}", response_model=EventOut, responses=_problems(*WRITE_PROBLEMS))
def replace_event(
    key: WriteKey,
    event_id: EventId,
    event_in: EventIn,
    session: WriteSessionDep,
    response: Response,
    if_match: IfMatch = None,
) -> dict[str, Any]:
    """Replace an event with a full record (which may be of another kind)."""
    record = writes.replace_event(
        session=session,
        event_id=event_id,
        event_in=event_in,
        expected=expected_versions(if_match),
        by=key.name,
    )
    response.headers["ETag"] = etag(record["version"])
    return record


@router.patch(
    "/{event_id:int}",
    response_model=EventOut,
    responses=_problems(*WRITE_PROBLEMS),
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                "application/merge-patch+json": {
                    "schema": {"type": "object", "description": "A JSON merge patch (RFC 7396)."},
                    "examples": {
                        "outcome": {
                            "summary": "Change the outcome",
                            "value": {"outcome": "territory_taken"},
                        }
                    },
                }
            },
        }
    },
)
def patch_event(
    key: WriteKey,
    event_id: EventId,
    patch: Annotated[dict[str, Any], Depends(web.merge_patch_body)],
    session: WriteSessionDep,
    response: Response,
    if_match: IfMatch = None,
) -> dict[str, Any]:
    """Change some fields of an event with a JSON merge patch (RFC 7396); null removes a field."""
    record = writes.patch_event(
        session=session,
        event_id=event_id,
        patch=patch,
        expected=expected_versions(if_match),
        by=key.name,
    )
    response.headers["ETag"] = etag(record["version"])
    return record


@router.delete(
    "/{event_id:int}", status_code=status.HTTP_204_NO_CONTENT, responses=_problems(*WRITE_PROBLEMS)
)
def delete_event(
    key: WriteKey, event_id: EventId, session: WriteSessionDep, if_match: IfMatch = None
) -> Response:
    """Delete an event; it stays as a tombstone that /v1/events/deleted lists."""
    writes.delete_event(
        session=session, event_id=event_id, expected=expected_versions(if_match), by=key.name
    )
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post(
    "/bulk",
    response_model=BulkResult,
    responses=_problems(400, 401, 403, 413, 415),
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                "application/json": {
                    "schema": {
                        "type": "array",
                        "items": {"$ref": "#/components/schemas/OffensiveIn"},
                    },
                    "example": [bulk.EXAMPLE],
                },
                "application/x-ndjson": {
                    "schema": {"type": "string", "description": "One record per line."},
                    "example": bulk.NDJSON_EXAMPLE,
                },
                "text/csv": {
                    "schema": {
                        "type": "string",
                        "description": "A UCDP GED or ACLED CSV file; say which with format=.",
                    },
                    "example": bulk.CSV_EXAMPLE,
                },
            },
        }
    },
)
def bulk_upsert_events(
    key: WriteKey,
    body: Annotated[bulk.BulkBody, Depends(web.records_body)],
    session: WriteSessionDep,
) -> dict[str, Any]:
    """Create or update many events in one transaction: all are stored, or none.

    Records with dataset and external_id that are already stored are updated (or left unchanged),
    so sending the same batch twice does not duplicate it.
    """
    return bulk.upsert(session=session, body=body, by=key.name)
