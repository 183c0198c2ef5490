"""Storing reports and their drafts, deciding drafts, and finding the records a draft may repeat.

The only code that touches report rows; keyword-only functions. An accepted draft becomes a
record through EventWriter, as POST /v1/events does, in the transaction that marks it accepted.
"""

import hashlib
import json
from datetime import date
from typing import Any

import sqlalchemy as sa
from pydantic import TypeAdapter, ValidationError
from sqlmodel import Session

from app.core.database import serialise_writers
from app.core.errors import Conflict, ErrorItem, Gone, NotFound, invalid
from app.core.normalize import name_key
from app.core.tables import report_draft_table as draft_t
from app.core.tables import report_table as report_t
from app.core.tables import utcnow
from app.core.types import EventDate
from app.events.dates import span
from app.events.documents import jsonable
from app.events.filters import EventFilters
from app.events.places import resolve_place
from app.events.schemas import DatePrecision
from app.events.service import ResolvedFilters, ids_matching, read_event, stored_reach
from app.events.writes import EventWriter, event_in_or_422, merge_patch, prepared_or_422
from app.reports.extract import Draft, Extraction, NoAnchorDate, extract
from app.reports.schemas import DraftStatus, ReportIn

MAX_DUPLICATES = 20
MAX_SOURCES = 50  # as many as a record may cite (EventCommon.sources)

_day_adapter: TypeAdapter[date] = TypeAdapter(EventDate)


# Reading a report's text: pure, no database.
def read_text(text: str, *, published_on: date | None) -> Extraction:
    """The drafts the text supports; 422 (naming published_on) if nothing dates the report."""
    try:
        extraction = extract(text, published_on=published_on)
    except NoAnchorDate as error:
        raise invalid(
            "body",
            "/published_on",
            "The text states no publication date (no dateline, no 'Published June 22, 2021'): "
            "give published_on (YYYY-MM-DD), the day its relative dates count from.",
        ) from error
    try:
        _day_adapter.validate_python(extraction.published_on)
    except ValidationError as error:
        raise invalid(
            "body",
            "/published_on",
            f"The publication date found in the text, {extraction.published_on.isoformat()}, "
            "is not one a record can cite; give published_on (YYYY-MM-DD).",
        ) from error
    return extraction


def draft_document(draft: Draft) -> dict[str, Any]:
    """A draft as stored and shown: its event (without sources), evidence and explanations."""
    return {
        "event": jsonable(draft.event),
        "evidence": [{"start": e.start, "end": e.end, "quote": e.quote} for e in draft.evidence],
        "explanations": dict(draft.explanations),
    }


def _source(report: sa.RowMapping) -> dict[str, Any]:
    source = {
        "publisher": report["publisher"],
        "title": report["title"],
        "url": report["url"],
        "published_on": report["published_on"].isoformat(),
    }
    return {k: v for k, v in source.items() if v is not None}


def event_body(report: sa.RowMapping, draft: dict[str, Any]) -> dict[str, Any]:
    """The draft's event as POST /v1/events takes it: it cites the report once per quote."""
    source = _source(report)
    quotes = list(dict.fromkeys(e["quote"] for e in draft["evidence"] if e["quote"].strip()))
    sources = [source | {"quote": quote} for quote in quotes[:MAX_SOURCES]] or [source]
    return {**draft["event"], "sources": sources}


# Storing.
def _content_hash(report_in: ReportIn, published_on: date) -> str:
    said = [
        report_in.text,
        published_on.isoformat(),
        report_in.publisher,
        report_in.title,
        report_in.url,
    ]
    return hashlib.sha256(json.dumps(said).encode()).hexdigest()


def create_report(
    *, session: Session, report_in: ReportIn, by: str | None
) -> tuple[dict[str, Any], bool]:
    """Store a report and its drafts; return it, and whether it is new (the same report sent
    again answers the stored one, with its drafts' decisions)."""
    extraction = read_text(report_in.text, published_on=report_in.published_on)
    digest = _content_hash(report_in, extraction.published_on)
    serialise_writers(session)
    stored = session.execute(
        sa.select(report_t.c.id).where(report_t.c.content_hash == digest)
    ).scalar()
    if stored is not None:
        return read_report(session=session, report_id=stored), False
    report_id = session.execute(
        sa.insert(report_t)
        .values(
            text=report_in.text,
            published_on=extraction.published_on,
            published_on_explanation=extraction.published_on_explanation,
            publisher=report_in.publisher,
            title=report_in.title,
            url=report_in.url,
            content_hash=digest,
            created_at=utcnow(),
            created_by=by,
        )
        .returning(report_t.c.id)
    ).scalar_one()
    if extraction.drafts:
        session.execute(
            sa.insert(draft_t),
            [
                {
                    "report_id": report_id,
                    "n": n,
                    "draft": draft_document(draft),
                    "status": DraftStatus.PENDING.value,
                }
                for n, draft in enumerate(extraction.drafts)
            ],
        )
    report = read_report(session=session, report_id=report_id)
    session.commit()
    return report, True


