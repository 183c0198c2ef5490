"""Reports and their draft records: POST /v1/reports stores a report and the drafts read from it.

report: the text and its publisher, title, URL, publication date (given, or found in the text,
with how it was found), a content hash (posting the same report twice answers the first one).
report_draft: one row per draft (n from 0), the draft as proposed, its status (pending, accepted,
rejected), the record an accepted draft became (unique: one record per draft), the correction
applied, and who decided when.

Revision ID: 01a0677fffe7
Revises: a41f0c9d3e62
Create Date: 2026-11-25 12:34:51.586703
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "01a0677fffe7"
down_revision: str | None = "a41f0c9d3e62"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "report",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("published_on", sa.Date(), nullable=False),
        sa.Column("published_on_explanation", sa.Text(), nullable=False),
        sa.Column("publisher", sa.String(length=200), nullable=False),
        sa.Column("title", sa.String(length=500), nullable=True),
        sa.Column("url", sa.String(length=2000), nullable=True),
        sa.Column("content_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(length=100), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_report")),
        sa.UniqueConstraint("content_hash", name=op.f("uq_report_content_hash")),
    )
    op.create_table(
        "report_draft",
        sa.Column("report_id", sa.Integer(), nullable=False),
        sa.Column("n", sa.Integer(), nullable=False),
        sa.Column("draft", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=True),
        sa.Column("correction", sa.JSON(), nullable=True),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("decided_by", sa.String(length=100), nullable=True),
        sa.ForeignKeyConstraint(
            ["event_id"], ["event.id"], name=op.f("fk_report_draft_event_id_event")
        ),
        sa.ForeignKeyConstraint(
            ["report_id"],
            ["report.id"],
            name=op.f("fk_report_draft_report_id_report"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("report_id", "n", name=op.f("pk_report_draft")),
        sa.UniqueConstraint("event_id", name=op.f("uq_report_draft_event_id")),
    )


def downgrade() -> None:
    op.drop_table("report_draft")
    op.drop_table("report")
