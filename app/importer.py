"""`conflict-events import FILE`: NDJSON or a JSON array of records, of any size, streamed.

Records are validated and stored in batches, each committed atomically through EventWriter;
an invalid record is reported with its line number and skipped. With strict=True the whole file
is validated first and nothing is stored if any record is invalid.
"""

import json
import multiprocessing
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from itertools import islice
from multiprocessing.pool import AsyncResult
from pathlib import Path
from typing import TextIO

from pydantic import TypeAdapter, ValidationError
from sqlalchemy.engine import Engine
from sqlmodel import Session

from app.db import analyze, tune_for_bulk_load, writer
from app.errors import body_errors
from app.events.schemas import EventIn, EventInModel
from app.events.writes import EventWriter, Prepared, prepare

_adapter: TypeAdapter[EventInModel] = TypeAdapter(EventIn)
CHUNK = 1 << 20


@dataclass
class ImportReport:
    read: int = 0
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: list[tuple[int, str]] = field(default_factory=list)  # (line, reason)


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


def _validate(batch: list[tuple[int, str]], report: ImportReport) -> list[Prepared]:
    prepared = []
    for line, text in batch:
        try:
            event_in = _adapter.validate_json(text)
        except ValidationError as error:
            problems = body_errors(error).errors or []
            report.rejected += [(line, f"{p.pointer or '/'}: {p.detail}") for p in problems[:3]]
            continue
        ready, problems = prepare(event_in, position=line)
        if ready is None:
            report.rejected += [(line, f"{p.pointer or '/'}: {p.detail}") for p in problems[:3]]
        else:
            prepared.append(ready)
    return prepared


def _prepare_batch(batch: list[tuple[int, str]]) -> tuple[list[Prepared], list[tuple[int, str]]]:
    report = ImportReport()
    return _validate(batch, report), report.rejected


def _prepared_batches(
    path: Path, batch_size: int, workers: int
) -> Iterator[tuple[int, list[Prepared], list[tuple[int, str]]]]:
    """(records read, prepared records, rejections) per batch, in file order.

    Validation is most of the work; worker processes do it while the caller writes. At most a
    few batches are in flight, so memory does not grow with the file.
    """
    batches = _batches(path, batch_size)
    if workers < 1 or "fork" not in multiprocessing.get_all_start_methods():
        for batch in batches:
            yield len(batch), *_prepare_batch(batch)
        return
    with multiprocessing.get_context("fork").Pool(workers) as pool:
        pending: deque[tuple[int, AsyncResult[tuple[list[Prepared], list[tuple[int, str]]]]]] = (
            deque()
        )
        for batch in batches:
            pending.append((len(batch), pool.apply_async(_prepare_batch, (batch,))))
            if len(pending) > 2 * workers:
                size, result = pending.popleft()
                yield size, *result.get()
        while pending:
            size, result = pending.popleft()
            yield size, *result.get()


def import_file(
    *,
    engine: Engine,
    path: Path,
    strict: bool = False,
    batch_size: int = 2000,
    by: str = "import",
    workers: int = 1,
    progress: Callable[[ImportReport], None] = lambda report: None,
) -> ImportReport:
    """Validate and store the records of `path`; `workers` processes validate (0: none)."""
    report = ImportReport()
    if path.stat().st_size < 1 << 20:  # small files: starting processes costs more than it saves
        workers = 0
    if strict:
        for size, _, rejected in _prepared_batches(path, batch_size, workers):
            report.read += size
            report.rejected += rejected
            progress(report)
        if report.rejected:
            return report
        report.read = 0
    for size, prepared, rejected in _prepared_batches(path, batch_size, workers):
        report.read += size
        report.rejected += rejected
        with Session(writer(engine)) as session:
            tune_for_bulk_load(session)
            event_writer = EventWriter(session, by=by)
            result = event_writer.upsert_many(prepared)
            if result.errors:  # repeated or deleted records: skip them, store the rest
                bad = {int((e.pointer or "/0").split("/")[1]) for e in result.errors}
                report.rejected += [
                    (int(e.pointer.split("/")[1]), e.detail) for e in result.errors if e.pointer
                ]
                result = event_writer.upsert_many([p for p in prepared if p.position not in bad])
            event_writer.commit()
        report.inserted += result.inserted
        report.updated += result.updated
        report.unchanged += result.unchanged
        progress(report)
    report.rejected.sort()
    analyze(engine)
    return report


def _batches(path: Path, size: int) -> Iterator[list[tuple[int, str]]]:
    items = records(path)
    while batch := list(islice(items, size)):
        yield batch
