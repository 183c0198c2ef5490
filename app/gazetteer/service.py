"""The provinces the API knows, with how many events each holds: the gazetteer's, and those
records name in countries it has no list for."""

import csv
from functools import cache
from typing import Any

import orjson
import sqlalchemy as sa
from sqlmodel import Session

from app.core.tables import event_place_table as place_t
from app.core.tables import event_table as event_t
from app.exports import attribution
from app.gazetteer.gazetteer import COUNTRY, DATA, get_gazetteer, shape_features

# Five decimals are about a metre: finer than the simplified lines, and half the bytes.
_DECIMALS = 5


def _event_counts(session: Session) -> dict[str, int]:
    """Events per province key, counting a displacement under its origin and destination too."""
    own = sa.select(event_t.c.province_key.label("key"), event_t.c.id.label("event_id")).where(
        event_t.c.deleted_at.is_(None), event_t.c.province_key.is_not(None)
    )
    others = (
        sa.select(place_t.c.province_key, place_t.c.event_id)
        .join(event_t, event_t.c.id == place_t.c.event_id)
        .where(event_t.c.deleted_at.is_(None), place_t.c.province_key.is_not(None))
    )
    pairs = sa.union(own, others).subquery()
    rows = session.execute(sa.select(pairs.c.key, sa.func.count()).group_by(pairs.c.key))
    return dict(rows.all())


def provinces(*, session: Session, country: str | None) -> list[dict[str, Any]]:
    """Every province (of `country`, if given), with its event count."""
    counts = _event_counts(session)
    items: list[dict[str, Any]] = []
    if country in (None, COUNTRY):
        for province in get_gazetteer().provinces.values():
            centroid = province.centroid
            items.append(
                {
                    "name": province.name,
                    "pcode": province.pcode,
                    "iso_3166_2": province.iso_3166_2,
                    "country": COUNTRY,
                    "aliases": [{"name": a.name, "source": a.source} for a in province.aliases],
                    "centroid": {"longitude": centroid[0], "latitude": centroid[1]}
                    if centroid
                    else None,
                    "event_count": counts.get(province.pcode, 0),
                }
            )
    foreign = (
        sa.select(event_t.c.country, event_t.c.province_key, sa.func.min(event_t.c.province))
        .where(
            event_t.c.province_pcode.is_(None),
            event_t.c.province_key.is_not(None),
            event_t.c.country != COUNTRY,
            event_t.c.deleted_at.is_(None),
        )
        .group_by(event_t.c.country, event_t.c.province_key)
        .order_by(event_t.c.country, event_t.c.province_key)
    )
    if country is not None:
        foreign = foreign.where(event_t.c.country == country)
    for code, key, name in session.execute(foreign):
        items.append(
            {
                "name": name,
                "pcode": None,
                "iso_3166_2": None,
                "country": code,
                "aliases": [],
                "centroid": None,
                "event_count": counts.get(key, 0),
            }
        )
    return items


def _rounded(coordinates: Any) -> Any:
    if isinstance(coordinates[0], int | float):
        return [round(c, _DECIMALS) for c in coordinates]
    return [_rounded(c) for c in coordinates]


@cache
def province_shapes() -> bytes:
    """The bundled geoBoundaries polygons keyed by the gazetteer's p-codes and names, as JSON."""
    with (DATA / "provinces.csv").open(encoding="utf-8") as f:
        pcodes = {row["geoboundaries_iso"]: row["pcode"] for row in csv.DictReader(f)}
    shapes = shape_features()  # read once: the answer is cached
    provinces = get_gazetteer().provinces
    features: list[dict[str, Any]] = []
    for shape in shapes:
        province = provinces[pcodes[shape["properties"]["shapeISO"].replace("_", "-")]]
        geometry = shape["geometry"]
        features.append(
            {
                "type": "Feature",
                "id": province.pcode,
                "properties": {
                    "pcode": province.pcode,
                    "name": province.name,
                    "iso_3166_2": province.iso_3166_2,
                    "country": COUNTRY,
                },
                "geometry": {
                    "type": geometry["type"],
                    "coordinates": _rounded(geometry["coordinates"]),
                },
            }
        )
    features.sort(key=lambda feature: feature["id"])
    collection = {
        "type": "FeatureCollection",
        "attribution": list(attribution.ALWAYS),
        "features": features,
    }
    return orjson.dumps(collection)
