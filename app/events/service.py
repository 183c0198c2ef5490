"""Storing and reading events. The only code that touches event rows; keyword-only functions."""

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from app.actors.service import find_actors, get_or_create_actors, suggest_actors
from app.errors import Conflict, ErrorItem, Gone, InvalidRequest, NotFound
from app.events.dates import span
from app.events.filters import EventFilters
from app.events.places import ResolvedPlace, resolve_place
from app.events.schemas import DETAIL_FIELDS, DisplacementIn, EventInModel
from app.gazetteer import get_gazetteer
from app.models import actor_table as actor_t
from app.models import event_actor_table as event_actor_t
from app.models import event_place_table as event_place_t
from app.models import event_table as event_t
from app.models import utcnow
from app.normalize import closest, name_key

_OUT_COLUMNS = (
    "id",
    "kind",
    "date",
    "end_date",
    "date_precision",
    "country",
    "province",
    "province_pcode",
    "district",
    "district_pcode",
    "location",
    "latitude",
    "longitude",
    "geo_precision",
    "summary",
    "fatalities",
    "sources",
    "source_event_type",
    "source_sub_event_type",
    "dataset",
    "external_id",
    "created_at",
    "updated_at",
    "version",
)


# Writing.
def _figure_value(figure: Any) -> int | None:
    return figure.value if figure is not None else None


def _prepare(
    *, session: Session, event_in: EventInModel
) -> tuple[dict[str, Any], list[dict[str, Any]], list[dict[str, Any]]]:
    """Columns, actor links and extra places for a valid record; 422 listing every problem."""
    errors: list[ErrorItem] = []
    place = resolve_place(
        country=event_in.country,
        province=event_in.province,
        district=event_in.district,
        pointer="",
        errors=errors,
    )
    details = event_in.model_dump(mode="json", include=set(DETAIL_FIELDS[event_in.kind]))
    extra_places = []
    if isinstance(event_in, DisplacementIn):
        for role in ("origin", "destination"):
            given = getattr(event_in, role)
            if given is None:
                continue
            resolved = resolve_place(
                country=event_in.country,
                province=given.province,
                district=given.district,
                pointer=f"/{role}",
                errors=errors,
            )
            details[role] = _place_out(resolved, given.location)
            extra_places.append(
                {
                    "role": role,
                    "province_key": resolved.province_key,
                    "district_key": resolved.district_key,
                }
            )
    if errors:
        raise InvalidRequest(errors)
    actors = get_or_create_actors(session=session, names=[a.name for a in event_in.actors])
    links = [
        {"position": position, "actor_id": actors[name_key(ref.name)].id, "role": ref.role.value}
        for position, ref in enumerate(event_in.actors)
    ]
    start, end = span(event_in.date, event_in.end_date, event_in.date_precision)
    now = utcnow()
    columns = event_in.model_dump(
        mode="python",
        include={
            "kind",
            "date",
            "end_date",
            "date_precision",
            "country",
            "location",
            "latitude",
            "longitude",
            "geo_precision",
            "summary",
            "source_event_type",
            "source_sub_event_type",
            "dataset",
            "external_id",
        },
    ) | {
        "province": place.province,
        "province_pcode": place.province_pcode,
        "province_key": place.province_key,
        "district": place.district,
        "district_pcode": place.district_pcode,
        "district_key": place.district_key,
        "span_start": start,
        "span_end": end,
        "fatalities": event_in.fatalities.model_dump(mode="json") if event_in.fatalities else None,
        "fatalities_value": _figure_value(event_in.fatalities),
        "families_value": _figure_value(getattr(event_in, "families", None)),
        "individuals_value": _figure_value(getattr(event_in, "individuals", None)),
        "sources": [s.model_dump(mode="json") for s in event_in.sources],
        "details": details,
        "created_at": now,
        "updated_at": now,
        "version": 1,
    }
    columns["date_precision"] = event_in.date_precision.value
    columns["geo_precision"] = event_in.geo_precision.value if event_in.geo_precision else None
    return columns, links, extra_places


