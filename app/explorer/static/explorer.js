// The explorer: a map, a timeline and a list over the public API (/v1), in plain JavaScript and
// SVG. It loads nothing from anywhere but this server, and keeps its state in the page's URL.

const API = new URL("../", import.meta.url); // this file is served at {root}/explorer/
const FILTERS = ["province", "date_from", "date_to", "actor", "kind", "q"];
const VIEW_DEFAULTS = { metric: "events", period: "month" };
const PAGE_SIZE = 25;
const MAX_POINTS = 5000;
const MAX_PERIODS = 1500;
const CLASSES = 5; // colour classes above zero (explorer.css: .q0 to .q5)
const SVG = "http://www.w3.org/2000/svg";
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
const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

const $ = (id) => document.getElementById(id);
const state = { filters: {}, metric: "events", period: "month", event: null };
let shapes = null; // [{pcode, name, d}]: the provinces, projected once
let projection = null;
const provinceNames = new Map(); // lower-case name, alias or p-code -> canonical name
const provincePcodes = new Map(); // canonical name -> p-code
const knownPcodes = new Set(); // the provinces on the map
const centroids = new Map(); // p-code -> [longitude, latitude]
const MAP_HINT = "Point at or focus a province to read its figure.";
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
  for (const [name, value] of Object.entries(attributes)) node.setAttribute(name, value);
  return node;
}

const number = (n) => n.toLocaleString("en");

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

