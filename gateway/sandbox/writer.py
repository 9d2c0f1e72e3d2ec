"""Writes the first sandbox rows, empties the tables for a reset, and refreshes the planner's statistics afterwards.

The bulk goes through `gateway.sandbox.bulk_load` instead.
"""

from __future__ import annotations

from collections import Counter

from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncConnection

from gateway.db.tables import metadata
from gateway.sandbox.batch import Batch

# Small enough to keep each statement's parameters modest, large enough that round trips do not dominate.
CHUNK_ROWS = 4000


async def write_batch(conn: AsyncConnection, batch: Batch, counts: Counter[str]) -> None:
    """Insert a batch with Core inserts, parents before children, in the caller's transaction."""
    for table in metadata.sorted_tables:
        rows = batch.tables.get(table.name)
        if not rows:
            continue
        for start in range(0, len(rows), CHUNK_ROWS):
            await conn.execute(table.insert(), rows[start : start + CHUNK_ROWS])
        counts[table.name] += len(rows)


async def analyze(conn: AsyncConnection) -> None:
    """Give the planner statistics for the new rows (sqlite_stat1 on SQLite), so the first queries do not plan blind."""
    async with conn.begin():
        await conn.execute(text("ANALYZE"))


async def tables_holding_rows(conn: AsyncConnection, names: list[str]) -> list[str]:
    held = []
    for name in names:
        table = metadata.tables[name]
        if (await conn.execute(select(text("1")).select_from(table).limit(1))).first() is not None:
            held.append(name)
    return held


async def empty_all_tables(conn: AsyncConnection) -> None:
    """Delete every row of every table, children before parents."""
    tables = list(reversed(metadata.sorted_tables))
    if conn.dialect.name == "postgresql":
        # TRUNCATE is instant where a DELETE of a large sandbox would take minutes.
        names = ", ".join(conn.dialect.identifier_preparer.quote(table.name) for table in tables)
        await conn.execute(text(f"TRUNCATE TABLE {names} CASCADE"))
        return
    for table in tables:
        await conn.execute(table.delete())
