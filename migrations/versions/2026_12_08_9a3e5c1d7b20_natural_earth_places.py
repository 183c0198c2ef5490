"""Natural Earth places: every record's places resolved again with the gazetteer that knows
Natural Earth's spellings, 95 more OCHA-ISO joins (so some units' keys become their p-codes) and
admin-1 polygons for 65 more countries (see app/gazetteer/data/README.md).

Each record is resolved from what its writer or source spelt, leniently; nothing is lost
(app.events.restore_places). A later change to the gazetteer's data adds a revision like this one.

Revision ID: 9a3e5c1d7b20
Revises: 6f1c2d9e4b70
Create Date: 2026-12-08 04:00:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "9a3e5c1d7b20"
down_revision: str | None = "6f1c2d9e4b70"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    from app.events.restore_places import resolve_stored_places  # the code that migrates

    resolve_stored_places(op.get_bind())


def downgrade() -> None:
    """Nothing to undo: the columns are the same, and the older gazetteer resolves again."""
