"""The explorer page (issues 10 and 21): served by the app at / and /explore with everything it
loads, and driven in a real headless Chromium (Debian's) against `conflict-events serve`: with the
seed data (Afghanistan only: the page opens on it) the map, the timeline, the list, the record,
the keyboard and a phone's screen; with records in four countries the world map, a country with
province shapes (Ukraine) and one without (Sudan: circles), the layout with 50 events listed at
390, 1366 and 1920 px, and the page's weight; never a request leaving 127.0.0.1 or a console
error."""

import gzip
import os
import re
import shutil
import struct
import tomllib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from fastapi.testclient import TestClient
from playwright.sync_api import (
    Browser,
    ConsoleMessage,
    FloatRect,
    Page,
    Request,
    sync_playwright,
)
from shapely.geometry import MultiPolygon, Point, Polygon, shape

from app.core.types import COUNTRY_CODES
from app.explorer.routes import ASSETS
from app.gazetteer.shapes import SHAPES
from tests.conftest import REPO, WRITE, LiveServer, start_server
from tests.databases import Backend
from tests.payloads import offensive

CHROMIUM = os.environ.get("CE_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
ARTIFACTS = REPO / "tests" / "artifacts"
MAY_2021 = {"date_from": "2021-05-01", "date_to": "2021-05-31"}
AFG = {"country": ["AFG"]}  # the seed data's one country, which the page opens on
PNG = b"\x89PNG\r\n\x1a\n"
MB = 1_000_000


# ---------------------------------------------------------------- the endpoint and the files


def test_list_province_shapes_keys_every_polygon_by_pcode_and_name(client: TestClient) -> None:
    response = client.get("/v1/provinces.geojson")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/geo+json"
    assert "geoBoundaries.org" in response.headers["x-data-attribution"]
    collection = response.json()
    assert collection["type"] == "FeatureCollection"
    assert any("geoBoundaries.org" in credit for credit in collection["attribution"])
    provinces = {
        p["pcode"]: p
        for p in client.get("/v1/provinces", params={"country": "AFG"}).json()["items"]
    }
    features = {f["id"]: f for f in collection["features"]}
    assert set(features) == set(provinces)
    assert len(features) == 34
    for pcode, feature in features.items():
        province = provinces[pcode]
        assert feature["properties"] == {
            "pcode": pcode,
            "name": province["name"],
            "iso_3166_2": province["iso_3166_2"],
            "country": "AFG",
        }
        polygon = shape(feature["geometry"])
        assert polygon.is_valid, pcode
        centroid = province["centroid"]
        assert polygon.contains(Point(centroid["longitude"], centroid["latitude"])), pcode
    assert features["AF30"]["properties"]["name"] == "Helmand"


def test_list_province_shapes_is_documented_and_refuses_unknown_parameters(
    client: TestClient,
) -> None:
    operation = client.get("/openapi.json").json()["paths"]["/v1/provinces.geojson"]["get"]
    assert operation["tags"] == ["places"]
    example = operation["responses"]["200"]["content"]["application/geo+json"]["example"]
    assert example["features"][0]["properties"]["pcode"] == "AF30"
    refused = client.get("/v1/provinces.geojson", params={"county": "AFG"})
    assert refused.status_code == 422
    assert refused.json()["errors"][0]["name"] == "county"


@pytest.mark.parametrize("path", ["/", "/explore"])
def test_explorer_page_loads_only_its_own_files(client: TestClient, path: str) -> None:
    response = client.get(path, params=MAY_2021)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    assert "script-src 'self'" in response.headers["content-security-policy"]
    html = response.text
    assert not re.findall(r"""(?:https?:)?//[\w.-]+""", html)
    assert "<script>" not in html  # no inline code
    assert not re.search(r"\son[a-z]+=", html)
    assert "made with Natural Earth" in html
    assets = re.findall(r"""(?:src|href)="(/explorer/[^"]+)\"""", html)
    assert sorted(assets) == [
        "/explorer/explorer.css",
        "/explorer/explorer.js",
        "/explorer/icon.svg",
        "/explorer/world-atlas-LICENSE.txt",
    ]
    types = {".js": "text/javascript", ".css": "text/css", ".svg": "image/svg+xml"}
    types |= {".txt": "text/plain", ".json": "application/json"}
    for asset in [*assets, "/explorer/world.json"]:
        fetched = client.get(asset)
        assert fetched.status_code == 200, asset
        assert fetched.headers["content-type"].startswith(types[Path(asset).suffix]), asset
    script = client.get("/explorer/explorer.js").text
    assert set(re.findall(r"https?://[^\s\"'`]+", script)) == {"http://www.w3.org/2000/svg"}
    # The countries with province shapes: the page asks /v1/provinces.geojson for no other.
    [listed] = re.findall(r'<meta name="province-shapes" content="([A-Z,]+)">', html)
    assert listed.split(",") == sorted(SHAPES)
    assert {"AFG", "UKR", "SYR", "IRQ", "NGA"} <= set(listed.split(","))
    assert "SDN" not in listed.split(",")


def _polygons(world: dict[str, Any], code: str) -> MultiPolygon:
    """A country of world.json as shapely polygons: TopoJSON's arcs, delta-decoded."""
    (sx, sy), (tx, ty) = world["transform"]["scale"], world["transform"]["translate"]
    arcs = []
    for arc in world["arcs"]:
        x = y = 0
        points = []
        for dx, dy in arc:
            x, y = x + dx, y + dy
            points.append((x * sx + tx, y * sy + ty))
        arcs.append(points)

    def ring(indexes: list[int]) -> list[tuple[float, float]]:
        points: list[tuple[float, float]] = []
        for i in indexes:
            arc = arcs[i] if i >= 0 else arcs[~i][::-1]
            points += arc[1:] if points else arc
        return points

    [geometry] = [g for g in world["objects"]["countries"]["geometries"] if g.get("id") == code]
    parts = [geometry["arcs"]] if geometry["type"] == "Polygon" else geometry["arcs"]
    return MultiPolygon([Polygon(ring(p[0]), [ring(r) for r in p[1:]]) for p in parts])


def test_world_map_has_every_country_by_its_code_and_its_licence(client: TestClient) -> None:
    response = client.get("/explorer/world.json")
    assert response.status_code == 200
    world = response.json()
    assert world["type"] == "Topology"
    assert "Natural Earth" in world["source"]
    # A name for every code the API's `country` takes, mapped or not.
    assert set(world["names"]) == COUNTRY_CODES
    assert world["names"]["UKR"] == "Ukraine"
    assert world["names"]["COD"] == "DR Congo"
    codes = [g.get("id") for g in world["objects"]["countries"]["geometries"]]
    keyed = [code for code in codes if code]
    assert len(keyed) == len(set(keyed)) >= 230  # one shape a country
    assert {"AFG", "UKR", "SDN", "MMR", "XKX", "SGP", "TON"} <= set(keyed) <= COUNTRY_CODES
    assert "ATA" not in keyed
    for code, (lon, lat) in {
        "UKR": (30.52, 50.45),  # Kyiv
        "SDN": (32.53, 15.5),  # Khartoum
        "AFG": (69.17, 34.53),  # Kabul
        "NGA": (7.49, 9.06),  # Abuja
    }.items():
        assert _polygons(world, code).contains(Point(lon, lat)), code
    assert not _polygons(world, "UKR").contains(Point(32.53, 15.5))
    assert len(gzip.compress(response.content)) < 200_000
    # Served again only when changed.
    etag = response.headers["etag"]
    again = client.get("/explorer/world.json", headers={"If-None-Match": etag})
    assert again.status_code == 304
    assert again.content == b""
    licence = client.get("/explorer/world-atlas-LICENSE.txt")
    assert licence.headers["content-type"].startswith("text/plain")
    assert "Copyright 2013-2019 Michael Bostock" in licence.text
    assert "Natural Earth" in licence.text


def test_explorer_serves_no_other_file(client: TestClient) -> None:
    for name in ["index.html", "routes.py", "build_world.py", "..%2Froutes.py", "missing.js"]:
        response = client.get(f"/explorer/{name}")
        assert response.status_code == 404, name
        assert response.headers["content-type"] == "application/problem+json"


def test_explorer_files_are_package_data() -> None:
    """A non-editable install (a wheel, the Docker image) carries every file of the page."""
    with (REPO / "pyproject.toml").open("rb") as f:
        patterns = tomllib.load(f)["tool"]["setuptools"]["package-data"]["app.explorer"]
    package = REPO / "app" / "explorer"
    files = {p.relative_to(package) for p in (package / "static").rglob("*") if p.is_file()}
    assert {Path("static", name) for name in ["index.html", *ASSETS]} <= files
    unpackaged = [f for f in files if not any(f.match(pattern) for pattern in patterns)]
    assert not unpackaged, f"add them to [tool.setuptools.package-data]: {unpackaged}"


# ---------------------------------------------------------------- in a real browser


class Explorer:
    """One browser tab on the explorer, keeping every request and console error it saw."""

    def __init__(self, page: Page, server: LiveServer) -> None:
        self.page, self.server = page, server
        self.requests: list[str] = []
        self.finished: list[Request] = []
        self.console_errors: list[str] = []
        page.on("request", self._requested)
        page.on("requestfinished", self._finished)
        page.on("console", self._logged)
        page.on("pageerror", lambda error: self.console_errors.append(f"uncaught: {error}"))

    def _requested(self, request: Request) -> None:
        self.requests.append(request.url)

    def _finished(self, request: Request) -> None:
        self.finished.append(request)

    def _logged(self, message: ConsoleMessage) -> None:
        if message.type in ("error", "warning", "assert"):
            self.console_errors.append(f"{message.type}: {message.text}")

    def open(self, params: dict[str, str] | None = None, path: str = "/explore") -> None:
        query = httpx.QueryParams(params or {})
        self.page.goto(f"{self.server.url}{path}{'?' if query else ''}{query}")
        self.page.wait_for_function("() => document.body.dataset.loaded >= 1")
        self.wait_idle()

    def loads(self) -> int:
        return int(self.page.evaluate("Number(document.body.dataset.loaded || 0)"))

    def wait_idle(self) -> None:
        self.page.wait_for_function("() => !document.body.hasAttribute('aria-busy')")

    def after(self, action: Callable[[], Any]) -> None:
        """Do something that changes the filters, and wait for every view to be redrawn."""
        before = self.loads()
        action()
        self.page.wait_for_function("n => Number(document.body.dataset.loaded) > n", arg=before)
        self.wait_idle()

    def query(self) -> dict[str, list[str]]:
        return parse_qs(urlsplit(self.page.url).query)

    def listed(self) -> list[int]:
        ids = self.page.locator("#events button.event").evaluate_all(
            "buttons => buttons.map(b => b.dataset.id)"
        )
        return [int(i) for i in ids]

    def api_ids(self, **params: str) -> list[int]:
        page = httpx.get(f"{self.server.url}/v1/events", params=params | {"limit": "1000"})
        return [item["id"] for item in page.json()["items"]]

    def province_values(self) -> dict[str, int]:
        values = self.page.locator("#map path.province").evaluate_all(
            "paths => paths.map(p => [p.dataset.pcode, p.dataset.value])"
        )
        return {pcode: int(value) for pcode, value in values}

    def country_values(self) -> dict[str, int]:
        values = self.page.locator("#map path.country").evaluate_all(
            "paths => paths.map(p => [p.dataset.code, p.dataset.value])"
        )
        return {code: int(value) for code, value in values}

    def stats(self, **params: str) -> dict[str, Any]:
        answer: dict[str, Any] = httpx.get(f"{self.server.url}/v1/stats", params=params).json()
        return answer

    def tab_to(self, selector: str, limit: int = 80) -> None:
        for _ in range(limit):
            self.page.keyboard.press("Tab")
            if self.page.evaluate(f"document.activeElement.matches({selector!r})"):
                return
        pytest.fail(f"Tab never reached {selector}")

    def box(self, selector: str) -> FloatRect:
        found = self.page.locator(selector).bounding_box()
        assert found is not None, selector
        return found

    def weight(self) -> int:
        """Bytes the page received so far, as sent (gzipped), bodies and headers."""
        sizes = [r.sizes() for r in self.finished]
        return sum(s["responseBodySize"] + s["responseHeadersSize"] for s in sizes)

    def screenshot(self, name: str) -> Path:
        ARTIFACTS.mkdir(exist_ok=True)
        path = ARTIFACTS / name
        self.page.screenshot(path=str(path), full_page=True)
        print(f"explorer screenshot: {path}")  # noqa: T201 (for a person to look at)
        return path

    def assert_offline_and_quiet(self, *, expected_errors: str | None = None) -> None:
        assert self.requests, "the page made no request"
        outside = [u for u in self.requests if urlsplit(u).hostname != "127.0.0.1"]
        assert not outside, f"requests left 127.0.0.1: {outside}"
        errors = [
            e
            for e in self.console_errors
            if not (expected_errors and re.search(expected_errors, e))
        ]
        assert not errors, errors


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    if not Path(CHROMIUM).is_file():
        pytest.fail(
            f"No Chromium at {CHROMIUM}: the explorer's tests drive Debian's chromium package "
            "(apt-get install chromium; .ci/test installs it), or set CE_CHROMIUM to a binary."
        )
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM)
        yield launched
        launched.close()


