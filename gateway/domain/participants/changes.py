"""A participant's ``updated_at``: the last change to anything a provider reads of it.

The participant, its training records and its training periods all change what
a provider reads (a withdrawal, a new school, funding eligibility), so a sync
by ``updated_since`` has to see each of them. Every action that writes one of
them stamps the participant here, in its own transaction; the lists then read
and sort a plain indexed column instead of deriving the time per row from the
records and periods (migration 0005 stamped the rows written before).
"""

from __future__ import annotations

import uuid

from sqlalchemy import ColumnElement, Select, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from gateway import clock
from gateway.db.tables import Participant, TrainingPeriod, TrainingRecord, table_of

_participants = table_of(Participant)
_records = table_of(TrainingRecord)
_periods = table_of(TrainingPeriod)


async def participant_changed(conn: AsyncConnection, participant_id: uuid.UUID) -> None:
    await _stamp(conn, _participants.c.id == participant_id)


async def participants_on_partnership_changed(conn: AsyncConnection, partnership_id: uuid.UUID) -> None:
    """Participants with a training period on the partnership: what they train under changed."""
    await _stamp(conn, _participants.c.id.in_(_on_partnership(partnership_id)))


def _on_partnership(partnership_id: uuid.UUID) -> Select:
    return (
        select(_records.c.participant_id)
        .join(_periods, _periods.c.training_record_id == _records.c.id)
        .where(_periods.c.partnership_id == partnership_id)
    )


async def _stamp(conn: AsyncConnection, which: ColumnElement[bool]) -> None:
    await conn.execute(update(_participants).where(which).values(updated_at=clock.now()))
