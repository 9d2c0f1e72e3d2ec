"""Withdraw, defer, resume and change the schedule of a participant (domain.md section 5).

Every action works on the participant's latest training period of one role
under the caller's partnerships (the period its enrolment shows), loads what
its checks read, runs them in the published order (one message per attribute,
the first that applies) and writes. History is kept: a withdrawal or deferral
is recorded on the period, a resumption or a change of schedule starts a new
period and leaves the old one as it was.

These are the provider's reports: they change ``training_status`` and never
what the school reported (its leaving date and withdrawal, which
``participant_status`` and the transfers read). A withdrawal with reason
``moved-school`` is the provider's word, not the school's, so it is no transfer.
A new period carries the school's facts on, as it carries the email and mentor.

What an ``updated_since`` sync reads moves with every write: the participant
when one of its periods changes, the partnerships the periods belong to (their
``participants_currently_training``), the school when a period joins another
cohort there.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import exists, insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from gateway import clock
from gateway.db.tables import (
    Cohort,
    Declaration,
    Participant,
    Partnership,
    School,
    TrainingPeriod,
    TrainingRecord,
    table_of,
)
from gateway.domain.callers import Caller
from gateway.domain.cohorts import CohortRow, cohort_year, cohorts_by_year
from gateway.domain.declarations.milestones import MilestoneWindow, window_error
from gateway.domain.errors import NotFound
from gateway.domain.participants.changes import participant_changed
from gateway.domain.participants.enrolments import latest_periods, training_status
from gateway.domain.participants.queries import ParticipantRow, get_participant
from gateway.domain.participants.schedules import MilestoneRow, ScheduleRow, find_schedule, milestones_by_schedule
from gateway.domain.validation import Validation, given
from gateway.vocabulary import (
    BILLABLE_STATES,
    ROLE_FOR_COURSE,
    DeferralReason,
    ParticipantType,
    ScheduleIdentifier,
    TrainingStatus,
    WithdrawalReason,
)

_periods = table_of(TrainingPeriod)
_records = table_of(TrainingRecord)
_participants = table_of(Participant)
_partnerships = table_of(Partnership)
_schools = table_of(School)
_cohorts = table_of(Cohort)
_declarations = table_of(Declaration)

COURSE_MISSING = "Enter a '#/course_identifier'."
COURSE_NOT_RECOGNISED = (
    "The entered '#/course_identifier' is not recognised for the given participant. Check details and try again."
)
REASON_MISSING = "Enter a '#/reason'."
REASON_NOT_RECOGNISED = (
    "The entered '#/reason' is not recognised for the given participant. Check details and try again."
)
ALREADY_WITHDRAWN = "The '#/participant_id' is already withdrawn."
ALREADY_DEFERRED = "The '#/participant_id' is already deferred."
ALREADY_ACTIVE = "The '#/participant_id' is already active."
ECT_NOT_A_MENTOR = "You cannot withdraw an ECT for this reason. The ECT is not a mentor."
SCHEDULE_INVALID = "The property '#/schedule_identifier' must be present and correspond to a valid schedule."
SAME_SCHEDULE = "Selected schedule is already on the profile"
SCHEDULE_NOT_FOR_COURSE = "Selected schedule is not valid for the course_identifier"
MENTOR_REDUCED_SCHEDULE = "Mentors cannot be placed on a reduced schedule. Assign them to a different schedule."
WITHDRAWN_PARTICIPANT = "Cannot perform actions on a withdrawn participant"
INVALIDATES_DECLARATIONS = "Changing schedule would invalidate existing declarations. Please void them first."
NO_PARTNERSHIP_IN_COHORT = (
    "You cannot change a participant to this cohort as you do not have a partnership with the school for the cohort. "
    "Contact the DfE for assistance."
)
PAYMENTS_FROZEN_COHORT = (
    "You cannot move a participant to a payments frozen cohort unless they previously belonged to that cohort."
)

_WITHDRAWAL_REASONS = {reason.value for reason in WithdrawalReason}
_DEFERRAL_REASONS = {reason.value for reason in DeferralReason}
_SCHEDULE_IDENTIFIERS = {identifier.value for identifier in ScheduleIdentifier}


@dataclass(frozen=True, slots=True)
class _Period:
    """A participant's latest period of one role under the caller's partnerships, as the checks read it."""

    id: uuid.UUID
    training_record_id: uuid.UUID
    participant_type: ParticipantType
    school_id: uuid.UUID
    cohort_id: uuid.UUID
    cohort_year: int
    training_programme: str
    partnership_id: uuid.UUID
    expression_of_interest_lead_provider_id: uuid.UUID | None
    schedule_id: uuid.UUID | None
    started_on: date
    finished_on: date | None
    withdrawn_at: datetime | None
    deferred_at: datetime | None
    deferral_reason: str | None
    leaving_on: date | None
    school_withdrawn_at: datetime | None
    email: str | None
    mentor_id: uuid.UUID | None

    @property
    def training_status(self) -> TrainingStatus:
        return training_status(self.withdrawn_at, self.deferred_at)


async def _latest_periods(
    conn: AsyncConnection, caller: Caller, participant_id: uuid.UUID
) -> dict[ParticipantType, _Period]:
    """The participant's latest period of each role with the caller, its training records locked for the action.
    ``NotFound`` when there is none: the participant is not visible to the caller."""
    # Serialises actions on one participant (PostgreSQL; SQLite's writers are serialised already).
    await conn.execute(select(_records.c.id).where(_records.c.participant_id == participant_id).with_for_update())
    latest = latest_periods(caller, participant_ids=[participant_id], dialect=conn.dialect.name)
    rows = await conn.execute(
        select(
            latest.c.id,
            latest.c.training_record_id,
            latest.c.participant_type,
            latest.c.school_id,
            latest.c.cohort_id,
            _cohorts.c.year.label("cohort_year"),
            latest.c.training_programme,
            latest.c.partnership_id,
            latest.c.expression_of_interest_lead_provider_id,
            latest.c.schedule_id,
            latest.c.started_on,
            latest.c.finished_on,
            latest.c.withdrawn_at,
            latest.c.deferred_at,
            latest.c.deferral_reason,
            latest.c.leaving_on,
            latest.c.school_withdrawn_at,
            latest.c.email,
            latest.c.mentor_id,
        )
        .join(_cohorts, _cohorts.c.id == latest.c.cohort_id)
        .where(latest.c.rank == 1)
    )
    periods = {}
    for row in rows:
        role = ParticipantType(row.participant_type)
        periods[role] = _Period(**{**row._mapping, "participant_type": role})
    if not periods:
        raise NotFound()
    return periods


def _check_course(
    checks: Validation, periods: dict[ParticipantType, _Period], course_identifier: str | None
) -> _Period | None:
    """The period the action is about, or None once ``course_identifier`` has failed."""
    course = given(course_identifier)
    role = ROLE_FOR_COURSE.get(course) if course is not None else None  # type: ignore[call-overload]  # vocabulary members are StrEnums: they compare and hash as their text
    checks.check("course_identifier", lambda: role is None, COURSE_MISSING)
    checks.check("course_identifier", lambda: role not in periods, COURSE_NOT_RECOGNISED)
    return None if checks.failed("course_identifier") else periods[role]  # type: ignore[index]  # set once the checks above passed: each check runs only while the ones before it on that attribute did


async def _touch(conn: AsyncConnection, participant_id: uuid.UUID, *partnership_ids: uuid.UUID) -> None:
    await participant_changed(conn, participant_id)
    await conn.execute(
        update(_partnerships).where(_partnerships.c.id.in_(list(set(partnership_ids)))).values(updated_at=clock.now())
    )


def _finished_by(period: _Period, today: date) -> date:
    return today if period.finished_on is None else min(period.finished_on, today)


async def withdraw_participant(
    conn: AsyncConnection,
    caller: Caller,
    participant_id: uuid.UUID,
    *,
    course_identifier: str | None,
    reason: str | None,
) -> ParticipantRow:
    caller.require_lead_provider()
    periods = await _latest_periods(conn, caller, participant_id)
    reason = given(reason)

    checks = Validation()
    period = _check_course(checks, periods, course_identifier)
    checks.check("reason", lambda: reason is None, REASON_MISSING)
    checks.check("reason", lambda: reason not in _WITHDRAWAL_REASONS, REASON_NOT_RECOGNISED)
    if period is not None:
        checks.check("participant_id", lambda: period.training_status is TrainingStatus.WITHDRAWN, ALREADY_WITHDRAWN)
        checks.check(
            "reason",
            lambda: (
                period.participant_type is ParticipantType.ECT
                and reason == WithdrawalReason.MENTOR_NO_LONGER_BEING_MENTOR
            ),
            ECT_NOT_A_MENTOR,
        )
    checks.raise_if_failed()
    assert period is not None  # _check_course returns None only with a failed check

    now = clock.now()
    await conn.execute(
        update(_periods)
        .where(_periods.c.id == period.id)
        .values(withdrawn_at=now, withdrawal_reason=reason, finished_on=_finished_by(period, now.date()))
    )
    await _touch(conn, participant_id, period.partnership_id)
    return await get_participant(conn, caller, participant_id)


async def defer_participant(
    conn: AsyncConnection,
    caller: Caller,
    participant_id: uuid.UUID,
    *,
    course_identifier: str | None,
    reason: str | None,
) -> ParticipantRow:
    caller.require_lead_provider()
    periods = await _latest_periods(conn, caller, participant_id)
    reason = given(reason)

    checks = Validation()
    period = _check_course(checks, periods, course_identifier)
    checks.check("reason", lambda: reason is None, REASON_MISSING)
    checks.check("reason", lambda: reason not in _DEFERRAL_REASONS, REASON_NOT_RECOGNISED)
    if period is not None:
        checks.check("participant_id", lambda: period.training_status is TrainingStatus.DEFERRED, ALREADY_DEFERRED)
        checks.check("participant_id", lambda: period.training_status is TrainingStatus.WITHDRAWN, ALREADY_WITHDRAWN)
    checks.raise_if_failed()
    assert period is not None  # _check_course returns None only with a failed check

    now = clock.now()
    await conn.execute(
        update(_periods)
        .where(_periods.c.id == period.id)
        .values(deferred_at=now, deferral_reason=reason, finished_on=_finished_by(period, now.date()))
    )
    await _touch(conn, participant_id, period.partnership_id)
    return await get_participant(conn, caller, participant_id)


def _continuation(period: _Period, *, started_on: date, finished_on: date | None, **changes) -> dict:
    """A new period carrying on from ``period`` at the same school, with the same email and mentor, and what the
    school reported about it (a provider's action does not undo the school's leaving or withdrawal)."""
    return {
        "id": uuid.uuid4(),
        "training_record_id": period.training_record_id,
        "school_id": period.school_id,
        "cohort_id": period.cohort_id,
        "training_programme": period.training_programme,
        "partnership_id": period.partnership_id,
        "expression_of_interest_lead_provider_id": period.expression_of_interest_lead_provider_id,
        "schedule_id": period.schedule_id,
        "email": period.email,
        "mentor_id": period.mentor_id,
        "leaving_on": period.leaving_on,
        "school_withdrawn_at": period.school_withdrawn_at,
        "started_on": started_on,
        "finished_on": finished_on,
        **changes,
    }


async def resume_participant(
    conn: AsyncConnection, caller: Caller, participant_id: uuid.UUID, *, course_identifier: str | None
) -> ParticipantRow:
    caller.require_lead_provider()
    periods = await _latest_periods(conn, caller, participant_id)

    checks = Validation()
    period = _check_course(checks, periods, course_identifier)
    if period is not None:
        checks.check("participant_id", lambda: period.training_status is TrainingStatus.ACTIVE, ALREADY_ACTIVE)
    checks.raise_if_failed()
    assert period is not None  # _check_course returns None only with a failed check

    # Starts today; a period that was due to start later resumes on its own start date, so it stays the latest.
    # It ends when the school said the participant leaves, if it did.
    started_on = max(clock.today(), period.started_on)
    finished_on = None if period.leaving_on is None else max(period.leaving_on, started_on)
    await conn.execute(insert(_periods).values(**_continuation(period, started_on=started_on, finished_on=finished_on)))
    await _touch(conn, participant_id, period.partnership_id)
    return await get_participant(conn, caller, participant_id)


def _schedule_kind(identifier: str) -> str:
    """``standard``, ``reduced``, ``extended`` or ``replacement``: the middle of ``ecf-<kind>-<month>``."""
    return identifier.split("-")[1]


def _is_frozen(cohort: CohortRow, now: datetime) -> bool:
    return cohort.payments_frozen_at is not None and cohort.payments_frozen_at <= now


async def _billable_declarations(conn: AsyncConnection, training_record_id: uuid.UUID) -> list[tuple[str, datetime]]:
    rows = await conn.execute(
        select(_declarations.c.declaration_type, _declarations.c.declaration_date).where(
            _declarations.c.training_record_id == training_record_id,
            _declarations.c.state.in_([state.value for state in BILLABLE_STATES]),
        )
    )
    return [(row.declaration_type, row.declaration_date) for row in rows]


def _invalidates(declarations: list[tuple[str, datetime]], milestones: list[MilestoneRow]) -> bool:
    """A billable declaration would fall outside the new schedule's window for its type (or the type has none)."""
    windows = {m.declaration_type: MilestoneWindow(m.start_date, m.milestone_date) for m in milestones}
    return any(kind not in windows or window_error(windows[kind], declared_at) for kind, declared_at in declarations)  # type: ignore[index]  # vocabulary members are StrEnums: they compare and hash as their text


