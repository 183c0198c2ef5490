// The explorer: a map, a timeline and a list over the public API (/v1), in plain JavaScript and
// SVG. It loads nothing from anywhere but this server, and keeps its state in the page's URL.
// The map is the world (countries, world.json: Natural Earth via world-atlas) or one country:
// its provinces as shapes where the API has them (/v1/provinces.geojson), else as circles at
// their centres (/v1/provinces).

const API = new URL("../", import.meta.url); // this file is served at {root}/explorer/
const FILTERS = ["country", "province", "date_from", "date_to", "actor", "kind", "q"];
const VIEW_DEFAULTS = { metric: "events", period: "month" };
const PAGE_SIZE = 25;
const MAX_POINTS = 5000;
const MAX_PERIODS = 1500;
const CLASSES = 5; // colour classes above zero (explorer.css: .q0 to .q5)
const SVG = "http://www.w3.org/2000/svg";
const WORLD_BOUNDS = [-180, -58, 180, 84]; // Antarctica left out
const LIST_FIELDS = [
  "id",
  "kind",
  "date",
  "end_date",
  "date_precision",
  "country",
  "province",
  "district",
  "location",
  "summary",
  "fatalities",
  "families",
  "individuals",
  "milestone",
  "source_event_type",
].join(",");

const METRICS = {
  events: { label: "events", unit: (n) => (n === 1 ? "event" : "events"), value: (g) => g.events },
  fatalities: {
    label: "people killed (claimed)",
    unit: () => "killed (claimed)",
    value: (g) => g.fatalities.sum,
  },
  families: {
    label: "families displaced (claimed)",
    unit: (n) => `${n === 1 ? "family" : "families"} displaced (claimed)`,
    value: (g) => g.families.sum,
  },
  individuals: {
    label: "people displaced (claimed)",
    unit: (n) => `${n === 1 ? "person" : "people"} displaced (claimed)`,
    value: (g) => g.individuals.sum,
  },
};
const amount = (metric, n) => `${number(n)} ${metric.unit(n)}`;
const KINDS = {
  offensive: "Offensive",
  displacement: "Displacement",
  withdrawal_milestone: "Withdrawal milestone",
  other: "Other",
};
const QUALIFIERS = {
  exact: "",
  about: "about ",
  at_least: "at least ",
  more_than: "more than ",
  at_most: "at most ",
};
// What a claim of zero says ("at least 0, per ACLED": the source counted no one).
const NONE_REPORTED = {
  fatalities: "no deaths reported",
  families: "no families reported displaced",
  individuals: "no one reported displaced",
};
const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

const $ = (id) => document.getElementById(id);
const state = { filters: {}, metric: "events", period: "month", event: null };
let world = null; // {countries: [{code, polygons}], names: Map code -> name}
let view = null; // what the map shows: the world, or a country (showView)
const countries = new Map(); // code -> promise of {provinces, shapes} from the API
let loading = null; // AbortController of the views being loaded
let nextCursor = null;
let matching = 0; // events the filters match (the list shows a page at a time)
let timeline = null; // {periods, chart, step} of the drawn timeline

// ---------------------------------------------------------------- small helpers

function el(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value !== null && value !== undefined && value !== false) node.setAttribute(name, value);
  }
  node.append(...children.filter((c) => c !== null && c !== undefined));
  return node;
}

function svg(tag, attributes = {}) {
  const node = document.createElementNS(SVG, tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value !== null) node.setAttribute(name, value);
  }
  return node;
}

const number = (n) => n.toLocaleString("en");
const plural = (n, one, many) => `${number(n)} ${n === 1 ? one : many}`;
const capital = (text) => text.charAt(0).toUpperCase() + text.slice(1);
const countryName = (code) => world?.names.get(code) ?? code;

function formatDay(iso) {
  const [y, m, d] = iso.split("-").map(Number);
  return `${d} ${MONTHS[m - 1]} ${y}`;
}

/** "3–4 May 2021", "30 Apr – 2 May 2021", "30 Dec 2020 – 2 Jan 2021". */
function formatDays(start, end) {
  const [first, last] = [formatDay(start), formatDay(end)];
  if (start.slice(0, 7) === end.slice(0, 7)) return `${first.split(" ")[0]}–${last}`;
  if (start.slice(0, 4) === end.slice(0, 4))
    return `${first.split(" ").slice(0, 2).join(" ")} – ${last}`;
  return `${first} – ${last}`;
}

function formatSpan(record) {
  const start = record.date;
  const end = record.end_date;
  const precision = record.date_precision;
  if (precision === "year" && !end) return start.slice(0, 4);
  if (precision === "month" && !end)
    return `${MONTHS[Number(start.slice(5, 7)) - 1]} ${start.slice(0, 4)}`;
  const label = end && end !== start ? formatDays(start, end) : formatDay(start);
  return precision && precision !== "day" ? `${label} (dated to the ${precision})` : label;
}

const isNone = (claim) => claim.value === 0 && claim.qualifier !== "more_than";

/** A figure as its source claimed it: "more than 100, per Afghan Defense Ministry"; a claim of
 * zero as "no deaths reported, per ACLED". */
function claimText(claim, what) {
  let text = isNone(claim)
    ? NONE_REPORTED[what]
    : `${QUALIFIERS[claim.qualifier] ?? ""}${number(claim.value)}`;
  if (
    claim.low !== null &&
    claim.low !== undefined &&
    claim.high !== null &&
    claim.high !== undefined
  ) {
    text += ` (range ${number(claim.low)}–${number(claim.high)})`;
  }
  if (claim.claimed_by) text += `, per ${claim.claimed_by}`;
  return text;
}

function figureText(figure, what) {
  const claims = [figure, ...(figure.alternatives ?? [])];
  return claims.map((claim) => claimText(claim, what)).join("; ");
}

function kindLabel(record) {
  return record.kind === "other" && record.source_event_type
    ? record.source_event_type
    : (KINDS[record.kind] ?? record.kind);
}

function humanize(value) {
  return String(value).replaceAll("_", " ");
}

// ---------------------------------------------------------------- the API

class ApiProblem extends Error {
  constructor(message, status = 0) {
    super(message);
    this.status = status;
  }
}

/** A problem (RFC 9457) as one readable sentence or two, with the server's suggestions. */
function problemText(problem, status) {
  const parts = [`${problem.title ?? "Error"} (${status}): ${problem.detail ?? ""}`.trim()];
  for (const item of problem.errors ?? []) {
    let line = `${item.name ?? item.pointer ?? item.in}: ${item.detail}`;
    if (item.suggestions?.length)
      line += ` Did you mean ${item.suggestions.slice(0, 5).join(", ")}?`;
    parts.push(line);
  }
  return parts.join(" ");
}

async function api(path, params = [], signal = undefined) {
  const url = new URL(path, API);
  for (const [name, value] of params) url.searchParams.append(name, value);
  let response;
  try {
    response = await fetch(url, { headers: { Accept: "application/json" }, signal });
  } catch (error) {
    if (error.name === "AbortError") throw error;
    throw new ApiProblem(`Could not reach the API at ${url.pathname}: ${error.message}`);
  }
  if (!response.ok) {
    let text = `${response.status} ${response.statusText}`;
    try {
      text = problemText(await response.json(), response.status);
    } catch {
      // not a problem document: the status line says enough
    }
    throw new ApiProblem(text, response.status);
  }
  return response.json();
}

