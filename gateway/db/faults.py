"""Which exceptions mean "the database is away", as opposed to a fault of the request or of the code.

The faces answer these with 503 and ``Retry-After`` (gateway/http_errors.py), and the engine drops the
connection they happened on (gateway/db/engine.py). A fault arrives in several disguises: raw from the
driver (asyncpg raises ``OSError`` and ``TimeoutError`` when connecting), wrapped by SQLAlchemy
(``DBAPIError.orig``, itself raised ``from`` asyncpg's exception), or from the pool (``TimeoutError`` when
no connection came free in time); so the whole chain of causes is read.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator

import asyncpg
from sqlalchemy import exc as sa_exc

UNAVAILABLE_SQLSTATE_CLASSES = ("08", "53", "57", "58")
"""Connection exception, insufficient resources (too many connections), operator intervention (shutdown,
cannot connect now, a statement cancelled by ``statement_timeout``), system error (I/O)."""

UNAVAILABLE_SQLITE_CODES = frozenset(
    {sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED, sqlite3.SQLITE_IOERR, sqlite3.SQLITE_CANTOPEN, sqlite3.SQLITE_FULL}
)
"""Locked past the busy timeout, or the file cannot be read or written: nothing the client did wrong."""

_MAX_CHAIN = 8
_BROKEN_INTERFACE = ("connection is closed", "another operation is in progress")


class DatabaseUnavailable(Exception):
    """Raised where a face has already turned a database fault into its own error (GraphQL) and must now
    answer the request 503 as a whole."""


def _cause(error: BaseException) -> BaseException | None:
    if error.__cause__ is not None:
        return error.__cause__
    return None if error.__suppress_context__ else error.__context__


def _chain(error: BaseException) -> Iterator[BaseException]:
    """The error, what SQLAlchemy wrapped (``orig``) and what each was raised from or while handling."""
    seen: set[int] = set()
    pending: list[BaseException] = [error]
    while pending and len(seen) < _MAX_CHAIN:
        current = pending.pop()
        if id(current) in seen:
            continue
        seen.add(id(current))
        yield current
        for following in (getattr(current, "orig", None), _cause(current)):
            if isinstance(following, BaseException):
                pending.append(following)


def _broken_connection(error: BaseException) -> bool:
    # OSError covers TimeoutError and ConnectionError (refused, reset): the socket, not the statement, failed.
    if isinstance(error, OSError | asyncpg.PostgresConnectionError):
        return True
    # asyncpg's InterfaceError also reports misuse (a wrong number of arguments): only these two are faults.
    return isinstance(error, asyncpg.InterfaceError) and any(text in str(error) for text in _BROKEN_INTERFACE)


def _is_fault(error: BaseException) -> bool:
    if isinstance(error, DatabaseUnavailable | sa_exc.TimeoutError) or _broken_connection(error):
        return True
    if isinstance(error, sa_exc.DBAPIError) and error.connection_invalidated:
        return True
    sqlstate = getattr(error, "sqlstate", None)
    if isinstance(sqlstate, str) and sqlstate[:2] in UNAVAILABLE_SQLSTATE_CLASSES:
        return True
    if isinstance(error, sqlite3.OperationalError):
        return getattr(error, "sqlite_errorcode", None) in UNAVAILABLE_SQLITE_CODES or "locked" in str(error)
    return False


def is_unavailable(error: BaseException) -> bool:
    """The database could not be reached, did not answer in time, or refused work for its own reasons."""
    return any(_is_fault(link) for link in _chain(error))


def drops_connection(error: BaseException) -> bool:
    """The connection the error happened on cannot be trusted again (it timed out mid-statement or broke):
    the pool must close it rather than roll it back and reuse it."""
    return any(_broken_connection(link) for link in _chain(error))


def fault_name(error: BaseException) -> str:
    """The error and its causes by type, outermost first (``sqlalchemy.exc.OperationalError < ConnectionRefusedError``):
    enough to tell a cut from a freeze in a log, without the statement or its parameters."""
    return " < ".join(_qualified(type(link)) for link in _chain(error))


def _qualified(kind: type) -> str:
    # Both the pool's and asyncio's timeouts are called TimeoutError: the module tells them apart.
    return kind.__qualname__ if kind.__module__ == "builtins" else f"{kind.__module__}.{kind.__qualname__}"
