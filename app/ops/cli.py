"""The `conflict-events` command: serve, migrate, seed."""

import argparse
import json
import shutil
import sqlite3
import sys
import time
from collections.abc import Callable, Sequence
from datetime import date
from pathlib import Path

import uvicorn
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import Session

from app.core.database import make_engine
from app.core.errors import ApiError, cause, disk_full
from app.core.memory import limit_malloc_arenas
from app.core.settings import Scope, Settings
from app.core.types import ISO_DAY
from app.gazetteer import service as places
from app.keys import service as keys
from app.ops.backup import BackupError, DamagedDatabase, backup, restore
from app.ops.importer import ImportReport, ImportStopped, Reader, import_file, reader_for
from app.ops.schema import migrate
from app.ops.seeding import load_seeds
from app.reports.extract import NoAnchorDate, extract
from app.reports.service import draft_document
from app.sources import FORMATS


def _why(settings: Settings, error: BaseException) -> str:
    """One line on why the database refused: a full disk (SQLite says "disk I/O error" when it
    cannot make its shared-memory file), or what the driver said."""
    url = make_url(settings.sqlalchemy_url)
    if url.get_backend_name() == "sqlite" and url.database:
        folder = Path(url.database).resolve().parent
        free = shutil.disk_usage(folder).free if folder.exists() else None
        if disk_full(error) or (free is not None and free < 1 << 20):
            return (
                f"the disk holding {folder} is full ({free:,} bytes free): free some space "
                "and start again"
            )
    if disk_full(error):
        return "the database's disk is full: free some space and start again"
    return f"the database refused: {cause(error)}"


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
    limit_malloc_arenas()  # before any thread starts
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
        access_log=False,  # ours (app/core/middleware.py) redacts keys; uvicorn's prints the URL
        # Behind a reverse proxy, the client's address (which the key-failure limit counts by)
        # comes from the proxy's X-Forwarded-For, trusted only from the addresses named.
        proxy_headers=bool(settings.forwarded_allow_ips),
        forwarded_allow_ips=settings.forwarded_allow_ips or None,
        server_header=False,  # no `server: uvicorn`: answers name no software
    )


def _places(settings: Settings, args: argparse.Namespace) -> int:
    """places unresolved: what records name that the gazetteer gave no code, with counts."""
    engine = make_engine(settings)
    try:
        with Session(engine) as session:
            rows = places.unresolved(session=session, country=args.country)
    finally:
        engine.dispose()
    if not rows:
        print("conflict-events: every province and district records name has a code")
        return 0
    print(f"{'level':9} {'country':7} {'records':>8}  name as stored")
    for level, country, name, count in rows:
        print(f"{level:9} {country:7} {count:>8}  {name}")
    return 0


def _keys(settings: Settings, args: argparse.Namespace) -> int:
    engine = make_engine(settings)
    try:
        with Session(engine) as session:
            if args.keys_command == "create":
                reserved = {k.name for k in settings.parsed_api_keys}
                info, secret = keys.create_key(
                    session=session, name=args.name, scope=Scope(args.scope), reserved=reserved
                )
                print(f"created key {info.name!r} ({info.scope}); its secret, shown only now:")
                print(secret)
            elif args.keys_command == "list":
                print(f"{'name':24} {'scope':6} {'prefix':12} {'created':26} revoked")
                for k in keys.list_keys(session=session):
                    print(
                        f"{k.name:24} {k.scope:6} {k.prefix:12} {k.created_at.isoformat():26} "
                        f"{k.revoked_at.isoformat() if k.revoked_at else '-'}"
                    )
            else:
                info = keys.revoke_key(session=session, name=args.name)
                print(f"revoked key {info.name!r}")
    except ApiError as error:
        print(f"conflict-events: {error.detail}", file=sys.stderr)
        return 1
    finally:
        engine.dispose()
    return 0


def stopped_line(path: Path, stopped: ImportStopped) -> str:
    """One line: why an import stopped, and what of it is stored."""
    report = stopped.report
    stored = report.inserted + report.updated
    return (
        f"import of {path} stopped: {stopped.reason}. Stored: {stored:,} records "
        f"({report.inserted:,} new, {report.updated:,} updated) of {report.read:,} read; "
        "the database is otherwise as it was, every index in place."
    )


