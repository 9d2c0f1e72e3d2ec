"""Registrations, one per training record a provider trains, checked against a second reading of the sandbox's tables."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import update

from gateway import clock
from gateway.db.engine import read_connection, write_transaction
from gateway.db.tables import TrainingPeriod
from gateway.domain.callers import Caller
from gateway.domain.errors import NotFound
from gateway.domain.paging import KeysetPage, OffsetPage
from gateway.domain.participants.registrations import (
    RegistrationFilters,
    count_registrations,
    each_registration,
    get_registration,
    list_registrations,
)
from gateway.sandbox.cases import Case, case_id
from gateway.sandbox.reference import AMBITION, LEAD_PROVIDER_NAMES, TEACH_FIRST
from gateway.vocabulary import ParticipantType, Role
from tests.participants_in_database import ParticipantsInDatabase

ALL = OffsetPage(size=3000)


@pytest.fixture
async def sandbox(readonly_db) -> ParticipantsInDatabase:
    return await ParticipantsInDatabase.read(readonly_db.engine)


def provider(sandbox: ParticipantsInDatabase, name: str) -> Caller:
    return Caller(role=Role.LEAD_PROVIDER, lead_provider_id=sandbox.lead_provider_id(name), lead_provider_name=name)


def expected(sandbox: ParticipantsInDatabase, name: str) -> list[tuple[str, str, str]]:
    """(participant id, training record id, role) of every registration the provider trains, in the list's order."""
    return [
        (p["id"], e["training_record_id"], e["participant_type"])
        for p in sandbox.participants_seen_by(sandbox.lead_provider_id(name))
        for e in p["attributes"]["ecf_enrolments"]
    ]


def keys(rows) -> list[tuple[str, str, str]]:
    return [(str(r.participant_id), str(r.training_record_id), str(r.participant_type)) for r in rows]


async def listed(caller: Caller, filters: RegistrationFilters | None = None, page=ALL):
    async with read_connection() as conn:
        return await list_registrations(conn, caller, filters=filters or RegistrationFilters(), page=page)


class TestListRegistrations:
    @pytest.mark.parametrize("name", LEAD_PROVIDER_NAMES)
    async def test_each_provider_gets_one_row_per_enrolment_it_trains_in_order(self, sandbox, name):
        assert keys(await listed(provider(sandbox, name))) == expected(sandbox, name)

    async def test_an_ect_who_is_also_a_mentor_is_two_registrations_of_one_participant(self, sandbox):
        rows = [
            r for r in await listed(provider(sandbox, AMBITION)) if r.participant_id == case_id(Case.ECT_THEN_MENTOR)
        ]
        assert [r.participant_type for r in rows] == [ParticipantType.ECT, ParticipantType.MENTOR]
        assert len({r.training_record_id for r in rows}) == 2
        assert {r.enrolment.cohort_year for r in rows} == {2021, 2024}

    async def test_pages_count_registrations_not_people(self, sandbox):
        caller = provider(sandbox, AMBITION)
        whole = keys(await listed(caller))
        paged = []
        for number in range(1, len(whole) // 7 + 2):
            paged.extend(keys(await listed(caller, page=OffsetPage(number=number, size=7))))
        assert paged == whole
        assert len(whole) > len({participant for participant, _, _ in whole})

    async def test_keyset_pages_read_the_same_rows_and_each_registration_reads_them_all(self, sandbox):
        caller = provider(sandbox, AMBITION)
        first = await listed(caller, page=KeysetPage(size=5))
        assert len(first) == 6  # one more than the page: there is a next page
        after = await listed(caller, page=KeysetPage(size=5, after=first[4].position))
        whole = keys(await listed(caller))
        assert keys(first[:5] + after[:5]) == whole[:10]
        async with read_connection() as conn:
            streamed = [r async for r in each_registration(conn, caller, filters=RegistrationFilters(), batch_size=4)]
        assert keys(streamed) == whole

    async def test_the_cohort_filter_reads_each_registrations_own_cohort(self, sandbox):
        rows = await listed(provider(sandbox, AMBITION), RegistrationFilters(cohort_years=[2021]))
        assert rows and {r.enrolment.cohort_year for r in rows} == {2021}
        ect_then_mentor = [r for r in rows if r.participant_id == case_id(Case.ECT_THEN_MENTOR)]
        assert [r.participant_type for r in ect_then_mentor] == [ParticipantType.ECT]

    async def test_count_matches_the_list(self, sandbox):
        caller = provider(sandbox, TEACH_FIRST)
        async with read_connection() as conn:
            assert await count_registrations(conn, caller, filters=RegistrationFilters()) == len(await listed(caller))

    async def test_an_analyst_sees_a_providers_registrations_as_it_does(self, sandbox):
        analyst = Caller(role=Role.ANALYST)
        filters = RegistrationFilters(lead_provider_id=sandbox.lead_provider_id(TEACH_FIRST))
        assert keys(await listed(analyst, filters)) == expected(sandbox, TEACH_FIRST)


class TestUpdatedSince:
    async def test_a_change_to_one_registration_leaves_the_other_out_of_a_sync(self, sandbox_db):
        sandbox = await ParticipantsInDatabase.read(sandbox_db.engine)
        caller = provider(sandbox, AMBITION)
        mentor = await _registration(caller, Case.ECT_THEN_MENTOR, ParticipantType.MENTOR)
        later = clock.now() + timedelta(days=3)
        async with write_transaction() as conn:
            await conn.execute(
                update(TrainingPeriod.__table__)
                .where(TrainingPeriod.__table__.c.id == mentor.enrolment.training_period_id)
                .values(updated_at=later)
            )
        rows = await listed(caller, RegistrationFilters(updated_since=later - timedelta(seconds=1)))
        assert keys(rows) == [(str(mentor.participant_id), str(mentor.training_record_id), "mentor")]
        assert rows[0].updated_at == later


async def _registration(caller: Caller, case: Case, role: ParticipantType | None = None):
    async with read_connection() as conn:
        return await get_registration(conn, caller, case_id(case), participant_type=role)


class TestGetRegistration:
    async def test_a_participant_with_both_roles_answers_its_ect_registration(self, sandbox):
        row = await _registration(provider(sandbox, AMBITION), Case.ECT_THEN_MENTOR)
        assert row.participant_type is ParticipantType.ECT

    async def test_a_role_asks_for_that_registration(self, sandbox):
        row = await _registration(provider(sandbox, AMBITION), Case.ECT_THEN_MENTOR, ParticipantType.MENTOR)
        assert row.participant_type is ParticipantType.MENTOR

    async def test_another_providers_participant_is_not_found(self, sandbox):
        with pytest.raises(NotFound):
            await _registration(provider(sandbox, TEACH_FIRST), Case.ACTIVE_ECT)

    async def test_a_role_the_provider_does_not_train_is_not_found(self, sandbox):
        with pytest.raises(NotFound):
            await _registration(provider(sandbox, AMBITION), Case.ACTIVE_ECT, ParticipantType.MENTOR)


class TestIsCurrent:
    @pytest.mark.parametrize(
        ("case", "current"),
        [
            (Case.ACTIVE_ECT, True),
            (Case.JOINING_ECT, True),
            (Case.LEAVING_ECT, True),
            (Case.LEFT_ECT, False),
            (Case.TRANSFER_UNKNOWN, False),
        ],
    )
    async def test_a_registration_is_current_until_the_school_ends_it(self, sandbox, case, current):
        row = await _registration(provider(sandbox, AMBITION), case)
        assert row.is_current is current
