"""Whole lists read a keyset page at a time, so an export holds one page in memory however long the list is."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from typing import Any, TypeVar

from gateway.domain.paging import KeysetPage

Row = TypeVar("Row")

BATCH_SIZE = 1000


async def each_row(
    fetch: Callable[[KeysetPage], Awaitable[Sequence[Row]]],
    position: Callable[[Row], tuple[Any, ...]],
    *,
    batch_size: int | None = None,
) -> AsyncIterator[Row]:
    """Every row ``fetch`` pages through, in its order. ``fetch`` answers one row more than the page's size when there
    are more (the lists' keyset pages do); ``position`` is where a row stands in that order (the next page's ``after``)."""
    batch_size = BATCH_SIZE if batch_size is None else batch_size  # read now, so a test can make pages small
    after = None
    while True:
        rows = await fetch(KeysetPage(size=batch_size, after=after))
        for row in rows[:batch_size]:
            yield row
        if len(rows) <= batch_size:
            return
        after = position(rows[batch_size - 1])
