"""GET / and /explore: the explorer page; GET /explorer/{name}: its script, style, icon and world
map (world.json, with its licence).

The page is a client of the public /v1 endpoints like any other; everything it loads is served
from here, so it works with no internet.
"""

import html
import os
from functools import cache
from pathlib import Path

from fastapi import APIRouter, Request, Response
from fastapi.responses import FileResponse, HTMLResponse

from app.core.errors import NotFound
from app.gazetteer.shapes import SHAPES

STATIC = Path(__file__).parent / "static"
ASSETS = {
    "explorer.js": "text/javascript; charset=utf-8",
    "explorer.css": "text/css; charset=utf-8",
    "icon.svg": "image/svg+xml",
    "world.json": "application/json",
    "world-atlas-LICENSE.txt": "text/plain; charset=utf-8",
}
# Revalidated on every load (ETag, answered 304 when unchanged), so a new release is never
# hidden behind a stale copy.
_REVALIDATE = {"Cache-Control": "no-cache"}

router = APIRouter(include_in_schema=False)


@cache
def _index() -> str:
    # The countries /v1/provinces.geojson has shapes for: the page asks it for no others (a
    # refused request would be a console error), and draws their provinces as circles.
    shapes = ",".join(sorted(SHAPES))
    return (STATIC / "index.html").read_text(encoding="utf-8").replace("{{shapes}}", shapes)


@router.get("/")
@router.get("/explore")
def explore(request: Request) -> HTMLResponse:
    """The explorer page; its filters live in the query string, so a view can be shared."""
    root = html.escape(request.scope.get("root_path", "").rstrip("/"))
    return HTMLResponse(_index().replace("{{root}}", root), headers=_REVALIDATE)


@router.get("/explorer/{name}")
def explorer_asset(name: str, request: Request) -> Response:
    """One of the page's own files; nothing else on disk is reachable."""
    if name not in ASSETS:
        raise NotFound(f"No explorer file named {name!r}.")
    path = STATIC / name
    response = FileResponse(
        path, media_type=ASSETS[name], headers=_REVALIDATE, stat_result=os.stat(path)
    )
    etag = response.headers["etag"]
    if etag in request.headers.get("if-none-match", "").replace("W/", "").split(", "):
        return Response(status_code=304, headers={"ETag": etag, **_REVALIDATE})
    return response
