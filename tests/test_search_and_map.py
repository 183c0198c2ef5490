"""q= full-text search, bbox=, and where records without coordinates go on the map."""

import os
import re
import sqlite3
from typing import Any

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient

from app.events import search
from tests.conftest import WRITE
from tests.payloads import displacement, offensive


def found(client: TestClient, query: str) -> list[int]:
    response = client.get(f"/v1/events?limit=1000&{query}")
    assert response.status_code == 200, response.text
    return [item["id"] for item in response.json()["items"]]


def create(client: TestClient, record: dict[str, Any]) -> dict[str, Any]:
    response = client.post("/v1/events", json=record, headers=WRITE)
    assert response.status_code == 201, response.text
    created: dict[str, Any] = response.json()
    return created


def test_search_finds_words_in_summary_location_and_quotes(client: TestClient) -> None:
    by_summary = create(client, offensive(summary="Insurgents overran the Zarghun checkpoint."))
    by_location = create(client, offensive(location="Qalai Zal bazaar"))
    by_quote = create(
        client,
        offensive(sources=[{"publisher": "Wire", "quote": "Mortars hit the Pashtunistan market"}]),
    )
    assert found(client, "q=zarghun") == [by_summary["id"]]
    assert found(client, "q=Qalai") == [by_location["id"]]
    assert found(client, "q=pashtunistan") == [by_quote["id"]]
    assert found(client, "q=PASHTUNISTAN%20market") == [by_quote["id"]]  # words ANDed
    assert found(client, "q=pashtunistan%20zarghun") == []


def test_search_phrases_prefixes_and_accents(client: TestClient) -> None:
    record = create(client, offensive(summary="Gunmen stormed the Café Shinwari compound."))
    assert found(client, 'q="shinwari compound"') == [record["id"]]
    assert found(client, 'q="compound shinwari"') == []
    assert found(client, "q=shinwa*") == [record["id"]]
    assert found(client, "q=shinwa") == []
    assert found(client, "q=cafe") == found(client, "q=caf%C3%A9")


def test_search_combines_with_the_other_filters(client: TestClient) -> None:
    kunduz = create(client, offensive(summary="Heavy shelling near Chahar Dara."))
    takhar = create(client, offensive(province="Takhar", summary="Heavy shelling in Taloqan."))
    assert set(found(client, "q=shelling")) >= {kunduz["id"], takhar["id"]}
    assert found(client, "q=shelling&province=Takhar") == [takhar["id"]]
    assert found(client, "q=shelling&date_from=2022-01-01") == []


def test_search_finds_seed_records_by_their_quotes(client: TestClient) -> None:
    hits = client.get('/v1/events?q="forced to flee"').json()["items"]
    assert hits, "the seed displacement quotes 'forced to flee'"
    for item in hits:
        text = " ".join([item["summary"], *(s.get("quote") or "" for s in item["sources"])])
        assert "forced to flee" in text.lower()


@pytest.mark.parametrize("q", ["NEAR(", "a OR b", "title:x", "-x", "x AND", "^x", "x:*", "a\\b"])
def test_search_syntax_of_either_backend_is_never_passed_through(
    client: TestClient, q: str
) -> None:
    response = client.get("/v1/events", params={"q": q})
    assert response.status_code == 200, response.text


@pytest.mark.parametrize("q", ['"', "(((", "'", "*"])
def test_a_search_with_no_word_is_refused_naming_q(client: TestClient, q: str) -> None:
    response = client.get("/v1/events", params={"q": q})
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["errors"][0]["name"] == "q"


def test_bbox_selects_by_coordinates_or_province_centroid(client: TestClient) -> None:
    placed = create(client, offensive(province="Kunduz", latitude=36.73, longitude=68.86))
    unplaced = create(client, offensive(province="Helmand"))
    assert unplaced["geo_source"] == "gazetteer"
    assert unplaced["geo_precision"] == "province"
    assert 29 < unplaced["latitude"] < 33
    assert 62 < unplaced["longitude"] < 66
    assert (placed["geo_source"], placed["latitude"]) == ("record", 36.73)
    helmand_box = found(client, "bbox=62,29,66,33")
    assert unplaced["id"] in helmand_box
    assert placed["id"] not in helmand_box
    kunduz_box = found(client, "bbox=68.8,36.7,68.9,36.8")
    assert placed["id"] in kunduz_box
    assert unplaced["id"] not in kunduz_box


