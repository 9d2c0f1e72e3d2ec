"""SQLite statements in one trip to aiosqlite's thread each (gateway.db.sqlite_driver).

A trip is a call queued on aiosqlite's connection thread (``aiosqlite.Connection._execute``): counted here,
since it is what the adapter saves, and what every write still relies on (rollbacks included).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from gateway.db.engine import read_connection, write_transaction
from tests.conftest import IS_POSTGRES
from tests.support import SQLiteTrips

pytestmark = pytest.mark.skipif(IS_POSTGRES, reason="SQLite's driver")

_INSERT = text("INSERT INTO lead_providers (id, name, created_at, updated_at) VALUES (:id, :name, :at, :at)")
_AT = "2026-01-01 00:00:00"


@pytest.fixture
def trips() -> Iterator[SQLiteTrips]:
    with SQLiteTrips() as counted:
        yield counted


async def _names(engine) -> list[str]:
    async with read_connection(engine) as conn:
        return list((await conn.execute(text("SELECT name FROM lead_providers ORDER BY name"))).scalars())


async def test_a_read_is_one_trip_and_its_return_to_the_pool_none(empty_db, trips):
    engine = empty_db.engine
    async with write_transaction(engine) as conn:
        await conn.execute(_INSERT, [{"id": uuid.uuid4().hex, "name": name, "at": _AT} for name in ("A", "B")])
    await _names(engine)  # the pool's connection exists now
    trips.count = 0

    names = await _names(engine)

    assert names == ["A", "B"]
    assert trips.count == 1


async def test_a_write_transaction_is_begin_statements_and_commit(empty_db, trips):
    engine = empty_db.engine
    await _names(engine)
    trips.count = 0

    async with write_transaction(engine) as conn:
        await conn.execute(_INSERT, {"id": uuid.uuid4().hex, "name": "Written", "at": _AT})
        result = await conn.execute(text("UPDATE lead_providers SET name = 'Renamed' WHERE name = 'Written'"))

    assert result.rowcount == 1
    assert trips.count == 4  # BEGIN IMMEDIATE, INSERT, UPDATE, COMMIT
    assert await _names(engine) == ["Renamed"]


async def test_a_failed_action_leaves_nothing_written_and_the_connection_usable(empty_db):
    engine = empty_db.engine
    taken = uuid.uuid4().hex
    async with write_transaction(engine) as conn:
        await conn.execute(_INSERT, {"id": taken, "name": "First", "at": _AT})

    with pytest.raises(IntegrityError):
        async with write_transaction(engine) as conn:
            await conn.execute(_INSERT, {"id": uuid.uuid4().hex, "name": "Lost", "at": _AT})
            await conn.execute(_INSERT, {"id": taken, "name": "Duplicate", "at": _AT})

    async with write_transaction(engine) as conn:  # no transaction left open on the pooled connection
        await conn.execute(_INSERT, {"id": uuid.uuid4().hex, "name": "Second", "at": _AT})
    assert await _names(engine) == ["First", "Second"]


async def test_a_transaction_sqlalchemy_did_not_open_is_still_rolled_back_by_the_pool(empty_db):
    """The pool skips its ROLLBACK only when SQLite said no transaction is open, not when SQLAlchemy thinks so."""
    engine = empty_db.engine
    async with read_connection(engine) as conn:  # a read connection: SQLAlchemy emits no BEGIN of its own
        await conn.exec_driver_sql("BEGIN IMMEDIATE")
        await conn.execute(_INSERT, {"id": uuid.uuid4().hex, "name": "Uncommitted", "at": _AT})

    assert await _names(engine) == []
    async with write_transaction(engine) as conn:
        await conn.execute(_INSERT, {"id": uuid.uuid4().hex, "name": "Next", "at": _AT})
    assert await _names(engine) == ["Next"]


async def test_streamed_rows_arrive_in_batches_and_leave_the_connection_clean(empty_db):
    engine = empty_db.engine
    async with write_transaction(engine) as conn:
        await conn.execute(_INSERT, [{"id": uuid.uuid4().hex, "name": f"P{i:03}", "at": _AT} for i in range(250)])

    async with read_connection(engine) as conn:
        result = await conn.stream(text("SELECT name FROM lead_providers ORDER BY name"))
        batches = [len(batch) async for batch in result.partitions(100)]

    assert batches == [100, 100, 50]
    async with write_transaction(engine) as conn:
        await conn.execute(_INSERT, {"id": uuid.uuid4().hex, "name": "Z", "at": _AT})
    assert len(await _names(engine)) == 251
