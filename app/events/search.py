"""Full-text search: what a record's search text holds, and `q=` as a query for either backend.

SQLite searches an FTS5 index (`event_fts`, kept by triggers); PostgreSQL a GIN index on
`to_tsvector('simple', search_text)`. Both are fed the same parsed terms: words are ANDed,
"quoted phrases" match words in order, and `word*` matches a prefix. Only letters and digits ever
reach either query language, so no input can inject its operators (NEAR, OR, :*, ...).
"""

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from app.core.tables import event_table as event_t

_WORD = re.compile(r"[^\W_]+")
_TOKEN = re.compile(r'"([^"]*)"?|([^\s"]+)')
MAX_TERMS = 32


@dataclass(frozen=True, slots=True)
class Term:
    words: tuple[str, ...]  # several: a phrase
    prefix: bool = False  # the last word is a prefix


def unaccented(text: str) -> str:
    """Text without diacritics, so that 'cafe' finds 'Café' on both backends alike."""
    if text.isascii():
        return text
    decomposed = unicodedata.normalize("NFKD", text)
    return unicodedata.normalize(
        "NFC", "".join(c for c in decomposed if not unicodedata.combining(c))
    )


def search_text(parts: list[str | None]) -> str:
    """The text a record is found by: summary, places, source titles and quotes."""
    return unaccented("\n".join(part for part in parts if part))


def parse(q: str) -> list[Term]:
    """The terms of `q`; punctuation separates words and is otherwise ignored."""
    terms = []
    for match in _TOKEN.finditer(q):
        phrase, token = match.groups()
        text = unaccented(phrase if phrase is not None else token).lower()
        words = tuple(_WORD.findall(text))
        if words:
            prefix = phrase is None and token.endswith("*")
            terms.append(Term(words, prefix))
    return terms[:MAX_TERMS]


def _fts5(terms: list[Term]) -> str:
    return " ".join(f'"{" ".join(t.words)}"' + ("*" if t.prefix else "") for t in terms)


def _tsquery(terms: list[Term]) -> str:
    def term(t: Term) -> str:
        words = [f"'{w}'" for w in t.words]
        if t.prefix:
            words[-1] += ":*"
        return "(" + " <-> ".join(words) + ")"

    return " & ".join(term(t) for t in terms)


# The expression PostgreSQL's index is built on; the query must use the very same one.
def tsvector() -> sa.ColumnElement[object]:
    return sa.func.to_tsvector(sa.literal_column("'simple'::regconfig"), event_t.c.search_text)


# On SQLite, a search matching at least this many records is checked record by record as the
# other filters walk their index ("checkpoint" in Helmand: 6 ms, not 490 ms); a rarer one is
# looked up first and the records fetched by id ("a rare name": 0.3 ms, not 10 s).
COMMON = 5000


def is_common(connection: sa.Connection, terms: list[Term]) -> bool:
    """Whether the terms match at least COMMON records (SQLite; counted up to COMMON, fast).

    The answer only picks a plan (both give the same records), so it is remembered: counting
    cost a common term's search as much as the search itself.
    """
    if connection.dialect.name != "sqlite":
        return False  # PostgreSQL's planner has statistics for the GIN index
    expression = _fts5(terms)

    def count() -> bool:
        found = connection.exec_driver_sql(
            "SELECT count(*) FROM (SELECT rowid FROM event_fts WHERE event_fts MATCH ? LIMIT ?)",
            (expression, COMMON),
        ).scalar()
        return (found or 0) >= COMMON

    return remembered(("fts", expression, COMMON), count)


_PLANS: dict[tuple[str, str, int], bool] = {}


def remembered(key: tuple[str, str, int], decide: Callable[[], bool]) -> bool:
    """A plan choice (is this term or actor common?), decided once per process and key.

    A stale answer costs speed, never correctness; at most 10,000 are kept.
    """
    found = _PLANS.get(key)
    if found is None:
        if len(_PLANS) >= 10_000:
            _PLANS.clear()
        found = _PLANS[key] = decide()
    return found


