"""GET /api/acled/read and /api/deleted/read: ACLED's API over our records, for ACLED's clients;
POST /oauth/token: ACLED's login, issuing tokens bound to our API keys (app/keys/tokens.py).

A script written for ACLED's API works against this server by changing its base URL (and, for
OAuth clients, its token address). The query language (any column a filter, `<column>_where`,
`a|b`) is app/compat/acled.py's; this module checks the key or token, documents the endpoints and
answers errors in ACLED's shape, `{"success": false, "error": ...}` (the token endpoint: OAuth's,
`{"error": "invalid_grant", ...}`).
"""

from typing import Any
from urllib.parse import parse_qsl

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response, StreamingResponse
from starlette.concurrency import run_in_threadpool

from app.compat import acled
from app.compat.acled import OPERATORS, TIMESTAMP_OPERATORS
from app.core.errors import ApiError, Forbidden, TooManyRequests, Unauthorized
from app.core.settings import Scope
from app.keys import tokens
from app.keys.auth import authenticate_secret, client_address
from app.keys.limits import failure_limiter
from app.sources import acled as acled_rows

router = APIRouter(tags=["acled"])


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
    "401": _error_response(
        401,
        "No valid key, where the server requires read keys; or a Bearer token from /oauth/token "
        "that is not valid, has expired, or whose key was revoked (checked wherever one is sent).",
    ),
    "403": _error_response(403, "A key without the read scope."),
    "429": _error_response(429, "Too many wrong keys from this address; see Retry-After."),
    "503": _error_response(
        503, "The database is out of reach, or the query ran past the time limit; see Retry-After."
    ),
}


def _check_key(request: Request) -> None:
    """A token from /oauth/token in the Authorization header is checked wherever it is sent (a
    client learns its token is bad even where reads are public). Otherwise, with read keys
    required, ACLED's `key` parameter (or the usual header) must be one of our keys."""
    header = request.headers.get("authorization", "")
    bearer = header[7:].strip() if header.lower().startswith("bearer ") else None
    if bearer and tokens.is_token(bearer):
        _check_token(request, bearer)
        return
    if not request.app.state.settings.read_requires_key:
        return
    try:
        authenticate_secret(request, bearer or request.query_params.get("key"), Scope.READ)
    except ApiError as error:  # 429 keeps its Retry-After, 401 its WWW-Authenticate
        raise acled.AcledError.of(error) from None


def _check_token(request: Request, token: str) -> None:
    """An access token's key must be live and may read; a forged token counts as a wrong key."""
    limiter, client = failure_limiter(request.app), client_address(request)
    wait = limiter.retry_after(client)
    if wait is not None:
        raise acled.AcledError.of(TooManyRequests(wait))
    try:
        holder = tokens.verify(
            request.app.state.settings, request.app.state.engine, token, "access"
        )
    except tokens.TokenError as error:
        if error.forged:
            limiter.failed(client)
        raise acled.AcledError.of(Unauthorized(str(error))) from None
    request.state.key_name = holder.name
    if not holder.scope.allows(Scope.READ):  # every scope includes read: kept for a new one
        raise acled.AcledError.of(Forbidden("This token's API key does not have the read scope."))


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
            "description": "Ignored, unless the server requires read keys: then an API key (or "
            "send `Authorization: Bearer` with a key or a token from /oauth/token).",
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


@router.get("/api/acled/read", openapi_extra=_READ_DOC, summary="Events, as ACLED's API gives them")
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
    "/api/deleted/read",
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


# POST /oauth/token: ACLED's login (OAuth 2's password and refresh grants, `client_id=acled`).
# Answers are OAuth's (RFC 6749 section 5), as ACLED's OAuth server gives them and OAuth clients
# expect: a wrong name or secret, or a bad refresh token, is 400 `invalid_grant`; errors also carry
# ACLED's `status` and `success: false`. At ACLED's address, /oauth/token, and documented as
# /api/oauth/token: the docs give every error outside /api/ as a problem (app/core/docs.py).
CLIENT_ID = "acled"
TOKEN_PATHS = ("/api/oauth/token", "/oauth/token")
_OAUTH_ERROR_SCHEMA = {
    "type": "object",
    "required": ["error", "error_description", "status", "success"],
    "properties": {
        "error": {"type": "string"},
        "error_description": {"type": "string"},
        "status": {"type": "integer"},
        "success": {"type": "boolean", "enum": [False]},
    },
}


def _oauth_error_response(description: str, error: str) -> dict[str, Any]:
    status = {"invalid_client": 401, "slow_down": 429}.get(error, 400)
    example = {"error": error, "error_description": "...", "status": status, "success": False}
    return {
        "description": description,
        "content": {"application/json": {"schema": _OAUTH_ERROR_SCHEMA, "example": example}},
    }


