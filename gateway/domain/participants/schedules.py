"""Schedules and their milestones: public reference data of each cohort (domain.md sections 1 and 8), not scoped."""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncConnection

from gateway.db.tables import Cohort, Milestone, Schedule, table_of
from gateway.domain.callers import Caller
from gateway.domain.keys import chunked, key_in
from gateway.vocabulary import DeclarationType, ScheduleIdentifier

_schedules = table_of(Schedule)
_milestones = table_of(Milestone)
_cohorts = table_of(Cohort)

_DECLARATION_ORDER = list(DeclarationType)


@dataclass(frozen=True, slots=True)
class ScheduleRow:
    id: uuid.UUID
    cohort_id: uuid.UUID
    cohort_year: int
    identifier: ScheduleIdentifier
    name: str
    created_at: datetime
    updated_at: datetime

    @property
    def cohort(self) -> str:
        return str(self.cohort_year)


@dataclass(frozen=True, slots=True)
class MilestoneRow:
    id: uuid.UUID
    schedule_id: uuid.UUID
    declaration_type: DeclarationType
    start_date: date
    milestone_date: date | None
    """``None``: no upper bound."""
    created_at: datetime
    updated_at: datetime


_SCHEDULE_COLUMNS = (
    _schedules.c.id,
    _schedules.c.cohort_id,
    _cohorts.c.year,
    _schedules.c.identifier,
    _schedules.c.name,
    _schedules.c.created_at,
    _schedules.c.updated_at,
)


def _schedule(row) -> ScheduleRow:
    return ScheduleRow(
        row.id, row.cohort_id, row.year, ScheduleIdentifier(row.identifier), row.name, row.created_at, row.updated_at
    )


def _with_cohort():
    return select(*_SCHEDULE_COLUMNS).join(_cohorts, _cohorts.c.id == _schedules.c.cohort_id)


async def schedules_by_id(
    conn: AsyncConnection, _caller: Caller, ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, ScheduleRow]:
    found: dict[uuid.UUID, ScheduleRow] = {}
    for chunk in chunked(ids):
        for row in await conn.execute(_with_cohort().where(key_in(conn, _schedules.c.id, chunk))):
            found[row.id] = _schedule(row)
    return found


async def find_schedule(conn: AsyncConnection, *, cohort_id: uuid.UUID, identifier: str) -> ScheduleRow | None:
    """The schedule with this identifier in this cohort, if there is one."""
    if "\x00" in identifier:  # no identifier holds a NUL, and PostgreSQL refuses one in a text parameter
        return None
    stmt = _with_cohort().where(_schedules.c.cohort_id == cohort_id, _schedules.c.identifier == identifier)
    row = (await conn.execute(stmt)).first()
    return None if row is None else _schedule(row)


async def milestones_by_schedule(
    conn: AsyncConnection, _caller: Caller, schedule_ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, list[MilestoneRow]]:
    """Each schedule's milestones in declaration order (started, retained-1..4, completed, extended-1..3)."""
    found: dict[uuid.UUID, list[MilestoneRow]] = defaultdict(list)
    columns = [_milestones.c[name] for name in MilestoneRow.__dataclass_fields__]
    for chunk in chunked(schedule_ids):
        for row in await conn.execute(select(*columns).where(key_in(conn, _milestones.c.schedule_id, chunk))):
            found[row.schedule_id].append(
                MilestoneRow(row.id, row.schedule_id, DeclarationType(row.declaration_type), *row[3:])
            )
    for milestones in found.values():
        milestones.sort(key=lambda m: _DECLARATION_ORDER.index(m.declaration_type))
    return found
