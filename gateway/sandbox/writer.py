"""Writes batches of sandbox rows with bulk Core inserts, and empties the tables for a reset."""

from __future__ import annotations

from collections import Counter
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncConnection

from gateway.db.tables import metadata
from gateway.sandbox.batch import Batch

# A page cache big enough for the indexes of a large sandbox: random UUID keys touch pages all over them.
SQLITE_BULK_CACHE_KIB = 256 * 1024

# Small enough to keep each statement's parameters modest, large enough that round trips do not dominate.
CHUNK_ROWS = 4000


async def write_batch(conn: AsyncConnection, batch: Batch, counts: Counter[str]) -> None:
    """Insert a batch, parents before children."""
    for table in metadata.sorted_tables:
        rows = batch.tables.get(table.name)
        if not rows:
            continue
        for start in range(0, len(rows), CHUNK_ROWS):
            await conn.execute(table.insert(), rows[start : start + CHUNK_ROWS])
        counts[table.name] += len(rows)


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


@asynccontextmanager
async def bulk_load_settings(conn: AsyncConnection) -> AsyncIterator[None]:
    """Connection settings for writing many rows, put back afterwards (the connection returns to the pool)."""
    if conn.dialect.name != "sqlite":
        yield
        return
    previous = await conn.scalar(text("PRAGMA cache_size"))
    await conn.execute(text(f"PRAGMA cache_size = -{SQLITE_BULK_CACHE_KIB}"))
    await conn.commit()
    try:
        yield
    finally:
        await conn.execute(text(f"PRAGMA cache_size = {int(previous)}"))
        await conn.commit()
