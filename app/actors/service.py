"""Finding, creating and listing actors. Keyword-only functions; the only code touching actors."""

import json
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session

from app.core.database import contains_pattern, insert_ignoring_conflicts
from app.core.normalize import closest, name_key
from app.core.tables import actor_alias_table as alias_t
from app.core.tables import actor_table as actor_t
from app.core.tables import event_actor_table as event_actor_t
from app.core.tables import event_table as event_t


@dataclass(frozen=True, slots=True)
class ActorRow:
    id: int
    name: str


def find_actors(*, session: Session, names: Iterable[str]) -> dict[str, ActorRow]:
    """Known actors by comparison key, for every name that is a canonical name or an alias."""
    keys = {name_key(n) for n in names} - {""}
    if not keys:
        return {}
    found: dict[str, ActorRow] = {}
    for statement in (_BY_ALIAS, _BY_NAME):  # an alias wins over another actor's name
        for key, actor_id, name in session.execute(statement, {"keys": list(keys)}):
            found.setdefault(key, ActorRow(actor_id, name))
    return found


# Built once: building them took a tenth of a list request filtered by actor.
_BY_NAME = sa.select(actor_t.c.name_key.label("key"), actor_t.c.id, actor_t.c.name).where(
    actor_t.c.name_key.in_(sa.bindparam("keys", expanding=True))
)
_BY_ALIAS = (
    sa.select(alias_t.c.alias_key.label("key"), actor_t.c.id, actor_t.c.name)
    .join(actor_t, actor_t.c.id == alias_t.c.actor_id)
    .where(alias_t.c.alias_key.in_(sa.bindparam("keys", expanding=True)))
)


def get_or_create_actors(*, session: Session, names: Iterable[str]) -> dict[str, ActorRow]:
    """Actors for `names` by comparison key; names nobody knows yet become new actors."""
    wanted = {name_key(n): n.strip() for n in names}
    found = find_actors(session=session, names=wanted.values())
    missing = [{"name": wanted[k], "name_key": k} for k in wanted if k not in found]
    if missing:
        insert_ignoring_conflicts(session, actor_t, missing, unique=["name_key"])
        found |= find_actors(session=session, names=[m["name"] for m in missing])
    return found


def ensure_actor(*, session: Session, name: str, aliases: list[tuple[str, str | None]]) -> int:
    """Register an actor and its aliases (name, source); existing rows are left as they are."""
    actor = get_or_create_actors(session=session, names=[name])[name_key(name)]
    rows = [
        {"actor_id": actor.id, "alias": alias, "alias_key": name_key(alias), "source": source}
        for alias, source in aliases
        if name_key(alias) != name_key(name)
    ]
    insert_ignoring_conflicts(session, alias_t, rows, unique=["alias_key"])
    return actor.id


def suggest_actors(*, session: Session, text: str) -> list[str]:
    names = session.execute(sa.select(actor_t.c.name)).scalars().all()
    aliases = session.execute(
        sa.select(alias_t.c.alias, actor_t.c.name).join(actor_t, actor_t.c.id == alias_t.c.actor_id)
    ).all()
    canonical = {name_key(alias): name for alias, name in aliases} | {name_key(n): n for n in names}
    matches = closest(text, list(names) + [alias for alias, _ in aliases])
    return list(dict.fromkeys(canonical[name_key(m)] for m in matches))


# Every listed page asks this; as plain SQL with the ids in one parameter it costs a quarter of
# the built statement with 50 bound ids (0.12 ms against 0.45 on SQLite).
_ACTORS_OF = (
    "SELECT ea.event_id, a.name, ea.role FROM event_actor ea JOIN actor a ON a.id = ea.actor_id "
    "WHERE ea.event_id {ids} ORDER BY ea.event_id, ea.position"
)
_IDS = {"sqlite": "IN (SELECT value FROM json_each(?))", "postgresql": "= ANY(%s)"}
_ACTORS_OF_SQLITE = _ACTORS_OF.format(ids=_IDS["sqlite"])


