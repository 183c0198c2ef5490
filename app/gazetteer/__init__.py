"""Afghanistan's provinces and districts: canonical names, p-codes, aliases and shapes."""

from app.gazetteer.gazetteer import (
    COUNTRY,
    Alias,
    District,
    Gazetteer,
    Province,
    get_gazetteer,
)

__all__ = ["COUNTRY", "Alias", "District", "Gazetteer", "Province", "get_gazetteer"]
