"""POST /v1/events/bulk: many records as a JSON array, NDJSON or a UCDP/ACLED CSV; all or none."""

import csv
import io
import json
from dataclasses import dataclass
from typing import Annotated, Any, Literal

from fastapi import Query, Request
from pydantic import TypeAdapter, ValidationError
from sqlmodel import Session

from app.core.errors import (
    BadRequest,
    ErrorItem,
    InvalidRequest,
    UnsupportedMediaType,
    body_errors,
    invalid,
    media_type,
)
from app.core.types import Name
from app.events.schemas import EventIn, EventInModel
from app.events.writes import EventWriter, Prepared, bind, event_binder, prepare
from app.sources import FORMATS, register_actors
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


def _not_json(detail: str) -> BadRequest:
    return BadRequest(detail, errors=[ErrorItem(in_="body", pointer="", detail=detail)])


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


async def records_body(
    request: Request,
    format: Annotated[
        Literal["ucdp", "acled"] | None,
        Query(
            description="For a CSV body (Content-Type: text/csv): ucdp (a UCDP GED file, "
            "releases 19.1-25.1) or acled (an ACLED export).",
            examples=["ucdp"],
        ),
    ] = None,
    dataset: Annotated[
        Name | None,
        Query(
            description="For a CSV body: the dataset name to keep the records under (default "
            "ucdp-ged or acled); with each row's id it names the record across imports.",
            examples=["ucdp-ged"],
        ),
    ] = None,
    release: Annotated[
        Name | None,
        Query(description="For a CSV body: the source's release.", examples=["24.1"]),
    ] = None,
) -> BulkBody:
    """The records of a bulk request: a JSON array, NDJSON lines, or a source's CSV rows."""
    kind = media_type(request)
    if kind not in ("application/json", "application/x-ndjson", "text/csv"):
        raise UnsupportedMediaType(
            "Send application/json (an array), application/x-ndjson, or text/csv with format=."
        )
    raw = await request.body()
    if kind == "text/csv":
        if format is None:
            raise invalid("query", "format", "A CSV body needs format=ucdp or format=acled.")
        source = FORMATS[format]
        return BulkBody(
            _csv_records(raw, source, Options(dataset or source.dataset, release)), source
        )
    if format is not None:
        raise invalid("query", "format", "format= is for CSV bodies (Content-Type: text/csv).")
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
    return BulkBody(records)


def _csv_records(raw: bytes, source: Format, options: Options) -> list[Any]:
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


def upsert(*, session: Session, body: BulkBody, by: str | None) -> dict[str, Any]:
    prepared, errors = validate(body.records)
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
