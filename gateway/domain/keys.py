"""Key lists for batched ``IN`` queries."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import TypeVar

from sqlalchemy import any_, bindparam
from sqlalchemy.dialects.postgresql import ARRAY

T = TypeVar("T")

# Well under SQLite's bound-parameter limit (32766) and PostgreSQL's (65535), with room for other parameters.
CHUNK_SIZE = 5000


def chunked(keys: Sequence[T], size: int = CHUNK_SIZE) -> Iterator[list[T]]:
    unique = list(dict.fromkeys(keys))
    for start in range(0, len(unique), size):
        yield unique[start : start + size]


def key_in(conn_or_dialect_name, column, keys: Sequence):
    """``column IN (...)`` on SQLite; ``column = ANY(:array)`` on PostgreSQL, one parameter however many keys
    (asyncpg then reuses one prepared statement for every batch size)."""
    name = conn_or_dialect_name if isinstance(conn_or_dialect_name, str) else conn_or_dialect_name.dialect.name
    if name == "postgresql":
        return column == any_(bindparam(None, list(keys), type_=ARRAY(column.type)))
    return column.in_(list(keys))


def key_param(dialect_name: str, column, name: str):
    """``key_in`` with a named parameter instead of the values, for a statement built once per shape and
    executed with new keys (``conn.execute(stmt, {name: keys})``)."""
    if dialect_name == "postgresql":
        return column == any_(bindparam(name, type_=ARRAY(column.type)))
    return column.in_(bindparam(name, expanding=True))
