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
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from functools import cache
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, bindparam, case, func, or_, select, true
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlalchemy.sql import Subquery

from gateway import clock
from gateway.db.tables import (
    Cohort,
    DeliveryPartner,
    Participant,
    Partnership,
    Schedule,
    School,
    SchoolCohort,
    TrainingPeriod,
    TrainingRecord,
    table_of,
)
from gateway.domain.callers import Caller
from gateway.domain.delivery_partners import DeliveryPartnerRow
from gateway.domain.keys import chunked, key_in, key_param
from gateway.domain.schools import JOINED_COLUMNS, SchoolRow, joined_school, school_cohort_of
from gateway.vocabulary import ParticipantStatus, ParticipantType, ScheduleIdentifier, TrainingStatus, WorkingPattern

_periods = table_of(TrainingPeriod)
_records = table_of(TrainingRecord)
_partnerships = table_of(Partnership)
_participants = table_of(Participant)
_schools = table_of(School)
_cohorts = table_of(Cohort)
_schedules = table_of(Schedule)
_school_cohorts = table_of(SchoolCohort)
_delivery_partners = table_of(DeliveryPartner)

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
    school: SchoolRow
    """The school as seen in the enrolment's cohort (read with the enrolment: its flags are read apart)."""
    delivery_partner: DeliveryPartnerRow
    """The partnership's delivery partner (read with the enrolment: its cohorts are read apart)."""

    @property
    def cohort(self) -> str:
        return str(self.cohort_year)

    @property
    def school_key(self) -> tuple[uuid.UUID, uuid.UUID]:
        """The school as seen in this enrolment's cohort (the key of the school-by-id-and-cohort lookup)."""
        return (self.school_id, self.cohort_id)


def provider_scope(caller: Caller, lead_provider_id: uuid.UUID | None = None) -> ColumnElement:
    """Which partnerships' periods the caller reads (``Caller.provider_seen_as``). Use with ``_partnerships`` joined on
    the period's ``partnership_id``: an expression of interest alone is not a partnership, so it never makes a
    period visible."""
    provider = caller.provider_seen_as(lead_provider_id)
    return true() if provider is None else _partnerships.c.lead_provider_id == provider


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
    narrowed = None if participant_ids is None else key_in(dialect, _records.c.participant_id, participant_ids)
    return _ranked_periods(provider_scope(caller, lead_provider_id), narrowed)


def _ranked_periods(scope: ColumnElement[bool], narrowed: ColumnElement[bool] | None) -> Subquery:
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
        .where(scope)
    )
    if narrowed is not None:
        stmt = stmt.where(narrowed)
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
            *JOINED_COLUMNS,
            _delivery_partners.c.name.label("delivery_partner_name"),
            _delivery_partners.c.created_at.label("delivery_partner_created_at"),
            _delivery_partners.c.updated_at.label("delivery_partner_updated_at"),
        )
        .join(_records, _records.c.id == latest.c.training_record_id)
        .join(_participants, _participants.c.id == latest.c.participant_id)
        .join(_schools, _schools.c.id == latest.c.school_id)
        .join(_cohorts, _cohorts.c.id == latest.c.cohort_id)
        .outerjoin(_school_cohorts, school_cohort_of(latest.c.school_id, latest.c.cohort_id))
        .join(_delivery_partners, _delivery_partners.c.id == latest.c.delivery_partner_id)
        .outerjoin(_schedules, _schedules.c.id == latest.c.schedule_id)
        .where(latest.c.rank == 1)
    )


PARTICIPANT_COLUMNS = (
    _participants.c.full_name,
    _participants.c.teacher_reference_number,
    _participants.c.created_at.label("participant_created_at"),
    _participants.c.updated_at.label("participant_updated_at"),
)
"""The participant's own columns, after the enrolment's in ``enrolled_rows``: a lookup by id reads the participant
and its enrolments in one statement (a participant is visible exactly when it has an enrolment)."""


