"""`conflict-events import FILE`: our records (NDJSON or a JSON array), or a UCDP GED or ACLED CSV
file (`--format`), of any size, streamed.

Records are validated and stored in batches, each committed atomically through EventWriter;
an invalid record is reported with its line number and skipped. With strict=True the whole file
is validated first and nothing is stored if any record is invalid. A source's rows are
translated into our records (app/sources) in the worker process that validates them; a value of
a row that is not valid is left out of its record with a note (tabular.settle), and only a row
whose event cannot be stored is rejected.

A source's file is a release of its dataset: the stored records of that dataset, in the
countries and years the file covers, that it no longer has are reported as `gone`, and deleted
(as tombstones, with history) when asked to prune.
"""

import json
import multiprocessing
from collections import Counter, deque
from collections.abc import Callable, Generator, Iterator
from dataclasses import dataclass, field
from itertools import islice
from multiprocessing.pool import AsyncResult
from pathlib import Path
from typing import Any, TextIO

import sqlalchemy as sa
from pydantic import TypeAdapter, ValidationError
from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import Session

from app.core.database import RowBinder, tune_for_bulk_load, writer
from app.core.errors import body_errors, cause, disk_full
from app.core.tables import event_table as event_t
from app.events.schemas import EventIn, EventInModel
from app.events.writes import (
    EVENT_COLUMNS,
    Bound,
    EventWriter,
    Prepared,
    bind,
    event_binder,
    prepare,
)
from app.gazetteer import get_gazetteer
from app.ops.schema import analyze, create_missing_indexes, drop_deferrable_indexes
from app.sources import FORMATS, register_actors
from app.sources.tabular import Options, Unusable, rows, settle, text

_adapter: TypeAdapter[EventInModel] = TypeAdapter(EventIn)
CHUNK = 1 << 20


@dataclass
class ImportReport:
    read: int = 0
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: list[tuple[int, str]] = field(default_factory=list)  # (line, reason)
    notes: list[tuple[int, str]] = field(default_factory=list)  # (line, what was kept otherwise)
    # Stored records of the file's dataset, countries and years that the file no longer has
    # (a source's files only): (id, external_id), and whether they were deleted.
    gone: list[tuple[int, str]] = field(default_factory=list)
    pruned: bool = False
    # How the records' provinces resolved: by name, by coordinates, or not (kept as spelt).
    placed: Counter[str] = field(default_factory=Counter)
    unresolved: Counter[tuple[str, str]] = field(default_factory=Counter)  # (country, name)

    def count(
        self,
        batch: "Batch",
        bound: "list[Bound]",
        rejected: list[tuple[int, str]],
        notes: list[tuple[int, str]],
    ) -> None:
        """A batch read: its records, how their places resolved, the ones refused and notes."""
        self.read += len(batch)
        self.rejected += rejected
        self.notes += notes
        for record in bound:
            if record.placed:
                how, country, given = record.placed
                self.placed[how] += 1
                if how == "unresolved":
                    self.unresolved[(country, given)] += 1


def records(path: Path) -> Iterator[tuple[int, str]]:
    """(line number, JSON text) of each record: one per line, or the items of a JSON array."""
    with path.open(encoding="utf-8") as f:
        head = f.read(CHUNK)
        if head.lstrip().startswith("["):
            yield from _array_items(f, head)
            return
        lines = (head + f.readline()).splitlines()
        yield from ((n, line) for n, line in enumerate(lines, 1) if line.strip())
        for n, line in enumerate(f, len(lines) + 1):
            if line.strip():
                yield n, line


def _array_items(f: TextIO, text: str) -> Iterator[tuple[int, str]]:
    """Items of a JSON array read in chunks, each with the line it starts on."""
    decoder = json.JSONDecoder()
    read = f.read
    line, pos = 1, text.index("[") + 1
    line += text.count("\n", 0, pos)
    while True:
        while True:  # skip white space and commas between items
            while pos < len(text) and text[pos] in " \t\r\n,":
                line += text[pos] == "\n"
                pos += 1
            if pos < len(text):
                break
            more = read(CHUNK)
            if not more:
                raise ValueError(f"line {line}: the JSON array is not closed")
            text, pos = text[pos:] + more, 0
        if text[pos] == "]":
            return
        while True:
            try:
                _, end = decoder.raw_decode(text, pos)
                break
            except json.JSONDecodeError:
                more = read(CHUNK)
                if not more:
                    raise ValueError(f"line {line}: not valid JSON") from None
                text, pos = text[pos:] + more, 0
        yield line, text[pos:end]
        line += text.count("\n", pos, end)
        pos = end


