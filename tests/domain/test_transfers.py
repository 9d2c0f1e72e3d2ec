"""Transfers between schools (domain.md section 5), checked against the seeded sandbox."""

from __future__ import annotations

import uuid
from datetime import date, timedelta

import pytest
from sqlalchemy import insert, select

from gateway import clock
from gateway.db.engine import read_connection, write_transaction
from gateway.db.tables import TrainingPeriod, TrainingRecord
from gateway.domain.callers import Caller
from gateway.domain.errors import NotFound
from gateway.domain.paging import OffsetPage, SortKey
from gateway.domain.participants.transfers import (
    TransferFilters,
    count_participant_transfers,
    get_participant_transfers,
    list_participant_transfers,
    transfer_status,
    transfer_type,
    transfers_by_participant,
)
from gateway.sandbox.cases import DEFERRED, WITHDRAWN, Case, case_id
from gateway.sandbox.reference import AMBITION, BEST_PRACTICE_NETWORK, LEAD_PROVIDER_NAMES, TEACH_FIRST, cohort_id
from gateway.vocabulary import Role, TransferStatus, TransferType
from tests.participants_in_database import ParticipantsInDatabase

ALL = OffsetPage(size=3000)
ANALYST = Caller(role=Role.ANALYST)
TODAY = date(2025, 6, 15)
A, B = uuid.uuid4(), uuid.uuid4()


@pytest.fixture
async def sandbox(readonly_db) -> ParticipantsInDatabase:
    return await ParticipantsInDatabase.read(readonly_db.engine)


def provider(sandbox: ParticipantsInDatabase, name: str) -> Caller:
    return Caller(role=Role.LEAD_PROVIDER, lead_provider_id=sandbox.lead_provider_id(name), lead_provider_name=name)


async def transfers_of(caller: Caller, case: Case):
    async with read_connection() as conn:
        return (await get_participant_transfers(conn, caller, case_id(case))).transfers


async def listed(caller: Caller, filters: TransferFilters = TransferFilters(), order=(SortKey("created_at"),)):
    async with read_connection() as conn:
        return await list_participant_transfers(conn, caller, filters=filters, order=order, page=ALL)


class TestTransferType:
    def test_no_joining_period_is_unknown(self):
        assert transfer_type(A, False, None) is TransferType.UNKNOWN

    def test_the_same_provider_is_a_new_school(self):
        assert transfer_type(A, True, A) is TransferType.NEW_SCHOOL

    def test_another_provider_is_a_new_provider(self):
        assert transfer_type(A, True, B) is TransferType.NEW_PROVIDER

    def test_moving_to_school_led_training_is_a_new_provider(self):
        assert transfer_type(A, True, None) is TransferType.NEW_PROVIDER


class TestTransferStatus:
    def test_both_dates_past_is_complete(self):
        assert (
            transfer_status(TODAY - timedelta(days=2), TODAY - timedelta(days=1), today=TODAY)
            is TransferStatus.COMPLETE
        )

    def test_leaving_in_the_future_is_incomplete(self):
        assert transfer_status(TODAY + timedelta(days=1), None, today=TODAY) is TransferStatus.INCOMPLETE

    def test_joining_in_the_future_is_incomplete(self):
        assert transfer_status(TODAY, TODAY + timedelta(days=1), today=TODAY) is TransferStatus.INCOMPLETE

    def test_leaving_today_with_no_joining_is_complete(self):
        assert transfer_status(TODAY, None, today=TODAY) is TransferStatus.COMPLETE


