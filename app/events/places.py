"""Resolving the places a client names to canonical names, p-codes and comparison keys."""

from dataclasses import dataclass

from app.core.errors import ErrorItem
from app.core.normalize import name_key
from app.gazetteer import COUNTRY as GAZETTEER_COUNTRY
from app.gazetteer import get_gazetteer


@dataclass(frozen=True, slots=True)
class ResolvedPlace:
    province: str | None = None
    province_pcode: str | None = None
    province_key: str | None = None
    district: str | None = None
    district_pcode: str | None = None
    district_key: str | None = None


def resolve_place(
    *,
    country: str,
    province: str | None,
    district: str | None,
    pointer: str,
    errors: list[ErrorItem],
) -> ResolvedPlace:
    """Canonical place for a record; problems go to `errors`, with pointers under `pointer`.

    The gazetteer covers Afghanistan; other countries' names are kept as given and compared by key.
    """
    if country != GAZETTEER_COUNTRY:
        return ResolvedPlace(
            province=province,
            province_key=name_key(province) if province else None,
            district=district,
            district_key=name_key(district) if district else None,
        )
    gazetteer = get_gazetteer()
    found_province = gazetteer.find_province(province) if province else None
    if province and found_province is None:
        errors.append(
            ErrorItem(
                in_="body",
                pointer=f"{pointer}/province",
                detail=f"Unknown province {province!r} in Afghanistan.",
                suggestions=gazetteer.suggest_provinces(province),
            )
        )
        return ResolvedPlace()
    province_pcode = found_province.pcode if found_province else None
    if not district:
        return _place(found_province.name if found_province else None, province_pcode, None, None)
    candidates = gazetteer.find_districts(district, province_pcode=province_pcode)
    if len(candidates) == 1:
        found = candidates[0]
        province_name = gazetteer.provinces[found.province_pcode].name
        return _place(province_name, found.province_pcode, found.name, found.pcode)
    if candidates:
        choices = [f"{d.name} ({gazetteer.provinces[d.province_pcode].name})" for d in candidates]
        detail = f"District {district!r} exists in several provinces; give the province too."
        errors.append(
            ErrorItem(in_="body", pointer=f"{pointer}/district", detail=detail, suggestions=choices)
        )
    else:
        where = f" in {found_province.name}" if found_province else " in Afghanistan"
        errors.append(
            ErrorItem(
                in_="body",
                pointer=f"{pointer}/district",
                detail=f"Unknown district {district!r}{where}.",
                suggestions=gazetteer.suggest_districts(district, province_pcode=province_pcode),
            )
        )
    return ResolvedPlace()


def _place(
    province: str | None,
    province_pcode: str | None,
    district: str | None,
    district_pcode: str | None,
) -> ResolvedPlace:
    return ResolvedPlace(
        province, province_pcode, province_pcode, district, district_pcode, district_pcode
    )