@dataclass(frozen=True)
class Reader:
    """How the items of a file become records: our own (NDJSON text) or a source's CSV rows."""

    format: str = "ndjson"
    options: Options | None = None

    def items(self, path: Path) -> Iterator[tuple[int, Any]]:
        """(line number, item) of each record in the file, streamed."""
        if self.format == "ndjson":
            yield from records(path)
            return
        with path.open(encoding="utf-8-sig", newline="") as f:
            yield from rows(f, FORMATS[self.format])

    def check(self, line: int, item: Any) -> tuple[Prepared | None, list[str], list[str]]:
        """The prepared record of an item, or the first few reasons it is not valid; notes."""
        notes: list[str] = []
        try:
            if self.format == "ndjson":
                event_in = _adapter.validate_json(item)
            else:
                assert self.options is not None
                source = FORMATS[self.format]
                translated = source.translate(item, self.options)
                notes = translated.notes
                event_in, dropped = settle(
                    translated.record, _adapter.validate_python, source.essential
                )
                notes += dropped
        except Unusable as error:
            return None, [str(error)], notes
        except ValidationError as error:
            problems = body_errors(error).errors or []
        else:
            ready, problems = prepare(event_in, position=line, strict=False)
            if ready is not None:
                return ready, [], notes
        return None, [f"{p.pointer or '/'}: {p.detail}" for p in problems[:3]], notes


Batch = list[tuple[int, Any]]  # (line number, item)
Checked = tuple[Batch, list[Bound], list[tuple[int, str]], list[tuple[int, str]]]

# Set in each worker process by the pool's initializer (a dialect does not travel by pickle).
_worker_binder: RowBinder | None = None
_worker_reader: Reader | None = None


def _start_worker(binder: RowBinder, reader: Reader) -> None:
    global _worker_binder, _worker_reader
    _worker_binder, _worker_reader = binder, reader


def _check_batch(
    batch: Batch, binder: RowBinder | None = None, reader: Reader | None = None
) -> tuple[list[Bound], list[tuple[int, str]], list[tuple[int, str]]]:
    """Validate, resolve and bind a batch: the work that can run beside the writer."""
    binder = binder or _worker_binder
    reader = reader or _worker_reader
    assert binder is not None
    assert reader is not None
    valid, rejected, notes = [], [], []
    for line, item in batch:
        ready, reasons, said = reader.check(line, item)
        notes += [(line, note) for note in said]
        if ready is None:
            rejected += [(line, reason) for reason in reasons]
        else:
            valid.append(bind(ready, binder))
    return valid, rejected, notes


CheckResult = tuple[list[Bound], list[tuple[int, str]], list[tuple[int, str]]]


def _checked_batches(
    path: Path, batch_size: int, workers: int, binder: RowBinder, reader: Reader
) -> Generator[Checked]:
    """Each batch with its bound records, rejections and notes, in file order.

    Validation is most of the work; a worker process does it while the caller writes. At most a
    few batches are in flight, so memory does not grow with the file.
    """
    batches = _batches(reader.items(path), batch_size)
    if workers < 1 or "fork" not in multiprocessing.get_all_start_methods():
        for batch in batches:
            yield batch, *_check_batch(batch, binder, reader)
        return
    get_gazetteer()  # built here once and inherited by the forked workers (each built its own)
    context = multiprocessing.get_context("fork")
    with context.Pool(workers, initializer=_start_worker, initargs=(binder, reader)) as pool:
        pending: deque[tuple[Batch, AsyncResult[CheckResult]]] = deque()
        for batch in batches:
            pending.append((batch, pool.apply_async(_check_batch, (batch,))))
            if len(pending) > 2 * workers:
                batch, result = pending.popleft()
                yield batch, *result.get()
        while pending:
            batch, result = pending.popleft()
            yield batch, *result.get()


# Loads at least this large (estimated records), and at least twice the table, defer indexes
# (rebuilding them costs the whole table; a re-import of the same file only updates records).
DEFER_INDEXES_FROM = 100_000


def _defer_indexes(engine: Engine, path: Path) -> bool:
    with path.open("rb") as f:
        head = f.read(CHUNK)
    records_in_head = max(head.count(b"\n"), 1)
    estimate = path.stat().st_size * records_in_head // max(len(head), 1)
    with engine.connect() as connection:
        stored = connection.execute(sa.select(sa.func.count()).select_from(event_t)).scalar() or 0
    return estimate >= max(DEFER_INDEXES_FROM, 2 * stored)


