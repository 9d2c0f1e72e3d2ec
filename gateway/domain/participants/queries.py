"""Participants a caller may see, with their enrolments and participant id changes (domain.md section 5).

Visible: participants with at least one training period under one of the
caller's partnerships; they stay visible after leaving. An expression of
interest alone does not make a participant visible. Analysts see participants
with a period under any provider's partnership (or under the one they name).

``updated_at`` is the latest change to the participant, its training records or
its training periods (gateway.domain.participants.changes keeps it).
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import TypeVar

from sqlalchemy import ColumnElement, Select, select
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql import Subquery
from sqlalchemy.sql.functions import FunctionElement

from gateway.db.tables import (
    Cohort,
    LeadProviderParticipant,
    Participant,
    ParticipantIdChange,
    Partnership,
    TrainingPeriod,
    TrainingRecord,
    table_of,
)
from gateway.db.types import UTCDateTime
from gateway.domain.callers import Caller
from gateway.domain.errors import one_found
from gateway.domain.keys import chunked, key_in
from gateway.domain.paging import Page, SortKey, columns_of, count_rows, windowed
from gateway.domain.participants.enrolments import (
    PARTICIPANT_COLUMNS,
    EnrolmentRow,
    by_participant,
    enrolled_rows,
    enrolments_by_participant,
    latest_periods,
    provider_scope,
    training_status_sql,
)
from gateway.vocabulary import TrainingStatus

_participants = table_of(Participant)
_id_changes = table_of(ParticipantIdChange)
_records = table_of(TrainingRecord)
_periods = table_of(TrainingPeriod)
_partnerships = table_of(Partnership)
_cohorts = table_of(Cohort)
_lead_provider_participants = table_of(LeadProviderParticipant)

Key = TypeVar("Key")

# Published sort keys of every participant-keyed list (participants, transfers, unfunded mentors); each sorts the same
# names on its scoped subquery (``columns_of``).
SORTABLE: dict[str, ColumnElement] = {
    "created_at": _participants.c.created_at,
    "updated_at": _participants.c.updated_at,
}
DEFAULT_ORDER = (SortKey("created_at"),)


class latest_of(FunctionElement):
    """The latest of several timestamps: ``greatest`` on PostgreSQL, the many-argument ``max`` on SQLite."""

    type = UTCDateTime()
    name = "latest_of"
    inherit_cache = True


@compiles(latest_of)
def _latest_of(element, compiler, **kw) -> str:
    return f"greatest({compiler.process(element.clauses, **kw)})"


@compiles(latest_of, "sqlite")
def _latest_of_on_sqlite(element, compiler, **kw) -> str:
    return f"max({compiler.process(element.clauses, **kw)})"


@dataclass(frozen=True, slots=True)
class ParticipantFilters:
    cohort_years: Sequence[int] | None = None
    """Participants with an enrolment in one of these cohorts."""
    training_statuses: Sequence[str] | None = None
    """Participants with an enrolment in one of these training statuses; values that are not statuses match nothing."""
    from_participant_ids: Sequence[uuid.UUID] | None = None
    """Participants that DfE merged one of these ids into."""
    updated_since: datetime | None = None
    lead_provider_id: uuid.UUID | None = None
    """Only for callers who read every provider's data (analysts): see the participants as this provider does."""


@dataclass(frozen=True, slots=True)
class ParticipantIdChangeRow:
    from_participant_id: uuid.UUID
    to_participant_id: uuid.UUID
    changed_at: datetime


@dataclass(slots=True)
class ParticipantRow:
    id: uuid.UUID
    full_name: str
    teacher_reference_number: str | None
    created_at: datetime
    updated_at: datetime
    enrolments: list[EnrolmentRow] = field(default_factory=list)
    participant_id_changes: list[ParticipantIdChangeRow] = field(default_factory=list)


_PARTICIPANT_COLUMNS = (
    _participants.c.id,
    _participants.c.full_name,
    _participants.c.teacher_reference_number,
    _participants.c.created_at,
    _participants.c.updated_at,
)


def visible_participant_ids(caller: Caller, lead_provider_id: uuid.UUID | None = None) -> Select:
    return (
        select(_records.c.participant_id)
        .join(_periods, _periods.c.training_record_id == _records.c.id)
        .join(_partnerships, _partnerships.c.id == _periods.c.partnership_id)
        .where(provider_scope(caller, lead_provider_id))
    )


