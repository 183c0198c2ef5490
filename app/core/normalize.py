"""How names typed by users are compared: case-, accent- and punctuation-insensitive."""

import difflib
import unicodedata
from collections.abc import Iterable
from functools import lru_cache


def fold(text: str) -> str:
    """Lower-case, strip accents, and turn punctuation into single spaces.

    SQLite's lower() only knows ASCII, so every comparison key is computed here, in Python.
    """
    decomposed = unicodedata.normalize("NFKD", text)
    chars = [c for c in decomposed if not unicodedata.combining(c)]
    spaced = "".join(c if c.isalnum() else " " for c in "".join(chars).casefold())
    return " ".join(spaced.split())


@lru_cache(maxsize=65536)
def name_key(text: str) -> str:
    """The key two names share when a user means the same thing: 'Lashkar Gah' == 'lashkargah'."""
    return fold(text).replace(" ", "")


@lru_cache(maxsize=65536)
def code_key(text: str) -> str:
    """How a code is compared: 'ua-63 ', 'UA-63' and 'úa-63' alike, but 'UA-63' is not 'UA63'
    (ISO's code and a p-code can name different units)."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(
        c for c in decomposed if not unicodedata.combining(c) and not c.isspace()
    ).upper()


def keyed(candidates: Iterable[str]) -> dict[str, str]:
    """Display names by their keys (the first of each key), for closest_keyed."""
    by_key: dict[str, str] = {}
    for candidate in candidates:
        by_key.setdefault(name_key(candidate), candidate)
    return by_key


def closest(
    text: str, candidates: Iterable[str], *, limit: int = 5, cutoff: float = 0.6
) -> list[str]:
    """The candidate display names closest to `text`, best first."""
    return closest_keyed(text, keyed(candidates), limit=limit, cutoff=cutoff)


def closest_keyed(
    text: str, by_key: dict[str, str], *, limit: int = 5, cutoff: float = 0.6
) -> list[str]:
    """closest() over names already keyed. A candidate whose length is too far from the text's
    to reach `cutoff` is not compared (difflib's ratio is at most 2*shorter/(both lengths)),
    so a long or hostile text costs a length test per candidate."""
    wanted = name_key(text)
    if not wanted:
        return []
    reach = cutoff / (2 - cutoff)
    low, high = len(wanted) * reach, len(wanted) / reach
    pool = [k for k in by_key if low <= len(k) <= high]
    found = difflib.get_close_matches(wanted, pool, n=limit, cutoff=cutoff)
    if len(found) < limit and len(wanted) >= 3:
        found += [k for k in by_key if wanted in k and k not in found][: limit - len(found)]
    return [by_key[key] for key in found]


# The words that say what kind of unit a place is, folded: 'Kharkiv Oblast', 'Shan State',
# 'Hilmand province' and 'Barisāl Division' are looked up as 'Kharkiv', 'Shan', 'Hilmand' and
# 'Barisal'.
UNIT_WORDS = frozenset(
    {
        "oblast",
        "oblasts",
        "область",
        "state",
        "region",
        "province",
        "governorate",
        "division",
        "district",
        "department",
        "departement",
        "zone",
        "prefecture",
        "county",
        "provincia",
        "departamento",
        "estado",
        "wilayah",
        "wilayat",
        "muhafazah",
        "muhafazat",
        "governorat",
    }
)


# Letters Unicode does not decompose into a base letter and an accent, spelt as the press and the
# ASCII sources spell them: Turkish 'Diyarbak\u0131r' is OCHA's 'Diyarbakir', Polish 'Łódź' 'Lodz'.
_LATIN_LETTERS = str.maketrans(
    {
        "\u0131": "i",  # dotless i
        "ł": "l",
        "ø": "o",
        "đ": "d",
        "ħ": "h",
        "ŧ": "t",
        "ß": "ss",
        "æ": "ae",
        "œ": "oe",
    }
)


@lru_cache(maxsize=65536)
def place_key(text: str) -> str:
    """name_key without the unit-type words around a name: 'Hilmand province' == 'hilmand'.

    A trailing type word goes ('Donetsk oblast'), and a leading one before 'of'
    ('Province of Punjab'); a name that is nothing but type words keeps them ('Central Region'
    keeps 'central', but 'Region' alone stays 'region').
    """
    words = fold(text).translate(_LATIN_LETTERS).split()
    while len(words) > 1 and words[-1] in UNIT_WORDS:
        words.pop()
    if len(words) > 2 and words[0] in UNIT_WORDS and words[1] in ("of", "de", "du", "des"):
        words = words[2:]
    return "".join(words)
