"""Exports (CSV with HXL, GeoJSON, NDJSON), read back by the tools people use, from a real server;
field selection; conditional GETs and gzip for poor networks."""

import csv
import gzip
import io
import json
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import hxl
import pandas
import pytest
import shapely.geometry
from fastapi.testclient import TestClient

from app.main import create_app
from tests.conftest import READ_KEY, WRITE, LiveServer, make_settings
from tests.payloads import displacement, offensive


def all_items(client: TestClient | httpx.Client, query: str = "") -> list[dict[str, Any]]:
    response = client.get(f"/v1/events?limit=1000&{query}")
    assert response.status_code == 200, response.text
    items: list[dict[str, Any]] = response.json()["items"]
    return items


@pytest.fixture
def server(database_url: str, live_server: Callable[..., LiveServer]) -> Iterator[httpx.Client]:
    """A real server on the seeded database, with a few more records of every shape."""
    running = live_server(database_url)
    client = httpx.Client(base_url=running.url, timeout=30)
    records = [
        offensive(province="Helmand", latitude=31.58, longitude=64.36, geo_precision="near"),
        offensive(summary='Quotes "inside", commas, and a\nnew line.', fatalities=None),
        displacement(individuals={"value": 6000, "qualifier": "at_least"}),
    ]
    with client:
        for record in records:
            assert client.post("/v1/events", json=record, headers=WRITE).status_code == 201
        yield client


def test_csv_export_reads_back_in_pythons_csv_module_and_pandas(server: httpx.Client) -> None:
    expected = all_items(server)
    response = server.get("/v1/events.csv")
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/csv; charset=utf-8"
    assert "UN OCHA" in response.headers["x-data-attribution"]
    assert "geoBoundaries" in response.headers["x-data-attribution"]
    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert [int(r["id"]) for r in rows] == [i["id"] for i in expected]
    by_id = {int(r["id"]): r for r in rows}
    for item in expected:
        row = by_id[item["id"]]
        assert row["summary"] == item["summary"]  # quotes, commas and new lines survive
        assert row["province_pcode"] == (item["province_pcode"] or "")
        assert row["actors"] == "; ".join(a["name"] for a in item["actors"])
        if item.get("fatalities"):
            assert row["fatalities"] == str(item["fatalities"]["value"])
            assert row["fatalities_qualifier"] == item["fatalities"]["qualifier"]

    frame = pandas.read_csv(f"{server.base_url}/v1/events.csv")
    assert len(frame) == len(expected)
    assert frame["fatalities"].sum() == sum(
        i["fatalities"]["value"] for i in expected if i.get("fatalities")
    )
    assert str(frame["latitude"].dtype) == "float64"


def test_hxl_export_validates_against_a_schema_in_libhxl(server: httpx.Client) -> None:
    url = f"{server.base_url}/v1/events.csv?hxl=true"
    options = hxl.InputOptions(allow_local=True)
    errors: list[Any] = []
    schema = hxl.schema(
        [
            ["#valid_tag", "#valid_required", "#valid_datatype", "#valid_value+pattern"],
            ["#event+id", "true", "number", ""],
            ["#date+occurred", "true", "date", ""],
            ["#country+code", "true", "", "^[A-Z]{3}$"],
            ["#adm1+code", "", "", "^AF[0-9]{2}$"],
            ["#affected+killed", "", "number", ""],
            ["#affected+displaced+hh", "", "number", ""],
            ["#geo+lat", "", "number", ""],
            ["#geo+lon", "", "number", ""],
        ],
        callback=errors.append,
    )
    dataset = hxl.data(url, options)
    assert schema.validate(dataset), [e.message for e in errors]
    assert "#group+name" in dataset.display_tags
    assert len(list(hxl.data(url, options))) == len(all_items(server))
    # The schema does catch mistakes: p-codes are not numbers.
    strict = hxl.schema([["#valid_tag", "#valid_datatype"], ["#adm1+code", "number"]])
    assert not strict.validate(hxl.data(url, options))


