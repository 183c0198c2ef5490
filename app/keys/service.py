"""Creating, listing, revoking and finding API keys. Only a SHA-256 hash of a secret is stored.

Secrets are 256 random bits, so an unsalted hash is as strong as the secret itself, and a key
can be found by its hash with an index lookup.
"""

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlmodel import Session

from app.core.errors import Conflict, NotFound
from app.core.settings import Scope
from app.core.tables import api_key_table as key_t
from app.core.tables import utcnow


def secret_hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


@dataclass(frozen=True, slots=True)
class KeyInfo:
    id: int
    name: str
    scope: Scope
    prefix: str
    created_at: datetime
    revoked_at: datetime | None


def _info(row: sa.RowMapping) -> KeyInfo:
    return KeyInfo(
        row["id"],
        row["name"],
        Scope(row["scope"]),
        row["secret_prefix"],
        row["created_at"],
        row["revoked_at"],
    )


def create_key(
    *, session: Session, name: str, scope: Scope, reserved: set[str]
) -> tuple[KeyInfo, str]:
    """A new key and its secret, which is shown this once and never stored."""
    taken = session.execute(sa.select(key_t.c.id).where(key_t.c.name == name)).first()
    if taken or name in reserved:
        raise Conflict(f"A key named {name!r} exists; names stay taken after a key is revoked.")
    secret = "ce_" + secrets.token_urlsafe(32)
    key_id = session.execute(
        sa.insert(key_t)
        .values(
            name=name,
            scope=scope.value,
            secret_hash=secret_hash(secret),
            secret_prefix=secret[:10],
            created_at=utcnow(),
        )
        .returning(key_t.c.id)
    ).scalar_one()
    session.commit()
    row = session.execute(sa.select(key_t).where(key_t.c.id == key_id)).mappings().one()
    return _info(row), secret


def list_keys(*, session: Session) -> list[KeyInfo]:
    rows = session.execute(sa.select(key_t).order_by(key_t.c.name)).mappings()
    return [_info(row) for row in rows]


def revoke_key(*, session: Session, name: str) -> KeyInfo:
    row = session.execute(sa.select(key_t).where(key_t.c.name == name)).mappings().one_or_none()
    if row is None:
        raise NotFound(f"No key named {name!r}.")
    if row["revoked_at"] is None:
        session.execute(sa.update(key_t).where(key_t.c.id == row["id"]).values(revoked_at=utcnow()))
        session.commit()
    row = session.execute(sa.select(key_t).where(key_t.c.id == row["id"])).mappings().one()
    return _info(row)


def find_stored_key(*, session: Session, secret: str) -> tuple[str, Scope] | None:
    """The name and scope of the live key with this secret, if any."""
    row = session.execute(
        sa.select(key_t.c.name, key_t.c.scope).where(
            key_t.c.secret_hash == secret_hash(secret), key_t.c.revoked_at.is_(None)
        )
    ).one_or_none()
    return (row.name, Scope(row.scope)) if row else None


def stored_key(engine: Engine, secret: str) -> tuple[str, Scope] | None:
    """find_stored_key, in a session of its own (for the key check of any request)."""
    with Session(engine) as session:
        return find_stored_key(session=session, secret=secret)


def live_key_named(engine: Engine, name: str) -> tuple[Scope, str] | None:
    """The scope and secret hash of the live (not revoked) stored key named `name`, if any."""
    with Session(engine) as session:
        row = session.execute(
            sa.select(key_t.c.scope, key_t.c.secret_hash).where(
                key_t.c.name == name, key_t.c.revoked_at.is_(None)
            )
        ).one_or_none()
    return (Scope(row.scope), row.secret_hash) if row else None
