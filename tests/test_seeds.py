"""The seed data: coded from the report, quoting it verbatim, loaded once and never resurrected."""

import json
from pathlib import Path

import sqlalchemy as sa
from fastapi.testclient import TestClient

from app.core.database import make_engine
from app.core.settings import Settings
from app.core.tables import event_table
from app.ops.seeding import load_seeds

SEEDS = Path(__file__).resolve().parent.parent / "seeds"
REPORT = (SEEDS / "reports" / "helmand-offensive-2021-05-04.txt").read_text(encoding="utf-8")


def seeded(client: TestClient) -> dict[str, dict[str, object]]:
    items = client.get("/v1/events?limit=1000").json()["items"]
    return {item["external_id"]: item for item in items}


def test_seed_quotes_are_verbatim_text_of_the_report(client: TestClient) -> None:
    events = seeded(client)
    assert len(events) == 10
    for external_id, event in events.items():
        sources = event["sources"]
        assert isinstance(sources, list)
        assert sources, external_id
        for source in sources:
            assert source["quote"] in REPORT, (external_id, source["quote"])
            assert source["published_on"] == "2021-05-04"


def test_seed_report_is_the_shared_one() -> None:
    shared = (
        Path(__file__).resolve().parents[2]
        / "shared"
        / "seeds"
        / "helmand-offensive-2021-05-04.txt"
    )
    if shared.exists():  # beside a clone in CI and in development; absent on a user's machine
        assert shared.read_text(encoding="utf-8") == REPORT


def test_seed_figures_are_kept_as_claims(client: TestClient) -> None:
    events = seeded(client)
    assert events["helmand-taliban-offensive"]["fatalities"] == {
        "value": 100,
        "qualifier": "more_than",
        "claimed_by": "Afghan Defense Ministry",
        "low": None,
        "high": None,
        "alternatives": [],
    }
    families = events["helmand-displacement"]["families"]
    assert isinstance(families, dict)
    assert (families["value"], families["qualifier"]) == (1000, "about")
    assert "director for refugees" in families["claimed_by"]


def test_seed_dates_resolve_relative_days(client: TestClient) -> None:
    events = seeded(client)
    assert events["helmand-taliban-offensive"]["date"] == "2021-05-03"  # "the previous day"
    assert events["helmand-base-handover"]["date"] == "2021-05-02"  # "two days ago"
    assert events["us-withdrawal-deadline-agreed"]["date_precision"] == "year"  # "last year"
    assert {e["kind"] for e in events.values()} == {
        "offensive",
        "displacement",
        "withdrawal_milestone",
    }


def test_seed_coverage_map_names_every_record() -> None:
    coverage = (SEEDS / "README.md").read_text(encoding="utf-8")
    doc = json.loads((SEEDS / "helmand-offensive-2021-05-04.json").read_text(encoding="utf-8"))
    for event in doc["events"]:
        assert f"`{event['external_id']}`" in coverage


def test_seed_loading_twice_changes_nothing(client: TestClient, settings: Settings) -> None:
    before = seeded(client)
    actors_before = client.get("/v1/actors?limit=1000").json()
    engine = make_engine(settings)
    report = load_seeds(engine=engine, seeds_dir=settings.seeds_dir)
    engine.dispose()
    assert (report.inserted, report.kept) == (0, 10)
    assert seeded(client) == before
    assert client.get("/v1/actors?limit=1000").json() == actors_before


def test_seed_never_brings_back_a_deleted_record(client: TestClient, settings: Settings) -> None:
    event_id = seeded(client)["helmand-base-handover"]["id"]
    engine = make_engine(settings)
    table = event_table
    with engine.begin() as connection:
        connection.execute(
            sa.update(table).where(table.c.id == event_id).values(deleted_at=sa.func.now())
        )
    load_seeds(engine=engine, seeds_dir=settings.seeds_dir)
    engine.dispose()
    assert client.get(f"/v1/events/{event_id}").status_code == 410
    assert "helmand-base-handover" not in seeded(client)