function filterParams({ without = [] } = {}) {
  return FILTERS.filter((name) => state.filters[name] && !without.includes(name)).map((name) => [
    name,
    state.filters[name],
  ]);
}

function showMessage(text) {
  const box = $("message");
  box.textContent = text ?? "";
  box.hidden = !text;
}

// ---------------------------------------------------------------- URL <-> state <-> form

function readUrl() {
  const params = new URLSearchParams(location.search);
  state.filters = {};
  for (const name of FILTERS) {
    const value = params.get(name)?.trim();
    if (value) state.filters[name] = value;
  }
  if (state.filters.country) state.filters.country = state.filters.country.toUpperCase();
  state.metric = params.get("metric") in METRICS ? params.get("metric") : VIEW_DEFAULTS.metric;
  state.period = ["week", "month", "year"].includes(params.get("period"))
    ? params.get("period")
    : VIEW_DEFAULTS.period;
  const event = Number(params.get("event"));
  state.event = Number.isInteger(event) && event > 0 ? event : null;
}

function writeUrl({ push }) {
  const params = new URLSearchParams(filterParams());
  for (const name of ["metric", "period"]) {
    if (state[name] !== VIEW_DEFAULTS[name]) params.set(name, state[name]);
  }
  if (state.event) params.set("event", state.event);
  const query = params.toString();
  const url = location.pathname + (query ? `?${query}` : "");
  if (url !== location.pathname + location.search)
    history[push ? "pushState" : "replaceState"](null, "", url);
}

/** A select's value, with an option for a value it does not list (a name the API may know). */
function choose(select, wanted, label = wanted) {
  if (wanted && ![...select.options].some((o) => o.value === wanted)) {
    select.append(el("option", { value: wanted }, label));
  }
  select.value = wanted;
}

function fillForm() {
  const code = state.filters.country ?? "";
  choose($("f-country"), code, code && countryName(code));
  fillProvinces();
  $("f-date-from").value = state.filters.date_from ?? "";
  $("f-date-to").value = state.filters.date_to ?? "";
  $("f-actor").value = state.filters.actor ?? "";
  $("f-kind").value = state.filters.kind ?? "";
  $("f-q").value = state.filters.q ?? "";
  $("f-metric").value = state.metric;
  $("f-period").value = state.period;
}

/** The province list: the shown country's provinces. */
function fillProvinces() {
  const select = $("f-province");
  const units = view?.units ?? [];
  const listed = select.dataset.country ?? "";
  if (listed !== (view?.code ?? "")) {
    select.replaceChildren(
      el("option", { value: "" }, units.length ? "All provinces" : "All (pick a country)"),
      ...units.map((u) => el("option", { value: u.filter }, u.name)),
    );
    select.dataset.country = view?.code ?? "";
  }
  choose(select, state.filters.province ?? "");
  select.disabled = !units.length && !state.filters.province;
}

function readForm() {
  const country = $("f-country").value;
  const values = {
    country,
    // a province is one of the country's: another country's starts with none
    province: country === (state.filters.country ?? "") ? $("f-province").value : "",
    date_from: $("f-date-from").value,
    date_to: $("f-date-to").value,
    actor: $("f-actor").value.trim(),
    kind: $("f-kind").value,
    q: $("f-q").value.trim(),
  };
  state.filters = Object.fromEntries(Object.entries(values).filter(([, v]) => v));
  state.metric = $("f-metric").value;
  state.period = $("f-period").value;
}

/** Change filters (from the map, the timeline or the form), record them in the URL, redraw. */
function applyFilters(changes) {
  for (const [name, value] of Object.entries(changes)) {
    if (value) state.filters[name] = value;
    else delete state.filters[name];
  }
  fillForm();
  writeUrl({ push: true });
  refresh();
}

/** Open a country (null: the world), with no province chosen. */
function openCountry(code) {
  applyFilters({ country: code ?? "", province: "" });
}

// ---------------------------------------------------------------- the map: shapes and projection

/** world.json (TopoJSON, built by app/explorer/build_world.py) as countries, each a list of
 * polygons of rings of [longitude, latitude]; `code` is null for land of no country. */
function decodeWorld(topology) {
  const [sx, sy] = topology.transform.scale;
  const [tx, ty] = topology.transform.translate;
  const arcs = topology.arcs.map((arc) => {
    let x = 0;
    let y = 0;
    return arc.map(([dx, dy]) => [(x += dx) * sx + tx, (y += dy) * sy + ty]);
  });
  const ring = (indexes) => {
    const points = [];
    for (const index of indexes) {
      const arc = index < 0 ? arcs[~index].slice().reverse() : arcs[index];
      points.push(...(points.length ? arc.slice(1) : arc));
    }
    // A ring across the antimeridian (Russia's Chukotka, Fiji) goes on past ±180°, unbroken.
    for (let i = 1; i < points.length; i++) {
      const step = points[i][0] - points[i - 1][0];
      if (Math.abs(step) > 180) points[i] = [points[i][0] - 360 * Math.sign(step), points[i][1]];
    }
    return points;
  };
  return {
    countries: topology.objects.countries.geometries.map((g) => ({
      code: g.id ?? null,
      polygons: (g.type === "Polygon" ? [g.arcs] : g.arcs).map((polygon) => polygon.map(ring)),
    })),
    names: new Map(Object.entries(topology.names)),
  };
}

const polygonsOf = (geometry) =>
  geometry.type === "Polygon" ? [geometry.coordinates] : geometry.coordinates;

/** Longitudes wrap into [cut, cut + 360), so a country across the antimeridian stays whole; a
 * ring moves as one, by its mean longitude. No cut: no wrapping (the world). */
function wrap(lon, cut) {
  if (cut === null) return lon;
  if (lon < cut) return lon + 360;
  return lon >= cut + 360 ? lon - 360 : lon;
}

function ringShift(ring, cut) {
  if (cut === null) return 0;
  const mean = ring.reduce((sum, [lon]) => sum + lon, 0) / ring.length;
  return wrap(mean, cut) - mean;
}

/** An equirectangular projection of `bounds` ([west, south, east, north]) onto a map 1000 units
 * wide, east-west shrunk by the cosine of the middle latitude (not for the world), and the
 * bounds widened so the map's height is between `aspect` times its width. */
function makeProjection(bounds, { cut = null, shrink = true, aspect = [0.45, 0.8] } = {}) {
  let [west, south, east, north] = bounds;
  const k = shrink ? Math.cos((((south + north) / 2) * Math.PI) / 180) : 1;
  const [low, high] = aspect;
  let w = (east - west) * k;
  let h = north - south;
  if (h < w * low) {
    const more = (w * low - h) / 2;
    [south, north, h] = [south - more, north + more, w * low];
  } else if (h > w * high) {
    const more = (h / high - w) / (2 * k);
    [west, east, w] = [west - more, east + more, h / high];
  }
  const pad = 6;
  const scale = 1000 / w;
  const xy = (lon, lat) => [pad + (lon - west) * k * scale, pad + (north - lat) * scale];
  return {
    width: 1000 + 2 * pad,
    height: h * scale + 2 * pad,
    cut,
    xy,
    point: (lon, lat) => xy(wrap(lon, cut), lat),
  };
}

