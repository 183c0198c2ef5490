"""The `conflict-events` command: serve, migrate, seed."""

import argparse
import sys
from collections.abc import Sequence

import uvicorn
from sqlalchemy.engine import make_url

from app.db import make_engine, migrate
from app.seeding import load_seeds
from app.settings import Settings


def _safe_url(settings: Settings) -> str:
    return make_url(settings.sqlalchemy_url).render_as_string(hide_password=True)


def _migrate(settings: Settings) -> None:
    migrate(settings)
    print(f"conflict-events: database at the latest schema ({_safe_url(settings)})")


def _seed(settings: Settings) -> None:
    engine = make_engine(settings)
    try:
        report = load_seeds(engine=engine, seeds_dir=settings.seeds_dir)
    finally:
        engine.dispose()
    print(f"conflict-events: seeds: {report.inserted} inserted, {report.kept} already there")


def serve(settings: Settings, *, workers: int, seed: bool) -> None:
    """Migrate and seed once, then start the workers, which only serve."""
    _migrate(settings)
    if seed and settings.auto_seed:
        _seed(settings)
    settings.signing_secret  # noqa: B018  (made before the workers start, so they share it)
    print(f"conflict-events: serving http://{settings.host}:{settings.port} (docs at /docs)")
    uvicorn.run(
        "app.main:app",
        host=settings.host,
        port=settings.port,
        workers=workers,
        log_level="info",
        proxy_headers=False,
    )


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="conflict-events", description="A REST API for conflict-event records."
    )
    commands = parser.add_subparsers(dest="command", required=True)
    serve_cmd = commands.add_parser("serve", help="migrate, load seeds, and serve the API")
    serve_cmd.add_argument("--host", help="address to listen on (default: CE_HOST or 127.0.0.1)")
    serve_cmd.add_argument("--port", type=int, help="port (default: CE_PORT or 8000)")
    serve_cmd.add_argument("--workers", type=int, default=1, help="worker processes (default 1)")
    serve_cmd.add_argument("--no-seed", action="store_true", help="do not load seeds/")
    commands.add_parser("migrate", help="bring the database schema up to date")
    commands.add_parser("seed", help="load seeds/ (records already stored or deleted are kept)")
    args = parser.parse_args(argv)

    overrides = {
        k: v
        for k, v in (("host", getattr(args, "host", None)), ("port", getattr(args, "port", None)))
        if v is not None
    }
    try:
        settings = Settings(**overrides)
    except ValueError as error:
        print(f"conflict-events: bad settings: {error}", file=sys.stderr)
        return 2
    if args.command == "serve":
        if args.workers < 1:
            parser.error("--workers must be at least 1")
        serve(settings, workers=args.workers, seed=not args.no_seed)
    elif args.command == "migrate":
        _migrate(settings)
    elif args.command == "seed":
        _seed(settings)
    return 0


if __name__ == "__main__":
    sys.exit(main())