@dataclass(frozen=True, slots=True)
class _ScheduleChange:
    """What the checks of a change of schedule read, loaded once."""

    source: CohortRow
    target: CohortRow | None
    """The cohort named, the period's own when none is named; None when the value names no cohort."""
    schedule: ScheduleRow | None
    milestones: list[MilestoneRow]
    declarations: list[tuple[str, datetime]]
    """Type and date of the training record's billable declarations."""
    partnership_id: uuid.UUID | None
    """The partnership the training continues under: the period's own, or the provider's at the school in the new cohort."""
    belonged_to_target: bool

    @property
    def changes_cohort(self) -> bool:
        return self.target is not None and self.target.id != self.source.id


async def _schedule_change(
    conn: AsyncConnection, caller: Caller, period: _Period, *, identifier: str | None, cohort: str | None
) -> _ScheduleChange:
    text = given(cohort)
    year = period.cohort_year if text is None else cohort_year(text)
    cohorts = await cohorts_by_year(conn, caller, [period.cohort_year] if year is None else [period.cohort_year, year])
    source, target = cohorts[period.cohort_year], cohorts.get(year)  # type: ignore[arg-type]  # set once the checks above passed: each check runs only while the ones before it on that attribute did
    schedule = None
    if target is not None and identifier is not None:
        schedule = await find_schedule(conn, cohort_id=target.id, identifier=identifier)
    milestones, declarations = [], []
    if schedule is not None:
        milestones = (await milestones_by_schedule(conn, caller, [schedule.id])).get(schedule.id, [])
        declarations = await _billable_declarations(conn, period.training_record_id)
    partnership_id, belonged_to_target = period.partnership_id, True
    if target is not None and target.id != source.id:
        partnership_id = (  # type: ignore[assignment]  # set once the checks above passed: each check runs only while the ones before it on that attribute did
            await conn.execute(
                select(_partnerships.c.id).where(
                    _partnerships.c.school_id == period.school_id,
                    _partnerships.c.cohort_id == target.id,
                    _partnerships.c.lead_provider_id == caller.lead_provider_id,
                )
            )
        ).scalar()
        earlier_period = exists().where(
            _periods.c.training_record_id == period.training_record_id, _periods.c.cohort_id == target.id
        )
        belonged_to_target = bool((await conn.execute(select(earlier_period))).scalar())
    return _ScheduleChange(source, target, schedule, milestones, declarations, partnership_id, belonged_to_target)


