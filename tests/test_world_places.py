"""Every country's places: the worldwide gazetteer behind writes, filters, imports, stats and
the place lists."""

import csv
import json
import random
from collections import defaultdict
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from app.gazetteer import get_gazetteer
from app.gazetteer.shapes import province_at
from app.ops.cli import main
from tests.conftest import WRITE
from tests.payloads import offensive

UCDP = Path(__file__).parent / "fixtures" / "ucdp-ged-241-bgd-sample.csv"
GAZETTEER = get_gazetteer()


def by_country() -> dict[str, list[Any]]:
    found: dict[str, list[Any]] = defaultdict(list)
    for province in GAZETTEER.provinces.values():
        found[province.country].append(province)
    return found


def test_every_alias_of_a_sample_of_units_in_every_country_finds_its_unit() -> None:
    rng = random.Random(20)
    checked = 0
    for country, units in sorted(by_country().items()):
        for unit in rng.sample(units, min(3, len(units))):
            for alias in unit.aliases:
                found = GAZETTEER.find_provinces(alias.name, country=country)
                assert unit in found, (country, unit.id, alias)
                checked += 1
    assert checked > 500


def test_every_unit_s_name_iso_code_and_pcode_find_itself() -> None:
    for unit in GAZETTEER.provinces.values():
        assert unit in GAZETTEER.find_provinces(unit.name, country=unit.country), unit.id
        for code in (unit.iso_3166_2, unit.pcode):
            if code:
                assert GAZETTEER.find_provinces(code, country=None) == [unit], code


def test_every_district_s_pcode_and_name_find_itself_in_its_province() -> None:
    rng = random.Random(2)
    for district in rng.sample(list(GAZETTEER.districts.values()), 3000):
        assert GAZETTEER.find_districts(district.pcode, country=None) == [district]
        found = GAZETTEER.find_districts(district.name, province_pcode=district.province_pcode)
        assert district in found, district.pcode


@pytest.mark.parametrize(
    ("spelling", "country", "iso"),
    [
        ("Kharkiv Oblast", "UKR", "UA-63"),
        ("Kharkivska", "UKR", "UA-63"),
        ("UA63", "UKR", "UA-63"),
        ("ua-63", "UKR", "UA-63"),
        ("Харківська область", "UKR", "UA-63"),
        ("Barisāl Division", "BGD", "BD-A"),
        ("Barisal Division", "BGD", "BD-A"),
        ("Homs Governorate", "SYR", "SY-HI"),
        ("Donetsk oblast", "UKR", "UA-14"),
        ("Far North region", "CMR", "CM-EN"),
        ("Magway  region", "MMR", "MM-03"),
        ("Shan state", "MMR", "MM-17"),
        ("Paktya province", "AFG", "AF-PIA"),
        ("Hilmand province", "AFG", "AF-HEL"),
        ("Diyarbak\u0131r", "TUR", "TR-21"),  # dotless i
        ("Diyarbakir", "TUR", "TR-21"),
        ("Charkow", "UKR", "UA-63"),
        ("Nineveh", "IRQ", "IQ-NI"),
        ("Ninewa", "IRQ", "IQ-NI"),
        ("Galgaduud", "SOM", "SO-GA"),
        ("Extreme-Nord", "CMR", "CM-EN"),
        ("Taizz governorate", "YEM", "YE-TA"),
    ],
)
def test_a_spelling_in_a_gged_or_press_form_resolves_to_its_unit(
    spelling: str, country: str, iso: str
) -> None:
    found = GAZETTEER.find_provinces(spelling, country=country)
    assert [p.iso_3166_2 for p in found] == [iso]


@pytest.mark.parametrize(
    ("spelling", "country", "pcode"),
    [
        ("Gaza Strip", "PSE", "PS02"),
        ("Erbil governorate", "IRQ", "IQG11"),
        ("Arbil", "IRQ", "IQG11"),
        ("Ouham-Pendé prefecture", "CAF", "CF31"),
    ],
)
def test_a_unit_iso_does_not_list_resolves_to_its_pcode(
    spelling: str, country: str, pcode: str
) -> None:
    assert [p.pcode for p in GAZETTEER.find_provinces(spelling, country=country)] == [pcode]


def test_acled_s_nawa_i_barakzayi_is_found_in_helmand() -> None:
    (district,) = GAZETTEER.find_districts("Nawa-i-Barakzayi", country="AFG")
    assert district.pcode == "AF3003"


def post(client: TestClient, **changes: Any) -> Any:
    return client.post("/v1/events", json=offensive(**changes), headers=WRITE)


