"""Where a record goes on a map, and the `bbox` filter."""

import math
from dataclasses import dataclass

import sqlalchemy as sa

from app.core.errors import invalid
from app.core.tables import event_table as event_t
from app.gazetteer import get_gazetteer


def point_of(
    longitude: float | None, latitude: float | None, province_key: str | None
) -> tuple[float, float] | None:
    """(longitude, latitude): the record's coordinates, else its province's centroid."""
    if longitude is not None and latitude is not None:
        return longitude, latitude
    province = get_gazetteer().provinces.get(province_key) if province_key else None
    return province.centroid if province else None


@dataclass(frozen=True, slots=True)
class BBox:
    min_lon: float
    min_lat: float
    max_lon: float
    max_lat: float

    def condition(self) -> sa.ColumnElement[bool]:
        return sa.and_(
            event_t.c.point_longitude.between(self.min_lon, self.max_lon),
            event_t.c.point_latitude.between(self.min_lat, self.max_lat),
        )


def parse_bbox(text: str) -> BBox:
    """`minLon,minLat,maxLon,maxLat` in WGS 84 degrees; 422 saying what is wrong."""
    parts = text.split(",")
    try:
        numbers = [float(p) for p in parts]
    except ValueError:
        numbers = []
    if len(parts) != 4 or len(numbers) != 4 or not all(math.isfinite(n) for n in numbers):
        raise invalid("query", "bbox", "bbox is four numbers: minLon,minLat,maxLon,maxLat.")
    box = BBox(*numbers)
    if not (-180 <= box.min_lon <= box.max_lon <= 180):
        raise invalid(
            "query", "bbox", "Longitudes must be within -180..180, the smaller one first."
        )
    if not (-90 <= box.min_lat <= box.max_lat <= 90):
        raise invalid("query", "bbox", "Latitudes must be within -90..90, the smaller one first.")
    return box
