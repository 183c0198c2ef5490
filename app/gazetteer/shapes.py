"""Which admin-1 unit a point falls in, for the countries the gazetteer has polygons for.

The polygons stay on disk until a point is first asked about (imports of rows whose names do
not resolve); then each unit's rings and bounding box are kept.
"""

import csv
from functools import cache
from typing import Any

from app.gazetteer.gazetteer import DATA, Province, get_gazetteer, shape_features

Ring = list[tuple[float, float]]

# Countries with admin-1 polygons, and where they come from (see data/README.md).
SHAPES = {"AFG": "geoBoundaries ADM1 (simplified)"}


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
def _afghan_polygons() -> list[tuple[str, tuple[float, float, float, float], list[list[Ring]]]]:
    with (DATA / "provinces.csv").open(encoding="utf-8") as f:
        pcodes = {row["geoboundaries_iso"]: row["pcode"] for row in csv.DictReader(f)}
    found = []
    for feature in shape_features():
        polygons = _polygons(feature["geometry"])
        xs = [x for polygon in polygons for x, _ in polygon[0]]
        ys = [y for polygon in polygons for _, y in polygon[0]]
        pcode = pcodes[feature["properties"]["shapeISO"].replace("_", "-")]
        found.append((pcode, (min(xs), min(ys), max(xs), max(ys)), polygons))
    return found


def province_at(longitude: float, latitude: float, country: str) -> Province | None:
    """The admin-1 unit of `country` whose polygon holds the point, if the gazetteer has shapes."""
    if country != "AFG":
        return None
    for key, (x0, y0, x1, y1), polygons in _afghan_polygons():
        if not (x0 <= longitude <= x1 and y0 <= latitude <= y1):
            continue
        for outer, *holes in polygons:
            if _inside(longitude, latitude, outer) and not any(
                _inside(longitude, latitude, hole) for hole in holes
            ):
                return get_gazetteer().provinces[key]
    return None
