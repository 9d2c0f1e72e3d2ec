"""Column types read back what was written, on both databases."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta, timezone

import pytest
from sqlalchemy import func, insert, select, text

from gateway.db.engine import read_connection, write_transaction
from gateway.db.tables import LeadProvider, metadata
from gateway.db.types import UTCDateTime

_lead_providers = LeadProvider.__table__


class TestIds:
    async def test_an_id_reads_back_as_the_same_uuid(self, empty_db):
        written = uuid.uuid4()
        async with write_transaction(empty_db.engine) as conn:
            await conn.execute(insert(_lead_providers).values(id=written, name="A provider"))

        async with read_connection(empty_db.engine) as conn:
            found = (await conn.execute(select(_lead_providers.c.id))).scalar_one()

        assert isinstance(found, uuid.UUID)
        assert found == written and hash(found) == hash(written)
        assert str(found) == str(written) and found.version == 4
        assert {written: "key"}[found] == "key"

    async def test_an_id_stored_with_dashes_by_hand_still_reads_as_its_uuid(self, empty_db):
        if empty_db.is_postgres:
            pytest.skip("PostgreSQL stores uuid natively: there is no text form to differ")
        written = uuid.uuid4()
        async with write_transaction(empty_db.engine) as conn:
            await conn.execute(
                text(
                    "INSERT INTO lead_providers (id, name, created_at, updated_at) VALUES (:id, 'P', '2025-01-01', '2025-01-01')"
                ),
                {"id": str(written)},
            )

        async with read_connection(empty_db.engine) as conn:
            found = (await conn.execute(select(_lead_providers.c.id))).scalar_one()

        assert found == written


class TestTimestamps:
    async def test_a_timestamp_reads_back_as_the_same_moment_in_utc(self, empty_db):
        written = datetime(2025, 3, 30, 1, 30, 15, 123456, tzinfo=timezone(timedelta(hours=1)))
        async with write_transaction(empty_db.engine) as conn:
            await conn.execute(
                insert(_lead_providers).values(id=uuid.uuid4(), name="P", created_at=written, updated_at=written)
            )

        async with read_connection(empty_db.engine) as conn:
            found = (await conn.execute(select(_lead_providers.c.created_at))).scalar_one()

        assert found == written
        assert found.tzinfo == UTC and found.hour == 0 and found.microsecond == 123456

    async def test_a_timestamp_reads_back_in_utc_whatever_the_sessions_time_zone(self, empty_db):
        # On PostgreSQL the UTC zone is asyncpg's (binary timestamptz), with no conversion of ours after it.
        written = datetime(2025, 3, 30, 1, 30, 15, 123456, tzinfo=timezone(timedelta(hours=1)))
        async with write_transaction(empty_db.engine) as conn:
            await conn.execute(
                insert(_lead_providers).values(id=uuid.uuid4(), name="P", created_at=written, updated_at=written)
            )

        async with write_transaction(empty_db.engine) as conn:
            if empty_db.is_postgres:
                await conn.execute(text("SET LOCAL TIME ZONE 'Pacific/Chatham'"))  # +13:45 in March
            row = (
                await conn.execute(
                    select(func.min(_lead_providers.c.created_at), func.max(_lead_providers.c.updated_at))
                )
            ).one()

        for found in row:
            assert found == written
            assert found.tzinfo is UTC and (found.hour, found.minute, found.microsecond) == (0, 30, 123456)

    async def test_every_timestamp_column_is_stored_with_its_zone_on_postgresql(self, empty_db):
        # What lets UTCDateTime skip its result processing on asyncpg: a column without a zone would read naive.
        if not empty_db.is_postgres:
            pytest.skip("SQLite stores naive UTC text, and UTCDateTime gives it its zone back")
        columns = [
            (table.name, column.name)
            for table in metadata.tables.values()
            for column in table.columns
            if isinstance(column.type, UTCDateTime)
        ]
        async with read_connection(empty_db.engine) as conn:
            kinds = dict(
                (await conn.execute(text(
                    "SELECT table_name || '.' || column_name, data_type FROM information_schema.columns"
                    " WHERE table_schema = current_schema()"
                ))).all()
            )  # fmt: skip

        assert columns
        assert {f"{t}.{c}": kinds.get(f"{t}.{c}") for t, c in columns} == {
            f"{t}.{c}": "timestamp with time zone" for t, c in columns
        }
