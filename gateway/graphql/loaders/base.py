"""The shape every loader shares: a domain lookup keyed by id (or foreign key), aligned with the keys."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Hashable, Sequence
from typing import Any, Generic, TypeVar

from aiodataloader import DataLoader
from sqlalchemy.ext.asyncio import AsyncConnection

from gateway.domain.callers import Caller

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")

Lookup = Callable[[AsyncConnection, Caller, Sequence[Any]], Awaitable[dict[Any, Any]]]


class LookupLoader(DataLoader, Generic[K, V]):
    """Loads through ``lookup`` (a domain function returning ``{key: value}``); absent keys get ``default``.

    One-to-many loaders use a lookup returning ``{key: [values]}`` and ``default=list``.
    """

    lookup: Lookup
    default: Callable[[], Any] = lambda: None

    def __init__(self, conn: AsyncConnection, caller: Caller) -> None:
        super().__init__()
        self.conn = conn
        self.caller = caller

    async def batch_load_fn(self, keys: Sequence[K]) -> list[V]:
        found = await type(self).lookup(self.conn, self.caller, keys)
        return [found[key] if key in found else type(self).default() for key in keys]