def reader_for(
    path: Path, format: str = "ndjson", dataset: str | None = None, release: str | None = None
) -> Reader:
    """The reader of a file in `format`: ndjson (our records), ucdp or acled.

    dataset: the name records are kept under (default: the source's, e.g. ucdp-ged); with each
    row's own id it names a record across imports. release: the source's release (UCDP's is
    guessed from a file name like ged241.csv).
    """
    if format == "ndjson":
        return Reader()
    if format not in FORMATS:
        raise ValueError(f"unknown format {format!r}: ndjson, {', '.join(FORMATS)}")
    source = FORMATS[format]
    return Reader(format, Options(dataset or source.dataset, release or source.release_of(path)))


def _register_actors(engine: Engine, reader: Reader) -> None:
    """The source's names for actors we know otherwise become aliases (README's tables)."""
    if reader.format == "ndjson":
        return
    with Session(writer(engine)) as session:
        register_actors(session, FORMATS[reader.format])
        session.commit()


_COUNTRY, _DATE = EVENT_COLUMNS.index("country"), EVENT_COLUMNS.index("date")


@dataclass
class Coverage:
    """What a source's file holds: its rows' ids (rejected rows' too) and the countries and
    years of its records. A stored record of the dataset inside these and not among the ids is
    one the file no longer has."""

    id_column: str
    ids: set[str] = field(default_factory=set)
    years: dict[str, set[int]] = field(default_factory=dict)  # country -> years

    def watch(self, checked: Iterator[Checked]) -> Iterator[Checked]:
        for item in checked:
            batch, bound = item[0], item[1]
            self.ids.update(found for _, row in batch if (found := text(row, self.id_column)))
            for record in bound:  # a bound date is a date (psycopg) or ISO text (SQLite)
                year = int(str(record.row[_DATE])[:4])
                self.years.setdefault(record.row[_COUNTRY], set()).add(year)
            yield item

    def gone(self, engine: Engine, dataset: str) -> list[tuple[int, str]]:
        """(id, external_id) of the stored records of `dataset` the file no longer has."""
        if not self.years:
            return []
        query = (
            sa.select(event_t.c.id, event_t.c.external_id, event_t.c.country, event_t.c.date)
            .where(
                event_t.c.dataset == dataset,
                event_t.c.deleted_at.is_(None),
                event_t.c.country.in_(sorted(self.years)),
            )
            .order_by(event_t.c.id)
        )
        with engine.connect() as connection:
            return [
                (row.id, row.external_id)
                for row in connection.execute(query)
                if row.date.year in self.years[row.country] and row.external_id not in self.ids
            ]


def _prune(engine: Engine, by: str, gone: list[tuple[int, str]]) -> None:
    """Delete the records a newer release no longer has, in one transaction: tombstones with a
    history entry each, as `DELETE /v1/events/{id}` leaves them."""
    with Session(writer(engine)) as session:
        event_writer = EventWriter(session, by=by, imported=True)
        for event_id, _ in gone:
            event_writer.delete(event_id, expected=None)
        event_writer.commit()


def import_file(
    *,
    engine: Engine,
    path: Path,
    reader: Reader | None = None,
    strict: bool = False,
    batch_size: int = 2000,
    by: str = "import",
    workers: int = 2,
    defer_indexes: bool | None = None,
    prune: bool = False,
    progress: Callable[[ImportReport], None] = lambda report: None,
) -> ImportReport:
    """Validate and store the records of `path`; `workers` processes validate (0: none).

    reader: how to read the file (reader_for; default: our records as NDJSON or a JSON array).
    defer_indexes: drop secondary indexes during the load and rebuild them after; by default,
    when the file holds at least DEFER_INDEXES_FROM records and twice as many as the table.
    A source's file (ucdp, acled) reports the stored records of its dataset, countries and
    years it no longer has (`gone`); prune: delete them.
    """
    reader = reader or Reader()
    report = ImportReport()
    binder = event_binder(engine.dialect)
    if path.stat().st_size < 1 << 20:  # small files: starting processes costs more than it saves
        workers = 0
    if strict:
        for batch, _, rejected, _notes in _checked_batches(
            path, batch_size, workers, binder, reader
        ):
            report.read += len(batch)
            report.rejected += rejected
            progress(report)
        if report.rejected:
            return report
        report.read = 0
    if defer_indexes is None:
        defer_indexes = _defer_indexes(engine, path)
    checked = _checked_batches(path, batch_size, workers, binder, reader)
    coverage = None
    watched: Iterator[Checked] = checked
    if reader.options is not None:
        coverage = Coverage(FORMATS[reader.format].id_column)
        watched = coverage.watch(checked)
    try:
        _register_actors(engine, reader)
        if defer_indexes:
            _load_in_one_transaction(engine, by, watched, binder, reader, report, progress)
        else:
            _load_batch_by_batch(engine, by, watched, binder, reader, report, progress)
        if coverage is not None and reader.options is not None:
            report.gone = coverage.gone(engine, reader.options.dataset)
            if prune and report.gone:
                _prune(engine, by, report.gone)
                report.pruned = True
        analyze(engine)
    except (SQLAlchemyError, OSError) as error:
        raise ImportStopped(report, error) from error
    finally:
        checked.close()  # stops the validating workers
    report.rejected.sort()
    return report


