"""The gazetteer, built once per process from the bundled files: every country's admin-1 units
(ISO 3166-2 joined with OCHA's p-codes), OCHA's admin-2 units, and their aliases.

Names are matched exactly, after folding (app.core.normalize.place_key: case, accents,
punctuation, spacing and a unit-type word); codes (ISO 3166-2 'UA-63', p-codes 'UA63') are matched
as written, upper-cased. Nothing here guesses: a close miss is only ever a suggestion.
"""

import csv
import itertools
import json
from collections import defaultdict
from dataclasses import dataclass, replace
from functools import cache
from pathlib import Path
from typing import Any, TypeVar

from app.core.normalize import closest_keyed, code_key, keyed, name_key, place_key

DATA = Path(__file__).parent / "data"
WORLD = DATA / "world"
HOME = "AFG"  # the country with a curated district layer, polygons, and the report reader

# When one folded name belongs to several units of a country, the unit whose name it is by the
# best source keeps it: its own name or code first, then OCHA's and ISO's names, then curated
# spellings, then the iso3166-2 package's alternates (which hold some mistakes). At equal rank
# the name stays ambiguous and a lookup lists each unit.
_RANK = {"self": 0, "ocha": 1, "iso": 1, "geoboundaries": 2, "iso3166-2": 4, "naturalearth": 4}
_CURATED_RANK = 2


def _rank(source: str) -> int:
    return _RANK.get(source, _CURATED_RANK)


@dataclass(frozen=True, slots=True)
class Alias:
    name: str
    source: str


@dataclass(frozen=True, slots=True)
class Province:
    """An admin-1 unit. `key` is what records store and group by: the p-code, else ISO's code."""

    id: str  # ISO 3166-2 code; OCHA's p-code for a unit ISO does not list
    country: str  # ISO 3166-1 alpha-3
    name: str
    pcode: str | None
    iso_3166_2: str | None
    type: str | None
    aliases: tuple[Alias, ...]
    centroid: tuple[float, float] | None  # (longitude, latitude)
    centroid_source: str | None = None

    @property
    def key(self) -> str:
        return self.pcode or self.id

    @property
    def acled_name(self) -> str:
        return next((a.name for a in self.aliases if a.source == "curated:acled"), self.name)


@dataclass(frozen=True, slots=True)
class District:
    """An admin-2 unit, by OCHA p-code (valid from `valid_from`: p-codes are reused)."""

    pcode: str
    name: str
    province_pcode: str  # the key of its admin-1 unit
    aliases: tuple[Alias, ...]
    country: str = HOME
    valid_from: str | None = None

    @property
    def key(self) -> str:
        return self.pcode


_Unit = TypeVar("_Unit", Province, District)


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


def _index(
    units: list[tuple[str, str, list[tuple[str, int]]]],
) -> dict[str, tuple[str, ...]]:
    """folded name -> unit keys, from (key, country, [(name, rank)]), settled per country."""
    best: dict[tuple[str, str], dict[str, int]] = defaultdict(dict)
    for key, country, names in units:
        for name, rank in names:
            folded = place_key(name)
            if folded:
                owners = best[(folded, country)]
                owners[key] = min(rank, owners.get(key, rank))
    index: dict[str, list[str]] = defaultdict(list)
    for (folded, _country), owners in best.items():
        top = min(owners.values())
        index[folded] += sorted(k for k, r in owners.items() if r == top)
    return {k: tuple(v) for k, v in index.items()}