def _visible_to(caller: Caller, filters: ParticipantFilters) -> Subquery:
    provider = caller.provider_seen_as(filters.lead_provider_id)
    if provider is None:  # an analyst reading every provider's participants: most of them are visible
        stmt = select(*_PARTICIPANT_COLUMNS).where(
            _participants.c.id.in_(visible_participant_ids(caller, filters.lead_provider_id))
        )
    else:
        # One provider's: its rows of lead_provider_participants (the same set as visible_participant_ids),
        # whose id and created_at the list orders by, so a page walks that index and reads only what it returns.
        stmt = (
            select(
                _lead_provider_participants.c.participant_id.label("id"),
                _participants.c.full_name,
                _participants.c.teacher_reference_number,
                _lead_provider_participants.c.participant_created_at.label("created_at"),
                _participants.c.updated_at,
            )
            .select_from(
                _lead_provider_participants.join(
                    _participants, _participants.c.id == _lead_provider_participants.c.participant_id
                )
            )
            .where(_lead_provider_participants.c.lead_provider_id == provider)
        )
    stmt = _where_enrolment(stmt, caller, filters)
    stmt = _where_from_participant_ids(stmt, filters.from_participant_ids)
    return stmt.subquery("visible_participants")


def _where_enrolment(stmt: Select, caller: Caller, filters: ParticipantFilters) -> Select:
    """Cohort and training status are facts of one enrolment: both filters must hold for the same one."""
    if filters.cohort_years is None and filters.training_statuses is None:
        return stmt
    latest = latest_periods(caller, filters.lead_provider_id)
    enrolled = select(latest.c.participant_id).where(latest.c.rank == 1)
    if filters.cohort_years is not None:
        enrolled = enrolled.join(_cohorts, _cohorts.c.id == latest.c.cohort_id).where(
            _cohorts.c.year.in_(filters.cohort_years)
        )
    if filters.training_statuses is not None:
        statuses = [s for s in filters.training_statuses if s in TrainingStatus._value2member_map_]
        enrolled = enrolled.where(training_status_sql(latest.c.withdrawn_at, latest.c.deferred_at).in_(statuses))
    return stmt.where(_participants.c.id.in_(enrolled))


def _where_from_participant_ids(stmt: Select, ids: Sequence[uuid.UUID] | None) -> Select:
    if ids is None:
        return stmt
    merged_into = select(_id_changes.c.to_participant_id).where(_id_changes.c.from_participant_id.in_(list(ids)))
    return stmt.where(_participants.c.id.in_(merged_into))


def updated_since(visible: Subquery, moment: datetime | None) -> Select:
    """The rows of a participant-keyed list (one with the participant's ``updated_at``) changed since ``moment``."""
    stmt = select(visible)
    return stmt if moment is None else stmt.where(visible.c.updated_at >= moment)


def _listed(caller: Caller, filters: ParticipantFilters) -> tuple[Select, Subquery]:
    visible = _visible_to(caller, filters)
    return updated_since(visible, filters.updated_since), visible


async def list_participants(
    conn: AsyncConnection,
    caller: Caller,
    *,
    filters: ParticipantFilters,
    order: Sequence[SortKey] = DEFAULT_ORDER,
    page: Page,
    with_id_changes: bool = True,
) -> list[ParticipantRow]:
    stmt, visible = _listed(caller, filters)
    rows = (await conn.execute(windowed(stmt, columns_of(visible, SORTABLE), visible.c.id, order, page))).all()
    return await _complete(conn, caller, rows, filters.lead_provider_id, with_id_changes)


async def count_participants(conn: AsyncConnection, caller: Caller, *, filters: ParticipantFilters) -> int:
    stmt, _ = _listed(caller, filters)
    return await count_rows(conn, stmt)


async def get_participant(
    conn: AsyncConnection,
    caller: Caller,
    participant_id: uuid.UUID,
    *,
    lead_provider_id: uuid.UUID | None = None,
    with_id_changes: bool = True,
) -> ParticipantRow:
    found = await participants_by_id(
        conn, caller, [participant_id], lead_provider_id=lead_provider_id, with_id_changes=with_id_changes
    )
    return one_found(found, participant_id)


