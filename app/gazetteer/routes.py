"""GET /v1/provinces: the gazetteer's provinces, plus other countries' from stored events;
GET /v1/provinces.geojson: their polygons."""

import csv
from functools import cache
from typing import Annotated, Any

import orjson
import sqlalchemy as sa
from fastapi import APIRouter, Query, Response
from pydantic import BaseModel, Field

from app.core.deps import SessionDep
from app.core.errors import PROBLEMS
from app.core.tables import event_place_table as place_t
from app.core.tables import event_table as event_t
from app.core.types import CountryCode, examples_config
from app.exports import attribution
from app.gazetteer.gazetteer import COUNTRY, DATA, get_gazetteer, shape_features

router = APIRouter(prefix="/v1", tags=["places"])


_ALIAS: dict[str, Any] = {"name": "Hilmand", "source": "ocha"}
_CENTROID: dict[str, Any] = {"latitude": 31.12, "longitude": 64.02}
_PROVINCE: dict[str, Any] = {
    "name": "Helmand",
    "pcode": "AF30",
    "iso_3166_2": "AF-HEL",
    "country": "AFG",
    "aliases": [_ALIAS],
    "centroid": _CENTROID,
    "event_count": 7,
}


class AliasOut(BaseModel):
    """Another spelling of a name, and who spells it that way."""

    model_config = examples_config(_ALIAS)

    name: str = Field(description="The spelling.", examples=["Hilmand"])
    source: str = Field(
        description="Who uses it: ocha, acled, geoboundaries, other, or an imported dataset.",
        examples=["ocha"],
    )


class Centroid(BaseModel):
    """The centre of the province's polygon (geoBoundaries)."""

    model_config = examples_config(_CENTROID)

    latitude: float = Field(description="WGS 84 latitude.", examples=[31.12])
    longitude: float = Field(description="WGS 84 longitude.", examples=[64.02])


class ProvinceOut(BaseModel):
    """A province (admin level 1) with its names and how many events it has."""

    model_config = examples_config(_PROVINCE)

    name: str = Field(description="Canonical name (the common English one).", examples=["Helmand"])
    pcode: str | None = Field(
        description="OCHA p-code; null outside the gazetteer.", examples=["AF30"]
    )
    iso_3166_2: str | None = Field(description="ISO 3166-2 code.", examples=["AF-HEL"])
    country: str = Field(description="ISO 3166-1 alpha-3 country code.", examples=["AFG"])
    aliases: list[AliasOut] = Field(
        description="Other spellings that find this province.",
        examples=[[_ALIAS]],
    )
    centroid: Centroid | None = Field(
        description="Centre of its polygon, where the gazetteer has one.",
        examples=[_CENTROID],
    )
    event_count: int = Field(
        description="Events that `?province=` with this province returns.", examples=[7]
    )


class ProvinceList(BaseModel):
    """Every province, gazetteer first, then other countries' by country and name."""

    model_config = examples_config({"items": [_PROVINCE]})

    items: list[ProvinceOut] = Field(
        description="The provinces.",
        examples=[[_PROVINCE]],
    )


def _event_counts(session: SessionDep) -> dict[str, int]:
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


@router.get("/provinces", response_model=ProvinceList, responses=PROBLEMS)
def list_provinces(
    session: SessionDep,
    country: Annotated[
        CountryCode | None,
        Query(description="Only this country's provinces (ISO 3166-1 alpha-3).", examples=["AFG"]),
    ] = None,
) -> dict[str, Any]:
    """List provinces with their p-codes, aliases, centroids and event counts."""
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
    return {"items": items}


GEOJSON = "application/geo+json"
_SHAPE_HEADERS = {"X-Data-Attribution": attribution.header(list(attribution.ALWAYS))}
# Five decimals are about a metre: finer than the simplified lines, and half the bytes.
_DECIMALS = 5
_SHAPE_EXAMPLE: dict[str, Any] = {
    "type": "FeatureCollection",
    "attribution": list(attribution.ALWAYS),
    "features": [
        {
            "type": "Feature",
            "id": "AF30",
            "properties": {
                "pcode": "AF30",
                "name": "Helmand",
                "iso_3166_2": "AF-HEL",
                "country": "AFG",
            },
            "geometry": {
                "type": "Polygon",
                "coordinates": [[[64.4997, 29.8685], [64.6023, 29.5788], [64.0, 31.0]]],
            },
        }
    ],
}


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


_SHAPE_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "An RFC 7946 FeatureCollection: one Feature per province, its id the "
        "p-code, its properties pcode, name, iso_3166_2 and country.",
        "content": {GEOJSON: {"example": _SHAPE_EXAMPLE}},
    }
}


@router.get("/provinces.geojson", response_class=Response, responses=_SHAPE_RESPONSES | PROBLEMS)
def list_province_shapes() -> Response:
    """Afghanistan's province polygons (geoBoundaries, simplified) as GeoJSON, for maps: each
    Feature carries the province's p-code and canonical name, the keys that /v1/stats with
    `group_by=province` answers with. Credit geoBoundaries (the `attribution` member)."""
    return Response(
        province_shapes(),
        media_type=GEOJSON,
        headers=_SHAPE_HEADERS,
    )