@cache
def _enrolled_statement(dialect_name: str, scoped: bool) -> Select:
    """Built once per shape (dialect; one provider's partnerships or any), executed with new ids: a request spends
    no time building or compiling it (the engine's compiled cache holds its SQL)."""
    scope = (
        _partnerships.c.lead_provider_id == bindparam("lead_provider_id", type_=_partnerships.c.lead_provider_id.type)
        if scoped
        else true()
    )
    latest = _ranked_periods(scope, key_param(dialect_name, _records.c.participant_id, "participant_ids"))
    return _enrolment_statement(latest).add_columns(*PARTICIPANT_COLUMNS)


def _enrolment(row, today: date, caller: Caller) -> EnrolmentRow:
    # Unpacked once (the statement's column order) rather than read by name: a sync page builds
    # thousands of these and reading 30 attributes of a Row by name was most of the cost.
    (
        participant_id, training_record_id, training_period_id, participant_type, email, mentor_id, working_pattern,
        school_id, urn, cohort_id, year, partnership_id, lead_provider_id, delivery_partner_id, schedule_id, identifier,
        started_on, finished_on, withdrawn_at, withdrawal_reason, deferred_at, deferral_reason, leaving_on,
        school_withdrawn_at, trn_validated, eligible_for_funding, pupil_premium_uplift, sparsity_uplift,
        induction_end_date, overall_induction_start_date, most_recent_induction_period_end_date,
        mentor_funding_end_date, mentor_ineligible_for_funding_reason, cohort_changed_after_payments_frozen, created_at,
        school_name, school_created_at, school_updated_at,
        delivery_partner_name, delivery_partner_created_at, delivery_partner_updated_at, *_,
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
        school=joined_school(
            caller, school_id, urn, year, cohort_id, school_name, school_created_at, school_updated_at
        ),
        delivery_partner=DeliveryPartnerRow(
            delivery_partner_id, delivery_partner_name, delivery_partner_created_at, delivery_partner_updated_at
        ),
    )


async def enrolled_rows(
    conn: AsyncConnection,
    caller: Caller,
    participant_ids: Sequence[uuid.UUID],
    *,
    lead_provider_id: uuid.UUID | None = None,
) -> list[tuple[EnrolmentRow, Any]]:
    """The caller's enrolments of these participants, each with its statement row (whose last columns are
    ``PARTICIPANT_COLUMNS``); participants the caller cannot see have none."""
    provider = caller.provider_seen_as(lead_provider_id)
    stmt = _enrolled_statement(conn.dialect.name, provider is not None)
    scope = {} if provider is None else {"lead_provider_id": provider}
    today = clock.today()
    found = []
    for chunk in chunked(participant_ids):
        for row in await conn.execute(stmt, {"participant_ids": chunk, **scope}):
            found.append((_enrolment(row, today, caller), row))
    return found


def by_participant(enrolments: Iterable[EnrolmentRow]) -> dict[uuid.UUID, list[EnrolmentRow]]:
    """Enrolments grouped by participant, ECT first."""
    found: dict[uuid.UUID, list[EnrolmentRow]] = defaultdict(list)
    for enrolment in enrolments:
        found[enrolment.participant_id].append(enrolment)
    for grouped in found.values():
        grouped.sort(key=lambda e: ROLE_ORDER.index(e.participant_type))
    return found


async def enrolments_by_participant(
    conn: AsyncConnection,
    caller: Caller,
    participant_ids: Sequence[uuid.UUID],
    *,
    lead_provider_id: uuid.UUID | None = None,
) -> dict[uuid.UUID, list[EnrolmentRow]]:
    """Each participant's enrolments as the caller sees them, ECT first."""
    rows = await enrolled_rows(conn, caller, participant_ids, lead_provider_id=lead_provider_id)
    return by_participant(enrolment for enrolment, _ in rows)
