"""GET /v1/provinces: the gazetteer's provinces, plus other countries' from stored events;
GET /v1/provinces.geojson: their polygons."""

from typing import Annotated, Any

from fastapi import APIRouter, Query, Response
from pydantic import BaseModel, Field

from app.core.deps import SessionDep
from app.core.errors import PROBLEMS, invalid
from app.core.types import CountryCode, examples_config
from app.exports import attribution
from app.gazetteer import service
from app.gazetteer.shapes import SHAPES

router = APIRouter(prefix="/v1", tags=["places"])


_ALIAS: dict[str, Any] = {"name": "Hilmand", "source": "ocha"}
_CENTROID: dict[str, Any] = {"latitude": 31.12, "longitude": 64.02}
_PROVINCE: dict[str, Any] = {
    "id": "AF-HEL",
    "name": "Helmand",
    "pcode": "AF30",
    "iso_3166_2": "AF-HEL",
    "country": "AFG",
    "type": "Province",
    "aliases": [_ALIAS],
    "centroid": _CENTROID,
    "centroid_source": "geoboundaries",
    "event_count": 7,
}
_DISTRICT: dict[str, Any] = {
    "name": "Lashkar Gah",
    "pcode": "AF3001",
    "valid_from": "2021-11-17",
    "country": "AFG",
    "province": "Helmand",
    "province_pcode": "AF30",
    "aliases": [{"name": "Lashkargah", "source": "curated:press"}],
    "centroid": _CENTROID,
    "centroid_source": "province",
    "event_count": 3,
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

    id: str | None = Field(
        description="Stable id: the ISO 3166-2 code, or OCHA's p-code for a unit ISO does not "
        "list; null for a name records hold that the gazetteer does not know.",
        examples=["AF-HEL"],
    )
    name: str = Field(
        description="Canonical name (OCHA's English short name, else ISO's English form).",
        examples=["Helmand"],
    )
    pcode: str | None = Field(
        description="OCHA p-code; null where OCHA has none for this unit.", examples=["AF30"]
    )
    iso_3166_2: str | None = Field(
        description="ISO 3166-2 code; null for an OCHA unit ISO does not list.",
        examples=["AF-HEL"],
    )
    country: str = Field(description="ISO 3166-1 alpha-3 country code.", examples=["AFG"])
    type: str | None = Field(
        description="ISO's word for the unit (Province, Oblast, State, ...).",
        examples=["Province"],
    )
    aliases: list[AliasOut] = Field(
        description="Other spellings that find this province.",
        examples=[[_ALIAS]],
    )
    centroid: Centroid | None = Field(
        description="Its centre: of its polygon (Afghanistan), else the iso3166-2 package's "
        "or Natural Earth's point (centroid_source says which).",
        examples=[_CENTROID],
    )
    centroid_source: str | None = Field(
        description="Where the centroid comes from: geoboundaries, iso3166-2, naturalearth, "
        "curated (app/gazetteer/data/world/centroids.csv), or country (the country's middle: "
        "no source has a point of the unit's own).",
        examples=["geoboundaries"],
    )
    event_count: int = Field(
        description="Events that `?province=` with this province returns.", examples=[7]
    )


class ProvinceList(BaseModel):
    """A country's provinces (without `country=`: Afghanistan's and every other one with
    events), then the names records hold that the gazetteer does not know."""

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
    """List provinces with their codes, aliases, centroids and event counts: every admin-1 unit
    of `country`, in any country of the world."""
    return {"items": service.provinces(session=session, country=country)}


class DistrictOut(BaseModel):
    """A district (admin level 2, OCHA p-code) with its names and how many events it has."""

    model_config = examples_config(_DISTRICT)

    name: str = Field(description="Canonical name.", examples=["Lashkar Gah"])
    pcode: str = Field(description="OCHA p-code.", examples=["AF3001"])
    valid_from: str | None = Field(
        description="The date OCHA's p-code is valid from (p-codes are reused between "
        "versions of a country's boundaries).",
        examples=["2021-11-17"],
    )
    country: str = Field(description="ISO 3166-1 alpha-3 country code.", examples=["AFG"])
    province: str | None = Field(description="Its province's canonical name.", examples=["Helmand"])
    province_pcode: str = Field(description="Its province's p-code.", examples=["AF30"])
    aliases: list[AliasOut] = Field(
        description="Other spellings that find this district.",
        examples=[[{"name": "Lashkargah", "source": "curated:press"}]],
    )
    centroid: Centroid | None = Field(
        description="Its province's centre (OCHA's list has no coordinates for districts).",
        examples=[_CENTROID],
    )
    centroid_source: str | None = Field(
        description="province: the province's centre.", examples=["province"]
    )
    event_count: int = Field(description="Events that `?district=` with it returns.", examples=[3])


class DistrictList(BaseModel):
    """A country's districts, by p-code."""

    model_config = examples_config({"items": [_DISTRICT]})

    items: list[DistrictOut] = Field(description="The districts.", examples=[[_DISTRICT]])


@router.get("/districts", response_model=DistrictList, responses=PROBLEMS)
def list_districts(
    session: SessionDep,
    country: Annotated[
        CountryCode,
        Query(description="The country (ISO 3166-1 alpha-3).", examples=["AFG"]),
    ],
    province: Annotated[
        str | None,
        Query(
            max_length=200,
            description="Only this province's districts: a name, alias or code.",
            examples=["Helmand"],
        ),
    ] = None,
) -> dict[str, Any]:
    """List the admin-2 units OCHA publishes p-codes for in `country` (135 countries), with
    aliases, the p-code's valid-from date and event counts."""
    items = service.districts(session=session, country=country, province=province)
    if items is None:
        raise invalid("query", "province", f"Unknown province {province!r} in {country}.")
    return {"items": items}


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
        "unit's key (the p-code, else the ISO 3166-2 code), its properties pcode, name, "
        "iso_3166_2 and country.",
        "content": {GEOJSON: {"example": _SHAPE_EXAMPLE}},
    }
}


@router.get("/provinces.geojson", response_class=Response, responses=_SHAPE_RESPONSES | PROBLEMS)
def list_province_shapes(
    country: Annotated[
        CountryCode,
        Query(
            description="The country (ISO 3166-1 alpha-3); shapes exist for the "
            f"{len(SHAPES)} countries the error for any other lists.",
            examples=["AFG", "UKR"],
        ),
    ] = "AFG",
) -> Response:
    """A country's province polygons as GeoJSON, for maps: each Feature carries the province's
    key (p-code, else ISO 3166-2 code) and canonical name, the keys that /v1/stats with
    `group_by=province` answers with. Polygons ship for Afghanistan (geoBoundaries) and for the
    countries whose Natural Earth units are the ones records use (Ukraine, Syria, Iraq,
    Nigeria, Niger, Cameroon and about sixty more), simplified to about 1 km; for other
    countries /v1/provinces?country= gives every unit's centroid. Credit the sources (the
    `attribution` member)."""
    if country not in SHAPES:
        raise invalid(
            "query",
            "country",
            f"No province shapes for {country}: /v1/provinces?country={country} has centroids.",
            sorted(SHAPES),
        )
    return Response(
        service.province_shapes(country),
        media_type=GEOJSON,
        headers=_SHAPE_HEADERS,
    )