/** The area and centre of a projected ring (the shoelace formula). */
function ringCentre(points) {
  let area = 0;
  let cx = 0;
  let cy = 0;
  for (let i = 0, j = points.length - 1; i < points.length; j = i++) {
    const [x0, y0] = points[j];
    const [x1, y1] = points[i];
    const cross = x0 * y1 - x1 * y0;
    area += cross;
    cx += (x0 + x1) * cross;
    cy += (y0 + y1) * cross;
  }
  if (!area) return { area: 0, centre: points[0] };
  return { area: Math.abs(area / 2), centre: [cx / (3 * area), cy / (3 * area)] };
}

/** On the world, a ring past ±180° is drawn again a turn away, so both ends show. */
function turns(ring, projection) {
  if (projection.cut !== null) return [ringShift(ring, projection.cut)];
  const lons = ring.map(([lon]) => lon);
  return [0, Math.max(...lons) > 180 ? -360 : 0, Math.min(...lons) < -180 ? 360 : 0].filter(
    (shift, index) => !index || shift,
  );
}

/** Polygons as one SVG path, with their box and the centre of their largest outer ring. */
function outline(polygons, projection) {
  const parts = [];
  const box = [Infinity, Infinity, -Infinity, -Infinity];
  let largest = { area: -1, centre: null };
  for (const polygon of polygons) {
    for (const [index, ring] of polygon.entries()) {
      for (const [turn, shift] of turns(ring, projection).entries()) {
        const points = [];
        let last = "";
        for (const [lon, lat] of ring) {
          const [x, y] = projection.xy(lon + shift, lat);
          const text = `${x.toFixed(1)},${y.toFixed(1)}`;
          if (text === last) continue; // the same on the map: once is enough
          last = text;
          points.push([x, y, text]);
          if (turn) continue; // the box and centre are the ring's own
          box[0] = Math.min(box[0], x);
          box[1] = Math.min(box[1], y);
          box[2] = Math.max(box[2], x);
          box[3] = Math.max(box[3], y);
        }
        if (points.length < 3) continue;
        parts.push(`M${points.map((p) => p[2]).join("L")}Z`);
        if (index === 0 && turn === 0) {
          const found = ringCentre(points);
          if (found.area > largest.area) largest = found;
        }
      }
    }
  }
  const centre = largest.centre ?? [(box[0] + box[2]) / 2, (box[1] + box[3]) / 2];
  return { d: parts.join(""), box, centre };
}

/** A circle as a path (two arcs), so every area of the map is a path. */
function circle([x, y], r) {
  const [left, radius, across] = [x - r, r, 2 * r].map((v) => v.toFixed(1));
  const arc = `a${radius},${radius} 0 1,0`;
  return `M${left},${y.toFixed(1)}${arc} ${across},0${arc} -${across},0Z`;
}

/** [west, south, east, north] of rings and points, longitudes wrapped at `cut`. */
function extent(rings, points, cut) {
  const box = [Infinity, Infinity, -Infinity, -Infinity];
  const add = (lon, lat) => {
    box[0] = Math.min(box[0], lon);
    box[1] = Math.min(box[1], lat);
    box[2] = Math.max(box[2], lon);
    box[3] = Math.max(box[3], lat);
  };
  for (const ring of rings) {
    const shift = ringShift(ring, cut);
    for (const [lon, lat] of ring) add(lon + shift, lat);
  }
  for (const [lon, lat] of points) add(wrap(lon, cut), lat);
  return box[0] <= box[2] ? box : null;
}

/** The bounds and longitude cut of a country's map: as drawn, or taken across the antimeridian
 * when that is narrower (Russia, Fiji, the United States), with a margin of its neighbours. */
function frame(rings, points) {
  const plain = extent(rings, points, null);
  if (!plain) return null;
  const across = extent(rings, points, 0);
  const narrower = across && across[2] - across[0] < plain[2] - plain[0];
  const [west, south, east, north] = narrower ? across : plain;
  const mx = Math.max((east - west) * 0.04, 0.3);
  const my = Math.max((north - south) * 0.04, 0.3);
  return {
    bounds: [west - mx, south - my, east + mx, north + my],
    cut: (west + east) / 2 - 180,
  };
}

// ---------------------------------------------------------------- the map: the views

let worldMap = null; // the world view, built once

function worldView() {
  const projection = makeProjection(WORLD_BOUNDS, { shrink: false, aspect: [0, 10] });
  const areas = [];
  const land = [];
  for (const country of world.countries) {
    const shape = outline(country.polygons, projection);
    if (!country.code) {
      land.push(shape.d);
      continue;
    }
    const [x0, y0, x1, y1] = shape.box;
    // A country too small to see (or to click) also gets a dot.
    const dot = x1 - x0 < 4 && y1 - y0 < 4 ? circle(shape.centre, 2.5) : "";
    areas.push({
      id: `country-${country.code}`,
      match: country.code,
      name: countryName(country.code),
      filter: country.code,
      d: shape.d + dot,
      centre: shape.centre,
      box: shape.box,
    });
  }
  areas.sort((a, b) => a.name.localeCompare(b.name));
  return { key: "world", code: null, mode: "world", projection, areas, land, units: [] };
}

/** The key a province has in /v1/stats groups: its p-code, else its name. */
const unitKey = (pcode, name) => pcode ?? `@${name}`;

function countryView(code, data) {
  const shared = new Map();
  for (const p of data.provinces) {
    const name = p.name.toLowerCase();
    shared.set(name, (shared.get(name) ?? 0) + 1);
  }
  const names = new Map(); // any spelling or code, lower-case -> the value to filter by
  const units = data.provinces.map((p) => {
    // A name two units share would be ambiguous: such a unit is filtered by its code.
    const filter = shared.get(p.name.toLowerCase()) > 1 && p.id ? p.id : p.name;
    for (const name of [p.name, p.pcode, p.iso_3166_2, p.id, ...p.aliases.map((a) => a.name)]) {
      if (name && !names.has(name.toLowerCase())) names.set(name.toLowerCase(), filter);
    }
    return {
      name: p.name,
      filter,
      key: p.pcode ?? p.id,
      match: unitKey(p.pcode, p.name),
      centroid: p.centroid ? [p.centroid.longitude, p.centroid.latitude] : null,
      source: p.centroid_source,
    };
  });
  const features = data.shapes?.features.length ? data.shapes.features : null;
  const located = units.filter((u) => u.key && u.centroid);
  const home = world.countries.filter((c) => c.code === code).flatMap((c) => c.polygons);
  const place = features
    ? frame(features.flatMap((f) => polygonsOf(f.geometry)).flat(), [])
    : frame(home.flat(), located.map((u) => u.centroid));
  const projection = place
    ? makeProjection(place.bounds, { cut: place.cut })
    : makeProjection(WORLD_BOUNDS, { shrink: false, aspect: [0, 10] });
  const byMatch = new Map(units.map((u) => [u.match, u]));
  let areas;
  if (features) {
    areas = features.map((f) => {
      const shape = outline(polygonsOf(f.geometry), projection);
      const match = unitKey(f.properties.pcode, f.properties.name);
      const unit = byMatch.get(match);
      return {
        id: `province-${f.id}`,
        key: f.id,
        match,
        name: f.properties.name,
        filter: unit?.filter ?? f.properties.name,
        d: shape.d,
        centre: unit?.centroid ? projection.point(...unit.centroid) : shape.centre,
      };
    });
  } else {
    areas = located.map((u) => ({
      id: `province-${u.key}`,
      key: u.key,
      match: u.match,
      name: u.name,
      filter: u.filter,
      d: "",
      centre: projection.point(...u.centroid),
      source: u.source,
    }));
  }
  areas.sort((a, b) => a.name.localeCompare(b.name));
  return {
    key: code,
    code,
    mode: features ? "shapes" : "symbols",
    projection,
    areas,
    units,
    names,
    attribution: data.shapes?.attribution ?? [],
  };
}

