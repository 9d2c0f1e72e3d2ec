"""Withdraw, defer, resume and change schedule (domain.md section 5): history kept, what a sync reads moves."""

from __future__ import annotations

import pytest
from sqlalchemy import select, update

from gateway import clock
from gateway.db.engine import read_connection, write_transaction
from gateway.db.tables import Declaration, Participant, Partnership, School, TrainingPeriod, TrainingRecord
from gateway.domain.callers import Caller
from gateway.domain.errors import FieldError, Forbidden, NotFound, ValidationFailed
from gateway.domain.participants.actions import (
    change_schedule,
    defer_participant,
    resume_participant,
    withdraw_participant,
)
from gateway.domain.participants.transfers import get_participant_transfers
from gateway.sandbox.cases import Case, case_id
from gateway.sandbox.reference import AMBITION, cohort_id, lead_provider_id, schedule_id
from gateway.vocabulary import ParticipantStatus, Role, ScheduleIdentifier, TrainingStatus, TransferType

AMBITION_CALLER = Caller(
    role=Role.LEAD_PROVIDER, lead_provider_id=lead_provider_id(AMBITION), lead_provider_name=AMBITION
)

_periods = TrainingPeriod.__table__
_records = TrainingRecord.__table__
_participants = Participant.__table__
_partnerships = Partnership.__table__
_schools = School.__table__
_declarations = Declaration.__table__


async def _periods_of(engine, participant: Case) -> list:
    async with read_connection(engine) as conn:
        stmt = (
            select(_periods)
            .join(_records, _records.c.id == _periods.c.training_record_id)
            .where(_records.c.participant_id == case_id(participant))
            .order_by(_periods.c.started_on, _periods.c.created_at)
        )
        return (await conn.execute(stmt)).all()


async def _updated_at(engine, table, row_id):
    async with read_connection(engine) as conn:
        return (await conn.execute(select(table.c.updated_at).where(table.c.id == row_id))).scalar_one()


async def _act(engine, action, participant: Case, **attributes):
    async with write_transaction(engine) as conn:
        return await action(conn, AMBITION_CALLER, case_id(participant), **attributes)


class TestWithdrawParticipant:
    async def test_records_now_the_reason_and_the_end_and_moves_the_participant_and_partnership(self, sandbox_db):
        engine = sandbox_db.engine
        (before,) = await _periods_of(engine, Case.ACTIVE_ECT)
        participant_before = await _updated_at(engine, _participants, case_id(Case.ACTIVE_ECT))
        partnership_before = await _updated_at(engine, _partnerships, before.partnership_id)
        bystander_before = await _updated_at(engine, _participants, case_id(Case.FUNDED_MENTOR))  # same partnership
        started = clock.now()

        row = await _act(
            engine,
            withdraw_participant,
            Case.ACTIVE_ECT,
            course_identifier="ecf-induction",
            reason="left-teaching-profession",
        )

        (after,) = await _periods_of(engine, Case.ACTIVE_ECT)
        assert started <= after.withdrawn_at <= clock.now()
        assert (after.withdrawal_reason, after.finished_on, after.started_on) == (
            "left-teaching-profession",
            clock.today(),
            before.started_on,
        )
        assert await _updated_at(engine, _participants, case_id(Case.ACTIVE_ECT)) > participant_before
        assert await _updated_at(engine, _partnerships, before.partnership_id) > partnership_before
        assert await _updated_at(engine, _participants, case_id(Case.FUNDED_MENTOR)) == bystander_before
        (enrolment,) = row.enrolments
        assert enrolment.training_status is TrainingStatus.WITHDRAWN
        assert row.updated_at > participant_before

    async def test_an_analyst_may_not_withdraw(self, readonly_db):
        async with write_transaction(readonly_db.engine) as conn:
            with pytest.raises(Forbidden):
                await withdraw_participant(
                    conn,
                    Caller(role=Role.ANALYST),
                    case_id(Case.ACTIVE_ECT),
                    course_identifier="ecf-induction",
                    reason="other",
                )


async def _transfers(engine, participant: Case) -> list:
    async with read_connection(engine) as conn:
        try:
            return (await get_participant_transfers(conn, AMBITION_CALLER, case_id(participant))).transfers
        except NotFound:
            return []


