"""Storing and reading events. The only code that touches event rows; keyword-only functions."""

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache
from typing import Any

import jsonpatch
import orjson
import sqlalchemy as sa
from sqlmodel import Session

from app.actors.service import actors_of, find_actors, suggest_actors
from app.core.database import StatementCache
from app.core.errors import ErrorItem, Gone, InvalidRequest, NotFound
from app.core.normalize import closest, name_key
from app.core.tables import event_actor_table as event_actor_t
from app.core.tables import event_place_table as event_place_t
from app.core.tables import event_revision_table as revision_t
from app.core.tables import event_table as event_t
from app.events import search
from app.events.documents import DOCUMENT_COLUMNS, document
from app.events.filters import EventFilters
from app.events.search import is_common, matching, remembered
from app.gazetteer import get_gazetteer

# `release` is stored with each change but is not itself one: a row that a newer release repeats
# unchanged keeps the release its current version came from.
_OUT_COLUMNS = (
    "id",
    *DOCUMENT_COLUMNS,
    "release",
    "created_at",
    "updated_at",
    "imported_at",
    "version",
)
# What a listed record is made of: not the search text, figure copies or spans, which are large
# or only there to be filtered on.
_LISTED_COLUMNS = [
    event_t.c[name]
    for name in dict.fromkeys((*_OUT_COLUMNS, "details", "point_latitude", "point_longitude"))
]

# SQLite stores datetimes and JSON as text. A page of records takes them as stored (datetimes
# rewritten as the API writes them, JSON embedded unparsed), rather than parsing six values a
# record into Python objects that orjson then writes back: 13% of a page's time.
_STORED_AS_TEXT = (
    "created_at",
    "updated_at",
    "imported_at",
    "fatalities",
    "sources",
    "details",
    "date",  # ISO dates as stored are what orjson writes of a date: no parsing needed
    "end_date",
)
_LISTED_AS_TEXT = [
    sa.type_coerce(column, sa.Text).label(column.name) if column.name in _STORED_AS_TEXT else column
    for column in _LISTED_COLUMNS
]


# `fields=`: what a subset of each record is read from. A field that is neither a column nor
# computed (actors, the map point) is kind-specific and lives in `details`.
_GEO_FIELDS = {"latitude", "longitude", "geo_precision", "geo_source"}
_GEO_COLUMNS = ("latitude", "longitude", "geo_precision", "point_latitude", "point_longitude")


# What an item is finished with besides its columns: kind-specific fields and the map point.
_AROUND = ("details", "latitude", "point_latitude", "point_longitude")


@dataclass(frozen=True, slots=True)
class Reading:
    """The columns a page of (some fields of) records is read from, and whether it needs the
    records' actors."""

    columns: tuple[str, ...]  # of _OUT_COLUMNS, the ones an item is made of
    listed: tuple[str, ...]  # every column selected: `columns`, then the order keys, details
    # and the map point
    actors: bool

    @property
    def at(self) -> dict[str, int]:
        """Each selected column's position in a row."""
        return _positions(self.listed)


@lru_cache(maxsize=256)
def _positions(listed: tuple[str, ...]) -> dict[str, int]:
    return {name: index for index, name in enumerate(listed)}


_EVERYTHING = tuple(c.name for c in _LISTED_COLUMNS)


@lru_cache(maxsize=256)  # a few field sets, asked for again and again
def reading(fields: tuple[str, ...] | None) -> Reading:
    """What the records' `fields` (None: every field) are read from."""
    if fields is None:
        return Reading(_OUT_COLUMNS, _EVERYTHING, True)
    wanted = set(fields)
    columns = tuple(c for c in _OUT_COLUMNS if c in wanted)
    extra = {"id", "date", "updated_at"}  # the order and the cursor
    if wanted & _GEO_FIELDS:
        extra.update(_GEO_COLUMNS)
    if wanted - set(_OUT_COLUMNS) - _GEO_FIELDS - {"actors"}:
        extra.add("details")
    # The item's columns first: an item is the first len(columns) values of its row.
    listed = columns + tuple(c for c in _EVERYTHING if c in extra and c not in columns)
    return Reading(columns, listed, "actors" in wanted)


