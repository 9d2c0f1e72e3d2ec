"""Cohorts: the call-off contracts, one per academic year. Public reference data, not scoped."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncConnection

from gateway.db.tables import Cohort, table_of
from gateway.domain.callers import Caller
from gateway.domain.keys import chunked, key_in

_cohorts = table_of(Cohort)


@dataclass(frozen=True, slots=True)
class CohortRow:
    id: uuid.UUID
    year: int
    starts_on: date
    registration_open: bool
    payments_frozen_at: datetime | None
    mentor_funding: bool
    detailed_evidence_types: bool
    created_at: datetime
    updated_at: datetime


_COLUMNS = [_cohorts.c[name] for name in CohortRow.__dataclass_fields__]


def cohort_year(text: str | None) -> int | None:
    """The year a cohort value names (four digits), or None when it names none.

    ``isdecimal``, not ``isdigit``: ``int`` refuses the superscripts and other digits ``isdigit`` lets through.
    """
    return int(text) if text is not None and len(text) == 4 and text.isdecimal() else None


async def list_cohorts(conn: AsyncConnection, _caller: Caller) -> list[CohortRow]:
    return [CohortRow(*row) for row in await conn.execute(select(*_COLUMNS).order_by(_cohorts.c.year))]


async def cohorts_by_id(conn: AsyncConnection, _caller: Caller, ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, CohortRow]:
    found: dict[uuid.UUID, CohortRow] = {}
    for chunk in chunked(ids):
        for row in await conn.execute(select(*_COLUMNS).where(key_in(conn, _cohorts.c.id, chunk))):
            found[row.id] = CohortRow(*row)
    return found


async def cohorts_by_year(conn: AsyncConnection, _caller: Caller, years: Sequence[int]) -> dict[int, CohortRow]:
    found: dict[int, CohortRow] = {}
    for chunk in chunked(years):
        for row in await conn.execute(select(*_COLUMNS).where(_cohorts.c.year.in_(chunk))):
            found[row.year] = CohortRow(*row)
    return found