def _school_side(period) -> tuple:
    return (period.leaving_on, period.school_withdrawn_at)


class TestTheProvidersActionsLeaveTheSchoolsSideAlone:
    """A provider's withdraw, defer and resume change ``training_status`` only (domain.md section 5)."""

    async def test_withdrawing_an_active_ect_for_moved_school_is_no_transfer_and_no_leaving(self, sandbox_db):
        engine = sandbox_db.engine
        assert await _transfers(engine, Case.ACTIVE_ECT) == []

        row = await _act(
            engine, withdraw_participant, Case.ACTIVE_ECT, course_identifier="ecf-induction", reason="moved-school"
        )

        (enrolment,) = row.enrolments
        assert (enrolment.training_status, enrolment.participant_status) == (
            TrainingStatus.WITHDRAWN,
            ParticipantStatus.ACTIVE,
        )
        (after,) = await _periods_of(engine, Case.ACTIVE_ECT)
        assert _school_side(after) == (None, None)
        assert await _transfers(engine, Case.ACTIVE_ECT) == []

    async def test_deferring_a_leaver_keeps_the_leaving_date_and_the_transfer(self, sandbox_db):
        engine = sandbox_db.engine
        (before,) = await _periods_of(engine, Case.TRANSFER_UNKNOWN)
        transfers_before = await _transfers(engine, Case.TRANSFER_UNKNOWN)

        row = await _act(
            engine, defer_participant, Case.TRANSFER_UNKNOWN, course_identifier="ecf-induction", reason="other"
        )

        (enrolment,) = row.enrolments
        assert (enrolment.training_status, enrolment.participant_status) == (
            TrainingStatus.DEFERRED,
            ParticipantStatus.LEFT,
        )
        (after,) = await _periods_of(engine, Case.TRANSFER_UNKNOWN)
        assert _school_side(after) == _school_side(before)
        assert [(t.transfer_type, t.leaving.date) for t in await _transfers(engine, Case.TRANSFER_UNKNOWN)] == [
            (t.transfer_type, t.leaving.date) for t in transfers_before
        ]

    async def test_resuming_carries_the_schools_leaving_on_and_makes_no_second_transfer(self, sandbox_db):
        engine = sandbox_db.engine
        (withdrawn,) = await _periods_of(engine, Case.WITHDRAWN_AND_LEAVING_ECT)
        (transfer,) = await _transfers(engine, Case.WITHDRAWN_AND_LEAVING_ECT)

        row = await _act(engine, resume_participant, Case.WITHDRAWN_AND_LEAVING_ECT, course_identifier="ecf-induction")

        (enrolment,) = row.enrolments
        assert (enrolment.training_status, enrolment.participant_status) == (
            TrainingStatus.ACTIVE,
            ParticipantStatus.LEAVING,
        )
        old, resumed = await _periods_of(engine, Case.WITHDRAWN_AND_LEAVING_ECT)
        assert tuple(old) == tuple(withdrawn)
        assert (resumed.leaving_on, resumed.finished_on) == (withdrawn.leaving_on, withdrawn.leaving_on)
        assert [
            (t.transfer_type, t.leaving.date) for t in await _transfers(engine, Case.WITHDRAWN_AND_LEAVING_ECT)
        ] == [(TransferType.UNKNOWN, transfer.leaving.date)]

    async def test_a_school_withdrawal_survives_the_providers_withdrawal_and_resumption(self, sandbox_db):
        engine = sandbox_db.engine
        await _act(
            engine, withdraw_participant, Case.SCHOOL_WITHDRAWN_ECT, course_identifier="ecf-induction", reason="other"
        )
        row = await _act(engine, resume_participant, Case.SCHOOL_WITHDRAWN_ECT, course_identifier="ecf-induction")

        (enrolment,) = row.enrolments
        assert (enrolment.training_status, enrolment.participant_status) == (
            TrainingStatus.ACTIVE,
            ParticipantStatus.WITHDRAWN,
        )
        assert await _transfers(engine, Case.SCHOOL_WITHDRAWN_ECT) == []

    async def test_a_change_of_schedule_splitting_a_leavers_period_keeps_one_transfer(self, sandbox_db):
        engine = sandbox_db.engine
        (transfer,) = await _transfers(engine, Case.LEAVING_ECT)

        row = await _act(
            engine,
            change_schedule,
            Case.LEAVING_ECT,
            course_identifier="ecf-induction",
            schedule_identifier="ecf-extended-september",
        )

        (enrolment,) = row.enrolments
        assert enrolment.participant_status is ParticipantStatus.LEAVING
        old, new = await _periods_of(engine, Case.LEAVING_ECT)
        assert (old.school_id, _school_side(old)) == (new.school_id, _school_side(new))
        assert [(t.transfer_type, t.leaving.date) for t in await _transfers(engine, Case.LEAVING_ECT)] == [
            (transfer.transfer_type, transfer.leaving.date)
        ]


