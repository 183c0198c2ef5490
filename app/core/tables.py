"""The database tables. Only these classes touch the database; API models live in schemas.

Kind-specific fields live in `event.details` (JSON, validated by the API models), so a new kind
needs no migration; what is filtered or summed has a column of its own.
"""

import datetime as dt
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.types import TypeDecorator
from sqlmodel import Field, SQLModel

from app.core.types import Qualifier

SQLModel.metadata.naming_convention = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UTCDateTime(TypeDecorator[datetime]):
    """Timezone-aware UTC datetimes on every backend (SQLite drops the offset otherwise)."""

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: sa.Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: sa.Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _partial_index(name: str, column: str, *more: str, **options: Any) -> sa.Index:
    """An index of the rows where `column` is not null, on both backends."""
    where = sa.text(f"{column} IS NOT NULL")
    return sa.Index(name, column, *more, sqlite_where=where, postgresql_where=where, **options)


# Secondary indexes that large imports drop and build again in their own transaction
# (app.ops.schema.drop_deferrable_indexes):
# each insert would update them at a random place, which is most of the cost of a big load.
DEFERRABLE = {"bulk_deferrable": True}


def utcnow() -> datetime:
    return datetime.now(UTC)


# Actors: one row per actor, with every spelling users may type in actor_alias.
class Actor(SQLModel, table=True):
    __tablename__ = "actor"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=300)
    name_key: str = Field(max_length=300, unique=True)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class ActorAlias(SQLModel, table=True):
    __tablename__ = "actor_alias"

    id: int | None = Field(default=None, primary_key=True)
    actor_id: int = Field(foreign_key="actor.id", index=True, ondelete="CASCADE")
    alias: str = Field(max_length=300)
    alias_key: str = Field(max_length=300, unique=True)
    source: str | None = Field(default=None, max_length=100)


# Events: the record. `*_key` columns hold the comparison key of a place: its p-code when the
# gazetteer knows it, otherwise the folded name (see app.normalize.name_key).
# The columns that make up a record as history compares and patches it (every stored field but
# the server's bookkeeping and what is derived from the others): app.events.documents reads them.
DOCUMENT: dict[str, Any] = {"info": {"document": True}}


class Event(SQLModel, table=True):
    __tablename__ = "event"
    __table_args__ = (
        sa.UniqueConstraint("dataset", "external_id"),
        # Indexes follow the filters. Each costs every insert a b-tree update, so kind and
        # country (a few values each) have none: the date index serves them. Partial indexes
        # skip the many rows with no district and the (few) deleted ones.
        sa.Index("ix_event_date_id", "date", "id", info=DEFERRABLE),
        sa.Index("ix_event_province_key_date_id", "province_key", "date", "id", info=DEFERRABLE),
        _partial_index(
            "ix_event_district_key_date_id", "district_key", "date", "id", info=DEFERRABLE
        ),
        sa.Index("ix_event_updated_at_id", "updated_at", "id"),
        _partial_index("ix_event_deleted_at_id", "deleted_at", "id"),
        # Covers what /v1/stats reads of live records, so a year of them is one index range.
        sa.Index(
            "ix_event_stats",
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
            "deleted_at",  # always null here, but SQLite only calls an index covering if it has it
            sqlite_where=sa.text("deleted_at IS NULL"),
            postgresql_where=sa.text("deleted_at IS NULL"),
            info=DEFERRABLE,
        ),
        {"sqlite_autoincrement": True},
    )

    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(max_length=40, sa_column_kwargs=DOCUMENT)
    date: dt.date = Field(sa_column_kwargs=DOCUMENT)
    end_date: dt.date | None = Field(default=None, sa_column_kwargs=DOCUMENT)
    date_precision: str = Field(max_length=10, sa_column_kwargs=DOCUMENT)
    # The span the record covers: end_date, or the whole week/month/year of a coarse date.
    span_start: dt.date
    span_end: dt.date
    country: str = Field(max_length=3, sa_column_kwargs=DOCUMENT)
    province: str | None = Field(default=None, max_length=200, sa_column_kwargs=DOCUMENT)
    province_pcode: str | None = Field(default=None, max_length=20, sa_column_kwargs=DOCUMENT)
    province_key: str | None = Field(default=None, max_length=200)
    province_iso_3166_2: str | None = Field(default=None, max_length=10, sa_column_kwargs=DOCUMENT)
    province_as_given: str | None = Field(default=None, max_length=200, sa_column_kwargs=DOCUMENT)
    district: str | None = Field(default=None, max_length=200, sa_column_kwargs=DOCUMENT)
    district_pcode: str | None = Field(default=None, max_length=20, sa_column_kwargs=DOCUMENT)
    district_key: str | None = Field(default=None, max_length=200)
    district_as_given: str | None = Field(default=None, max_length=200, sa_column_kwargs=DOCUMENT)
    location: str | None = Field(default=None, max_length=500, sa_column_kwargs=DOCUMENT)
    latitude: float | None = Field(default=None, sa_column_kwargs=DOCUMENT)
    longitude: float | None = Field(default=None, sa_column_kwargs=DOCUMENT)
    geo_precision: str | None = Field(default=None, max_length=20, sa_column_kwargs=DOCUMENT)
    summary: str = Field(sa_type=sa.Text, sa_column_kwargs=DOCUMENT)
    fatalities: dict[str, Any] | None = Field(
        default=None, sa_type=sa.JSON, sa_column_kwargs=DOCUMENT
    )
    # Figures as columns, for sums: the value and its qualifier (exact, about, at_least, ...).
    fatalities_value: int | None = Field(default=None, sa_type=sa.BigInteger)
    fatalities_qualifier: str | None = Field(default=None, max_length=10)
    families_value: int | None = Field(default=None, sa_type=sa.BigInteger)
    families_qualifier: str | None = Field(default=None, max_length=10)
    individuals_value: int | None = Field(default=None, sa_type=sa.BigInteger)
    individuals_qualifier: str | None = Field(default=None, max_length=10)
    # Where to put the record on a map: its coordinates, else its province's centroid.
    point_longitude: float | None = None
    point_latitude: float | None = None
    # What full-text search reads: summary, places and source quotes (app.events.search).
    search_text: str = Field(default="", sa_type=sa.Text)
    details: dict[str, Any] = Field(default_factory=dict, sa_type=sa.JSON)
    sources: list[dict[str, Any]] = Field(
        default_factory=list, sa_type=sa.JSON, sa_column_kwargs=DOCUMENT
    )
    source_event_type: str | None = Field(default=None, max_length=200, sa_column_kwargs=DOCUMENT)
    source_sub_event_type: str | None = Field(
        default=None, max_length=200, sa_column_kwargs=DOCUMENT
    )
    dataset: str | None = Field(default=None, max_length=200, sa_column_kwargs=DOCUMENT)
    external_id: str | None = Field(default=None, max_length=200, sa_column_kwargs=DOCUMENT)
    release: str | None = Field(default=None, max_length=200)
    imported_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    # A digest of what the record says (app.events.writes.content_hash): unchanged re-imports.
    content_hash: str | None = Field(default=None, max_length=32)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    deleted_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    version: int = 1
    created_by: str | None = Field(default=None, max_length=100)  # the API key's name


