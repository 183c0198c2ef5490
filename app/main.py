"""Builds the FastAPI application. `app.main:app` is the ASGI app for any ASGI server."""

import gc
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import Depends, FastAPI
from starlette.middleware.cors import CORSMiddleware
from starlette.middleware.gzip import GZipMiddleware

from app import __version__
from app.actors.routes import router as actors_router
from app.compat.routes import router as acled_router
from app.core import time_limit
from app.core.caching import ConditionalGet
from app.core.database import make_engine
from app.core.docs import install_docs
from app.core.errors import install_error_handlers
from app.core.middleware import BodyLimit, RequestContext, configure_access_log
from app.core.settings import Settings
from app.events.routes import router as events_router
from app.explorer.routes import router as explorer_router
from app.exports.routes import router as exports_router
from app.gazetteer import get_gazetteer
from app.gazetteer.routes import router as places_router
from app.health.routes import router as health_router
from app.keys.auth import v1_request
from app.keys.routes import router as keys_router
from app.reports.routes import router as reports_router
from app.stats.routes import router as stats_router
from app.ucdp.routes import router as ucdp_router

DESCRIPTION = """
Conflict-event records: what happened (armed offensives, displacements, milestones of a foreign
force's withdrawal), where, when, who, and on whose word. Figures are kept as the sources claim them
("more than 100", "about 1,000 families"), and every record cites the sentences it rests on.

Places: Afghanistan's provinces and districts are found by any spelling or OCHA p-code
(Helmand, Hilmand, AF30). Errors are RFC 9457 problem details (`application/problem+json`).

Data attribution: administrative p-codes: UN OCHA; administrative boundaries courtesy of
geoBoundaries.org (Runfola et al. 2020).
"""


CORS_REQUEST_HEADERS = [
    "Authorization",
    "Content-Type",
    "If-Match",
    "If-None-Match",
    "Idempotency-Key",
]
CORS_RESPONSE_HEADERS = ["ETag", "Link", "Location", "X-Request-Id", "X-Data-Attribution"]


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings()
    engine = make_engine(settings, serving=True)
    time_limit.install(engine, settings.query_time_limit_ms)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        # What is loaded by now lives as long as the process: keep the collector off it (full
        # collections of the grown heap made the slowest list requests 4x slower than the
        # median). The thresholds stay Python's: collecting less often, (20000, 20, 100), let
        # cyclic garbage pile up: the soak's server grew 35 MB a minute, against levelling off.
        get_gazetteer().warm()  # the place index, and the spellings suggestions are made from
        gc.freeze()
        yield
        engine.dispose()

    app = FastAPI(
        title="conflict-events",
        version=__version__,
        description=DESCRIPTION,
        docs_url=None,
        redoc_url=None,
        lifespan=lifespan,
        openapi_tags=[
            {"name": "events", "description": "Event records: query, read, create."},
            {"name": "exports", "description": "Any query as CSV (with HXL), GeoJSON or NDJSON."},
            {
                "name": "reports",
                "description": "Paste a news report, get draft records with the sentences "
                "each rests on; a person accepts (or corrects, or rejects) each one.",
            },
            {"name": "stats", "description": "Counts and totals, grouped."},
            {"name": "places", "description": "The gazetteer of provinces and districts."},
            {"name": "actors", "description": "The actor registry."},
            {"name": "keys", "description": "API keys (admin scope)."},
            {"name": "service", "description": "Health of the service."},
            {
                "name": "acled",
                "description": "ACLED's API over this server's records: scripts written for "
                "ACLED's /api/acled/read work by changing their base URL.",
            },
        ],
    )
    app.state.settings = settings
    app.state.engine = engine
    install_error_handlers(app)
    app.add_middleware(BodyLimit, limit=settings.max_body_bytes)
    app.add_middleware(
        ConditionalGet,
        engine=engine,
        public_reads=not settings.read_requires_key,
        sqlite_busy_s=settings.sqlite_busy_timeout_ms / 1000,
    )
    # For clients that send Accept-Encoding. Level 6, not 9: a third of the CPU on large exports
    # (110 MB of CSV: 1.2 s, not 2.0 s) for files 10% larger.
    app.add_middleware(GZipMiddleware, minimum_size=1024, compresslevel=6)
    if settings.parsed_cors_origins:  # off unless origins are named
        app.add_middleware(
            CORSMiddleware,
            allow_origins=settings.parsed_cors_origins,
            allow_methods=["GET", "POST", "PUT", "PATCH", "DELETE"],
            allow_headers=CORS_REQUEST_HEADERS,
            expose_headers=CORS_RESPONSE_HEADERS,
            max_age=600,
        )
    if settings.access_log:
        configure_access_log()
    app.add_middleware(
        RequestContext, log=settings.access_log, hsts=settings.environment == "production"
    )
    v1 = [Depends(v1_request)]
    app.include_router(events_router, dependencies=v1)
    app.include_router(exports_router, dependencies=v1)
    app.include_router(reports_router, dependencies=v1)
    app.include_router(stats_router, dependencies=v1)
    app.include_router(places_router, dependencies=v1)
    app.include_router(actors_router, dependencies=v1)
    app.include_router(keys_router, dependencies=v1)
    app.include_router(acled_router)  # its own key check and ACLED's error shape
    app.include_router(ucdp_router)  # UCDP's API: its own token header (x-ucdp-access-token)
    app.include_router(health_router)
    app.include_router(explorer_router)  # the page at / and /explore, a client of /v1
    install_docs(app)
    return app


def __getattr__(name: str) -> Any:
    # Built on first use, so importing this module (tests, tools) reads no settings.
    if name == "app":
        globals()["app"] = create_app()
        return globals()["app"]
    raise AttributeError(name)
