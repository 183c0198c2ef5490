"""Every change to event records goes through EventWriter: create, update, delete, upsert.

It serialises writers (SQLite: BEGIN IMMEDIATE; PostgreSQL: a transaction-scoped advisory lock) and
stamps each change with a strictly increasing time, so a client mirroring `updated_since` never
misses a change; it bumps versions for optimistic concurrency and records history as reverse JSON
Patches (creating a record costs no history row).
"""

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import jsonpatch
import orjson
import sqlalchemy as sa
from pydantic import TypeAdapter, ValidationError
from sqlmodel import Session

from app.actors.service import ActorRow, actors_of, get_or_create_actors
from app.core.database import RowBinder, serialise_writers
from app.core.errors import (
    ApiError,
    Conflict,
    ErrorItem,
    InvalidRequest,
    body_errors,
    invalid,
)
from app.core.normalize import name_key
from app.core.tables import date_reach_table as date_reach_t
from app.core.tables import event_actor_table as event_actor_t
from app.core.tables import event_place_table as event_place_t
from app.core.tables import event_revision_table as revision_t
from app.core.tables import event_table as event_t
from app.core.tables import idempotency_table as idempotency_t
from app.core.tables import utcnow
from app.events import totals
from app.events.dates import span
from app.events.documents import DOCUMENT_COLUMNS, document, jsonable
from app.events.geo import point_of
from app.events.places import ResolvedPlace, resolve_place
from app.events.schemas import DETAIL_FIELDS, DisplacementIn, EventIn, EventInModel
from app.events.search import search_text
from app.events.service import live_row, read_event, stored_reach

_PLAIN_FIELDS = (
    "kind",
    "country",
    "date_precision",
    "geo_precision",
    "location",
    "latitude",
    "longitude",
    "summary",
    "source_event_type",
    "source_sub_event_type",
    "dataset",
    "external_id",
    "release",
)


class PreconditionFailed(ApiError):
    status, title, slug = 412, "Precondition failed", "precondition-failed"


# An extra place of a record (a displacement's origin or destination), as event_place stores it.
PlaceKeys = tuple[str, str | None, str | None]  # (role, province_key, district_key)


@dataclass(slots=True)
class Prepared:
    """A valid record, resolved against the gazetteer, ready to store."""

    columns: dict[str, Any]
    actors: list[tuple[str, str]]  # (name as given, role)
    places: list[PlaceKeys]
    reach: tuple[int, int]  # days from span_start to date, and from date to span_end
    position: int = 0
    placed_by: str | None = None  # how the record's place resolved (name, coordinates, unresolved)


# The event columns a record fills, in the order Bound rows hold them; the writer adds the clock.
EVENT_COLUMNS = (
    *_PLAIN_FIELDS,
    "date",
    "end_date",
    "province",
    "province_pcode",
    "province_key",
    "province_iso_3166_2",
    "province_as_given",
    "district",
    "district_pcode",
    "district_key",
    "district_as_given",
    "span_start",
    "span_end",
    "fatalities",
    "fatalities_value",
    "families_value",
    "individuals_value",
    "fatalities_qualifier",
    "families_qualifier",
    "individuals_qualifier",
    "point_longitude",
    "point_latitude",
    "search_text",
    "sources",
    "details",
    "content_hash",
)
CLOCK_COLUMNS = ("created_at", "updated_at", "version", "created_by", "imported_at")
# Every column is one a write fills, but the id and the deletion mark: a new column must say
# where its value comes from (EVENT_COLUMNS and `bind`), or importing this module fails.
assert {*EVENT_COLUMNS, *CLOCK_COLUMNS, "id", "deleted_at"} == set(event_t.c.keys()), (
    "a column of the event table that no write fills"
)


@dataclass(slots=True)
class Bound:
    """A prepared record as the driver stores it: plain values, cheap to send between processes."""

    position: int
    key: tuple[str, str] | None  # (dataset, external_id)
    row: tuple[Any, ...]  # EVENT_COLUMNS, bound
    actors: list[tuple[str, str]]  # (name as given, role)
    places: list[PlaceKeys]
    reach: tuple[int, int]
    counted: totals.Counted
    content_hash: str
    placed: tuple[str, str, str] | None = None  # (how, country, province as given): imports count


def event_binder(dialect: sa.Dialect) -> RowBinder:
    return RowBinder(event_t, EVENT_COLUMNS + CLOCK_COLUMNS, dialect)


