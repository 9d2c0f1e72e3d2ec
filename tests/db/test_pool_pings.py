"""Pooled PostgreSQL connections are pinged on checkout only after sitting idle (gateway.db.engine).

A request checks out two connections; pinging each (three round trips with asyncpg) was most of a lookup's
round trips. A connection returned a moment ago goes out as it is; an idle one is pinged, and a dead one is
replaced before anyone uses it.
"""

from __future__ import annotations

import pytest
from sqlalchemy import text

from gateway.db import engine as engine_module
from gateway.db.engine import build_engine, read_connection
from tests.conftest import IS_POSTGRES

pytestmark = pytest.mark.skipif(not IS_POSTGRES, reason="the SQLite engine pings nothing")


@pytest.fixture
async def pool_engine(readonly_db):
    engine = build_engine(readonly_db.url)
    yield engine
    await engine.dispose()


@pytest.fixture
def pings(pool_engine, monkeypatch):
    dialect = pool_engine.sync_engine.dialect
    counted = []
    real_ping = dialect.do_ping

    def counting_ping(dbapi_connection):
        counted.append(dbapi_connection)
        return real_ping(dbapi_connection)

    monkeypatch.setattr(dialect, "do_ping", counting_ping)
    return counted


async def _backend_pid(engine) -> int:
    async with read_connection(engine) as conn:
        return (await conn.execute(text("SELECT pg_backend_pid()"))).scalar_one()


async def test_a_connection_returned_a_moment_ago_is_not_pinged(pool_engine, pings):
    first = await _backend_pid(pool_engine)
    second = await _backend_pid(pool_engine)

    assert second == first  # the same pooled connection
    assert pings == []


async def test_a_connection_left_idle_is_pinged(pool_engine, pings, monkeypatch):
    await _backend_pid(pool_engine)
    monkeypatch.setattr(engine_module, "ALIVE_WITHOUT_PING_SECONDS", 0.0)

    await _backend_pid(pool_engine)

    assert len(pings) == 1


async def test_an_idle_connection_the_server_dropped_is_replaced_before_use(pool_engine, readonly_db, monkeypatch):
    dropped = await _backend_pid(pool_engine)
    async with read_connection(readonly_db.engine) as other:
        assert (await other.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": dropped})).scalar_one()
    monkeypatch.setattr(engine_module, "ALIVE_WITHOUT_PING_SECONDS", 0.0)

    replacement = await _backend_pid(pool_engine)

    assert replacement != dropped
