"""GET /api/acled/read and /api/deleted/read: ACLED's API over our records, for ACLED's clients.

A script written for ACLED's API works against this server by changing its base URL. The query
language (any column a filter, `<column>_where`, `a|b`) is app/compat/acled.py's; this module
checks the key, documents the endpoints and answers errors in ACLED's shape,
`{"success": false, "error": ...}`.
"""

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response, StreamingResponse
from fastapi.security import HTTPAuthorizationCredentials

from app.compat import acled
from app.compat.acled import OPERATORS, TIMESTAMP_OPERATORS
from app.core.errors import ApiError
from app.core.settings import Scope
from app.keys.auth import authenticate
from app.sources import acled as acled_rows

router = APIRouter(prefix="/api", tags=["acled"])


def _error(error: acled.AcledError) -> JSONResponse:
    detail: dict[str, Any] = {"status": error.status, "message": error.message}
    if error.parameter:
        detail["parameter"] = error.parameter
    return JSONResponse(
        {"status": error.status, "success": False, "error": detail},
        status_code=error.status,
        headers=error.headers,
    )


_ERROR_SCHEMA = {
    "type": "object",
    "required": ["status", "success", "error"],
    "properties": {
        "status": {"type": "integer"},
        "success": {"type": "boolean", "enum": [False]},
        "error": {
            "type": "object",
            "required": ["status", "message"],
            "properties": {
                "status": {"type": "integer"},
                "message": {"type": "string"},
                "parameter": {"type": "string"},
            },
        },
    },
}


def _error_response(status: int, description: str) -> dict[str, Any]:
    example = {"status": status, "success": False, "error": {"status": status, "message": "..."}}
    if status == 400:
        example["error"] = {"status": 400, "message": "...", "parameter": "page"}
    return {
        "description": description,
        "content": {"application/json": {"schema": _ERROR_SCHEMA, "example": example}},
    }


# The errors both endpoints answer, in ACLED's shape (not problem details).
ERROR_RESPONSES = {
    "400": _error_response(400, "ACLED's error shape; `parameter` names what was wrong."),
    "401": _error_response(401, "No valid key, where the server requires read keys."),
    "403": _error_response(403, "A key without the read scope."),
    "429": _error_response(429, "Too many wrong keys from this address; see Retry-After."),
    "503": _error_response(
        503, "The database is out of reach, or the query ran past the time limit; see Retry-After."
    ),
}


def _check_key(request: Request) -> None:
    """With read keys required, ACLED's `key` parameter (or the usual header) must be one."""
    if not request.app.state.settings.read_requires_key:
        return
    presented = request.query_params.get("key")
    header = request.headers.get("authorization", "")
    if header.lower().startswith("bearer "):
        presented = header[7:].strip()
    credentials = (
        HTTPAuthorizationCredentials(scheme="Bearer", credentials=presented) if presented else None
    )
    try:
        authenticate(request, credentials, Scope.READ)
    except ApiError as error:  # 429 keeps its Retry-After, 401 its WWW-Authenticate
        raise acled.AcledError.of(error) from None


