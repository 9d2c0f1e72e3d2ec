"""Revision 0004 (working pattern, induction dates) over a database that already holds data.

The sandbox is seeded, the database taken back to the revision before 0004 (so it is exactly a database seeded
before it), then migrated again: every existing row keeps every value it had, and reads null in the new columns.
"""

from __future__ import annotations

from sqlalchemy import func, inspect, or_, select

from gateway.db.migrate import upgrade_to_head
from gateway.db.tables import Participant, TrainingPeriod, metadata
from tests.db.revisions import downgrade_below, seeded_database

NEW_COLUMNS = {
    "participants": ("overall_induction_start_date", "most_recent_induction_period_end_date"),
    "training_periods": ("working_pattern",),
}


async def _rows(engine, table_name: str, columns: list[str]) -> list[tuple]:
    table = metadata.tables[table_name]
    async with engine.connect() as conn:
        stmt = select(*(table.c[c] for c in columns)).order_by(table.c.id)
        return [tuple(row) for row in await conn.execute(stmt)]


async def _column_names(engine, table_name: str) -> list[str]:
    async with engine.connect() as conn:
        return await conn.run_sync(lambda sync: [c["name"] for c in inspect(sync).get_columns(table_name)])


class TestRevision0004:
    async def test_a_database_seeded_before_it_keeps_every_row_and_reads_null_in_the_new_columns(self, databases):
        async with seeded_database(databases) as db:
            await downgrade_below(db.engine, "0004")
            for table_name, added in NEW_COLUMNS.items():
                assert set(added).isdisjoint(await _column_names(db.engine, table_name))
            old_columns = {
                name: [c.name for c in metadata.tables[name].columns if c.name not in added]
                for name, added in NEW_COLUMNS.items()
            }
            before = {name: await _rows(db.engine, name, columns) for name, columns in old_columns.items()}
            assert all(before.values()), "the seeded database has no rows to keep"

            await upgrade_to_head(db.engine)

            for name, columns in old_columns.items():
                assert await _rows(db.engine, name, columns) == before[name]
            async with db.engine.connect() as conn:
                for table in (Participant.__table__, TrainingPeriod.__table__):
                    added = NEW_COLUMNS[table.name]
                    filled = await conn.scalar(
                        select(func.count()).select_from(table).where(or_(*(table.c[c].is_not(None) for c in added)))
                    )
                    assert filled == 0, table.name
