"""Registrations: one record per training record a caller trains (the unit of the Lead provider API v1 and v2 lists).

A registration is a participant's enrolment in one role (ECT or mentor) with
the caller, as ``enrolments`` defines it (the latest period of that role under
the caller's partnerships), together with the participant it belongs to. An ECT
who is also a mentor is two registrations with the same participant id and
distinct training record ids (release notes, 13th April 2023), so a list pages,
filters and orders registrations, not people.

Order: the participant's ``created_at``, then the participant, then the role
(ECT before mentor), so one person's registrations stay next to each other.
``updated_at`` is the latest change to the participant, the training record or
one of its periods. Every action that writes a record or a period also stamps
its participant (gateway.domain.participants.changes, for v3's participant
``updated_at``), so a change to one of a person's two registrations moves the
other as well: an ``updated_since`` sync then returns both, one more than
changed, never one fewer.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Awaitable, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Select, func, select, tuple_
from sqlalchemy.ext.asyncio import AsyncConnection

from gateway import clock
from gateway.db.tables import Cohort, Participant, TrainingPeriod, TrainingRecord, table_of
from gateway.domain.batches import each_row
from gateway.domain.callers import Caller
from gateway.domain.errors import NotFound
from gateway.domain.paging import KeysetPage, OffsetPage, Page, count_rows

# The enrolment statement and row builder are the enrolments module's own: a registration reads exactly what an
# enrolment reads (and how its statuses are derived), plus the participant and its own ``updated_at``.
from gateway.domain.participants.enrolments import EnrolmentRow, _enrolment, _enrolment_statement, latest_periods
from gateway.domain.participants.queries import latest_of
from gateway.vocabulary import ParticipantStatus, ParticipantType

_participants = table_of(Participant)
_records = table_of(TrainingRecord)
_periods = table_of(TrainingPeriod)
_cohorts = table_of(Cohort)


ENDED_BY_SCHOOL = (ParticipantStatus.LEFT, ParticipantStatus.WITHDRAWN)


@dataclass(frozen=True, slots=True)
class RegistrationFilters:
    cohort_years: Sequence[int] | None = None
    """Registrations whose enrolment is in one of these cohorts."""
    updated_since: datetime | None = None
    """Registrations changed at or after this moment (the participant, the training record or one of its periods)."""
    lead_provider_id: uuid.UUID | None = None
    """Only for callers who read every provider's data (analysts): see the registrations as this provider does."""


@dataclass(slots=True)
class RegistrationRow:
    participant_id: uuid.UUID
    full_name: str
    teacher_reference_number: str | None
    created_at: datetime
    """When the participant was created (the list's order)."""
    updated_at: datetime
    enrolment: EnrolmentRow

    @property
    def training_record_id(self) -> uuid.UUID:
        return self.enrolment.training_record_id

    @property
    def participant_type(self) -> ParticipantType:
        return self.enrolment.participant_type

    @property
    def is_current(self) -> bool:
        """The school has not ended the registration (the participant is active, joining or leaving, not yet
        left or withdrawn): the v1 and v2 ``status``."""
        return self.enrolment.participant_status not in ENDED_BY_SCHOOL

    @property
    def position(self) -> tuple[datetime, uuid.UUID, str]:
        """Where the row stands in the list's order (a keyset page's ``after``)."""
        return (self.created_at, self.participant_id, str(self.participant_type))


def registration_updated_at(participant_updated_at, record_id, record_updated_at):
    """The latest change to a participant, one of its training records or that record's periods."""
    last_period_change = (
        select(func.max(_periods.c.updated_at)).where(_periods.c.training_record_id == record_id).scalar_subquery()
    )
    return latest_of(participant_updated_at, record_updated_at, func.coalesce(last_period_change, record_updated_at))