@lru_cache(maxsize=4096)  # a page's rows often share their import's timestamps
def _utc_text(stored: str | None) -> str | None:
    """A UTC datetime as SQLite holds it ('2021-05-04 10:00:00.000000') as orjson writes it
    with OPT_UTC_Z ('2021-05-04T10:00:00Z'; the fraction only when it is not zero)."""
    if stored is None:
        return None
    if len(stored) == 26 and stored[10] == " " and stored[19] == ".":
        fraction = "" if stored[20:] == "000000" else stored[19:]
        return f"{stored[:10]}T{stored[11:19]}{fraction}Z"
    return orjson.dumps(_utc(stored), option=orjson.OPT_UTC_Z).decode()[1:-1]


def _utc(stored: str) -> datetime:
    moment = datetime.fromisoformat(stored)
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def find_by_external_id(*, session: Session, dataset: str, external_id: str) -> int | None:
    return session.execute(
        sa.select(event_t.c.id).where(
            event_t.c.dataset == dataset, event_t.c.external_id == external_id
        )
    ).scalar_one_or_none()


# Reading.
def _to_api(row: Mapping[Any, Any], actors: list[dict[str, str]]) -> dict[str, Any]:
    out = {column: row[column] for column in _OUT_COLUMNS}
    return _finish(out, row, row["details"], actors)


def _finish(
    out: dict[str, Any],
    row: Mapping[Any, Any],
    details: dict[str, Any],
    actors: list[dict[str, str]],
) -> dict[str, Any]:
    out["actors"] = actors
    out.update(details)
    if "point_latitude" not in row:  # a subset of the fields that leaves the map point out
        return out
    if row["latitude"] is not None:
        out["geo_source"] = "record"
    elif row["point_latitude"] is not None:  # mapped at its province's centroid, and says so
        out["latitude"], out["longitude"] = row["point_latitude"], row["point_longitude"]
        out["geo_precision"] = "province"
        out["geo_source"] = "gazetteer"
    else:
        out["geo_source"] = None
    return out


def live_row(*, session: Session, event_id: int) -> sa.RowMapping:
    """The stored row of a live event: 404 if it never existed, 410 if it was deleted."""
    row = (
        session.execute(sa.select(event_t).where(event_t.c.id == event_id)).mappings().one_or_none()
    )
    if row is None:
        raise NotFound(f"No event with id {event_id}.")
    if row["deleted_at"] is not None:
        raise Gone(f"Event {event_id} was deleted at {row['deleted_at'].isoformat()}.")
    return row


def read_event(*, session: Session, event_id: int) -> dict[str, Any]:
    row = live_row(session=session, event_id=event_id)
    return _to_api(row, actors_of(session=session, event_ids=[event_id])[event_id])


def stored_reach(session: Session) -> tuple[int, int]:
    """How far spans reach before and after their dates, at most (app.core.tables.DateReach)."""
    # Plain SQL: every list request reads this, and building the statement cost more than
    # running it.
    row = (
        session.connection()
        .exec_driver_sql("SELECT lead_days, tail_days FROM date_reach WHERE id = 1")
        .one_or_none()
    )
    return (row.lead_days, row.tail_days) if row else _NO_REACH


_UNBOUNDED = 1_000_000  # days: no bound
_NO_REACH = (_UNBOUNDED, _UNBOUNDED)


@dataclass(frozen=True, slots=True)
class ResolvedFilters:
    province_keys: list[str]
    district_keys: list[str]
    actor_ids: list[int]
    filters: EventFilters
    reach: tuple[int, int]
    dialect: str
    common_search: bool = False  # see app.events.search.COMMON
    common_actor: bool = False  # the actors are in at least COMMON records: check each record

    def scope(self) -> dict[str, Any]:
        """What a cursor must have been made for: the filters as resolved, not as spelt."""
        f = self.filters
        return {
            "p": self.province_keys,
            "d": self.district_keys,
            "a": self.actor_ids,
            "r": sorted(r.value for r in f.actor_role),
            "k": f.kind,
            "c": f.country,
            "ds": f.dataset,
            "us": f.updated_since,
            "uf": f.updated_from,
            "from": f.date_from,
            "to": f.date_to,
            "q": [[*t.words, t.prefix] for t in f.q],
            "bbox": f.bbox,
        }


def _known_foreign_places(session: Session, column: str) -> list[str]:
    names = session.execute(
        sa.select(event_t.c[column])
        .where(event_t.c[column].is_not(None), event_t.c[f"{column}_pcode"].is_(None))
        .distinct()
        .limit(5000)
    )
    return list(names.scalars())


