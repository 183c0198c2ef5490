"""Admin-1 polygons: which unit a point falls in, and each country's polygons for maps.

Afghanistan's come from geoBoundaries; the other countries' from Natural Earth, where its units
are the ones records use (data/world/shapes.csv lists them; see data/README.md). The polygons
stay on disk until a country's are first asked for (an import placing a row by its point, or
/v1/provinces.geojson); then its rings and bounding boxes are kept.
"""

import csv
import json
from functools import cache
from typing import Any

from app.gazetteer.gazetteer import HOME, WORLD, Province, afghan_features, get_gazetteer

Ring = list[tuple[float, float]]
Box = tuple[float, float, float, float]

GEOBOUNDARIES = "geoBoundaries ADM1 (simplified)"
NATURAL_EARTH = "Natural Earth 1:10m admin-1 (simplified)"


def _countries() -> dict[str, str]:
    found = {HOME: GEOBOUNDARIES}
    with (WORLD / "shapes.csv").open(encoding="utf-8") as f:
        for row in csv.DictReader(f):
            if int(row["units_with_shapes"]):
                found[row["country"]] = NATURAL_EARTH
    return found


# Countries with admin-1 polygons, and where they come from.
SHAPES = _countries()


def _inside(x: float, y: float, ring: Ring) -> bool:
    """Ray casting: whether (x, y) is inside the closed ring."""
    inside = False
    j = len(ring) - 1
    for i, (xi, yi) in enumerate(ring):
        xj, yj = ring[j]
        if (yi > y) != (yj > y) and x < (xj - xi) * (y - yi) / (yj - yi) + xi:
            inside = not inside
        j = i
    return inside


def _polygons(geometry: dict[str, Any]) -> list[list[Ring]]:
    polygons = geometry["coordinates"]
    if geometry["type"] == "Polygon":
        polygons = [polygons]
    return [
        [[(float(p[0]), float(p[1])) for p in ring] for ring in polygon] for polygon in polygons
    ]


@cache
def features(country: str) -> tuple[tuple[str, dict[str, Any]], ...]:
    """(unit key, GeoJSON geometry) of each polygon of `country` (none if it has no shapes)."""
    if country == HOME:
        return tuple((pcode, f["geometry"]) for pcode, f in afghan_features())
    if country not in SHAPES:
        return ()
    with (WORLD / "shapes" / f"{country}.geojson").open(encoding="utf-8") as f:
        collection = json.load(f)
    return tuple((feature["id"], feature["geometry"]) for feature in collection["features"])


@cache
def _rings(country: str) -> list[tuple[str, Box, list[list[Ring]]]]:
    found = []
    for key, geometry in features(country):
        polygons = _polygons(geometry)
        xs = [x for polygon in polygons for x, _ in polygon[0]]
        ys = [y for polygon in polygons for _, y in polygon[0]]
        found.append((key, (min(xs), min(ys), max(xs), max(ys)), polygons))
    return found


def province_at(longitude: float, latitude: float, country: str) -> Province | None:
    """The admin-1 unit of `country` whose polygon holds the point, if the gazetteer has shapes."""
    for key, (x0, y0, x1, y1), polygons in _rings(country):
        if not (x0 <= longitude <= x1 and y0 <= latitude <= y1):
            continue
        for outer, *holes in polygons:
            if _inside(longitude, latitude, outer) and not any(
                _inside(longitude, latitude, hole) for hole in holes
            ):
                return get_gazetteer().provinces.get(key)
    return None
