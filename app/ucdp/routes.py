"""GET /api/gedevents/<version>: UCDP's API over our records, for UCDP's clients.

A script written for UCDP's API works against this server by changing its base URL: UCDP's
parameters, its envelope (TotalCount, TotalPages, PreviousPageUrl, NextPageUrl, Result) and GED's
columns. The query is app/ucdp/service.py's, the rows app/ucdp/rows.py's; this module checks the
token, documents the endpoint and writes the envelope. UCDP documents no error shape, so errors
are our problem details (application/problem+json), as everywhere else.
"""

from typing import Any
from urllib.parse import urlencode

import orjson
from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from fastapi.security import APIKeyHeader

from app.core.errors import PROBLEM_JSON, Unauthorized
from app.core.settings import Scope
from app.keys.auth import authenticate_secret
from app.ucdp import rows, service

router = APIRouter(prefix="/api", tags=["ucdp"])
TOKEN_HEADER = "x-ucdp-access-token"
# Documents the header as UCDP's clients send it (check_token reads and checks it).
ucdp_token = APIKeyHeader(
    name=TOKEN_HEADER,
    scheme_name="UcdpToken",
    description="One of this server's API keys, as UCDP's token header: required where the "
    "server requires read keys (CE_READ_REQUIRES_KEY), else optional; a wrong one is a 401.",
    auto_error=False,
)


def check_token(request: Request) -> None:
    """With read keys required, the token header must hold one of our API keys; without, it is
    optional, but a wrong one is still a 401. Wrong tokens count toward the per-address limit."""
    token = request.headers.get(TOKEN_HEADER, "").strip()
    if not token:
        if request.app.state.settings.read_requires_key:
            raise Unauthorized(f"An API key is required: send it in the {TOKEN_HEADER} header.")
        return
    authenticate_secret(request, token, Scope.READ)


def _page_url(request: Request, page: int) -> str:
    """This request's URL at another page (the other parameters as the client gave them)."""
    kept = [(k, v) for k, v in request.query_params.multi_items() if k.lower() != "page"]
    return str(request.url.replace(query=urlencode([*kept, ("page", str(page))])))


def _type(column: str) -> dict[str, Any]:
    if column in rows.INTEGER_COLUMNS:
        return {"type": ["integer", "null"]}
    if column in rows.NUMBER_COLUMNS:
        return {"type": ["number", "null"]}
    if column in rows.BOOLEAN_COLUMNS:
        return {"type": ["boolean", "null"]}
    return {"type": ["string", "null"]}


_ROW_SCHEMA = {
    "type": "object",
    "required": list(rows.COLUMNS),
    "properties": {column: _type(column) for column in rows.COLUMNS},
}
_ENVELOPE_SCHEMA = {
    "type": "object",
    "required": ["TotalCount", "TotalPages", "PreviousPageUrl", "NextPageUrl", "Result"],
    "properties": {
        "TotalCount": {"type": "integer"},
        "TotalPages": {"type": "integer"},
        "PreviousPageUrl": {"type": "string"},
        "NextPageUrl": {"type": "string"},
        "Result": {"type": "array", "items": _ROW_SCHEMA},
    },
}


def _param(name: str, description: str, example: str, **schema: Any) -> dict[str, Any]:
    return {
        "name": name,
        "in": "query",
        "required": False,
        "description": description,
        "schema": {"type": "string", **schema},
        "example": example,
    }