const MODES = {
  world: () =>
    "Countries coloured by every filter but the country and province. Click a country, or " +
    "focus one with events (Tab) and press Enter, to open it; the Country list has them all.",
  shapes: (name) =>
    `The provinces of ${name}, coloured by every filter but the province. Click a province, ` +
    "or focus it with Tab and press Enter, to filter by it; again to clear.",
  symbols: (name, n) =>
    n
      ? `No province shapes ship for ${name}: each of its ${plural(n, "province", "provinces")} ` +
        "is a circle at its centre, sized and coloured by every filter but the province. " +
        "Click one, or focus it with Tab and press Enter, to filter by it; again to clear."
      : `The gazetteer has no provinces of ${name}: its events with coordinates are dots.`,
};

/** The centres' sources, as their credit. */
const CENTRE_SOURCES = {
  geoboundaries: "geoBoundaries.org",
  "iso3166-2": "the iso3166-2 package",
  naturalearth: "Natural Earth",
};

function drawView() {
  const map = $("map");
  const { projection } = view;
  map.setAttribute(
    "viewBox",
    `0 0 ${projection.width.toFixed(0)} ${projection.height.toFixed(0)}`,
  );
  map.dataset.view = view.mode;
  const background = svg("g", { class: "context", "aria-hidden": "true" });
  if (view.mode === "world") {
    background.append(svg("path", { class: "land", d: view.land.join("") }));
  } else {
    background.append(...contextPaths());
  }
  const areas = svg("g", { class: view.mode === "world" ? "countries" : "provinces" });
  for (const area of view.areas) {
    area.element = areaElement(area);
    areas.append(area.element);
  }
  const overlay = svg("g", { class: "overlay", "aria-hidden": "true" });
  overlay.append(svg("path", { id: "selected-outline", class: "selected-outline" }));
  overlay.append(svg("path", { id: "hover-outline", class: "hover-outline" }));
  const labels = svg("g", { class: "labels", "aria-hidden": "true" });
  const points = svg("g", { class: "points", "aria-hidden": "true" });
  map.replaceChildren(background, areas, overlay, points, labels);
  const name = view.code ? countryName(view.code) : "World";
  $("map-title").textContent = name;
  $("to-world").hidden = !view.code;
  $("map-help").textContent = MODES[view.mode](name, view.areas.length);
  $("shape-credit").textContent = shapeCredit();
  pointAt(null);
}

function shapeCredit() {
  if (view.mode === "shapes") return ` Provinces: ${view.attribution.join("; ")}.`;
  if (view.mode !== "symbols") return "";
  const sources = new Set(view.areas.map((a) => CENTRE_SOURCES[a.source]).filter(Boolean));
  return sources.size ? ` Province centres: ${[...sources].join(", ")}.` : "";
}

/** The country's neighbours, and the country itself under its provinces. */
function contextPaths() {
  const { projection } = view;
  const paths = [];
  for (const country of world.countries) {
    const shape = outline(country.polygons, projection);
    const [x0, y0, x1, y1] = shape.box;
    if (x1 < 0 || y1 < 0 || x0 > projection.width || y0 > projection.height) continue;
    const home = country.code === view.code;
    paths.push(svg("path", { class: home ? "home" : "neighbour", d: shape.d }));
  }
  return paths;
}

function areaElement(area) {
  const inWorld = view.mode === "world";
  const path = svg("path", {
    id: area.id,
    class: inWorld ? "country q0" : "province q0",
    d: area.d,
    tabindex: "0",
    role: "button",
    "aria-pressed": inWorld ? null : "false", // a country opens; a province toggles
    "aria-label": area.name,
  });
  if (inWorld) path.dataset.code = area.match;
  else path.dataset.pcode = area.key;
  path.dataset.name = area.name;
  path.append(svg("title"));
  const act = () => (inWorld ? openCountry(area.filter) : toggleProvince(area));
  path.addEventListener("click", act);
  path.addEventListener("keydown", (event) => {
    if (event.key === "Enter" || event.key === " ") {
      event.preventDefault();
      act();
    }
  });
  path.addEventListener("pointerenter", () => pointAt(area));
  path.addEventListener("focus", () => pointAt(area));
  path.addEventListener("pointerleave", () => pointAt(null));
  path.addEventListener("blur", () => pointAt(null));
  return path;
}

function toggleProvince(area) {
  const chosen = selectedArea() === area;
  applyFilters({ country: view.code, province: chosen ? "" : area.filter });
}

function selectedArea() {
  const wanted = state.filters.province?.toLowerCase();
  if (!wanted || !view.names) return null;
  const filter = (view.names.get(wanted) ?? wanted).toLowerCase();
  return view.areas.find((a) => a.filter.toLowerCase() === filter) ?? null;
}

function pointAt(area) {
  const outline = $("hover-outline");
  const info = $("map-info");
  if (!area) {
    outline.removeAttribute("d");
    info.textContent =
      view.mode === "world"
        ? "Point at or focus a country to read its figure."
        : "Point at or focus a province to read its figure.";
    info.classList.add("hint");
    return;
  }
  outline.setAttribute("d", area.element.getAttribute("d"));
  info.classList.remove("hint");
  info.textContent = area.element.getAttribute("aria-label");
}

function classOf(value, max) {
  return value > 0 && max > 0 ? Math.min(CLASSES, Math.ceil((value / max) * CLASSES)) : 0;
}

/** Each group of /v1/stats (by country on the world, by province in a country) on its area. */
function drawChoropleth(stats) {
  const metric = METRICS[state.metric];
  const inWorld = view.mode === "world";
  const known = new Set(view.areas.map((a) => a.match));
  const values = new Map();
  const events = new Map();
  const unmapped = [];
  for (const group of stats.groups) {
    const { country, province, province_pcode: pcode } = group.key;
    const match = inWorld ? country : province || pcode ? unitKey(pcode, province) : null;
    if (match && known.has(match)) {
      values.set(match, (values.get(match) ?? 0) + metric.value(group));
      events.set(match, (events.get(match) ?? 0) + group.events);
    } else {
      unmapped.push(group);
    }
  }
  const max = Math.max(0, ...values.values());
  const selected = selectedArea();
  for (const area of view.areas) {
    const path = area.element;
    const value = values.get(area.match) ?? 0;
    const level = classOf(value, max);
    path.setAttribute("class", `${inWorld ? "country" : "province"} q${level}`);
    path.dataset.value = String(value);
    path.dataset.class = String(level);
    const label = `${area.name}: ${amount(metric, value)}`;
    path.setAttribute("aria-label", label + (area === selected ? " (selected)" : ""));
    if (!inWorld) path.setAttribute("aria-pressed", String(area === selected));
    path.querySelector("title").textContent = label;
    // On the world, the countries with events are the tab stops (the list has every one).
    if (inWorld) path.setAttribute("tabindex", events.get(area.match) ? "0" : "-1");
    if (view.mode === "symbols") {
      area.r = value > 0 ? 6 + 34 * Math.sqrt(value / max) : 4;
      path.setAttribute("d", circle(area.centre, area.r));
      path.classList.add("symbol");
    }
  }
  if (view.mode === "symbols") stackSymbols();
  const outline = $("selected-outline");
  if (selected) outline.setAttribute("d", selected.element.getAttribute("d"));
  else outline.removeAttribute("d");
  drawLabels(values, selected);
  return { max, metric, unmapped };
}

