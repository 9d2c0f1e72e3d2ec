"""Enrolments: what a participant's latest training period of one role says (domain.md section 5).

A participant has at most one enrolment per role (ECT, mentor) for a caller,
taken from the latest period of that role, by ``started_on``, under one of the
caller's partnerships. Analysts, who read every provider's data, see the latest
period of that role under any provider's partnership (or under the provider
they name).

Two statuses with two owners: ``training_status`` is the provider's (its
withdrawals and deferrals), ``participant_status`` the school's (its leaving
date and withdrawal). The rules are plain functions over a period's columns, so
actions (withdraw, defer, resume) reuse them; ``training_status_sql`` states the
provider's rule in SQL for the ``training_status`` filter.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import ColumnElement, Select, and_, case, func, or_, select, true
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlalchemy.sql import Subquery

from gateway import clock
from gateway.db.tables import (
    Cohort,
    Participant,
    Partnership,
    Schedule,
    School,
    TrainingPeriod,
    TrainingRecord,
    table_of,
)
from gateway.domain.callers import Caller
from gateway.domain.keys import chunked, key_in
from gateway.vocabulary import ParticipantStatus, ParticipantType, ScheduleIdentifier, TrainingStatus, WorkingPattern

_periods = table_of(TrainingPeriod)
_records = table_of(TrainingRecord)
_partnerships = table_of(Partnership)
_participants = table_of(Participant)
_schools = table_of(School)
_cohorts = table_of(Cohort)
_schedules = table_of(Schedule)

ROLE_ORDER = (ParticipantType.ECT, ParticipantType.MENTOR)


def training_status(withdrawn_at: datetime | None, deferred_at: datetime | None) -> TrainingStatus:
    """Withdrawn or deferred by whichever happened later (withdrawn on a tie, the more final of the two); else active."""
    if withdrawn_at is not None and (deferred_at is None or withdrawn_at >= deferred_at):
        return TrainingStatus.WITHDRAWN
    if deferred_at is not None:
        return TrainingStatus.DEFERRED
    return TrainingStatus.ACTIVE


def participant_status(
    school_withdrawn_at: datetime | None,
    leaving_on: date | None,
    started_on: date,
    *,
    today: date | None = None,
) -> ParticipantStatus:
    """The school's view, from what the school reported; a provider's withdrawal or deferral plays no part.

    First match: the school withdrew the participant -> withdrawn; the school reported a leaving date -> leaving
    until that day, left from the day after; ``started_on`` in the future -> joining; else active."""
    today = clock.today() if today is None else today
    if school_withdrawn_at is not None:
        return ParticipantStatus.WITHDRAWN
    if leaving_on is not None:
        return ParticipantStatus.LEAVING if leaving_on > today else ParticipantStatus.LEFT
    if started_on > today:
        return ParticipantStatus.JOINING
    return ParticipantStatus.ACTIVE


def training_status_sql(withdrawn_at: ColumnElement, deferred_at: ColumnElement) -> ColumnElement:
    """``training_status`` in SQL, for filtering a list before it is paged."""
    return case(
        (
            and_(withdrawn_at.is_not(None), or_(deferred_at.is_(None), withdrawn_at >= deferred_at)),
            TrainingStatus.WITHDRAWN.value,
        ),
        (deferred_at.is_not(None), TrainingStatus.DEFERRED.value),
        else_=TrainingStatus.ACTIVE.value,
    )


@dataclass(frozen=True, slots=True)
class Withdrawal:
    reason: str
    date: datetime


@dataclass(frozen=True, slots=True)
class Deferral:
    reason: str
    date: datetime


@dataclass(slots=True)
class EnrolmentRow:
    participant_id: uuid.UUID
    training_record_id: uuid.UUID
    training_period_id: uuid.UUID
    participant_type: ParticipantType
    email: str | None
    mentor_id: uuid.UUID | None
    working_pattern: WorkingPattern | None
    """An ECT's, as the school reports it; None for mentors and where unreported."""
    school_id: uuid.UUID
    school_urn: str
    cohort_id: uuid.UUID
    cohort_year: int
    partnership_id: uuid.UUID
    lead_provider_id: uuid.UUID
    delivery_partner_id: uuid.UUID
    schedule_id: uuid.UUID | None
    schedule_identifier: ScheduleIdentifier | None
    started_on: date
    finished_on: date | None
    leaving_on: date | None
    """The leaving date the school reported."""
    school_withdrawn_at: datetime | None
    """When the school withdrew the participant."""
    training_status: TrainingStatus
    """The provider's view: its withdrawals and deferrals."""
    participant_status: ParticipantStatus
    """The school's view: its leaving date and withdrawal."""
    withdrawal: Withdrawal | None
    deferral: Deferral | None
    teacher_reference_number_validated: bool
    eligible_for_funding: bool | None
    pupil_premium_uplift: bool
    sparsity_uplift: bool
    induction_end_date: date | None
    overall_induction_start_date: date | None
    most_recent_induction_period_end_date: date | None
    """The appropriate body's induction dates of an ECT (the participant's own); None for mentors."""
    mentor_funding_end_date: date | None
    mentor_ineligible_for_funding_reason: str | None
    cohort_changed_after_payments_frozen: bool
    created_at: datetime
    """When the training record was created."""

    @property
    def cohort(self) -> str:
        return str(self.cohort_year)

    @property
    def school_key(self) -> tuple[uuid.UUID, uuid.UUID]:
        """The school as seen in this enrolment's cohort (the key of the school-by-id-and-cohort lookup)."""
        return (self.school_id, self.cohort_id)


