"""POST /v1/events/bulk: many records as a JSON array, NDJSON or a UCDP/ACLED CSV; all or none."""

import csv
import io
import json
from dataclasses import dataclass
from typing import Any

from pydantic import TypeAdapter, ValidationError
from sqlmodel import Session

from app.core.errors import (
    BadRequest,
    ErrorItem,
    InvalidRequest,
    body_errors,
    invalid,
)
from app.events.schemas import EventIn, EventInModel
from app.events.writes import EventWriter, Prepared, bind, event_binder, prepare
from app.sources import register_actors
from app.sources.tabular import Format, MissingColumns, Options, Unusable, rows

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


CSV_EXAMPLE = (
    "id,year,type_of_violence,side_a,side_b,adm_1,latitude,longitude,country,iso3,date_prec,"
    "date_start,date_end,low,best,high\n"
    "244657,2018,1,Government of Afghanistan,Taleban,Hilmand province,31.583,64.369,"
    "Afghanistan,AFG,1,2018-10-12,2018-10-12,2,3,5\n"
)


@dataclass
class BulkBody:
    records: list[Any]
    source: Format | None = None  # the format of a CSV body


def csv_records(raw: bytes, source: Format, options: Options) -> list[Any]:
    """A source's CSV rows as our records; every row that cannot be one is a 422 naming it."""
    try:
        found = list(rows(io.StringIO(raw.decode("utf-8-sig"), newline=""), source))
    except UnicodeDecodeError as error:
        raise BadRequest(
            "The body is not UTF-8 text.",
            errors=[ErrorItem(in_="body", pointer="", detail="The body is not UTF-8 text.")],
        ) from error
    except (MissingColumns, csv.Error) as error:
        raise invalid("body", "", f"Not a {source.name.upper()} CSV file: {error}.") from error
    records, errors = [], []
    for position, (line, row) in enumerate(found):
        try:
            records.append(source.translate(row, options).record)
        except Unusable as error:
            errors.append(
                ErrorItem(in_="body", pointer=f"/{position}", detail=f"line {line}: {error}")
            )
    if errors:
        raise InvalidRequest(errors)
    return records


def validate(records: list[Any], *, strict: bool = True) -> tuple[list[Prepared], list[ErrorItem]]:
    """Prepared records, and every problem with the others, by zero-based position.

    strict=False (a source's file): places the gazetteer does not know are kept as spelt."""
    prepared, errors = [], []
    for position, record in enumerate(records):
        try:
            event_in = _adapter.validate_python(record)
        except ValidationError as error:
            for item in body_errors(error).errors or []:
                item.pointer = f"/{position}{item.pointer or ''}"
                errors.append(item)
            continue
        ready, problems = prepare(
            event_in, pointer=f"/{position}", position=position, strict=strict
        )
        errors += problems
        if ready is not None:
            prepared.append(ready)
    return prepared, errors


def upsert(*, session: Session, body: BulkBody, by: str | None) -> dict[str, Any]:
    prepared, errors = validate(body.records, strict=body.source is None)
    if errors:
        raise InvalidRequest(errors)
    writer = EventWriter(session, by=by, imported=True)
    writer.lock()
    if body.source is not None:
        register_actors(session, body.source)
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
