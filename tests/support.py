"""Helpers shared by tests: tokens, auth headers, SQL statement and SQLite thread-trip counting."""

from __future__ import annotations

import aiosqlite
from sqlalchemy import event
from sqlalchemy.engine.interfaces import CacheStats
from sqlalchemy.ext.asyncio import AsyncEngine

from gateway.db.engine import write_transaction
from gateway.domain import tokens
from gateway.vocabulary import Role

UNREACHED_RATE_LIMIT = 1_000_000
"""A rate limit the suite never reaches: requests are counted as in production, never throttled."""


async def issue_token(engine: AsyncEngine, *, lead_provider: str | None = None, role: Role = Role.LEAD_PROVIDER) -> str:
    async with write_transaction(engine) as conn:
        if lead_provider is None:
            return await tokens.create_token(conn, role=role)
        lp_id = await tokens.find_lead_provider_id(conn, lead_provider)
        return await tokens.create_token(conn, role=Role.LEAD_PROVIDER, lead_provider_id=lp_id)


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


class StatementCounter:
    """Counts the SQL statements an engine executes while active (for N+1 tests)."""

    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine.sync_engine
        self.statements: list[str] = []
        self.compiled: list[str] = []
        """The statements SQLAlchemy compiled to run them (not found in its compiled cache); text sent as it is
        (``exec_driver_sql``) is never compiled."""

    def _record(self, _conn, _cursor, statement, _parameters, context, _executemany) -> None:
        if not statement.lstrip().upper().startswith(("BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE")):
            self.statements.append(statement)
            if context is not None and context.compiled is not None and context.cache_hit is not CacheStats.CACHE_HIT:
                self.compiled.append(statement)

    def __enter__(self) -> StatementCounter:
        event.listen(self.engine, "before_cursor_execute", self._record)
        return self

    def __exit__(self, *_exc) -> None:
        event.remove(self.engine, "before_cursor_execute", self._record)

    @property
    def count(self) -> int:
        return len(self.statements)


class SQLiteTrips:
    """Counts the calls queued on aiosqlite's connection threads while active (gateway.db.sqlite_driver)."""

    def __init__(self) -> None:
        self.count = 0
        self._queue = aiosqlite.Connection._execute

    async def _counting(self, connection, fn, *args, **kwargs):
        self.count += 1
        return await self._queue(connection, fn, *args, **kwargs)

    def __enter__(self) -> SQLiteTrips:
        counting = self._counting

        async def _execute(connection, fn, *args, **kwargs):
            return await counting(connection, fn, *args, **kwargs)

        aiosqlite.Connection._execute = _execute  # type: ignore[method-assign]
        return self

    def __exit__(self, *_exc) -> None:
        aiosqlite.Connection._execute = self._queue  # type: ignore[method-assign]