def _gazetteer_keys(
    value: str, level: str, countries: list[str]
) -> tuple[list[str], list[tuple[str, str]]]:
    """The keys of the units `value` names exactly (in `countries`, if any), and, when it names
    units in several places, each choice: how it reads (with its ISO alpha-3 country) and its
    code."""
    gazetteer = get_gazetteer()
    if level == "province":
        provinces = gazetteer.find_provinces(value, country=None)
        if countries:
            provinces = [p for p in provinces if p.country in countries]
        codes = [p.iso_3166_2 or p.id for p in provinces]
        choices = [
            (f"{p.name} ({p.country}: {c})", c) for p, c in zip(provinces, codes, strict=True)
        ]
        return [p.key for p in provinces], choices
    districts = gazetteer.find_districts(value, country=None)
    if countries:
        districts = [d for d in districts if d.country in countries]
    if len({d.country for d in districts}) < 2:
        return [d.pcode for d in districts], []  # a name several provinces share: all of them
    choices = [
        (
            f"{d.name} ({gazetteer.provinces[d.province_pcode].name}, {d.country}: {d.pcode})",
            d.pcode,
        )
        for d in districts
    ]
    return [d.pcode for d in districts], choices


def _place_keys(
    *,
    session: Session,
    values: list[str],
    level: str,
    countries: list[str],
    errors: list[ErrorItem],
) -> list[str]:
    gazetteer = get_gazetteer()
    keys: list[str] = []
    for value in values:
        found, choices = _gazetteer_keys(value, level, countries)
        if len(found) > 1 and choices:
            errors.append(
                ErrorItem(
                    in_="query",
                    name=level,
                    detail=f"{level.capitalize()} {value!r} names {len(found)} places: "
                    f"{'; '.join(text for text, _ in choices)}. Add country= (ISO alpha-3), "
                    "or give a code.",
                    suggestions=[code for _, code in choices],
                )
            )
            continue
        if found:
            keys += found
            continue
        key = name_key(value)
        key_column = f"{level}_key"
        exists = (
            session.execute(
                sa.select(event_t.c.id).where(event_t.c[key_column] == key).limit(1)
            ).first()
            or session.execute(
                sa.select(event_place_t.c.event_id)
                .where(event_place_t.c[key_column] == key)
                .limit(1)
            ).first()
        )
        if exists:
            keys.append(key)
            continue
        scope = countries[0] if len(countries) == 1 else None
        known = (
            gazetteer.suggest_provinces(value, country=scope)
            if level == "province"
            else gazetteer.suggest_districts(value, country=scope)
        )
        foreign = closest(value, _known_foreign_places(session, level))
        errors.append(
            ErrorItem(
                in_="query",
                name=level,
                detail=f"Unknown {level} {value!r}"
                + (f" in {', '.join(countries)}." if countries else "."),
                suggestions=list(dict.fromkeys(known + foreign))[:5],
            )
        )
    return sorted(set(keys))


def resolve_filters(*, session: Session, filters: EventFilters) -> ResolvedFilters:
    """Turn names into keys and ids; 422 naming every unknown province, district and actor."""
    errors: list[ErrorItem] = []
    countries = list(filters.country)
    province_keys = _place_keys(
        session=session,
        values=filters.province,
        level="province",
        countries=countries,
        errors=errors,
    )
    district_keys = _place_keys(
        session=session,
        values=filters.district,
        level="district",
        countries=countries,
        errors=errors,
    )
    found = find_actors(session=session, names=filters.actor)
    actor_ids: set[int] = set()
    for name in filters.actor:
        actor = found.get(name_key(name))
        if actor is None:
            errors.append(
                ErrorItem(
                    in_="query",
                    name="actor",
                    detail=f"Unknown actor {name!r}.",
                    suggestions=suggest_actors(session=session, text=name),
                )
            )
        else:
            actor_ids.add(actor.id)
    if errors:
        raise InvalidRequest(errors)
    return ResolvedFilters(
        province_keys,
        district_keys,
        sorted(actor_ids),
        filters,
        # Only date filters use it: undated lists (most of them) skip the query.
        stored_reach(session) if filters.date_from or filters.date_to else _NO_REACH,
        session.get_bind().dialect.name,
        bool(filters.q) and is_common(session.connection(), list(filters.q)),
        bool(actor_ids) and _common_actors(session.connection(), sorted(actor_ids)),
    )


