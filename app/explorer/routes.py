"""GET / and /explore: the explorer page; GET /explorer/{name}: its script, style and icon.

The page is a client of the public /v1 endpoints like any other; everything it loads is served
from here, so it works with no internet.
"""

import html
from functools import cache
from pathlib import Path

from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, HTMLResponse

from app.core.errors import NotFound

STATIC = Path(__file__).parent / "static"
ASSETS = {
    "explorer.js": "text/javascript; charset=utf-8",
    "explorer.css": "text/css; charset=utf-8",
    "icon.svg": "image/svg+xml",
}
# Revalidated on every load (ETag), so a new release is never hidden behind a stale copy.
_REVALIDATE = {"Cache-Control": "no-cache"}

router = APIRouter(include_in_schema=False)


@cache
def _index() -> str:
    return (STATIC / "index.html").read_text(encoding="utf-8")


@router.get("/")
@router.get("/explore")
def explore(request: Request) -> HTMLResponse:
    """The explorer page; its filters live in the query string, so a view can be shared."""
    root = html.escape(request.scope.get("root_path", "").rstrip("/"))
    return HTMLResponse(_index().replace("{{root}}", root), headers=_REVALIDATE)


@router.get("/explorer/{name}")
def explorer_asset(name: str) -> FileResponse:
    """One of the page's own files; nothing else on disk is reachable."""
    if name not in ASSETS:
        raise NotFound(f"No explorer file named {name!r}.")
    return FileResponse(STATIC / name, media_type=ASSETS[name], headers=_REVALIDATE)