def test_patch_does_not_turn_a_centroid_into_given_coordinates(client: TestClient) -> None:
    created = create(client, offensive(province="Helmand"))
    response = client.patch(
        f"/v1/events/{created['id']}",
        json={"province": "Kunduz"},
        headers=WRITE | {"If-Match": '"1"', "Content-Type": "application/merge-patch+json"},
    )
    assert response.status_code == 200, response.text
    moved = response.json()
    assert moved["geo_source"] == "gazetteer"
    assert 36 < moved["latitude"] < 37.5  # Kunduz's centroid, not Helmand's


@pytest.mark.parametrize(
    "bbox", ["1,2,3", "a,b,c,d", "10,10,5,20", "0,0,200,10", "0,-95,10,10", "nan,0,1,1", ""]
)
def test_bad_bbox_is_a_422_naming_it(client: TestClient, bbox: str) -> None:
    response = client.get("/v1/events", params={"bbox": bbox})
    assert response.status_code == 422
    assert response.json()["errors"][0]["name"] == "bbox"


def test_displacement_places_are_searchable(client: TestClient) -> None:
    record = create(
        client, displacement(destination={"province": "Takhar", "location": "Khwaja Ghar camp"})
    )
    assert found(client, 'q="khwaja ghar"') == [record["id"]]


def test_common_and_rare_searches_find_the_same_records(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    for n in range(4):
        create(client, offensive(province="Takhar", summary=f"Rocket attack number {n}."))
    create(client, offensive(province="Kunduz", summary="Rocket attack on the airport."))
    queries = [
        "q=rocket",
        "q=rocket&province=Takhar",
        "q=rocket%20airport",
        "q=rock*&kind=offensive",
    ]
    create(client, offensive(province="Kunduz", summary="ROCKETS hit the Şahrak Café, Kunduz."))
    queries += ["q=cafe", "q=ROCKETS", "q=sahrak", "q=%C5%9Eahrak", "q=caf%C3%A9", "q=rocke*"]
    rare = {query: found(client, query) for query in queries}
    monkeypatch.setattr(search, "COMMON", 2)  # now each is checked record by record (SQLite)
    assert {query: found(client, query) for query in queries} == rare
    assert len(rare["q=rocket"]) == 5
    assert len(rare["q=rocket&province=Takhar"]) == 4
    assert len(rare["q=rocke*"]) == 6
    assert rare["q=cafe"] == rare["q=ROCKETS"] == rare["q=sahrak"] == rare["q=%C5%9Eahrak"]
    assert len(rare["q=cafe"]) == 1


@pytest.mark.skipif(
    os.environ.get("CE_TEST_BACKEND", "sqlite") != "sqlite", reason="SQLite's tokenizer"
)
def test_no_character_folds_to_an_ascii_letter_that_sqlite_lower_misses(
    database_url: str,
) -> None:
    # What lets a common word's search check lower(search_text) before the index
    # (app.events.search._contains): every code point, as a search text holds it, that the
    # index's tokenizer folds into ASCII letters is ASCII already, which lower() folds too.
    with sqlite3.connect(sa.make_url(database_url).database or "") as stored:
        (ddl,) = stored.execute("SELECT sql FROM sqlite_master WHERE name = 'event_fts'").fetchone()
    tokenizer = re.search(r"tokenize\s*=\s*'([^']*)'", ddl)
    assert tokenizer is not None
    memory = sqlite3.connect(":memory:")
    memory.execute(f"CREATE VIRTUAL TABLE f USING fts5(t, tokenize='{tokenizer.group(1)}')")
    memory.execute("CREATE VIRTUAL TABLE v USING fts5vocab(f, 'instance')")
    texts = {}
    for point in range(0x80, 0x30000):
        if not 0xD800 <= point < 0xE000:
            text = search.unaccented(chr(point))
            if not text.isascii():
                texts[point] = text
    memory.executemany("INSERT INTO f(rowid, t) VALUES (?, ?)", texts.items())
    lowered = dict(memory.execute("SELECT rowid, lower(t) FROM f"))
    missed = [
        (hex(point), term)
        for term, point in memory.execute("SELECT term, doc FROM v")
        if any(c.isascii() and c not in lowered[point] for c in term)
    ]
    assert len(texts) > 100_000
    assert missed == []