def _common_actors(connection: sa.Connection, actor_ids: list[int]) -> bool:
    """Whether the actors are in at least COMMON records (a plan choice, see `conditions`)."""

    def count() -> bool:
        some = (
            sa.select(event_actor_t.c.event_id)
            .where(event_actor_t.c.actor_id.in_(actor_ids))
            .limit(search.COMMON)
            .subquery()
        )
        found = connection.execute(sa.select(sa.func.count()).select_from(some)).scalar()
        return (found or 0) >= search.COMMON

    return remembered(("actor", ",".join(map(str, actor_ids)), search.COMMON), count)


def conditions(
    resolved: ResolvedFilters, *, dated: tuple[date | None, date | None] = (None, None)
) -> list[sa.ColumnElement[bool]]:
    """Every filter but the place filters, which place_arms splits; `dated` narrows the records
    to those dated within [first, last] (None: unbounded)."""
    f = resolved.filters
    found: list[sa.ColumnElement[bool]] = [event_t.c.deleted_at.is_(None)]
    found += _date_conditions(resolved, dated)
    if f.q:
        found.append(matching(list(f.q), resolved.dialect, common=resolved.common_search))
    if f.bbox:
        found.append(f.bbox.condition())
    if resolved.actor_ids:
        found.append(_actor_condition(resolved))
    if f.updated_since:
        found.append(event_t.c.updated_at > f.updated_since)
    if f.updated_from:
        found.append(event_t.c.updated_at >= f.updated_from)
    found += [event_t.c[name].in_(values) for name, values in _value_lists(f) if values]
    return found


def _value_lists(f: EventFilters) -> tuple[tuple[str, list[str]], ...]:
    """The filters that are a plain list of a column's values."""
    return (("kind", f.kind), ("country", f.country), ("dataset", f.dataset))


def _date_conditions(
    resolved: ResolvedFilters, dated: tuple[date | None, date | None]
) -> list[sa.ColumnElement[bool]]:
    """The records whose span overlaps the dates asked for.

    The bounds on `date` are implied by the span conditions (no span reaches further from its
    date than date_reach says); they let the (..., date) indexes seek a range, not scan. One
    bound a side: SQLite seeks by the first it finds.
    """
    f = resolved.filters
    found: list[sa.ColumnElement[bool]] = []
    lead, tail = resolved.reach
    low, high = dated
    if f.date_from:
        found.append(event_t.c.span_end >= f.date_from)
        if tail < _UNBOUNDED:
            implied = f.date_from - timedelta(days=tail)
            low = implied if low is None else max(low, implied)
    if f.date_to:
        found.append(event_t.c.span_start <= f.date_to)
        if lead < _UNBOUNDED:
            implied = f.date_to + timedelta(days=lead)
            high = implied if high is None else min(high, implied)
    if low is not None:
        found.append(event_t.c.date >= low)
    if high is not None:
        found.append(event_t.c.date <= high)
    return found


def _actor_condition(resolved: ResolvedFilters) -> sa.ColumnElement[bool]:
    """The records the actors took part in (in the roles asked for).

    A common actor (the Taliban, in a quarter of all records) is checked on each record as the
    other filters walk their index (1 ms for a year's page); a rarer one is looked up first and
    its records fetched by id. The other way round, each costs 300 ms or more.
    """
    involved = sa.select(event_actor_t.c.event_id).where(
        event_actor_t.c.actor_id.in_(resolved.actor_ids)
    )
    if resolved.filters.actor_role:
        roles = [r.value for r in resolved.filters.actor_role]
        involved = involved.where(event_actor_t.c.role.in_(roles))
    if resolved.common_actor:
        return involved.where(event_actor_t.c.event_id == event_t.c.id).exists()
    return event_t.c.id.in_(involved)


def place_arms(resolved: ResolvedFilters) -> list[sa.ColumnElement[bool]]:
    """The province/district filters as disjoint alternatives, to be combined with UNION ALL.

    A record matches a place through its own columns or through a displacement's origin or
    destination. Written as one OR, the planner must collect and sort every match; as two arms,
    the common one (its own place) walks the (place, date, id) index in order and stops early.
    """
    dimensions = [
        (column, keys)
        for column, keys in (
            ("province_key", resolved.province_keys),
            ("district_key", resolved.district_keys),
        )
        if keys
    ]
    if not dimensions:
        return []
    own = sa.and_(*(event_t.c[column].in_(keys) for column, keys in dimensions))

    def elsewhere(column: str, keys: list[str]) -> sa.ColumnElement[bool]:
        places = sa.select(event_place_t.c.event_id).where(event_place_t.c[column].in_(keys))
        return event_t.c.id.in_(places)

    either = sa.and_(
        *(
            sa.or_(event_t.c[column].in_(keys), elsewhere(column, keys))
            for column, keys in dimensions
        )
    )
    candidates = sa.or_(*(elsewhere(column, keys) for column, keys in dimensions))
    return [own, sa.and_(candidates, sa.not_(sa.func.coalesce(own, sa.false())), either)]


