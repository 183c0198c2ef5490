"""Reports: post a report, get draft records with their evidence, accept or reject each one.

Most tests read drafts from a stand-in for the extraction engine (`drafting`), so they test the
storage, the API and the decisions whatever the engine's rules become; the tests marked as
reading the seed report run the real engine and hold it to what the issue promises.
"""

import io
import json
import threading
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import httpx
import httpx2
import pytest
import sqlalchemy as sa
from alembic import command
from fastapi.testclient import TestClient
from pydantic import TypeAdapter

from app.core.database import make_engine
from app.core.settings import Settings
from app.events.schemas import EventIn, EventInModel
from app.ops.cli import main as cli_main
from app.ops.schema import alembic_config, migrate
from app.reports import service
from app.reports.extract import Draft, Evidence, Extraction, NoAnchorDate
from tests.conftest import READ_KEY, REPO, WRITE, LiveServer
from tests.databases import Backend
from tests.payloads import offensive

SEED_REPORT = REPO / "seeds" / "reports" / "helmand-offensive-2021-05-04.txt"
TEXT = SEED_REPORT.read_text(encoding="utf-8")
SEED_DATASET = "seed:helmand-offensive-2021-05-04"
REPORT = {
    "text": TEXT,
    "published_on": "2021-05-04",
    "publisher": "Xinhua",
    "title": "Thousands flee as Taliban launch offensive in Afghanistan's Helmand",
    "url": "https://example.org/helmand-offensive",
}
MERGE = WRITE | {"Content-Type": "application/merge-patch+json"}
event_adapter: TypeAdapter[EventInModel] = TypeAdapter(EventIn)


def _evidence(text: str, quote: str) -> Evidence:
    start = text.index(quote)
    return Evidence(start, start + len(quote), quote)


OFFENSIVE_QUOTES = (
    "the Taliban launched an ample offensive the previous day",
    "The Afghan Defense Ministry said more than 100 Taliban fighters had been killed",
)
DISPLACEMENT_QUOTE = "About 1,000 families were forced to flee their homes to escape the fighting"
HANDOVER_QUOTE = "U.S. forces handed over a base in Helmand to Afghan troops two days ago."


def stand_in_extract(text: str, *, published_on: date | None = None) -> Extraction:
    """Three drafts of the seed report, as the engine is meant to read it."""
    if published_on is None:
        raise NoAnchorDate("no date in the stand-in")
    offensive_draft = Draft(
        event={
            "kind": "offensive",
            "date": "2021-05-03",
            "end_date": "2021-05-04",
            "country": "AFG",
            "province": "Helmand",
            "district": "Lashkar Gah",
            "actors": [{"name": "Taliban", "role": "initiator"}],
            "summary": "The Taliban attacked checkpoints around Lashkar Gah.",
            "fatalities": {
                "value": 100,
                "qualifier": "more_than",
                "claimed_by": "Afghan Defense Ministry",
            },
            "outcome": "repelled",
            "tactics": ["checkpoint_attack"],
        },
        evidence=[_evidence(text, quote) for quote in OFFENSIVE_QUOTES],
        explanations={"date": "'the previous day' relative to 'on May 4' = 2021-05-03"},
    )
    displacement_draft = Draft(
        event={
            "kind": "displacement",
            "date": "2021-05-03",
            "end_date": "2021-05-04",
            "country": "AFG",
            "province": "Helmand",
            "summary": "About 1,000 families fled the fighting.",
            "families": {"value": 1000, "qualifier": "about"},
        },
        evidence=[_evidence(text, DISPLACEMENT_QUOTE)],
        explanations={"families": "'About 1,000 families' = about 1000"},
    )
    handover_draft = Draft(
        event={
            "kind": "withdrawal_milestone",
            "date": "2021-05-02",
            "country": "AFG",
            "province": "Helmand",
            "milestone": "base_handover",
            "force": "United States Forces",
            "summary": "U.S. forces handed over a base in Helmand to Afghan troops.",
        },
        evidence=[_evidence(text, HANDOVER_QUOTE)],
        explanations={"date": "'two days ago' relative to 2021-05-04 = 2021-05-02"},
    )
    return Extraction(
        published_on=published_on,
        published_on_explanation="given in the request",
        drafts=[offensive_draft, displacement_draft, handover_draft],
    )