def bind(prepared: Prepared, binder: RowBinder) -> Bound:
    columns = prepared.columns
    return Bound(
        position=prepared.position,
        key=(columns["dataset"], columns["external_id"]) if columns["dataset"] else None,
        row=binder.bind([columns[name] for name in EVENT_COLUMNS]),
        actors=prepared.actors,
        places=prepared.places,
        reach=prepared.reach,
        counted=totals.counted(columns),
        content_hash=columns["content_hash"],
        placed=(prepared.placed_by, columns["country"], columns["province_as_given"] or "")
        if prepared.placed_by
        else None,
    )


@dataclass(slots=True)
class UpsertResult:
    ids: list[int] = field(default_factory=list)
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[ErrorItem] = field(default_factory=list)


def _value(figure: dict[str, Any] | None) -> int | None:
    return figure["value"] if figure is not None else None


def _qualifier(figure: dict[str, Any] | None) -> str | None:
    return figure["qualifier"] if figure is not None else None


def _place_out(place: ResolvedPlace, location: str | None) -> dict[str, Any]:
    return {
        "province": place.province,
        "province_pcode": place.province_pcode,
        "province_iso_3166_2": place.province_iso_3166_2,
        "district": place.district,
        "district_pcode": place.district_pcode,
        "location": location,
    }


def prepare(
    event_in: EventInModel, *, pointer: str = "", position: int = 0, strict: bool = True
) -> tuple[Prepared | None, list[ErrorItem]]:
    """Columns, actors and extra places of a valid record, or what is wrong with its places.

    strict=False (file imports): a place the gazetteer does not know is kept as given."""
    errors: list[ErrorItem] = []
    given_point = (
        (event_in.longitude, event_in.latitude)
        if event_in.longitude is not None and event_in.latitude is not None
        else None
    )
    place = resolve_place(
        country=event_in.country,
        province=event_in.province,
        district=event_in.district,
        pointer=pointer,
        errors=errors,
        strict=strict,
        point=given_point,
    )
    data = event_in.model_dump(mode="json")  # one serialisation; bulk loads feel every call
    details = {name: data[name] for name in DETAIL_FIELDS[event_in.kind]}
    places: list[PlaceKeys] = []
    texts = [data["summary"], data["location"], place.province, place.district]
    if isinstance(event_in, DisplacementIn):
        for role in ("origin", "destination"):
            given = getattr(event_in, role)
            if given is None:
                continue
            resolved = resolve_place(
                country=event_in.country,
                province=given.province,
                district=given.district,
                pointer=f"{pointer}/{role}",
                errors=errors,
                strict=strict,
            )
            details[role] = _place_out(resolved, given.location)
            places.append((role, resolved.province_key, resolved.district_key))
            texts += [resolved.province, resolved.district, given.location]
    if errors:
        return None, errors
    start, end = span(event_in.date, event_in.end_date, event_in.date_precision)
    point = point_of(event_in.longitude, event_in.latitude, place.province_key)
    texts += [s.get(f) for s in data["sources"] for f in ("title", "quote")]
    columns = {name: data[name] for name in _PLAIN_FIELDS} | {
        "date": event_in.date,
        "end_date": event_in.end_date,
        "province": place.province,
        "province_pcode": place.province_pcode,
        "province_key": place.province_key,
        "province_iso_3166_2": place.province_iso_3166_2,
        "province_as_given": place.province_as_given,
        "district": place.district,
        "district_pcode": place.district_pcode,
        "district_key": place.district_key,
        "district_as_given": place.district_as_given,
        "span_start": start,
        "span_end": end,
        "fatalities": data["fatalities"],
        "fatalities_value": _value(data["fatalities"]),
        "fatalities_qualifier": _qualifier(data["fatalities"]),
        "families_value": _value(data.get("families")),
        "families_qualifier": _qualifier(data.get("families")),
        "individuals_value": _value(data.get("individuals")),
        "individuals_qualifier": _qualifier(data.get("individuals")),
        "point_longitude": point[0] if point else None,
        "point_latitude": point[1] if point else None,
        "search_text": search_text(texts),
        "sources": data["sources"],
        "details": details,
    }
    actors = [(ref["name"], ref["role"]) for ref in data["actors"]]
    columns["content_hash"] = content_hash(columns, actors)
    reach = ((event_in.date - start).days, (end - event_in.date).days)
    return Prepared(columns, actors, places, reach, position, place.placed_by), []


