"""training periods: the school's side (leaving date, school withdrawal) apart from the provider's

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-01 20:45:00.000000

Until now a period's ``finished_on`` was read as the school's report of the
participant leaving, whoever had set it: a provider's withdrawal or deferral
(which also ended the period that day) turned ``participant_status`` to
``left`` and made a transfer. The school's report now has its own column,
``leaving_on``, filled here from the ends that were the school's: a period
ended neither by the provider (its end on or after the day of a withdrawal or
deferral, which is when those actions ended it) nor by a change of schedule or
a resumption (followed by a period of the same training record at the same
school). Nothing a provider did is read as a school event afterwards.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import gateway.db.types

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def _utc_day(column: str, dialect: str) -> str:
    # SQLite keeps naive UTC text; PostgreSQL a timestamptz, whose day is taken in UTC whatever the session's zone.
    return f"date({column})" if dialect == "sqlite" else f"CAST(({column} AT TIME ZONE 'UTC') AS DATE)"


def upgrade() -> None:
    with op.batch_alter_table("training_periods", schema=None) as batch_op:
        batch_op.add_column(sa.Column("leaving_on", sa.Date(), nullable=True))
        batch_op.add_column(
            sa.Column("school_withdrawn_at", gateway.db.types.UTCDateTime(timezone=True), nullable=True)
        )

    dialect = op.get_bind().dialect.name
    op.execute(
        sa.text(
            f"""
            UPDATE training_periods SET leaving_on = finished_on
            WHERE finished_on IS NOT NULL
              AND NOT (withdrawn_at IS NOT NULL AND finished_on >= {_utc_day("withdrawn_at", dialect)})
              AND NOT (deferred_at IS NOT NULL AND finished_on >= {_utc_day("deferred_at", dialect)})
              AND NOT EXISTS (
                SELECT 1 FROM training_periods AS later
                WHERE later.training_record_id = training_periods.training_record_id
                  AND later.school_id = training_periods.school_id
                  AND (
                    later.started_on > training_periods.started_on
                    OR (later.started_on = training_periods.started_on
                        AND later.created_at > training_periods.created_at)
                  )
              )
            """
        )
    )


def downgrade() -> None:
    with op.batch_alter_table("training_periods", schema=None) as batch_op:
        batch_op.drop_column("school_withdrawn_at")
        batch_op.drop_column("leaving_on")