@pytest.fixture
def drafting(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(service, "extract", stand_in_extract)


def post_report(client: TestClient, **changes: Any) -> dict[str, Any]:
    response = client.post("/v1/reports", json=REPORT | changes, headers=WRITE)
    assert response.status_code == 201, response.text
    report: dict[str, Any] = response.json()
    return report


def accept(client: TestClient, report_id: int, n: int, patch: Any = None) -> httpx2.Response:
    url = f"/v1/reports/{report_id}/drafts/{n}/accept"
    if patch is None:
        return client.post(url, headers=WRITE)
    return client.post(url, content=json.dumps(patch), headers=MERGE)


def all_events(client: TestClient) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = client.get("/v1/events?limit=1000").json()["items"]
    return items


def seed_ids(client: TestClient, kind: str) -> list[int]:
    query = f"/v1/events?dataset={SEED_DATASET}&kind={kind}&province=Helmand"
    return sorted(e["id"] for e in client.get(query).json()["items"])


# Posting a report.


@pytest.mark.usefixtures("drafting")
def test_create_report_stores_it_and_answers_its_drafts(client: TestClient) -> None:
    before = all_events(client)
    response = client.post("/v1/reports", json=REPORT, headers=WRITE)
    assert response.status_code == 201, response.text
    report = response.json()
    assert response.headers["location"].endswith(f"/v1/reports/{report['id']}")
    assert {k: report[k] for k in REPORT} == REPORT
    assert report["published_on_explanation"] == "given in the request"
    assert report["created_by"] == "editor"
    assert [d["n"] for d in report["drafts"]] == [0, 1, 2]
    first = report["drafts"][0]
    assert first["status"] == "pending"
    assert first["event_id"] is None
    assert first["explanations"]["date"].endswith("= 2021-05-03")
    assert [e["quote"] for e in first["evidence"]] == list(OFFENSIVE_QUOTES)
    for draft in report["drafts"]:
        for evidence in draft["evidence"]:
            assert TEXT[evidence["start"] : evidence["end"]] == evidence["quote"]
        # Exactly a body POST /v1/events takes: the report cited once per quote.
        event_adapter.validate_python(draft["event"])
        assert draft["event"]["sources"] == [
            {
                "publisher": "Xinhua",
                "title": REPORT["title"],
                "url": REPORT["url"],
                "published_on": "2021-05-04",
                "quote": e["quote"],
            }
            for e in draft["evidence"]
        ]
    assert client.get(response.headers["location"]).json() == report
    assert all_events(client) == before  # nothing becomes a record before it is accepted


@pytest.mark.usefixtures("drafting")
def test_create_same_report_twice_answers_the_stored_one(client: TestClient) -> None:
    first = post_report(client)
    again = client.post("/v1/reports", json=REPORT, headers=WRITE)
    assert again.status_code == 200
    assert again.json() == first
    assert again.headers["location"].endswith(f"/v1/reports/{first['id']}")
    other = client.post("/v1/reports", json=REPORT | {"publisher": "AFP"}, headers=WRITE)
    assert other.status_code == 201
    assert [r["id"] for r in client.get("/v1/reports").json()["items"]] == [
        other.json()["id"],
        first["id"],
    ]


def test_create_report_without_any_date_is_422_and_stores_nothing(client: TestClient) -> None:
    body = {k: v for k, v in REPORT.items() if k != "published_on"}
    body["text"] = "Fighting went on in Helmand the previous day, officials said."
    response = client.post("/v1/reports", json=body, headers=WRITE)
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    [error] = response.json()["errors"]
    assert error["pointer"] == "/published_on"
    assert "published_on" in error["detail"]
    assert client.get("/v1/reports").json()["items"] == []


@pytest.mark.parametrize(
    ("change", "pointer"),
    [
        ({"text": ""}, "/text"),
        ({"text": " \n\t "}, "/text"),
        ({"text": "a" * 200_001}, "/text"),
        ({"text": "Helmand\x00"}, "/text"),
        ({"published_on": "2021-5-4"}, "/published_on"),
        ({"published_on": 0}, "/published_on"),
        ({"published_on": "1622505600"}, "/published_on"),
        ({"publisher": ""}, "/publisher"),
        ({"publisher": None}, "/publisher"),
        ({"url": "ftp://example.org/x"}, "/url"),
        ({"source": "x"}, "/source"),
    ],
)
def test_create_report_refuses_a_bad_body_naming_the_field(
    client: TestClient, change: dict[str, Any], pointer: str
) -> None:
    response = client.post("/v1/reports", json=REPORT | change, headers=WRITE)
    assert response.status_code == 422, response.text
    assert pointer in [e["pointer"] for e in response.json()["errors"]]
    assert client.get("/v1/reports").json()["items"] == []


def test_create_report_needs_a_write_key(client: TestClient) -> None:
    anonymous = client.post("/v1/reports", json=REPORT)
    reader = client.post(
        "/v1/reports", json=REPORT, headers={"Authorization": f"Bearer {READ_KEY}"}
    )
    assert (anonymous.status_code, reader.status_code) == (401, 403)
    assert anonymous.headers["www-authenticate"] == "Bearer"
    assert reader.json()["type"] == "/problems/forbidden"
    assert client.get("/v1/reports").json()["items"] == []


def test_create_report_refuses_what_is_not_json(client: TestClient) -> None:
    bad = client.post(
        "/v1/reports", content=b"{", headers=WRITE | {"Content-Type": "application/json"}
    )
    assert bad.status_code == 400
    assert bad.json()["errors"][0]["pointer"] == ""


# Reading.


@pytest.mark.usefixtures("drafting")
def test_list_reports_pages_newest_first_with_draft_counts(client: TestClient) -> None:
    ids = [post_report(client, title=f"Report {i}")["id"] for i in range(3)]
    client.post(f"/v1/reports/{ids[0]}/drafts/1/reject", headers=WRITE)
    first = client.get("/v1/reports?limit=2")
    assert first.status_code == 200
    page = first.json()
    assert [r["id"] for r in page["items"]] == ids[:0:-1]
    assert 'rel="next"' in first.headers["link"]
    rest = client.get("/v1/reports", params={"limit": 2, "cursor": page["next_cursor"]}).json()
    assert [r["id"] for r in rest["items"]] == [ids[0]]
    assert rest["next_cursor"] is None
    assert rest["items"][0]["drafts"] == {"pending": 2, "accepted": 0, "rejected": 1}
    assert "text" not in rest["items"][0]


@pytest.mark.parametrize(
    ("path", "status"),
    [
        ("/v1/reports/999999", 404),
        ("/v1/reports/0", 422),
        (f"/v1/reports/{2**31}", 422),
        ("/v1/reports?cursor=forged.x", 422),
        ("/v1/reports?limit=0", 422),
        ("/v1/reports?sort=id", 422),
    ],
)
def test_read_reports_refuses_what_is_not_there(client: TestClient, path: str, status: int) -> None:
    response = client.get(path)
    assert response.status_code == status
    assert response.headers["content-type"] == "application/problem+json"


# Accepting.


@pytest.mark.usefixtures("drafting")
def test_accept_draft_creates_a_record_citing_the_report(client: TestClient) -> None:
    report = post_report(client)
    response = accept(client, report["id"], 0)
    assert response.status_code == 201, response.text
    record = response.json()
    assert response.headers["location"].endswith(f"/v1/events/{record['id']}")
    assert response.headers["etag"] == '"1"'
    assert client.get(f"/v1/events/{record['id']}").json() == record
    assert record["kind"] == "offensive"
    assert (record["province"], record["province_pcode"], record["district"]) == (
        "Helmand",
        "AF30",
        "Lashkar Gah",
    )
    assert record["sources"] == report["drafts"][0]["event"]["sources"]
    assert [s["quote"] for s in record["sources"]] == list(OFFENSIVE_QUOTES)
    # The same write path as POST /v1/events: history, search and provenance.
    [created] = client.get(f"/v1/events/{record['id']}/history").json()["items"]
    assert created["changed_by"] == "editor"
    found = client.get("/v1/events", params={"q": '"ample offensive"'}).json()["items"]
    assert record["id"] in [e["id"] for e in found]
    draft = client.get(f"/v1/reports/{report['id']}").json()["drafts"][0]
    assert (draft["status"], draft["event_id"], draft["decided_by"]) == (
        "accepted",
        record["id"],
        "editor",
    )
    assert record["id"] not in draft["possible_duplicate_of"]


@pytest.mark.usefixtures("drafting")
def test_accept_draft_twice_creates_one_record(client: TestClient) -> None:
    report = post_report(client)
    before = len(all_events(client))
    first = accept(client, report["id"], 1)
    again = accept(client, report["id"], 1)
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json() == first.json()
    assert again.headers["location"] == first.headers["location"]
    assert len(all_events(client)) == before + 1
    # Accepting it again with a correction it was not accepted with is a conflict.
    other = accept(client, report["id"], 1, {"summary": "Something else."})
    assert other.status_code == 409
    assert f"PATCH /v1/events/{first.json()['id']}" in other.json()["detail"]
    assert len(all_events(client)) == before + 1


@pytest.mark.usefixtures("drafting")
def test_accept_draft_with_a_merge_patch_correction(client: TestClient) -> None:
    report = post_report(client)
    patch = {"outcome": "territory_taken", "fatalities": None, "location": "Bolan"}
    response = accept(client, report["id"], 0, patch)
    assert response.status_code == 201, response.text
    record = response.json()
    assert (record["outcome"], record["fatalities"], record["location"]) == (
        "territory_taken",
        None,
        "Bolan",
    )
    assert record["summary"] == report["drafts"][0]["event"]["summary"]
    draft = client.get(f"/v1/reports/{report['id']}").json()["drafts"][0]
    assert draft["correction"] == patch
    assert draft["event"] == report["drafts"][0]["event"]  # the proposal is kept as it was
    assert accept(client, report["id"], 0, patch).status_code == 200
    # Sent as plain JSON, a patch works too.
    plain = client.post(
        f"/v1/reports/{report['id']}/drafts/1/accept",
        json={"families": {"value": 900}},
        headers=WRITE,
    )
    assert plain.status_code == 201
    families = plain.json()["families"]
    assert (families["value"], families["qualifier"]) == (900, "about")


@pytest.mark.usefixtures("drafting")
@pytest.mark.parametrize(
    ("patch", "status", "pointer"),
    [
        ({"date": "2021-13-01"}, 422, "/date"),
        ({"end_date": "2021-05-01"}, 422, ""),
        ({"province": "Helmnad"}, 422, "/province"),
        ({"outcome": "won"}, 422, "/outcome"),
        ({"sources": []}, 422, "/sources"),
        ({"kind": "displacement"}, 422, "/outcome"),
        ([1, 2], 422, ""),
    ],
)
def test_accept_draft_with_an_invalid_correction_is_422_and_stores_nothing(
    client: TestClient, patch: Any, status: int, pointer: str
) -> None:
    report = post_report(client)
    before = all_events(client)
    response = accept(client, report["id"], 0, patch)
    assert response.status_code == status, response.text
    assert pointer in [e["pointer"] for e in response.json()["errors"]]
    if patch == {"province": "Helmnad"}:
        assert response.json()["errors"][0]["suggestions"][0] == "Helmand"
    assert all_events(client) == before
    assert client.get(f"/v1/reports/{report['id']}").json() == report  # still pending


@pytest.mark.usefixtures("drafting")
@pytest.mark.parametrize(
    ("content", "content_type", "status"),
    [
        (b"{", "application/merge-patch+json", 400),
        (b'{"outcome": "repelled"}', "text/plain", 415),
        (b"null", "application/json", 422),
    ],
)
def test_accept_draft_refuses_a_body_it_cannot_read(
    client: TestClient, content: bytes, content_type: str, status: int
) -> None:
    report = post_report(client)
    response = client.post(
        f"/v1/reports/{report['id']}/drafts/0/accept",
        content=content,
        headers=WRITE | {"Content-Type": content_type},
    )
    assert response.status_code == status
    assert response.headers["content-type"] == "application/problem+json"
    assert client.get(f"/v1/reports/{report['id']}").json() == report


@pytest.mark.usefixtures("drafting")
def test_accept_draft_concurrently_creates_one_record(
    client: TestClient, live_server: Callable[..., LiveServer], database_url: str
) -> None:
    report = post_report(client)
    before = len(all_events(client))
    server = live_server(database_url)
    answers: list[httpx.Response] = []
    start = threading.Barrier(6)

    def accept_once() -> None:
        with httpx.Client(base_url=server.url, timeout=30) as http:
            start.wait()
            answers.append(http.post(f"/v1/reports/{report['id']}/drafts/0/accept", headers=WRITE))

    threads = [threading.Thread(target=accept_once) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(r.status_code for r in answers) == [200, 200, 200, 200, 200, 201]
    assert len({r.json()["id"] for r in answers}) == 1
    assert len(all_events(client)) == before + 1


def test_accept_every_draft_of_the_seed_report(client: TestClient) -> None:
    # The real engine: every draft it reads from the seed report is a record the API takes.
    report = post_report(client)
    assert report["drafts"]
    for draft in report["drafts"]:
        response = accept(client, report["id"], draft["n"])
        assert response.status_code == 201, (draft, response.text)


# Rejecting.


@pytest.mark.usefixtures("drafting")
def test_reject_draft_records_the_decision(client: TestClient) -> None:
    report = post_report(client)
    url = f"/v1/reports/{report['id']}/drafts"
    response = client.post(f"{url}/2/reject", json={"reason": " Not in Helmand. "}, headers=WRITE)
    assert response.status_code == 200, response.text
    draft = response.json()
    assert (draft["n"], draft["status"], draft["reason"], draft["decided_by"]) == (
        2,
        "rejected",
        "Not in Helmand.",
        "editor",
    )


@pytest.mark.usefixtures("drafting")
def test_reject_draft_again_answers_it_unchanged(client: TestClient) -> None:
    report = post_report(client)
    url = f"/v1/reports/{report['id']}/drafts"
    draft = client.post(f"{url}/2/reject", json={"reason": " Not in Helmand. "}, headers=WRITE)
    assert draft.status_code == 200, draft.text
    assert client.post(f"{url}/2/reject", headers=WRITE).json() == draft.json()


@pytest.mark.usefixtures("drafting")
def test_rejected_draft_cannot_be_accepted(client: TestClient) -> None:
    report = post_report(client)
    rejected = client.post(f"/v1/reports/{report['id']}/drafts/2/reject", headers=WRITE)
    assert rejected.status_code == 200, rejected.text
    refused = accept(client, report["id"], 2)
    assert refused.status_code == 409
    assert "rejected" in refused.json()["detail"]
    statuses = [d["status"] for d in client.get(f"/v1/reports/{report['id']}").json()["drafts"]]
    assert statuses == ["pending", "pending", "rejected"]


@pytest.mark.usefixtures("drafting")
def test_accepted_draft_cannot_be_rejected(client: TestClient) -> None:
    report = post_report(client)
    assert accept(client, report["id"], 0).status_code == 201
    conflict = client.post(f"/v1/reports/{report['id']}/drafts/0/reject", headers=WRITE)
    assert conflict.status_code == 409
    assert conflict.headers["content-type"] == "application/problem+json"
    statuses = [d["status"] for d in client.get(f"/v1/reports/{report['id']}").json()["drafts"]]
    assert statuses == ["accepted", "pending", "pending"]


@pytest.mark.usefixtures("drafting")
@pytest.mark.parametrize(
    ("body", "pointer"),
    [({"reason": ""}, "/reason"), ({"reason": "x" * 2001}, "/reason"), ({"why": "x"}, "/why")],
)
def test_reject_draft_refuses_a_bad_reason(
    client: TestClient, body: dict[str, Any], pointer: str
) -> None:
    report = post_report(client)
    response = client.post(f"/v1/reports/{report['id']}/drafts/0/reject", json=body, headers=WRITE)
    assert response.status_code == 422
    assert pointer in [e["pointer"] for e in response.json()["errors"]]
    assert client.get(f"/v1/reports/{report['id']}").json() == report


@pytest.mark.usefixtures("drafting")
@pytest.mark.parametrize("action", ["accept", "reject"])
def test_decide_needs_a_write_key(client: TestClient, action: str) -> None:
    report = post_report(client)
    url = f"/v1/reports/{report['id']}/drafts/0/{action}"
    assert client.post(url).status_code == 401
    assert client.post(url, headers={"Authorization": f"Bearer {READ_KEY}"}).status_code == 403
    assert client.get(f"/v1/reports/{report['id']}").json() == report


@pytest.mark.usefixtures("drafting")
@pytest.mark.parametrize("action", ["accept", "reject"])
def test_decide_needs_an_existing_draft(client: TestClient, action: str) -> None:
    report = post_report(client)
    missing_report = client.post(f"/v1/reports/999999/drafts/0/{action}", headers=WRITE)
    missing_draft = client.post(f"/v1/reports/{report['id']}/drafts/3/{action}", headers=WRITE)
    assert (missing_report.status_code, missing_draft.status_code) == (404, 404)
    assert "numbered from 0 to 2" in missing_draft.json()["detail"]
    assert missing_draft.headers["content-type"] == "application/problem+json"
    assert client.get(f"/v1/reports/{report['id']}").json() == report


# Possible duplicates.


@pytest.mark.usefixtures("drafting")
def test_possible_duplicate_of_lists_the_seed_records(client: TestClient) -> None:
    report = post_report(client)
    offensive_draft, displacement_draft, handover_draft = report["drafts"]
    assert offensive_draft["possible_duplicate_of"] == seed_ids(client, "offensive")
    assert displacement_draft["possible_duplicate_of"] == seed_ids(client, "displacement")
    assert handover_draft["possible_duplicate_of"] == seed_ids(client, "withdrawal_milestone")
    assert len(offensive_draft["possible_duplicate_of"]) == 1


@pytest.mark.usefixtures("drafting")
def test_possible_duplicate_of_follows_the_records_stored(empty_client: TestClient) -> None:
    report = post_report(empty_client)
    assert [d["possible_duplicate_of"] for d in report["drafts"]] == [[], [], []]
    same = offensive(province="Hilmand", date="2021-05-01", end_date="2021-05-03")
    elsewhere = offensive(province="Kunduz", date="2021-05-03")
    before = offensive(province="Helmand", date="2021-05-01", end_date="2021-05-02")
    ids = [
        empty_client.post("/v1/events", json=record, headers=WRITE).json()["id"]
        for record in (same, elsewhere, before)
    ]
    drafts = empty_client.get(f"/v1/reports/{report['id']}").json()["drafts"]
    assert [d["possible_duplicate_of"] for d in drafts] == [[ids[0]], [], []]
    version = empty_client.get(f"/v1/events/{ids[0]}").headers["etag"]
    empty_client.delete(f"/v1/events/{ids[0]}", headers=WRITE | {"If-Match": version})
    drafts = empty_client.get(f"/v1/reports/{report['id']}").json()["drafts"]
    assert drafts[0]["possible_duplicate_of"] == []


# The real engine, held to what the issue says of the seed report.


def test_create_report_reads_the_seed_report(client: TestClient) -> None:
    report = post_report(client)
    assert report["drafts"]
    for draft in report["drafts"]:
        assert draft["evidence"]
        for evidence in draft["evidence"]:
            assert TEXT[evidence["start"] : evidence["end"]] == evidence["quote"]
        event_adapter.validate_python(draft["event"])
    helmand_offensives = [
        d
        for d in report["drafts"]
        if d["event"]["kind"] == "offensive"
        and d["event"].get("province") == "Helmand"
        and d["event"]["date"] == "2021-05-03"
    ]
    assert helmand_offensives
    assert seed_ids(client, "offensive")[0] in helmand_offensives[0]["possible_duplicate_of"]
    assert "date" in helmand_offensives[0]["explanations"]


@pytest.mark.parametrize(
    "opening",
    [
        "KABUL, June 22, 2021 (Xinhua) -- ",
        "Published June 22, 2021\n",
    ],
)
def test_create_report_without_published_on_reads_the_date_in_the_text(
    client: TestClient, opening: str
) -> None:
    body = {k: v for k, v in REPORT.items() if k != "published_on"}
    body["text"] = opening + "Taliban fighters attacked checkpoints in Helmand the previous day."
    response = client.post("/v1/reports", json=body, headers=WRITE)
    assert response.status_code == 201, response.text
    report = response.json()
    assert report["published_on"] == "2021-06-22"
    assert report["published_on_explanation"]


# The command line.


def test_extract_prints_drafts_and_stores_nothing(
    client: TestClient, cli: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before = all_events(client)
    assert cli_main(["extract", str(SEED_REPORT), "--published-on", "2021-05-04"]) == 0
    printed = json.loads(capsys.readouterr().out)
    assert set(printed) == {"published_on", "published_on_explanation", "drafts"}
    assert printed["published_on"] == "2021-05-04"
    for n, draft in enumerate(printed["drafts"]):
        assert draft["n"] == n
        assert set(draft) == {"n", "event", "evidence", "explanations"}
        for evidence in draft["evidence"]:
            assert TEXT[evidence["start"] : evidence["end"]] == evidence["quote"]
    assert all_events(client) == before
    assert client.get("/v1/reports").json()["items"] == []


def test_extract_reads_stdin(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO(TEXT))
    assert cli_main(["extract", "-", "--published-on", "2021-05-04"]) == 0
    assert json.loads(capsys.readouterr().out)["published_on"] == "2021-05-04"


def test_extract_needs_no_database(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # Settings that every other command refuses, and a database that is not there.
    monkeypatch.setenv("CE_ENVIRONMENT", "production")
    monkeypatch.setenv("DATABASE_URL", "postgresql://nobody@127.0.0.1:1/nowhere")
    assert cli_main(["extract", str(SEED_REPORT), "--published-on", "2021-05-04"]) == 0
    assert json.loads(capsys.readouterr().out)["published_on"] == "2021-05-04"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--published-on", "2021-5-4"], "2021-5-4"),
        (["--published-on", "yesterday"], "yesterday"),
        ([], "--published-on"),
    ],
)
def test_extract_exits_2_without_a_good_date(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], args: list[str], message: str
) -> None:
    undated = tmp_path / "undated.txt"
    undated.write_text("Fighting went on in Helmand the previous day, officials said.\n")
    code: object
    try:
        code = cli_main(["extract", str(undated), *args])
    except SystemExit as exited:  # argparse refuses a bad date
        code = exited.code
    assert code == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert message in captured.err


def test_extract_exits_2_for_a_file_it_cannot_read(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli_main(["extract", str(tmp_path / "missing.txt")]) == 2
    assert "missing.txt" in capsys.readouterr().err


# The migration.


def test_reports_migration_upgrades_and_downgrades(backend: Backend, tmp_path: Path) -> None:
    url = backend.new_database(seeded=False)
    try:
        settings = Settings(database_url=url, data_dir=tmp_path)
        command.downgrade(alembic_config(settings), "a41f0c9d3e62")
        engine = make_engine(settings)
        assert not {"report", "report_draft"} & set(sa.inspect(engine).get_table_names())
        migrate(settings)
        assert {"report", "report_draft"} <= set(sa.inspect(engine).get_table_names())
        engine.dispose()
    finally:
        backend.drop(url)