# How far a record's span reaches around its date, at most, over all records: lets a date
# filter bound the (date, ...) indexes on both sides. Only grows; one row.
class DateReach(SQLModel, table=True):
    __tablename__ = "date_reach"

    id: int = Field(default=1, primary_key=True)
    lead_days: int = 0  # date - span_start
    tail_days: int = 0  # span_end - date


class EventActor(SQLModel, table=True):
    __tablename__ = "event_actor"
    __table_args__ = (
        sa.Index(
            "ix_event_actor_actor_id_role_event_id", "actor_id", "role", "event_id", info=DEFERRABLE
        ),
        # Covers the per-record check of a common actor (EXISTS ... event_id = ? AND actor_id
        # IN ...) without reading the table: 1.05 -> 0.70 ms for a page of 1M records.
        sa.Index(
            "ix_event_actor_event_id_actor_id_role", "event_id", "actor_id", "role", info=DEFERRABLE
        ),
    )

    event_id: int = Field(foreign_key="event.id", primary_key=True, ondelete="CASCADE")
    position: int = Field(primary_key=True)
    actor_id: int = Field(foreign_key="actor.id", ondelete="RESTRICT")
    role: str = Field(max_length=20)


# Places an event touches besides its own: a displacement's origin and destination.
class EventPlace(SQLModel, table=True):
    __tablename__ = "event_place"
    __table_args__ = (
        sa.Index(
            "ix_event_place_province_key_event_id", "province_key", "event_id", info=DEFERRABLE
        ),
        sa.Index(
            "ix_event_place_district_key_event_id", "district_key", "event_id", info=DEFERRABLE
        ),
    )

    event_id: int = Field(foreign_key="event.id", primary_key=True, ondelete="CASCADE")
    role: str = Field(max_length=20, primary_key=True)
    province_key: str | None = Field(default=None, max_length=200)
    district_key: str | None = Field(default=None, max_length=200)


# History: one row per change after creation. `reverse_patch` is the JSON Patch that turns the
# new version back into the previous one, so creating a record costs no extra row.
class EventRevision(SQLModel, table=True):
    __tablename__ = "event_revision"

    event_id: int = Field(foreign_key="event.id", primary_key=True, ondelete="CASCADE")
    version: int = Field(primary_key=True)
    action: str = Field(max_length=10)
    changed_at: datetime = Field(sa_type=UTCDateTime)
    changed_by: str | None = Field(default=None, max_length=100)
    reverse_patch: list[dict[str, Any]] = Field(default_factory=list, sa_type=sa.JSON)


