"""The async engine and the two ways code reaches the database.

Reads run outside an explicit transaction (autocommit), which saves a
BEGIN/COMMIT round trip per request; each write action runs in exactly one
transaction owned by the request edge.

The served app's engine bounds every wait on the database (``Timeouts``): opening
a connection, waiting for a pooled one, and each statement (PostgreSQL cancels it
at ``statement_timeout``; asyncpg gives up a second later, for a server that does
not answer at all). A connection that timed out or broke is closed, never handed
out again, and a pooled connection that sat idle is pinged on checkout, so the pool
heals itself once the database is back. What the faces answer meanwhile is in
gateway/http_errors.py.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

import asyncpg
from sqlalchemy import event, text
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, create_async_engine
from sqlalchemy.pool import StaticPool

from gateway.config import Settings, get_settings
from gateway.db.faults import drops_connection
from gateway.db.sqlite_driver import OneTripDBAPI

log = logging.getLogger("gateway.db")

MAINTENANCE_SQLITE_BUSY_SECONDS = 30
"""Without request timeouts (migrations, seeds, tests' set-up), a writer waits this long for SQLite's lock."""
CANCEL_SECONDS = 2.0
"""How long a server-side cancel of a cancelled request's statement may take before it is given up."""
CLIENT_GRACE_SECONDS = 1.0
"""How much longer than the server's statement_timeout asyncpg waits for an answer before giving up."""


@dataclass(frozen=True, slots=True)
class Timeouts:
    """How long a request may wait on the database, in seconds."""

    connect: float
    pool: float
    statement: float

    @classmethod
    def from_settings(cls, settings: Settings) -> Timeouts:
        return cls(connect=settings.db_connect_timeout, pool=settings.db_pool_timeout, statement=settings.db_timeout)


def build_engine(database_url: str, *, timeouts: Timeouts | None = None) -> AsyncEngine:
    """``timeouts``: the served app's bounds; None for maintenance (migrations and seeds run long statements)."""
    if database_url.startswith("sqlite"):
        engine = _sqlite_engine(database_url, timeouts)
    else:
        engine = _postgresql_engine(database_url, timeouts)
    _close_broken_connections(engine)
    return engine


PLANNER_SETTINGS = {
    # JIT off: the read statements' estimated costs (EXISTS flags planned as hashed subplans) cross
    # jit_above_cost while running in milliseconds, and compiling them added 45-500 ms (EXPLAIN at scale 20).
    "jit": "off",
    # No parallel workers: a request reads one page, and on a small server a worker's start (tens of ms) and
    # its core cost more than they save. At scale 100, a sync page's participants, enrolments and declarations
    # took 104 / 71 / 195 ms with a worker each (hash joins over the provider's whole set of training periods)
    # and 87 / 39 / 33 ms without and with the page cost below (index walks bounded by the page).
    "max_parallel_workers_per_gather": "0",
    # The tables are served from memory or SSD, where a random read costs little more than a sequential one;
    # PostgreSQL's default (4.0, for spinning disks) makes it scan whole tables instead of looking up a page's
    # keys by index, a cost that grows with the database rather than the page.
    "random_page_cost": "1.1",
}
"""Set on every connection the gateway opens to PostgreSQL (EXPLAIN ANALYZE at scales 5 and 100 chose them)."""


def _postgresql_engine(database_url: str, timeouts: Timeouts | None) -> AsyncEngine:
    options: dict = {}
    server_settings = dict(PLANNER_SETTINGS)
    connect_args: dict = {"server_settings": server_settings}
    if timeouts is not None:
        options["pool_timeout"] = timeouts.pool
        server_settings["statement_timeout"] = str(int(timeouts.statement * 1000))
        connect_args |= {
            "timeout": timeouts.connect,
            "command_timeout": timeouts.statement + CLIENT_GRACE_SECONDS,
        }
    engine = create_async_engine(database_url, pool_size=10, max_overflow=20, connect_args=connect_args, **options)
    _ping_connections_left_idle(engine)
    return engine


ALIVE_WITHOUT_PING_SECONDS = 0.5
"""A pooled connection used this recently is handed out without a ping (HikariCP's ``aliveBypassWindowMs``)."""
_RETURNED_AT = "gateway.returned_at"


def _ping_connections_left_idle(engine: AsyncEngine) -> None:
    """SQLAlchemy's ``pool_pre_ping``, for connections idle longer than ``ALIVE_WITHOUT_PING_SECONDS`` only.

    asyncpg's ping is three round trips (BEGIN, an empty query, ROLLBACK) and a request checks out two
    connections (its token, then its reads): pinging every checkout was six of a lookup's nine round trips.
    A connection returned a moment ago was alive then; if the database went away since, its first statement
    fails as a disconnect, that request is answered 503 (gateway.http_errors), and SQLAlchemy then replaces
    every connection the pool held from before the failure, so the next request gets a fresh one.
    """
    dialect = engine.sync_engine.dialect
    pool = engine.sync_engine.pool

    @event.listens_for(pool, "connect")
    def _on_connect(_dbapi_connection, record) -> None:
        record.info[_RETURNED_AT] = time.monotonic()

    @event.listens_for(pool, "checkin")
    def _on_checkin(_dbapi_connection, record) -> None:
        if record is not None:
            record.info[_RETURNED_AT] = time.monotonic()

    @event.listens_for(pool, "checkout")
    def _on_checkout(dbapi_connection, record, _proxy) -> None:
        returned_at = record.info.get(_RETURNED_AT)
        if returned_at is not None and time.monotonic() - returned_at < ALIVE_WITHOUT_PING_SECONDS:
            return
        try:
            dialect.do_ping(dbapi_connection)
        except dialect.loaded_dbapi.Error as error:
            if dialect.is_disconnect(error, dbapi_connection, None):
                raise DisconnectionError("a pooled connection failed its ping") from error  # the pool takes another
            raise


def _sqlite_engine(database_url: str, timeouts: Timeouts | None) -> AsyncEngine:
    in_memory = ":memory:" in database_url or database_url.rstrip("/").endswith("sqlite+aiosqlite:")
    busy_seconds = MAINTENANCE_SQLITE_BUSY_SECONDS if timeouts is None else timeouts.statement
    options: dict = {}
    if timeouts is not None and not in_memory:
        # Writers queue on SQLite's one lock, not on the pool: a request may wait for a connection as long
        # as for the lock.
        options["pool_timeout"] = timeouts.pool + timeouts.statement
    engine = create_async_engine(
        database_url,
        module=OneTripDBAPI(),
        connect_args={"timeout": busy_seconds},
        poolclass=StaticPool if in_memory else None,
        **options,
    )
    _configure_sqlite(engine.sync_engine, busy_ms=int(busy_seconds * 1000))
    return engine


def _close_broken_connections(engine: AsyncEngine) -> None:
    @event.listens_for(engine.sync_engine, "handle_error")
    def _on_error(context) -> None:
        # A statement that timed out may still be running, and a reset socket is dead: rolling such a
        # connection back would wait as long again, and reusing it would fail the next request too.
        if drops_connection(context.original_exception):
            context.is_disconnect = True

    @event.listens_for(engine.sync_engine, "invalidate")
    def _on_invalidate(dbapi_connection, _record, exception) -> None:
        # SQLAlchemy next closes an invalidated connection politely, waiting up to 2 s for a server that
        # may be frozen; the request waiting for its 503 should not. Closing the socket first makes that
        # polite close return at once.
        driver = getattr(dbapi_connection, "driver_connection", None)
        if not isinstance(driver, asyncpg.Connection):
            return
        if isinstance(exception, asyncio.CancelledError):
            # A cancelled request (gateway.request_budget, /readyz's bound): terminating drops the cancel request
            # asyncpg was about to send, so ask PostgreSQL from another connection to stop the statement.
            _cancel_on_server(engine, driver.get_server_pid())
        driver.terminate()


_cancellations: set[asyncio.Task] = set()
"""Server-side cancels in flight: held so that the event loop does not collect them unfinished."""


def _cancel_on_server(engine: AsyncEngine, backend_pid: int) -> None:
    async def cancel() -> None:
        try:
            async with asyncio.timeout(CANCEL_SECONDS), engine.connect() as conn:
                await conn.execute(text("SELECT pg_cancel_backend(:pid)"), {"pid": backend_pid})
        except Exception as exc:  # noqa: BLE001 - best effort: a database that is away runs nothing for long
            log.info("could not cancel backend %s's statement: %s", backend_pid, type(exc).__name__)

    try:
        loop = asyncio.get_running_loop()
    except RuntimeError:  # invalidated outside the event loop (at shutdown): nothing is left waiting on it
        return
    task = loop.create_task(cancel())
    _cancellations.add(task)
    task.add_done_callback(_cancellations.discard)


def _configure_sqlite(sync_engine: Engine, *, busy_ms: int) -> None:
    @event.listens_for(sync_engine, "connect")
    def _on_connect(dbapi_connection, _record) -> None:
        # pysqlite's own transaction handling defers BEGIN and breaks SAVEPOINT/locking;
        # SQLAlchemy's documented recipe: let SQLAlchemy emit BEGIN itself.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute(f"PRAGMA busy_timeout={busy_ms}")
        cursor.close()

    @event.listens_for(sync_engine, "begin")
    def _on_begin(connection) -> None:
        # IMMEDIATE takes the write lock up front, so two writers serialise instead of deadlocking.
        options = connection.get_execution_options()
        if not options.get(SQLITE_READS) and options.get("isolation_level") != "AUTOCOMMIT":
            connection.exec_driver_sql("BEGIN IMMEDIATE")


_engine: AsyncEngine | None = None


def get_engine() -> AsyncEngine:
    global _engine
    if _engine is None:
        settings = get_settings()
        _engine = build_engine(settings.database_url, timeouts=Timeouts.from_settings(settings))
    return _engine


def set_engine(engine: AsyncEngine | None) -> None:
    """Swap the process engine (tests point it at their own database)."""
    global _engine
    _engine = engine


SQLITE_READS = "gateway_sqlite_reads"
"""The execution option of a read connection on SQLite: no BEGIN is emitted, so each statement runs on its own.

SQLite connections are in the driver's autocommit mode from the start (``_configure_sqlite``), so this is all
AUTOCOMMIT would do there; SQLAlchemy's AUTOCOMMIT isolation level instead switches the driver's mode on
checkout and back on checkin with a PRAGMA: six trips to aiosqlite's thread per read connection."""


_READER = "_gateway_reader"
"""Where an engine keeps its view with the read options set (on the engine itself, so the view goes with it):
its connections start with the options, set in the same step as the checkout instead of by a second call."""


def read_connection(engine: AsyncEngine | None = None) -> AsyncConnection:
    """A connection for reads, used as ``async with read_connection() as conn``: no transaction (PostgreSQL's
    AUTOCOMMIT, SQLite's ``SQLITE_READS``), so each statement commits as it runs."""
    engine = engine or get_engine()
    reader = engine.sync_engine.__dict__.get(_READER)
    if reader is None:
        options = {SQLITE_READS: True} if engine.dialect.name == "sqlite" else {"isolation_level": "AUTOCOMMIT"}
        reader = engine.execution_options(**options)
        setattr(engine.sync_engine, _READER, reader)
    return reader.connect()


@asynccontextmanager
async def write_transaction(engine: AsyncEngine | None = None) -> AsyncIterator[AsyncConnection]:
    """One action, one transaction: committed when the block ends, rolled back on any exception."""
    engine = engine or get_engine()
    async with engine.begin() as conn:
        yield conn
