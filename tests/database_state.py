"""Every row of the tables a write action may touch, to show that a refused action changed nothing."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from gateway.db.engine import read_connection
from gateway.db.tables import metadata

TOUCHED_BY_ACTIONS = (
    "partnerships",
    "training_periods",
    "training_records",
    "participants",
    "schools",
    "school_cohorts",
)


async def database_state(engine: AsyncEngine, tables: tuple[str, ...] = TOUCHED_BY_ACTIONS) -> dict[str, list[tuple]]:
    """Each table's rows (every column, ``updated_at`` included), in id order."""
    state = {}
    async with read_connection(engine) as conn:
        for name in tables:
            table = metadata.tables[name]
            state[name] = [tuple(row) for row in await conn.execute(select(table).order_by(table.c.id))]
    return state
