"""Ordering and windows over a scoped statement, shared by every list.

REST pages by number (``page[page]``/``page[per_page]``); GraphQL pages by
keyset cursor over (sort keys..., id), so paging through a changing table
neither skips nor repeats a row. Both always end the ordering with ``id`` as a
stable tiebreak.
"""

from __future__ import annotations

import base64
import binascii
import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

import orjson
from sqlalchemy import ColumnElement, Select, Subquery, and_, false, func, literal, or_, select, tuple_
from sqlalchemy.ext.asyncio import AsyncConnection

from gateway.domain.errors import BadRequest

MAX_PAGE_SIZE = 3000
DEFAULT_PAGE_SIZE = 100


@dataclass(frozen=True, slots=True)
class SortKey:
    name: str
    descending: bool = False


@dataclass(frozen=True, slots=True)
class OffsetPage:
    number: int = 1
    size: int = DEFAULT_PAGE_SIZE


@dataclass(frozen=True, slots=True)
class KeysetPage:
    """``after`` holds the sort values then the id of the last row already seen."""

    size: int = DEFAULT_PAGE_SIZE
    after: tuple[Any, ...] | None = None


Page = OffsetPage | KeysetPage


async def count_rows(conn: AsyncConnection, stmt: Select) -> int:
    """How many rows ``stmt`` selects over all its pages (a list's ``totalCount``)."""
    return (await conn.execute(select(func.count()).select_from(stmt.subquery()))).scalar_one()


def columns_of(visible: Subquery, names: Iterable[str]) -> dict[str, ColumnElement]:
    """The sortable keys of a list built over a subquery, as that subquery's columns."""
    return {name: visible.c[name] for name in names}


def clamp_page_size(size: int) -> int:
    return max(0, min(size, MAX_PAGE_SIZE))


def ordered(
    stmt: Select, sortable: Mapping[str, ColumnElement], id_column: ColumnElement, keys: Sequence[SortKey]
) -> Select:
    clauses = [sortable[k.name].desc() if k.descending else sortable[k.name].asc() for k in keys]
    return stmt.order_by(*clauses, id_column.asc())


def windowed(
    stmt: Select, sortable: Mapping[str, ColumnElement], id_column: ColumnElement, keys: Sequence[SortKey], page: Page
) -> Select:
    """Order ``stmt`` by ``keys`` then id, and cut the requested window out of it."""
    stmt = ordered(stmt, sortable, id_column, keys)
    if isinstance(page, OffsetPage):
        return stmt.offset((page.number - 1) * page.size).limit(page.size)
    if page.after is not None:
        stmt = stmt.where(_after(sortable, id_column, keys, page.after))
    # One extra row tells the connection whether there is a next page.
    return stmt.limit(page.size + 1)


def _after(
    sortable: Mapping[str, ColumnElement], id_column: ColumnElement, keys: Sequence[SortKey], after: tuple
) -> ColumnElement:
    """Rows strictly after ``after`` in (keys..., id) order.

    All ascending (every list's default order): one row-value comparison, ``(keys..., id) > (values...)``, which
    both databases serve from an index on those columns as a range. Otherwise the lexicographic OR-chain, which a
    planner can only filter by: each page of a long export then reads the rows of the pages before it again."""
    columns = [sortable[k.name] for k in keys] + [id_column]
    descending = [k.descending for k in keys] + [False]
    if len(after) != len(columns):
        return false()
    if not any(descending):
        return tuple_(*columns) > tuple_(
            *(literal(value, column.type) for column, value in zip(columns, after, strict=True))
        )
    conditions = []
    for i, (column, value) in enumerate(zip(columns, after, strict=True)):
        beyond = column < value if descending[i] else column > value
        equal_before = [columns[j] == after[j] for j in range(i)]
        conditions.append(and_(*equal_before, beyond))
    return or_(*conditions)


def sort_values(row: Any, keys: Sequence[SortKey]) -> tuple[Any, ...]:
    return (*(getattr(row, k.name) for k in keys), row.id)


def encode_cursor(values: tuple[Any, ...]) -> str:
    def plain(value: Any) -> Any:
        if isinstance(value, (datetime, date)):
            return value.isoformat()
        if isinstance(value, uuid.UUID):
            return str(value)
        return value

    return base64.urlsafe_b64encode(orjson.dumps([plain(v) for v in values])).decode()


def decode_cursor(cursor: str, sortable: Mapping[str, ColumnElement], keys: Sequence[SortKey]) -> tuple[Any, ...]:
    """The values an ``after`` cursor stands for, typed like the columns they compare with."""
    try:
        raw = orjson.loads(base64.urlsafe_b64decode(cursor.encode()))
        if not isinstance(raw, list) or len(raw) != len(keys) + 1:
            raise ValueError
        values = [_typed(sortable[k.name], v) for k, v in zip(keys, raw[:-1], strict=True)]
        return (*values, _uuid(raw[-1]))
    # OverflowError: a date-time whose offset puts it outside the years Python holds in UTC (ours are all UTC).
    except (ValueError, TypeError, KeyError, OverflowError, orjson.JSONDecodeError, binascii.Error) as exc:
        raise BadRequest("Bad parameter", "The 'after' cursor is not valid for this list and order") from exc


def _uuid(value: Any) -> uuid.UUID:
    if not isinstance(value, str):  # uuid.UUID(5) raises AttributeError, which is no client's fault to see as a 500
        raise TypeError(f"not an id: {value!r}")
    return uuid.UUID(value)


def _typed(column: ColumnElement, value: Any) -> Any:
    kind = column.type.python_type
    if value is None:  # no sortable column holds nulls: a null would compare as ``column > NULL`` (a 500)
        raise ValueError("a cursor value is null")
    if kind is datetime:
        moment = datetime.fromisoformat(value)
        # In UTC here, as the database layer would put it, so an instant it cannot hold is a bad cursor, not a 500.
        return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
    if kind is date:
        return date.fromisoformat(value)
    if kind is uuid.UUID:
        return _uuid(value)
    return kind(value)