async def change_schedule(
    conn: AsyncConnection,
    caller: Caller,
    participant_id: uuid.UUID,
    *,
    course_identifier: str | None,
    schedule_identifier: str | None,
    cohort: str | None = None,
) -> ParticipantRow:
    """Put the participant's training of one role on another schedule; ``cohort`` (default: the current one) may move it
    to another cohort at the same school."""
    caller.require_lead_provider()
    periods = await _latest_periods(conn, caller, participant_id)
    identifier = given(schedule_identifier)
    checks = Validation()
    period = _check_course(checks, periods, course_identifier)
    if period is None:
        # Without the period there is no cohort to look the schedule up in; only a name that no cohort has can fail.
        checks.check("schedule_identifier", lambda: identifier not in _SCHEDULE_IDENTIFIERS, SCHEDULE_INVALID)
        checks.raise_if_failed()
    assert period is not None  # _check_course returns None only with a failed check, raised above
    change = await _schedule_change(conn, caller, period, identifier=identifier, cohort=cohort)
    schedule, target = change.schedule, change.target

    now = clock.now()
    checks.check("schedule_identifier", lambda: schedule is None, SCHEDULE_INVALID)
    checks.check("schedule_identifier", lambda: schedule.id == period.schedule_id, SAME_SCHEDULE)  # type: ignore[union-attr]  # set once the checks above passed: each check runs only while the ones before it on that attribute did
    checks.check(
        "schedule_identifier",
        lambda: period.participant_type is ParticipantType.ECT and _schedule_kind(schedule.identifier) == "replacement",  # type: ignore[union-attr]  # set once the checks above passed: each check runs only while the ones before it on that attribute did
        SCHEDULE_NOT_FOR_COURSE,
    )
    checks.check(
        "schedule_identifier",
        lambda: period.participant_type is ParticipantType.MENTOR and _schedule_kind(schedule.identifier) == "reduced",  # type: ignore[union-attr]  # set once the checks above passed: each check runs only while the ones before it on that attribute did
        MENTOR_REDUCED_SCHEDULE,
    )
    checks.check("participant_id", lambda: period.training_status is TrainingStatus.WITHDRAWN, WITHDRAWN_PARTICIPANT)
    checks.check(
        "schedule_identifier", lambda: _invalidates(change.declarations, change.milestones), INVALIDATES_DECLARATIONS
    )
    if change.changes_cohort:
        checks.check("cohort", lambda: change.partnership_id is None, NO_PARTNERSHIP_IN_COHORT)
        checks.check(
            "cohort",
            lambda: _is_frozen(target, now) and not change.belonged_to_target,  # type: ignore[arg-type]  # set once the checks above passed: each check runs only while the ones before it on that attribute did
            PAYMENTS_FROZEN_COHORT,
        )
    checks.raise_if_failed()

    await _move(
        conn,
        period,
        schedule_id=schedule.id,  # type: ignore[union-attr]  # set once the checks above passed: each check runs only while the ones before it on that attribute did
        cohort_id=target.id,  # type: ignore[union-attr]  # set once the checks above passed: each check runs only while the ones before it on that attribute did
        partnership_id=change.partnership_id,  # type: ignore[arg-type]  # set once the checks above passed: each check runs only while the ones before it on that attribute did
        today=now.date(),
    )
    if change.changes_cohort:
        if _is_frozen(change.source, now) or _is_frozen(target, now):  # type: ignore[arg-type]  # set once the checks above passed: each check runs only while the ones before it on that attribute did
            # Leaving a frozen cohort marks the record; returning to the frozen cohort it came from clears the mark.
            await conn.execute(
                update(_records)
                .where(_records.c.id == period.training_record_id)
                .values(cohort_changed_after_payments_frozen=not _is_frozen(target, now))  # type: ignore[arg-type]  # set once the checks above passed: each check runs only while the ones before it on that attribute did
            )
        # The school's programme in the new cohort may have changed.
        await conn.execute(update(_schools).where(_schools.c.id == period.school_id).values(updated_at=now))
    await _touch(conn, participant_id, period.partnership_id, change.partnership_id)  # type: ignore[arg-type]  # set once the checks above passed: each check runs only while the ones before it on that attribute did
    return await get_participant(conn, caller, participant_id)


async def _move(
    conn: AsyncConnection,
    period: _Period,
    *,
    schedule_id: uuid.UUID,
    cohort_id: uuid.UUID,
    partnership_id: uuid.UUID,
    today: date,
) -> None:
    """Put the training on the new schedule, cohort and partnership, keeping the history of the old ones.

    Ongoing training ends yesterday on the old schedule and carries on from today on the new one (the two
    periods never overlap, so the partnership counts the participant once). A period with no training
    on it to keep apart (not begun yet, deferred, or over) is corrected where it stands.
    """
    ongoing = (
        period.training_status is TrainingStatus.ACTIVE
        and period.started_on < today
        and (period.finished_on is None or period.finished_on >= today)
    )
    new_placement = {"schedule_id": schedule_id, "cohort_id": cohort_id, "partnership_id": partnership_id}
    if not ongoing:
        await conn.execute(update(_periods).where(_periods.c.id == period.id).values(**new_placement))
        return
    await conn.execute(update(_periods).where(_periods.c.id == period.id).values(finished_on=today - timedelta(days=1)))
    await conn.execute(
        insert(_periods).values(
            **_continuation(period, started_on=today, finished_on=period.finished_on, **new_placement)
        )
    )