/** The largest circles at the back, so every one can be pointed at. */
function stackSymbols() {
  const active = document.activeElement;
  const layer = $("map").querySelector(".provinces");
  const order = [...view.areas].sort((a, b) => b.r - a.r || a.name.localeCompare(b.name));
  if (order.some((area, index) => layer.children[index] !== area.element)) {
    layer.append(...order.map((area) => area.element));
    if (active && layer.contains(active)) active.focus();
  }
}

/** A name goes on its area, or above its circle, or under a country it would hide. */
function labelPlace(area, size) {
  const [x, y] = area.centre;
  if (view.mode === "symbols") return [x, y - area.r - 12];
  if (view.mode === "world" && area.box[2] - area.box[0] < area.name.length * size * 0.65)
    return [x, area.box[3] + size * 0.75];
  return [x, y];
}

/** Names on the map where there is something to see, and on the chosen area. */
function drawLabels(values, selected) {
  const shown = view.areas
    .filter((a) => values.get(a.match) > 0 || a === selected)
    .sort((a, b) => (values.get(b.match) ?? 0) - (values.get(a.match) ?? 0))
    .slice(0, view.mode === "world" ? 12 : Infinity);
  // The world's names about 11 px high on the screen, whatever the map's width.
  const units = view.projection.width / Math.max(280, $("map").clientWidth || 1000);
  const size = view.mode === "world" ? Math.min(30, Math.max(12, 11 * units)) : null;
  const labels = shown.map((area) => {
    const [x, y] = labelPlace(area, size);
    const label = svg("text", { x: x.toFixed(1), y: y.toFixed(1), class: "label" });
    if (size) label.style.fontSize = `${size.toFixed(1)}px`;
    label.textContent = area.name;
    return label;
  });
  $("map")
    .querySelector(".labels")
    .replaceChildren(...labels);
}

function drawLegend({ max, metric, unmapped }) {
  const legend = $("legend");
  const per = view.mode === "world" ? "country" : "province";
  const items = [el("li", {}, el("span", { class: "swatch q0", "aria-hidden": "true" }), "none")];
  for (let level = 1; level <= CLASSES; level++) {
    const low = Math.floor((max * (level - 1)) / CLASSES) + 1;
    const high = Math.floor((max * level) / CLASSES);
    if (low > high) continue;
    const text = low === high ? number(low) : `${number(low)}–${number(high)}`;
    items.push(
      el("li", {}, el("span", { class: `swatch q${level}`, "aria-hidden": "true" }), text),
    );
  }
  const title =
    view.mode === "symbols"
      ? `Circles: ${metric.label} per province, by area and colour`
      : `Colour: ${metric.label} per ${per}`;
  const children = [el("p", { class: "legend-title" }, title), el("ul", {}, ...items)];
  const points = $("map").querySelectorAll(".points circle").length;
  if (pointsCapped)
    children.push(
      el("p", {}, `Points: only the newest ${number(MAX_POINTS)} matching events are drawn.`),
    );
  if (points)
    children.push(
      el(
        "p",
        {},
        el("span", { class: "dot", "aria-hidden": "true" }),
        ` ${plural(points, "event", "events")} at their own coordinates`,
      ),
    );
  if (view.mode === "world" && unmapped.length) children.push(offMap(unmapped, metric));
  const lost = unmapped.reduce((sum, g) => sum + g.events, 0);
  if (view.mode !== "world" && lost)
    children.push(
      el(
        "p",
        {},
        `${plural(lost, "matching event is", "matching events are")} in no province on ` +
          "this map (they name none, or one it does not have).",
      ),
    );
  legend.replaceChildren(...children);
}

/** Countries too small for the world's shapes (Tuvalu), as buttons that open them. */
function offMap(groups, metric) {
  const buttons = groups.map((g) => {
    const button = el(
      "button",
      { type: "button", class: "secondary small", "data-code": g.key.country },
      `${countryName(g.key.country)}: ${amount(metric, metric.value(g))}`,
    );
    button.addEventListener("click", () => openCountry(g.key.country));
    return button;
  });
  return el("p", { class: "off-map" }, "Not on this map: ", ...buttons);
}

let pointsCapped = false;

function drawPoints(collection) {
  const layer = $("map").querySelector(".points");
  pointsCapped = collection.features.length >= MAX_POINTS;
  const circles = [];
  for (const feature of collection.features) {
    // Records without coordinates sit at their province's centroid: the colour shows those.
    if (!feature.geometry || feature.properties.geo_source !== "record") continue;
    const [lon, lat] = feature.geometry.coordinates;
    const [x, y] = view.projection.point(lon, lat);
    circles.push(
      svg("circle", {
        cx: x.toFixed(1),
        cy: y.toFixed(1),
        r: "5",
        class: "point",
        "data-id": String(feature.properties.id),
      }),
    );
  }
  layer.replaceChildren(...circles);
}

// ---------------------------------------------------------------- the timeline

const iso = (date) => date.toISOString().slice(0, 10);
const utc = (text) => new Date(`${text}T00:00:00Z`);

function periodStart(key, period) {
  if (period === "year") return `${key}-01-01`;
  if (period === "month") return `${key}-01`;
  return key;
}

function periodEnd(key, period) {
  if (period === "year") return `${key}-12-31`;
  if (period === "month") {
    const [y, m] = key.split("-").map(Number);
    return iso(new Date(Date.UTC(y, m, 0)));
  }
  const end = utc(key);
  end.setUTCDate(end.getUTCDate() + 6);
  return iso(end);
}

function keyOf(day, period) {
  if (period === "year") return day.slice(0, 4);
  if (period === "month") return day.slice(0, 7);
  const date = utc(day);
  date.setUTCDate(date.getUTCDate() - ((date.getUTCDay() + 6) % 7)); // back to Monday
  return iso(date);
}

function nextKey(key, period) {
  if (period === "year") return String(Number(key) + 1).padStart(4, "0");
  if (period === "month") {
    const [y, m] = key.split("-").map(Number);
    return m === 12
      ? `${String(y + 1).padStart(4, "0")}-01`
      : `${key.slice(0, 4)}-${String(m + 1).padStart(2, "0")}`;
  }
  const date = utc(key);
  date.setUTCDate(date.getUTCDate() + 7);
  return iso(date);
}

function periodLabel(key, period) {
  if (period === "year") return key;
  if (period === "month") return `${MONTHS[Number(key.slice(5, 7)) - 1]} ${key.slice(0, 4)}`;
  return `week of ${formatDay(key)}`;
}

/** Every period from the first to the last with events, zeros included, stretched to the chosen
 * dates where that does not make too many; null if too many even so. */
function periodsOf(stats, period) {
  return periodsBetween(stats, period, { stretch: true }) ?? periodsBetween(stats, period, {});
}