Position = tuple[date, int] | tuple[datetime, int]


Listed = tuple[sa.Select[Any] | sa.CompoundSelect[Any], sa.Column[Any]]
_STATEMENTS = StatementCache[Listed]()


def _listed(
    resolved: ResolvedFilters,
    after: Position | None,
    limit: int | None,
    *,
    as_text: bool = False,
    read: Reading | None = None,
) -> Listed:
    """The matching records in list order (after `after`, at most `limit`), and the column that
    orders them; with `as_text`, SQLite's text columns unparsed (_LISTED_AS_TEXT); `read`: only
    the columns it lists."""

    def build() -> Listed:
        listed = _LISTED_AS_TEXT if as_text else _LISTED_COLUMNS
        if read is not None:
            by_name = {c.name: c for c in listed}
            listed = [by_name[name] for name in read.listed]
        stmt, order = _build_listed(resolved, after, listed)
        return (stmt if limit is None else stmt.limit(limit), order)

    key = (resolved, after, limit, as_text, None if read is None else read.listed)
    return _STATEMENTS.get(repr(key), build)


def _build_listed(resolved: ResolvedFilters, after: Position | None, listed: list[Any]) -> Listed:
    by_change = resolved.filters.updated_since is not None
    key = event_t.c.updated_at if by_change else event_t.c.date
    where = conditions(resolved)
    if after is not None:
        after_key, after_id = after
        if by_change:
            where.append(
                sa.or_(key > after_key, sa.and_(key == after_key, event_t.c.id > after_id))
            )
        else:
            where.append(
                sa.or_(key < after_key, sa.and_(key == after_key, event_t.c.id < after_id))
            )
    arms = place_arms(resolved) or [sa.true()]
    selects = [sa.select(*listed).where(*where, arm) for arm in arms]
    if len(selects) == 1:
        columns: tuple[Any, Any] = (key, event_t.c.id)
        stmt: sa.Select[Any] | sa.CompoundSelect[Any] = selects[0]
    else:  # a compound select orders by result column names
        columns = (sa.literal_column(key.name), sa.literal_column("id"))
        stmt = sa.union_all(*selects)
    return stmt.order_by(*(c.asc() if by_change else c.desc() for c in columns)), key


def list_events(
    *,
    session: Session,
    resolved: ResolvedFilters,
    after: Position | None,
    limit: int,
    fields: tuple[str, ...] | None = None,
) -> tuple[list[dict[str, Any]], Position | None]:
    """One page, and the position to continue from, if any; with `fields`, records made of
    (at least) those fields, read from only the columns they need.

    Newest first (date, then id); with `updated_since`, in order of change (updated_at, then id)
    so that a client can mirror the database.
    """
    as_text = resolved.dialect == "sqlite"
    read = reading(fields)
    stmt, key = _listed(resolved, after, limit + 1, as_text=as_text, read=read)
    rows = session.execute(stmt).all()
    page, more = rows[:limit], len(rows) > limit
    at = read.at
    actors = (
        actors_of(session=session, event_ids=[row[at["id"]] for row in page]) if read.actors else {}
    )
    items = [_item(row, read.columns, at, actors, as_text=as_text) for row in page]
    last = page[-1] if page and more else None
    if last is None:
        return items, None
    position = last[at[key.name]]
    if isinstance(position, str):  # as stored: updated_at, or a date
        position = date.fromisoformat(position) if key.name == "date" else _utc(position)
    return items, (position, last[at["id"]])


def _item(
    row: Sequence[Any],
    columns: tuple[str, ...],
    at: dict[str, int],
    actors: dict[int, list[dict[str, str]]],
    *,
    as_text: bool,
) -> dict[str, Any]:
    """A listed record from its row, by position (a Row's mapping costs more per lookup than
    the page's query): its columns are the row's first values (Reading.listed)."""
    out = dict(zip(columns, row, strict=False))
    around = {name: row[at[name]] for name in _AROUND if name in at}
    details = around.get("details")
    if as_text:
        for column in ("created_at", "updated_at", "imported_at"):
            if column in out:
                out[column] = _utc_text(out[column])
        for column in ("fatalities", "sources"):
            if out.get(column) is not None:
                out[column] = orjson.Fragment(out[column])
        details = orjson.loads(details) if details is not None else None
    return _finish(out, around, details or {}, actors.get(row[at["id"]], []))


