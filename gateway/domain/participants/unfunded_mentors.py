"""Unfunded mentors: mentors of a provider's ECTs who do not train with that provider (domain.md section 5).

A mentor (the ``mentor_id`` of an ECT's training period under one of the
caller's partnerships) is unfunded for the caller when no training period of
their own is under a partnership of the same provider. Analysts see the
mentors unfunded for any provider (or for the one they name).

The email is the one on the mentor's latest training period that has one,
whichever provider that period is with: it is how the provider contacts them.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Select, exists, select
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlalchemy.sql import Subquery

from gateway.db.tables import Participant, Partnership, TrainingPeriod, TrainingRecord, table_of
from gateway.domain.callers import Caller
from gateway.domain.errors import one_found
from gateway.domain.keys import chunked, key_in
from gateway.domain.paging import Page, SortKey, columns_of, count_rows, windowed
from gateway.domain.participants.enrolments import provider_scope
from gateway.domain.participants.queries import (
    DEFAULT_ORDER,
    SORTABLE,
    ParticipantRow,
    participants_grouped,
    updated_since,
)

_periods = table_of(TrainingPeriod)
_records = table_of(TrainingRecord)
_partnerships = table_of(Partnership)
_participants = table_of(Participant)


@dataclass(frozen=True, slots=True)
class UnfundedMentorFilters:
    updated_since: datetime | None = None
    lead_provider_id: uuid.UUID | None = None
    """Only for callers who read every provider's data (analysts): the mentors unfunded for this provider."""


@dataclass(slots=True)
class UnfundedMentorRow:
    id: uuid.UUID
    full_name: str
    email: str | None
    teacher_reference_number: str | None
    created_at: datetime
    updated_at: datetime


def _mentoring_periods(caller: Caller, lead_provider_id: uuid.UUID | None) -> Select:
    """(mentor_id, mentee participant id) of the caller's ECT periods whose mentor has no period with that provider."""
    own_periods = _periods.alias("mentor_periods")
    own_records = _records.alias("mentor_records")
    own_partnerships = _partnerships.alias("mentor_partnerships")
    trains_with_same_provider = exists(
        select(own_periods.c.id)
        .join(own_records, own_records.c.id == own_periods.c.training_record_id)
        .join(own_partnerships, own_partnerships.c.id == own_periods.c.partnership_id)
        .where(
            own_records.c.participant_id == _periods.c.mentor_id,
            own_partnerships.c.lead_provider_id == _partnerships.c.lead_provider_id,
        )
    )
    return (
        select(_periods.c.mentor_id, _records.c.participant_id.label("mentee_id"))
        .join(_partnerships, _partnerships.c.id == _periods.c.partnership_id)
        .join(_records, _records.c.id == _periods.c.training_record_id)
        .where(_periods.c.mentor_id.is_not(None), provider_scope(caller, lead_provider_id), ~trains_with_same_provider)
    )


def _latest_email(participant_id: ColumnElement) -> ColumnElement:
    return (
        select(_periods.c.email)
        .join(_records, _records.c.id == _periods.c.training_record_id)
        .where(_records.c.participant_id == participant_id, _periods.c.email.is_not(None))
        .order_by(_periods.c.started_on.desc(), _periods.c.created_at.desc(), _periods.c.id.desc())
        .limit(1)
        .scalar_subquery()
    )


def _visible_to(caller: Caller, filters: UnfundedMentorFilters) -> tuple[Select, Subquery]:
    mentor_ids = (
        _mentoring_periods(caller, filters.lead_provider_id)
        .with_only_columns(_periods.c.mentor_id)
        .subquery("mentor_ids")
    )
    visible = (
        select(
            _participants.c.id,
            _participants.c.full_name,
            _latest_email(_participants.c.id).label("email"),
            _participants.c.teacher_reference_number,
            _participants.c.created_at,
            _participants.c.updated_at,
        )
        .where(_participants.c.id.in_(select(mentor_ids.c.mentor_id)))
        .subquery("unfunded_mentors")
    )
    return updated_since(visible, filters.updated_since), visible


async def list_unfunded_mentors(
    conn: AsyncConnection,
    caller: Caller,
    *,
    filters: UnfundedMentorFilters,
    order: Sequence[SortKey] = DEFAULT_ORDER,
    page: Page,
) -> list[UnfundedMentorRow]:
    stmt, visible = _visible_to(caller, filters)
    rows = (await conn.execute(windowed(stmt, columns_of(visible, SORTABLE), visible.c.id, order, page))).all()
    return [UnfundedMentorRow(*row) for row in rows]


async def count_unfunded_mentors(conn: AsyncConnection, caller: Caller, *, filters: UnfundedMentorFilters) -> int:
    stmt, _ = _visible_to(caller, filters)
    return await count_rows(conn, stmt)


async def get_unfunded_mentor(
    conn: AsyncConnection, caller: Caller, mentor_id: uuid.UUID, *, lead_provider_id: uuid.UUID | None = None
) -> UnfundedMentorRow:
    found = await unfunded_mentors_by_id(conn, caller, [mentor_id], lead_provider_id=lead_provider_id)
    return one_found(found, mentor_id)


async def unfunded_mentors_by_id(
    conn: AsyncConnection, caller: Caller, ids: Sequence[uuid.UUID], *, lead_provider_id: uuid.UUID | None = None
) -> dict[uuid.UUID, UnfundedMentorRow]:
    """Mentors unfunded for the caller, by id; any other id is absent."""
    stmt, visible = _visible_to(caller, UnfundedMentorFilters(lead_provider_id=lead_provider_id))
    rows: list[Any] = []
    for chunk in chunked(ids):
        rows.extend((await conn.execute(stmt.where(key_in(conn, visible.c.id, chunk)))).all())
    return {row.id: UnfundedMentorRow(*row) for row in rows}


async def mentees_by_mentor(
    conn: AsyncConnection, caller: Caller, mentor_ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, list[ParticipantRow]]:
    """The caller's visible ECTs each unfunded mentor mentors (in one of the caller's periods), oldest first."""
    pairs: list[tuple[uuid.UUID, uuid.UUID]] = []
    for chunk in chunked(mentor_ids):
        stmt = _mentoring_periods(caller, None).where(key_in(conn, _periods.c.mentor_id, chunk)).distinct()
        pairs.extend((await conn.execute(stmt)).all())
    return await participants_grouped(conn, caller, pairs)