def content_hash(columns: dict[str, Any], actors: list[tuple[str, str]]) -> str:
    """A digest of what a record says (its document, actors as given): a re-import of the same
    record is known unchanged by it without rebuilding and comparing the stored one."""
    said = [{name: columns[name] for name in DOCUMENT_COLUMNS}, actors, columns["details"]]
    return hashlib.blake2b(
        orjson.dumps(said, option=orjson.OPT_SORT_KEYS), digest_size=16
    ).hexdigest()


class EventWriter:
    def __init__(self, session: Session, *, by: str | None, imported: bool = False) -> None:
        """imported: the writes come from an import (stamped imported_at)."""
        self.session = session
        self.by = by
        self.imported = imported
        self._last: datetime | None = None
        self._locked = False
        self._reach: tuple[int, int] | None = None

    # The write clock.
    def lock(self) -> None:
        """Become the only writer (until commit or rollback); then the clock can be read."""
        self._stamp()

    def _stamp(self) -> datetime:
        """A time later than every stored change; the first call takes the writers' lock."""
        if not self._locked:
            serialise_writers(self.session)
            self._last = self.session.execute(sa.select(sa.func.max(event_t.c.updated_at))).scalar()
            self._locked = True
        now = utcnow()
        if self._last is not None and now <= self._last:
            now = self._last + timedelta(microseconds=1)
        self._last = now
        return now

    def _widen_reach(self, reaches: list[tuple[int, int]]) -> None:
        """Keep date_reach at least as wide as every record's span (app.core.tables.DateReach)."""
        lead = max(lead for lead, _ in reaches)
        tail = max(tail for _, tail in reaches)
        if self._reach is None:
            self._reach = stored_reach(self.session)
        if lead > self._reach[0] or tail > self._reach[1]:
            self._reach = (max(lead, self._reach[0]), max(tail, self._reach[1]))
            self.session.execute(
                sa.update(date_reach_t)
                .where(date_reach_t.c.id == 1)
                .values(lead_days=self._reach[0], tail_days=self._reach[1])
            )

    def commit(self) -> None:
        self.session.commit()
        self._locked = False
        self._reach = None

    # Creating.
    def _actor_rows(self, names: list[str]) -> dict[str, ActorRow]:
        unique = set(names)
        return get_or_create_actors(session=self.session, names=unique) if unique else {}

    def create_many(self, prepared: list[Prepared]) -> list[int]:
        binder = event_binder(self.session.get_bind().dialect)
        return self.insert_bound([bind(p, binder) for p in prepared], binder)

    def insert_bound(self, records: list[Bound], binder: RowBinder) -> list[int]:
        """Insert new records (already bound by `binder`); their ids, in order."""
        if not records:
            return []
        now = self._stamp()
        self._widen_reach([r.reach for r in records])
        actors = self._actor_rows([name for r in records for name, _ in r.actors])
        clock = binder.bind(
            (now, now, 1, self.by, now if self.imported else None), offset=len(EVENT_COLUMNS)
        )
        # We are the only writer (see _stamp), so new ids follow the largest one, in order;
        # reading them back beats RETURNING, which SQLite would run row by row.
        before = self.session.execute(sa.select(sa.func.max(event_t.c.id))).scalar() or 0
        binder.insert(self.session, [r.row + clock for r in records])
        ids = list(
            self.session.execute(
                sa.select(event_t.c.id).where(event_t.c.id > before).order_by(event_t.c.id)
            ).scalars()
        )
        if len(ids) != len(records):
            raise RuntimeError("event ids were not assigned in order; is another writer running?")
        totals.add_counted(self.session, (r.counted for r in records))
        self._store_links(
            [(event_id, r.actors, r.places) for event_id, r in zip(ids, records, strict=True)],
            actors,
        )
        return ids

    def _store_links(
        self,
        records: list[tuple[int, list[tuple[str, str]], list[PlaceKeys]]],
        actors: dict[str, ActorRow],
    ) -> None:
        """The event_actor and event_place rows of records: (event id, actors, places) each."""
        dialect = self.session.get_bind().dialect
        links = [
            (event_id, n, actors[name_key(name)].id, role)
            for event_id, named, _ in records
            for n, (name, role) in enumerate(named)
        ]
        places = [(event_id, *place) for event_id, _, keys in records for place in keys]
        RowBinder(event_actor_t, ("event_id", "position", "actor_id", "role"), dialect).insert(
            self.session, links
        )
        RowBinder(
            event_place_t, ("event_id", "role", "province_key", "district_key"), dialect
        ).insert(self.session, places)

    # Changing.
    def _current(self, event_id: int) -> sa.RowMapping:
        return live_row(session=self.session, event_id=event_id)

    def _check_version(self, row: sa.RowMapping, expected: set[int] | None) -> None:
        if expected is not None and row["version"] not in expected:
            raise PreconditionFailed(
                f"Event {row['id']} is at version {row['version']}: reload it, then change it.",
                headers={"ETag": f'"{row["version"]}"'},
            )

    def _stored_actors(self, event_id: int) -> list[dict[str, str]]:
        return actors_of(session=self.session, event_ids=[event_id])[event_id]

    def _save_revision(
        self,
        event_id: int,
        version: int,
        action: str,
        now: datetime,
        reverse_patch: list[dict[str, Any]],
    ) -> None:
        self.session.execute(
            sa.insert(revision_t).values(
                event_id=event_id,
                version=version,
                action=action,
                changed_at=now,
                changed_by=self.by,
                reverse_patch=reverse_patch,
            )
        )

    def _change(self, row: sa.RowMapping, values: dict[str, Any]) -> int:
        """Write `values` if the row is still at its version; the new version."""
        version = int(row["version"]) + 1
        this = event_t.c.id == row["id"]
        counted = any(row[c] != values[c] for c in totals.COUNTED_COLUMNS if c in values)
        if counted:
            totals.remove(self.session, this)
        result: sa.CursorResult[Any] = self.session.execute(  # type: ignore[assignment]
            sa.update(event_t)
            .where(
                this,
                event_t.c.version == row["version"],
                event_t.c.deleted_at.is_(None),
            )
            .values(values | {"version": version})
        )
        if result.rowcount != 1:  # only if the writers' lock was bypassed
            raise PreconditionFailed(f"Event {row['id']} changed meanwhile; reload it.")
        if counted:
            totals.add(self.session, this)
        return version

    def _update_row(
        self, row: sa.RowMapping, prepared: Prepared, actors: dict[str, ActorRow], *, force: bool
    ) -> int | None:
        """Apply a prepared record to a stored one; None if nothing would change."""
        old_actors = self._stored_actors(row["id"])
        new_actors = [{"name": actors[name_key(n)].name, "role": r} for n, r in prepared.actors]
        old_doc = document(row, old_actors)
        new_doc = document(prepared.columns, new_actors)
        if old_doc == new_doc and not force:
            return None
        now = self._stamp()
        self._widen_reach([prepared.reach])
        stamps = {"updated_at": now} | ({"imported_at": now} if self.imported else {})
        version = self._change(row, prepared.columns | stamps)
        self.session.execute(sa.delete(event_actor_t).where(event_actor_t.c.event_id == row["id"]))
        self.session.execute(sa.delete(event_place_t).where(event_place_t.c.event_id == row["id"]))
        self._store_links([(row["id"], prepared.actors, prepared.places)], actors)
        reverse = jsonpatch.make_patch(new_doc, old_doc).patch
        self._save_revision(row["id"], version, "update", now, reverse)
        return version

    def create(self, prepared: Prepared) -> int:
        self._stamp()
        self._check_unique(prepared, event_id=None)
        return self.create_many([prepared])[0]

    def update(self, event_id: int, prepared: Prepared, *, expected: set[int] | None) -> None:
        self._stamp()
        row = self._current(event_id)
        self._check_version(row, expected)
        self._check_unique(prepared, event_id)
        self._update_row(
            row, prepared, self._actor_rows([n for n, _ in prepared.actors]), force=False
        )

    def delete(self, event_id: int, *, expected: set[int] | None) -> None:
        now = self._stamp()
        row = self._current(event_id)
        self._check_version(row, expected)
        version = self._change(row, {"deleted_at": now, "updated_at": now})
        self._save_revision(event_id, version, "delete", now, [])

    def _check_unique(self, prepared: Prepared, event_id: int | None) -> None:
        dataset, external_id = prepared.columns["dataset"], prepared.columns["external_id"]
        if dataset is None:
            return
        same = sa.select(event_t.c.id).where(
            event_t.c.dataset == dataset, event_t.c.external_id == external_id
        )
        if event_id is not None:
            same = same.where(event_t.c.id != event_id)
        other = self.session.execute(same).scalar()
        if other is not None:
            raise Conflict(
                f"Event {other} already has dataset {dataset!r} and external_id {external_id!r}."
            )

    # Upserting, for bulk loads: dataset + external_id name a record across loads.
    def _stored_by_key(self, records: list[Bound]) -> dict[tuple[str, str], sa.RowMapping]:
        """The stored records with the records' dataset and external_id, by that pair."""
        existing: dict[tuple[str, str], sa.RowMapping] = {}
        by_dataset: dict[str, list[str]] = {}
        for r in records:
            if r.key is not None:
                by_dataset.setdefault(r.key[0], []).append(r.key[1])
        light = [
            event_t.c[n] for n in ("id", "dataset", "external_id", "deleted_at", "content_hash")
        ]
        for dataset, external_ids in by_dataset.items():  # an expanding IN compiles once
            rows = self.session.execute(
                sa.select(*light).where(
                    event_t.c.dataset == dataset, event_t.c.external_id.in_(external_ids)
                )
            ).mappings()
            existing |= {(r["dataset"], r["external_id"]): r for r in rows}
        return existing

    def upsert_many(
        self, records: list[Bound], binder: RowBinder, full: Callable[[Bound], Prepared]
    ) -> UpsertResult:
        """Insert new records, update changed ones; on any error (by position) write nothing.

        New records are inserted as bound; `full` gives the prepared form of a record that is
        already stored, which the update compares with it.
        """
        result = UpsertResult()
        self._stamp()
        existing = self._stored_by_key(records)
        result.errors += _clashes(records, existing)
        if result.errors:
            return result
        new_ids = iter(self.insert_bound([r for r in records if r.key not in existing], binder))
        # Stored records that may have changed: those whose content hash differs. They are
        # compared in full (a hash also differs when only an actor's spelling does).
        maybe = {
            r.position: existing[r.key]["id"]
            for r in records
            if r.key in existing and existing[r.key]["content_hash"] != r.content_hash
        }
        stored = {}
        if maybe:
            rows = self.session.execute(
                sa.select(event_t).where(event_t.c.id.in_(list(maybe.values())))
            ).mappings()
            stored = {row["id"]: row for row in rows}
        changed = {r.position: full(r) for r in records if r.position in maybe}
        actors = self._actor_rows([name for p in changed.values() for name, _ in p.actors])
        for r in records:
            row = existing.get(r.key) if r.key else None
            if row is None:
                result.ids.append(next(new_ids))
                result.inserted += 1
                continue
            result.ids.append(int(row["id"]))
            if r.position not in maybe:
                result.unchanged += 1
            elif self._update_row(stored[row["id"]], changed[r.position], actors, force=False):
                result.updated += 1
            else:
                result.unchanged += 1
        return result


