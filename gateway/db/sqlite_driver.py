"""aiosqlite under SQLAlchemy, one trip to aiosqlite's thread per statement.

aiosqlite runs each SQLite connection in a thread of its own; every call into it is a queue put, a thread
wake-up and an event-loop wake-up, about 50 us of CPU on the development machine. SQLAlchemy's adapter makes
four such calls per statement (open a cursor, execute, fetch all, close) and a fifth when the connection goes
back to the pool (a ROLLBACK, of nothing on a read connection): 14 trips for a participant lookup, whose three
statements take SQLite itself about 0.1 ms. Here a statement is one trip (execute, fetch, close, and whether a
transaction is open, in one call), and a connection known to hold no transaction is not rolled back.

Server-side cursors (streamed exports) keep SQLAlchemy's own cursor: they fetch in batches by design.

Like SQLAlchemy's adapter (its ``isolation_level`` setter), this queues work on aiosqlite's connection
thread through ``aiosqlite.Connection._execute`` and names the sqlite3 connection by ``_conn``: both are
aiosqlite's, not public API, and tests/db/test_sqlite_driver.py fails first if a release changes them.
"""

from __future__ import annotations

import sqlite3
from collections import deque
from typing import Any

import aiosqlite
from sqlalchemy.dialects.sqlite.aiosqlite import AsyncAdapt_aiosqlite_connection, AsyncAdapt_aiosqlite_dbapi
from sqlalchemy.util.concurrency import await_


def _run(connection: aiosqlite.Connection, operation: str, parameters: Any, many: bool) -> tuple:
    """In aiosqlite's thread: the statement, its rows, and what the cursor tells after it."""
    conn = connection._conn
    cursor = conn.cursor()
    try:
        if many:
            cursor.executemany(operation, parameters)
        elif parameters is None:
            cursor.execute(operation)
        else:
            cursor.execute(operation, parameters)
        description = cursor.description
        rows = cursor.fetchall() if description else ()
        return description, rows, cursor.rowcount, cursor.lastrowid, conn.in_transaction
    finally:
        cursor.close()


class OneTripCursor:
    """The DBAPI cursor SQLAlchemy reads: its rows are fetched before ``execute`` returns."""

    server_side = False
    __slots__ = ("_adapted", "_rows", "arraysize", "description", "lastrowid", "rowcount")

    def __init__(self, adapted: OneTripConnection) -> None:
        self._adapted = adapted
        self._rows: deque = deque()
        self.arraysize = 1
        self.description: Any = None
        self.rowcount = -1
        self.lastrowid: int | None = None

    def execute(self, operation: str, parameters: Any = None) -> None:
        self._run(operation, parameters, many=False)

    def executemany(self, operation: str, seq_of_parameters: Any) -> None:
        self._run(operation, seq_of_parameters, many=True)

    def _run(self, operation: str, parameters: Any, *, many: bool) -> None:
        adapted = self._adapted
        try:
            found = await_(adapted._connection._execute(_run, adapted._connection, operation, parameters, many))
        except Exception as error:  # noqa: BLE001 - re-raised by SQLAlchemy's adapter, as its own cursor does
            adapted.in_transaction = None  # a failed statement may have ended a transaction, or not
            adapted._handle_exception(error)
        self.description, rows, self.rowcount, self.lastrowid, adapted.in_transaction = found
        self._rows = deque(rows)

    def fetchone(self) -> Any:
        return self._rows.popleft() if self._rows else None

    def fetchmany(self, size: int | None = None) -> list:
        rows = self._rows
        return [rows.popleft() for _ in range(min(self.arraysize if size is None else size, len(rows)))]

    def fetchall(self) -> list:
        rows = list(self._rows)
        self._rows.clear()
        return rows

    def __iter__(self):
        while self._rows:
            yield self._rows.popleft()

    def setinputsizes(self, *_sizes: Any) -> None:
        pass

    def close(self) -> None:
        self._rows.clear()

    async def _async_soft_close(self) -> None:
        """What SQLAlchemy's asyncio layer calls once a result is buffered: nothing is left open here."""


class OneTripConnection(AsyncAdapt_aiosqlite_connection):
    __slots__ = ("in_transaction",)

    def __init__(self, dbapi: Any, connection: Any) -> None:
        """``connection``: an aiosqlite connection (SQLAlchemy's protocol for it does not match aiosqlite's types)."""
        super().__init__(dbapi, connection)
        self.in_transaction: bool | None = None
        """Whether SQLite holds a transaction open on this connection, as of its last statement; None: not known."""

    def cursor(self, server_side: bool = False) -> Any:
        if server_side:
            self.in_transaction = None  # its statements run outside this adapter's sight
            return super().cursor(server_side=True)
        return OneTripCursor(self)

    def rollback(self) -> None:
        if self.in_transaction is False:
            return  # SQLite would roll back nothing; the pool does this for every connection it takes back
        self.in_transaction = None
        super().rollback()
        self.in_transaction = False

    def commit(self) -> None:
        self.in_transaction = None
        super().commit()
        self.in_transaction = False

    @property
    def isolation_level(self) -> str | None:
        return self._connection.isolation_level

    @isolation_level.setter
    def isolation_level(self, value: str | None) -> None:
        self.in_transaction = None  # pysqlite commits an open transaction when switching to autocommit
        AsyncAdapt_aiosqlite_connection.isolation_level.fset(self, value)  # type: ignore[attr-defined]


class OneTripDBAPI(AsyncAdapt_aiosqlite_dbapi):
    """The DBAPI module SQLAlchemy's aiosqlite dialect is given (``create_async_engine(module=...)``)."""

    def __init__(self) -> None:
        super().__init__(aiosqlite, sqlite3)

    def connect(self, *args: Any, **kwargs: Any) -> OneTripConnection:
        return OneTripConnection(self, super().connect(*args, **kwargs)._connection)
