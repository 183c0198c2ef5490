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
    name: str
    hxl: str
    value: Callable[[Record], Any]
    description: str = ""


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
    return [
        Column(name, hxl, _figure(name, "value"), what),
        Column(f"{name}_qualifier", f"#meta+qualifier{attributes}", _figure(name, "qualifier")),
        Column(f"{name}_claimed_by", f"#meta+claimant{attributes}", _figure(name, "claimed_by")),
        Column(f"{name}_low", f"{hxl}+min", _figure(name, "low")),
        Column(f"{name}_high", f"{hxl}+max", _figure(name, "high")),
    ]


COLUMNS: list[Column] = [
    Column("id", "#event+id", _field("id")),
    Column("kind", "#event+type", _field("kind")),
    Column("date", "#date+occurred", _field("date")),
    Column("end_date", "#date+end", _field("end_date")),
    Column("date_precision", "#date+precision", _field("date_precision")),
    Column("country", "#country+code", _field("country")),
    Column("province", "#adm1+name", _field("province")),
    Column("province_pcode", "#adm1+code", _field("province_pcode")),
    Column("district", "#adm2+name", _field("district")),
    Column("district_pcode", "#adm2+code", _field("district_pcode")),
    Column("location", "#loc+name", _field("location")),
    Column("latitude", "#geo+lat", _field("latitude")),
    Column("longitude", "#geo+lon", _field("longitude")),
    Column("geo_precision", "#geo+precision", _field("geo_precision")),
    Column("geo_source", "#geo+source", _field("geo_source")),
    Column("actors", "#group+name", _actors(None)),
    Column("initiators", "#group+name+initiator", _actors("initiator")),
    Column("targets", "#group+name+target", _actors("target")),
    Column("participants", "#group+name+participant", _actors("participant")),
    *_figure_columns("fatalities", "#affected+killed", "people killed"),
    *_figure_columns("families", "#affected+displaced+hh", "families displaced"),
    *_figure_columns("individuals", "#affected+displaced+ind", "people displaced"),
    Column("origin_province", "#adm1+name+origin", _place("origin", "province")),
    Column("origin_district", "#adm2+name+origin", _place("origin", "district")),
    Column("destination_province", "#adm1+name+dest", _place("destination", "province")),
    Column("destination_district", "#adm2+name+dest", _place("destination", "district")),
    Column("destination_location", "#loc+name+dest", _place("destination", "location")),
    Column("needs", "#inneed+type", _listed("needs")),
    Column("outcome", "#status+outcome", _field("outcome")),
    Column("tactics", "#event+tactics", _listed("tactics")),
    Column("milestone", "#event+milestone", _field("milestone")),
    Column("force", "#group+name+withdrawing", _field("force")),
    Column("facility", "#loc+name+facility", _field("facility")),
    Column("handed_to", "#group+name+recipient", _field("handed_to")),
    Column("summary", "#description", _field("summary")),
    Column("sources", "#meta+source", _sources("publisher")),
    Column("source_titles", "#meta+title", _sources("title")),
    Column("source_urls", "#meta+url", _sources("url")),
    Column("source_quotes", "#description+quote", _sources("quote")),
    Column("source_event_type", "#event+type+source", _field("source_event_type")),
    Column("source_sub_event_type", "#event+type+sub+source", _field("source_sub_event_type")),
    Column("dataset", "#meta+dataset", _field("dataset")),
    Column("external_id", "#meta+id+external", _field("external_id")),
    Column("release", "#meta+release", _field("release")),
    Column("created_at", "#date+created", _field("created_at")),
    Column("updated_at", "#date+updated", _field("updated_at")),
    Column("imported_at", "#date+imported", _field("imported_at")),
    Column("version", "#meta+version", _field("version")),
]
BY_NAME = {column.name: column for column in COLUMNS}