# What the routes call: one function per kind of write, each one transaction.
def prepared_or_422(event_in: EventInModel) -> Prepared:
    prepared, errors = prepare(event_in)
    if prepared is None:
        raise InvalidRequest(errors)
    return prepared


def create_event(
    *, session: Session, event_in: EventInModel, by: str | None, idempotency_key: str | None = None
) -> tuple[dict[str, Any], bool]:
    """Store a new record; return it, and whether this replays an earlier identical create."""
    prepared = prepared_or_422(event_in)
    writer = EventWriter(session, by=by)
    writer.lock()
    request_hash = ""
    if idempotency_key is not None:
        canonical = json.dumps(event_in.model_dump(mode="json"), sort_keys=True)
        request_hash = hashlib.sha256(canonical.encode()).hexdigest()
        earlier = session.execute(
            sa.select(idempotency_t.c.request_hash, idempotency_t.c.response).where(
                idempotency_t.c.key_name == (by or ""),
                idempotency_t.c.idempotency_key == idempotency_key,
            )
        ).one_or_none()
        if earlier is not None:
            if earlier.request_hash != request_hash:
                raise invalid(
                    "header",
                    "Idempotency-Key",
                    "This Idempotency-Key was used for a different record; use a new key.",
                )
            return dict(earlier.response), True
    event_id = writer.create(prepared)
    record = read_event(session=session, event_id=event_id)
    if idempotency_key is not None:
        session.execute(
            sa.insert(idempotency_t).values(
                key_name=by or "",
                idempotency_key=idempotency_key,
                request_hash=request_hash,
                event_id=event_id,
                response=jsonable(record),
                created_at=utcnow(),
            )
        )
    writer.commit()
    return record, False