function periodsBetween(stats, period, { stretch = false }) {
  const values = new Map(stats.groups.map((g) => [g.key[period], g]));
  const keys = [...values.keys()].filter(Boolean).sort();
  if (!keys.length) return [];
  let first = keys[0];
  let last = keys[keys.length - 1];
  // Stretch to the chosen dates, so the range shows even where it holds nothing.
  for (const day of [state.filters.date_from, state.filters.date_to]) {
    if (!day || !stretch) continue;
    const key = keyOf(day, period);
    if (key < first) first = key;
    if (key > last) last = key;
  }
  const periods = [];
  for (let key = first; key <= last; key = nextKey(key, period)) {
    if (periods.length >= MAX_PERIODS) return null;
    const group = values.get(key);
    periods.push({
      key,
      start: periodStart(key, period),
      end: periodEnd(key, period),
      value: group ? METRICS[state.metric].value(group) : 0,
    });
  }
  return periods;
}

function inRange(p) {
  const { date_from: from, date_to: to } = state.filters;
  return (!from || p.end >= from) && (!to || p.start <= to);
}

function drawTimeline(periods, period) {
  const box = $("timeline");
  const metric = METRICS[state.metric];
  if (!periods.length) {
    box.replaceChildren(el("p", { class: "help" }, "No events to draw."));
    timeline = null;
    return;
  }
  const width = Math.max(280, box.clientWidth || 600);
  const height = 150;
  const top = 18;
  const bottom = 22;
  const max = Math.max(1, ...periods.map((p) => p.value));
  const step = Math.min(width / periods.length, 48); // a lone month is a bar, not a wall
  const chosen = state.filters.date_from || state.filters.date_to;
  const chart = svg("svg", {
    width: String(width),
    height: String(height),
    viewBox: `0 0 ${width} ${height}`,
    role: "group",
    "aria-label": `${metric.label} per ${period}`,
    class: "timeline-chart",
  });
  chart.append(
    svg("line", {
      x1: "0",
      x2: String(width),
      y1: String(height - bottom),
      y2: String(height - bottom),
      class: "axis",
    }),
  );
  const maxLabel = svg("text", { x: "2", y: "12", class: "tick" });
  maxLabel.textContent = `${amount(metric, Math.max(...periods.map((p) => p.value)))} (highest)`;
  chart.append(maxLabel);
  const focus = Math.max(
    0,
    periods.findIndex((p) => chosen && inRange(p)),
  );
  periods.forEach((p, index) => {
    const barHeight = p.value ? Math.max(2, ((height - top - bottom) * p.value) / max) : 0;
    const hit = svg("rect", {
      x: (index * step).toFixed(2),
      y: String(top),
      width: Math.max(step, 1).toFixed(2),
      height: String(height - top - bottom),
      class: "hit",
      "data-index": String(index),
    });
    const bar = svg("rect", {
      x: (index * step + Math.min(1, step * 0.1)).toFixed(2),
      y: (height - bottom - barHeight).toFixed(2),
      width: Math.max(step - Math.min(2, step * 0.2), 0.5).toFixed(2),
      height: barHeight.toFixed(2),
      class: `bar${chosen ? (inRange(p) ? " in-range" : " out-of-range") : ""}`,
      "data-index": String(index),
      "data-start": p.start,
      "data-end": p.end,
      "data-value": String(p.value),
      tabindex: index === focus ? "0" : "-1",
      role: "button",
      "aria-label": `${periodLabel(p.key, period)}: ${amount(metric, p.value)}`,
      "aria-pressed": String(Boolean(chosen) && inRange(p)),
    });
    const title = svg("title");
    title.textContent = bar.getAttribute("aria-label");
    bar.append(title);
    hit.append(title.cloneNode(true));
    chart.append(hit, bar);
  });
  // Axis labels, spaced so they do not collide.
  const every = Math.max(1, Math.ceil(90 / step));
  periods.forEach((p, index) => {
    if (index % every) return;
    const label = svg("text", {
      x: (index * step + 1).toFixed(1),
      y: String(height - 6),
      class: "tick",
    });
    label.textContent = period === "week" ? formatDay(p.key) : periodLabel(p.key, period);
    chart.append(label);
  });
  chart.addEventListener("pointerdown", startPick);
  chart.addEventListener("keydown", keyOnBar);
  const hadFocus = box.contains(document.activeElement);
  box.replaceChildren(chart);
  if (hadFocus) chart.querySelector('.bar[tabindex="0"]').focus(); // redrawn under the keyboard
  timeline = { periods, chart, step };
}

function indexAt(event) {
  const bounds = timeline.chart.getBoundingClientRect();
  const index = Math.floor((event.clientX - bounds.left) / timeline.step);
  return Math.min(timeline.periods.length - 1, Math.max(0, index));
}

function preview(from, to) {
  const [low, high] = from <= to ? [from, to] : [to, from];
  for (const bar of timeline.chart.querySelectorAll(".bar")) {
    const index = Number(bar.dataset.index);
    bar.classList.toggle("picking", index >= low && index <= high);
  }
}

function pick(from, to) {
  const [low, high] = from <= to ? [from, to] : [to, from];
  applyFilters({ date_from: timeline.periods[low].start, date_to: timeline.periods[high].end });
}

function startPick(event) {
  if (!timeline || event.button !== 0) return;
  event.preventDefault();
  const chart = timeline.chart;
  const anchor = indexAt(event);
  let current = anchor;
  chart.setPointerCapture(event.pointerId);
  preview(anchor, current);
  const move = (e) => {
    current = indexAt(e);
    preview(anchor, current);
  };
  const up = (e) => {
    chart.removeEventListener("pointermove", move);
    chart.removeEventListener("pointerup", up);
    chart.removeEventListener("pointercancel", cancel);
    pick(anchor, indexAt(e));
  };
  const cancel = () => {
    chart.removeEventListener("pointermove", move);
    chart.removeEventListener("pointerup", up);
    chart.removeEventListener("pointercancel", cancel);
    preview(-1, -1);
  };
  chart.addEventListener("pointermove", move);
  chart.addEventListener("pointerup", up);
  chart.addEventListener("pointercancel", cancel);
}

function keyOnBar(event) {
  const bar = event.target.closest?.(".bar");
  if (!bar || !timeline) return;
  const index = Number(bar.dataset.index);
  const last = timeline.periods.length - 1;
  const moves = { ArrowLeft: index - 1, ArrowRight: index + 1, Home: 0, End: last };
  if (event.key in moves) {
    event.preventDefault();
    const target = Math.min(last, Math.max(0, moves[event.key]));
    const bars = timeline.chart.querySelectorAll(".bar");
    bars[index].setAttribute("tabindex", "-1");
    bars[target].setAttribute("tabindex", "0");
    bars[target].focus();
  } else if (event.key === "Enter" || event.key === " ") {
    event.preventDefault();
    if (event.shiftKey && (state.filters.date_from || state.filters.date_to)) {
      const from =
        state.filters.date_from && state.filters.date_from < timeline.periods[index].start
          ? state.filters.date_from
          : timeline.periods[index].start;
      const to =
        state.filters.date_to && state.filters.date_to > timeline.periods[index].end
          ? state.filters.date_to
          : timeline.periods[index].end;
      applyFilters({ date_from: from, date_to: to });
    } else {
      pick(index, index);
    }
  }
}

