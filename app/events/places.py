"""Resolving the places a record names to canonical names, codes and comparison keys.

Writes through the API are strict: a province that is not one of the record's country, or a
district not in its province, is an error naming the field. Imports are lenient: a name the
gazetteer does not know is kept as the source spelled it, with no code, and a row with
coordinates in a country with shapes is placed by its point.
"""

from dataclasses import dataclass, replace
from functools import lru_cache

from app.core.errors import ErrorItem
from app.core.normalize import name_key
from app.gazetteer import District, Province, get_gazetteer
from app.gazetteer.shapes import province_at


@dataclass(frozen=True, slots=True)
class ResolvedPlace:
    province: str | None = None
    province_pcode: str | None = None
    province_key: str | None = None
    district: str | None = None
    district_pcode: str | None = None
    district_key: str | None = None
    province_iso_3166_2: str | None = None
    province_as_given: str | None = None
    district_as_given: str | None = None
    placed_by: str | None = None  # name, coordinates, or unresolved (None: no place given)


_NONE = ResolvedPlace()


def resolve_place(
    *,
    country: str,
    province: str | None,
    district: str | None,
    pointer: str,
    errors: list[ErrorItem],
    strict: bool = True,
    point: tuple[float, float] | None = None,
) -> ResolvedPlace:
    """Canonical place for a record; problems go to `errors`, with pointers under `pointer`.

    strict=False (imports) never adds an error: what does not resolve is kept as given.
    point: (longitude, latitude), used when strict is False and the names do not place the row.
    """
    if not strict:
        place = _imported(country, province, district)
        if place.placed_by == "unresolved" and point is not None:
            return _lenient(country, province, district, point)
        return place
    gazetteer = get_gazetteer()
    found: Province | None = None
    if province:
        matches = gazetteer.find_provinces(province, country=country)
        if len(matches) != 1:
            errors.append(_province_error(province, country, matches, pointer))
            return ResolvedPlace()
        found = matches[0]
    if not district:
        place = _place(found, None) if found else ResolvedPlace()
        return _with_given(place, province, district, "name" if found else None)
    resolved = _district(found, district, country, pointer, errors, strict=True)
    if resolved is None:
        return ResolvedPlace()
    return _with_given(resolved, province, district, "name")


@lru_cache(maxsize=65536)
def _imported(country: str, province: str | None, district: str | None) -> ResolvedPlace:
    """An import's place from its names alone (a file repeats them: each is resolved once)."""
    gazetteer = get_gazetteer()
    matches = gazetteer.find_provinces(province, country=country) if province else []
    if len(matches) != 1:
        return _lenient(country, province, district, None) if province or district else _NONE
    resolved = _district(matches[0], district, country, "", [], strict=False)
    return _with_given(resolved or _place(matches[0], None), province, district, "name")


def _lenient(
    country: str, province: str | None, district: str | None, point: tuple[float, float] | None
) -> ResolvedPlace:
    """An import's place whose province did not resolve: by its district, if that names one
    unit of the country; else by its point, if the country has shapes; else as spelt."""
    by_district = _district(None, district, country, "", [], strict=False) if district else None
    if by_district is not None and by_district.district_pcode:
        return _with_given(by_district, province, district, "name")
    holder = province_at(point[0], point[1], country) if point else None
    if holder is not None:
        resolved = _district(holder, district, country, "", [], strict=False)
        return _with_given(resolved or _place(holder, None), province, district, "coordinates")
    return _as_given(province, district)


def _district(
    province: Province | None,
    district: str | None,
    country: str,
    pointer: str,
    errors: list[ErrorItem],
    strict: bool,
) -> ResolvedPlace | None:
    """The place with its district resolved in `province` (or in the country); None if the
    district does not resolve (and strict: an error says why)."""
    if not district:
        return _place(province, None) if province else None
    gazetteer = get_gazetteer()
    scope = province.key if province else None
    candidates = gazetteer.find_districts(district, province_pcode=scope, country=country)
    if len(candidates) == 1:
        found = candidates[0]
        return _place(gazetteer.provinces[found.province_pcode], found)
    if not strict:
        return _place(province, None, district) if province else None
    if candidates:
        choices = [f"{d.name} ({gazetteer.provinces[d.province_pcode].name})" for d in candidates]
        detail = f"District {district!r} exists in several provinces; give the province too."
    else:
        elsewhere = gazetteer.find_districts(district, country=country) if province else []
        where = f" in {province.name}" if province else f" in {country}"
        detail = f"Unknown district {district!r}{where}."
        if elsewhere:
            homes = ", ".join(
                sorted({gazetteer.provinces[d.province_pcode].name for d in elsewhere})
            )
            inside = province.name if province else country
            detail = f"District {district!r} is not in {inside}: it is in {homes}."
        choices = gazetteer.suggest_districts(district, province_pcode=scope, country=country)
    errors.append(
        ErrorItem(in_="body", pointer=f"{pointer}/district", detail=detail, suggestions=choices)
    )
    return None


def _province_error(
    province: str, country: str, matches: list[Province], pointer: str
) -> ErrorItem:
    gazetteer = get_gazetteer()
    if matches:  # one name, several units of the country
        detail = f"Province {province!r} names several units in {country}; give its code."
        choices = [f"{p.name} ({p.iso_3166_2 or p.pcode})" for p in matches]
    elif country not in gazetteer.countries:
        detail = f"Country {country!r} has no admin-1 units in the gazetteer; leave province out."
        choices = []
    else:
        elsewhere = sorted({p.country for p in gazetteer.find_provinces(province, country=None)})
        detail = f"Unknown province {province!r} in {country}."
        if elsewhere:
            detail = f"Province {province!r} is not in {country}: it is in {', '.join(elsewhere)}."
        choices = gazetteer.suggest_provinces(province, country=country)
    return ErrorItem(in_="body", pointer=f"{pointer}/province", detail=detail, suggestions=choices)


def _place(
    province: Province | None, district: District | None, as_given: str | None = None
) -> ResolvedPlace:
    district_name = district.name if district else as_given
    return ResolvedPlace(
        province=province.name if province else None,
        province_pcode=province.pcode if province else None,
        province_key=province.key if province else None,
        district=district_name,
        district_pcode=district.pcode if district else None,
        district_key=district.pcode if district else (name_key(as_given) if as_given else None),
        province_iso_3166_2=province.iso_3166_2 if province else None,
    )


def _as_given(province: str | None, district: str | None) -> ResolvedPlace:
    return ResolvedPlace(
        province=province,
        province_key=name_key(province) if province else None,
        district=district,
        district_key=name_key(district) if district else None,
        province_as_given=province,
        district_as_given=district,
        placed_by="unresolved",
    )


def _with_given(
    place: ResolvedPlace, province: str | None, district: str | None, placed_by: str | None
) -> ResolvedPlace:
    return replace(
        place, province_as_given=province, district_as_given=district, placed_by=placed_by
    )
