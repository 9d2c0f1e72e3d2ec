"""Read connections on SQLite (gateway.db.engine.read_connection, SQLITE_READS).

SQLite connections stay in the driver's autocommit mode for their whole life: SQLAlchemy emits BEGIN IMMEDIATE
for a write transaction, a read emits no BEGIN, and so each of its statements, a rate-limit count included,
is committed as it runs. Reads used to switch the driver's mode on checkout and back on checkin (six trips to
aiosqlite's thread, and the connection left in the driver's deferred-transaction mode afterwards).
"""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import text

from gateway.db.engine import read_connection, write_transaction
from tests.conftest import IS_POSTGRES

pytestmark = pytest.mark.skipif(IS_POSTGRES, reason="SQLite's driver modes")


async def _driver_mode(engine) -> str | None:
    async with engine.connect() as conn:
        return (await conn.get_raw_connection()).driver_connection.isolation_level


async def test_a_read_leaves_the_connection_in_the_drivers_autocommit_mode(empty_db):
    engine = empty_db.engine
    for _ in range(3):  # the pool hands the same connection back
        async with read_connection(engine) as conn:
            await conn.execute(text("SELECT count(*) FROM lead_providers"))

    assert await _driver_mode(engine) is None


async def test_a_write_on_a_read_connection_is_committed_as_it_runs(empty_db):
    """What the rate limit's count relies on: it is written on the request's read connection."""
    engine = empty_db.engine
    lead_provider_id = uuid.uuid4()
    async with read_connection(engine) as conn:
        await conn.execute(
            text("INSERT INTO lead_providers (id, name, created_at, updated_at) VALUES (:id, 'Counted', :at, :at)"),
            {"id": lead_provider_id.hex, "at": "2026-01-01 00:00:00"},
        )

    async with read_connection(engine) as conn:
        names = (await conn.execute(text("SELECT name FROM lead_providers"))).scalars().all()
    assert names == ["Counted"]


async def test_an_open_read_connection_does_not_block_a_writer(empty_db):
    engine = empty_db.engine
    async with read_connection(engine) as reading:
        await reading.execute(text("SELECT count(*) FROM lead_providers"))
        async with write_transaction(engine) as writing:  # BEGIN IMMEDIATE: would wait for a read's lock
            await writing.execute(
                text("INSERT INTO lead_providers (id, name, created_at, updated_at) VALUES (:id, 'W', :at, :at)"),
                {"id": uuid.uuid4().hex, "at": "2026-01-01 00:00:00"},
            )
        assert (await reading.execute(text("SELECT count(*) FROM lead_providers"))).scalar_one() == 1
