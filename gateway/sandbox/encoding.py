"""Sandbox rows as the database driver takes them: one tuple a row, columns in table order.

Turning a large unit's values into what the driver stores costs about as much
as writing them (formatting a datetime for SQLite alone takes a few
microseconds, and a unit has some twenty thousand), so the worker process that
builds a unit encodes it as well, and the seeding process hands the tuples to
the driver untouched: executemany on SQLite, COPY on PostgreSQL
(`gateway.sandbox.writer`). The encoders are SQLAlchemy's own bind processors
for the dialect, so the database stores what a Core insert of the same rows
would have stored.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from operator import itemgetter
from typing import Any

from sqlalchemy.dialects import registry
from sqlalchemy.engine import Dialect

from gateway.db.tables import metadata
from gateway.sandbox.batch import Batch, Row

EncodedRows = dict[str, list[tuple[Any, ...]]]
"""Table name -> rows as tuples, parents before children (the order of ``metadata.sorted_tables``)."""


def dialect_named(key: str) -> Dialect:
    """A dialect from its ``name.driver`` (``sqlite.aiosqlite``), without connecting: what a worker process encodes for."""
    return registry.load(key)()


def dialect_key(dialect: Dialect) -> str:
    return f"{dialect.name}.{dialect.driver}"


def _row_encoder(
    names: list[str], processors: Sequence[Callable[[Any], Any] | None]
) -> Callable[[Row], tuple[Any, ...]]:
    values_of = itemgetter(*names)
    steps = [(index, process) for index, process in enumerate(processors) if process is not None]

    def encode(row: Row) -> tuple[Any, ...]:
        values = list(values_of(row))
        for index, process in steps:
            values[index] = process(values[index])
        return tuple(values)

    return encode


class RowEncoder:
    def __init__(self, dialect: Dialect) -> None:
        self._columns: dict[str, list[str]] = {}
        self._encoders: dict[str, Callable[[Row], tuple[Any, ...]]] = {}
        for table in metadata.sorted_tables:
            names = [column.name for column in table.columns]
            processors = [column.type.dialect_impl(dialect).bind_processor(dialect) for column in table.columns]
            self._columns[table.name] = names
            self._encoders[table.name] = _row_encoder(names, processors)

    def columns(self, table_name: str) -> list[str]:
        return self._columns[table_name]

    def encode(self, batch: Batch) -> EncodedRows:
        """Every row of ``batch``; a row must carry every column of its table (`gateway.sandbox.builder` sees to it)."""
        encoded: EncodedRows = {}
        for table_name, encode in self._encoders.items():
            rows = batch.tables.get(table_name)
            if rows:
                try:
                    encoded[table_name] = [encode(row) for row in rows]
                except KeyError as missing:
                    raise ValueError(f"a {table_name} row of the sandbox has no value for column {missing}") from None
        return encoded
