"""Schemathesis hooks (SCHEMATHESIS_HOOKS=tests.fuzz.hooks): how to send the bulk endpoint's
CSV and NDJSON bodies, which schemathesis cannot serialise by itself."""

import csv
import io
import json
from typing import Any

import schemathesis


def _records(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


@schemathesis.serializer("application/x-ndjson")
def ndjson(_ctx: Any, value: Any) -> bytes:
    return "".join(json.dumps(record) + "\n" for record in _records(value)).encode()


@schemathesis.serializer("text/csv")
def csv_rows(_ctx: Any, value: Any) -> bytes:
    if isinstance(value, str | bytes):
        return value.encode() if isinstance(value, str) else value
    rows = [r if isinstance(r, dict) else {"value": r} for r in _records(value)]
    columns = sorted({str(k) for row in rows for k in row})
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=columns or ["value"])
    writer.writeheader()
    for row in rows:
        writer.writerow(
            {str(k): json.dumps(v) if isinstance(v, dict | list) else v for k, v in row.items()}
        )
    return out.getvalue().encode()
