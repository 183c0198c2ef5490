"""The flat layout of an event for spreadsheets and GIS: one column per value, with HXL hashtags.

Lists (actors, sources) are joined with "; ". A figure becomes its value, qualifier, claimant and
range; a displacement's origin and destination their province and district.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

Record = dict[str, Any]


@dataclass(frozen=True, slots=True)
class Column:
    """A CSV column: its name, HXL hashtag, value, what it holds, and its Table Schema type
    (string, integer, number, date, datetime), which the data package declares."""

    name: str
    hxl: str
    value: Callable[[Record], Any]
    description: str
    datatype: str = "string"
    reads: tuple[str, ...] = ()  # the record's fields its value is made of (none said: its name)

    @property
    def fields(self) -> tuple[str, ...]:
        return self.reads or (self.name,)


def _field(name: str) -> Callable[[Record], Any]:
    def get(record: Record) -> Any:
        value = record.get(name)
        return value.isoformat() if isinstance(value, date) else value

    return get


def _joined(values: list[Any]) -> str | None:
    present = [str(v) for v in values if v not in (None, "")]
    return "; ".join(present) if present else None


def _actors(role: str | None) -> Callable[[Record], Any]:
    return lambda r: _joined([a["name"] for a in r["actors"] if role is None or a["role"] == role])


def _figure(name: str, part: str) -> Callable[[Record], Any]:
    def get(record: Record) -> Any:
        figure = record.get(name)
        return figure.get(part) if figure else None

    return get


def _place(role: str, part: str) -> Callable[[Record], Any]:
    def get(record: Record) -> Any:
        place = record.get(role)
        return place.get(part) if place else None

    return get


def _sources(part: str) -> Callable[[Record], Any]:
    return lambda r: _joined([s.get(part) for s in r["sources"]])


def _listed(name: str) -> Callable[[Record], Any]:
    return lambda r: _joined(r.get(name) or [])


def _figure_columns(name: str, hxl: str, what: str) -> list[Column]:
    # Only numbers carry the figure's own hashtag: a tool asking for #affected+killed also gets
    # columns with more attributes, so the qualifier and claimant are tagged #meta.
    attributes = hxl.removeprefix("#affected")
    value, part = _figure, f"{name}_"
    return [
        Column(name, hxl, value(name, "value"), f"Number of {what}, as claimed.", "integer"),
        Column(
            f"{part}qualifier",
            f"#meta+qualifier{attributes}",
            value(name, "qualifier"),
            f"How precise the number of {what} is: exact, about, at_least, more_than, at_most.",
            reads=(name,),
        ),
        Column(
            f"{part}claimed_by",
            f"#meta+claimant{attributes}",
            value(name, "claimed_by"),
            f"Who claimed the number of {what}.",
            reads=(name,),
        ),
        Column(
            f"{part}low",
            f"{hxl}+min",
            value(name, "low"),
            f"Low estimate of {what}.",
            "integer",
            (name,),
        ),
        Column(
            f"{part}high",
            f"{hxl}+max",
            value(name, "high"),
            f"High estimate of {what}.",
            "integer",
            (name,),
        ),
    ]


def _text(name: str, hxl: str, description: str) -> Column:
    return Column(name, hxl, _field(name), description)


COLUMNS: list[Column] = [
    Column("id", "#event+id", _field("id"), "The record's id (GET /v1/events/{id}).", "integer"),
    _text("kind", "#event+type", "offensive, displacement, withdrawal_milestone or other."),
    Column("date", "#date+occurred", _field("date"), "When the event began (ISO 8601).", "date"),
    Column("end_date", "#date+end", _field("end_date"), "When it ended, if later.", "date"),
    _text(
        "date_precision", "#meta+date+precision", "How precise the date is: day, week, month, year."
    ),
    _text("country", "#country+code", "Country, ISO 3166-1 alpha-3."),
    _text("province", "#adm1+name", "Province (admin level 1), canonical name."),
    _text("province_pcode", "#adm1+code", "The province's OCHA p-code."),
    _text(
        "province_iso_3166_2",
        "#adm1+code+iso",
        "The province's ISO 3166-2 code (also where OCHA has no p-code for it).",
    ),
    _text("district", "#adm2+name", "District (admin level 2), canonical name."),
    _text("district_pcode", "#adm2+code", "The district's OCHA p-code."),
    _text("location", "#loc+name", "Village, town or place named by the sources."),
    Column("latitude", "#geo+lat", _field("latitude"), "Latitude, WGS 84.", "number"),
    Column("longitude", "#geo+lon", _field("longitude"), "Longitude, WGS 84.", "number"),
    _text(
        "geo_precision",
        "#geo+precision",
        "What they stand for: exact, near, district, province, country.",
    ),
    _text("geo_source", "#geo+source", "record (the record's own) or gazetteer (a centroid)."),
    Column("actors", "#group+name", _actors(None), "Every actor, joined with '; '."),
    Column(
        "initiators",
        "#group+name+initiator",
        _actors("initiator"),
        "Initiating actors.",
        reads=("actors",),
    ),
    Column(
        "targets", "#group+name+target", _actors("target"), "Targeted actors.", reads=("actors",)
    ),
    Column(
        "participants",
        "#group+name+participant",
        _actors("participant"),
        "Other actors.",
        reads=("actors",),
    ),
    *_figure_columns("fatalities", "#affected+killed", "people killed"),
    *_figure_columns("families", "#affected+displaced+hh", "families displaced"),
    *_figure_columns("individuals", "#affected+displaced+ind", "people displaced"),
    Column(
        "origin_province",
        "#adm1+name+origin",
        _place("origin", "province"),
        "Province the displaced came from.",
        reads=("origin",),
    ),
    Column(
        "origin_district",
        "#adm2+name+origin",
        _place("origin", "district"),
        "District the displaced came from.",
        reads=("origin",),
    ),
    Column(
        "destination_province",
        "#adm1+name+dest",
        _place("destination", "province"),
        "Province the displaced went to.",
        reads=("destination",),
    ),
    Column(
        "destination_district",
        "#adm2+name+dest",
        _place("destination", "district"),
        "District the displaced went to.",
        reads=("destination",),
    ),
    Column(
        "destination_location",
        "#loc+name+dest",
        _place("destination", "location"),
        "Place the displaced went to.",
        reads=("destination",),
    ),
    Column("needs", "#item+needs", _listed("needs"), "The displaced's needs, joined with '; '."),
    _text("outcome", "#status+outcome", "An offensive's outcome."),
    Column("tactics", "#event+tactics", _listed("tactics"), "Tactics, joined with '; '."),
    _text("milestone", "#event+milestone", "A withdrawal milestone."),
    _text("force", "#group+name+withdrawing", "The withdrawing force."),
    _text("facility", "#loc+name+facility", "The base or facility handed over."),
    _text("handed_to", "#group+name+recipient", "Whom it was handed to."),
    _text("summary", "#description", "What happened."),
    Column("sources", "#meta+source", _sources("publisher"), "Publishers, joined with '; '."),
    Column(
        "source_titles",
        "#meta+title",
        _sources("title"),
        "Source titles, joined with '; '.",
        reads=("sources",),
    ),
    Column(
        "source_urls",
        "#meta+url",
        _sources("url"),
        "Source URLs, joined with '; '.",
        reads=("sources",),
    ),
    Column(
        "source_quotes",
        "#description+quote",
        _sources("quote"),
        "Quotes, joined with '; '.",
        reads=("sources",),
    ),
    _text("source_event_type", "#event+type+source", "The imported dataset's event type."),
    _text("source_sub_event_type", "#event+type+sub+source", "Its sub-event type."),
    _text("dataset", "#meta+dataset", "The dataset an import came from (ucdp-ged, acled, ...)."),
    _text("external_id", "#meta+id+external", "The record's id in that dataset."),
    _text("release", "#meta+release", "The dataset release this version comes from."),
    Column("created_at", "#date+created", _field("created_at"), "Created (UTC).", "datetime"),
    Column("updated_at", "#date+updated", _field("updated_at"), "Last changed (UTC).", "datetime"),
    Column(
        "imported_at", "#date+imported", _field("imported_at"), "Last imported (UTC).", "datetime"
    ),
    Column(
        "version", "#meta+version", _field("version"), "Incremented by every change.", "integer"
    ),
]
BY_NAME = {column.name: column for column in COLUMNS}