def provider_scope(caller: Caller, lead_provider_id: uuid.UUID | None = None) -> ColumnElement:
    """Which partnerships' periods the caller reads: its own (analysts: any, or the named provider's).
    Use with ``_partnerships`` joined on the period's ``partnership_id``: an expression of interest
    alone is not a partnership, so it never makes a period visible."""
    if not caller.reads_everything:
        return _partnerships.c.lead_provider_id == caller.lead_provider_id
    if lead_provider_id is not None:
        return _partnerships.c.lead_provider_id == lead_provider_id
    return true()


def latest_periods(
    caller: Caller,
    lead_provider_id: uuid.UUID | None = None,
    participant_ids: Sequence[uuid.UUID] | None = None,
    *,
    dialect: str = "",
) -> Subquery:
    """The latest visible period of each training record (``rank`` 1), with the record's participant and role.

    ``participant_ids`` narrows the window inside the subquery, so a page's lookup ranks only that page's periods.
    """
    rank = func.row_number().over(
        partition_by=_periods.c.training_record_id,
        order_by=(_periods.c.started_on.desc(), _periods.c.created_at.desc(), _periods.c.id.desc()),
    )
    stmt = (
        select(
            _periods,
            _records.c.participant_id,
            _records.c.participant_type,
            _partnerships.c.lead_provider_id,
            _partnerships.c.delivery_partner_id,
            rank.label("rank"),
        )
        .join(_partnerships, _partnerships.c.id == _periods.c.partnership_id)
        .join(_records, _records.c.id == _periods.c.training_record_id)
        .where(provider_scope(caller, lead_provider_id))
    )
    if participant_ids is not None:
        stmt = stmt.where(key_in(dialect, _records.c.participant_id, participant_ids))
    return stmt.subquery("latest_periods")


def _enrolment_statement(latest: Subquery) -> Select:
    return (
        select(
            latest.c.participant_id,
            latest.c.training_record_id,
            latest.c.id.label("training_period_id"),
            latest.c.participant_type,
            latest.c.email,
            latest.c.mentor_id,
            latest.c.working_pattern,
            latest.c.school_id,
            _schools.c.urn,
            latest.c.cohort_id,
            _cohorts.c.year,
            latest.c.partnership_id,
            latest.c.lead_provider_id,
            latest.c.delivery_partner_id,
            latest.c.schedule_id,
            _schedules.c.identifier,
            latest.c.started_on,
            latest.c.finished_on,
            latest.c.withdrawn_at,
            latest.c.withdrawal_reason,
            latest.c.deferred_at,
            latest.c.deferral_reason,
            latest.c.leaving_on,
            latest.c.school_withdrawn_at,
            _participants.c.teacher_reference_number_validated,
            _records.c.eligible_for_funding,
            _records.c.pupil_premium_uplift,
            _records.c.sparsity_uplift,
            _records.c.induction_end_date,
            _participants.c.overall_induction_start_date,
            _participants.c.most_recent_induction_period_end_date,
            _records.c.mentor_funding_end_date,
            _records.c.mentor_ineligible_for_funding_reason,
            _records.c.cohort_changed_after_payments_frozen,
            _records.c.created_at,
        )
        .join(_records, _records.c.id == latest.c.training_record_id)
        .join(_participants, _participants.c.id == latest.c.participant_id)
        .join(_schools, _schools.c.id == latest.c.school_id)
        .join(_cohorts, _cohorts.c.id == latest.c.cohort_id)
        .outerjoin(_schedules, _schedules.c.id == latest.c.schedule_id)
        .where(latest.c.rank == 1)
    )


