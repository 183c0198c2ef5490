"""Monthly totals of live records per (month, province, kind, country), for fast stats.

Adds the event_month_totals table (see app/events/totals.py, which keeps it in step with every
change) and sums the stored live records into it.

Revision ID: 5b0c7e2a91d4
Revises: d783f715379e
Create Date: 2026-11-25 10:02:11.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "5b0c7e2a91d4"
down_revision: str | None = "d783f715379e"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# As of this revision; migrations keep their own copy rather than import the app's.
FIGURES = ("fatalities", "families", "individuals")
QUALIFIERS = ("exact", "about", "at_least", "more_than", "at_most")


def upgrade() -> None:
    op.create_table(
        "event_month_totals",
        sa.Column("month", sa.Date(), nullable=False),
        sa.Column("province_key", sa.String(length=200), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("country", sa.String(length=3), nullable=False),
        sa.Column("events", sa.BigInteger(), nullable=False),
        *(
            sa.Column(f"{figure}_{part}", sa.BigInteger(), nullable=False)
            for figure in FIGURES
            for part in ("sum", "figures", *QUALIFIERS)
        ),
        sa.PrimaryKeyConstraint(
            "month", "province_key", "kind", "country", name=op.f("pk_event_month_totals")
        ),
        sqlite_with_rowid=False,
    )
    counters, sums = ["events"], ["count(*)"]
    for figure in FIGURES:
        value, qualifier = f"{figure}_value", f"{figure}_qualifier"
        counters += [f"{figure}_sum", f"{figure}_figures"]
        sums += [f"coalesce(sum({value}), 0)", f"count({value})"]
        for q in QUALIFIERS:
            counters.append(f"{figure}_{q}")
            sums.append(f"sum(CASE WHEN {qualifier} = '{q}' THEN 1 ELSE 0 END)")
    if op.get_bind().dialect.name == "postgresql":
        month = "CAST(date_trunc('month', date) AS DATE)"
    else:
        month = "date(date, 'start of month')"
    key = f"{month}, coalesce(province_key, ''), kind, country"
    op.execute(
        "INSERT INTO event_month_totals (month, province_key, kind, country, "
        f"{', '.join(counters)}) SELECT {key}, {', '.join(sums)} "
        f"FROM event WHERE deleted_at IS NULL GROUP BY {key}"
    )


def downgrade() -> None:
    op.drop_table("event_month_totals")