class ImportStopped(Exception):
    """The database refused a write (a full disk, a lost connection): `report` counts what was
    stored before it (every batch committed; with indexes deferred, nothing)."""

    def __init__(self, report: ImportReport, error: BaseException) -> None:
        self.report = report
        self.reason = "the disk is full" if disk_full(error) else cause(error)
        super().__init__(self.reason)


def _load_batch_by_batch(
    engine: Engine,
    by: str,
    checked: Iterator[Checked],
    binder: RowBinder,
    reader: Reader,
    report: ImportReport,
    progress: Callable[[ImportReport], None],
) -> None:
    """Each batch in a transaction of its own: what was committed stays if a later one fails."""
    for batch, bound, rejected, notes in checked:
        report.count(batch, bound, rejected, notes)
        with Session(writer(engine)) as session:
            tune_for_bulk_load(session)
            event_writer = EventWriter(session, by=by, imported=True)
            tally = _store(event_writer, batch, bound, binder, reader, report)
            event_writer.commit()
        tally.add_to(report)
        progress(report)


def _load_in_one_transaction(
    engine: Engine,
    by: str,
    checked: Iterator[Checked],
    binder: RowBinder,
    reader: Reader,
    report: ImportReport,
    progress: Callable[[ImportReport], None],
) -> None:
    """A bulk load with the secondary indexes dropped, stored and indexed again in one
    transaction: if it fails, the database is as it was, every index and trigger in place."""
    tally = Tally()
    with Session(writer(engine)) as session:
        tune_for_bulk_load(session)
        drop_deferrable_indexes(session.connection())
        event_writer = EventWriter(session, by=by, imported=True)
        for batch, bound, rejected, notes in checked:
            report.count(batch, bound, rejected, notes)
            tally.add(_store(event_writer, batch, bound, binder, reader, report))
            progress(report)
        create_missing_indexes(session.connection())
        event_writer.commit()
    tally.add_to(report)


@dataclass
class Tally:
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0

    def add(self, other: "Tally") -> None:
        self.inserted += other.inserted
        self.updated += other.updated
        self.unchanged += other.unchanged

    def add_to(self, report: ImportReport) -> None:
        report.inserted += self.inserted
        report.updated += self.updated
        report.unchanged += self.unchanged


def _store(
    event_writer: EventWriter,
    batch: Batch,
    bound: list[Bound],
    binder: RowBinder,
    reader: Reader,
    report: ImportReport,
) -> Tally:
    """Store one batch in the writer's transaction; records that clash with stored ones are
    rejected. What it stored, once the transaction commits."""
    items = dict(batch)

    def full(record: Bound) -> Prepared:  # a stored record's update compares full forms
        prepared, _, _ = reader.check(record.position, items[record.position])
        assert prepared is not None  # it was valid a moment ago, in the worker
        return prepared

    result = event_writer.upsert_many(bound, binder, full)
    if result.errors:  # repeated or deleted records: skip them, store the rest
        bad = {int((e.pointer or "/0").split("/")[1]) for e in result.errors}
        report.rejected += [
            (int(e.pointer.split("/")[1]), e.detail) for e in result.errors if e.pointer
        ]
        result = event_writer.upsert_many([r for r in bound if r.position not in bad], binder, full)
    return Tally(result.inserted, result.updated, result.unchanged)


def _batches(items: Iterator[tuple[int, Any]], size: int) -> Iterator[Batch]:
    while batch := list(islice(items, size)):
        yield batch
