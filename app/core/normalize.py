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


def closest(text: str, candidates: Iterable[str], *, limit: int = 5) -> list[str]:
    """The candidate display names closest to `text`, best first."""
    by_key: dict[str, str] = {}
    for candidate in candidates:
        by_key.setdefault(name_key(candidate), candidate)
    wanted = name_key(text)
    if not wanted:
        return []
    found = difflib.get_close_matches(wanted, list(by_key), n=limit, cutoff=0.6)
    if len(found) < limit:
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


@lru_cache(maxsize=65536)
def place_key(text: str) -> str:
    """name_key without the unit-type words around a name: 'Hilmand province' == 'hilmand'.

    A trailing type word goes ('Donetsk oblast'), and a leading one before 'of'
    ('Province of Punjab'); a name that is nothing but type words keeps them ('Central Region'
    keeps 'central', but 'Region' alone stays 'region').
    """
    words = fold(text).split()
    while len(words) > 1 and words[-1] in UNIT_WORDS:
        words.pop()
    if len(words) > 2 and words[0] in UNIT_WORDS and words[1] in ("of", "de", "du", "des"):
        words = words[2:]
    return "".join(words)