def actors_of(*, session: Session, event_ids: list[int]) -> dict[int, list[dict[str, str]]]:
    """Each event's actors, by canonical name, in the order the record lists them."""
    actors: dict[int, list[dict[str, str]]] = defaultdict(list)
    if not event_ids:
        return actors
    connection = session.connection()
    dialect = connection.dialect.name
    rows: Iterable[Any]
    if dialect == "sqlite":
        # Straight to the driver: SQLAlchemy's result machinery cost more than this indexed
        # lookup of a page's ids (the statement runs in the session's transaction all the same).
        rows = connection.connection.driver_connection.execute(  # type: ignore[union-attr]
            _ACTORS_OF_SQLITE, (json.dumps(event_ids),)
        )
    elif dialect in _IDS:
        rows = connection.exec_driver_sql(_ACTORS_OF.format(ids=_IDS[dialect]), (list(event_ids),))
    else:
        rows = session.execute(
            sa.select(event_actor_t.c.event_id, actor_t.c.name, event_actor_t.c.role)
            .join(actor_t, actor_t.c.id == event_actor_t.c.actor_id)
            .where(event_actor_t.c.event_id.in_(event_ids))
            .order_by(event_actor_t.c.event_id, event_actor_t.c.position)
        )
    for event_id, name, role in rows:
        actors[event_id].append({"name": name, "role": role})
    return actors


@dataclass(frozen=True, slots=True)
class ActorListing:
    id: int
    name: str
    aliases: list[tuple[str, str | None]]
    event_count: int


def list_actors(
    *, session: Session, query: str | None, after: tuple[str, int] | None, limit: int
) -> list[ActorListing]:
    """Actors ordered by name, optionally those whose name or alias contains `query`."""
    live_events = (
        sa.select(
            event_actor_t.c.actor_id,
            sa.func.count(sa.distinct(event_actor_t.c.event_id)).label("n"),
        )
        .join(event_t, event_t.c.id == event_actor_t.c.event_id)
        .where(event_t.c.deleted_at.is_(None))
        .group_by(event_actor_t.c.actor_id)
        .subquery()
    )
    stmt = (
        sa.select(
            actor_t.c.id, actor_t.c.name, actor_t.c.name_key, sa.func.coalesce(live_events.c.n, 0)
        )
        .outerjoin(live_events, live_events.c.actor_id == actor_t.c.id)
        .order_by(actor_t.c.name_key, actor_t.c.id)
        .limit(limit + 1)
    )
    if query:
        key = name_key(query)
        like = contains_pattern(key)
        matching_alias = sa.select(alias_t.c.actor_id).where(
            alias_t.c.alias_key.like(like, escape="\\")
        )
        stmt = stmt.where(
            sa.or_(actor_t.c.name_key.like(like, escape="\\"), actor_t.c.id.in_(matching_alias))
        )
    if after is not None:
        stmt = stmt.where(sa.tuple_(actor_t.c.name_key, actor_t.c.id) > sa.tuple_(*after))
    rows = session.execute(stmt).all()
    ids = [row[0] for row in rows]
    aliases: dict[int, list[tuple[str, str | None]]] = {i: [] for i in ids}
    alias_rows = session.execute(
        sa.select(alias_t.c.actor_id, alias_t.c.alias, alias_t.c.source)
        .where(alias_t.c.actor_id.in_(ids))
        .order_by(alias_t.c.actor_id, alias_t.c.alias)
    )
    for actor_id, alias, source in alias_rows:
        aliases[actor_id].append((alias, source))
    return [ActorListing(i, name, aliases[i], count) for i, name, _key, count in rows]


def actor_sort_key(*, session: Session, actor_id: int) -> tuple[str, int]:
    key = session.execute(
        sa.select(actor_t.c.name_key).where(actor_t.c.id == actor_id)
    ).scalar_one()
    return key, actor_id
