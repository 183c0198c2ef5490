"""The release a record was imported from, when an import last wrote it, and a digest of it.

The digest (content_hash) lets a re-import skip records it would not change; records stored
before it have none and are compared in full the first time.

Revision ID: 8c41d2e07a55
Revises: 5b0c7e2a91d4
Create Date: 2026-11-25 11:20:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "8c41d2e07a55"
down_revision: str | None = "5b0c7e2a91d4"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Plain ADD COLUMN on both backends: a batch copy of event would drop SQLite's search triggers.
    op.add_column("event", sa.Column("release", sa.String(length=200), nullable=True))
    op.add_column("event", sa.Column("imported_at", sa.DateTime(timezone=True), nullable=True))
    op.add_column("event", sa.Column("content_hash", sa.String(length=32), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("event", schema=None) as batch_op:
        batch_op.drop_column("content_hash")
        batch_op.drop_column("imported_at")
        batch_op.drop_column("release")