def replace_event(
    *,
    session: Session,
    event_id: int,
    event_in: EventInModel,
    expected: set[int] | None,
    by: str | None,
) -> dict[str, Any]:
    """Replace a record; return it as this write left it (read before the commit: read after,
    another writer's change could be answered as ours)."""
    prepared = prepared_or_422(event_in)
    writer = EventWriter(session, by=by)
    writer.update(event_id, prepared, expected=expected)
    record = read_event(session=session, event_id=event_id)
    writer.commit()
    return record


def merge_patch(target: Any, patch: Any) -> Any:
    """RFC 7396: objects merge key by key, null removes a key, anything else replaces."""
    if not isinstance(patch, dict):
        return patch
    merged = dict(target) if isinstance(target, dict) else {}
    for key, value in patch.items():
        if value is None:
            merged.pop(key, None)
        else:
            merged[key] = merge_patch(merged.get(key), value)
    return merged


_SERVER_FIELDS = (
    "id",
    "created_at",
    "updated_at",
    "imported_at",
    "version",
    "province_pcode",
    "province_iso_3166_2",
    "district_pcode",
)


def input_form(record: dict[str, Any]) -> dict[str, Any]:
    """A stored record as a client would write it (what a merge patch applies to)."""
    form = {k: v for k, v in record.items() if k not in _SERVER_FIELDS}
    for level in ("province", "district"):  # the record's place as its writer spelt it
        given = form.pop(f"{level}_as_given", None)
        if given is not None and form.get(level) is not None:
            form[level] = given
    if form.pop("geo_source", None) == "gazetteer":  # a centroid the server put there
        for name in ("latitude", "longitude", "geo_precision"):
            form.pop(name, None)
    for role in ("origin", "destination"):
        if isinstance(form.get(role), dict):
            form[role] = {k: v for k, v in form[role].items() if k not in _SERVER_FIELDS}
    return form