class TestDeferParticipant:
    async def test_records_the_deferral_on_the_latest_period_of_the_role(self, sandbox_db):
        # ECT_THEN_MENTOR has two training records; deferring the mentor leaves the ECT record alone.
        ect_before, mentor_before = await _periods_of(sandbox_db.engine, Case.ECT_THEN_MENTOR)

        await _act(
            sandbox_db.engine,
            defer_participant,
            Case.ECT_THEN_MENTOR,
            course_identifier="ecf-mentor",
            reason="long-term-sickness",
        )

        ect_after, mentor_after = await _periods_of(sandbox_db.engine, Case.ECT_THEN_MENTOR)
        assert tuple(ect_after) == tuple(ect_before)
        assert (mentor_after.id, mentor_after.deferral_reason, mentor_after.finished_on) == (
            mentor_before.id,
            "long-term-sickness",
            clock.today(),
        )


class TestResumeParticipant:
    async def test_a_period_due_to_start_later_resumes_on_its_own_start_date_so_it_stays_the_latest(self, sandbox_db):
        engine = sandbox_db.engine
        await _act(engine, defer_participant, Case.JOINING_ECT, course_identifier="ecf-induction", reason="other")

        row = await _act(engine, resume_participant, Case.JOINING_ECT, course_identifier="ecf-induction")

        deferred, resumed = await _periods_of(engine, Case.JOINING_ECT)
        assert deferred.started_on > clock.today()
        assert resumed.started_on == deferred.started_on
        (enrolment,) = row.enrolments
        assert enrolment.training_status is TrainingStatus.ACTIVE

    async def test_a_resumed_participant_can_be_withdrawn_again_and_the_history_grows(self, sandbox_db):
        engine = sandbox_db.engine
        await _act(engine, resume_participant, Case.WITHDRAWN_MOVED_SCHOOL, course_identifier="ecf-induction")
        await _act(
            engine, withdraw_participant, Case.WITHDRAWN_MOVED_SCHOOL, course_identifier="ecf-induction", reason="other"
        )

        first, second = await _periods_of(engine, Case.WITHDRAWN_MOVED_SCHOOL)
        assert (first.withdrawal_reason, second.withdrawal_reason) == ("moved-school", "other")


