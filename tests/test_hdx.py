"""HDX ready: the CSV's HXL hashtags pass libhxl's own validation, and
/v1/events.datapackage.json describes the CSV export so that `frictionless validate` loads every
row of it from a real server and finds it valid."""

import csv
import io
import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import frictionless
import httpx
import hxl
from fastapi.testclient import TestClient

from app.exports import attribution, datapackage
from app.exports.columns import COLUMNS
from tests.conftest import WRITE, LiveServer
from tests.payloads import offensive

BIN = Path(sys.executable).parent  # the virtual environment's scripts


def _hxl(text: str) -> Any:
    return hxl.data(io.BytesIO(text.encode()))


def test_hxl_csv_passes_libhxls_default_schema(client: TestClient) -> None:
    response = client.get("/v1/events.csv?hxl=true")
    assert response.status_code == 200
    report = hxl.validate(_hxl(response.text))  # libhxl's built-in schema
    issues = [(i["description"], i["tag_pattern"]) for i in report["issues"]]
    assert report["is_valid"], issues
    assert report["stats"]["error"] == 0, issues


def test_libhxl_reads_the_hashtag_row(client: TestClient) -> None:
    text = client.get("/v1/events.csv?hxl=true").text
    dataset = _hxl(text)
    tags = dict(zip(next(csv.reader(io.StringIO(text))), dataset.display_tags, strict=True))
    assert tags["date"] == "#date+occurred"
    assert tags["province"] == "#adm1+name"
    assert tags["province_pcode"] == "#adm1+code"
    assert tags["district"] == "#adm2+name"
    assert tags["latitude"] == "#geo+lat"
    assert tags["fatalities"] == "#affected+killed"
    assert tags["families"] == "#affected+displaced+hh"
    assert tags["needs"] == "#item+needs"
    assert tags["date_precision"] == "#meta+date+precision"
    # A tool asking for #affected+killed gets numbers only; every column is tagged.
    killed = [
        c.header for c in dataset.columns if hxl.TagPattern.parse("#affected+killed").match(c)
    ]
    assert killed == ["fatalities", "fatalities_low", "fatalities_high"]
    assert len(dataset.columns) == len(COLUMNS)
    assert len(list(_hxl(text))) == len(client.get("/v1/events?limit=1000").json()["items"])


def test_datapackage_fields_are_the_csv_header(client: TestClient) -> None:
    response = client.get("/v1/events.datapackage.json?province=Helmand&kind=offensive")
    assert response.status_code == 200, response.text
    package = response.json()
    [resource] = package["resources"]
    assert resource["path"] == ("http://testserver/v1/events.csv?province=Helmand&kind=offensive")
    assert (resource["format"], resource["mediatype"], resource["encoding"]) == (
        "csv",
        "text/csv",
        "utf-8",
    )
    schema = resource["schema"]
    header = next(csv.reader(io.StringIO(client.get(resource["path"]).text)))
    assert [f["name"] for f in schema["fields"]] == header
    assert schema["missingValues"] == [""]
    types = {f["name"]: f["type"] for f in schema["fields"]}
    assert types["id"] == "integer"
    assert types["date"] == "date"
    assert types["latitude"] == "number"
    assert types["fatalities"] == "integer"
    assert types["created_at"] == "datetime"
    assert types["summary"] == "string"
    assert all(f["description"] for f in schema["fields"])
    licences = [licence.get("name") for licence in package["licenses"]]
    assert "CC-BY-3.0-IGO" in licences  # OCHA's p-codes, in every record
    assert len(package["sources"]) == len(package["licenses"])


def test_every_credit_has_a_licence_and_a_source() -> None:
    credits = {*attribution.ALWAYS, *attribution.BY_DATASET.values()}
    assert set(datapackage.LICENCES) == credits
    assert set(datapackage.HOMEPAGES) == credits


def test_datapackage_refuses_what_the_export_refuses(client: TestClient) -> None:
    for query in ("province=Helmnad", "hxl=true", "date_from=yesterday"):
        response = client.get(f"/v1/events.datapackage.json?{query}")
        assert response.status_code == 422, query


def test_imported_datasets_add_their_licence_and_source(client: TestClient) -> None:
    def licences() -> list[str]:
        package = client.get("/v1/events.datapackage.json").json()
        assert [s["title"] for s in package["sources"]] == client.get("/v1/events.csv").headers[
            "x-data-attribution"
        ].split(" | ")
        return [licence["title"] for licence in package["licenses"]]

    assert not any("UCDP" in title or "ACLED" in title for title in licences())
    for dataset in ("ucdp-ged", "acled"):
        record = offensive(dataset=dataset, external_id="1")
        assert client.post("/v1/events", json=record, headers=WRITE).status_code == 201
    titles = licences()
    assert any("UCDP" in title and "CC BY 4.0" in title for title in titles)
    assert any("ACLED" in title and "not an open licence" in title for title in titles)


def test_frictionless_validates_the_package_from_a_live_server(
    database_url: str, live_server: Callable[..., LiveServer]
) -> None:
    server = live_server(database_url)
    tricky = offensive(
        province="Helmand",
        latitude=-31.5,  # numbers are never prefixed with '
        longitude=64.36,
        summary="=HYPERLINK(1) -- a formula, written as text",
        location="-5",
        fatalities={"value": 7, "qualifier": "about", "low": 5, "high": 9, "claimed_by": "@x"},
        dataset="ucdp-ged",
        external_id="-1",
    )
    posted = httpx.post(f"{server.url}/v1/events", json=tricky, headers=WRITE)
    assert posted.status_code == 201, posted.text
    query = "province=Helmand"
    package = httpx.get(f"{server.url}/v1/events.datapackage.json?{query}").json()
    assert package["resources"][0]["path"] == f"{server.url}/v1/events.csv?{query}"
    report = frictionless.validate(package)
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])
    [task] = report.tasks
    expected = httpx.get(f"{server.url}/v1/events?{query}&limit=1000").json()["items"]
    assert tricky["summary"] in [item["summary"] for item in expected]
    assert task.stats["rows"] == len(expected)
    # The command line, given the package's URL, says the same.
    descriptor_url = f"{server.url}/v1/events.datapackage.json?{query}"
    run = subprocess.run(
        [BIN / "frictionless", "validate", "--json", descriptor_url],
        capture_output=True,
        check=False,
        timeout=120,
    )
    assert run.returncode == 0, run.stdout.decode() + run.stderr.decode()
    assert json.loads(run.stdout)["valid"]
    # And it does check the rows: text declared a number fails.
    fields = package["resources"][0]["schema"]["fields"]
    next(f for f in fields if f["name"] == "summary")["type"] = "number"
    assert not frictionless.validate(package).valid