function drawRange() {
  const { date_from: from, date_to: to } = state.filters;
  let text = "All dates";
  if (from && to) text = `From ${formatDay(from)} to ${formatDay(to)}`;
  else if (from) text = `From ${formatDay(from)}`;
  else if (to) text = `Up to ${formatDay(to)}`;
  $("range-text").textContent = text;
  $("clear-dates").hidden = !(from || to);
}


// ---------------------------------------------------------------- the list and the record

const FIGURES = [
  ["fatalities", "Killed"],
  ["families", "Families displaced"],
  ["individuals", "People displaced"],
];

/** A record's figures: what, as claimed, and whether every claim is of none. */
function figureLines(record) {
  return FIGURES.filter(([key]) => record[key]).map(([key, what]) => ({
    what,
    text: figureText(record[key], key),
    none: [record[key], ...(record[key].alternatives ?? [])].every(isNone),
  }));
}

/** Where, down to the country when the map is not on the record's own. */
function placeText(record) {
  const parts = [record.location, record.district, record.province].filter(Boolean);
  if (!parts.length || record.country !== view?.code) parts.push(countryName(record.country));
  return parts.join(", ");
}

function eventItem(record) {
  const figures = figureLines(record).map(({ what, text, none }) =>
    el("span", { class: "figure" }, none ? capital(text) : `${what}: ${text}`),
  );
  const button = el(
    "button",
    { type: "button", class: "event", "data-id": String(record.id), "aria-haspopup": "dialog" },
    el(
      "span",
      { class: "event-meta" },
      el("span", { class: `kind kind-${record.kind}` }, kindLabel(record)),
      ` ${formatSpan(record)} · ${placeText(record)}`,
    ),
    el("span", { class: "event-summary" }, record.summary),
    ...figures,
  );
  button.addEventListener("click", () => openEvent(record.id, button));
  return el("li", {}, button);
}

async function loadList(params, signal, { append }) {
  const page = await api(
    "v1/events",
    [...params, ["limit", String(PAGE_SIZE)], ["fields", LIST_FIELDS]],
    signal,
  );
  const list = $("events");
  const items = page.items.map(eventItem);
  if (append) list.append(...items);
  else list.replaceChildren(...items);
  nextCursor = page.next_cursor;
  $("more").hidden = !nextCursor;
  return list.children.length;
}

async function more() {
  if (!nextCursor) return;
  const button = $("more");
  button.disabled = true;
  try {
    const shown = await loadList([...filterParams(), ["cursor", nextCursor]], undefined, {
      append: true,
    });
    $("list-status").textContent = `${number(shown)} of ${number(matching)} shown, newest first.`;
    showMessage(null);
  } catch (error) {
    showMessage(error.message);
  } finally {
    button.disabled = false;
  }
}

function definition(term, ...details) {
  const shown = details.filter((d) => d !== null && d !== undefined && d !== "");
  return shown.length ? [el("dt", {}, term), el("dd", {}, ...shown)] : [];
}

function placeOf(place) {
  return place ? [place.location, place.district, place.province].filter(Boolean).join(", ") : null;
}

function renderEvent(record) {
  $("event-title").textContent =
    `${kindLabel(record)} in ${record.province ?? countryName(record.country)}`;
  const facts = [
    ...definition("When", formatSpan(record)),
    ...definition("Where", placeText(record)),
    ...definition(
      "Coordinates",
      record.latitude !== null && record.latitude !== undefined
        ? `${record.latitude}, ${record.longitude}${record.geo_source === "gazetteer" ? " (the province's centre; the record gives none)" : ""}`
        : null,
    ),
    ...definition(
      "Actors",
      record.actors.length ? record.actors.map((a) => `${a.name} (${a.role})`).join("; ") : null,
    ),
    ...figureLines(record).flatMap(({ what, text }) =>
      definition(what, el("span", { class: "claim" }, text)),
    ),
    ...definition("Outcome", record.outcome ? humanize(record.outcome) : null),
    ...definition(
      "Tactics",
      record.tactics?.length ? record.tactics.map(humanize).join(", ") : null,
    ),
    ...definition("From", placeOf(record.origin)),
    ...definition("To", placeOf(record.destination)),
    ...definition("Needs", record.needs?.length ? record.needs.join(", ") : null),
    ...definition("Milestone", record.milestone ? humanize(record.milestone) : null),
    ...definition("Force", record.force),
    ...definition("Facility", record.facility),
    ...definition("Handed to", record.handed_to),
    ...definition("Deadline", record.deadline ? formatDay(record.deadline) : null),
    ...definition(
      "Source's type",
      record.source_event_type
        ? [record.source_event_type, record.source_sub_event_type].filter(Boolean).join(" / ")
        : null,
    ),
    ...definition(
      "Dataset",
      record.dataset
        ? `${record.dataset}${record.external_id ? ` (${record.external_id})` : ""}`
        : null,
    ),
  ];
  const sources = record.sources.map((s) => {
    const title = s.url
      ? el("a", { href: s.url, rel: "noopener noreferrer" }, s.title ?? s.url)
      : s.title;
    const line = el(
      "p",
      { class: "source-line" },
      el("cite", {}, s.publisher),
      title ? ", " : null,
      title ?? null,
      s.published_on ? `, ${formatDay(s.published_on)}` : null,
    );
    return el("li", {}, line, s.quote ? el("blockquote", { class: "quote" }, s.quote) : null);
  });
  const recordLink = el(
    "a",
    { href: new URL(`v1/events/${record.id}`, API).pathname },
    `the record as JSON (id ${record.id}, version ${record.version})`,
  );
  $("event-body").replaceChildren(
    el("p", { class: "event-summary-full" }, record.summary),
    el("dl", { class: "facts" }, ...facts),
    el("h3", {}, record.sources.length === 1 ? "Source" : `Sources (${record.sources.length})`),
    record.sources.length
      ? el("ul", { class: "sources" }, ...sources)
      : el("p", {}, "No source given."),
    el("p", { class: "help" }, "See ", recordLink, "."),
  );
}

let opener = null;

async function openEvent(id, from = null) {
  opener = from;
  try {
    renderEvent(await api(`v1/events/${id}`));
  } catch (error) {
    showMessage(error.message);
    return;
  }
  state.event = id;
  writeUrl({ push: false });
  const dialog = $("event-dialog");
  if (!dialog.open) dialog.showModal();
  $("close-event").focus();
}

function closedEvent() {
  state.event = null;
  writeUrl({ push: false });
  if (opener?.isConnected) opener.focus();
  opener = null;
}

// ---------------------------------------------------------------- loading the views

function summaryText(total, where) {
  const parts = [`${plural(total.events, "event", "events")}${where ? ` ${where}` : ""}`];
  const figure = (what, f) => {
    if (!f.figures) return;
    const loose = Object.entries(f.qualifiers)
      .filter(([q, n]) => q !== "exact" && n)
      .map(([q, n]) => `${n} “${humanize(q)}”`);
    const claims = `${plural(f.figures, "claim", "claims")}${loose.length ? `, ${loose.join(", ")}` : ""}`;
    parts.push(`${number(f.sum)} ${what} (sum of ${claims})`);
  };
  figure("killed", total.fatalities);
  figure("families displaced", total.families);
  figure("people displaced", total.individuals);
  return `${parts.join(" · ")}.`;
}

