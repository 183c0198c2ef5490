"""Resolving every stored record's places again, with the gazetteer of the code that runs.

For migrations that change what the gazetteer knows (new units, joins or spellings): each record
is resolved from what its writer or source spelt (`province_as_given`, `district_as_given`, else
the stored names), leniently, as an import resolves it, so nothing is lost and a name the
gazetteer does not know stays as spelt. The extra places of displacements (their origin and
destination, and the event_place keys) and the monthly totals (keyed by province) follow.
Content hashes are left as they were: a re-import of an unchanged file counts such records as
updated once.
"""

import json
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session

from app.events import totals
from app.events.places import resolve_place
from app.events.writes import EVENT_COLUMNS

# The columns a record's place fills (its province's and district's names, codes and keys).
_PLACE = tuple(c for c in EVENT_COLUMNS if c.startswith(("province", "district")))
_BATCH = 5000


def _json(value: Any) -> Any:
    return json.loads(value) if isinstance(value, str) else value


def _resolved(country: str, province: Any, district: Any, point: Any) -> dict[str, Any]:
    place = resolve_place(
        country=country,
        province=province,
        district=district,
        pointer="",
        errors=[],
        strict=False,
        point=point,
    )
    found = {name: getattr(place, name) for name in _PLACE}
    found["province_as_given"], found["district_as_given"] = province, district
    return found


def _extra_places(connection: sa.Connection, event: sa.TableClause) -> None:
    """A displacement's origin and destination: codes in its details, keys in event_place."""
    place_t = sa.table(
        "event_place",
        sa.column("event_id"),
        sa.column("role"),
        sa.column("province_key"),
        sa.column("district_key"),
    )
    rows = connection.execute(
        sa.select(event.c.id, event.c.country, event.c.details).where(
            event.c.kind == "displacement"
        )
    ).all()
    for row in rows:
        details = _json(row.details) or {}
        changed = False
        for role in ("origin", "destination"):
            given = details.get(role)
            if not isinstance(given, dict):
                continue
            place = _resolved(row.country, given.get("province"), given.get("district"), None)
            new = {
                **given,
                "province": place["province"],
                "province_pcode": place["province_pcode"],
                "province_iso_3166_2": place["province_iso_3166_2"],
                "district": place["district"],
                "district_pcode": place["district_pcode"],
            }
            if new != given:
                details[role], changed = new, True
            connection.execute(
                place_t.update()
                .where(place_t.c.event_id == row.id, place_t.c.role == role)
                .values(province_key=place["province_key"], district_key=place["district_key"])
            )
        if changed:
            connection.execute(
                event.update().where(event.c.id == row.id).values(details=json.dumps(details))
            )


def _update(
    connection: sa.Connection, event: sa.TableClause, updates: list[dict[str, Any]]
) -> None:
    connection.execute(
        event.update()
        .where(event.c.id == sa.bindparam("row_id"))
        .values({name: sa.bindparam(name) for name in _PLACE}),
        updates,
    )


def resolve_stored_places(connection: sa.Connection) -> None:
    """Resolve every record's places again (see the module's docstring)."""
    names = ("id", "kind", "country", "latitude", "longitude", "details", *_PLACE)
    event = sa.table("event", *(sa.column(name) for name in names))
    updates = []
    query = sa.select(
        event.c.id,
        event.c.country,
        sa.func.coalesce(event.c.province_as_given, event.c.province).label("province"),
        sa.func.coalesce(event.c.district_as_given, event.c.district).label("district"),
        event.c.longitude,
        event.c.latitude,
    )
    for row in connection.execute(query):
        if row.province is None and row.district is None:
            continue
        point = (row.longitude, row.latitude) if row.latitude is not None else None
        updates.append(
            {"row_id": row.id, **_resolved(row.country, row.province, row.district, point)}
        )
        if len(updates) >= _BATCH:
            _update(connection, event, updates)
            updates = []
    if updates:
        _update(connection, event, updates)
    _extra_places(connection, event)
    connection.execute(sa.table("event_month_totals").delete())
    totals.add(Session(bind=connection), sa.true())