# Reading.
def _report_row(session: Session, report_id: int) -> sa.RowMapping:
    row = (
        session.execute(sa.select(report_t).where(report_t.c.id == report_id))
        .mappings()
        .one_or_none()
    )
    if row is None:
        raise NotFound(f"No report with id {report_id}.")
    return row


def _draft_row(session: Session, report_id: int, n: int) -> sa.RowMapping:
    row = (
        session.execute(
            sa.select(draft_t).where(draft_t.c.report_id == report_id, draft_t.c.n == n)
        )
        .mappings()
        .one_or_none()
    )
    if row is None:
        count = session.execute(
            sa.select(sa.func.count()).where(draft_t.c.report_id == report_id)
        ).scalar()
        raise NotFound(
            f"Report {report_id} has no draft {n}: its drafts are numbered from 0 to "
            f"{(count or 0) - 1}."
            if count
            else f"Report {report_id} has no drafts."
        )
    return row


def _draft_out(
    session: Session, report: sa.RowMapping, row: sa.RowMapping, reach: tuple[int, int]
) -> dict[str, Any]:
    draft = row["draft"]
    return {
        "n": row["n"],
        "status": row["status"],
        "event": event_body(report, draft),
        "evidence": draft["evidence"],
        "explanations": draft["explanations"],
        "possible_duplicate_of": possible_duplicates(
            session=session, event=draft["event"], besides=row["event_id"], reach=reach
        ),
        "event_id": row["event_id"],
        "correction": row["correction"],
        "reason": row["reason"],
        "decided_at": row["decided_at"],
        "decided_by": row["decided_by"],
    }


_OUT_COLUMNS = (
    "id",
    "text",
    "published_on",
    "published_on_explanation",
    "publisher",
    "title",
    "url",
    "created_at",
    "created_by",
)


def read_report(*, session: Session, report_id: int) -> dict[str, Any]:
    report = _report_row(session, report_id)
    drafts = (
        session.execute(
            sa.select(draft_t).where(draft_t.c.report_id == report_id).order_by(draft_t.c.n)
        )
        .mappings()
        .all()
    )
    out = {name: report[name] for name in _OUT_COLUMNS}
    reach = stored_reach(session)
    out["drafts"] = [_draft_out(session, report, row, reach) for row in drafts]
    return out


_SUMMARY_COLUMNS = [
    report_t.c[name]
    for name in ("id", "published_on", "publisher", "title", "url", "created_at", "created_by")
]


def list_reports(
    *, session: Session, after: int | None, limit: int
) -> tuple[list[dict[str, Any]], int | None]:
    """One page of reports, newest first, and the id to continue after, if any."""
    stmt = sa.select(*_SUMMARY_COLUMNS).order_by(report_t.c.id.desc()).limit(limit + 1)
    if after is not None:
        stmt = stmt.where(report_t.c.id < after)
    rows = session.execute(stmt).mappings().all()
    page = [dict(row) for row in rows[:limit]]
    counts: dict[int, dict[str, int]] = {r["id"]: dict.fromkeys(DraftStatus, 0) for r in page}
    if page:
        tallies = session.execute(
            sa.select(draft_t.c.report_id, draft_t.c.status, sa.func.count())
            .where(draft_t.c.report_id.in_(list(counts)))
            .group_by(draft_t.c.report_id, draft_t.c.status)
        )
        for report_id, status, count in tallies:
            counts[report_id][status] = count
    for item in page:
        item["drafts"] = counts[item["id"]]
    return page, (page[-1]["id"] if len(rows) > limit else None)


def _day(value: Any) -> date | None:
    if value is None or isinstance(value, date):
        return value
    return date.fromisoformat(str(value))


def possible_duplicates(
    *, session: Session, event: dict[str, Any], reach: tuple[int, int], besides: int | None = None
) -> list[int]:
    """Live records of the event's kind, in its province (its country when it names none),
    whose date spans overlap its own: the filters of GET /v1/events, ids only."""
    try:
        first, last = _day(event["date"]), _day(event.get("end_date"))
        precision = DatePrecision(event.get("date_precision", "day"))
        kind, country = str(event["kind"]), str(event["country"]).upper()
    except (KeyError, TypeError, ValueError):  # not a record: nothing repeats it
        return []
    if first is None:
        return []
    start, end = span(first, last, precision)
    province, district = event.get("province"), event.get("district")
    errors: list[ErrorItem] = []
    place = resolve_place(
        country=country, province=province, district=district, pointer="", errors=errors
    )
    if errors and district:  # the province alone may still be known
        errors = []
        place = resolve_place(
            country=country, province=province, district=None, pointer="", errors=errors
        )
    province_key = place.province_key or (name_key(province) if province else None)
    resolved = ResolvedFilters(
        province_keys=[province_key] if province_key else [],
        district_keys=[],
        actor_ids=[],
        filters=EventFilters(kind=[kind], country=[country], date_from=start, date_to=end),
        reach=reach,
        dialect=session.get_bind().dialect.name,
    )
    return ids_matching(session=session, resolved=resolved, besides=besides, limit=MAX_DUPLICATES)


