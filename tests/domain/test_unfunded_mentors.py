"""Unfunded mentors: mentors of a provider's ECTs with no training period of their own with it (domain.md section 5)."""

from __future__ import annotations

import uuid

import pytest

from gateway.db.engine import read_connection
from gateway.domain.callers import Caller
from gateway.domain.errors import NotFound
from gateway.domain.paging import OffsetPage, SortKey
from gateway.domain.participants.unfunded_mentors import (
    UnfundedMentorFilters,
    count_unfunded_mentors,
    get_unfunded_mentor,
    list_unfunded_mentors,
    mentees_by_mentor,
    unfunded_mentors_by_id,
)
from gateway.sandbox.cases import Case, case_id
from gateway.sandbox.reference import AMBITION, LEAD_PROVIDER_NAMES, TEACH_FIRST
from gateway.vocabulary import Role
from tests.participants_in_database import ParticipantsInDatabase

ALL = OffsetPage(size=3000)
ANALYST = Caller(role=Role.ANALYST)


@pytest.fixture
async def sandbox(readonly_db) -> ParticipantsInDatabase:
    return await ParticipantsInDatabase.read(readonly_db.engine)


def provider(sandbox: ParticipantsInDatabase, name: str) -> Caller:
    return Caller(role=Role.LEAD_PROVIDER, lead_provider_id=sandbox.lead_provider_id(name), lead_provider_name=name)


async def listed(
    caller: Caller, filters: UnfundedMentorFilters = UnfundedMentorFilters(), order=(SortKey("created_at"),)
):
    async with read_connection() as conn:
        return await list_unfunded_mentors(conn, caller, filters=filters, order=order, page=ALL)


class TestListUnfundedMentors:
    @pytest.mark.parametrize("name", LEAD_PROVIDER_NAMES)
    async def test_lists_the_mentors_of_the_providers_ects_who_do_not_train_with_it(self, sandbox, name):
        caller = provider(sandbox, name)
        expected = [uuid.UUID(r["id"]) for r in sandbox.unfunded_mentors_seen_by(caller.lead_provider_id)]
        assert [m.id for m in await listed(caller)] == expected

    async def test_the_seeded_unfunded_mentor_is_unfunded_for_the_provider_of_its_mentee_only(self, sandbox):
        assert case_id(Case.UNFUNDED_MENTOR) in {m.id for m in await listed(provider(sandbox, AMBITION))}
        # Teach First trains this mentor: for Teach First the mentor is one of its participants.
        assert case_id(Case.UNFUNDED_MENTOR) not in {m.id for m in await listed(provider(sandbox, TEACH_FIRST))}

    async def test_a_mentor_trained_by_the_provider_is_not_unfunded(self, sandbox):
        found = {m.id for m in await listed(provider(sandbox, AMBITION))}
        assert case_id(Case.FUNDED_MENTOR) not in found and case_id(Case.ECT_THEN_MENTOR) not in found

    async def test_the_mentor_of_a_school_led_ect_is_nobodys_unfunded_mentor(self, sandbox):
        assert case_id(Case.SCHOOL_LED_MENTOR) not in {m.id for m in await listed(ANALYST)}

    async def test_the_email_is_the_one_of_the_mentors_latest_period(self, sandbox):
        (mentor,) = [m for m in await listed(provider(sandbox, AMBITION)) if m.id == case_id(Case.UNFUNDED_MENTOR)]
        assert mentor.email == sandbox.unfunded_mentor(mentor.id)["attributes"]["email"]
        assert mentor.email.endswith("@100004.schools.example")
        assert mentor.full_name == "Daniel Okafor"

    async def test_the_count_matches_the_list(self, sandbox):
        caller = provider(sandbox, TEACH_FIRST)
        async with read_connection() as conn:
            assert await count_unfunded_mentors(conn, caller, filters=UnfundedMentorFilters()) == len(
                await listed(caller)
            )

    async def test_updated_since_keeps_mentors_changed_at_or_after_it(self, sandbox):
        caller = provider(sandbox, TEACH_FIRST)
        everyone = await listed(caller)
        middle = sorted(m.updated_at for m in everyone)[len(everyone) // 2]
        found = await listed(caller, UnfundedMentorFilters(updated_since=middle))
        assert [m.id for m in found] == [m.id for m in everyone if m.updated_at >= middle]

    async def test_sorted_by_updated_at_descending(self, sandbox):
        found = await listed(provider(sandbox, TEACH_FIRST), order=(SortKey("updated_at", descending=True),))
        assert [(m.updated_at, m.id) for m in found] == sorted(
            ((m.updated_at, m.id) for m in found), key=lambda k: (-k[0].timestamp(), k[1])
        )

    async def test_an_analyst_sees_the_mentors_unfunded_for_any_provider(self, sandbox):
        expected = set().union(*(sandbox.unfunded_mentor_ids(lp) for lp in sandbox.lead_providers))
        assert {m.id for m in await listed(ANALYST)} == expected


class TestGetUnfundedMentor:
    async def test_a_mentor_the_provider_trains_is_not_found(self, sandbox):
        async with read_connection() as conn:
            with pytest.raises(NotFound):
                await get_unfunded_mentor(conn, provider(sandbox, TEACH_FIRST), case_id(Case.UNFUNDED_MENTOR))

    async def test_lookups_by_id_leave_out_mentors_that_are_not_unfunded_for_the_caller(self, sandbox):
        async with read_connection() as conn:
            found = await unfunded_mentors_by_id(
                conn, provider(sandbox, AMBITION), [case_id(Case.UNFUNDED_MENTOR), case_id(Case.FUNDED_MENTOR)]
            )
        assert set(found) == {case_id(Case.UNFUNDED_MENTOR)}


class TestMentees:
    async def test_the_mentees_are_the_providers_ects_the_mentor_mentors(self, sandbox):
        caller = provider(sandbox, AMBITION)
        async with read_connection() as conn:
            found = await mentees_by_mentor(conn, caller, [case_id(Case.UNFUNDED_MENTOR)])
        assert [p.id for p in found[case_id(Case.UNFUNDED_MENTOR)]] == [case_id(Case.ECT_WITH_UNFUNDED_MENTOR)]

    async def test_every_listed_mentor_has_the_mentees_the_database_says(self, sandbox):
        caller = provider(sandbox, TEACH_FIRST)
        mentors = await listed(caller)
        async with read_connection() as conn:
            found = await mentees_by_mentor(conn, caller, [m.id for m in mentors])
        assert {m.id: {p.id for p in found[m.id]} for m in mentors} == {
            m.id: sandbox.mentees(m.id, caller.lead_provider_id) for m in mentors
        }
