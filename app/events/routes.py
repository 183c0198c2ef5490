"""HTTP routes for events: thin; they parse, call the service, and shape the answer."""

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query, Request, Response, status

from app.auth import WriteKey
from app.db import SessionDep, WriteSessionDep
from app.errors import PROBLEMS, Problem
from app.events import service
from app.events.filters import EventFilters, event_filters
from app.events.schemas import EventIn, EventOut, EventPage
from app.pagination import Cursor, Pager

EventId = Annotated[int, Path(ge=1, le=2**53, description="The event's id.", examples=[1])]

router = APIRouter(prefix="/v1/events", tags=["events"])


@router.get(
    "",
    response_model=EventPage,
    responses=PROBLEMS,
)
def list_events(
    request: Request,
    response: Response,
    session: SessionDep,
    filters: Annotated[EventFilters, Depends(event_filters)],
    limit: Annotated[
        int, Query(ge=1, le=1000, description="Events per page (1 to 1000).", examples=[50])
    ] = 50,
    cursor: Cursor = None,
) -> dict[str, Any]:
    """List events matching the filters, newest first."""
    resolved = service.resolve_filters(session=session, filters=filters)
    pager = Pager(request, response, resolved.scope())
    after = None
    if (position := pager.position(cursor)) is not None:
        after = (date.fromisoformat(position["d"]), int(position["i"]))
    items, last = service.list_events(session=session, resolved=resolved, after=after, limit=limit)
    next_cursor = None
    if last is not None:
        next_cursor = pager.next_cursor({"d": last[0].isoformat(), "i": last[1]})
    return {"items": items, "next_cursor": next_cursor}


@router.get(
    "/{event_id}",
    response_model=EventOut,
    responses={
        404: {"model": Problem, "description": "No event has this id."},
        410: {"model": Problem, "description": "The event was deleted."},
        **PROBLEMS,
    },
)
def read_event(event_id: EventId, session: SessionDep) -> dict[str, Any]:
    """Read one event."""
    return service.read_event(session=session, event_id=event_id)


@router.post(
    "",
    response_model=EventOut,
    status_code=status.HTTP_201_CREATED,
    responses={
        401: {"model": Problem, "description": "No API key, or an unknown one."},
        403: {"model": Problem, "description": "The API key lacks the write scope."},
        409: {
            "model": Problem,
            "description": "A record with this dataset and external_id exists.",
        },
        **PROBLEMS,
    },
)
def create_event(
    event_in: EventIn,
    request: Request,
    response: Response,
    session: WriteSessionDep,
    _key: WriteKey,
) -> dict[str, Any]:
    """Create an event; names of places and actors are stored under their canonical names."""
    event_id = service.create_event(session=session, event_in=event_in)
    response.headers["Location"] = str(request.url_for("read_event", event_id=event_id))
    return service.read_event(session=session, event_id=event_id)
