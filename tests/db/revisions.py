"""A revision tested over a database written before it: the sandbox seeded, then the schema taken back below it."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from alembic import command

from gateway.db.migrate import alembic_config, upgrade_to_head
from gateway.sandbox.seed import seed_sandbox
from tests.conftest import Database


@asynccontextmanager
async def seeded_database(databases) -> AsyncIterator[Database]:
    """A new database at the latest revision with the scale-1 sandbox in it."""
    db = await databases.create()
    try:
        await upgrade_to_head(db.engine)
        await seed_sandbox(db.engine, scale=1, reset=False, progress=False)
        yield db
    finally:
        await db.engine.dispose()


async def downgrade_below(engine, revision: str) -> None:
    """The schema one revision below ``revision``, whatever that one is chained to."""
    config = alembic_config(engine.url.render_as_string(hide_password=False))

    def run(connection) -> None:
        config.attributes["connection"] = connection
        command.downgrade(config, f"{revision}-1")

    async with engine.begin() as conn:
        await conn.run_sync(run)