class TestChangeSchedule:
    async def test_a_period_not_begun_yet_is_moved_where_it_stands(self, sandbox_db):
        (before,) = await _periods_of(sandbox_db.engine, Case.JOINING_ECT)

        await _act(
            sandbox_db.engine,
            change_schedule,
            Case.JOINING_ECT,
            course_identifier="ecf-induction",
            schedule_identifier="ecf-standard-january",
        )

        (after,) = await _periods_of(sandbox_db.engine, Case.JOINING_ECT)
        assert after.id == before.id
        assert after.schedule_id == schedule_id(2026, ScheduleIdentifier.STANDARD_JANUARY)
        assert after.started_on == before.started_on

    async def test_a_deferred_participant_stays_deferred_on_the_new_schedule(self, sandbox_db):
        (before,) = await _periods_of(sandbox_db.engine, Case.DEFERRED_OTHER)

        row = await _act(
            sandbox_db.engine,
            change_schedule,
            Case.DEFERRED_OTHER,
            course_identifier="ecf-induction",
            schedule_identifier="ecf-extended-september",
        )

        (after,) = await _periods_of(sandbox_db.engine, Case.DEFERRED_OTHER)
        assert (after.deferred_at, after.deferral_reason, after.finished_on) == (
            before.deferred_at,
            before.deferral_reason,
            before.finished_on,
        )
        assert after.schedule_id == schedule_id(2024, ScheduleIdentifier.EXTENDED_SEPTEMBER)
        (enrolment,) = row.enrolments
        assert (enrolment.training_status, enrolment.schedule_identifier) == (
            TrainingStatus.DEFERRED,
            ScheduleIdentifier.EXTENDED_SEPTEMBER,
        )

    async def test_a_billable_declaration_outside_the_new_window_for_its_type_stops_the_change(self, sandbox_db):
        # LEFT_ECT's started declaration (2023-10-02) is before 2023 standard-january's started window (2024-01-01 to 03-31).
        before = await _periods_of(sandbox_db.engine, Case.LEFT_ECT)
        with pytest.raises(ValidationFailed) as refused:
            await _act(
                sandbox_db.engine,
                change_schedule,
                Case.LEFT_ECT,
                course_identifier="ecf-induction",
                schedule_identifier="ecf-standard-january",
            )
        assert refused.value.errors == [
            FieldError(
                "schedule_identifier",
                "Changing schedule would invalidate existing declarations. Please void them first.",
            )
        ]
        assert await _periods_of(sandbox_db.engine, Case.LEFT_ECT) == before

    @pytest.mark.parametrize("cohort", ["²⁰²⁴", "2O24"])
    async def test_a_cohort_that_is_not_a_year_names_no_schedule(self, readonly_db, cohort):
        # "²⁰²⁴" passes str.isdigit but int() refuses it: it once reached the client as a 500.
        with pytest.raises(ValidationFailed) as refused:
            await _act(
                readonly_db.engine,
                change_schedule,
                Case.ACTIVE_ECT,
                course_identifier="ecf-induction",
                schedule_identifier="ecf-extended-september",
                cohort=cohort,
            )
        assert refused.value.errors == [
            FieldError(
                "schedule_identifier",
                "The property '#/schedule_identifier' must be present and correspond to a valid schedule.",
            )
        ]

    async def test_voided_declarations_are_not_at_stake(self, sandbox_db):
        engine = sandbox_db.engine
        async with write_transaction(engine) as conn:
            await conn.execute(
                update(_declarations)
                .where(_declarations.c.participant_id == case_id(Case.LEFT_ECT))
                .values(state="voided")
            )

        await _act(
            engine,
            change_schedule,
            Case.LEFT_ECT,
            course_identifier="ecf-induction",
            schedule_identifier="ecf-standard-january",
        )

        periods = await _periods_of(engine, Case.LEFT_ECT)
        assert periods[-1].schedule_id == schedule_id(2023, ScheduleIdentifier.STANDARD_JANUARY)

    async def test_leaving_a_frozen_cohort_marks_the_record_and_returning_to_it_clears_the_mark(self, sandbox_db):
        engine = sandbox_db.engine
        participant = case_id(Case.MOVED_FROM_FROZEN_COHORT)
        async with write_transaction(engine) as conn:
            # Its declarations predate any 2024 schedule; voided, none is at stake in the moves below.
            await conn.execute(
                update(_declarations).where(_declarations.c.participant_id == participant).values(state="voided")
            )
        school_before = await _updated_at(engine, _schools, case_id(Case.AMBITION_HOME_SCHOOL))

        returned = await _act(
            engine,
            change_schedule,
            Case.MOVED_FROM_FROZEN_COHORT,
            course_identifier="ecf-induction",
            schedule_identifier="ecf-extended-september",
            cohort="2022",
        )
        assert returned.enrolments[0].cohort_changed_after_payments_frozen is False
        assert await _updated_at(engine, _schools, case_id(Case.AMBITION_HOME_SCHOOL)) > school_before

        moved = await _act(
            engine,
            change_schedule,
            Case.MOVED_FROM_FROZEN_COHORT,
            course_identifier="ecf-induction",
            schedule_identifier="ecf-standard-january",
            cohort="2024",
        )
        (enrolment,) = moved.enrolments
        assert (enrolment.cohort_year, enrolment.cohort_changed_after_payments_frozen) == (2024, True)
        current = (await _periods_of(engine, Case.MOVED_FROM_FROZEN_COHORT))[-1]
        async with read_connection(engine) as conn:
            partnership = (
                await conn.execute(select(_partnerships).where(_partnerships.c.id == current.partnership_id))
            ).one()
        assert (partnership.cohort_id, partnership.lead_provider_id) == (cohort_id(2024), lead_provider_id(AMBITION))