@pytest.fixture(scope="module")
def seeded_server(
    backend: Backend, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[LiveServer]:
    """One server for the tests that only read: the page never writes, and starting
    `conflict-events serve` costs seconds."""
    url = backend.new_database(seeded=True)
    server = start_server(url, tmp_path_factory.mktemp("explorer"))
    yield server
    server.stop()
    backend.drop(url)


@contextmanager
def opened(browser: Browser, server: LiveServer) -> Iterator[Explorer]:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    # Anything not for this server is refused, after the request event has recorded it.
    context.route(
        re.compile(r"^(?!http://127\.0\.0\.1[:/])"), lambda route: route.abort("blockedbyclient")
    )
    page = context.new_page()
    page.set_default_timeout(10_000)
    try:
        yield Explorer(page, server)
    finally:
        context.close()


@pytest.fixture
def explorer(browser: Browser, seeded_server: LiveServer) -> Iterator[Explorer]:
    with opened(browser, seeded_server) as tab:
        yield tab


def test_explorer_colours_helmand_highest_in_may_2021_and_a_click_filters_the_list(
    explorer: Explorer,
) -> None:
    page = explorer.page
    explorer.open(MAY_2021)
    # The records are all in Afghanistan: the page opens on it, and says so in the URL.
    assert explorer.query() == {"date_from": ["2021-05-01"], "date_to": ["2021-05-31"]} | AFG
    assert page.locator("#map-title").inner_text() == "Afghanistan"
    assert page.locator("#map").get_attribute("data-view") == "shapes"
    helmand = page.locator("#province-AF30")
    values = explorer.province_values()
    assert len(values) == 34
    assert helmand.get_attribute("data-class") == "5"
    assert values["AF30"] > max(v for pcode, v in values.items() if pcode != "AF30")
    stats = httpx.get(
        f"{explorer.server.url}/v1/stats", params=MAY_2021 | {"group_by": "province"}
    ).json()
    by_pcode = {g["key"]["province_pcode"]: g["events"] for g in stats["groups"]}
    assert values["AF30"] == by_pcode["AF30"]
    assert {p for p, v in values.items() if v} == {p for p in by_pcode if p}
    assert page.locator("#legend").inner_text().startswith("Colour: events per province")
    assert "geoBoundaries.org" in page.locator(".attribution").inner_text()
    everything = explorer.api_ids(**MAY_2021)
    assert explorer.listed() == everything
    summary = page.locator("#summary").inner_text()
    assert summary.startswith(f"{len(everything)} events in Afghanistan · ")
    explorer.screenshot("explorer.png")

    helmand.hover()
    assert page.locator("#map-info").inner_text() == f"Helmand: {values['AF30']} events"
    explorer.after(helmand.click)
    assert explorer.query() == {"date_from": ["2021-05-01"], "date_to": ["2021-05-31"]} | AFG | {
        "province": ["Helmand"]
    }
    assert helmand.get_attribute("aria-pressed") == "true"
    assert page.locator("#f-province").input_value() == "Helmand"
    in_helmand = explorer.api_ids(**MAY_2021, province="Helmand")
    assert explorer.listed() == in_helmand
    assert 0 < len(in_helmand) < len(everything)
    # The colours keep every other province, so another can be picked; a second click clears.
    assert explorer.province_values() == values
    explorer.after(helmand.click)
    assert "province" not in explorer.query()
    assert explorer.listed() == everything
    explorer.assert_offline_and_quiet()


def test_explorer_reproduces_a_shared_url(explorer: Explorer) -> None:
    explorer.open(MAY_2021 | {"province": "hilmand", "kind": "offensive", "metric": "fatalities"})
    page = explorer.page
    assert explorer.query()["province"] == ["Helmand"]  # read as its canonical name
    assert page.locator("#f-kind").input_value() == "offensive"
    assert page.locator("#f-date-from").input_value() == "2021-05-01"
    assert explorer.listed() == explorer.api_ids(**MAY_2021, province="Helmand", kind="offensive")
    assert page.locator("#province-AF30").get_attribute("data-value") == "100"
    assert "killed" in (page.locator("#province-AF30").get_attribute("aria-label") or "")
    explorer.after(lambda: page.select_option("#f-kind", "displacement"))
    assert explorer.query()["kind"] == ["displacement"]
    assert explorer.listed() == explorer.api_ids(
        **MAY_2021, province="Helmand", kind="displacement"
    )
    explorer.after(page.go_back)  # the filters are history entries
    assert explorer.query()["kind"] == ["offensive"]
    assert page.locator("#f-kind").input_value() == "offensive"
    explorer.assert_offline_and_quiet()


def test_explorer_works_from_the_keyboard(explorer: Explorer) -> None:
    page = explorer.page
    explorer.open(MAY_2021)
    tab_to = explorer.tab_to

    tab_to('path.province[data-name="Ghazni"]')
    assert page.locator("#map-info").inner_text() == "Ghazni: 1 event"
    explorer.after(lambda: page.keyboard.press("Enter"))
    assert explorer.query()["province"] == ["Ghazni"]
    assert explorer.listed() == explorer.api_ids(**MAY_2021, province="Ghazni")

    tab_to("#events button.event")
    page.keyboard.press("Enter")
    dialog = page.locator("#event-dialog")
    dialog.wait_for(state="visible")
    assert page.evaluate("document.activeElement.id") == "close-event"
    assert "Ghazni" in page.locator("#event-title").inner_text()
    page.keyboard.press("Escape")
    dialog.wait_for(state="hidden")
    assert page.evaluate("document.activeElement.matches('#events button.event')")
    page.wait_for_function("() => !location.search.includes('event=')")
    explorer.assert_offline_and_quiet()


def test_explorer_opens_a_record_with_its_claims_and_sources(explorer: Explorer) -> None:
    page = explorer.page
    explorer.open(MAY_2021 | {"q": "checkpoints"})
    [offensive_id] = explorer.api_ids(**MAY_2021, q="checkpoints", kind="offensive")
    item = page.locator(f'#events button.event[data-id="{offensive_id}"]')
    assert "Killed: more than 100, per Afghan Defense Ministry" in item.inner_text()
    item.click()
    dialog = page.locator("#event-dialog")
    dialog.wait_for(state="visible")
    text = dialog.inner_text()
    assert "more than 100, per Afghan Defense Ministry" in text
    quotes = page.locator("#event-dialog blockquote").all_inner_texts()
    said = "The Afghan Defense Ministry said more than 100 Taliban fighters had been killed"
    assert any(quote.startswith(said) for quote in quotes), quotes
    assert "Taliban (initiator)" in text
    page.wait_for_function("id => location.search.includes(`event=${id}`)", arg=offensive_id)
    shared = page.url
    page.keyboard.press("Escape")
    dialog.wait_for(state="hidden")

    page.goto(shared)  # a shared link to a record opens it
    dialog.wait_for(state="visible")
    assert "more than 100, per Afghan Defense Ministry" in dialog.inner_text()
    displaced = explorer.api_ids(kind="displacement", province="Helmand")[0]
    page.keyboard.press("Escape")
    page.goto(f"{explorer.server.url}/?event={displaced}")
    dialog.wait_for(state="visible")
    assert "about 1,000, per Helmand provincial director for refugees" in dialog.inner_text()
    explorer.assert_offline_and_quiet()


def test_explorer_timeline_picks_dates_by_dragging_and_by_keys(explorer: Explorer) -> None:
    page = explorer.page
    explorer.open()
    bars = page.locator("#timeline .bar")
    starts = bars.evaluate_all("bars => bars.map(b => b.dataset.start)")
    assert len(starts) == 17
    assert (starts[0], starts[-1]) == ("2020-01-01", "2021-05-01")
    monthly = httpx.get(f"{explorer.server.url}/v1/stats", params={"group_by": "month"}).json()
    drawn = dict(
        zip(starts, bars.evaluate_all("bars => bars.map(b => +b.dataset.value)"), strict=True)
    )
    assert {g["key"]["month"] + "-01": g["events"] for g in monthly["groups"]} == {
        start: value for start, value in drawn.items() if value
    }

    def centre(start: str) -> tuple[float, float]:
        index = starts.index(start)
        box = page.locator(f'#timeline .hit[data-index="{index}"]').bounding_box()
        assert box is not None
        return box["x"] + box["width"] / 2, box["y"] + box["height"] / 2

    def drag() -> None:
        page.locator("#timeline").scroll_into_view_if_needed()
        page.mouse.move(*centre("2021-01-01"))
        page.mouse.down()
        page.mouse.move(*centre("2021-03-01"), steps=4)
        page.mouse.move(*centre("2021-04-01"), steps=4)
        page.mouse.up()

    explorer.after(drag)
    assert explorer.query() == {"date_from": ["2021-01-01"], "date_to": ["2021-04-30"]} | AFG
    assert page.locator("#f-date-to").input_value() == "2021-04-30"
    assert page.locator("#timeline .bar.in-range").count() == 4
    assert page.locator("#range-text").inner_text() == "From 1 Jan 2021 to 30 Apr 2021"
    assert explorer.listed() == explorer.api_ids(date_from="2021-01-01", date_to="2021-04-30")

    # The keyboard: the range's first bar is the timeline's one tab stop.
    page.locator('#timeline .bar[tabindex="0"]').focus()
    for _ in range(4):
        page.keyboard.press("ArrowRight")
    assert page.evaluate("document.activeElement.getAttribute('aria-label')").startswith(
        "May 2021: "
    )
    explorer.after(lambda: page.keyboard.press("Enter"))
    assert explorer.query() == {"date_from": ["2021-05-01"], "date_to": ["2021-05-31"]} | AFG
    assert explorer.listed() == explorer.api_ids(**MAY_2021)
    assert page.evaluate("document.activeElement.dataset.start") == "2021-05-01"
    page.keyboard.press("ArrowLeft")
    explorer.after(lambda: page.keyboard.press("Shift+Enter"))  # extends the range
    assert explorer.query() == {"date_from": ["2021-04-01"], "date_to": ["2021-05-31"]} | AFG
    explorer.after(lambda: page.select_option("#f-period", "week"))
    weeks = bars.evaluate_all("bars => bars.map(b => b.dataset.start)")
    assert weeks[-2:] == ["2021-05-24", "2021-05-31"]  # stretched to the range
    assert all(page.evaluate(f"new Date('{w}T00:00:00Z').getUTCDay()") == 1 for w in weeks[-6:])
    assert explorer.query()["period"] == ["week"]
    explorer.after(lambda: page.click("#clear-dates"))
    assert "date_from" not in explorer.query()
    explorer.assert_offline_and_quiet()


def test_explorer_fits_a_phone_and_draws_located_events(
    browser: Browser, database_url: str, live_server: Callable[..., LiveServer]
) -> None:
    server = live_server(database_url)  # its own: this test writes
    located = offensive(date="2021-05-20", province="Kabul", latitude=34.53, longitude=69.17)
    created = httpx.post(f"{server.url}/v1/events", json=located, headers=WRITE)
    assert created.status_code == 201, created.text
    in_kunduz = [offensive(summary=f"Attack {n} on posts in Kunduz.") for n in range(30)]
    stored = httpx.post(f"{server.url}/v1/events/bulk", json=in_kunduz, headers=WRITE)
    assert stored.status_code == 200, stored.text
    with opened(browser, server) as explorer:
        _check_phone_and_points(explorer, created.json()["id"])
        explorer.open({"province": "Kunduz"})  # more than a page
        page = explorer.page
        assert len(explorer.listed()) == 25
        page.click("#more")
        page.wait_for_function("() => document.querySelectorAll('#events li').length > 25")
        assert explorer.listed() == explorer.api_ids(province="Kunduz")
        assert page.locator("#more").is_hidden()
        assert page.locator("#list-status").inner_text() == "30 of 30 shown, newest first."
        explorer.assert_offline_and_quiet()


def _check_phone_and_points(explorer: Explorer, located_id: int) -> None:
    page = explorer.page
    page.set_viewport_size({"width": 390, "height": 844})
    explorer.open(MAY_2021, path="/")
    points = page.locator("#map circle.point")
    assert points.count() == 1  # the seed records have no coordinates of their own
    assert points.first.get_attribute("data-id") == str(located_id)
    kabul = page.locator("#province-AF01").bounding_box()
    point = points.first.bounding_box()
    assert kabul is not None
    assert point is not None
    assert kabul["x"] <= point["x"] <= kabul["x"] + kabul["width"]
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    map_box = page.locator("#map").bounding_box()
    assert map_box is not None
    assert 300 <= map_box["width"] <= 390
    path = explorer.screenshot("explorer-phone.png")
    data = path.read_bytes()
    assert data.startswith(PNG)
    assert len(data) > 20_000
    width, height = struct.unpack(">II", data[16:24])
    assert width == 390
    assert height > 844
    desktop = ARTIFACTS / "explorer.png"
    assert desktop.read_bytes().startswith(PNG)
    explorer.assert_offline_and_quiet()


def test_explorer_shows_api_problems_readably(explorer: Explorer) -> None:
    explorer.open({"province": "Helmnad"})
    message = explorer.page.locator("#message")
    assert message.is_visible()
    text = message.inner_text()
    assert "Unknown province 'Helmnad'." in text
    assert "Did you mean Helmand?" in text
    explorer.assert_offline_and_quiet(expected_errors=r"status of 422")


# ---------------------------------------------------------------- the world, in a real browser

UKRAINE = {"Kharkivska": 16, "Donetska": 12, "Kyiv": 8, "Odeska": 4}
KHARKIV = {"latitude": 49.99, "longitude": 36.23}  # the city: records with their own coordinates


def _elsewhere() -> list[dict[str, Any]]:
    """Records in Ukraine (with shapes), Sudan and Myanmar (without), as a new user adds them:
    with the seeds' ten in Afghanistan, 58 in four countries."""

    def attack(country: str, province: str, n: int, **changes: Any) -> dict[str, Any]:
        return offensive(
            country=country,
            province=province,
            date=f"2022-{3 + n % 4:02d}-{1 + n % 28:02d}",
            actors=[{"name": "Test Force", "role": "initiator"}],
            summary=f"Shelling in {province}, report {n}.",
            **changes,
        )

    records = [
        attack("UKR", province, n, **(KHARKIV if province == "Kharkivska" and n < 2 else {}))
        for province, count in UKRAINE.items()
        for n in range(count)
    ]
    records += [attack("SDN", "Khartoum", n) for n in range(3)]
    records += [attack("SDN", "North Darfur", n) for n in range(2)]
    records += [attack("MMR", "Shan (North)", n) for n in range(2)]
    protest = {
        "kind": "other",
        "source_event_type": "Protests",
        "date": "2022-06-01",
        "country": "UKR",
        "province": "Kyivska",
        "summary": "A peaceful protest in Bila Tserkva.",
        "actors": [],
        "fatalities": {"value": 0, "qualifier": "at_least", "claimed_by": "ACLED"},
        "sources": [{"publisher": "ACLED"}],
    }
    return [*records, protest]


@pytest.fixture(scope="module")
def world_server(
    backend: Backend, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[LiveServer]:
    """A server with records in four countries; the tests only read them."""
    url = backend.new_database(seeded=True)
    server = start_server(url, tmp_path_factory.mktemp("explorer-world"))
    stored = httpx.post(f"{server.url}/v1/events/bulk", json=_elsewhere(), headers=WRITE)
    assert stored.status_code == 200, stored.text
    yield server
    server.stop()
    backend.drop(url)


@pytest.fixture
def world_tab(browser: Browser, world_server: LiveServer) -> Iterator[Explorer]:
    with opened(browser, world_server) as tab:
        yield tab


def test_explorer_opens_on_the_world_and_opens_ukraine_from_it(world_tab: Explorer) -> None:
    explorer, page = world_tab, world_tab.page
    explorer.open(path="/")
    # The records span four countries: the world, coloured by events per country.
    assert "country" not in explorer.query()
    assert page.locator("#map").get_attribute("data-view") == "world"
    assert page.locator("#map-title").inner_text() == "World"
    by_country = {
        g["key"]["country"]: g["events"] for g in explorer.stats(group_by="country")["groups"]
    }
    assert by_country == {"AFG": 10, "UKR": 41, "SDN": 5, "MMR": 2}
    drawn = explorer.country_values()
    assert len(drawn) >= 230
    assert {code: value for code, value in drawn.items() if value} == by_country
    assert page.locator("#country-UKR").get_attribute("data-class") == "5"
    assert page.locator("#country-MMR").get_attribute("data-class") == "1"
    assert page.locator("#country-FRA").get_attribute("data-class") == "0"
    assert page.locator("#legend").inner_text().startswith("Colour: events per country")
    # The header says how many countries its totals span.
    summary = page.locator("#summary").inner_text()
    assert summary.startswith("58 events across 4 countries · ")
    assert explorer.listed() == explorer.api_ids()[:25]
    assert "Kharkivska, Ukraine" in page.locator("#events").inner_text()
    # The first load: every file of the page and every answer, gzipped, well under 1 MB.
    assert any(url.endswith("/explorer/world.json") for url in explorer.requests)
    assert explorer.weight() < MB
    explorer.screenshot("explorer-world.png")

    # Tab to Ukraine (the countries with events are the map's tab stops), Enter opens it.
    explorer.tab_to('path.country[data-code="UKR"]')
    assert page.locator("#map-info").inner_text() == "Ukraine: 41 events"
    explorer.after(lambda: page.keyboard.press("Enter"))
    assert explorer.query() == {"country": ["UKR"]}
    assert page.locator("#map-title").inner_text() == "Ukraine"
    assert page.evaluate("document.activeElement.id") == "map-title"  # Tab goes on into it
    assert page.locator("#f-country").input_value() == "UKR"
    # Its provinces as shapes, from the API, coloured by its stats.
    assert page.locator("#map").get_attribute("data-view") == "shapes"
    assert "The provinces of Ukraine" in page.locator("#map-help").inner_text()
    shapes = httpx.get(f"{explorer.server.url}/v1/provinces.geojson?country=UKR").json()
    values = explorer.province_values()
    assert set(values) == {f["id"] for f in shapes["features"]}
    assert len(values) == 27
    stats = explorer.stats(country="UKR", group_by="province")
    assert {p: v for p, v in values.items() if v} == {
        g["key"]["province_pcode"]: g["events"] for g in stats["groups"]
    }
    assert "Natural Earth" in page.locator(".attribution").inner_text()
    # The header: Ukraine's totals, not the world's.
    assert page.locator("#summary").inner_text().startswith("41 events in Ukraine · ")
    assert explorer.listed() == explorer.api_ids(country="UKR")[:25]
    # Events with their own coordinates are dots, in Kharkivska.
    dots = page.locator("#map circle.point")
    assert dots.count() == 2
    kharkivska = explorer.box('path.province[data-name="Kharkivska"]')
    for dot in dots.all():
        where = dot.bounding_box()
        assert where is not None
        assert kharkivska["x"] <= where["x"] <= kharkivska["x"] + kharkivska["width"]
        assert kharkivska["y"] <= where["y"] <= kharkivska["y"] + kharkivska["height"]
    explorer.screenshot("explorer-ukraine.png")

    # A click on a province filters the list by it.
    explorer.after(page.locator('path.province[data-name="Donetska"]').click)
    assert explorer.query() == {"country": ["UKR"], "province": ["Donetska"]}
    assert page.locator('path.province[data-name="Donetska"]').get_attribute("aria-pressed") == (
        "true"
    )
    in_donetska = explorer.api_ids(country="UKR", province="Donetska")
    assert len(in_donetska) == 12
    assert explorer.listed() == in_donetska
    assert page.locator("#summary").inner_text().startswith("12 events in Ukraine · ")

    # Back to the world.
    explorer.after(page.locator("#to-world").click)
    assert explorer.query() == {}
    assert page.locator("#map").get_attribute("data-view") == "world"
    explorer.after(page.go_back)  # a history entry, like every view
    assert explorer.query() == {"country": ["UKR"], "province": ["Donetska"]}
    assert page.locator("#map-title").inner_text() == "Ukraine"
    explorer.assert_offline_and_quiet()


def test_explorer_draws_circles_where_no_province_shapes_ship(world_tab: Explorer) -> None:
    explorer, page = world_tab, world_tab.page
    explorer.open({"country": "SDN"})
    assert page.locator("#map").get_attribute("data-view") == "symbols"
    assert (
        page.locator("#map-help")
        .inner_text()
        .startswith(
            "No province shapes ship for Sudan: each of its 19 provinces is a circle at its centre"
        )
    )
    assert page.locator("#legend").inner_text().startswith("Circles: events per province")
    units = httpx.get(f"{explorer.server.url}/v1/provinces?country=SDN").json()["items"]
    assert page.locator("#map path.province.symbol").count() == len(units) == 19
    values = explorer.province_values()
    assert {p: v for p, v in values.items() if v} == {"SD01": 3, "SD02": 2}
    khartoum = 'path.province[data-name="Khartoum"]'
    sizes = {
        name: explorer.box(f'path.province[data-name="{name}"]')["width"]
        for name in ["Khartoum", "North Darfur", "Kassala"]
    }
    assert sizes["Khartoum"] > sizes["North Darfur"] > sizes["Kassala"] > 0  # sized by events
    assert page.locator("#summary").inner_text().startswith("5 events in Sudan · ")
    explorer.screenshot("explorer-sudan.png")

    explorer.after(page.locator(khartoum).click)
    assert explorer.query() == {"country": ["SDN"], "province": ["Khartoum"]}
    assert page.locator(khartoum).get_attribute("aria-pressed") == "true"
    assert page.locator("#f-province").input_value() == "Khartoum"
    in_khartoum = explorer.api_ids(country="SDN", province="Khartoum")
    assert len(in_khartoum) == 3
    assert explorer.listed() == in_khartoum
    explorer.after(page.locator(khartoum).click)  # again: every province of Sudan
    assert explorer.query() == {"country": ["SDN"]}
    assert explorer.listed() == explorer.api_ids(country="SDN")
    # Sized by the figure chosen: 12 killed (claimed) a record.
    explorer.after(lambda: page.select_option("#f-metric", "fatalities"))
    assert explorer.query() == {"country": ["SDN"], "metric": ["fatalities"]}
    assert {p: v for p, v in explorer.province_values().items() if v} == {"SD01": 36, "SD02": 24}
    assert (
        page.locator("#legend")
        .inner_text()
        .startswith("Circles: people killed (claimed) per province")
    )
    explorer.assert_offline_and_quiet()


def test_explorer_reads_a_claim_of_no_deaths_as_none_reported(world_tab: Explorer) -> None:
    explorer, page = world_tab, world_tab.page
    explorer.open({"country": "UKR", "q": "protest"})
    [protest] = explorer.api_ids(country="UKR", q="protest")
    item = page.locator(f'#events button.event[data-id="{protest}"]')
    assert "No deaths reported, per ACLED" in item.inner_text()
    assert "at least 0" not in item.inner_text()
    item.click()
    dialog = page.locator("#event-dialog")
    dialog.wait_for(state="visible")
    assert "Protests in Kyivska" in page.locator("#event-title").inner_text()
    assert "no deaths reported, per ACLED" in dialog.inner_text()
    assert "at least 0" not in dialog.inner_text()
    explorer.assert_offline_and_quiet()


@pytest.mark.parametrize("width", [390, 1366, 1920])
def test_explorer_timeline_sits_under_the_map_with_50_events_listed(
    world_tab: Explorer, width: int
) -> None:
    explorer, page = world_tab, world_tab.page
    page.set_viewport_size({"width": width, "height": 900})
    explorer.open()
    page.click("#more")
    page.wait_for_function("() => document.querySelectorAll('#events li').length > 25")
    assert explorer.listed() == explorer.api_ids()[:50]
    map_panel, timeline = explorer.box(".map-panel"), explorer.box(".timeline-panel")
    events = explorer.box(".list-panel")
    gap = timeline["y"] - (map_panel["y"] + map_panel["height"])
    assert 0 <= gap <= 20, gap  # the panels' gap of 1rem, and no more
    assert timeline["x"] == map_panel["x"]
    if width >= 1366:  # two columns: the list beside, and far longer than, map and timeline
        assert events["x"] > map_panel["x"] + map_panel["width"]
        assert events["height"] > map_panel["height"] + gap + timeline["height"]
    else:  # one: the list below
        assert events["y"] > timeline["y"] + timeline["height"]
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    path = explorer.screenshot(f"explorer-{width}.png")
    assert struct.unpack(">I", path.read_bytes()[16:20]) == (width,)
    explorer.assert_offline_and_quiet()
