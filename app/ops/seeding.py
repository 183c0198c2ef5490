"""Loading `seeds/`: the actor registry, then the events coded from each source report."""

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import TypeAdapter, ValidationError
from sqlalchemy.engine import Engine
from sqlmodel import Session

from app.actors.service import ensure_actor
from app.core.database import writer
from app.events.schemas import EventIn, EventInModel
from app.events.service import find_by_external_id
from app.events.writes import EventWriter, prepared_or_422
from app.ops.schema import analyze

_event_adapter: TypeAdapter[EventInModel] = TypeAdapter(EventIn)


class SeedError(Exception):
    """A seed file that does not hold valid records."""


@dataclass
class SeedReport:
    inserted: int = 0
    kept: int = 0


def seed_events(path: Path) -> list[EventInModel]:
    """The records of one seed file, each citing its report with the sentences it rests on."""
    doc = json.loads(path.read_text(encoding="utf-8"))
    report: dict[str, Any] = doc["report"]
    source = {k: report[k] for k in ("publisher", "title", "url", "published_on")}
    records = []
    for position, raw in enumerate(doc["events"]):
        record = {k: v for k, v in raw.items() if k != "quotes"}
        record["sources"] = [source | {"quote": quote} for quote in raw["quotes"]]
        record["dataset"] = doc["dataset"]
        try:
            records.append(_event_adapter.validate_python(record))
        except ValidationError as error:
            raise SeedError(f"{path.name}, event {position}: {error}") from error
    return records


def load_seeds(*, engine: Engine, seeds_dir: Path) -> SeedReport:
    """Insert the seed records that were never stored; deleted or edited ones are left alone."""
    report = SeedReport()
    with Session(writer(engine)) as session:
        event_writer = EventWriter(session, by="seed")
        event_writer.lock()
        actors_file = seeds_dir / "actors.json"
        if actors_file.exists():
            for actor in json.loads(actors_file.read_text(encoding="utf-8")):
                aliases = [(a["name"], a.get("source")) for a in actor.get("aliases", [])]
                ensure_actor(session=session, name=actor["name"], aliases=aliases)
        for path in sorted(seeds_dir.glob("*.json")):
            if path == actors_file:
                continue
            missing = []
            for event_in in seed_events(path):
                assert event_in.dataset
                assert event_in.external_id
                if (
                    find_by_external_id(
                        session=session, dataset=event_in.dataset, external_id=event_in.external_id
                    )
                    is None
                ):
                    missing.append(prepared_or_422(event_in))
            event_writer.create_many(missing)
            report.inserted += len(missing)
        report.kept = _seed_count(seeds_dir) - report.inserted
        event_writer.commit()
    if report.inserted:
        analyze(engine)
    return report


def _seed_count(seeds_dir: Path) -> int:
    files = [p for p in seeds_dir.glob("*.json") if p.name != "actors.json"]
    return sum(len(json.loads(p.read_text(encoding="utf-8"))["events"]) for p in files)