def test_geojson_export_is_a_valid_feature_collection(server: httpx.Client) -> None:
    response = server.get("/v1/events.geojson?province=Helmand")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/geo+json"
    collection = response.json()
    assert collection["type"] == "FeatureCollection"
    assert any("geoBoundaries" in credit for credit in collection["attribution"])
    expected = all_items(server, "province=Helmand")
    assert [f["id"] for f in collection["features"]] == [i["id"] for i in expected]
    for feature in collection["features"]:
        assert feature["type"] == "Feature"
        point = shapely.geometry.shape(feature["geometry"])
        assert point.is_valid
        assert point.geom_type == "Point"
        assert 59 < point.x < 76  # Afghanistan, in (longitude, latitude) order
        assert 29 < point.y < 39
        assert feature["properties"]["province_pcode"] in ("AF30", "AF27", "AF19", "AF18")
    sources = {f["properties"]["geo_source"] for f in collection["features"]}
    assert sources == {"record", "gazetteer"}


def test_ndjson_export_is_the_records_one_per_line(server: httpx.Client) -> None:
    response = server.get("/v1/events.ndjson?kind=offensive")
    assert response.headers["content-type"] == "application/x-ndjson"
    lines = [json.loads(line) for line in response.text.splitlines()]
    assert lines == all_items(server, "kind=offensive")


def test_exports_stream_in_chunks(server: httpx.Client) -> None:
    with server.stream("GET", "/v1/events.csv") as response:
        assert response.headers.get("transfer-encoding") == "chunked"
        assert "content-length" not in response.headers
        first = next(response.iter_bytes())
        assert first.startswith(b"id,kind,date")


def test_accept_header_and_fields_select_format_and_columns(client: TestClient) -> None:
    as_csv = client.get("/v1/events?province=Helmand", headers={"Accept": "text/csv"})
    assert as_csv.headers["content-type"] == "text/csv; charset=utf-8"
    rows = list(csv.DictReader(io.StringIO(as_csv.text)))
    assert [int(r["id"]) for r in rows] == [i["id"] for i in all_items(client, "province=Helmand")]

    some = client.get("/v1/events.csv?fields=id,date&fields=province_pcode&limit=2").text
    assert some.splitlines()[0] == "id,date,province_pcode"
    assert len(some.splitlines()) == 3
    page = client.get("/v1/events?fields=id,province&limit=2").json()
    assert [set(item) for item in page["items"]] == [{"id", "province"}] * 2
    assert page["next_cursor"]
    geo = client.get("/v1/events.geojson?fields=id,summary&limit=1").json()
    assert set(geo["features"][0]["properties"]) == {"id", "summary"}


@pytest.mark.parametrize(
    ("path", "query"),
    [
        ("/v1/events", "fields=id,colour"),
        ("/v1/events.csv", "fields=fatalites"),
        ("/v1/events.csv", "fields=,"),
        ("/v1/events.csv", "province=Atlantis"),
        ("/v1/events.geojson", "limit=0"),
        ("/v1/events.ndjson", "hxl=true"),
    ],
)
def test_bad_export_queries_are_422_before_any_row_is_sent(
    client: TestClient, path: str, query: str
) -> None:
    response = client.get(f"{path}?{query}")
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == "application/problem+json"


def test_ucdp_records_add_ucdp_attribution(client: TestClient) -> None:
    assert "UCDP" not in client.get("/v1/events.csv").headers["x-data-attribution"]
    record = offensive(dataset="ucdp-ged-24.1", external_id="12345")
    assert client.post("/v1/events", json=record, headers=WRITE).status_code == 201
    assert "UCDP" in client.get("/v1/events.csv").headers["x-data-attribution"]
    geo = client.get("/v1/events.geojson").json()
    assert any("UCDP" in credit for credit in geo["attribution"])


