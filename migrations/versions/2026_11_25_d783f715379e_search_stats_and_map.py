"""Full-text search, figure qualifiers for stats, map points, date reach.

Adds to event: search_text (and its index: an FTS5 table kept by triggers on SQLite, a GIN index
on PostgreSQL), the qualifier of each figure, the point a record is mapped at (its coordinates or
its province's centroid), and the stats index; adds the one-row date_reach table. Fills them all
in for stored records.

Revision ID: d783f715379e
Revises: 37787240cbf4
Create Date: 2026-11-25 06:43:17.435717
"""

import json
import unicodedata
from collections.abc import Sequence
from datetime import date
from typing import Any

import sqlalchemy as sa
from alembic import op

revision: str = "d783f715379e"
down_revision: str | None = "37787240cbf4"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Province centroids (longitude, latitude) from the geoBoundaries polygons, as of this revision.
CENTROIDS = {
    "AF01": (69.303870, 34.581550),
    "AF02": (69.621610, 35.040010),
    "AF03": (68.888470, 34.979880),
    "AF04": (68.273640, 34.322710),
    "AF05": (69.200580, 34.038350),
    "AF06": (70.464280, 34.298430),
    "AF07": (70.136820, 34.774010),
    "AF08": (69.806290, 35.507580),
    "AF09": (68.877920, 35.809120),
    "AF10": (67.271190, 34.826360),
    "AF11": (67.813920, 33.287640),
    "AF12": (68.762270, 32.472090),
    "AF13": (69.373750, 33.627730),
    "AF14": (69.846400, 33.362560),
    "AF15": (71.094490, 35.003680),
    "AF16": (70.733300, 35.423250),
    "AF17": (71.483760, 37.045450),
    "AF18": (69.756730, 36.715180),
    "AF19": (68.750060, 36.837320),
    "AF20": (67.713690, 35.954420),
    "AF21": (67.122730, 36.648970),
    "AF22": (66.146790, 35.716990),
    "AF23": (64.883230, 34.183050),
    "AF24": (66.185100, 33.744380),
    "AF25": (66.035040, 32.862070),
    "AF26": (67.112830, 32.235990),
    "AF27": (65.719550, 31.008790),
    "AF28": (65.851710, 36.814480),
    "AF29": (64.842740, 36.066370),
    "AF30": (64.015230, 31.119920),
    "AF31": (63.737890, 35.134620),
    "AF32": (62.141260, 34.195460),
    "AF33": (62.325350, 32.605310),
    "AF34": (62.313640, 30.813390),
}

STATS_COLUMNS = [
    "date",
    "span_start",
    "span_end",
    "province_key",
    "kind",
    "fatalities_value",
    "fatalities_qualifier",
    "families_value",
    "families_qualifier",
    "individuals_value",
    "individuals_qualifier",
    "deleted_at",
]

FTS_SQLITE = [
    "CREATE VIRTUAL TABLE event_fts USING fts5(search_text, content='event', "
    "content_rowid='id', tokenize='unicode61 remove_diacritics 2')",
    "CREATE TRIGGER event_fts_insert AFTER INSERT ON event BEGIN "
    "INSERT INTO event_fts(rowid, search_text) VALUES (new.id, new.search_text); END",
    "CREATE TRIGGER event_fts_delete AFTER DELETE ON event BEGIN "
    "INSERT INTO event_fts(event_fts, rowid, search_text) "
    "VALUES ('delete', old.id, old.search_text); END",
    "CREATE TRIGGER event_fts_update AFTER UPDATE OF search_text ON event BEGIN "
    "INSERT INTO event_fts(event_fts, rowid, search_text) "
    "VALUES ('delete', old.id, old.search_text); "
    "INSERT INTO event_fts(rowid, search_text) VALUES (new.id, new.search_text); END",
]
GIN_POSTGRESQL = (
    "CREATE INDEX ix_event_search ON event "  # the expression app.events.search.tsvector() uses
    "USING gin (to_tsvector('simple'::regconfig, search_text))"
)


def _json(value: Any) -> Any:
    return json.loads(value) if isinstance(value, str) else value


def _day(value: Any) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value)[:10])


def _search_text(row: Any) -> str:
    details, sources = _json(row.details) or {}, _json(row.sources) or []
    parts = [row.summary, row.location, row.province, row.district]
    for role in ("origin", "destination"):
        place = details.get(role)
        if isinstance(place, dict):
            parts += [place.get("province"), place.get("district"), place.get("location")]
    parts += [s.get(f) for s in sources for f in ("title", "quote")]
    text = "\n".join(p for p in parts if p)
    if text.isascii():
        return text
    decomposed = unicodedata.normalize("NFKD", text)  # without diacritics, as the app stores it
    return unicodedata.normalize(
        "NFC", "".join(c for c in decomposed if not unicodedata.combining(c))
    )


