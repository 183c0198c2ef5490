"""Worldwide places: every record's province and district resolved by the worldwide gazetteer.

Adds to event: province_iso_3166_2, and province_as_given / district_as_given (what the writer
or source spelt). Every stored record is resolved again, as an import resolves it (a name the
gazetteer does not know is kept as spelt, with no code): nothing is lost, the stored spelling
is kept in *_as_given, and records of other countries stored as free text gain their codes.
The extra places of displacements (event_place and the record's origin/destination) and the
monthly totals (keyed by province) follow. Content hashes are left as they were: a re-import
of an unchanged file counts such records as updated once.

This revision resolves with the gazetteer of the code that runs it (app.events.places).

Revision ID: 6f1c2d9e4b70
Revises: 01a0677fffe7
Create Date: 2026-12-08 02:50:00
"""

import json
from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op
from sqlmodel import Session

revision: str = "6f1c2d9e4b70"
down_revision: str | None = "01a0677fffe7"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_PLACE = (
    "province",
    "province_pcode",
    "province_key",
    "province_iso_3166_2",
    "province_as_given",
    "district",
    "district_pcode",
    "district_key",
    "district_as_given",
)


def _json(value: Any) -> Any:
    return json.loads(value) if isinstance(value, str) else value


def _resolved(country: str, province: Any, district: Any, point: Any) -> dict[str, Any]:
    from app.events.places import resolve_place  # the gazetteer of the code that migrates

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


def upgrade() -> None:
    with op.batch_alter_table("event", schema=None) as batch_op:
        batch_op.add_column(sa.Column("province_iso_3166_2", sa.String(length=10), nullable=True))
        batch_op.add_column(sa.Column("province_as_given", sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column("district_as_given", sa.String(length=200), nullable=True))

    connection = op.get_bind()
    event = sa.table(
        "event",
        *(
            sa.column(name)
            for name in (
                "id",
                "kind",
                "country",
                "latitude",
                "longitude",
                "details",
                *_PLACE,
            )
        ),
    )
    updates = []
    for row in connection.execute(
        sa.select(
            event.c.id,
            event.c.country,
            event.c.province,
            event.c.district,
            event.c.longitude,
            event.c.latitude,
        )
    ):
        if row.province is None and row.district is None:
            continue
        point = (row.longitude, row.latitude) if row.latitude is not None else None
        updates.append(
            {"row_id": row.id, **_resolved(row.country, row.province, row.district, point)}
        )
        if len(updates) >= 5000:
            _update(connection, event, updates)
            updates = []
    if updates:
        _update(connection, event, updates)
    _extra_places(connection, event)

    # The monthly totals are keyed by province: count them again.
    from app.events import totals  # the totals as the code that migrates keeps them

    connection.execute(sa.table("event_month_totals").delete())
    totals.add(Session(bind=connection), sa.true())


def _update(
    connection: sa.Connection, event: sa.TableClause, updates: list[dict[str, Any]]
) -> None:
    connection.execute(
        event.update()
        .where(event.c.id == sa.bindparam("row_id"))
        .values({name: sa.bindparam(name) for name in _PLACE}),
        updates,
    )


def downgrade() -> None:
    with op.batch_alter_table("event", schema=None) as batch_op:
        batch_op.drop_column("district_as_given")
        batch_op.drop_column("province_as_given")
        batch_op.drop_column("province_iso_3166_2")