def _enrolment(row, today: date) -> EnrolmentRow:
    # Unpacked once (the statement's column order) rather than read by name: a sync page builds
    # thousands of these and reading 30 attributes of a Row by name was most of the cost.
    (
        participant_id, training_record_id, training_period_id, participant_type, email, mentor_id, working_pattern,
        school_id, urn, cohort_id, year, partnership_id, lead_provider_id, delivery_partner_id, schedule_id, identifier,
        started_on, finished_on, withdrawn_at, withdrawal_reason, deferred_at, deferral_reason, leaving_on,
        school_withdrawn_at, trn_validated, eligible_for_funding, pupil_premium_uplift, sparsity_uplift,
        induction_end_date, overall_induction_start_date, most_recent_induction_period_end_date,
        mentor_funding_end_date, mentor_ineligible_for_funding_reason, cohort_changed_after_payments_frozen, created_at,
    ) = row  # fmt: skip
    # Induction and its working pattern are an ECT's: a mentor's enrolment carries none (as ECF2 serialises them).
    ect = participant_type == ParticipantType.ECT
    return EnrolmentRow(
        participant_id=participant_id,
        training_record_id=training_record_id,
        training_period_id=training_period_id,
        participant_type=ParticipantType(participant_type),
        email=email,
        mentor_id=mentor_id if ect else None,
        working_pattern=WorkingPattern(working_pattern) if ect and working_pattern is not None else None,
        school_id=school_id,
        school_urn=urn,
        cohort_id=cohort_id,
        cohort_year=year,
        partnership_id=partnership_id,
        lead_provider_id=lead_provider_id,
        delivery_partner_id=delivery_partner_id,
        schedule_id=schedule_id,
        schedule_identifier=None if identifier is None else ScheduleIdentifier(identifier),
        started_on=started_on,
        finished_on=finished_on,
        training_status=training_status(withdrawn_at, deferred_at),
        leaving_on=leaving_on,
        school_withdrawn_at=school_withdrawn_at,
        participant_status=participant_status(school_withdrawn_at, leaving_on, started_on, today=today),
        withdrawal=None if withdrawn_at is None else Withdrawal(withdrawal_reason, withdrawn_at),
        deferral=None if deferred_at is None else Deferral(deferral_reason, deferred_at),
        teacher_reference_number_validated=trn_validated,
        eligible_for_funding=eligible_for_funding,
        pupil_premium_uplift=pupil_premium_uplift,
        sparsity_uplift=sparsity_uplift,
        induction_end_date=induction_end_date,
        overall_induction_start_date=overall_induction_start_date if ect else None,
        most_recent_induction_period_end_date=most_recent_induction_period_end_date if ect else None,
        mentor_funding_end_date=mentor_funding_end_date,
        mentor_ineligible_for_funding_reason=mentor_ineligible_for_funding_reason,
        cohort_changed_after_payments_frozen=cohort_changed_after_payments_frozen,
        created_at=created_at,
    )


async def enrolments_by_participant(
    conn: AsyncConnection,
    caller: Caller,
    participant_ids: Sequence[uuid.UUID],
    *,
    lead_provider_id: uuid.UUID | None = None,
) -> dict[uuid.UUID, list[EnrolmentRow]]:
    """Each participant's enrolments as the caller sees them, ECT first."""
    today = clock.today()
    found: dict[uuid.UUID, list[EnrolmentRow]] = defaultdict(list)
    dialect = conn.dialect.name
    for chunk in chunked(participant_ids):
        stmt = _enrolment_statement(latest_periods(caller, lead_provider_id, chunk, dialect=dialect))
        for row in await conn.execute(stmt):
            found[row.participant_id].append(_enrolment(row, today))
    for enrolments in found.values():
        enrolments.sort(key=lambda e: ROLE_ORDER.index(e.participant_type))
    return found