def test_a_write_in_ukraine_stores_the_canonical_name_its_codes_and_the_spelling_given(
    client: TestClient,
) -> None:
    response = post(client, country="UKR", province="Kharkiv Oblast")
    assert response.status_code == 201
    record = response.json()
    assert record["province"] == "Kharkivska"
    assert record["province_pcode"] == "UA63"
    assert record["province_iso_3166_2"] == "UA-63"
    assert record["province_as_given"] == "Kharkiv Oblast"


def test_a_pcode_written_as_the_province_is_resolved_not_stored_as_a_name(
    client: TestClient,
) -> None:
    record = post(client, country="UKR", province="UA63").json()
    assert (record["province"], record["province_pcode"]) == ("Kharkivska", "UA63")


def test_a_province_of_another_country_is_refused_naming_the_field(client: TestClient) -> None:
    response = post(client, country="UKR", province="Helmand")
    assert response.status_code == 422
    (error,) = response.json()["errors"]
    assert error["pointer"] == "/province"
    assert "AFG" in error["detail"]
    assert client.get("/v1/events?country=UKR").json()["items"] == []


def test_a_district_outside_its_province_is_refused_naming_the_field(client: TestClient) -> None:
    response = post(client, province="Kunduz", district="Lashkar Gah")
    assert response.status_code == 422
    (error,) = response.json()["errors"]
    assert error["pointer"] == "/district"
    assert "Helmand" in error["detail"]


def test_a_close_miss_suggests_names_of_that_country(client: TestClient) -> None:
    response = post(client, country="UKR", province="Kharkivskaa")
    assert response.status_code == 422
    assert "Kharkivska" in response.json()["errors"][0]["suggestions"]


def test_a_province_name_in_two_countries_needs_the_country(client: TestClient) -> None:
    response = client.get("/v1/events?province=Punjab")
    assert response.status_code == 422
    (error,) = response.json()["errors"]
    assert error["name"] == "province"
    assert "IND" in error["detail"]
    assert "PAK" in error["detail"]
    for code in error["suggestions"]:  # each choice's code finds one of them
        assert client.get("/v1/events", params={"province": code}).status_code == 200
    assert client.get("/v1/events?province=Punjab&country=PAK").status_code == 200


def test_a_filter_finds_records_by_any_spelling_of_a_foreign_unit(client: TestClient) -> None:
    created = post(client, country="UKR", province="Kharkivska").json()
    for spelling in ("Kharkiv Oblast", "UA-63", "UA63", "Харківська область"):
        items = client.get("/v1/events", params={"province": spelling}).json()["items"]
        assert [item["id"] for item in items] == [created["id"]], spelling


def test_stats_group_one_unit_under_one_name_whatever_the_spelling(client: TestClient) -> None:
    for spelling in ("Kharkiv Oblast", "Kharkivska", "UA-63"):
        assert post(client, country="UKR", province=spelling).status_code == 201
    groups = client.get("/v1/stats?group_by=province&country=UKR").json()["groups"]
    assert [(g["key"]["province"], g["key"]["province_pcode"]) for g in groups] == [
        ("Kharkivska", "UA63")
    ]
    assert groups[0]["events"] == 3


def test_provinces_and_districts_are_listed_for_any_country(client: TestClient) -> None:
    provinces = client.get("/v1/provinces?country=UKR").json()["items"]
    kharkiv = next(p for p in provinces if p["pcode"] == "UA63")
    assert kharkiv["iso_3166_2"] == "UA-63"
    assert kharkiv["centroid"] is not None
    assert "Kharkov" in {a["name"] for a in kharkiv["aliases"]}
    districts = client.get("/v1/districts?country=UKR&province=Kharkiv Oblast").json()["items"]
    assert districts
    assert {d["province_pcode"] for d in districts} == {"UA63"}
    assert all(d["valid_from"] for d in districts)


def test_shapes_serve_each_country_that_has_them_keyed_as_its_province_list(
    client: TestClient,
) -> None:
    response = client.get("/v1/provinces.geojson?country=UKR")
    assert response.status_code == 200
    features = response.json()["features"]
    listed = client.get("/v1/provinces?country=UKR").json()["items"]
    assert {f["id"] for f in features} == {p["pcode"] for p in listed}
    assert len(features) == 27
    assert any("Natural Earth" in credit for credit in response.json()["attribution"])
    kharkiv = next(f for f in features if f["id"] == "UA63")
    assert kharkiv["properties"]["name"] == "Kharkivska"
    assert kharkiv["properties"]["iso_3166_2"] == "UA-63"


def test_shapes_of_a_country_without_polygons_are_a_422_listing_those_with_them(
    client: TestClient,
) -> None:
    response = client.get("/v1/provinces.geojson?country=SDN")
    assert response.status_code == 422
    error = response.json()["errors"][0]
    assert "centroids" in error["detail"]
    assert {"AFG", "UKR", "SYR", "IRQ", "NGA"} <= set(error["suggestions"])


