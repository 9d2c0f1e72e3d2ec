"""participants.updated_at maintained: the last change to the participant, its training records or periods

Until now the lists derived that time per row, with a subquery over the participant's records and periods; from
this revision every action that writes a record or a period stamps the participant (gateway.domain.participants.
changes), so the lists read the indexed column. Rows written before are stamped here with the latest of the
three. Nothing to undo: the derived time never went below the participant's own, so the old code reads the same.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-02 05:00:00.000000
"""

from __future__ import annotations

from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

# UPDATE ... FROM is in PostgreSQL and in SQLite since 3.33. Both databases store the times in one format per
# column (timestamptz; SQLite's naive UTC text), so max() and > compare them as times.
_FROM_RECORDS = """
UPDATE participants SET updated_at = latest.updated_at
FROM (SELECT participant_id, max(updated_at) AS updated_at FROM training_records GROUP BY participant_id) AS latest
WHERE latest.participant_id = participants.id AND latest.updated_at > participants.updated_at
"""
_FROM_PERIODS = """
UPDATE participants SET updated_at = latest.updated_at
FROM (
    SELECT training_records.participant_id, max(training_periods.updated_at) AS updated_at
    FROM training_periods JOIN training_records ON training_records.id = training_periods.training_record_id
    GROUP BY training_records.participant_id
) AS latest
WHERE latest.participant_id = participants.id AND latest.updated_at > participants.updated_at
"""


def upgrade() -> None:
    op.execute(_FROM_RECORDS)
    op.execute(_FROM_PERIODS)


def downgrade() -> None:
    pass