def _qualifier(figure: Any) -> str | None:
    figure = _json(figure)
    return figure.get("qualifier") if isinstance(figure, dict) else None


def upgrade() -> None:
    op.create_table(
        "date_reach",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("lead_days", sa.Integer(), nullable=False),
        sa.Column("tail_days", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_date_reach")),
    )
    with op.batch_alter_table("event", schema=None) as batch_op:
        batch_op.add_column(sa.Column("fatalities_qualifier", sa.String(length=10), nullable=True))
        batch_op.add_column(sa.Column("families_qualifier", sa.String(length=10), nullable=True))
        batch_op.add_column(sa.Column("individuals_qualifier", sa.String(length=10), nullable=True))
        batch_op.add_column(sa.Column("point_longitude", sa.Float(), nullable=True))
        batch_op.add_column(sa.Column("point_latitude", sa.Float(), nullable=True))
        batch_op.add_column(sa.Column("search_text", sa.Text(), nullable=False, server_default=""))

    connection = op.get_bind()
    event = sa.table(
        "event",
        *(
            sa.column(name)
            for name in (
                "id",
                "date",
                "span_start",
                "span_end",
                "summary",
                "location",
                "province",
                "district",
                "details",
                "sources",
                "fatalities",
                "latitude",
                "longitude",
                "province_pcode",
                "fatalities_qualifier",
                "families_qualifier",
                "individuals_qualifier",
                "point_longitude",
                "point_latitude",
                "search_text",
            )
        ),
    )
    lead = tail = 0
    updates = []
    for row in connection.execute(sa.select(event)):
        lead = max(lead, (_day(row.date) - _day(row.span_start)).days)
        tail = max(tail, (_day(row.span_end) - _day(row.date)).days)
        details = _json(row.details) or {}
        point = (
            (row.longitude, row.latitude)
            if row.latitude is not None
            else CENTROIDS.get(row.province_pcode or "", (None, None))
        )
        updates.append(
            {
                "row_id": row.id,
                "fatalities_qualifier": _qualifier(row.fatalities),
                "families_qualifier": _qualifier(details.get("families")),
                "individuals_qualifier": _qualifier(details.get("individuals")),
                "point_longitude": point[0],
                "point_latitude": point[1],
                "search_text": _search_text(row),
            }
        )
    if updates:
        connection.execute(
            event.update()
            .where(event.c.id == sa.bindparam("row_id"))
            .values({name: sa.bindparam(name) for name in updates[0] if name != "row_id"}),
            updates,
        )
    connection.execute(
        sa.table("date_reach", sa.column("id"), sa.column("lead_days"), sa.column("tail_days"))
        .insert()
        .values(id=1, lead_days=lead, tail_days=tail)
    )

    with op.batch_alter_table("event", schema=None) as batch_op:
        batch_op.create_index(
            "ix_event_stats",
            STATS_COLUMNS,
            unique=False,
            sqlite_where=sa.text("deleted_at IS NULL"),
            postgresql_where=sa.text("deleted_at IS NULL"),
        )
    if connection.dialect.name == "sqlite":
        for statement in FTS_SQLITE:
            op.execute(statement)
        op.execute("INSERT INTO event_fts(event_fts) VALUES ('rebuild')")
    else:
        op.execute(GIN_POSTGRESQL)


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for trigger in ("event_fts_insert", "event_fts_delete", "event_fts_update"):
            op.execute(f"DROP TRIGGER IF EXISTS {trigger}")
        op.execute("DROP TABLE IF EXISTS event_fts")
    else:
        op.execute("DROP INDEX IF EXISTS ix_event_search")
    with op.batch_alter_table("event", schema=None) as batch_op:
        batch_op.drop_index(
            "ix_event_stats",
            sqlite_where=sa.text("deleted_at IS NULL"),
            postgresql_where=sa.text("deleted_at IS NULL"),
        )
        batch_op.drop_column("search_text")
        batch_op.drop_column("point_latitude")
        batch_op.drop_column("point_longitude")
        batch_op.drop_column("individuals_qualifier")
        batch_op.drop_column("families_qualifier")
        batch_op.drop_column("fatalities_qualifier")
    op.drop_table("date_reach")
