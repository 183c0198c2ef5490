"""The provinces the API knows, with how many events each holds: the gazetteer's, and those
records name in countries it has no list for."""

from functools import cache
from typing import Any

import orjson
import sqlalchemy as sa
from sqlmodel import Session

from app.core.tables import event_place_table as place_t
from app.core.tables import event_table as event_t
from app.exports import attribution
from app.gazetteer import shapes
from app.gazetteer.gazetteer import (
    HOME,
    Alias,
    Province,
    get_gazetteer,
)

# Five decimals are about a metre: finer than the simplified lines, and half the bytes.
_DECIMALS = 5


def _event_counts(session: Session, level: str = "province") -> dict[str, int]:
    """Events per province (or district) key, counting a displacement under its origin and
    destination too."""
    column = f"{level}_key"
    own = sa.select(event_t.c[column].label("key"), event_t.c.id.label("event_id")).where(
        event_t.c.deleted_at.is_(None), event_t.c[column].is_not(None)
    )
    others = (
        sa.select(place_t.c[column], place_t.c.event_id)
        .join(event_t, event_t.c.id == place_t.c.event_id)
        .where(event_t.c.deleted_at.is_(None), place_t.c[column].is_not(None))
    )
    pairs = sa.union(own, others).subquery()
    rows = session.execute(sa.select(pairs.c.key, sa.func.count()).group_by(pairs.c.key))
    return dict(rows.all())


def _centroid(point: tuple[float, float] | None) -> dict[str, float] | None:
    return {"longitude": point[0], "latitude": point[1]} if point else None


def _aliases(aliases: tuple[Alias, ...]) -> list[dict[str, str]]:
    return [{"name": a.name, "source": a.source} for a in aliases]


def _province_item(province: Province, count: int) -> dict[str, Any]:
    return {
        "id": province.id,
        "name": province.name,
        "pcode": province.pcode,
        "iso_3166_2": province.iso_3166_2,
        "country": province.country,
        "type": province.type,
        "aliases": _aliases(province.aliases),
        "centroid": _centroid(province.centroid),
        "centroid_source": province.centroid_source,
        "event_count": count,
    }


def provinces(*, session: Session, country: str | None) -> list[dict[str, Any]]:
    """Every province of `country` with its event count; without a country, Afghanistan's and
    every other one that has events. Then the names records hold that the gazetteer lacks."""
    counts = _event_counts(session)
    gazetteer = get_gazetteer()
    if country is not None:
        units = gazetteer.in_country(country)
    else:
        units = [p for p in gazetteer.provinces.values() if p.country == HOME or p.key in counts]
    units.sort(key=lambda p: (p.country != HOME, p.country, p.name))
    items = [_province_item(p, counts.get(p.key, 0)) for p in units]
    unresolved = (
        sa.select(event_t.c.country, event_t.c.province_key, sa.func.min(event_t.c.province))
        .where(
            event_t.c.province_pcode.is_(None),
            event_t.c.province_iso_3166_2.is_(None),
            event_t.c.province_key.is_not(None),
            event_t.c.deleted_at.is_(None),
        )
        .group_by(event_t.c.country, event_t.c.province_key)
        .order_by(event_t.c.country, event_t.c.province_key)
    )
    if country is not None:
        unresolved = unresolved.where(event_t.c.country == country)
    for code, key, name in session.execute(unresolved):
        if key in gazetteer.provinces:
            continue
        items.append(
            {
                "id": None,
                "name": name,
                "pcode": None,
                "iso_3166_2": None,
                "country": code,
                "type": None,
                "aliases": [],
                "centroid": None,
                "centroid_source": None,
                "event_count": counts.get(key, 0),
            }
        )
    return items


def districts(
    *, session: Session, country: str, province: str | None
) -> list[dict[str, Any]] | None:
    """The admin-2 units of `country` (of one of its provinces, if named) with their event
    counts; None if `province` is not one of the country's."""
    gazetteer = get_gazetteer()
    units = gazetteer.in_country_districts(country)
    if province is not None:
        found = gazetteer.find_province(province, country=country)
        if found is None:
            return None
        units = [d for d in units if d.province_pcode == found.key]
    counts = _event_counts(session, "district")
    items = []
    for district in sorted(units, key=lambda d: d.pcode):
        parent = gazetteer.provinces.get(district.province_pcode)
        items.append(
            {
                "name": district.name,
                "pcode": district.pcode,
                "valid_from": district.valid_from,
                "country": district.country,
                "province": parent.name if parent else None,
                "province_pcode": district.province_pcode,
                "aliases": _aliases(district.aliases),
                # OCHA's list has no coordinates: the province's centre stands in, and says so.
                "centroid": _centroid(parent.centroid if parent else None),
                "centroid_source": "province" if parent and parent.centroid else None,
                "event_count": counts.get(district.pcode, 0),
            }
        )
    return items


def _rounded(coordinates: Any) -> Any:
    if isinstance(coordinates[0], int | float):
        return [round(c, _DECIMALS) for c in coordinates]
    return [_rounded(c) for c in coordinates]


@cache
def province_shapes(country: str) -> bytes:
    """A country's admin-1 polygons keyed by the gazetteer's unit keys and names, as GeoJSON."""
    provinces = get_gazetteer().provinces
    collection = {
        "type": "FeatureCollection",
        "attribution": list(attribution.ALWAYS),
        "features": [
            {
                "type": "Feature",
                "id": key,
                "properties": {
                    "pcode": provinces[key].pcode,
                    "name": provinces[key].name,
                    "iso_3166_2": provinces[key].iso_3166_2,
                    "country": country,
                },
                "geometry": {
                    "type": geometry["type"],
                    "coordinates": _rounded(geometry["coordinates"]),
                },
            }
            for key, geometry in sorted(shapes.features(country), key=lambda f: f[0])
        ],
    }
    return orjson.dumps(collection)


def unresolved(*, session: Session, country: str | None) -> list[tuple[str, str, str, int]]:
    """(level, country, name as stored, live records) of every province and district that
    records name but the gazetteer did not resolve, commonest first."""
    found: list[tuple[str, str, str, int]] = []
    for level, codes in (
        ("province", (event_t.c.province_pcode, event_t.c.province_iso_3166_2)),
        ("district", (event_t.c.district_pcode,)),
    ):
        name = event_t.c[level]
        query = (
            sa.select(event_t.c.country, name, sa.func.count())
            .where(event_t.c.deleted_at.is_(None), name.is_not(None), *(c.is_(None) for c in codes))
            .group_by(event_t.c.country, name)
        )
        if country is not None:
            query = query.where(event_t.c.country == country)
        found += [(level, code, text, count) for code, text, count in session.execute(query)]
    return sorted(found, key=lambda row: (-row[3], row[0], row[1], row[2]))
