"""What every resolver can reach: the caller, the request's read connection, and its DataLoaders."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from aiodataloader import DataLoader
from sqlalchemy.ext.asyncio import AsyncConnection
from strawberry.types import Info as StrawberryInfo

from gateway.domain.callers import Caller
from gateway.graphql.loaders import Loaders


@dataclass(slots=True)
class Context:
    caller: Caller
    conn: AsyncConnection
    request_id: str
    loaders: Loaders = field(init=False)
    loaded: dict[DataLoader, dict[Any, Any]] = field(init=False, default_factory=dict)
    """Values the request's DataLoaders already returned, per loader and key, filled by looking ahead
    (gateway.graphql.look_ahead) so relation resolvers answer without a future; only these loaders fill it."""

    def __post_init__(self) -> None:
        # Built per request: a DataLoader's cache must never outlive the request (or leak across callers).
        self.loaders = Loaders(self.conn, self.caller)

    def forget_loaded(self) -> None:
        """Drop every row the request has loaded so far: after a write, later fields read what it changed; and
        as the request ends (gateway.graphql.endpoint), so the rows go with it. graphql-core's execution context
        refers to itself and to this context: rows still held here (a sync page's 50,000 objects) would wait for
        a full collection, walked by every collection until then (a fifth of a page's CPU on SQLite)."""
        self.loaders = Loaders(self.conn, self.caller)
        self.loaded.clear()


Info = StrawberryInfo[Context, None]