/** A figure as its source claimed it: "more than 100, per Afghan Defense Ministry". */
function claimText(claim) {
  let text = `${QUALIFIERS[claim.qualifier] ?? ""}${number(claim.value)}`;
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

function figureText(figure) {
  const claims = [figure, ...(figure.alternatives ?? [])];
  return claims.map(claimText).join("; ");
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

class ApiProblem extends Error {}

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
    throw new ApiProblem(text);
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
  const province =
    state.filters.province && provinceNames.get(state.filters.province.toLowerCase());
  if (province) state.filters.province = province;
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

function fillForm() {
  const select = $("f-province");
  const wanted = state.filters.province ?? "";
  if (wanted && ![...select.options].some((o) => o.value === wanted)) {
    select.append(el("option", { value: wanted }, wanted)); // a place the gazetteer does not know
  }
  select.value = wanted;
  $("f-date-from").value = state.filters.date_from ?? "";
  $("f-date-to").value = state.filters.date_to ?? "";
  $("f-actor").value = state.filters.actor ?? "";
  $("f-kind").value = state.filters.kind ?? "";
  $("f-q").value = state.filters.q ?? "";
  $("f-metric").value = state.metric;
  $("f-period").value = state.period;
}

function readForm() {
  const values = {
    province: $("f-province").value,
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

// ---------------------------------------------------------------- the map

function project(features) {
  let minLon = Infinity;
  let maxLon = -Infinity;
  let minLat = Infinity;
  let maxLat = -Infinity;
  const each = (coordinates, visit) => {
    if (typeof coordinates[0] === "number") visit(coordinates);
    else for (const c of coordinates) each(c, visit);
  };
  for (const f of features) {
    each(f.geometry.coordinates, ([lon, lat]) => {
      minLon = Math.min(minLon, lon);
      maxLon = Math.max(maxLon, lon);
      minLat = Math.min(minLat, lat);
      maxLat = Math.max(maxLat, lat);
    });
  }
  // Equirectangular, shrunk east-west by the cosine of the middle latitude: true enough here.
  const k = Math.cos((((minLat + maxLat) / 2) * Math.PI) / 180);
  const width = 1000;
  const scale = width / ((maxLon - minLon) * k);
  const pad = 6;
  projection = {
    width: width + 2 * pad,
    height: (maxLat - minLat) * scale + 2 * pad,
    point: (lon, lat) => [pad + (lon - minLon) * k * scale, pad + (maxLat - lat) * scale],
  };
  const ring = (r) =>
    `M${r
      .map(([lon, lat]) =>
        projection
          .point(lon, lat)
          .map((v) => v.toFixed(1))
          .join(","),
      )
      .join("L")}Z`;
  return features
    .map((f) => {
      const polygons =
        f.geometry.type === "Polygon" ? [f.geometry.coordinates] : f.geometry.coordinates;
      return {
        pcode: f.properties.pcode,
        name: f.properties.name,
        d: polygons.flat().map(ring).join(""),
      };
    })
    .sort((a, b) => a.name.localeCompare(b.name));
}

function drawMapOutline() {
  const map = $("map");
  map.setAttribute("viewBox", `0 0 ${projection.width.toFixed(0)} ${projection.height.toFixed(0)}`);
  const provinces = svg("g", { class: "provinces" });
  for (const shape of shapes) {
    const path = svg("path", {
      id: `province-${shape.pcode}`,
      class: "province q0",
      d: shape.d,
      tabindex: "0",
      role: "button",
      "aria-pressed": "false",
      "data-pcode": shape.pcode,
      "data-name": shape.name,
      "aria-label": shape.name,
    });
    path.append(svg("title"));
    path.addEventListener("click", () => toggleProvince(shape));
    path.addEventListener("keydown", (event) => {
      if (event.key === "Enter" || event.key === " ") {
        event.preventDefault();
        toggleProvince(shape);
      }
    });
    path.addEventListener("pointerenter", () => pointAt(shape));
    path.addEventListener("focus", () => pointAt(shape));
    path.addEventListener("pointerleave", () => pointAt(null));
    path.addEventListener("blur", () => pointAt(null));
    provinces.append(path);
  }
  const overlay = svg("g", { class: "overlay", "aria-hidden": "true" });
  overlay.append(svg("path", { id: "selected-outline", class: "selected-outline" }));
  overlay.append(svg("path", { id: "hover-outline", class: "hover-outline" }));
  const labels = svg("g", { class: "labels", "aria-hidden": "true" });
  const points = svg("g", { class: "points", "aria-hidden": "true" });
  map.append(provinces, overlay, points, labels);
}

function toggleProvince(shape) {
  applyFilters({ province: state.filters.province === shape.name ? "" : shape.name });
}

function pointAt(shape) {
  const outline = $("hover-outline");
  if (!shape) {
    outline.removeAttribute("d");
    $("map-info").textContent = MAP_HINT;
    $("map-info").classList.add("hint");
    return;
  }
  outline.setAttribute("d", shape.d);
  $("map-info").classList.remove("hint");
  $("map-info").textContent = document
    .getElementById(`province-${shape.pcode}`)
    .getAttribute("aria-label");
}

function classOf(value, max) {
  return value > 0 && max > 0 ? Math.min(CLASSES, Math.ceil((value / max) * CLASSES)) : 0;
}

function drawChoropleth(stats) {
  const metric = METRICS[state.metric];
  const values = new Map();
  let unmapped = 0;
  for (const group of stats.groups) {
    const pcode = group.key.province_pcode;
    if (pcode && knownPcodes.has(pcode)) {
      values.set(pcode, metric.value(group));
    } else {
      unmapped += group.events;
    }
  }
  const max = Math.max(0, ...values.values());
  const selected = state.filters.province ? provincePcodes.get(state.filters.province) : null;
  for (const shape of shapes) {
    const path = document.getElementById(`province-${shape.pcode}`);
    const value = values.get(shape.pcode) ?? 0;
    const level = classOf(value, max);
    path.setAttribute("class", `province q${level}`);
    path.dataset.value = String(value);
    path.dataset.class = String(level);
    const label = `${shape.name}: ${amount(metric, value)}`;
    path.setAttribute("aria-label", label + (shape.pcode === selected ? " (selected)" : ""));
    path.setAttribute("aria-pressed", String(shape.pcode === selected));
    path.querySelector("title").textContent = label;
  }
  const outline = $("selected-outline");
  const chosen = shapes.find((shape) => shape.pcode === selected);
  if (chosen) outline.setAttribute("d", chosen.d);
  else outline.removeAttribute("d");
  drawLabels(values, selected);
  return { max, metric, unmapped };
}

/** Names on the map where there is something to see, and on the chosen province. */
function drawLabels(values, selected) {
  const labels = [];
  for (const shape of shapes) {
    const centre = centroids.get(shape.pcode);
    if (!centre || !(values.get(shape.pcode) > 0 || shape.pcode === selected)) continue;
    const [x, y] = projection.point(...centre);
    const label = svg("text", { x: x.toFixed(1), y: y.toFixed(1), class: "label" });
    label.textContent = shape.name;
    labels.push(label);
  }
  $("map")
    .querySelector(".labels")
    .replaceChildren(...labels);
}

function drawLegend({ max, metric, unmapped }) {
  const legend = $("legend");
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
  const children = [
    el("p", { class: "legend-title" }, `Colour: ${metric.label} per province`),
    el("ul", {}, ...items),
  ];
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
        ` ${number(points)} ${points === 1 ? "event" : "events"} at their own coordinates`,
      ),
    );
  if (unmapped)
    children.push(
      el(
        "p",
        {},
        `${number(unmapped)} matching events have no Afghan province and are not on the map.`,
      ),
    );
  legend.replaceChildren(...children);
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
    const [x, y] = projection.point(lon, lat);
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

function figureLines(record) {
  const lines = [];
  if (record.fatalities) lines.push(["Killed", figureText(record.fatalities)]);
  if (record.families) lines.push(["Families displaced", figureText(record.families)]);
  if (record.individuals) lines.push(["People displaced", figureText(record.individuals)]);
  return lines;
}

function placeText(record) {
  return (
    [record.location, record.district, record.province].filter(Boolean).join(", ") || record.country
  );
}

function eventItem(record) {
  const figures = figureLines(record).map(([what, text]) =>
    el("span", { class: "figure" }, `${what}: ${text}`),
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
  $("event-title").textContent = `${kindLabel(record)} in ${record.province ?? record.country}`;
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
    ...figureLines(record).flatMap(([what, text]) =>
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

function summaryText(total) {
  const parts = [`${number(total.events)} ${total.events === 1 ? "event" : "events"}`];
  const figure = (what, f) => {
    if (!f.figures) return;
    const loose = Object.entries(f.qualifiers)
      .filter(([q, n]) => q !== "exact" && n)
      .map(([q, n]) => `${n} “${humanize(q)}”`);
    const claims = `${number(f.figures)} ${f.figures === 1 ? "claim" : "claims"}${loose.length ? `, ${loose.join(", ")}` : ""}`;
    parts.push(`${number(f.sum)} ${what} (sum of ${claims})`);
  };
  figure("killed", total.fatalities);
  figure("families displaced", total.families);
  figure("people displaced", total.individuals);
  return `${parts.join(" · ")}.`;
}

async function refresh() {
  loading?.abort();
  loading = new AbortController();
  const signal = loading.signal;
  document.body.setAttribute("aria-busy", "true");
  drawRange();
  const all = filterParams();
  const period = state.period;
  let legend = null;
  const views = [
    api("v1/stats", all, signal).then((stats) => {
      $("summary").textContent = summaryText(stats.total);
      matching = stats.total.events;
      $("list-status").textContent = stats.total.events
        ? `${number(stats.total.events)} matching, newest first.`
        : "No event matches these filters.";
    }),
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
    ).then((points) => {
      drawPoints(points);
    }),
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
  showMessage(failed ? failed.reason.message : null);
  if (legend) drawLegend(legend); // after the points, which it counts
  document.body.removeAttribute("aria-busy");
  document.body.dataset.loaded = String(Number(document.body.dataset.loaded ?? 0) + 1);
}

// ---------------------------------------------------------------- start

async function start() {
  const [geojson, provinces, actors] = await Promise.all([
    api("v1/provinces.geojson"),
    api("v1/provinces"),
    api("v1/actors", [["limit", "1000"]]).catch(() => ({ items: [] })),
  ]);
  for (const p of provinces.items) {
    for (const name of [p.name, p.pcode, p.iso_3166_2, ...p.aliases.map((a) => a.name)]) {
      if (name) provinceNames.set(name.toLowerCase(), p.name);
    }
    if (p.pcode) provincePcodes.set(p.name, p.pcode);
    if (p.pcode && p.centroid) centroids.set(p.pcode, [p.centroid.longitude, p.centroid.latitude]);
  }
  $("f-province").append(
    ...provinces.items.map((p) =>
      el("option", { value: p.name }, p.country === "AFG" ? p.name : `${p.name} (${p.country})`),
    ),
  );
  $("actor-names").append(...actors.items.map((a) => el("option", { value: a.name })));
  shapes = project(geojson.features);
  for (const shape of shapes) knownPcodes.add(shape.pcode);
  drawMapOutline();
  pointAt(null);

  readUrl();
  fillForm();
  writeUrl({ push: false }); // a province given as an alias or p-code reads as its name
  $("filters").addEventListener("submit", (event) => {
    event.preventDefault();
    readForm();
    writeUrl({ push: true });
    refresh();
  });
  for (const id of ["f-province", "f-kind", "f-metric", "f-period", "f-date-from", "f-date-to"]) {
    $(id).addEventListener("change", () => $("filters").requestSubmit());
  }
  $("clear-filters").addEventListener("click", () =>
    applyFilters(Object.fromEntries(FILTERS.map((f) => [f, ""]))),
  );
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
