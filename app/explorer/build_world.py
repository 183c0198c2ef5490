"""Build static/world.json, the explorer's country shapes, from the world-atlas npm package.

Run by hand, when the shapes are to change (the page does not need it: world.json is committed):

    cd /tmp && npm pack world-atlas@2.0.2 && tar xzf world-atlas-2.0.2.tgz
    .venv/bin/python -m app.explorer.build_world /tmp/package/countries-50m.json

world-atlas (ISC licence, static/world-atlas-LICENSE.txt) is Natural Earth's 1:50m admin-0
countries (public domain) as TopoJSON, each country keyed by its ISO 3166-1 numeric code. This
keeps the topology (borders shared, so small) and its quantization, and
- keys each country by its alpha-3 code, the API's `country` (pycountry, from the numeric code);
  Natural Earth's units without one join the country records name them under: Kosovo is XKX (as
  UCDP and ACLED code it), Northern Cyprus CYP, Somaliland SOM, the Australian Indian Ocean
  territories AUS; the Siachen Glacier stays land of no country, and Antarctica is left out;
- simplifies each border (Douglas-Peucker, TOLERANCE), shared borders alike on both sides;
- adds `names`: a short English name for every code the API takes, mapped or not.
"""

import json
import math
import sys
from pathlib import Path
from typing import Any

import pycountry

OUT = Path(__file__).parent / "static" / "world.json"
TOLERANCE = 0.02  # degrees (about 2 km): far below a pixel of the world map
SOURCE = "Natural Earth 1:50m admin-0 countries (public domain), via world-atlas 2.0.2 (ISC)"

# Natural Earth units with no ISO numeric code: the country records use for them.
BY_NAME = {
    "Kosovo": "XKX",
    "N. Cyprus": "CYP",
    "Somaliland": "SOM",
    "Indian Ocean Ter.": "AUS",
    "Siachen Glacier": None,  # disputed; drawn as land
}
LEFT_OUT = {"ATA"}  # Antarctica: no records, and the map stops at 60° south
# pycountry's official forms that read badly in a map's label.
SHORT_NAMES = {
    "BRN": "Brunei",
    "COD": "DR Congo",
    "COG": "Congo",
    "FLK": "Falkland Islands",
    "FSM": "Micronesia",
    "PSE": "Palestine",
    "RUS": "Russia",
    "VAT": "Vatican City",
    "VGB": "British Virgin Islands",
    "VIR": "US Virgin Islands",
    "XKX": "Kosovo",
}


def names() -> dict[str, str]:
    """Every code the API's `country` takes (app.core.types), with a short name."""
    found = {c.alpha_3: getattr(c, "common_name", None) or c.name for c in pycountry.countries}
    return dict(sorted((found | SHORT_NAMES).items()))


def code_of(geometry: dict[str, Any]) -> str | None:
    name = geometry.get("properties", {}).get("name")
    if "id" not in geometry:
        if name not in BY_NAME:
            raise SystemExit(f"no code for {name!r}: add it to BY_NAME")
        return BY_NAME[name]
    country = pycountry.countries.get(numeric=geometry["id"])
    if country is None:
        raise SystemExit(f"unknown ISO numeric code {geometry['id']} ({name})")
    return str(country.alpha_3)


def polygons(geometry: dict[str, Any]) -> list[list[list[int]]]:
    if geometry["type"] == "Polygon":
        return [geometry["arcs"]]
    if geometry["type"] == "MultiPolygon":
        return list(geometry["arcs"])
    raise SystemExit(f"unexpected geometry {geometry['type']}")


def _distance(p: tuple[float, float], a: tuple[float, float], b: tuple[float, float]) -> float:
    (x, y), (x1, y1), (x2, y2) = p, a, b
    dx, dy = x2 - x1, y2 - y1
    if dx == dy == 0:
        return math.hypot(x - x1, y - y1)
    t = max(0.0, min(1.0, ((x - x1) * dx + (y - y1) * dy) / (dx * dx + dy * dy)))
    return math.hypot(x - x1 - t * dx, y - y1 - t * dy)


def simplify(points: list[tuple[float, float]], tolerance: float) -> list[int]:
    """Douglas-Peucker: the indexes of the points kept, first and last always."""
    keep = {0, len(points) - 1}
    stack = [(0, len(points) - 1)]
    while stack:
        first, last = stack.pop()
        far, index = 0.0, -1
        for i in range(first + 1, last):
            d = _distance(points[i], points[first], points[last])
            if d > far:
                far, index = d, i
        if index >= 0 and far > tolerance:
            keep.add(index)
            stack += [(first, index), (index, last)]
    return sorted(keep)


def simplified_arcs(topology: dict[str, Any]) -> list[list[list[int]]]:
    """Each arc simplified, still delta-encoded on the same grid. An arc that closes a ring on
    its own keeps at least four points, so the ring keeps an area."""
    (sx, sy), _ = topology["transform"]["scale"], topology["transform"]["translate"]
    arcs = []
    for arc in topology["arcs"]:
        x = y = 0
        grid = []
        for dx, dy in arc:
            x, y = x + dx, y + dy
            grid.append((x, y))
        kept = simplify([(gx * sx, gy * sy) for gx, gy in grid], TOLERANCE)
        if grid[0] == grid[-1] and len(kept) < 4:
            kept = sorted({0, len(grid) // 3, 2 * len(grid) // 3, len(grid) - 1})
        previous = (0, 0)
        encoded = []
        for i in kept:
            encoded.append([grid[i][0] - previous[0], grid[i][1] - previous[1]])
            previous = grid[i]
        arcs.append(encoded)
    return arcs


def build(source: Path) -> dict[str, Any]:
    topology = json.loads(source.read_text(encoding="utf-8"))
    grouped: dict[str | None, list[list[list[int]]]] = {}
    for geometry in topology["objects"]["countries"]["geometries"]:
        code = code_of(geometry)
        if code in LEFT_OUT:
            continue
        grouped.setdefault(code, []).extend(polygons(geometry))
    # Only the arcs the countries kept, renumbered (~i is arc i reversed).
    rings = [ring for parts in grouped.values() for polygon in parts for ring in polygon]
    used = sorted({a if a >= 0 else ~a for ring in rings for a in ring})
    number = {old: new for new, old in enumerate(used)}
    arcs = simplified_arcs(topology)
    geometries = []
    for code, parts in sorted(grouped.items(), key=lambda item: item[0] or ""):
        renumbered = [
            [[number[a] if a >= 0 else ~number[~a] for a in ring] for ring in polygon]
            for polygon in parts
        ]
        shape: dict[str, Any] = (
            {"type": "Polygon", "arcs": renumbered[0]}
            if len(renumbered) == 1
            else {"type": "MultiPolygon", "arcs": renumbered}
        )
        if code:
            shape["id"] = code
        geometries.append(shape)
    return {
        "type": "Topology",
        "source": SOURCE,
        "transform": topology["transform"],
        "objects": {"countries": {"type": "GeometryCollection", "geometries": geometries}},
        "arcs": [arcs[old] for old in used],
        "names": names(),
    }


def main() -> None:
    if len(sys.argv) != 2:
        raise SystemExit("usage: python -m app.explorer.build_world PATH/countries-50m.json")
    world = build(Path(sys.argv[1]))
    OUT.write_text(json.dumps(world, separators=(",", ":"), ensure_ascii=False) + "\n")
    countries = sum(1 for g in world["objects"]["countries"]["geometries"] if "id" in g)
    points = sum(len(a) for a in world["arcs"])
    sys.stdout.write(f"{OUT}: {countries} countries, {points} points\n")


if __name__ == "__main__":
    main()