_adapter: TypeAdapter[EventInModel] = TypeAdapter(EventIn)


def event_in_or_422(document: Any) -> EventInModel:
    """A record's body (say, a merge patch's result) as a model, or a 422 naming the fields."""
    try:
        return _adapter.validate_python(document)
    except ValidationError as error:
        raise body_errors(error) from error


def patch_event(
    *,
    session: Session,
    event_id: int,
    patch: dict[str, Any],
    expected: set[int] | None,
    by: str | None,
) -> dict[str, Any]:
    current = read_event(session=session, event_id=event_id)
    merged = merge_patch(jsonable(input_form(current)), patch)
    if isinstance(merged, dict) and merged.get("kind") != current["kind"]:
        raise invalid(
            "body", "/kind", "A patch cannot change the kind; PUT a full record of the new kind."
        )
    event_in = event_in_or_422(merged)
    # The patch was merged onto this version: if another write lands before ours takes the
    # writers' lock, ours must fail with 412, even with If-Match: *, rather than undo it.
    if expected is None or current["version"] in expected:
        expected = {current["version"]}
    return replace_event(
        session=session, event_id=event_id, event_in=event_in, expected=expected, by=by
    )


def delete_event(
    *, session: Session, event_id: int, expected: set[int] | None, by: str | None
) -> None:
    writer = EventWriter(session, by=by)
    writer.delete(event_id, expected=expected)
    writer.commit()


def _clashes(
    records: list[Bound], existing: dict[tuple[str, str], sa.RowMapping]
) -> list[ErrorItem]:
    """A bulk load's records that repeat another's dataset and external_id, or name a deleted
    record, by position."""
    errors: list[ErrorItem] = []
    seen: dict[tuple[str, str], int] = {}
    for r in records:
        if r.key is None:
            continue
        pointer = f"/{r.position}/external_id"
        if r.key in seen:
            errors.append(
                ErrorItem(
                    in_="body",
                    pointer=pointer,
                    detail=f"Same dataset and external_id as the record at {seen[r.key]}.",
                )
            )
        seen[r.key] = r.position
        row = existing.get(r.key)
        if row is not None and row["deleted_at"] is not None:
            errors.append(
                ErrorItem(
                    in_="body",
                    pointer=pointer,
                    detail=f"Event {row['id']} with this dataset and external_id was deleted.",
                )
            )
    return errors