_TOKEN_DOC: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "content": {
            "application/x-www-form-urlencoded": {
                "schema": {
                    "type": "object",
                    "required": ["grant_type"],
                    "properties": {
                        "grant_type": {"type": "string", "enum": ["password", "refresh_token"]},
                        "client_id": {"type": "string", "enum": [CLIENT_ID]},
                        "username": {"type": "string", "description": "An API key's name."},
                        "password": {"type": "string", "description": "That key's secret."},
                        "refresh_token": {
                            "type": "string",
                            "description": "The refresh_token of an earlier answer.",
                        },
                    },
                },
                "example": {
                    "grant_type": "password",
                    "client_id": CLIENT_ID,
                    "username": "analyst",
                    "password": "<the key's secret>",
                },
            }
        },
    },
    "responses": {
        "200": {
            "description": "Tokens: send `Authorization: Bearer <access_token>` to "
            "/api/acled/read and /api/deleted/read; renew with grant_type=refresh_token.",
            "content": {
                "application/json": {
                    "schema": {
                        "type": "object",
                        "required": ["access_token", "refresh_token", "expires_in", "token_type"],
                        "properties": {
                            "access_token": {"type": "string"},
                            "refresh_token": {"type": "string"},
                            "expires_in": {"type": "integer"},
                            "refresh_token_expires_in": {"type": "integer"},
                            "token_type": {"type": "string", "enum": ["Bearer"]},
                        },
                    }
                }
            },
        },
        "400": _oauth_error_response(
            "`invalid_grant`: a wrong key name or secret, or a refresh token that is not valid, "
            "has expired or whose key was revoked; `invalid_request`, `unsupported_grant_type`.",
            "invalid_grant",
        ),
        "401": _oauth_error_response(
            "`invalid_client`: a client_id other than acled.", "invalid_client"
        ),
        "429": _oauth_error_response(
            "Too many wrong keys or tokens from this address; see Retry-After.", "slow_down"
        ),
    },
}


class OAuthError(Exception):
    def __init__(self, status: int, error: str, description: str, **headers: str) -> None:
        super().__init__(description)
        self.status, self.error, self.description, self.headers = (
            status,
            error,
            description,
            headers,
        )


def _grant(error: str = "invalid_grant", description: str = "") -> OAuthError:
    return OAuthError(400, error, description)


def _form(request: Request, body: bytes) -> dict[str, str]:
    media = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if media != "application/x-www-form-urlencoded":
        raise _grant("invalid_request", "Send the form as application/x-www-form-urlencoded.")
    try:
        pairs = parse_qsl(
            body.decode(), keep_blank_values=True, strict_parsing=bool(body), max_num_fields=20
        )
    except (UnicodeDecodeError, ValueError):
        raise _grant("invalid_request", "The form could not be read.") from None
    form: dict[str, str] = {}
    for name, value in pairs:
        if name in form:
            raise _grant("invalid_request", f"{name} is given more than once.")
        form[name] = value
    return form


def _password_grant(request: Request, form: dict[str, str]) -> tokens.Holder:
    username, password = form.get("username", ""), form.get("password", "")
    if not username or not password:
        raise _grant("invalid_request", "The password grant takes username and password.")
    try:  # the per-address limit, then the secret, any failure counted (app/keys/limits.py)
        key = authenticate_secret(request, password, Scope.READ)
    except TooManyRequests as error:
        raise OAuthError(429, "slow_down", str(error.detail), **(error.headers or {})) from None
    except ApiError:
        raise _grant(description="The user credentials were incorrect.") from None
    if key.name != username:
        failure_limiter(request.app).failed(client_address(request))
        request.state.key_name = None
        raise _grant(description="The user credentials were incorrect.")
    return tokens.Holder(key.name, key.scope, tokens.fingerprint(password))


def _refresh_grant(request: Request, form: dict[str, str]) -> tokens.Holder:
    token = form.get("refresh_token", "")
    if not token:
        raise _grant("invalid_request", "The refresh_token grant takes refresh_token.")
    limiter, client = failure_limiter(request.app), client_address(request)
    wait = limiter.retry_after(client)
    if wait is not None:
        raise OAuthError(
            429, "slow_down", str(TooManyRequests(wait).detail), **{"Retry-After": str(wait)}
        )
    settings = request.app.state.settings
    try:
        holder = tokens.verify(settings, request.app.state.engine, token, "refresh")
    except tokens.TokenError as error:
        if error.forged:
            limiter.failed(client)
        raise _grant(description=f"The refresh token is invalid: {error}") from None
    request.state.key_name = holder.name
    return holder


def _token_answer(request: Request, form: dict[str, str]) -> dict[str, Any]:
    if form.get("client_id", CLIENT_ID) != CLIENT_ID:
        raise OAuthError(401, "invalid_client", f"The client_id is {CLIENT_ID!r}.")
    grant_type = form.get("grant_type", "")
    if grant_type == "password":
        holder = _password_grant(request, form)
    elif grant_type == "refresh_token":
        holder = _refresh_grant(request, form)
    else:
        raise _grant("unsupported_grant_type", "grant_type is password or refresh_token.")
    return tokens.issue(request.app.state.settings, holder)


@router.post(TOKEN_PATHS[1], include_in_schema=False)  # ACLED's address
@router.post(TOKEN_PATHS[0], openapi_extra=_TOKEN_DOC, summary="Log in, as at ACLED (OAuth 2)")
async def oauth_token(request: Request) -> JSONResponse:
    """ACLED's token endpoint (also at /oauth/token, ACLED's address): the username is an API
    key's name, the password its secret; the access token lasts 24 h, the refresh token 14 days,
    and revoking the key revokes both."""
    body = await request.body()
    try:
        answer = await run_in_threadpool(_token_answer, request, _form(request, body))
    except OAuthError as error:
        oauth = {"error": error.error, "error_description": error.description}
        return JSONResponse(
            oauth | {"status": error.status, "success": False},
            status_code=error.status,
            headers={"Cache-Control": "no-store", **error.headers},
        )
    return JSONResponse(answer, headers={"Cache-Control": "no-store", "Pragma": "no-cache"})
