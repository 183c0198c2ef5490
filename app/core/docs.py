"""The API docs pages (Swagger UI, ReDoc) served with no internet, and the OpenAPI touch-ups."""

import html
from pathlib import Path
from typing import Any

import fastapi_offline
from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi
from fastapi.responses import FileResponse, HTMLResponse
from fastapi.staticfiles import StaticFiles

from app.core.errors import PROBLEM_JSON, Problem

STATIC = Path(fastapi_offline.__file__).parent / "static"
STATIC_URL = "/static/docs"
# Swagger UI's start, a file of its own: the pages' CSP runs no inline script.
INIT = Path(__file__).parent / "docs_static" / "swagger-init.js"
INIT_URL = "/docs/swagger-init.js"
_REVALIDATE = {"Cache-Control": "no-cache"}

_SWAGGER = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{title}</title>
<link rel="icon" type="image/png" href="{static}/favicon.png">
<link rel="stylesheet" href="{static}/swagger-ui.css"></head>
<body><div id="swagger-ui" data-openapi-url="{openapi}"></div>
<script src="{static}/swagger-ui-bundle.js"></script>
<script src="{init}"></script></body></html>"""

_REDOC = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{title}</title>
<link rel="icon" type="image/png" href="{static}/favicon.png"></head>
<body><redoc spec-url="{openapi}" disable-search="false"></redoc>
<script src="{static}/redoc.standalone.js"></script></body></html>"""


def _page(template: str, app: FastAPI, root: str) -> HTMLResponse:
    return HTMLResponse(
        template.format(
            title=html.escape(app.title),
            static=root + STATIC_URL,
            init=root + INIT_URL,
            openapi=html.escape(root + (app.openapi_url or "")),
        )
    )


def _problem_responses(schema: dict[str, Any]) -> None:
    """Every error response is a Problem, as application/problem+json; FastAPI's own 422 goes.

    Not under /api/: the ACLED-compatible endpoints answer errors in ACLED's shape.
    """
    ref = {"$ref": "#/components/schemas/Problem"}
    for name, path in schema.get("paths", {}).items():
        if name.startswith("/api/"):
            continue
        for operation in path.values():
            for code, response in operation.get("responses", {}).items():
                if code.startswith(("4", "5")):
                    response["content"] = {PROBLEM_JSON: {"schema": ref}}
    schemas = schema.get("components", {}).get("schemas", {})
    for name in ("HTTPValidationError", "ValidationError"):
        schemas.pop(name, None)


_BODY_400 = "The body is not valid JSON, CSV or NDJSON, or not of its declared media type."
_UNAVAILABLE_503 = (
    "The database is out of reach or locked by a long write, or the query ran past the time "
    "limit (CE_QUERY_TIME_LIMIT_MS); Retry-After says when to try again."
)
_DISK_FULL_507 = "The server's disk is full: nothing was written (reads still work)."
_TOO_MANY_429 = (
    "Too many wrong API keys from this address (CE_AUTH_FAILURES_PER_MINUTE); Retry-After says "
    "when keys are checked again."
)
_EDITS = ("put", "patch", "delete")


def _complete_operations(schema: dict[str, Any], *, public_reads: bool) -> None:
    """Document what every /v1 operation can answer, beyond what its route declares.

    - Reads: authentication is optional where reads are public (`security: [{}, ApiKey]`), and
      401/403 are possible where they are not.
    - Every operation: 503 when the database is out of reach or locked, or a query runs past
      the time limit; writes: 507 on a full disk; with a key: 429 after too many wrong ones.
    - Operations with a body: 400 for a body that cannot be parsed.
    - Edits of an event: If-Match is required (without it: 428).
    """
    for name, path in schema.get("paths", {}).items():
        if not name.startswith("/v1/"):
            continue
        for method, operation in path.items():
            _complete_operation(name, method, operation, public_reads=public_reads)


def _complete_operation(
    name: str, method: str, operation: dict[str, Any], *, public_reads: bool
) -> None:
    responses = operation.setdefault("responses", {})
    if method in ("get", "head"):
        # Routes with keys of their own (the admin ones) document their 401 already.
        if public_reads and operation.get("security") and "401" not in responses:
            operation["security"] = [{}, *operation["security"]]
        else:
            responses.setdefault("401", {"description": "No valid API key."})
            responses.setdefault("403", {"description": "A key without the scope."})
    responses.setdefault("503", {"description": _UNAVAILABLE_503})
    if method not in ("get", "head"):
        responses.setdefault("507", {"description": _DISK_FULL_507})
    if operation.get("security"):
        responses.setdefault("429", {"description": _TOO_MANY_429})
    if "requestBody" in operation:
        responses.setdefault("400", {"description": _BODY_400})
    if any(p["name"] == "fields" for p in operation.get("parameters", [])):
        _fields_may_narrow(responses)
    if method in _EDITS and name.startswith("/v1/events/"):
        for parameter in operation.get("parameters", []):
            if parameter["in"] == "header" and parameter["name"] == "if-match":
                parameter["required"] = True


def _fields_may_narrow(responses: dict[str, Any]) -> None:
    """With `fields`, a JSON page's items hold only the fields asked for."""
    content = responses.get("200", {}).get("content", {}).get("application/json", {})
    full = content.get("schema")
    if full is None or "$ref" not in full:
        return
    narrowed = {
        "type": "object",
        "title": "Page of chosen fields",
        "description": "With `fields`: each item holds only the fields asked for.",
        "required": ["items"],
        "properties": {
            "items": {"type": "array", "items": {"type": "object"}},
            "next_cursor": {"anyOf": [{"type": "string"}, {"type": "null"}]},
        },
    }
    content["schema"] = {"anyOf": [full, narrowed]}


def install_docs(app: FastAPI) -> None:
    app.mount(STATIC_URL, StaticFiles(directory=STATIC), name="docs-static")

    @app.get("/docs", include_in_schema=False)
    def swagger_ui() -> HTMLResponse:
        return _page(_SWAGGER, app, "")

    @app.get(INIT_URL, include_in_schema=False)
    def swagger_init() -> FileResponse:
        return FileResponse(INIT, media_type="text/javascript; charset=utf-8", headers=_REVALIDATE)

    @app.get("/redoc", include_in_schema=False)
    def redoc() -> HTMLResponse:
        return _page(_REDOC, app, "")

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            schema = get_openapi(
                title=app.title,
                version=app.version,
                description=app.description,
                routes=app.routes,
                tags=app.openapi_tags,
            )
            schema.setdefault("components", {}).setdefault("schemas", {})["Problem"] = (
                Problem.model_json_schema(
                    ref_template="#/components/schemas/{model}", by_alias=True
                )
            )
            defs = schema["components"]["schemas"]["Problem"].pop("$defs", {})
            schema["components"]["schemas"].update(defs)
            _complete_operations(schema, public_reads=not app.state.settings.read_requires_key)
            _problem_responses(schema)
            app.openapi_schema = schema
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