class _Statement:
    """The registrations statement over a ``latest_periods`` subquery, and where its own columns start in a row."""

    def __init__(self, caller: Caller, lead_provider_id: uuid.UUID | None, participant_ids=None, *, dialect="") -> None:
        self.caller = caller
        self.latest = latest_periods(caller, lead_provider_id, participant_ids, dialect=dialect)
        enrolment = _enrolment_statement(self.latest)
        self.enrolment_width = len(enrolment.selected_columns)
        self.updated_at = registration_updated_at(_participants.c.updated_at, _records.c.id, _records.c.updated_at)
        self.order = (_participants.c.created_at, self.latest.c.participant_id, self.latest.c.participant_type)
        self.select: Select = enrolment.add_columns(
            _participants.c.full_name,
            _participants.c.teacher_reference_number,
            _participants.c.created_at.label("participant_created_at"),
            self.updated_at.label("registration_updated_at"),
        )

    def filtered(self, filters: RegistrationFilters) -> Select:
        stmt = self.select
        if filters.cohort_years is not None:
            stmt = stmt.where(_cohorts.c.year.in_(list(filters.cohort_years)))
        if filters.updated_since is not None:
            stmt = stmt.where(self.updated_at >= filters.updated_since)
        return stmt

    def rows(self, result) -> list[RegistrationRow]:
        today = clock.today()
        found = []
        for row in result:
            full_name, trn, created_at, updated_at = row[self.enrolment_width :]
            enrolment = _enrolment(row[: self.enrolment_width], today, self.caller)
            found.append(RegistrationRow(enrolment.participant_id, full_name, trn, created_at, updated_at, enrolment))
        return found


def _windowed(statement: _Statement, stmt: Select, page: Page) -> Select:
    stmt = stmt.order_by(*(column.asc() for column in statement.order))
    if isinstance(page, OffsetPage):
        return stmt.offset((page.number - 1) * page.size).limit(page.size)
    if page.after is not None:
        stmt = stmt.where(tuple_(*statement.order) > tuple_(*page.after))
    return stmt.limit(page.size + 1)


async def list_registrations(
    conn: AsyncConnection, caller: Caller, *, filters: RegistrationFilters, page: Page
) -> list[RegistrationRow]:
    """One page of the caller's registrations. A keyset page answers one row more than its size when there are more."""
    statement = _Statement(caller, filters.lead_provider_id)
    return statement.rows(await conn.execute(_windowed(statement, statement.filtered(filters), page)))


async def count_registrations(conn: AsyncConnection, caller: Caller, *, filters: RegistrationFilters) -> int:
    statement = _Statement(caller, filters.lead_provider_id)
    return await count_rows(conn, statement.filtered(filters))


def each_registration(
    conn: AsyncConnection, caller: Caller, *, filters: RegistrationFilters, batch_size: int | None = None
) -> AsyncIterator[RegistrationRow]:
    """Every registration of the list, in its order, a keyset page at a time (CSV exports): memory holds one page."""

    def fetch(page: KeysetPage) -> Awaitable[list[RegistrationRow]]:
        return list_registrations(conn, caller, filters=filters, page=page)

    return each_row(fetch, lambda row: row.position, batch_size=batch_size)


async def get_registration(
    conn: AsyncConnection,
    caller: Caller,
    participant_id: uuid.UUID,
    *,
    participant_type: ParticipantType | None = None,
    lead_provider_id: uuid.UUID | None = None,
) -> RegistrationRow:
    """The participant's registration in that role; without a role, its ECT one when it has both (ECF1's show).
    Raises ``NotFound`` when the caller trains the participant in no such role."""
    statement = _Statement(caller, lead_provider_id, [participant_id], dialect=conn.dialect.name)
    stmt = statement.select
    if participant_type is not None:
        stmt = stmt.where(statement.latest.c.participant_type == str(participant_type))
    rows = statement.rows(await conn.execute(stmt.order_by(statement.latest.c.participant_type.asc()).limit(1)))
    if not rows:
        raise NotFound()
    return rows[0]
