"""ISO 3166-1 alpha-3 codes from what conflict datasets give: names, GW or ISO numbers."""

import re

import pycountry

from app.core.normalize import name_key

# Names the datasets spell otherwise than ISO 3166 (UCDP adds former names in parentheses, which
# are dropped before the lookup).
_NAMES = {
    name_key(name): code
    for name, code in {
        "DR Congo": "COD",
        "Democratic Republic of Congo": "COD",
        "Republic of Congo": "COG",
        "Congo": "COG",
        "Ivory Coast": "CIV",
        "Cote d'Ivoire": "CIV",
        "Turkey": "TUR",
        "Cape Verde": "CPV",
        "East Timor": "TLS",
        "Bosnia-Herzegovina": "BIH",
        "Bosnia and Herzegovina": "BIH",
        "Russia": "RUS",
        "Macedonia": "MKD",
        "Macedonia, FYR": "MKD",
        "North Macedonia": "MKD",
        "Kosovo": "XKX",
        "Palestine": "PSE",
        "Laos": "LAO",
        "Syria": "SYR",
        "Iran": "IRN",
        "Vietnam": "VNM",
        "Tanzania": "TZA",
        "Bolivia": "BOL",
        "Venezuela": "VEN",
        "Moldova": "MDA",
        "North Korea": "PRK",
        "South Korea": "KOR",
        "Brunei": "BRN",
        "Gambia": "GMB",
        "Swaziland": "SWZ",
        "eSwatini": "SWZ",
        "Kingdom of eSwatini": "SWZ",
        "Czechia": "CZE",
        "United States": "USA",
        "South Yemen": "YEM",
        "North Yemen": "YEM",
    }.items()
}

# Gleditsch-Ward state numbers (UCDP's country_id, gwnoa, gwnob) of today's states, for releases
# without iso3; a former state maps to its successor (345 Yugoslavia: Serbia).
GLEDITSCH_WARD = {
    2: "USA", 20: "CAN", 40: "CUB", 41: "HTI", 42: "DOM", 51: "JAM", 52: "TTO", 70: "MEX",
    90: "GTM", 91: "HND", 92: "SLV", 93: "NIC", 94: "CRI", 95: "PAN", 100: "COL", 101: "VEN",
    110: "GUY", 115: "SUR", 130: "ECU", 135: "PER", 140: "BRA", 145: "BOL", 150: "PRY",
    155: "CHL", 160: "ARG", 165: "URY", 200: "GBR", 205: "IRL", 210: "NLD", 211: "BEL",
    220: "FRA", 225: "CHE", 230: "ESP", 235: "PRT", 255: "DEU", 260: "DEU", 290: "POL",
    305: "AUT", 310: "HUN", 315: "CZE", 316: "CZE", 317: "SVK", 339: "ALB", 341: "MNE",
    343: "MKD", 344: "HRV", 345: "SRB", 346: "BIH", 347: "XKX", 349: "SVN", 350: "GRC",
    352: "CYP", 355: "BGR", 359: "MDA", 360: "ROU", 365: "RUS", 366: "EST", 367: "LVA",
    368: "LTU", 369: "UKR", 370: "BLR", 371: "ARM", 372: "GEO", 373: "AZE", 404: "GNB",
    411: "GNQ", 420: "GMB", 432: "MLI", 433: "SEN", 434: "BEN", 435: "MRT", 436: "NER",
    437: "CIV", 438: "GIN", 439: "BFA", 450: "LBR", 451: "SLE", 452: "GHA", 461: "TGO",
    471: "CMR", 475: "NGA", 481: "GAB", 482: "CAF", 483: "TCD", 484: "COG", 490: "COD",
    500: "UGA", 501: "KEN", 510: "TZA", 516: "BDI", 517: "RWA", 520: "SOM", 522: "DJI",
    530: "ETH", 531: "ERI", 540: "AGO", 541: "MOZ", 551: "ZMB", 552: "ZWE", 553: "MWI",
    560: "ZAF", 565: "NAM", 570: "LSO", 571: "BWA", 572: "SWZ", 580: "MDG", 581: "COM",
    600: "MAR", 615: "DZA", 616: "TUN", 620: "LBY", 625: "SDN", 626: "SSD", 630: "IRN",
    640: "TUR", 645: "IRQ", 651: "EGY", 652: "SYR", 660: "LBN", 663: "JOR", 666: "ISR",
    670: "SAU", 678: "YEM", 680: "YEM", 690: "KWT", 692: "BHR", 694: "QAT", 696: "ARE",
    698: "OMN", 700: "AFG", 701: "TKM", 702: "TJK", 703: "KGZ", 704: "UZB", 705: "KAZ",
    710: "CHN", 712: "MNG", 713: "TWN", 731: "PRK", 732: "KOR", 740: "JPN", 750: "IND",
    760: "BTN", 770: "PAK", 771: "BGD", 775: "MMR", 780: "LKA", 781: "MDV", 790: "NPL",
    800: "THA", 811: "KHM", 812: "LAO", 816: "VNM", 817: "VNM", 820: "MYS", 830: "SGP",
    835: "BRN", 840: "PHL", 850: "IDN", 860: "TLS", 900: "AUS", 910: "PNG", 920: "NZL",
    940: "SLB", 950: "FJI",
}  # fmt: skip


def from_name(name: str | None) -> str | None:
    """The alpha-3 code of a country name as UCDP or ACLED write it, if it is known."""
    if not name:
        return None
    plain = re.sub(r"\s*\(.*?\)\s*", " ", name).strip()  # "DR Congo (Zaire)" -> "DR Congo"
    if code := _NAMES.get(name_key(plain)):
        return code
    try:
        return str(pycountry.countries.lookup(plain).alpha_3)
    except LookupError:
        return None


def from_gleditsch_ward(number: str | None) -> str | None:
    try:
        return GLEDITSCH_WARD.get(int(float(number or "")))
    except ValueError:
        return None


def from_iso_number(number: str | None) -> str | None:
    """From ISO 3166-1 numeric (ACLED's `iso`: Afghanistan is 4)."""
    try:
        country = pycountry.countries.get(numeric=f"{int(float(number or '')):03d}")
    except ValueError:
        return None
    return str(country.alpha_3) if country else None


def iso_number(code: str) -> int | None:
    """ISO 3166-1 numeric of an alpha-3 code (0 for Kosovo, which has none)."""
    country = pycountry.countries.get(alpha_3=code)
    return int(country.numeric) if country else (0 if code == "XKX" else None)


def name_of(code: str) -> str:
    """A country's everyday English name (ACLED's), from its alpha-3 code."""
    names = {
        "XKX": "Kosovo",
        "COD": "Democratic Republic of Congo",
        "IRN": "Iran",
        "RUS": "Russia",
        "PSE": "Palestine",
        "CIV": "Ivory Coast",
        "TUR": "Turkey",
        "CZE": "Czech Republic",
        "SWZ": "eSwatini",
    }
    if code in names:
        return names[code]
    country = pycountry.countries.get(alpha_3=code)
    if country is None:
        return code
    return str(getattr(country, "common_name", None) or country.name)