_LIST = r"^ *\d{1,10} *(, *\d{1,10} *){0,99}$"
_DAY = r"^\d{4}-\d{2}-\d{2}$"
_DOC: dict[str, Any] = {
    "parameters": [
        {  # read from the path, not a function parameter: no FastAPI 422 to document
            "name": "version",
            "in": "path",
            "required": True,
            "description": "UCDP's release (24.1, 25.0.7): accepted, does not filter.",
            "schema": {"type": "string"},
            "example": "24.1",
        },
        {
            "name": "pagesize",
            "in": "query",
            "required": False,
            "description": f"Rows a page (default {service.DEFAULT_PAGE_SIZE}, at most "
            f"{service.MAX_PAGE_SIZE}, as UCDP's).",
            "schema": {"type": "integer", "minimum": 1, "maximum": service.MAX_PAGE_SIZE},
            "example": 1000,
        },
        {
            "name": "page",
            "in": "query",
            "required": False,
            "description": "Page number, 0 first (UCDP's numbering).",
            "schema": {"type": "integer", "minimum": 0, "maximum": 10_000_000},
            "example": 0,
        },
        _param(
            "Id",
            "GED ids, comma-separated: an imported GED row's own id, or "
            f"{rows.OWN_ID_OFFSET:,} plus our id for other records.",
            "71663",
            pattern=_LIST,
        ),
        _param(
            "Country",
            "Gleditsch-Ward country codes, comma-separated (Afghanistan 700, Bangladesh 771).",
            "700,771",
            pattern=_LIST,
        ),
        _param(
            "StartDate", "Events whose date_start is this day or later.", "2021-05-01", pattern=_DAY
        ),
        _param(
            "EndDate", "Events whose date_end is this day or earlier.", "2021-05-31", pattern=_DAY
        ),
        _param(
            "TypeOfViolence",
            "1 state-based, 2 non-state, 3 one-sided; comma-separated.",
            "1,3",
            pattern=r"^ *[123] *(, *[123] *){0,2}$",
        ),
        _param(
            "Geography",
            'A box: two corners as "lat1 lon1,lat2 lon2".',
            "29 60,38 75",
            pattern=r"^ *-?\d{1,2}(\.\d+)? +-?\d{1,3}(\.\d+)? *, *-?\d{1,2}(\.\d+)? +"
            r"-?\d{1,3}(\.\d+)? *$",
        ),
    ],
    # Optional where reads are public; the server's settings decide (see the description).
    "security": [{}],
    "responses": {
        "200": {
            "description": "UCDP's envelope; Result holds GED rows. NextPageUrl is empty on the "
            "last page, PreviousPageUrl on the first.",
            "content": {
                "application/json": {
                    "schema": _ENVELOPE_SCHEMA,
                    "example": {
                        "TotalCount": 1,
                        "TotalPages": 1,
                        "PreviousPageUrl": "",
                        "NextPageUrl": "",
                        "Result": [{"id": 71663, "best": 1, "side_a": "Government of Bangladesh"}],
                    },
                }
            },
        },
    },
}
_DESCRIPTIONS = {  # status: (slug, title, description)
    400: (
        "bad-request",
        "Bad request",
        "A parameter this server does not answer (Dyad, Actor, Conflict, unknown names) or a "
        "wrong value; `errors` names each.",
    ),
    401: (
        "unauthorized",
        "Unauthorized",
        f"No valid key in {TOKEN_HEADER}, where reads need one; or a wrong one.",
    ),
    403: ("forbidden", "Forbidden", "A key without the read scope."),
    429: (
        "too-many-failed-keys",
        "Too many failed keys",
        "Too many wrong keys from this address; see Retry-After.",
    ),
    503: (
        "query-time-limit",
        "Query time limit",
        "The database is out of reach, or the query ran past the time limit; see Retry-After.",
    ),
}


# app/core/docs.py leaves /api/ alone (ACLED's shape there): these say problem details.
_DOC["responses"] |= {
    str(code): {
        "description": description,
        "content": {
            PROBLEM_JSON: {
                "schema": {"$ref": "#/components/schemas/Problem"},
                "example": {
                    "type": f"/problems/{slug}",
                    "title": title,
                    "status": code,
                    "detail": "...",
                },
            }
        },
    }
    for code, (slug, title, description) in _DESCRIPTIONS.items()
}


@router.get(
    "/gedevents/{version}",  # noqa: FAST003 (version: documented in _DOC, never used)
    summary="Events, as UCDP's API gives GED events",
    openapi_extra=_DOC,
    dependencies=[Depends(ucdp_token)],
)
def gedevents(request: Request) -> Response:
    """UCDP's `/api/gedevents/<version>`: every record, as GED rows. `version` (24.1, 25.0.7) is
    accepted and does not filter: this server holds one set of records."""
    check_token(request)
    query = service.parse(list(request.query_params.multi_items()))
    page = service.read(
        request.app.state.engine, query, request.app.state.settings.query_time_limit_ms
    )
    last = page.page >= page.pages - 1
    body = {
        "TotalCount": page.total,
        "TotalPages": page.pages,
        "PreviousPageUrl": _page_url(request, page.page - 1) if page.page > 0 else "",
        "NextPageUrl": "" if last else _page_url(request, page.page + 1),
        "Result": page.result,
    }
    return Response(orjson.dumps(body), media_type="application/json")
