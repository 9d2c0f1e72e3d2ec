"""Writes the units of a large seed fast: COPY or executemany, one transaction, indexes built once at the end."""

from __future__ import annotations

from collections import Counter
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection

from gateway.sandbox.encoding import EncodedRows, RowEncoder

SQLITE_BULK_CACHE_KIB = 256 * 1024


class BulkLoad:
    """Writes the units of a seed: one transaction for them all, the secondary indexes of their tables built once at the end.

    Keeping a dozen indexes of random UUIDs and timestamps up to date row by row
    costs more than writing the rows; building each index once over every row
    is a sort. The index definitions are read back from the database, so they
    come back exactly as the migrations made them, and DDL is transactional on
    both databases: a seed that fails rolls back to its reference rows and
    cases with every index in place. Indexes that back a constraint (primary
    keys, UNIQUE constraints) stay, and so do the tables' foreign key checks;
    so do partial indexes on PostgreSQL (see the query).

    The price of one transaction: until it commits, other writers wait (and on
    PostgreSQL readers of these tables too, as DROP INDEX locks them), and
    SQLite's write-ahead log grows to the size of the load (about 700 MB at
    ``--scale 100``) until `bulk_load` checkpoints it.
    """

    def __init__(self, conn: AsyncConnection, encoder: RowEncoder, tables: list[str]) -> None:
        self.conn = conn
        self.encoder = encoder
        self.tables = tables
        self._indexes: list[tuple[str, str]] = []

    async def write(self, encoded: EncodedRows, counts: Counter[str]) -> None:
        for table_name, rows in encoded.items():
            if table_name not in self.tables:
                raise ValueError(f"{table_name} is not a table of this bulk load")
            await self._write(table_name, rows, self.encoder.columns(table_name))
            counts[table_name] += len(rows)

    async def start(self) -> None:
        """Drop the secondary indexes of the tables, remembering how to build them again."""
        raise NotImplementedError

    async def _write(self, table_name: str, rows: list[tuple], columns: list[str]) -> None:
        raise NotImplementedError

    async def rebuild_indexes(self) -> None:
        for _, create in self._indexes:
            await self._execute(create)

    async def _execute(self, sql: str) -> None:
        raise NotImplementedError


class _SQLiteBulkLoad(BulkLoad):
    async def start(self) -> None:
        names = ", ".join(f"'{name}'" for name in self.tables)
        self._indexes = [  # type: ignore[misc]  # the statement selects two columns
            (name, create)
            for name, create in await self.conn.exec_driver_sql(
                # sql is null for the automatic indexes of PRIMARY KEY and UNIQUE constraints, which cannot be dropped
                f"SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL AND tbl_name IN ({names}) ORDER BY rowid"
            )
        ]
        for name, _ in self._indexes:
            await self._execute(f"DROP INDEX {self.conn.dialect.identifier_preparer.quote(name)}")

    async def _write(self, table_name: str, rows: list[tuple], columns: list[str]) -> None:
        quote = self.conn.dialect.identifier_preparer.quote
        placeholders = ", ".join("?" * len(columns))
        await self.conn.exec_driver_sql(
            f"INSERT INTO {quote(table_name)} ({', '.join(map(quote, columns))}) VALUES ({placeholders})", rows
        )

    async def _execute(self, sql: str) -> None:
        await self.conn.exec_driver_sql(sql)


class _PostgresBulkLoad(BulkLoad):
    # COPY through asyncpg is several times faster than INSERT. The load runs on the driver
    # connection and in the driver's transaction: SQLAlchemy's begin() would only reach the
    # server with the first statement SQLAlchemy itself runs.
    def __init__(self, conn: AsyncConnection, encoder: RowEncoder, tables: list[str], driver: Any) -> None:
        super().__init__(conn, encoder, tables)
        self.driver = driver

    async def start(self) -> None:
        driver = self.driver
        await driver.execute("SET LOCAL maintenance_work_mem = '256MB'")  # index builds sort in memory
        self._indexes = [
            (row["name"], row["definition"])
            for row in await driver.fetch(
                """
                SELECT index_class.relname AS name, pg_get_indexdef(i.indexrelid) AS definition
                FROM pg_index i
                JOIN pg_class index_class ON index_class.oid = i.indexrelid
                JOIN pg_class table_class ON table_class.oid = i.indrelid
                WHERE table_class.relnamespace = current_schema()::regnamespace
                  AND table_class.relname = ANY($1::text[])
                  AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid)
                  -- pg_get_indexdef rewrites a predicate or an expression (an IN list comes back
                  -- as = ANY over casts), so partial and expression indexes stay as migrated
                  AND i.indpred IS NULL AND i.indexprs IS NULL
                ORDER BY index_class.oid
                """,
                self.tables,
            )
        ]
        for name, _ in self._indexes:
            await self._execute(f"DROP INDEX {self.conn.dialect.identifier_preparer.quote(name)}")

    async def _write(self, table_name: str, rows: list[tuple], columns: list[str]) -> None:
        await self.driver.copy_records_to_table(table_name, records=rows, columns=columns)

    async def _execute(self, sql: str) -> None:
        await self.driver.execute(sql)


@asynccontextmanager
async def bulk_load(conn: AsyncConnection, encoder: RowEncoder, tables: list[str]) -> AsyncIterator[BulkLoad]:
    """A `BulkLoad` into ``tables``, committed when the block ends (after `BulkLoad.rebuild_indexes`), rolled back if it raises."""
    if conn.dialect.name == "postgresql":
        driver = (await conn.get_raw_connection()).driver_connection
        assert driver is not None  # an open connection always has its driver's
        load = _PostgresBulkLoad(conn, encoder, tables, driver)
        async with driver.transaction():
            await load.start()
            yield load
        return
    sqlite_load = _SQLiteBulkLoad(conn, encoder, tables)
    previous_cache = await conn.scalar(text("PRAGMA cache_size"))
    # A page cache big enough for the tables and indexes of a large sandbox while they are written and indexed.
    await conn.execute(text(f"PRAGMA cache_size = -{SQLITE_BULK_CACHE_KIB}"))
    await conn.commit()
    try:
        async with conn.begin():
            await sqlite_load.start()
            yield sqlite_load
        # The load went through the write-ahead log, which SQLite keeps at its largest size until
        # the last connection closes: hand the space back now. On the driver connection, outside
        # any transaction (SQLAlchemy would begin one first, and a checkpoint cannot run inside it).
        driver = (await conn.get_raw_connection()).driver_connection
        assert driver is not None  # an open connection always has its driver's
        await (await driver.execute("PRAGMA wal_checkpoint(TRUNCATE)")).close()
    finally:
        await conn.execute(text(f"PRAGMA cache_size = {int(previous_cache)}"))
        await conn.commit()