def list_deleted(
    *, session: Session, since: datetime | None, after: tuple[datetime, int] | None, limit: int
) -> tuple[list[dict[str, Any]], tuple[datetime, int] | None]:
    """Deleted records in order of deletion, like ACLED's deleted endpoint."""
    stmt = sa.select(
        event_t.c.id, event_t.c.deleted_at, event_t.c.dataset, event_t.c.external_id
    ).where(event_t.c.deleted_at.is_not(None))
    if since is not None:
        stmt = stmt.where(event_t.c.deleted_at > since)
    if after is not None:
        stmt = stmt.where(
            sa.or_(
                event_t.c.deleted_at > after[0],
                sa.and_(event_t.c.deleted_at == after[0], event_t.c.id > after[1]),
            )
        )
    rows = (
        session.execute(stmt.order_by(event_t.c.deleted_at, event_t.c.id).limit(limit + 1))
        .mappings()
        .all()
    )
    page = [dict(row) for row in rows[:limit]]
    last = page[-1] if len(rows) > limit else None
    return page, ((last["deleted_at"], last["id"]) if last else None)


def history(*, session: Session, event_id: int) -> list[dict[str, Any]]:
    """Every version of a record, oldest first, each with the JSON Patch that made it."""
    row = (
        session.execute(sa.select(event_t).where(event_t.c.id == event_id)).mappings().one_or_none()
    )
    if row is None:
        raise NotFound(f"No event with id {event_id}.")
    revisions = (
        session.execute(
            sa.select(revision_t)
            .where(revision_t.c.event_id == event_id)
            .order_by(revision_t.c.version.desc())
        )
        .mappings()
        .all()
    )
    state = document(row, actors_of(session=session, event_ids=[event_id])[event_id])
    entries = []
    for revision in revisions:
        previous = jsonpatch.apply_patch(state, revision["reverse_patch"])
        entries.append(
            {
                "version": revision["version"],
                "action": revision["action"],
                "changed_at": revision["changed_at"],
                "changed_by": revision["changed_by"],
                "patch": jsonpatch.make_patch(previous, state).patch,
            }
        )
        state = previous
    entries.append(
        {
            "version": 1,
            "action": "create",
            "changed_at": row["created_at"],
            "changed_by": row["created_by"],
            "patch": [{"op": "add", "path": "", "value": state}],
        }
    )
    return entries[::-1]


def iter_events(
    *,
    session: Session,
    resolved: ResolvedFilters,
    limit: int | None = None,
    chunk: int = 1000,
    fields: tuple[str, ...] | None = None,
) -> Iterator[dict[str, Any]]:
    """Every matching record in list order (with `fields`: at least those fields of each, read
    from only the columns they need), from one query read a chunk at a time (a server-side
    cursor on PostgreSQL), so memory stays flat whatever the size."""
    read = reading(fields)
    stmt, _ = _listed(resolved, None, limit, read=read)
    at = read.at
    result = session.execute(stmt, execution_options={"yield_per": chunk})
    try:
        for rows in result.partitions():
            actors = (
                actors_of(session=session, event_ids=[row[at["id"]] for row in rows])
                if read.actors
                else {}
            )
            for row in rows:
                yield _item(row, read.columns, at, actors, as_text=False)
    finally:  # a reader that stops early must not leave PostgreSQL's server-side cursor open
        result.close()


def ids_matching(
    *, session: Session, resolved: ResolvedFilters, besides: int | None, limit: int
) -> list[int]:
    """The ids of the records the filters match, lowest first, at most `limit`, leaving out
    `besides` (the reports' check for a record already stored)."""
    where = conditions(resolved)
    if besides is not None:
        where.append(event_t.c.id != besides)
    selects = [sa.select(event_t.c.id).where(*where, arm) for arm in place_arms(resolved)]
    if not selects:
        stmt = sa.select(event_t.c.id).where(*where).order_by(event_t.c.id)
    else:
        matched = sa.union_all(*selects).subquery()
        stmt = sa.select(matched.c.id).order_by(matched.c.id)
    return list(session.execute(stmt.limit(limit)).scalars())
