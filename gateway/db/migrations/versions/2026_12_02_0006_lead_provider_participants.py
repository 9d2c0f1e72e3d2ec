"""lead_provider_participants: which participants each lead provider sees, kept by the database

A participant is visible to a lead provider once one of its training periods is under one of the provider's
partnerships (domain.md section 5). A provider's list pages its participants by ``created_at``; deriving the
visible set per request made a page cost what the provider holds (at scale 100 a 1,000-row page walked 5,342
participants, 77 ms, or hashed every period of the provider). This table holds the derived pairs with the
participant's ``created_at``, indexed in the list's order, so a page reads the rows it returns.

Triggers on ``training_periods`` add the pair whenever a period is written under a partnership or moved to one
(an insert, or an update of ``partnership_id``): every writer is covered, the application's actions, the seed's
bulk load and hand-written SQL alike. Nothing removes pairs: periods are never deleted, and a period only moves
between partnerships of one provider. Rows already in the database are derived here once.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-02 05:10:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import gateway.db.types

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

_PAIRS_OF_PERIOD = """
SELECT partnerships.lead_provider_id, training_records.participant_id, participants.created_at
FROM partnerships, training_records, participants
WHERE partnerships.id = NEW.partnership_id
  AND training_records.id = NEW.training_record_id
  AND participants.id = training_records.participant_id
"""

_POSTGRESQL_TRIGGER = [
    f"""
CREATE FUNCTION lead_provider_participants_of_period() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.partnership_id IS NOT NULL THEN
        INSERT INTO lead_provider_participants (lead_provider_id, participant_id, participant_created_at)
        {_PAIRS_OF_PERIOD}
        ON CONFLICT DO NOTHING;
    END IF;
    RETURN NULL;
END
$$
""",
    """
CREATE TRIGGER training_periods_lead_provider_participants
AFTER INSERT OR UPDATE OF partnership_id ON training_periods
FOR EACH ROW EXECUTE FUNCTION lead_provider_participants_of_period()
""",
]

_SQLITE_TRIGGERS = [
    f"""
CREATE TRIGGER training_periods_lead_provider_participants_{event}
AFTER {clause} ON training_periods WHEN NEW.partnership_id IS NOT NULL
BEGIN
    INSERT OR IGNORE INTO lead_provider_participants (lead_provider_id, participant_id, participant_created_at)
    {_PAIRS_OF_PERIOD};
END
"""
    for event, clause in (("insert", "INSERT"), ("update", "UPDATE OF partnership_id"))
]

_EXISTING_PAIRS = """
INSERT INTO lead_provider_participants (lead_provider_id, participant_id, participant_created_at)
SELECT DISTINCT partnerships.lead_provider_id, training_records.participant_id, participants.created_at
FROM training_periods
JOIN partnerships ON partnerships.id = training_periods.partnership_id
JOIN training_records ON training_records.id = training_periods.training_record_id
JOIN participants ON participants.id = training_records.participant_id
"""


def upgrade() -> None:
    op.create_table(
        "lead_provider_participants",
        sa.Column("lead_provider_id", sa.Uuid(), nullable=False),
        sa.Column("participant_id", sa.Uuid(), nullable=False),
        sa.Column("participant_created_at", gateway.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["lead_provider_id"],
            ["lead_providers.id"],
            name=op.f("fk_lead_provider_participants_lead_provider_id_lead_providers"),
        ),
        sa.ForeignKeyConstraint(
            ["participant_id"],
            ["participants.id"],
            name=op.f("fk_lead_provider_participants_participant_id_participants"),
        ),
        sa.PrimaryKeyConstraint("lead_provider_id", "participant_id", name=op.f("pk_lead_provider_participants")),
    )
    op.create_index(
        "ix_lead_provider_participants_by_creation",
        "lead_provider_participants",
        ["lead_provider_id", "participant_created_at", "participant_id"],
    )
    # One command per execute: asyncpg prepares each, and a prepared statement holds one command.
    for command in _POSTGRESQL_TRIGGER if op.get_bind().dialect.name == "postgresql" else _SQLITE_TRIGGERS:
        op.execute(command)
    op.execute(_EXISTING_PAIRS)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER training_periods_lead_provider_participants ON training_periods")
        op.execute("DROP FUNCTION lead_provider_participants_of_period()")
    else:
        for event in ("insert", "update"):
            op.execute(f"DROP TRIGGER training_periods_lead_provider_participants_{event}")
    op.drop_index("ix_lead_provider_participants_by_creation", table_name="lead_provider_participants")
    op.drop_table("lead_provider_participants")
