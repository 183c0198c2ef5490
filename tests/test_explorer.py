"""The explorer page (issue 10): served by the app at / and /explore with everything it loads,
and driven in a real headless Chromium (Debian's) against `conflict-events serve` with the seed
data: the map, the timeline, the list, the record, the keyboard, a phone's screen, no request
leaving 127.0.0.1 and no console error."""

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
from playwright.sync_api import Browser, ConsoleMessage, Page, Request, sync_playwright
from shapely.geometry import Point, shape

from app.explorer.routes import ASSETS
from tests.conftest import REPO, WRITE, LiveServer, start_server
from tests.databases import Backend
from tests.payloads import offensive

CHROMIUM = os.environ.get("CE_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
ARTIFACTS = REPO / "tests" / "artifacts"
MAY_2021 = {"date_from": "2021-05-01", "date_to": "2021-05-31"}
PNG = b"\x89PNG\r\n\x1a\n"


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
    assert "Administrative boundaries courtesy of geoBoundaries.org" in html
    assets = re.findall(r"""(?:src|href)="(/explorer/[^"]+)\"""", html)
    assert sorted(assets) == [
        "/explorer/explorer.css",
        "/explorer/explorer.js",
        "/explorer/icon.svg",
    ]
    types = {".js": "text/javascript", ".css": "text/css", ".svg": "image/svg+xml"}
    for asset in assets:
        fetched = client.get(asset)
        assert fetched.status_code == 200, asset
        assert fetched.headers["content-type"].startswith(types[Path(asset).suffix]), asset
    script = client.get("/explorer/explorer.js").text
    assert set(re.findall(r"https?://[^\s\"'`]+", script)) == {"http://www.w3.org/2000/svg"}


def test_explorer_serves_no_other_file(client: TestClient) -> None:
    for name in ["index.html", "routes.py", "..%2Froutes.py", "missing.js"]:
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
        self.console_errors: list[str] = []
        page.on("request", self._requested)
        page.on("console", self._logged)
        page.on("pageerror", lambda error: self.console_errors.append(f"uncaught: {error}"))

    def _requested(self, request: Request) -> None:
        self.requests.append(request.url)

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
    assert page.locator("#summary").inner_text().startswith(f"{len(everything)} events")
    explorer.screenshot("explorer.png")

    helmand.hover()
    assert page.locator("#map-info").inner_text() == f"Helmand: {values['AF30']} events"
    explorer.after(helmand.click)
    assert explorer.query() == {"date_from": ["2021-05-01"], "date_to": ["2021-05-31"]} | {
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

    def tab_to(selector: str, limit: int = 80) -> None:
        for _ in range(limit):
            page.keyboard.press("Tab")
            if page.evaluate(f"document.activeElement.matches({selector!r})"):
                return
        pytest.fail(f"Tab never reached {selector}")

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
    assert explorer.query() == {"date_from": ["2021-01-01"], "date_to": ["2021-04-30"]}
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
    assert explorer.query() == {"date_from": ["2021-05-01"], "date_to": ["2021-05-31"]}
    assert explorer.listed() == explorer.api_ids(**MAY_2021)
    assert page.evaluate("document.activeElement.dataset.start") == "2021-05-01"
    page.keyboard.press("ArrowLeft")
    explorer.after(lambda: page.keyboard.press("Shift+Enter"))  # extends the range
    assert explorer.query() == {"date_from": ["2021-04-01"], "date_to": ["2021-05-31"]}
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
