"""The gazetteer, built once per process from the bundled OCHA and geoBoundaries files."""

import csv
import itertools
import json
from collections import defaultdict
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from app.core.normalize import closest, name_key

DATA = Path(__file__).parent / "data"
COUNTRY = "AFG"


@dataclass(frozen=True, slots=True)
class Alias:
    name: str
    source: str


@dataclass(frozen=True, slots=True)
class Province:
    pcode: str
    name: str
    iso_3166_2: str
    aliases: tuple[Alias, ...]
    centroid: tuple[float, float] | None  # (longitude, latitude)

    @property
    def acled_name(self) -> str:
        return next((a.name for a in self.aliases if a.source == "acled"), self.name)


@dataclass(frozen=True, slots=True)
class District:
    pcode: str
    name: str
    province_pcode: str
    aliases: tuple[Alias, ...]


def _ring_centroid(ring: list[list[float]]) -> tuple[float, float, float]:
    """Signed area and area-weighted centroid of one polygon ring (shoelace formula)."""
    area = cx = cy = 0.0
    for (x0, y0), (x1, y1) in itertools.pairwise(ring):
        cross = x0 * y1 - x1 * y0
        area += cross
        cx += (x0 + x1) * cross
        cy += (y0 + y1) * cross
    area /= 2
    if area == 0:
        return 0.0, ring[0][0], ring[0][1]
    return area, cx / (6 * area), cy / (6 * area)


def polygon_centroid(geometry: dict[str, Any]) -> tuple[float, float]:
    """Centroid of a GeoJSON Polygon or MultiPolygon, holes subtracted."""
    polygons = geometry["coordinates"]
    if geometry["type"] == "Polygon":
        polygons = [polygons]
    total = sx = sy = 0.0
    for polygon in polygons:
        for index, ring in enumerate(polygon):
            area, x, y = _ring_centroid([pt[:2] for pt in ring])
            weight = abs(area) if index == 0 else -abs(area)
            total += weight
            sx += x * weight
            sy += y * weight
    return round(sx / total, 5), round(sy / total, 5)


class Gazetteer:
    def __init__(self, provinces: list[Province], districts: list[District]) -> None:
        self.provinces = {p.pcode: p for p in provinces}
        self.districts = {d.pcode: d for d in districts}
        self._province_index: dict[str, str] = {}
        for province in provinces:
            for text in (province.pcode, province.iso_3166_2, province.name):
                self._province_index[name_key(text)] = province.pcode
            for alias in province.aliases:
                self._province_index.setdefault(name_key(alias.name), province.pcode)
        self._district_index: dict[str, list[str]] = defaultdict(list)
        for district in districts:
            keys = {name_key(district.pcode), name_key(district.name)}
            keys |= {name_key(alias.name) for alias in district.aliases}
            for key in keys:
                self._district_index[key].append(district.pcode)

    def find_province(self, text: str) -> Province | None:
        pcode = self._province_index.get(name_key(text))
        return self.provinces[pcode] if pcode else None

    def find_districts(self, text: str, *, province_pcode: str | None = None) -> list[District]:
        found = [self.districts[p] for p in self._district_index.get(name_key(text), [])]
        if province_pcode:
            found = [d for d in found if d.province_pcode == province_pcode]
        return found

    def suggest_provinces(self, text: str) -> list[str]:
        names = [p.name for p in self.provinces.values()]
        names += [a.name for p in self.provinces.values() for a in p.aliases]
        return self._canonical(closest(text, names), self.find_province)

    def suggest_districts(self, text: str, *, province_pcode: str | None = None) -> list[str]:
        districts = [
            d
            for d in self.districts.values()
            if province_pcode is None or d.province_pcode == province_pcode
        ]
        names = [d.name for d in districts] + [a.name for d in districts for a in d.aliases]
        found = closest(text, names)
        return list(dict.fromkeys(d.name for n in found for d in self.find_districts(n)))

    @staticmethod
    def _canonical(names: list[str], lookup: Any) -> list[str]:
        return list(dict.fromkeys(lookup(n).name for n in names))


def shape_features() -> list[dict[str, Any]]:
    """The bundled geoBoundaries province polygons (GeoJSON features), as the file has them."""
    with (DATA / "geoboundaries-afg-adm1-simplified.geojson").open(encoding="utf-8") as f:
        features: list[dict[str, Any]] = json.load(f)["features"]
    return features


def _load_shapes() -> dict[str, tuple[str, tuple[float, float]]]:
    """geoBoundaries ISO code -> (its name for the province, centroid of its polygon)."""
    features = shape_features()
    return {
        f["properties"]["shapeISO"].replace("_", "-"): (
            f["properties"]["shapeName"],
            polygon_centroid(f["geometry"]),
        )
        for f in features
    }


@cache
def get_gazetteer() -> Gazetteer:
    shapes = _load_shapes()
    provinces = []
    with (DATA / "provinces.csv").open(encoding="utf-8") as f:
        for row in csv.DictReader(f):
            shape_name, centroid = shapes[row["geoboundaries_iso"]]
            aliases = [
                Alias(row["ocha_name"], "ocha"),
                Alias(row["acled_name"], "acled"),
                Alias(shape_name, "geoboundaries"),
            ]
            aliases += [Alias(n, "other") for n in row["other_names"].split("|") if n]
            provinces.append(
                Province(
                    pcode=row["pcode"],
                    name=row["name"],
                    iso_3166_2=row["iso_3166_2"],
                    aliases=tuple(a for a in aliases if a.name != row["name"]),
                    centroid=centroid,
                )
            )
    with (DATA / "districts-overrides.csv").open(encoding="utf-8") as f:
        overrides = {row["pcode"]: row for row in csv.DictReader(f)}
    districts = []
    with (DATA / "ocha-pcodes-afg-adm1-adm2.csv").open(encoding="utf-8") as f:
        for row in csv.DictReader(f):
            if row["Admin Level"] != "2":
                continue
            pcode, ocha_name = row["P-Code"], row["Name"]
            override = overrides.get(pcode)
            name = override["name"] if override else ocha_name
            aliases = [Alias(ocha_name, "ocha")] if ocha_name != name else []
            if override:
                aliases += [Alias(n, "other") for n in override["other_names"].split("|") if n]
            districts.append(District(pcode, name, row["Parent P-Code"], tuple(aliases)))
    return Gazetteer(provinces, districts)
