"""The API docs pages (Swagger UI, ReDoc) served with no internet, and the OpenAPI touch-ups."""

import html
from pathlib import Path
from typing import Any

import fastapi_offline
from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

from app.errors import PROBLEM_JSON, Problem

STATIC = Path(fastapi_offline.__file__).parent / "static"
STATIC_URL = "/static/docs"

_SWAGGER = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{title}</title>
<link rel="icon" type="image/png" href="{static}/favicon.png">
<link rel="stylesheet" href="{static}/swagger-ui.css"></head>
<body><div id="swagger-ui"></div>
<script src="{static}/swagger-ui-bundle.js"></script>
<script>
SwaggerUIBundle({{url: "{openapi}", dom_id: "#swagger-ui", deepLinking: true,
  validatorUrl: null, persistAuthorization: true,
  presets: [SwaggerUIBundle.presets.apis, SwaggerUIBundle.SwaggerUIStandalonePreset],
  layout: "BaseLayout"}});
</script></body></html>"""

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
            openapi=root + (app.openapi_url or ""),
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


def install_docs(app: FastAPI) -> None:
    app.mount(STATIC_URL, StaticFiles(directory=STATIC), name="docs-static")

    @app.get("/docs", include_in_schema=False)
    def swagger_ui() -> HTMLResponse:
        return _page(_SWAGGER, app, "")

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
            _problem_responses(schema)
            app.openapi_schema = schema
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