def _print_problems(path: Path, report: ImportReport) -> None:
    """The first rejections and notes of an import, by line."""
    for line, reason in report.rejected[:100]:
        print(f"{path}:{line}: rejected: {reason}", file=sys.stderr)
    if len(report.rejected) > 100:
        print(f"... and {len(report.rejected) - 100} more rejections", file=sys.stderr)
    for line, note in report.notes[:20]:
        print(f"{path}:{line}: note: {note}", file=sys.stderr)
    if len(report.notes) > 20:
        print(f"... and {len(report.notes) - 20} more notes", file=sys.stderr)


def _import(settings: Settings, args: argparse.Namespace) -> int:
    engine = make_engine(settings)
    started = time.monotonic()
    interactive = sys.stderr.isatty()

    def progress(report: ImportReport) -> None:
        rate = report.read / max(time.monotonic() - started, 1e-9)
        line = (
            f"{report.read:>12,} read  {report.inserted:>12,} inserted  {report.updated:>10,} "
            f"updated  {len(report.rejected):>8,} rejected  {rate:>9,.0f}/s"
        )
        if interactive:
            print("\r" + line, end="", file=sys.stderr, flush=True)
        elif report.read % (args.batch_size * 50) < args.batch_size:
            print(line, file=sys.stderr, flush=True)

    try:
        reader = reader_for(args.file, args.format, args.dataset, args.release)
        migrate(settings)
        report = import_file(
            engine=engine,
            path=args.file,
            reader=reader,
            strict=args.strict,
            batch_size=args.batch_size,
            prune=args.prune,
            progress=progress,
        )
    except ImportStopped as stopped:
        print(f"\nconflict-events: {stopped_line(args.file, stopped)}", file=sys.stderr)
        return 1
    except (OSError, ValueError) as error:
        print(f"\nconflict-events: cannot import {args.file}: {error}", file=sys.stderr)
        return 1
    finally:
        engine.dispose()
    if interactive:
        print(file=sys.stderr)
    _print_problems(args.file, report)
    elapsed = time.monotonic() - started
    if args.strict and report.rejected:
        print(f"conflict-events: --strict: {len(report.rejected)} problems, nothing stored")
        return 1
    origin = ""
    if reader.options is not None:
        release = f", release {reader.options.release}" if reader.options.release else ""
        origin = f" ({reader.format}, dataset {reader.options.dataset}{release})"
    print(
        f"conflict-events: read {report.read}, inserted {report.inserted}, updated "
        f"{report.updated}, unchanged {report.unchanged}, rejected {len(report.rejected)} "
        f"in {elapsed:.1f} s{origin}"
    )
    if report.placed:
        print(_places_line(report))
    if report.gone:
        print(_gone_line(reader, report))
    return 0


def _places_line(report: ImportReport) -> str:
    """How the records' provinces resolved, and the commonest names that did not."""
    placed = report.placed
    line = (
        f"conflict-events: provinces resolved by name {placed['name']}, by coordinates "
        f"{placed['coordinates']}, unresolved {placed['unresolved']}"
    )
    if report.unresolved:
        common = report.unresolved.most_common(10)
        line += " (kept as spelt, no code: " + ", ".join(
            f"{name!r} in {country} x{n}" for (country, name), n in common
        )
        line += ", ...)" if len(report.unresolved) > 10 else ")"
    return line


def _gone_line(reader: Reader, report: ImportReport) -> str:
    """The stored records of the file's dataset, countries and years that it no longer has."""
    assert reader.options is not None
    some = ", ".join(f"{event_id} ({external_id})" for event_id, external_id in report.gone[:10])
    more = f" and {len(report.gone) - 10} more" if len(report.gone) > 10 else ""
    done = "deleted (--prune)" if report.pruned else "kept; --prune deletes them"
    return (
        f"conflict-events: {len(report.gone)} gone: stored records of dataset "
        f"{reader.options.dataset} in the file's countries and years that it no longer has: "
        f"{some}{more}; {done}"
    )


def _size(size: int) -> str:
    scaled, unit = float(size), "bytes"
    for bigger in ("KB", "MB", "GB"):
        if scaled < 1000:
            break
        scaled, unit = scaled / 1000, bigger
    return f"{size} bytes" if unit == "bytes" else f"{scaled:.1f} {unit}"


def _events(total: int, deleted: int) -> str:
    return f"{total:,} events" + (f" ({deleted:,} deleted)" if deleted else "")


