"""The web side of events: what a request's headers and body say, before the services see it."""

import json
from typing import Annotated, Any, Literal

from fastapi import Header, Query, Request

from app.core.errors import (
    BadRequest,
    ErrorItem,
    InvalidRequest,
    UnsupportedMediaType,
    invalid,
    media_type,
)
from app.core.types import Name
from app.events import bulk
from app.sources import FORMATS
from app.sources.tabular import Options

IfMatch = Annotated[
    str | None,
    Header(
        min_length=1,
        max_length=1000,
        description="The ETag of the version you edited (from GET); `*` for any current version.",
        examples=['"3"'],
    ),
]


def _not_json(detail: str) -> BadRequest:
    return BadRequest(detail, errors=[ErrorItem(in_="body", pointer="", detail=detail)])


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
) -> bulk.BulkBody:
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
        return bulk.BulkBody(
            bulk.csv_records(raw, source, Options(dataset or source.dataset, release)), source
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
    return bulk.BulkBody(records)


async def merge_patch_body(request: Request) -> dict[str, Any]:
    """The body of a PATCH: a JSON object sent as application/merge-patch+json (or JSON)."""
    if media_type(request) not in ("application/merge-patch+json", "application/json"):
        raise UnsupportedMediaType("Send the patch as application/merge-patch+json (RFC 7396).")
    try:
        patch = json.loads((await request.body()).decode("utf-8"))
    except (ValueError, RecursionError) as error:
        detail = "The body is not valid JSON."
        raise BadRequest(
            detail, errors=[ErrorItem(in_="body", pointer="", detail=detail)]
        ) from error
    if not isinstance(patch, dict):
        raise invalid("body", "", "A merge patch is a JSON object.")
    return patch
