"""Revision 0005 (participants.updated_at maintained) over a database written before it.

Before 0005 the lists derived a participant's time from its records and periods, and the stored one could be
older. The sandbox is seeded, taken back to 0004, its participants' times set back to when they were created (as
such a database holds them), then migrated again: each participant reads the time the seed gave it, the latest of
its own, its records' and its periods' changes.
"""

from __future__ import annotations

from sqlalchemy import select, update

from gateway.db.migrate import upgrade_to_head
from gateway.db.tables import Participant
from tests.db.revisions import downgrade_below, seeded_database

_participants = Participant.__table__


async def _times(engine) -> dict:
    async with engine.connect() as conn:
        return dict((await conn.execute(select(_participants.c.id, _participants.c.updated_at))).all())


class TestRevision0005:
    async def test_participants_written_before_it_read_their_latest_change(self, databases):
        async with seeded_database(databases) as db:
            seeded = await _times(db.engine)
            await downgrade_below(db.engine, "0005")
            async with db.engine.begin() as conn:
                await conn.execute(update(_participants).values(updated_at=_participants.c.created_at))
            stale = await _times(db.engine)
            assert sum(stale[pid] != at for pid, at in seeded.items()) > 10, "the seed has participants changed later"

            await upgrade_to_head(db.engine)

            assert await _times(db.engine) == seeded