# An example value of each column's filter, for the docs page.
_EXAMPLES = {
    "event_id_cnty": "AFG51842",
    "event_date": "2021-05-01|2021-05-31",
    "year": "2021",
    "time_precision": "1",
    "disorder_type": "Political violence",
    "event_type": "Battles",
    "sub_event_type": "Armed clash",
    "actor1": "Taliban",
    "assoc_actor_1": "Militia",
    "inter1": "Rebel group",
    "actor2": "Military Forces of Afghanistan (2004-2021)",
    "assoc_actor_2": "Civilians",
    "inter2": "State forces",
    "interaction": "State forces-Rebel group",
    "civilian_targeting": "Civilian targeting",
    "iso": "4",
    "region": "Caucasus and Central Asia",
    "country": "Afghanistan",
    "admin1": "Helmand",
    "admin2": "Lashkar Gah",
    "admin3": "Bolan",
    "location": "Lashkar Gah",
    "latitude": "31.5938",
    "longitude": "64.3716",
    "geo_precision": "1",
    "source": "Pajhwok",
    "source_scale": "National",
    "notes": "checkpoint",
    "fatalities": "10",
    "tags": "crowd size",
    "timestamp": "1622505600",
}
_READ_DOC = {
    "parameters": [
        *(
            {
                "name": column,
                "in": "query",
                "required": False,
                "description": "An ACLED column as a filter ("
                + ("LIKE" if column in acled_rows.LIKE_COLUMNS else "=")
                + " by default; `<column>_where` for another operator); several values as a|b.",
                "schema": {"type": "string"},
                "example": _EXAMPLES[column],
            }
            for column in acled_rows.COLUMNS
        ),
        {
            "name": "event_date_where",
            "in": "query",
            "required": False,
            "description": "The operator for event_date (any `<column>_where` works): "
            + ", ".join(OPERATORS)
            + "; BETWEEN takes low|high.",
            "schema": {"type": "string", "enum": list(OPERATORS)},
            "example": "BETWEEN",
        },
        {
            "name": "limit",
            "in": "query",
            "required": False,
            "description": "Rows per page (default 5000); 0: every row, streamed.",
            "schema": {"type": "integer", "minimum": 0},
            "example": 500,
        },
        {
            "name": "page",
            "in": "query",
            "required": False,
            "description": "Page number, 1 first.",
            "schema": {"type": "integer", "minimum": 1},
            "example": 1,
        },
        {
            "name": "fields",
            "in": "query",
            "required": False,
            "description": "Columns to return, as a|b.",
            "schema": {"type": "string"},
            "example": "event_id_cnty|event_date|admin1|fatalities",
        },
        {
            "name": "_format",
            "in": "query",
            "required": False,
            "description": "json (default) or csv.",
            "schema": {"type": "string", "enum": ["json", "csv"]},
            "example": "csv",
        },
        {
            "name": "with_total",
            "in": "query",
            "required": False,
            "description": "true: `count` is the number of matching rows, not of rows returned.",
            "schema": {"type": "string", "pattern": "^([Tt][Rr][Uu][Ee]|[Ff][Aa][Ll][Ss][Ee])$"},
            "example": "true",
        },
        {
            "name": "key",
            "in": "query",
            "required": False,
            "description": "Ignored, unless the server requires read keys: then an API key.",
            "schema": {"type": "string"},
            "example": "my-read-key",
        },
    ],
    "responses": {
        "200": {
            "description": "ACLED's envelope: {status, success, count, data: [rows]}.",
            "content": {
                "application/json": {
                    "example": {
                        "status": 200,
                        "success": True,
                        "count": 1,
                        "data": [{"event_id_cnty": "AFG7", "event_date": "2021-05-03"}],
                    }
                },
                "text/csv": {},
            },
        },
        **ERROR_RESPONSES,
    },
}


@router.get("/acled/read", openapi_extra=_READ_DOC, summary="Events, as ACLED's API gives them")
def acled_read(request: Request) -> Response:
    """ACLED's `/api/acled/read`: point an ACLED client's base URL here to read this server."""
    settings = request.app.state.settings
    try:
        _check_key(request)
        answer = acled.read(
            request.app.state.engine,
            list(request.query_params.multi_items()),
            settings.query_time_limit_ms,
        )
    except acled.AcledError as error:
        return _error(error)
    if answer.chunks is not None:
        return StreamingResponse(answer.chunks, media_type=answer.media_type)
    return Response(answer.body, media_type=answer.media_type)


@router.get(
    "/deleted/read",
    summary="Deleted events, as ACLED's deleted endpoint lists them",
    openapi_extra={
        "parameters": [
            {
                "name": "deleted_timestamp",
                "in": "query",
                "required": False,
                "description": "Unix seconds (or YYYY-MM-DD); with deleted_timestamp_where "
                "(=, >, <, >=, <=, BETWEEN), e.g. >= the last sync.",
                "schema": {"type": "string"},
                "example": "1622505600",
            },
            {
                "name": "deleted_timestamp_where",
                "in": "query",
                "required": False,
                "description": "The operator for deleted_timestamp (default =).",
                "schema": {"type": "string", "enum": list(TIMESTAMP_OPERATORS)},
                "example": ">=",
            },
            {
                "name": "limit",
                "in": "query",
                "required": False,
                "description": "Rows per page (default 5000; 0: all).",
                "schema": {"type": "integer"},
                "example": 5000,
            },
            {
                "name": "page",
                "in": "query",
                "required": False,
                "description": "Page number, 1 first.",
                "schema": {"type": "integer"},
                "example": 1,
            },
        ],
        "responses": {
            "200": {
                "description": "{status, success, count, data: [{event_id_cnty, "
                "deleted_timestamp}]}",
                "content": {
                    "application/json": {
                        "example": {
                            "status": 200,
                            "success": True,
                            "count": 1,
                            "data": [{"event_id_cnty": "AFG7", "deleted_timestamp": 1622505600}],
                        }
                    }
                },
            },
            **ERROR_RESPONSES,
        },
    },
)
def deleted_read(request: Request) -> Response:
    """ACLED's `/api/deleted/read`: the records deleted here, for clients that mirror the data."""
    settings = request.app.state.settings
    try:
        _check_key(request)
        body = acled.deleted(
            request.app.state.engine,
            list(request.query_params.multi_items()),
            settings.query_time_limit_ms,
        )
    except acled.AcledError as error:
        return _error(error)
    return Response(body, media_type="application/json")