def matching(terms: list[Term], dialect: str, *, common: bool = False) -> sa.ColumnElement[bool]:
    """A condition on `event` rows: they contain every term."""
    if dialect == "postgresql":
        query = sa.func.to_tsquery(sa.literal_column("'simple'::regconfig"), _tsquery(terms))
        return tsvector().op("@@")(query)
    fts = sa.table("event_fts")
    match = sa.literal_column("event_fts").op("MATCH")(_fts5(terms))
    if common:
        rowid: sa.ColumnElement[Any] = sa.literal_column("event_fts.rowid")
        indexed = sa.select(sa.literal(1)).select_from(fts).where(match, rowid == event_t.c.id)
        return sa.and_(*_contains(terms), indexed.exists())
    found: sa.Select[Any] = sa.select(sa.literal_column("rowid")).select_from(fts).where(match)
    return event_t.c.id.in_(found)


def _contains(terms: list[Term]) -> list[sa.ColumnElement[bool]]:
    """Cheap conditions that every record the index matches meets: its search text, lowered,
    contains each ASCII word of the terms. Checked first, they spare the index lookup of most
    records that do not match: a common word in Helmand, 1.6 ms a page, 0.6 ms with them.

    Sound because SQLite's lower() folds ASCII letters, and no other character of a search text
    (diacritics already removed by `unaccented`) folds to an ASCII letter in the index's
    tokenizer (unicode61, remove_diacritics 2): tests/test_search_and_map.py checks every
    code point. Words with other letters are left to the index alone.
    """
    words = sorted({word for term in terms for word in term.words if word.isascii()})
    lowered = sa.func.lower(event_t.c.search_text)
    return [sa.func.instr(lowered, word) > 0 for word in words]


# The index, kept by triggers on SQLite (made by the migrations; bulk loads suspend it).
_SQLITE_TRIGGERS = {
    "event_fts_insert": "AFTER INSERT ON event BEGIN "
    "INSERT INTO event_fts(rowid, search_text) VALUES (new.id, new.search_text); END",
    "event_fts_delete": "AFTER DELETE ON event BEGIN "
    "INSERT INTO event_fts(event_fts, rowid, search_text) "
    "VALUES ('delete', old.id, old.search_text); END",
    "event_fts_update": "AFTER UPDATE OF search_text ON event BEGIN "
    "INSERT INTO event_fts(event_fts, rowid, search_text) "
    "VALUES ('delete', old.id, old.search_text); "
    "INSERT INTO event_fts(rowid, search_text) VALUES (new.id, new.search_text); END",
}
_POSTGRESQL_INDEX = (
    "CREATE INDEX IF NOT EXISTS ix_event_search ON event "
    "USING gin (to_tsvector('simple'::regconfig, search_text))"
)


def suspend_index(connection: sa.Connection) -> None:
    """Stop keeping the search index, for a bulk load; `ensure_index` builds it again."""
    if connection.dialect.name == "sqlite":
        for name in _SQLITE_TRIGGERS:
            connection.exec_driver_sql(f"DROP TRIGGER IF EXISTS {name}")
    else:
        connection.exec_driver_sql("DROP INDEX IF EXISTS ix_event_search")


def compact_index(connection: sa.Connection) -> None:
    """Merge SQLite's full-text index into one segment, after a load. A load leaves a dozen or
    so; a search with a common word then seeks each of them for every record it checks (on 1M
    records, `q=checkpoint&province=Helmand` took 4.3 ms, one segment 1.4 ms; the merge 1 s)."""
    if connection.dialect.name == "sqlite":
        connection.exec_driver_sql("INSERT INTO event_fts(event_fts) VALUES ('optimize')")


def ensure_index(connection: sa.Connection) -> bool:
    """Build the search index again if a bulk load suspended it; whether it had to."""
    if connection.dialect.name != "sqlite":
        exists = connection.exec_driver_sql(
            "SELECT 1 FROM pg_indexes WHERE indexname = 'ix_event_search'"
        ).first()
        connection.exec_driver_sql(_POSTGRESQL_INDEX)
        return exists is None
    triggers = set(
        connection.exec_driver_sql(
            "SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'event'"
        ).scalars()
    )
    if triggers >= set(_SQLITE_TRIGGERS):
        return False
    # One sorted pass over the table: far cheaper than a million inserts through a trigger.
    connection.exec_driver_sql("INSERT INTO event_fts(event_fts) VALUES ('rebuild')")
    for name, body in _SQLITE_TRIGGERS.items():
        connection.exec_driver_sql(f"CREATE TRIGGER IF NOT EXISTS {name} {body}")
    return True
