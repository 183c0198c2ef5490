"""POST /v1/events/bulk: many records as a JSON array or NDJSON, all stored or none."""

import json
from typing import Any

from fastapi import Request
from pydantic import TypeAdapter, ValidationError
from sqlmodel import Session

from app.errors import (
    BadRequest,
    ErrorItem,
    InvalidRequest,
    UnsupportedMediaType,
    body_errors,
    media_type,
)
from app.events.schemas import EventIn, EventInModel
from app.events.writes import EventWriter, Prepared, bind, event_binder, prepare

EXAMPLE: dict[str, Any] = {
    "kind": "offensive",
    "date": "2021-05-03",
    "country": "AFG",
    "province": "Helmand",
    "summary": "Taliban attacked checkpoints around Lashkar Gah.",
    "sources": [{"publisher": "Xinhua"}],
    "dataset": "my-coding",
    "external_id": "2021-0001",
}
NDJSON_EXAMPLE = json.dumps(EXAMPLE) + "\n"

_adapter: TypeAdapter[EventInModel] = TypeAdapter(EventIn)


def _not_json(detail: str) -> BadRequest:
    return BadRequest(detail, errors=[ErrorItem(in_="body", pointer="", detail=detail)])


async def records_body(request: Request) -> list[Any]:
    """The records of a bulk request: a JSON array, or one JSON object per NDJSON line."""
    kind = media_type(request)
    if kind not in ("application/json", "application/x-ndjson"):
        raise UnsupportedMediaType("Send application/json (an array) or application/x-ndjson.")
    raw = await request.body()
    try:
        text = raw.decode("utf-8")
        if kind == "application/json":
            records = json.loads(text)
        else:
            records = [json.loads(line) for line in text.splitlines() if line.strip()]
    except (ValueError, RecursionError) as error:
        raise _not_json(
            f"The body is not valid {'JSON' if kind.endswith('json') else 'NDJSON'}."
        ) from error
    if not isinstance(records, list):
        raise InvalidRequest(
            [ErrorItem(in_="body", pointer="", detail="Send a JSON array of records.")]
        )
    return records


def validate(records: list[Any]) -> tuple[list[Prepared], list[ErrorItem]]:
    """Prepared records, and every problem with the others, by zero-based position."""
    prepared, errors = [], []
    for position, record in enumerate(records):
        try:
            event_in = _adapter.validate_python(record)
        except ValidationError as error:
            for item in body_errors(error).errors or []:
                item.pointer = f"/{position}{item.pointer or ''}"
                errors.append(item)
            continue
        ready, problems = prepare(event_in, pointer=f"/{position}", position=position)
        errors += problems
        if ready is not None:
            prepared.append(ready)
    return prepared, errors


def upsert(*, session: Session, records: list[Any], by: str | None) -> dict[str, Any]:
    prepared, errors = validate(records)
    if errors:
        raise InvalidRequest(errors)
    writer = EventWriter(session, by=by, imported=True)
    binder = event_binder(session.get_bind().dialect)
    by_position = {p.position: p for p in prepared}
    result = writer.upsert_many(
        [bind(p, binder) for p in prepared], binder, lambda r: by_position[r.position]
    )
    if result.errors:
        raise InvalidRequest(result.errors)
    writer.commit()
    return {
        "inserted": result.inserted,
        "updated": result.updated,
        "unchanged": result.unchanged,
        "ids": result.ids,
    }