async def participants_by_id(
    conn: AsyncConnection,
    caller: Caller,
    ids: Sequence[uuid.UUID],
    *,
    lead_provider_id: uuid.UUID | None = None,
    with_id_changes: bool = True,
) -> dict[uuid.UUID, ParticipantRow]:
    """Visible participants by id; others are absent, exactly like missing ones. ``with_id_changes=False``
    leaves ``participant_id_changes`` empty, for a caller that loads them only when asked for (GraphQL).

    One statement: the participants' enrolments with the participant's own columns, since a participant is
    visible exactly when it has an enrolment (both are a training period under the caller's partnerships)."""
    rows = await enrolled_rows(conn, caller, ids, lead_provider_id=lead_provider_id)
    enrolments = by_participant(enrolment for enrolment, _ in rows)
    found: dict[uuid.UUID, ParticipantRow] = {}
    for enrolment, row in rows:
        if enrolment.participant_id not in found:
            full_name, trn, created_at, updated_at = row[-len(PARTICIPANT_COLUMNS) :]
            pid = enrolment.participant_id
            found[pid] = ParticipantRow(pid, full_name, trn, created_at, updated_at, enrolments[pid])
    if with_id_changes:
        await _attach_id_changes(conn, list(found.values()))
    return found


async def participants_by_partnership(
    conn: AsyncConnection, caller: Caller, partnership_ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, list[ParticipantRow]]:
    """Participants with a training period on each partnership, among those visible to the caller; oldest first."""
    pairs: list[tuple[uuid.UUID, uuid.UUID]] = []
    for chunk in chunked(partnership_ids):
        stmt = (
            select(_periods.c.partnership_id, _records.c.participant_id)
            .join(_records, _records.c.id == _periods.c.training_record_id)
            .where(key_in(conn, _periods.c.partnership_id, chunk))
            .distinct()
        )
        pairs.extend((await conn.execute(stmt)).all())
    return await participants_grouped(conn, caller, pairs)


async def participants_grouped(
    conn: AsyncConnection, caller: Caller, pairs: Sequence[tuple[Key, uuid.UUID]]
) -> dict[Key, list[ParticipantRow]]:
    """The participants of (key, participant id) pairs grouped by key, oldest first; those the caller cannot see are left out.
    One batch of lookups whatever the number of keys. For GraphQL relations, which read the participants' id
    changes by a relation of their own when selected: ``participant_id_changes`` is left empty."""
    ids = [participant_id for _, participant_id in pairs]
    participants = await participants_by_id(conn, caller, ids, with_id_changes=False)
    found: dict[Key, list[ParticipantRow]] = defaultdict(list)
    for key, participant_id in pairs:
        if participant_id in participants:
            found[key].append(participants[participant_id])
    for rows in found.values():
        rows.sort(key=lambda p: (p.created_at, p.id))
    return found


async def participant_id_changes_by_participant(
    conn: AsyncConnection, participant_ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, list[ParticipantIdChangeRow]]:
    """The identities DfE merged into each participant, oldest change first (callers pass only visible ids)."""
    found: dict[uuid.UUID, list[ParticipantIdChangeRow]] = defaultdict(list)
    columns = (_id_changes.c.from_participant_id, _id_changes.c.to_participant_id, _id_changes.c.changed_at)
    for chunk in chunked(participant_ids):
        stmt = (
            select(*columns)
            .where(key_in(conn, _id_changes.c.to_participant_id, chunk))
            .order_by(_id_changes.c.changed_at, _id_changes.c.id)
        )
        for row in await conn.execute(stmt):
            found[row.to_participant_id].append(ParticipantIdChangeRow(*row))
    return found


async def _complete(
    conn: AsyncConnection, caller: Caller, rows, lead_provider_id: uuid.UUID | None, with_id_changes: bool = True
) -> list[ParticipantRow]:
    participants = [
        ParticipantRow(r.id, r.full_name, r.teacher_reference_number, r.created_at, r.updated_at) for r in rows
    ]
    ids = [p.id for p in participants]
    enrolments = await enrolments_by_participant(conn, caller, ids, lead_provider_id=lead_provider_id)
    for participant in participants:
        participant.enrolments = enrolments.get(participant.id, [])
    if with_id_changes:
        await _attach_id_changes(conn, participants)
    return participants


async def _attach_id_changes(conn: AsyncConnection, participants: Sequence[ParticipantRow]) -> None:
    id_changes = await participant_id_changes_by_participant(conn, [p.id for p in participants])
    for participant in participants:
        participant.participant_id_changes = id_changes.get(participant.id, [])
