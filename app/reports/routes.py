"""HTTP routes for reports: post a report, read its drafts, accept or reject each one."""

from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends, Path, Request, Response, status

from app.core.deps import SessionDep, WriteSessionDep
from app.core.errors import PROBLEMS, problems
from app.core.pagination import Cursor, Limit, Pager
from app.events.etags import etag
from app.events.schemas import EventOut
from app.events.web import merge_patch_body
from app.keys.auth import WriteKey
from app.reports import service
from app.reports.schemas import DraftOut, RejectIn, ReportIn, ReportOut, ReportPage

router = APIRouter(prefix="/v1/reports", tags=["reports"])

# Ids are 32-bit integers in PostgreSQL: a larger one is no id at all (422), not a 500.
ReportId = Annotated[int, Path(ge=1, le=2**31 - 1, description="The report's id.", examples=[1])]
DraftNumber = Annotated[
    int,
    Path(
        ge=0,
        le=100_000,
        description="The draft's number in the report, from 0 (`drafts[n]`).",
        examples=[0],
    ),
]


_DESCRIPTIONS = {
    401: "No API key, an unknown or a revoked one.",
    403: "The API key lacks the write scope.",
    404: "No report has this id, or it has no draft n.",
    409: "The draft was decided otherwise: rejected, or accepted with another correction "
    "(or its record was deleted since); or the corrected record's dataset and "
    "external_id are taken.",
    413: "The body is larger than the server accepts.",
    415: "The body's Content-Type is not one this operation reads.",
}


def _problems(*codes: int) -> dict[int | str, dict[str, Any]]:
    return problems(_DESCRIPTIONS, *codes)


async def correction_body(request: Request) -> dict[str, Any] | None:
    """The optional body of an accept: a JSON merge patch (RFC 7396) of the draft's event."""
    if not (await request.body()).strip():
        return None
    return await merge_patch_body(request)


@router.post(
    "",
    response_model=ReportOut,
    status_code=status.HTTP_201_CREATED,
    responses=_problems(401, 403, 413, 415)
    | {
        200: {
            "model": ReportOut,
            "description": "This report (the same text, date, publisher, title and URL) was "
            "stored before: the stored one, with its drafts' decisions. Nothing is stored.",
        },
        201: {"description": "The report, stored, and the drafts read from it."},
    },
)
def create_report(
    key: WriteKey,
    report_in: ReportIn,
    request: Request,
    response: Response,
    session: WriteSessionDep,
) -> dict[str, Any]:
    """Store a report and read draft records from it, each with the sentences it rests on.

    Nothing becomes a record until a person accepts it (see .../drafts/{n}/accept). Relative
    dates count from `published_on`, or from the date the text states when it is omitted: a
    422 names `published_on` when neither is there.
    """
    report, created = service.create_report(session=session, report_in=report_in, by=key.name)
    response.headers["Location"] = str(request.url_for("read_report", report_id=report["id"]))
    if not created:
        response.status_code = status.HTTP_200_OK
    return report


@router.get("", response_model=ReportPage, responses=PROBLEMS)
def list_reports(
    request: Request,
    response: Response,
    session: SessionDep,
    limit: Limit = 50,
    cursor: Cursor = None,
) -> dict[str, Any]:
    """List stored reports, newest first, with how many drafts of each are still pending."""
    pager = Pager(request, response, {"reports": None})
    position = pager.position(cursor)
    after = int(position["i"]) if position is not None else None
    items, last = service.list_reports(session=session, after=after, limit=limit)
    next_cursor = pager.next_cursor({"i": last}) if last is not None else None
    return {"items": items, "next_cursor": next_cursor}


@router.get("/{report_id:int}", response_model=ReportOut, responses=_problems(404))
def read_report(report_id: ReportId, session: SessionDep) -> dict[str, Any]:
    """Read a report and its drafts, each with its status and the records it may repeat now."""
    return service.read_report(session=session, report_id=report_id)


_CORRECTION_SCHEMA = {
    "type": "object",
    "description": "A JSON merge patch (RFC 7396) of the draft's `event`; null removes a field.",
}
_CORRECTION_EXAMPLES = {
    "outcome": {"summary": "Correct the outcome", "value": {"outcome": "repelled"}},
    "figure": {
        "summary": "Correct a figure, keeping its claimant",
        "value": {"fatalities": {"value": 120, "qualifier": "about"}},
    },
}


@router.post(
    "/{report_id:int}/drafts/{n:int}/accept",
    response_model=EventOut,
    status_code=status.HTTP_201_CREATED,
    responses=_problems(401, 403, 404, 409, 413, 415)
    | {
        200: {
            "model": EventOut,
            "description": "The draft was accepted before (with the same correction, or none): "
            "its record as it is now. Nothing is created.",
        },
        201: {"description": "The record the draft became (Location: its URL)."},
    },
    openapi_extra={
        "requestBody": {
            "required": False,
            "content": {
                media: {"schema": _CORRECTION_SCHEMA, "examples": _CORRECTION_EXAMPLES}
                for media in ("application/merge-patch+json", "application/json")
            },
        }
    },
)
def accept_draft(
    key: WriteKey,
    report_id: ReportId,
    n: DraftNumber,
    correction: Annotated[dict[str, Any] | None, Depends(correction_body)],
    request: Request,
    response: Response,
    session: WriteSessionDep,
) -> dict[str, Any]:
    """Accept a draft: it becomes a record citing the report, corrected by an optional patch.

    The record is created as POST /v1/events creates one (history, totals and search included);
    its sources are the report, once per quote of the draft's evidence. Accepting again answers
    the same record with 200 and creates nothing. An invalid correction is a 422 naming the
    field, and the draft stays pending.
    """
    record, created = service.accept_draft(
        session=session, report_id=report_id, n=n, correction=correction, by=key.name
    )
    response.headers["Location"] = str(request.url_for("read_event", event_id=record["id"]))
    response.headers["ETag"] = etag(record["version"])
    if not created:
        response.status_code = status.HTTP_200_OK
    return record


@router.post(
    "/{report_id:int}/drafts/{n:int}/reject",
    response_model=DraftOut,
    responses=_problems(401, 403, 404, 409, 413, 415),
)
def reject_draft(
    key: WriteKey,
    report_id: ReportId,
    n: DraftNumber,
    session: WriteSessionDep,
    reject_in: Annotated[RejectIn | None, Body()] = None,
) -> dict[str, Any]:
    """Reject a draft, optionally saying why; an accepted draft cannot be rejected (409)."""
    return service.reject_draft(
        session=session,
        report_id=report_id,
        n=n,
        reason=reject_in.reason if reject_in else None,
        by=key.name,
    )
