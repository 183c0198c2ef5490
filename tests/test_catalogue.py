"""GET /v1/provinces, /v1/actors and /healthz."""

from fastapi.testclient import TestClient

from tests.conftest import WRITE
from tests.payloads import displacement, offensive


def event_count(client: TestClient, query: str) -> int:
    return len(client.get(f"/v1/events?limit=1000&{query}").json()["items"])


def test_list_provinces_gives_the_gazetteer(client: TestClient) -> None:
    response = client.get("/v1/provinces?country=AFG")
    assert response.status_code == 200
    provinces = {p["pcode"]: p for p in response.json()["items"]}
    assert len(provinces) == 34
    helmand = provinces["AF30"]
    assert helmand["name"] == "Helmand"
    assert helmand["iso_3166_2"] == "AF-HEL"
    assert {"name": "Hilmand", "source": "ocha"} in helmand["aliases"]
    assert 30.5 < helmand["centroid"]["latitude"] < 32.5
    assert 63 < helmand["centroid"]["longitude"] < 65.5
    assert provinces["AF11"]["name"] == "Ghazni"
    assert {"name": "Ghanzi", "source": "geoboundaries"} in provinces["AF11"]["aliases"]
    assert all(p["centroid"] for p in provinces.values())


def test_list_provinces_counts_match_the_province_filter(client: TestClient) -> None:
    client.post("/v1/events", json=displacement(), headers=WRITE)
    client.post(
        "/v1/events",
        json=offensive(country="BGD", province="Dhaka Division", actors=[]),
        headers=WRITE,
    )
    for province in client.get("/v1/provinces").json()["items"]:
        if province["pcode"] in ("AF30", "AF18", "AF19", "AF11"):
            assert province["event_count"] == event_count(client, f"province={province['pcode']}")
    foreign = client.get("/v1/provinces?country=BGD").json()["items"]
    counted = {p["name"]: p["event_count"] for p in foreign}
    assert counted["Dhaka"] == 1 == event_count(client, "province=Dhaka Division")
    assert len(counted) == 8  # Bangladesh's eight divisions
    assert sum(counted.values()) == 1


def test_list_actors_gives_aliases_and_counts(client: TestClient) -> None:
    response = client.get("/v1/actors")
    assert response.status_code == 200
    actors = {a["name"]: a for a in response.json()["items"]}
    taliban = actors["Taliban"]
    assert {"name": "Taleban", "source": "ucdp"} in taliban["aliases"]
    assert taliban["event_count"] == event_count(client, "actor=Taliban")
    assert actors["Islamic State Khorasan Province"]["event_count"] == 0


def test_list_actors_search_and_pages(client: TestClient) -> None:
    found = client.get("/v1/actors?q=taleban").json()["items"]
    assert [a["name"] for a in found] == ["Taliban"]
    names = []
    url = "/v1/actors?limit=3"
    while url:
        response = client.get(url)
        names += [a["name"] for a in response.json()["items"]]
        url = response.headers.get("link", "").split(">")[0].lstrip("<")
    everything = [a["name"] for a in client.get("/v1/actors?limit=1000").json()["items"]]
    assert names == everything
    assert len(everything) == len(set(everything)) >= 8


def test_healthz_reports_the_database(client: TestClient) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["status"] == "ok"
    assert response.json()["database"] in ("sqlite", "postgresql")