class Gazetteer:
    def __init__(self, provinces: list[Province], districts: list[District]) -> None:
        self.countries = {p.country for p in provinces}
        self._spelling_cache: dict[str | None, tuple[dict[str, str], dict[str, Province]]] = {}
        self._district_spelling_cache: dict[
            tuple[str | None, str | None], tuple[dict[str, str], dict[str, District]]
        ] = {}
        self._codes: dict[str, str] = {}
        # A code typed with its punctuation changed ('af kab', 'UA 63'): found when only one
        # unit's code folds that way (ISO's 'UA-63' and a p-code 'UA63' may name two units).
        folded: dict[str, set[str]] = defaultdict(set)
        for province in provinces:
            for code in (province.iso_3166_2, province.pcode):
                if code:
                    self._codes[code_key(code)] = province.key
                    folded[name_key(code)].add(province.key)
        self._district_codes = {code_key(d.pcode): d.pcode for d in districts}
        self._folded_codes = {k: next(iter(v)) for k, v in folded.items() if len(v) == 1}
        self._province_index = _index(
            [
                (p.key, p.country, [(p.name, 0), *((a.name, _rank(a.source)) for a in p.aliases)])
                for p in provinces
            ]
        )
        self._district_index = _index(
            [
                (
                    d.pcode,
                    d.province_pcode,  # settled per province: a district is named within it
                    [(d.name, 0), *((a.name, _rank(a.source)) for a in d.aliases)],
                )
                for d in districts
            ]
        )
        # A unit lists the aliases that find it: one another unit of its country owns by a
        # better source (an iso3166-2 alternate that is another state's name) is left out.
        self.provinces = {p.key: self._finding(p, p.key, self._province_index) for p in provinces}
        self.districts = {
            d.pcode: self._finding(d, d.pcode, self._district_index) for d in districts
        }
        self._by_country: dict[str, list[Province]] = defaultdict(list)
        for province in self.provinces.values():
            self._by_country[province.country].append(province)
        self._districts_by_country: dict[str, list[District]] = defaultdict(list)
        for district in self.districts.values():
            self._districts_by_country[district.country].append(district)

    @staticmethod
    def _finding(unit: _Unit, key: str, index: dict[str, tuple[str, ...]]) -> _Unit:
        """The unit with the aliases that find it (copied only when one is left out: most
        keep all theirs, and a copy of each of 30,000 districts cost a process start 0.15 s)."""
        finding = tuple(a for a in unit.aliases if key in index.get(place_key(a.name), ()))
        return unit if len(finding) == len(unit.aliases) else replace(unit, aliases=finding)

    def warm(self) -> None:
        """Build what a close miss's suggestions are made from, so no request waits for it."""
        self._spellings(None)
        self._district_spellings(None, None)

    # Provinces ---------------------------------------------------------------------------

    def find_provinces(self, text: str, *, country: str | None = None) -> list[Province]:
        """Every admin-1 unit `text` names exactly (in `country`, if given)."""
        code = self._codes.get(code_key(text))
        keys: tuple[str, ...] = (code,) if code else self._province_index.get(place_key(text), ())
        if not keys and name_key(text) in self._folded_codes:  # a name first: 'Ruse' is not RU-SE
            keys = (self._folded_codes[name_key(text)],)
        found = [self.provinces[k] for k in keys]
        if country is not None:
            found = [p for p in found if p.country == country]
        return found

    def find_province(self, text: str, *, country: str | None = HOME) -> Province | None:
        """The one admin-1 unit `text` names in `country` (None: in the world), if just one."""
        found = self.find_provinces(text, country=country)
        return found[0] if len(found) == 1 else None

    def in_country(self, country: str) -> list[Province]:
        return list(self._by_country.get(country, ()))

    def in_country_districts(self, country: str) -> list[District]:
        return list(self._districts_by_country.get(country, ()))

    def _spellings(self, country: str | None) -> tuple[dict[str, str], dict[str, Province]]:
        """Every name and alias (of `country`, or the world's) keyed, and the unit of each."""
        cached = self._spelling_cache.get(country)
        if cached is None:
            provinces = self.in_country(country) if country else list(self.provinces.values())
            by_name: dict[str, Province] = {}
            for province in provinces:
                for name in (province.name, *(a.name for a in province.aliases)):
                    by_name.setdefault(name, province)
            cached = self._spelling_cache[country] = (keyed(by_name), by_name)
        return cached

    def suggest_provinces(self, text: str, *, country: str | None = HOME) -> list[str]:
        """Canonical names close to `text` (in `country`, if given), best first; across the
        world, only close ones (there are 4,000 units)."""
        by_key, by_name = self._spellings(country)
        cutoff = 0.6 if country else 0.75
        found = [by_name[n] for n in closest_keyed(text, by_key, cutoff=cutoff)]
        return list(dict.fromkeys(p.name for p in found))

    # Districts ---------------------------------------------------------------------------

    def find_districts(
        self, text: str, *, province_pcode: str | None = None, country: str | None = HOME
    ) -> list[District]:
        """Every admin-2 unit `text` names exactly, within a province or a country if given."""
        code = self._district_codes.get(code_key(text))
        keys = (code,) if code else self._district_index.get(place_key(text), ())
        found = [self.districts[k] for k in keys]
        if province_pcode:
            found = [d for d in found if d.province_pcode == province_pcode]
        elif country is not None:
            found = [d for d in found if d.country == country]
        return found

    def _district_spellings(
        self, province_pcode: str | None, country: str | None
    ) -> tuple[dict[str, str], dict[str, District]]:
        """Every district name and alias of a province, a country or the world, keyed."""
        scope = (province_pcode, country)
        cached = self._district_spelling_cache.get(scope)
        if cached is None:
            districts = [
                d
                for d in self.districts.values()
                if (d.province_pcode == province_pcode if province_pcode else d.country == country)
                or (not province_pcode and country is None)
            ]
            by_name: dict[str, District] = {}
            for district in districts:
                for name in (district.name, *(a.name for a in district.aliases)):
                    by_name.setdefault(name, district)
            cached = self._district_spelling_cache[scope] = (keyed(by_name), by_name)
        return cached

    def suggest_districts(
        self, text: str, *, province_pcode: str | None = None, country: str | None = HOME
    ) -> list[str]:
        scope = (province_pcode, None if province_pcode else country)
        by_key, names = self._district_spellings(*scope)
        cutoff = 0.75 if scope == (None, None) else 0.6
        found = closest_keyed(text, by_key, cutoff=cutoff)
        return list(dict.fromkeys(names[n].name for n in found))


