"""gateway.db.engine.read_connection on either database: no transaction, and nothing kept past its engine."""

from __future__ import annotations

import gc
import uuid
import weakref
from datetime import UTC, datetime

from sqlalchemy import text

from gateway.db.engine import build_engine, read_connection
from gateway.db.tables import LeadProvider, table_of


async def test_each_statement_of_a_read_connection_commits_as_it_runs(empty_db):
    """What the rate limit's count relies on: it is written on the request's read connection, never rolled back."""
    at = datetime(2026, 1, 1, tzinfo=UTC)
    async with read_connection(empty_db.engine) as conn:
        await conn.execute(
            table_of(LeadProvider).insert().values(id=uuid.uuid4(), name="Counted", created_at=at, updated_at=at)
        )
        async with read_connection(empty_db.engine) as other:  # another connection sees it before this one ends
            names = (await other.execute(text("SELECT name FROM lead_providers"))).scalars().all()

    assert names == ["Counted"]


async def test_an_engine_no_longer_used_is_not_kept_alive_by_its_read_connections(empty_db):
    engine = build_engine(empty_db.url)
    for _ in range(2):
        async with read_connection(engine) as conn:
            await conn.execute(text("SELECT 1"))
    await engine.dispose()
    gone = weakref.ref(engine.sync_engine)

    del engine, conn
    gc.collect()

    assert gone() is None
