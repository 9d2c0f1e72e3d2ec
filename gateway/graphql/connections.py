"""Relay connections over domain lists: ``first``/``after``, edges with opaque keyset cursors, ``totalCount``."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence
from enum import Enum
from typing import Any, Generic, Protocol, TypeVar

import strawberry
from sqlalchemy import ColumnElement

from gateway.domain.errors import BadRequest
from gateway.domain.paging import (
    DEFAULT_PAGE_SIZE,
    KeysetPage,
    SortKey,
    clamp_page_size,
    decode_cursor,
    encode_cursor,
    sort_values,
)
from gateway.graphql.relations import PAGE, list_bound

Node = TypeVar("Node")


@strawberry.type(description="Where a page sits in its list.")
class PageInfo:
    has_next_page: bool = strawberry.field(description="More rows follow this page.")
    has_previous_page: bool = strawberry.field(
        description="Rows precede this page (the request had an `after` cursor)."
    )
    start_cursor: str | None = strawberry.field(description="Cursor of the first row of this page.")
    end_cursor: str | None = strawberry.field(
        description="Cursor of the last row of this page: pass it as `after` for the next page."
    )


@strawberry.type(description="A row of a list and its cursor.")
class Edge(Generic[Node]):
    cursor: str = strawberry.field(description="Opaque position of this row; pass as `after` to continue after it.")
    node: Node = strawberry.field(description="The row.")


class _LazyEdge:
    """What ``Edge`` reads, with the cursor encoded only when read: a sync page selects its nodes and rarely each
    edge's cursor, and encoding 1,000 cursors cost a page about 6 ms (Strawberry and the compiled projection
    read fields by attribute, so the type's resolver-less fields are met by any object that has them)."""

    __slots__ = ("_position", "node")

    def __init__(self, node: Any, position: tuple) -> None:
        self.node = node
        self._position = position

    @property
    def cursor(self) -> str:
        return encode_cursor(self._position)


@strawberry.type(description="A page of a list.")
class Connection(Generic[Node]):
    edges: list[Edge[Node]] = strawberry.field(
        description="The rows of this page, in order.", metadata=list_bound(PAGE)
    )
    page_info: PageInfo = strawberry.field(description="Paging information.")
    _count: strawberry.Private[Callable[[], Awaitable[int]]]

    @strawberry.field(description="Number of rows in the whole list with these filters (all pages).")
    async def total_count(self) -> int:
        return await self._count()


def order_enum(name: str, sortable: Mapping[str, ColumnElement], description: str) -> type[Enum]:
    """``<KEY>_ASC``/``<KEY>_DESC`` members for each sortable key of a resource."""
    members: dict[str, SortKey] = {}
    for key in sortable:
        members[f"{key.upper()}_ASC"] = SortKey(key, descending=False)
        members[f"{key.upper()}_DESC"] = SortKey(key, descending=True)
    # The functional Enum API makes a class mypy cannot follow; Strawberry takes it like any Enum subclass.
    enum: type[Enum] = Enum(name, members)  # type: ignore[misc]  # a name and members, made at import time
    return strawberry.enum(enum, description=description)


async def paginate(
    fetch: Callable[[KeysetPage], Awaitable[Sequence[Any]]],
    count: Callable[[], Awaitable[int]],
    *,
    first: int | None,
    after: str | None,
    order: Sequence[SortKey],
    sortable: Mapping[str, ColumnElement],
) -> Connection[Any]:
    if first is not None and first < 0:
        raise BadRequest("Bad parameter", "'first' must be zero or a positive number")
    size = clamp_page_size(DEFAULT_PAGE_SIZE if first is None else first)
    after_values = decode_cursor(after, sortable, order) if after else None
    rows = await fetch(KeysetPage(size=size, after=after_values))
    has_next = len(rows) > size
    rows = rows[:size]
    edges = [_LazyEdge(row, sort_values(row, order)) for row in rows]
    page_info = PageInfo(
        has_next_page=has_next,
        has_previous_page=after is not None,
        start_cursor=edges[0].cursor if edges else None,
        end_cursor=edges[-1].cursor if edges else None,
    )
    return Connection(edges=edges, page_info=page_info, _count=count)  # type: ignore[arg-type]  # _LazyEdge: an Edge's fields


class ListQuery(Protocol):
    """A domain list function: ``list_x(conn, caller, *, filters, order, page)``."""

    def __call__(
        self, conn: Any, caller: Any, *, filters: Any, order: Sequence[SortKey], page: KeysetPage
    ) -> Awaitable[Sequence[Any]]: ...


class CountQuery(Protocol):
    """A domain count function: ``count_x(conn, caller, *, filters)``."""

    def __call__(self, conn: Any, caller: Any, *, filters: Any) -> Awaitable[int]: ...


async def connection_of(
    context: Any,
    rows: ListQuery,
    count: CountQuery,
    filters: Any,
    *,
    order_by: Enum,
    first: int | None,
    after: str | None,
    sortable: Mapping[str, ColumnElement],
) -> Connection[Any]:
    """A root list field's page: the domain's list and count functions, called as the request's caller."""
    order = [order_by.value]
    return await paginate(
        lambda page: rows(context.conn, context.caller, filters=filters, order=order, page=page),
        lambda: count(context.conn, context.caller, filters=filters),
        first=first,
        after=after,
        order=order,
        sortable=sortable,
    )
