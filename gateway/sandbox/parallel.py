"""Builds and encodes bulk units in a worker process while the seed writes the previous ones.

Building and encoding rows take about as long as writing them, so on two
cores a worker that works ahead roughly halves the wait. Small seeds build
in-process: starting a worker costs more than it saves.

The worker is spawned, so a script that seeds `PARALLEL_FROM_UNITS` units or
more needs the usual ``if __name__ == "__main__":`` guard (the CLI has it).
"""

from __future__ import annotations

import asyncio
import multiprocessing
from collections import deque
from collections.abc import AsyncIterator
from concurrent.futures import ProcessPoolExecutor
from datetime import datetime

from sqlalchemy.engine import Dialect

from gateway.sandbox.bulk import unit_batch
from gateway.sandbox.encoding import EncodedRows, RowEncoder, dialect_key, dialect_named
from gateway.sandbox.reference import Reference

PARALLEL_FROM_UNITS = 4
UNITS_IN_FLIGHT = 2

_worker_reference: Reference | None = None
_worker_encoders: dict[str, RowEncoder] = {}


def _build_in_worker(unit: int, now: datetime, dialect: str) -> EncodedRows:
    global _worker_reference
    if _worker_reference is None or _worker_reference.today != now.date():
        _worker_reference = Reference(now.date())
    if dialect not in _worker_encoders:
        _worker_encoders[dialect] = RowEncoder(dialect_named(dialect))
    return _worker_encoders[dialect].encode(unit_batch(_worker_reference, unit, now=now))


async def bulk_units(
    reference: Reference, scale: int, *, now: datetime, dialect: Dialect
) -> AsyncIterator[EncodedRows]:
    """The rows of units ``0 .. scale - 1`` in order, encoded for ``dialect``."""
    if scale < PARALLEL_FROM_UNITS:
        encoder = RowEncoder(dialect)
        for unit in range(scale):
            yield encoder.encode(unit_batch(reference, unit, now=now))
        return
    loop = asyncio.get_running_loop()
    # spawn, not fork: the parent runs an event loop and database threads that a fork would copy half-alive.
    with ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("spawn")) as pool:
        pending: deque[asyncio.Future] = deque()
        next_unit = 0
        while next_unit < scale or pending:
            while next_unit < scale and len(pending) < UNITS_IN_FLIGHT:
                pending.append(loop.run_in_executor(pool, _build_in_worker, next_unit, now, dialect_key(dialect)))
                next_unit += 1
            yield await pending.popleft()