# API keys: only a hash of each secret is kept.
class ApiKeyRecord(SQLModel, table=True):
    __tablename__ = "api_key"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=100, unique=True)
    scope: str = Field(max_length=10)
    secret_hash: str = Field(max_length=64, unique=True)
    secret_prefix: str = Field(max_length=12)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    revoked_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


# The first answer to a create sent with an Idempotency-Key, replayed to retries.
class IdempotencyRecord(SQLModel, table=True):
    __tablename__ = "idempotency_record"
    __table_args__ = (sa.UniqueConstraint("key_name", "idempotency_key"),)

    id: int | None = Field(default=None, primary_key=True)
    key_name: str = Field(max_length=100)
    idempotency_key: str = Field(max_length=200)
    request_hash: str = Field(max_length=64)
    event_id: int = Field(foreign_key="event.id", ondelete="CASCADE")
    response: dict[str, Any] = Field(default_factory=dict, sa_type=sa.JSON)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


# Reports: a source document pasted in (a news report, a field update), and the draft records
# read from it (app/reports), each waiting for a person to accept or reject it. `content_hash`
# makes posting the same report twice answer the first one.
class Report(SQLModel, table=True):
    __tablename__ = "report"

    id: int | None = Field(default=None, primary_key=True)
    text: str = Field(sa_type=sa.Text)
    published_on: dt.date
    published_on_explanation: str = Field(sa_type=sa.Text)
    publisher: str = Field(max_length=200)
    title: str | None = Field(default=None, max_length=500)
    url: str | None = Field(default=None, max_length=2000)
    content_hash: str = Field(max_length=64, unique=True)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    created_by: str | None = Field(default=None, max_length=100)  # the API key's name


# One draft record of a report; `n` counts from 0 in the order the report's drafts are listed.
# `draft` holds what the extraction proposed (event, evidence, explanations), never changed;
# `correction` the merge patch applied when it was accepted. A record comes from one draft only.
class ReportDraft(SQLModel, table=True):
    __tablename__ = "report_draft"

    report_id: int = Field(foreign_key="report.id", primary_key=True, ondelete="CASCADE")
    n: int = Field(primary_key=True)
    draft: dict[str, Any] = Field(default_factory=dict, sa_type=sa.JSON)
    status: str = Field(default="pending", max_length=10)  # pending, accepted, rejected
    event_id: int | None = Field(default=None, foreign_key="event.id", unique=True)
    correction: dict[str, Any] | None = Field(default=None, sa_type=sa.JSON)
    reason: str | None = Field(default=None, sa_type=sa.Text)  # why it was rejected
    decided_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    decided_by: str | None = Field(default=None, max_length=100)


metadata = SQLModel.metadata

# Monthly totals of live records per (month, province, kind, country), kept by EventWriter in the
# transaction of each change (app/events/totals.py): a year of stats reads about a thousand of
# these rows rather than 100,000 records. `month` is the month's first day. A record without a
# province counts under province_key '' (a primary key column cannot be null). Clustered by the
# key on SQLite (WITHOUT ROWID), so a range of months is one sequential read.
TOTALS_FIGURES = ("fatalities", "families", "individuals")
TOTALS_QUALIFIERS = tuple(q.value for q in Qualifier)
event_month_totals_table = sa.Table(
    "event_month_totals",
    metadata,
    sa.Column("month", sa.Date, primary_key=True),
    sa.Column("province_key", sa.String(200), primary_key=True),
    sa.Column("kind", sa.String(40), primary_key=True),
    sa.Column("country", sa.String(3), primary_key=True),
    sa.Column("events", sa.BigInteger, nullable=False),
    *(
        sa.Column(f"{figure}_{part}", sa.BigInteger, nullable=False)
        for figure in TOTALS_FIGURES
        for part in ("sum", "figures", *TOTALS_QUALIFIERS)
    ),
    sqlite_with_rowid=False,
)


def _table(model: type[SQLModel]) -> sa.Table:
    table = model.__table__  # type: ignore[attr-defined]
    assert isinstance(table, sa.Table)
    return table


# Core tables, for queries that need no ORM objects (the read path builds dicts directly).
actor_table = _table(Actor)
actor_alias_table = _table(ActorAlias)
event_table = _table(Event)
event_actor_table = _table(EventActor)
event_place_table = _table(EventPlace)
event_revision_table = _table(EventRevision)
date_reach_table = _table(DateReach)
api_key_table = _table(ApiKeyRecord)
idempotency_table = _table(IdempotencyRecord)
report_table = _table(Report)
report_draft_table = _table(ReportDraft)