@pytest.mark.parametrize(
    ("country", "point", "pcode"),
    [
        ("UKR", (36.23, 49.99), "UA63"),  # Kharkiv
        ("SYR", (37.16, 36.20), "SY02"),  # Aleppo
        ("IRQ", (44.01, 36.19), "IQG11"),  # Erbil
        ("NGA", (13.15, 11.85), "NG008"),  # Maiduguri, Borno
    ],
)
def test_a_point_falls_in_its_unit_in_a_country_with_natural_earth_shapes(
    country: str, point: tuple[float, float], pcode: str
) -> None:
    found = province_at(*point, country)
    assert found is not None
    assert found.pcode == pcode


def test_every_unit_has_a_centroid_that_says_where_it_comes_from() -> None:
    sources = {"iso3166-2", "naturalearth", "curated", "country", "geoboundaries"}
    for unit in GAZETTEER.provinces.values():
        assert unit.centroid is not None, unit.id
        assert unit.centroid_source in sources, unit.id
        longitude, latitude = unit.centroid
        assert -180 <= longitude <= 180
        assert -90 <= latitude <= 90


def test_a_unit_with_shapes_has_its_centroid_inside_the_country_s_polygons() -> None:
    outside = []
    for country in ("UKR", "SYR", "IRQ", "NGA", "NER", "CMR"):
        for unit in GAZETTEER.in_country(country):
            assert unit.centroid is not None
            if province_at(*unit.centroid, country) is None:
                outside.append(unit.id)
    assert len(outside) <= 3, outside  # a coastal city's point may sit on the simplified shore


def ucdp_rows() -> list[dict[str, str]]:
    with UCDP.open(encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    return rows[1:]  # the HXL row


def test_the_ucdp_sample_resolves_at_least_98_percent_of_its_admin_1_names(
    cli: Path, client: TestClient, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["import", "--format", "ucdp", str(UCDP)]) == 0
    said = capsys.readouterr().out
    assert "provinces resolved by name" in said
    records = client.get("/v1/events?dataset=ucdp-ged&limit=1000").json()["items"]
    named = [r for r in records if r["province_as_given"]]
    coded = [r for r in named if r["province_iso_3166_2"] or r["province_pcode"]]
    assert len(named) == sum(1 for row in ucdp_rows() if row["adm_1"])
    assert len(coded) / len(named) >= 0.98


def test_an_import_keeps_a_place_the_gazetteer_lacks_and_lists_it_as_unresolved(
    cli: Path, client: TestClient, capsys: pytest.CaptureFixture[str]
) -> None:
    path = cli / "one.ndjson"
    record = offensive(country="UKR", province="Slobozhanshchyna Land")
    path.write_text(json.dumps(record) + "\n", encoding="utf-8")
    assert main(["import", str(path)]) == 0
    assert "unresolved 1" in capsys.readouterr().out
    (stored,) = client.get("/v1/events?country=UKR").json()["items"]
    assert stored["province"] == "Slobozhanshchyna Land"
    assert stored["province_pcode"] is None
    assert main(["places", "unresolved"]) == 0
    listed = capsys.readouterr().out
    assert "Slobozhanshchyna Land" in listed
    assert "UKR" in listed


def test_a_ukrainian_import_row_with_an_unknown_province_is_placed_by_its_coordinates(
    cli: Path, client: TestClient, capsys: pytest.CaptureFixture[str]
) -> None:
    path = cli / "one.ndjson"
    record = offensive(country="UKR", province="Slobozhanshchyna", latitude=49.99, longitude=36.23)
    path.write_text(json.dumps(record) + "\n", encoding="utf-8")
    assert main(["import", str(path)]) == 0
    assert "by coordinates 1" in capsys.readouterr().out
    (stored,) = client.get("/v1/events?country=UKR&province=Kharkiv").json()["items"]
    assert (stored["province"], stored["province_pcode"]) == ("Kharkivska", "UA63")
    assert stored["province_as_given"] == "Slobozhanshchyna"


def test_an_afghan_import_row_with_an_unknown_province_is_placed_by_its_coordinates(
    cli: Path, client: TestClient, capsys: pytest.CaptureFixture[str]
) -> None:
    path = cli / "one.ndjson"
    record = offensive(province="Nowhereland", latitude=31.58, longitude=64.36, date="2021-06-10")
    path.write_text(json.dumps(record) + "\n", encoding="utf-8")
    assert main(["import", str(path)]) == 0
    assert "by coordinates 1" in capsys.readouterr().out
    found = client.get("/v1/events?province=Helmand&date_from=2021-06-10").json()["items"]
    assert [(r["province"], r["province_as_given"]) for r in found] == [("Helmand", "Nowhereland")]
