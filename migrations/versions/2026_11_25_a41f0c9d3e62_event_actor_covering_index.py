"""An index on event_actor by (event_id, actor_id, role), covering the common-actor check.

Revision ID: a41f0c9d3e62
Revises: 8c41d2e07a55
Create Date: 2026-11-25 10:30:00.000000
"""

from collections.abc import Sequence

from alembic import op

revision: str = "a41f0c9d3e62"
down_revision: str | None = "8c41d2e07a55"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index(
        "ix_event_actor_event_id_actor_id_role",
        "event_actor",
        ["event_id", "actor_id", "role"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index("ix_event_actor_event_id_actor_id_role", table_name="event_actor")
