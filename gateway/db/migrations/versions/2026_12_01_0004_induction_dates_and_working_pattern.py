"""induction dates and working pattern: what the newer service's v3 document adds to an enrolment

A participant's overall induction start date and the end date of their most recent induction period (as the
appropriate body reports them), and an ECT training period's working pattern (as the school reports it). Every
column is nullable: rows recorded before this revision have no such report, so they read as null.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-01 20:45:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


# Plain ALTER TABLE ADD/DROP COLUMN on both databases (SQLite has both since 3.35): a batch copy of these tables
# would drop and recreate tables that others reference, which SQLite's enforced foreign keys refuse.
def upgrade() -> None:
    op.add_column("participants", sa.Column("overall_induction_start_date", sa.Date(), nullable=True))
    op.add_column("participants", sa.Column("most_recent_induction_period_end_date", sa.Date(), nullable=True))
    op.add_column(
        "training_periods", sa.Column("working_pattern", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=True)
    )


def downgrade() -> None:
    op.drop_column("training_periods", "working_pattern")
    op.drop_column("participants", "most_recent_induction_period_end_date")
    op.drop_column("participants", "overall_induction_start_date")
