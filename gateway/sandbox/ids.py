"""Deterministic ids and timestamps, so the same seed writes the same rows.

Named rows (cohorts, providers, schedules, statements, the documented cases)
take their id from their name: nothing else the seed does can move them. The
rest draws ids in sequence from a `random.Random` with a fixed seed; nothing
that depends on today may draw from it, or the ids would change from day to day.
"""

from __future__ import annotations

import random
import uuid
from datetime import UTC, date, datetime, timedelta


def stable_id(*parts: object) -> uuid.UUID:
    """The id a named sandbox row always has."""
    return new_id(random.Random(" / ".join(str(part) for part in parts)))


def new_id(rng: random.Random) -> uuid.UUID:
    return uuid.UUID(int=rng.getrandbits(128), version=4)


def at(day: date, hour: int = 9, *, seconds: int = 0) -> datetime:
    """A UTC moment on ``day``."""
    return datetime(day.year, day.month, day.day, hour, tzinfo=UTC) + timedelta(seconds=seconds)
