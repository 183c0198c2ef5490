"""Every country's admin-1 units and OCHA's admin-2 units: canonical names, codes, aliases,
centroids, and the admin-1 polygons of Afghanistan and 65 other countries."""

from app.gazetteer.gazetteer import (
    HOME,
    Alias,
    District,
    Gazetteer,
    Province,
    get_gazetteer,
)

__all__ = ["HOME", "Alias", "District", "Gazetteer", "Province", "get_gazetteer"]
