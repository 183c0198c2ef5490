"""A Frictionless Data Package (datapackage.json) describing a CSV export, for HDX and Frictionless
tools: the licences and sources of the data, and a Table Schema derived from the CSV's columns
(app/exports/columns.py), so the description cannot drift from the file."""

from typing import Any

from sqlmodel import Session

from app.events import service
from app.events.filters import EventFilters
from app.exports import attribution
from app.exports.columns import COLUMNS

PROFILE = "https://datapackage.org/profiles/2.0/datapackage.json"

_OCHA, _GEOBOUNDARIES, _NATURAL_EARTH = attribution.ALWAYS
_UCDP, _ACLED = attribution.BY_DATASET["ucdp"], attribution.BY_DATASET["acled"]

# Each credit of app/exports/attribution.py: where its data comes from, and under what terms.
HOMEPAGES = {
    _OCHA: "https://data.humdata.org/dataset/global-pcodes",
    _GEOBOUNDARIES: "https://www.geoboundaries.org/",
    _NATURAL_EARTH: "https://www.naturalearthdata.com/",
    _UCDP: "https://ucdp.uu.se/downloads/",
    _ACLED: "https://acleddata.com/",
}
LICENCES: dict[str, dict[str, str]] = {
    _OCHA: {
        "name": "CC-BY-3.0-IGO",
        "path": "https://creativecommons.org/licenses/by/3.0/igo/",
        "title": "Province and district names and p-codes: UN OCHA, CC BY-IGO 3.0",
    },
    _GEOBOUNDARIES: {
        "path": "https://www.geoboundaries.org/",
        "title": "Province centroids (for records without coordinates): geoBoundaries.org, "
        "public domain",
    },
    _NATURAL_EARTH: {
        "path": "https://www.naturalearthdata.com/about/terms-of-use/",
        "title": "Province centroids and polygons outside Afghanistan where Natural Earth has "
        "them: Natural Earth, public domain",
    },
    _UCDP: {
        "name": "CC-BY-4.0",
        "path": "https://creativecommons.org/licenses/by/4.0/",
        "title": "Records of the dataset ucdp-ged: UCDP GED, CC BY 4.0",
    },
    _ACLED: {
        "path": "https://acleddata.com/terms-of-use/",
        "title": "Records of the dataset acled: ACLED's terms of use and attribution policy "
        "(not an open licence; ACLED restricts redistribution)",
    },
}
DESCRIPTION = (
    "Conflict events matching a query of /v1/events, one row each, newest first. Each licence "
    "covers the part of the data it names; records entered through this server (not imported) "
    "carry the terms of whoever entered them, and name their own sources in the columns "
    "sources, source_titles and source_urls. Text cells beginning with =, +, -, @, a tab or a "
    "carriage return carry a leading ' so that spreadsheets do not run them as formulas."
)


def table_schema() -> dict[str, Any]:
    """The CSV export's Table Schema: every column, in order, with its type and meaning."""
    fields = [{"name": c.name, "type": c.datatype, "description": c.description} for c in COLUMNS]
    return {"fields": fields, "missingValues": [""], "primaryKey": ["id"]}


def describe(session: Session, filters: EventFilters, *, csv_url: str) -> dict[str, Any]:
    """The data package of the CSV export at `csv_url` (its plain form: one header row, no HXL
    row), whose records `filters` select; a refused filter raises, as the export would."""
    service.resolve_filters(session=session, filters=filters)
    credits = attribution.attributions(session)
    return {
        "$schema": PROFILE,
        "name": "conflict-events",
        "title": "Conflict events",
        "description": DESCRIPTION,
        "licenses": [LICENCES[credit] for credit in credits],
        "sources": [{"title": credit, "path": HOMEPAGES[credit]} for credit in credits],
        "resources": [
            {
                "name": "events",
                "type": "table",
                "path": csv_url,
                "format": "csv",
                "mediatype": "text/csv",
                "encoding": "utf-8",
                "dialect": {"header": True, "delimiter": ",", "quoteChar": '"'},
                "schema": table_schema(),
            }
        ],
    }