def _backup(settings: Settings, args: argparse.Namespace) -> int:
    try:
        report = backup(
            settings,
            args.file,
            force=args.force,
            pages_per_step=args.pages_per_step,
            pause=args.pause_ms / 1000,
        )
    except BackupError as error:
        print(f"conflict-events: {error}", file=sys.stderr)
        return 2
    except (DamagedDatabase, OSError, sqlite3.Error) as error:
        print(f"conflict-events: backup failed: {error}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print(f"conflict-events: backup interrupted; {args.file} not written", file=sys.stderr)
        return 130
    print(
        f"conflict-events: backed up {_events(report.events, report.deleted)} from "
        f"{report.database} to {report.target} ({_size(report.size)}) in {report.seconds:.1f} s"
    )
    return 0


def _restore(settings: Settings, args: argparse.Namespace) -> int:
    try:
        report = restore(settings, args.file, force=args.force)
    except BackupError as error:
        print(f"conflict-events: {error}", file=sys.stderr)
        return 2
    except (OSError, sqlite3.Error) as error:
        print(f"conflict-events: restore failed, database unchanged: {error}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("conflict-events: restore interrupted; database unchanged", file=sys.stderr)
        return 130
    schema = (
        f"schema {report.revision_before}, current"
        if report.revision_before == report.revision_after
        else f"schema {report.revision_before} migrated to {report.revision_after}"
    )
    print(
        f"conflict-events: restored {_events(report.events, report.deleted)} from "
        f"{report.source} into {report.database} ({_size(report.size)}, {schema})"
    )
    return 0


def _day(value: str) -> date:
    """A date in YYYY-MM-DD, for argparse."""
    if ISO_DAY.fullmatch(value):
        try:
            return date.fromisoformat(value)
        except ValueError:
            pass
    raise argparse.ArgumentTypeError(f"{value!r} is not a date in YYYY-MM-DD (e.g. 2021-05-04)")


def _extract(args: argparse.Namespace) -> int:
    """Print the drafts a report supports; store nothing, read no settings or database."""
    name = "standard input" if args.file == "-" else args.file
    try:
        if args.file == "-":
            text = sys.stdin.read()
        else:
            text = Path(args.file).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        print(f"conflict-events: cannot read {name}: {error}", file=sys.stderr)
        return 2
    try:
        extraction = extract(text, published_on=args.published_on)
    except NoAnchorDate:
        print(
            f"conflict-events: {name} states no publication date (no dateline, no 'Published "
            "June 22, 2021'); give it with --published-on YYYY-MM-DD",
            file=sys.stderr,
        )
        return 2
    drafts = [{"n": n} | draft_document(d) for n, d in enumerate(extraction.drafts)]
    printed = {
        "published_on": extraction.published_on.isoformat(),
        "published_on_explanation": extraction.published_on_explanation,
        "drafts": drafts,
    }
    print(json.dumps(printed, indent=2, ensure_ascii=False))
    return 0


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
    import_cmd = commands.add_parser(
        "import", help="load records: ours (NDJSON, JSON array), or a UCDP GED or ACLED CSV file"
    )
    import_cmd.add_argument(
        "file", type=Path, help="NDJSON (one record per line), a JSON array, or a CSV file"
    )
    import_cmd.add_argument(
        "--format",
        choices=["ndjson", *FORMATS],
        default="ndjson",
        help="ndjson: our records (default); ucdp: a UCDP GED CSV (releases 19.1-25.1); "
        "acled: an ACLED export CSV",
    )
    import_cmd.add_argument(
        "--dataset",
        help="the name the records are kept under (default: ucdp-ged or acled); re-importing "
        "under the same name updates records by the source's id",
    )
    import_cmd.add_argument(
        "--release", help="the source's release, kept on each record (UCDP: read from the name)"
    )
    import_cmd.add_argument(
        "--strict",
        action="store_true",
        help="validate the whole file first; store nothing if any record is invalid",
    )
    import_cmd.add_argument(
        "--prune",
        action="store_true",
        help="UCDP/ACLED: delete the stored records of the dataset, in the file's countries and "
        "years, that the file no longer has (they are reported as gone either way)",
    )
    import_cmd.add_argument(
        "--batch-size", type=int, default=2000, help="records per transaction (default 2000)"
    )
    places_cmd = commands.add_parser("places", help="the places records name")
    places_commands = places_cmd.add_subparsers(dest="places_command", required=True)
    unresolved_cmd = places_commands.add_parser(
        "unresolved",
        help="list the provinces and districts records name that have no code, with counts",
    )
    unresolved_cmd.add_argument("--country", help="only this country (ISO 3166-1 alpha-3)")
    keys_cmd = commands.add_parser("keys", help="manage API keys")
    keys_commands = keys_cmd.add_subparsers(dest="keys_command", required=True)
    create_key = keys_commands.add_parser("create", help="make a key and print its secret once")
    create_key.add_argument("--name", required=True)
    create_key.add_argument("--scope", required=True, choices=[s.value for s in Scope])
    keys_commands.add_parser("list", help="list keys (never their secrets)")
    revoke = keys_commands.add_parser("revoke", help="revoke a key by name")
    revoke.add_argument("name")
    backup_cmd = commands.add_parser(
        "backup",
        help="copy the SQLite database to FILE, consistently, while the server runs",
        description="Copy the SQLite database to FILE from one consistent snapshot while the "
        "server keeps serving and writing; the copy is checked (PRAGMA integrity_check) and "
        "renamed into place. On PostgreSQL, use pg_dump.",
    )
    backup_cmd.add_argument("file", type=Path, help="the backup to write (a plain SQLite file)")
    backup_cmd.add_argument("--force", action="store_true", help="replace FILE if it exists")
    backup_cmd.add_argument(
        "--pages-per-step", type=int, default=1024, help="pages copied at a time (default 1024)"
    )
    backup_cmd.add_argument(
        "--pause-ms",
        type=float,
        default=0.0,
        help="pause between steps, to leave the disk to the server (default 0)",
    )
    restore_cmd = commands.add_parser(
        "restore",
        help="replace the SQLite database with a backup (server stopped)",
        description="Replace the SQLite database with the backup FILE and migrate it to the "
        "current schema. Stop the server first (a database still in use is refused). The "
        "backup is checked first; a refused or failed restore changes nothing. On PostgreSQL, "
        "use pg_restore.",
    )
    restore_cmd.add_argument("file", type=Path, help="a backup made by `conflict-events backup`")
    restore_cmd.add_argument(
        "--force",
        action="store_true",
        help="replace an existing database (what was written since the backup is lost)",
    )
    extract_cmd = commands.add_parser(
        "extract",
        help="print the draft records a report supports, as JSON (stores nothing)",
        description="Read a report (a news article, a field update) and print the draft records "
        "POST /v1/reports would propose, each with the sentences it rests on (character "
        "offsets and quotes) and how each inferred field was read. Stores nothing and needs "
        "no database. Exit status 2: the file cannot be read, or nothing dates the report.",
    )
    extract_cmd.add_argument("file", help="the report, as UTF-8 text; - for standard input")
    extract_cmd.add_argument(
        "--published-on",
        type=_day,
        metavar="DATE",
        help="the report's publication date (YYYY-MM-DD), which relative dates count from; "
        "default: the date the text states (a dateline, 'Published June 22, 2021')",
    )
    args = parser.parse_args(argv)
    if args.command == "extract":  # before the settings: it needs none
        return _extract(args)

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
    if args.command == "serve" and args.workers < 1:
        parser.error("--workers must be at least 1")
    if args.command == "backup" and (args.pages_per_step < 1 or args.pause_ms < 0):
        parser.error("--pages-per-step must be at least 1 and --pause-ms at least 0")
    if args.command in ("serve", "migrate", "seed"):
        return _set_up(settings, args)
    command: Callable[[Settings, argparse.Namespace], int] = {
        "import": _import,
        "places": _places,
        "keys": _keys,
        "backup": _backup,
        "restore": _restore,
    }[args.command]
    return command(settings, args)


def _set_up(settings: Settings, args: argparse.Namespace) -> int:
    """serve, migrate or seed; a database that refuses (a full disk) is one line, exit 1."""
    try:
        if args.command == "serve":
            serve(settings, workers=args.workers, seed=not args.no_seed)
        elif args.command == "migrate":
            _migrate(settings)
        else:
            _seed(settings)
    except (SQLAlchemyError, OSError) as error:
        print(f"conflict-events: {args.command}: {_why(settings, error)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