def _place_out(place: ResolvedPlace, location: str | None) -> dict[str, Any]:
    return {
        "province": place.province,
        "province_pcode": place.province_pcode,
        "district": place.district,
        "district_pcode": place.district_pcode,
        "location": location,
    }


def find_by_external_id(*, session: Session, dataset: str, external_id: str) -> int | None:
    return session.execute(
        sa.select(event_t.c.id).where(
            event_t.c.dataset == dataset, event_t.c.external_id == external_id
        )
    ).scalar_one_or_none()


def store_event(*, session: Session, event_in: EventInModel) -> int:
    """Add a record to the session's transaction (not committed) and return its id."""
    columns, links, places = _prepare(session=session, event_in=event_in)
    event_id = session.execute(
        sa.insert(event_t).values(columns).returning(event_t.c.id)
    ).scalar_one()
    if links:
        session.execute(
            sa.insert(event_actor_t), [{"event_id": event_id, **link} for link in links]
        )
    if places:
        session.execute(sa.insert(event_place_t), [{"event_id": event_id, **p} for p in places])
    return int(event_id)


def create_event(*, session: Session, event_in: EventInModel) -> int:
    """Store a new record in one transaction and return its id."""
    if event_in.dataset and event_in.external_id:
        existing = find_by_external_id(
            session=session, dataset=event_in.dataset, external_id=event_in.external_id
        )
        if existing is not None:
            raise Conflict(
                f"Event {existing} already has dataset {event_in.dataset!r} and external_id "
                f"{event_in.external_id!r}."
            )
    try:
        event_id = store_event(session=session, event_in=event_in)
        session.commit()
    except IntegrityError as error:
        session.rollback()
        raise Conflict(
            "Another record with this dataset and external_id was stored meanwhile."
        ) from error
    return event_id


# Reading.
def _actors_of(*, session: Session, event_ids: list[int]) -> dict[int, list[dict[str, str]]]:
    actors: dict[int, list[dict[str, str]]] = defaultdict(list)
    if not event_ids:
        return actors
    rows = session.execute(
        sa.select(event_actor_t.c.event_id, actor_t.c.name, event_actor_t.c.role)
        .join(actor_t, actor_t.c.id == event_actor_t.c.actor_id)
        .where(event_actor_t.c.event_id.in_(event_ids))
        .order_by(event_actor_t.c.event_id, event_actor_t.c.position)
    )
    for event_id, name, role in rows:
        actors[event_id].append({"name": name, "role": role})
    return actors


def _to_api(row: sa.RowMapping, actors: list[dict[str, str]]) -> dict[str, Any]:
    out = {column: row[column] for column in _OUT_COLUMNS}
    out["actors"] = actors
    out.update(row["details"])
    return out


def read_event(*, session: Session, event_id: int) -> dict[str, Any]:
    row = (
        session.execute(sa.select(event_t).where(event_t.c.id == event_id)).mappings().one_or_none()
    )
    if row is None:
        raise NotFound(f"No event with id {event_id}.")
    if row["deleted_at"] is not None:
        raise Gone(f"Event {event_id} was deleted at {row['deleted_at'].isoformat()}.")
    return _to_api(row, _actors_of(session=session, event_ids=[event_id])[event_id])


@dataclass(frozen=True, slots=True)
class ResolvedFilters:
    province_keys: list[str]
    district_keys: list[str]
    actor_ids: list[int]
    filters: EventFilters

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
            "from": f.date_from,
            "to": f.date_to,
        }


def _known_foreign_places(session: Session, column: str) -> list[str]:
    names = session.execute(
        sa.select(event_t.c[column])
        .where(event_t.c[column].is_not(None), event_t.c.country != "AFG")
        .distinct()
        .limit(5000)
    )
    return list(names.scalars())