def shape_features() -> list[dict[str, Any]]:
    """The bundled geoBoundaries province polygons (GeoJSON features), as the file has them."""
    with (DATA / "geoboundaries-afg-adm1-simplified.geojson").open(encoding="utf-8") as f:
        features: list[dict[str, Any]] = json.load(f)["features"]
    return features


def afghan_features() -> list[tuple[str, dict[str, Any]]]:
    """(p-code, GeoJSON feature) of each bundled geoBoundaries province polygon, joined through
    provinces.csv's `geoboundaries_iso` (its shapeISO mixes 'AF-' and 'AF_'), never by name."""
    with (DATA / "provinces.csv").open(encoding="utf-8") as f:
        pcodes = {row["geoboundaries_iso"]: row["pcode"] for row in csv.DictReader(f)}
    return [(pcodes[f["properties"]["shapeISO"].replace("_", "-")], f) for f in shape_features()]


def _afghan_shapes() -> dict[str, tuple[str, tuple[float, float]]]:
    """Afghan p-code -> (geoBoundaries' name for the province, centroid of its polygon)."""
    return {
        pcode: (f["properties"]["shapeName"], polygon_centroid(f["geometry"]))
        for pcode, f in afghan_features()
    }


def _aliases() -> dict[str, list[Alias]]:
    found: dict[str, list[Alias]] = defaultdict(list)
    with (WORLD / "admin1-aliases.csv").open(encoding="utf-8") as f:
        for unit, name, source in itertools.islice(csv.reader(f), 1, None):
            found[unit].append(Alias(name, source))
    return found


def _provinces() -> list[Province]:
    aliases = _aliases()
    shapes = _afghan_shapes()
    provinces = []
    with (WORLD / "admin1.csv").open(encoding="utf-8") as f:
        for row in csv.DictReader(f):
            own = aliases.get(row["id"], [])
            centroid = (
                (float(row["longitude"]), float(row["latitude"])) if row["latitude"] else None
            )
            source = row["centroid_source"] or None
            shape = shapes.get(row["pcode"])
            if shape:  # Afghanistan: the polygon's centroid, and geoBoundaries' spelling
                centroid, source = shape[1], "geoboundaries"
                if shape[0] != row["name"]:
                    own = [*own, Alias(shape[0], "geoboundaries")]
            provinces.append(
                Province(
                    id=row["id"],
                    country=row["country"],
                    name=row["name"],
                    pcode=row["pcode"] or None,
                    iso_3166_2=row["iso_3166_2"] or None,
                    type=row["type"] or None,
                    aliases=tuple(own),
                    centroid=centroid,
                    centroid_source=source,
                )
            )
    return provinces


def _curated_districts() -> dict[str, tuple[str, list[Alias]]]:
    """p-code -> (canonical name, aliases) from the curated files (Afghanistan's overrides, and
    the admin-2 rows of aliases/<ISO3>.csv)."""
    found: dict[str, tuple[str, list[Alias]]] = {}
    with (DATA / "districts-overrides.csv").open(encoding="utf-8") as f:
        for row in csv.DictReader(f):
            names = [Alias(n, "curated:press") for n in row["other_names"].split("|") if n]
            found[row["pcode"]] = (row["name"], names)
    for path in sorted((DATA / "aliases").glob("*.csv")):
        with path.open(encoding="utf-8") as f:
            for row in csv.DictReader(f):
                if "-" not in row["unit"]:  # an admin-2 p-code (ISO codes have a hyphen)
                    _, names = found.setdefault(row["unit"], ("", []))
                    names.append(Alias(row["alias"], f"curated:{row['source']}"))
    return found


def _districts() -> list[District]:
    curated = _curated_districts()
    districts = []
    with (WORLD / "admin2.csv").open(encoding="utf-8") as f:
        for pcode, valid_from, country, parent, ocha_name in itertools.islice(
            csv.reader(f), 1, None
        ):
            name, names = curated.get(pcode, ("", []))
            name = name or ocha_name
            aliases = [Alias(ocha_name, "ocha")] if ocha_name != name else []
            districts.append(
                District(pcode, name, parent, tuple(aliases + names), country, valid_from or None)
            )
    return districts


@cache
def get_gazetteer() -> Gazetteer:
    return Gazetteer(_provinces(), _districts())
