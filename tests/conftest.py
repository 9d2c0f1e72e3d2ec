"""Test databases and clients.

The suite runs against the database kind of ``DATABASE_URL`` (SQLite when unset,
PostgreSQL for ``postgresql+asyncpg://...``). The sandbox data set is seeded once
per session into a template; each test that writes gets its own copy of it
(PostgreSQL ``CREATE DATABASE ... TEMPLATE``, a file copy on SQLite), so tests
never see each other's writes and seeding costs once.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine

from gateway.config import normalise_database_url
from gateway.db.engine import build_engine, set_engine
from gateway.db.migrate import upgrade_to_head

# Fixtures shared by many test modules, registered once here rather than imported by each module.
pytest_plugins = ["tests.fixtures.declaration_world", "tests.fixtures.declaration_refusals"]

BASE_URL = normalise_database_url(os.environ.get("DATABASE_URL", "sqlite+aiosqlite://"))
IS_POSTGRES = BASE_URL.startswith("postgresql")
DROPS_AT_ONCE = 10


@dataclass
class Database:
    """One test database: its URL and an engine on it."""

    url: str
    engine: AsyncEngine

    @property
    def is_postgres(self) -> bool:
        return self.url.startswith("postgresql")


class DatabaseFactory:
    def __init__(self, workdir: Path) -> None:
        self.workdir = workdir
        self.created: list[str] = []
        self._copy_strategy: str | None = None

    def _new_url(self, name: str) -> str:
        if IS_POSTGRES:
            return make_url(BASE_URL).set(database=name).render_as_string(hide_password=False)
        return f"sqlite+aiosqlite:///{self.workdir / (name + '.db')}"

    async def _admin(self, sql: str) -> Any:
        admin = build_engine(BASE_URL)
        async with admin.connect() as conn:
            conn = await conn.execution_options(isolation_level="AUTOCOMMIT")
            result = await conn.execute(text(sql))
            value = result.scalar() if result.returns_rows else None
        await admin.dispose()
        return value

    async def _template_copy_strategy(self) -> str:
        # Measured on PostgreSQL 15: a WAL_LOG copy (the default) is quick to create but then
        # costs about 0.9 s to drop; FILE_COPY costs 0.16 s to create and 0.05 s to drop.
        if self._copy_strategy is None:
            version = int(await self._admin("SHOW server_version_num"))
            self._copy_strategy = " STRATEGY FILE_COPY" if version >= 150000 else ""
        return self._copy_strategy

    async def create(self, *, template: str | None = None) -> Database:
        name = f"gw_test_{uuid.uuid4().hex[:12]}"
        url = self._new_url(name)
        if IS_POSTGRES:
            clause = (
                f' TEMPLATE "{make_url(template).database}"{await self._template_copy_strategy()}' if template else ""
            )
            await self._admin(f'CREATE DATABASE "{name}"{clause}')
        elif template:
            shutil.copyfile(make_url(template).database, make_url(url).database)
        self.created.append(url)
        return Database(url=url, engine=build_engine(url))

    async def drop_all(self) -> None:
        if not IS_POSTGRES:
            return
        # Each DROP DATABASE waits for a checkpoint; drops issued together share one, so a few
        # hundred databases go in seconds instead of minutes.
        admin = build_engine(BASE_URL)
        sem = asyncio.Semaphore(DROPS_AT_ONCE)

        async def drop(url: str) -> None:
            async with sem, admin.connect() as conn:
                conn = await conn.execution_options(isolation_level="AUTOCOMMIT")
                await conn.execute(text(f'DROP DATABASE IF EXISTS "{make_url(url).database}" WITH (FORCE)'))

        try:
            await asyncio.gather(*(drop(url) for url in self.created))
        finally:
            await admin.dispose()


@pytest.fixture(scope="session")
async def databases(tmp_path_factory) -> AsyncIterator[DatabaseFactory]:
    factory = DatabaseFactory(tmp_path_factory.mktemp("databases"))
    yield factory
    await factory.drop_all()


@pytest.fixture(scope="session")
async def sandbox_template(databases: DatabaseFactory) -> str:
    """URL of a database holding the seeded sandbox, never used directly (only copied)."""
    from gateway.sandbox.seed import seed_sandbox

    db = await databases.create()
    await upgrade_to_head(db.engine)
    await seed_sandbox(db.engine, scale=1, reset=False, progress=False)
    await db.engine.dispose()
    return db.url


async def _use(db: Database) -> AsyncIterator[Database]:
    set_engine(db.engine)
    try:
        yield db
    finally:
        set_engine(None)
        await db.engine.dispose()


@pytest.fixture(scope="session")
async def empty_template(databases: DatabaseFactory) -> str:
    """URL of a migrated database with no rows, never used directly (copying it beats migrating per test)."""
    db = await databases.create()
    await upgrade_to_head(db.engine)
    await db.engine.dispose()
    return db.url


@pytest.fixture
async def empty_db(databases: DatabaseFactory, empty_template: str) -> AsyncIterator[Database]:
    """A migrated database with no rows."""
    db = await databases.create(template=empty_template)
    async for used in _use(db):
        yield used


@pytest.fixture
async def sandbox_db(databases: DatabaseFactory, sandbox_template: str) -> AsyncIterator[Database]:
    """A private copy of the seeded sandbox, for tests that write."""
    db = await databases.create(template=sandbox_template)
    async for used in _use(db):
        yield used


@pytest.fixture(scope="session")
async def shared_sandbox(databases: DatabaseFactory, sandbox_template: str) -> Database:
    """One copy of the seeded sandbox shared by read-only tests (cheaper than a copy per test)."""
    return await databases.create(template=sandbox_template)


@pytest.fixture
async def readonly_db(shared_sandbox: Database) -> AsyncIterator[Database]:
    """The shared seeded sandbox. Tests using it must not write."""
    set_engine(shared_sandbox.engine)
    yield shared_sandbox
    set_engine(None)


@pytest.fixture(scope="session")
async def scale_two_sandbox(databases: DatabaseFactory) -> Database:
    """The sandbox seeded at scale 2 (over 1,000 participants of one provider), for row-count-independence tests."""
    from gateway.sandbox.seed import seed_sandbox

    db = await databases.create()
    await upgrade_to_head(db.engine)
    await seed_sandbox(db.engine, scale=2, reset=False, progress=False)
    return db


@pytest.fixture
async def scale_two_db(scale_two_sandbox: Database) -> AsyncIterator[Database]:
    """The scale-2 sandbox as the app's database. Tests using it must not write (tokens aside)."""
    set_engine(scale_two_sandbox.engine)
    yield scale_two_sandbox
    set_engine(None)


@pytest.fixture
async def client() -> AsyncIterator[httpx.AsyncClient]:
    """An HTTP client on the app, over whichever database fixture the test asked for."""
    from gateway.app import create_app
    from tests.support import UNREACHED_RATE_LIMIT

    # The suite sends thousands of requests with a handful of tokens within minutes: the published limit
    # would throttle it. A limit it never reaches still counts every request the way production does;
    # tests/test_rate_limits.py builds its own app with a small limit.
    transport = httpx.ASGITransport(app=create_app(rate_limit=UNREACHED_RATE_LIMIT), raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://gateway.test") as http:
        yield http