def _place_keys(
    *, session: Session, values: list[str], level: str, errors: list[ErrorItem]
) -> list[str]:
    gazetteer = get_gazetteer()
    keys: list[str] = []
    for value in values:
        if level == "province":
            found = gazetteer.find_province(value)
            pcodes = [found.pcode] if found else []
        else:
            pcodes = [d.pcode for d in gazetteer.find_districts(value)]
        if pcodes:
            keys += pcodes
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
        known = (
            gazetteer.suggest_provinces(value)
            if level == "province"
            else gazetteer.suggest_districts(value)
        )
        foreign = closest(value, _known_foreign_places(session, level))
        errors.append(
            ErrorItem(
                in_="query",
                name=level,
                detail=f"Unknown {level} {value!r}.",
                suggestions=(known + foreign)[:5],
            )
        )
    return sorted(set(keys))


def resolve_filters(*, session: Session, filters: EventFilters) -> ResolvedFilters:
    """Turn names into keys and ids; 422 naming every unknown province, district and actor."""
    errors: list[ErrorItem] = []
    province_keys = _place_keys(
        session=session, values=filters.province, level="province", errors=errors
    )
    district_keys = _place_keys(
        session=session, values=filters.district, level="district", errors=errors
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
    return ResolvedFilters(province_keys, district_keys, sorted(actor_ids), filters)


# A coarse date's span starts at most this long before the date (a year-precision record).
_LONGEST_LEAD = timedelta(days=366)


def _conditions(resolved: ResolvedFilters) -> list[sa.ColumnElement[bool]]:
    """Every filter but the place filters, which _place_arms splits."""
    f = resolved.filters
    conditions: list[sa.ColumnElement[bool]] = [event_t.c.deleted_at.is_(None)]
    if f.date_from:
        conditions.append(event_t.c.span_end >= f.date_from)
    if f.date_to:
        conditions.append(event_t.c.span_start <= f.date_to)
        # Implied by the line above; lets an index on (..., date) seek instead of scanning.
        conditions.append(event_t.c.date <= f.date_to + _LONGEST_LEAD)
    if resolved.actor_ids:
        involved = sa.select(event_actor_t.c.event_id).where(
            event_actor_t.c.actor_id.in_(resolved.actor_ids)
        )
        if f.actor_role:
            involved = involved.where(event_actor_t.c.role.in_([r.value for r in f.actor_role]))
        conditions.append(event_t.c.id.in_(involved))
    if f.kind:
        conditions.append(event_t.c.kind.in_(f.kind))
    if f.country:
        conditions.append(event_t.c.country.in_(f.country))
    return conditions


def _place_arms(resolved: ResolvedFilters) -> list[sa.ColumnElement[bool]]:
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


def list_events(
    *, session: Session, resolved: ResolvedFilters, after: tuple[date, int] | None, limit: int
) -> tuple[list[dict[str, Any]], tuple[date, int] | None]:
    """One page, newest first (date, then id); also the position to continue from, if any."""
    conditions = _conditions(resolved)
    if after is not None:
        after_date, after_id = after
        conditions.append(
            sa.or_(
                event_t.c.date < after_date,
                sa.and_(event_t.c.date == after_date, event_t.c.id < after_id),
            )
        )
    arms = _place_arms(resolved) or [sa.true()]
    selects = [sa.select(event_t).where(*conditions, arm) for arm in arms]
    if len(selects) == 1:
        stmt: sa.Select[Any] | sa.CompoundSelect[Any] = selects[0].order_by(
            event_t.c.date.desc(), event_t.c.id.desc()
        )
    else:
        stmt = sa.union_all(*selects).order_by(
            sa.literal_column("date").desc(), sa.literal_column("id").desc()
        )
    rows = session.execute(stmt.limit(limit + 1)).mappings().all()
    page, more = rows[:limit], len(rows) > limit
    actors = _actors_of(session=session, event_ids=[row["id"] for row in page])
    items = [_to_api(row, actors[row["id"]]) for row in page]
    last = page[-1] if page and more else None
    return items, ((last["date"], last["id"]) if last else None)