# Deciding.
def _decided_already(report_id: int, row: sa.RowMapping) -> str:
    when = row["decided_at"].isoformat() if row["decided_at"] else "earlier"
    return f"Draft {row['n']} of report {report_id} was {row['status']} {when}"


def accept_draft(
    *,
    session: Session,
    report_id: int,
    n: int,
    correction: dict[str, Any] | None,
    by: str | None,
) -> tuple[dict[str, Any], bool]:
    """Make the draft (corrected by a merge patch) a record; return it, and whether it is new.

    Accepting an accepted draft again, with the same correction or none, answers its record
    and creates nothing; accepting a rejected one, or with another correction, is a 409.
    """
    correction = correction or None
    report = _report_row(session, report_id)
    row = _draft_row(session, report_id, n)
    if row["status"] != DraftStatus.PENDING:
        return _accepted_already(session, report_id, row, correction), False
    body = event_body(report, row["draft"])
    merged = merge_patch(body, correction) if correction else body
    prepared = prepared_or_422(event_in_or_422(merged))
    writer = EventWriter(session, by=by)
    writer.lock()
    # Only now are we the only writer: another accept may have committed since the first look.
    row = _draft_row(session, report_id, n)
    if row["status"] != DraftStatus.PENDING:
        return _accepted_already(session, report_id, row, correction), False
    event_id = writer.create(prepared)
    marked = _decide(
        session,
        report_id,
        n,
        status=DraftStatus.ACCEPTED.value,
        event_id=event_id,
        correction=correction,
        by=by,
    )
    if marked != 1:  # only if the writers' lock was bypassed
        session.rollback()
        raise Conflict(f"Draft {n} of report {report_id} was decided meanwhile; read it again.")
    record = read_event(session=session, event_id=event_id)
    writer.commit()
    return record, True


def _decide(session: Session, report_id: int, n: int, *, by: str | None, **values: Any) -> int:
    """Record the decision on a draft if it is still pending; how many drafts it changed."""
    result: sa.CursorResult[Any] = session.execute(  # type: ignore[assignment]
        sa.update(draft_t)
        .where(
            draft_t.c.report_id == report_id,
            draft_t.c.n == n,
            draft_t.c.status == DraftStatus.PENDING.value,
        )
        .values(**values, decided_at=utcnow(), decided_by=by)
    )
    return result.rowcount


def _accepted_already(
    session: Session, report_id: int, row: sa.RowMapping, correction: dict[str, Any] | None
) -> dict[str, Any]:
    """The record of a draft accepted before, for a repeated accept; 409 where that is not
    what the request asks for."""
    said = _decided_already(report_id, row)
    if row["status"] == DraftStatus.REJECTED:
        raise Conflict(
            f"{said} by {row['decided_by'] or 'an unnamed key'}; a rejected draft stays rejected "
            "(POST its event to /v1/events to record it anyway)."
        )
    event_id = row["event_id"]
    if correction != row["correction"]:
        raise Conflict(
            f"{said} as event {event_id} with another correction; change the record with "
            f"PATCH /v1/events/{event_id}."
        )
    try:
        return read_event(session=session, event_id=event_id)
    except Gone as error:
        raise Conflict(f"{said} as event {event_id}, which has been deleted since.") from error


def reject_draft(
    *, session: Session, report_id: int, n: int, reason: str | None, by: str | None
) -> dict[str, Any]:
    """Mark a draft rejected (rejecting it again changes nothing); 409 if it was accepted."""
    serialise_writers(session)
    report = _report_row(session, report_id)
    row = _draft_row(session, report_id, n)
    if row["status"] == DraftStatus.ACCEPTED:
        raise Conflict(
            f"{_decided_already(report_id, row)} as event {row['event_id']}; delete the record "
            f"(DELETE /v1/events/{row['event_id']}) if it should not exist."
        )
    if row["status"] == DraftStatus.PENDING:
        _decide(session, report_id, n, status=DraftStatus.REJECTED.value, reason=reason, by=by)
        row = _draft_row(session, report_id, n)
    draft = _draft_out(session, report, row, stored_reach(session))
    session.commit()
    return draft