class TestSeededTransfers:
    async def test_a_move_to_another_school_of_the_same_provider_is_a_new_school(self, sandbox):
        (transfer,) = await transfers_of(provider(sandbox, AMBITION), Case.TRANSFER_NEW_SCHOOL)
        assert (transfer.transfer_type, transfer.status) == (TransferType.NEW_SCHOOL, TransferStatus.COMPLETE)
        assert (transfer.leaving.school_urn, transfer.leaving.provider_name, transfer.leaving.date) == (
            "100001",
            AMBITION,
            date(2025, 3, 31),
        )
        assert (transfer.joining.school_urn, transfer.joining.provider_name, transfer.joining.date) == (
            "100002",
            AMBITION,
            date(2025, 4, 1),
        )

    @pytest.mark.parametrize("name", [AMBITION, TEACH_FIRST])
    async def test_a_move_to_another_provider_is_seen_by_both_providers(self, sandbox, name):
        (transfer,) = await transfers_of(provider(sandbox, name), Case.TRANSFER_NEW_PROVIDER)
        assert (transfer.transfer_type, transfer.status) == (TransferType.NEW_PROVIDER, TransferStatus.COMPLETE)
        assert (transfer.leaving.provider_name, transfer.joining.provider_name) == (AMBITION, TEACH_FIRST)
        assert (transfer.leaving.school_urn, transfer.joining.school_urn) == ("100001", "100003")

    async def test_leaving_for_nowhere_known_is_unknown(self, sandbox):
        (transfer,) = await transfers_of(provider(sandbox, AMBITION), Case.TRANSFER_UNKNOWN)
        assert (transfer.transfer_type, transfer.status, transfer.joining) == (
            TransferType.UNKNOWN,
            TransferStatus.COMPLETE,
            None,
        )
        assert transfer.leaving.date == date(2025, 6, 30)

    async def test_a_move_still_to_come_is_incomplete(self, sandbox):
        (transfer,) = await transfers_of(provider(sandbox, AMBITION), Case.TRANSFER_INCOMPLETE)
        assert (transfer.transfer_type, transfer.status) == (TransferType.NEW_SCHOOL, TransferStatus.INCOMPLETE)
        assert transfer.joining.date == transfer.leaving.date + timedelta(days=1) > clock.today()

    @pytest.mark.parametrize(
        "name, case",
        [
            (TEACH_FIRST, Case.TRANSFER_NEW_SCHOOL),
            (TEACH_FIRST, Case.TRANSFER_UNKNOWN),
            (TEACH_FIRST, Case.TRANSFER_INCOMPLETE),
            (BEST_PRACTICE_NETWORK, Case.TRANSFER_NEW_PROVIDER),
        ],
    )
    async def test_a_provider_on_neither_side_does_not_see_the_transfer(self, sandbox, name, case):
        with pytest.raises(NotFound):
            await transfers_of(provider(sandbox, name), case)

    async def test_a_period_followed_by_one_at_the_same_school_is_no_transfer(self, sandbox):
        # MOVED_FROM_FROZEN_COHORT changed cohort at the same school.
        with pytest.raises(NotFound):
            await transfers_of(provider(sandbox, AMBITION), Case.MOVED_FROM_FROZEN_COHORT)

    async def test_a_participant_without_a_finished_period_has_no_transfers(self, sandbox):
        with pytest.raises(NotFound):
            await transfers_of(provider(sandbox, AMBITION), Case.ACTIVE_ECT)


class TestOnlyTheSchoolsLeavingMakesATransfer:
    @pytest.mark.parametrize(
        "case",
        [
            *WITHDRAWN.values(),
            *DEFERRED.values(),
            Case.ECT_THEN_MENTOR,  # ECT training completed, then a mentor record
            Case.MENTOR_WITH_FUNDING_ENDED,  # completed, its period finished
            Case.SCHOOL_WITHDRAWN_ECT,  # the school withdrew it: not a move
        ],
    )
    async def test_a_period_ended_otherwise_is_no_transfer(self, sandbox, case):
        with pytest.raises(NotFound):
            await transfers_of(provider(sandbox, AMBITION), case)

    async def test_a_leaver_the_provider_withdrew_is_still_the_schools_leaver(self, sandbox):
        (transfer,) = await transfers_of(provider(sandbox, AMBITION), Case.WITHDRAWN_AND_LEAVING_ECT)
        assert (transfer.transfer_type, transfer.status, transfer.leaving.date, transfer.joining) == (
            TransferType.UNKNOWN,
            TransferStatus.INCOMPLETE,
            clock.today() + timedelta(days=45),
            None,
        )

    async def test_the_joining_period_is_the_next_one_at_another_school(self, sandbox_db):
        # TRANSFER_NEW_SCHOOL carries on at its new school on another schedule: still one transfer, to the first period.
        sandbox = await ParticipantsInDatabase.read(sandbox_db.engine)
        records, periods = TrainingRecord.__table__, TrainingPeriod.__table__
        async with write_transaction(sandbox_db.engine) as conn:
            record_id = (
                await conn.execute(
                    select(records.c.id).where(records.c.participant_id == case_id(Case.TRANSFER_NEW_SCHOOL))
                )
            ).scalar_one()
            joined = (
                await conn.execute(
                    select(periods).where(periods.c.training_record_id == record_id).order_by(periods.c.started_on)
                )
            ).all()[-1]
            await conn.execute(
                insert(periods).values(
                    {**joined._mapping, "id": uuid.uuid4(), "started_on": date(2025, 9, 1), "finished_on": None}
                )
            )
        (transfer,) = await transfers_of(provider(sandbox, AMBITION), Case.TRANSFER_NEW_SCHOOL)
        assert (transfer.transfer_type, transfer.joining.date) == (TransferType.NEW_SCHOOL, date(2025, 4, 1))