@pytest.mark.parametrize(
    "path", ["/v1/events?province=Helmand", "/v1/stats?group_by=province", "/v1/events.csv?hxl=1"]
)
def test_unchanged_reads_answer_304_and_a_write_changes_the_etag(
    client: TestClient, path: str
) -> None:
    first = client.get(path)
    etag = first.headers["etag"]
    assert etag.startswith('W/"')
    again = client.get(path, headers={"If-None-Match": etag})
    assert again.status_code == 304
    assert again.content == b""
    other = client.get(f"{path}&kind=offensive", headers={"If-None-Match": etag})
    assert other.status_code == 200  # another query, another ETag
    assert client.post("/v1/events", json=offensive(), headers=WRITE).status_code == 201
    after = client.get(path, headers={"If-None-Match": etag})
    assert after.status_code == 200
    assert after.headers["etag"] != etag


def test_304_needs_a_read_key_when_reads_need_one(database_url: str, tmp_path: Any) -> None:
    settings = make_settings(database_url, tmp_path, read_requires_key=True)
    with TestClient(create_app(settings)) as client:
        read = {"Authorization": f"Bearer {READ_KEY}"}
        etag = client.get("/v1/events", headers=read).headers["etag"]
        assert client.get("/v1/events", headers={"If-None-Match": etag}).status_code == 401
        cached = client.get("/v1/events", headers=read | {"If-None-Match": etag})
        assert cached.status_code == 304


def test_gzip_for_clients_that_accept_it(client: TestClient) -> None:
    plain = client.get("/v1/events.csv", headers={"Accept-Encoding": "identity"})
    assert "content-encoding" not in plain.headers
    packed = client.get("/v1/events.csv", headers={"Accept-Encoding": "gzip"})
    assert packed.headers["content-encoding"] == "gzip"
    assert packed.content == plain.content  # httpx decodes it
    raw = client.get("/v1/events?limit=100", headers={"Accept-Encoding": "gzip"})
    assert raw.headers["content-encoding"] == "gzip"
    assert int(raw.headers["content-length"]) < len(json.dumps(raw.json()))
    assert gzip.decompress(gzip.compress(raw.content)) == raw.content


def _csv_rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


def test_every_csv_column_alone_is_the_full_export_s_column(client: TestClient) -> None:
    from app.exports.columns import COLUMNS

    client.post("/v1/events", json=displacement(), headers=WRITE)  # origin, destination, needs
    full = _csv_rows(client.get("/v1/events.csv").text)
    assert len(full) > 10
    for column in COLUMNS:
        alone = _csv_rows(client.get(f"/v1/events.csv?fields={column.name}").text)
        assert [row[column.name] for row in alone] == [row[column.name] for row in full], column
    some = "id,initiators,fatalities_qualifier,destination_province,source_quotes"
    picked = _csv_rows(client.get(f"/v1/events.csv?fields={some}").text)
    assert picked == [{name: row[name] for name in some.split(",")} for row in full]


def test_ndjson_and_geojson_with_fields_are_the_full_exports_fields(client: TestClient) -> None:
    full = [json.loads(line) for line in client.get("/v1/events.ndjson").text.splitlines()]
    for fields in ("id,date", "actors,summary", "outcome,families,latitude,geo_source"):
        chosen = fields.split(",")
        some = client.get(f"/v1/events.ndjson?fields={fields}").text.splitlines()
        assert [json.loads(line) for line in some] == [
            {n: r[n] for n in chosen if n in r} for r in full
        ], fields
    geo_full = client.get("/v1/events.geojson").json()["features"]
    geo_some = client.get("/v1/events.geojson?fields=summary").json()["features"]
    assert [f["geometry"] for f in geo_some] == [f["geometry"] for f in geo_full]
    assert [f["properties"] for f in geo_some] == [
        {"summary": f["properties"]["summary"]} for f in geo_full
    ]
