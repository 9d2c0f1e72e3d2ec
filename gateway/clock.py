"""The one clock every rule reads "now" from.

Sandbox requests may travel in time (``X-With-Server-Date``); the request edge
sets the moment for the duration of the request through a context variable,
so rules deep in the domain never take "now" as a parameter they could forget.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, date, datetime

_frozen_at: ContextVar[datetime | None] = ContextVar("frozen_at", default=None)


def now() -> datetime:
    return _frozen_at.get() or datetime.now(UTC)


def today() -> date:
    return now().date()


@contextmanager
def travel_to(moment: datetime) -> Iterator[None]:
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    token = _frozen_at.set(moment.astimezone(UTC))
    try:
        yield
    finally:
        _frozen_at.reset(token)