class TestListParticipantTransfers:
    @pytest.mark.parametrize("name", LEAD_PROVIDER_NAMES)
    async def test_one_item_per_participant_with_a_transfer_the_provider_is_on_a_side_of(self, sandbox, name):
        caller = provider(sandbox, name)
        expected = [uuid.UUID(r["id"]) for r in sandbox.transfers_seen_by(caller.lead_provider_id)]
        assert [item.id for item in await listed(caller)] == expected

    async def test_the_count_matches_the_list(self, sandbox):
        caller = provider(sandbox, TEACH_FIRST)
        async with read_connection() as conn:
            assert await count_participant_transfers(conn, caller, filters=TransferFilters()) == len(
                await listed(caller)
            )

    async def test_updated_since_keeps_participants_changed_at_or_after_it(self, sandbox):
        caller = provider(sandbox, AMBITION)
        everyone = await listed(caller)
        middle = sorted(item.updated_at for item in everyone)[len(everyone) // 2]
        found = await listed(caller, TransferFilters(updated_since=middle))
        assert [i.id for i in found] == [i.id for i in everyone if i.updated_at >= middle]

    async def test_an_analyst_sees_every_providers_transfers(self, sandbox):
        expected = set()
        for lead_provider_id in sandbox.lead_providers:
            expected |= {uuid.UUID(r["id"]) for r in sandbox.transfers_seen_by(lead_provider_id)}
        assert {item.id for item in await listed(ANALYST)} == expected

    async def test_an_analyst_naming_a_provider_sees_what_it_sees(self, sandbox):
        caller = provider(sandbox, TEACH_FIRST)
        as_analyst = await listed(ANALYST, TransferFilters(lead_provider_id=caller.lead_provider_id))
        assert as_analyst == await listed(caller)


class TestTransfersByParticipant:
    async def test_participants_without_visible_transfers_are_absent(self, sandbox):
        keys = [case_id(Case.TRANSFER_NEW_SCHOOL), case_id(Case.TRANSFER_NEW_PROVIDER), case_id(Case.ACTIVE_ECT)]
        async with read_connection() as conn:
            found = await transfers_by_participant(conn, provider(sandbox, TEACH_FIRST), keys)
        assert set(found) == {case_id(Case.TRANSFER_NEW_PROVIDER)}


class TestJoiningWithoutAPartnership:
    async def _join(self, db, school: Case, **period) -> None:
        records = TrainingRecord.__table__
        async with write_transaction(db.engine) as conn:
            record_id = (
                await conn.execute(
                    select(records.c.id).where(records.c.participant_id == case_id(Case.TRANSFER_UNKNOWN))
                )
            ).scalar_one()
            await conn.execute(
                insert(TrainingPeriod.__table__).values(
                    id=uuid.uuid4(),
                    training_record_id=record_id,
                    school_id=case_id(school),
                    cohort_id=cohort_id(2024),
                    started_on=date(2025, 9, 1),
                    **period,
                )
            )

    async def test_a_move_to_school_led_training_is_a_new_provider_with_no_provider_name(self, sandbox_db):
        await self._join(sandbox_db, Case.SCHOOL_LED_ONLY_SCHOOL, training_programme="school_led")
        sandbox = await ParticipantsInDatabase.read(sandbox_db.engine)
        (transfer,) = await transfers_of(provider(sandbox, AMBITION), Case.TRANSFER_UNKNOWN)
        assert (transfer.transfer_type, transfer.joining.school_urn, transfer.joining.provider_name) == (
            TransferType.NEW_PROVIDER,
            "100006",
            None,
        )

    async def test_a_move_to_a_school_that_chose_another_provider_names_that_provider(self, sandbox_db):
        sandbox = await ParticipantsInDatabase.read(sandbox_db.engine)
        await self._join(
            sandbox_db,
            Case.SCHOOL_WITH_EXPRESSION_OF_INTEREST,
            training_programme="provider_led",
            expression_of_interest_lead_provider_id=sandbox.lead_provider_id(BEST_PRACTICE_NETWORK),
        )
        (transfer,) = await transfers_of(provider(sandbox, AMBITION), Case.TRANSFER_UNKNOWN)
        assert (transfer.transfer_type, transfer.joining.provider_name) == (
            TransferType.NEW_PROVIDER,
            BEST_PRACTICE_NETWORK,
        )
        # An expression of interest is not a partnership: the other provider does not see the transfer yet.
        with pytest.raises(NotFound):
            await transfers_of(provider(sandbox, BEST_PRACTICE_NETWORK), Case.TRANSFER_UNKNOWN)
