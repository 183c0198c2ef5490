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
