"""Worldwide places: every record's province and district resolved by the worldwide gazetteer.

Adds to event: province_iso_3166_2, and province_as_given / district_as_given (what the writer
or source spelt). Every stored record is resolved again, as an import resolves it (a name the
gazetteer does not know is kept as spelt, with no code): nothing is lost, the stored spelling
is kept in *_as_given, and records of other countries stored as free text gain their codes.
The extra places of displacements (event_place and the record's origin/destination) and the
monthly totals (keyed by province) follow. Content hashes are left as they were: a re-import
of an unchanged file counts such records as updated once.

This revision resolves with the gazetteer of the code that runs it
(app.events.restore_places).

Revision ID: 6f1c2d9e4b70
Revises: 01a0677fffe7
Create Date: 2026-12-08 02:50:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "6f1c2d9e4b70"
down_revision: str | None = "01a0677fffe7"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("event", schema=None) as batch_op:
        batch_op.add_column(sa.Column("province_iso_3166_2", sa.String(length=10), nullable=True))
        batch_op.add_column(sa.Column("province_as_given", sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column("district_as_given", sa.String(length=200), nullable=True))

    from app.events.restore_places import resolve_stored_places  # the code that migrates

    resolve_stored_places(op.get_bind())


def downgrade() -> None:
    with op.batch_alter_table("event", schema=None) as batch_op:
        batch_op.drop_column("district_as_given")
        batch_op.drop_column("province_as_given")
        batch_op.drop_column("province_iso_3166_2")
