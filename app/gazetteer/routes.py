"""GET /v1/provinces: the gazetteer's provinces, plus other countries' from stored events;
GET /v1/provinces.geojson: their polygons."""

from typing import Annotated, Any

from fastapi import APIRouter, Query, Response
from pydantic import BaseModel, Field

from app.core.deps import SessionDep
from app.core.errors import PROBLEMS
from app.core.types import CountryCode, examples_config
from app.exports import attribution
from app.gazetteer import service

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


@router.get("/provinces", response_model=ProvinceList, responses=PROBLEMS)
def list_provinces(
    session: SessionDep,
    country: Annotated[
        CountryCode | None,
        Query(description="Only this country's provinces (ISO 3166-1 alpha-3).", examples=["AFG"]),
    ] = None,
) -> dict[str, Any]:
    """List provinces with their p-codes, aliases, centroids and event counts."""
    return {"items": service.provinces(session=session, country=country)}


GEOJSON = "application/geo+json"
_SHAPE_HEADERS = {"X-Data-Attribution": attribution.header(list(attribution.ALWAYS))}
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
        service.province_shapes(),
        media_type=GEOJSON,
        headers=_SHAPE_HEADERS,
    )