/** The header: the chosen country's totals, or the world's with how many countries they span. */
function summarise(stats) {
  let where = `in ${countryName(view.code)}`;
  if (!view.code) {
    const span = new Set(stats.groups.map((g) => g.key.country));
    where =
      span.size === 1
        ? `in ${countryName([...span][0])}`
        : span.size
          ? `across ${number(span.size)} countries`
          : "";
  }
  $("summary").textContent = summaryText(stats.total, where);
  matching = stats.total.events;
  $("list-status").textContent = stats.total.events
    ? `${number(stats.total.events)} matching, newest first.`
    : "No event matches these filters.";
}

// Countries with province shapes, as the server says (index.html); null: ask /v1/provinces.geojson.
const SHAPED = (() => {
  const listed = document.querySelector('meta[name="province-shapes"]')?.content ?? "";
  return /^[A-Z]{3}(,[A-Z]{3})*$/.test(listed) ? new Set(listed.split(",")) : null;
})();

async function loadCountry(code) {
  const [provinces, shapes] = await Promise.all([
    api("v1/provinces", [["country", code]]),
    SHAPED && !SHAPED.has(code)
      ? null
      : api("v1/provinces.geojson", [["country", code]]).catch((error) => {
          if (error.status === 422) return null; // no shapes for this country: circles
          throw error;
        }),
  ]);
  return { provinces: provinces.items, shapes };
}

function countryData(code) {
  if (!countries.has(code)) {
    const promise = loadCountry(code);
    countries.set(code, promise);
    promise.catch(() => countries.delete(code)); // tried again next time
  }
  return countries.get(code);
}

/** Draw the map of the chosen country, or of the world, unless it is drawn already. */
async function showView() {
  const code = state.filters.country ?? null;
  if (view?.key === (code ?? "world")) return;
  let next;
  let problem = null;
  if (code) {
    try {
      next = countryView(code, await countryData(code));
    } catch (error) {
      problem = error;
    }
    if ((state.filters.country ?? null) !== code) return; // chosen otherwise meanwhile
  }
  // From the keyboard on the map, the new map's heading takes the focus (Tab goes on into it).
  const fromMap = document.querySelector(".map-panel").contains(document.activeElement);
  view = next ?? (worldMap ??= worldView());
  drawView();
  fillProvinces();
  if (fromMap) $("map-title").focus();
  if (problem) throw problem;
}

/** A province given as an alias or code reads as its name (in the form and the URL). */
function canonicalProvince() {
  const given = state.filters.province;
  const name = given && view.names?.get(given.toLowerCase());
  if (name && name !== given) {
    state.filters.province = name;
    fillProvinces();
    writeUrl({ push: false });
  }
}

async function refresh() {
  loading?.abort();
  loading = new AbortController();
  const signal = loading.signal;
  document.body.setAttribute("aria-busy", "true");
  drawRange();
  let shown = null;
  try {
    await showView();
  } catch (error) {
    shown = error;
  }
  if (signal.aborted) return;
  canonicalProvince();
  const all = filterParams();
  const period = state.period;
  let legend = null;
  const map = view.code
    ? [
        api("v1/stats", all, signal).then(summarise),
        api(
          "v1/stats",
          [...filterParams({ without: ["province"] }), ["group_by", "province"]],
          signal,
        ).then((stats) => {
          legend = drawChoropleth(stats);
        }),
        api(
          "v1/events.geojson",
          [...all, ["fields", "id,geo_source"], ["limit", String(MAX_POINTS)]],
          signal,
        ).then(drawPoints),
      ]
    : [
        api("v1/stats", [...all, ["group_by", "country"]], signal).then((stats) => {
          summarise(stats);
          legend = drawChoropleth(stats);
        }),
      ];
  if (!view.code) pointsCapped = false;
  const views = [
    ...map,
    api(
      "v1/stats",
      [...filterParams({ without: ["date_from", "date_to"] }), ["group_by", period]],
      signal,
    ).then((stats) => {
      const periods = periodsOf(stats, period);
      if (periods === null) {
        $("timeline").replaceChildren(
          el("p", { class: "help" }, `Too many ${period}s to draw: pick a longer period.`),
        );
        timeline = null;
      } else {
        drawTimeline(periods, period);
      }
    }),
    loadList(all, signal, { append: false }),
  ];
  const results = await Promise.allSettled(views);
  if (signal.aborted) return;
  const failed = results.find((r) => r.status === "rejected" && r.reason.name !== "AbortError");
  showMessage(shown?.message ?? (failed ? failed.reason.message : null));
  if (legend) drawLegend(legend); // after the points, which it counts
  document.body.removeAttribute("aria-busy");
  document.body.dataset.loaded = String(Number(document.body.dataset.loaded ?? 0) + 1);
}

// ---------------------------------------------------------------- start

/** With no country chosen, the page opens on the country the matching records are all in. */
async function openingCountry() {
  if (state.filters.country) return;
  try {
    const stats = await api("v1/stats", [...filterParams(), ["group_by", "country"]]);
    const [only, ...others] = stats.groups;
    if (only?.key.country && !others.length) state.filters.country = only.key.country;
  } catch {
    // the views, loaded next, say what is wrong
  }
}

async function start() {
  const [topology, actors] = await Promise.all([
    api("explorer/world.json"),
    api("v1/actors", [["limit", "1000"]]).catch(() => ({ items: [] })),
  ]);
  world = decodeWorld(topology);
  const names = [...world.names].sort((a, b) => a[1].localeCompare(b[1]));
  $("f-country").append(...names.map(([code, name]) => el("option", { value: code }, name)));
  $("actor-names").append(...actors.items.map((a) => el("option", { value: a.name })));

  readUrl();
  await openingCountry();
  fillForm();
  writeUrl({ push: false });
  $("filters").addEventListener("submit", (event) => {
    event.preventDefault();
    readForm();
    writeUrl({ push: true });
    refresh();
  });
  const changes = ["f-country", "f-province", "f-kind", "f-metric", "f-period"];
  for (const id of [...changes, "f-date-from", "f-date-to"]) {
    $(id).addEventListener("change", () => $("filters").requestSubmit());
  }
  $("clear-filters").addEventListener("click", () =>
    applyFilters(Object.fromEntries(FILTERS.filter((f) => f !== "country").map((f) => [f, ""]))),
  );
  $("to-world").addEventListener("click", () => openCountry(null));
  $("clear-dates").addEventListener("click", () => applyFilters({ date_from: "", date_to: "" }));
  $("more").addEventListener("click", more);
  $("close-event").addEventListener("click", () => $("event-dialog").close());
  $("event-dialog").addEventListener("close", closedEvent);
  $("event-dialog").addEventListener("click", (event) => {
    if (event.target === event.currentTarget) event.currentTarget.close(); // the backdrop
  });
  window.addEventListener("popstate", () => {
    readUrl();
    fillForm();
    refresh();
    if (!state.event && $("event-dialog").open) $("event-dialog").close();
  });
  let width = $("timeline").clientWidth;
  new ResizeObserver(() => {
    if ($("timeline").clientWidth !== width && timeline) {
      width = $("timeline").clientWidth;
      drawTimeline(timeline.periods, state.period);
    }
  }).observe($("timeline"));
  await refresh();
  if (state.event) openEvent(state.event);
}

start().catch((error) => {
  showMessage(error.message);
  $("summary").textContent = "The explorer could not start.";
});
