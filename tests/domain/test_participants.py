"""Participants a caller sees, with their enrolments (domain.md section 5), checked against the seeded sandbox."""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import literal, select

from gateway import clock
from gateway.db.engine import read_connection, write_transaction
from gateway.db.tables import Participant, TrainingPeriod, TrainingRecord
from gateway.db.types import UTCDateTime
from gateway.domain.callers import Caller
from gateway.domain.errors import NotFound
from gateway.domain.paging import KeysetPage, OffsetPage, SortKey
from gateway.domain.participants.actions import withdraw_participant
from gateway.domain.participants.enrolments import participant_status, training_status, training_status_sql
from gateway.domain.participants.queries import (
    ParticipantFilters,
    count_participants,
    get_participant,
    list_participants,
    participants_by_id,
    participants_by_partnership,
)
from gateway.sandbox.cases import DEFERRED, WITHDRAWN, Case, case_id
from gateway.sandbox.reference import AMBITION, BEST_PRACTICE_NETWORK, LEAD_PROVIDER_NAMES, TEACH_FIRST
from gateway.vocabulary import ParticipantStatus, ParticipantType, Role, TrainingStatus
from tests.participants_in_database import ParticipantsInDatabase

ALL = OffsetPage(size=3000)
ANALYST = Caller(role=Role.ANALYST)
TODAY = date(2025, 6, 15)
NOON = datetime(2025, 6, 15, 12, tzinfo=UTC)


@pytest.fixture
async def sandbox(readonly_db) -> ParticipantsInDatabase:
    return await ParticipantsInDatabase.read(readonly_db.engine)


def provider(sandbox: ParticipantsInDatabase, name: str) -> Caller:
    return Caller(role=Role.LEAD_PROVIDER, lead_provider_id=sandbox.lead_provider_id(name), lead_provider_name=name)


async def seen(
    caller: Caller, filters: ParticipantFilters = ParticipantFilters(), order=(SortKey("created_at"),), page=ALL
):
    async with read_connection() as conn:
        return await list_participants(conn, caller, filters=filters, order=order, page=page)


async def one(caller: Caller, case: Case):
    async with read_connection() as conn:
        return await get_participant(conn, caller, case_id(case))


def only_enrolment(participant, role: ParticipantType = ParticipantType.ECT):
    (enrolment,) = [e for e in participant.enrolments if e.participant_type is role]
    return enrolment


class TestTrainingStatus:
    def test_no_withdrawal_or_deferral_is_active(self):
        assert training_status(None, None) is TrainingStatus.ACTIVE

    def test_a_withdrawal_alone_is_withdrawn(self):
        assert training_status(NOON, None) is TrainingStatus.WITHDRAWN

    def test_a_deferral_alone_is_deferred(self):
        assert training_status(None, NOON) is TrainingStatus.DEFERRED

    def test_a_deferral_after_a_withdrawal_is_deferred(self):
        assert training_status(NOON, NOON + timedelta(days=1)) is TrainingStatus.DEFERRED

    def test_a_withdrawal_after_a_deferral_is_withdrawn(self):
        assert training_status(NOON + timedelta(days=1), NOON) is TrainingStatus.WITHDRAWN

    def test_the_same_moment_counts_as_withdrawn(self):
        assert training_status(NOON, NOON) is TrainingStatus.WITHDRAWN

    @pytest.mark.parametrize(
        "withdrawn_at, deferred_at",
        [
            (None, None),
            (NOON, None),
            (None, NOON),
            (NOON, NOON + timedelta(seconds=1)),
            (NOON + timedelta(seconds=1), NOON),
            (NOON, NOON),
        ],
    )
    async def test_the_sql_filter_applies_the_same_rule(self, readonly_db, withdrawn_at, deferred_at):
        stmt = select(training_status_sql(literal(withdrawn_at, UTCDateTime()), literal(deferred_at, UTCDateTime())))
        async with read_connection() as conn:
            assert (await conn.execute(stmt)).scalar_one() == training_status(withdrawn_at, deferred_at).value


class TestParticipantStatus:
    """The school's view: only what the school reported moves it (domain.md section 5)."""

    def test_a_started_period_the_school_said_nothing_about_is_active(self):
        assert participant_status(None, None, TODAY, today=TODAY) is ParticipantStatus.ACTIVE

    def test_a_period_starting_tomorrow_is_joining(self):
        assert participant_status(None, None, TODAY + timedelta(days=1), today=TODAY) is ParticipantStatus.JOINING

    def test_a_leaving_date_tomorrow_is_leaving(self):
        assert (
            participant_status(None, TODAY + timedelta(days=1), TODAY - timedelta(days=90), today=TODAY)
            is ParticipantStatus.LEAVING
        )

    def test_a_leaving_date_today_has_left(self):
        assert participant_status(None, TODAY, TODAY - timedelta(days=90), today=TODAY) is ParticipantStatus.LEFT

    def test_a_leaving_date_beats_a_start_in_the_future(self):
        assert (
            participant_status(None, TODAY + timedelta(days=5), TODAY + timedelta(days=1), today=TODAY)
            is ParticipantStatus.LEAVING
        )

    def test_the_schools_withdrawal_beats_its_leaving_date(self):
        assert (
            participant_status(NOON, TODAY + timedelta(days=3), TODAY - timedelta(days=90), today=TODAY)
            is ParticipantStatus.WITHDRAWN
        )

    def test_the_schools_withdrawal_beats_a_start_in_the_future(self):
        assert participant_status(NOON, None, TODAY + timedelta(days=10), today=TODAY) is ParticipantStatus.WITHDRAWN

    def test_today_defaults_to_the_gateway_clock(self):
        with clock.travel_to(datetime(2030, 1, 1, tzinfo=UTC)):
            assert participant_status(None, date(2030, 1, 2), date(2029, 12, 31)) is ParticipantStatus.LEAVING


class TestListParticipants:
    @pytest.mark.parametrize("name", LEAD_PROVIDER_NAMES)
    async def test_a_provider_sees_the_participants_with_a_period_under_its_partnerships(self, sandbox, name):
        caller = provider(sandbox, name)
        expected = [uuid.UUID(r["id"]) for r in sandbox.participants_seen_by(caller.lead_provider_id)]
        assert [p.id for p in await seen(caller)] == expected

    async def test_each_enrolment_is_the_latest_period_of_its_role_with_the_provider(self, sandbox):
        caller = provider(sandbox, AMBITION)
        for participant in await seen(caller):
            expected = sandbox.enrolments(participant.id, caller.lead_provider_id)
            assert [(str(e.training_record_id), e.school_urn, e.cohort) for e in participant.enrolments] == [
                (e["training_record_id"], e["school_urn"], e["cohort"]) for e in expected
            ]

    async def test_an_expression_of_interest_alone_does_not_make_a_participant_visible(self, sandbox):
        for name in (AMBITION, BEST_PRACTICE_NETWORK):
            ids = {p.id for p in await seen(provider(sandbox, name))}
            assert case_id(Case.EXPRESSION_OF_INTEREST_ECT) not in ids
            assert case_id(Case.EXPRESSION_OF_INTEREST_ECT_OTHER_PROVIDER) not in ids

    async def test_a_participant_who_moved_provider_stays_visible_to_both(self, sandbox):
        for name in (AMBITION, TEACH_FIRST):
            assert case_id(Case.TRANSFER_NEW_PROVIDER) in {p.id for p in await seen(provider(sandbox, name))}
        assert case_id(Case.TRANSFER_NEW_PROVIDER) not in {
            p.id for p in await seen(provider(sandbox, BEST_PRACTICE_NETWORK))
        }

    async def test_the_count_matches_the_list(self, sandbox):
        caller = provider(sandbox, AMBITION)
        async with read_connection() as conn:
            assert await count_participants(conn, caller, filters=ParticipantFilters()) == len(await seen(caller))

    async def test_pages_of_the_keyset_cover_the_list_once_in_order(self, sandbox):
        caller = provider(sandbox, AMBITION)
        order = (SortKey("updated_at", descending=True),)
        everything = [p.id for p in await seen(caller, order=order)]
        paged, after = [], None
        while True:
            page = await seen(caller, order=order, page=KeysetPage(size=25, after=after))
            paged.extend(p.id for p in page[:25])
            if len(page) <= 25:
                break
            last = page[24]
            after = (last.updated_at, last.id)
        assert paged == everything

    async def test_sorting_by_updated_at_descending_puts_the_latest_change_first(self, sandbox):
        rows = await seen(provider(sandbox, AMBITION), order=(SortKey("updated_at", descending=True),))
        assert [r.updated_at for r in rows] == sorted((r.updated_at for r in rows), reverse=True)


class TestEnrolmentsOfTheSeededCases:
    async def test_an_active_ect_is_active(self, sandbox):
        enrolment = only_enrolment(await one(provider(sandbox, AMBITION), Case.ACTIVE_ECT))
        assert (enrolment.training_status, enrolment.participant_status) == (
            TrainingStatus.ACTIVE,
            ParticipantStatus.ACTIVE,
        )
        assert enrolment.mentor_id == case_id(Case.FUNDED_MENTOR)
        assert enrolment.pupil_premium_uplift is True

    @pytest.mark.parametrize(
        "case, status",
        [
            (Case.JOINING_ECT, ParticipantStatus.JOINING),
            (Case.LEAVING_ECT, ParticipantStatus.LEAVING),
            (Case.LEFT_ECT, ParticipantStatus.LEFT),
        ],
    )
    async def test_the_participant_status_follows_the_period_dates(self, sandbox, case, status):
        enrolment = only_enrolment(await one(provider(sandbox, AMBITION), case))
        assert (enrolment.training_status, enrolment.participant_status) == (TrainingStatus.ACTIVE, status)

    async def test_a_school_withdrawal_is_the_schools_status_and_not_the_providers(self, sandbox):
        enrolment = only_enrolment(await one(provider(sandbox, AMBITION), Case.SCHOOL_WITHDRAWN_ECT))
        assert (enrolment.training_status, enrolment.participant_status) == (
            TrainingStatus.ACTIVE,
            ParticipantStatus.WITHDRAWN,
        )
        assert enrolment.withdrawal is None

    async def test_each_side_keeps_its_own_status_when_both_reported(self, sandbox):
        enrolment = only_enrolment(await one(provider(sandbox, AMBITION), Case.WITHDRAWN_AND_LEAVING_ECT))
        assert (enrolment.training_status, enrolment.participant_status) == (
            TrainingStatus.WITHDRAWN,
            ParticipantStatus.LEAVING,
        )

    @pytest.mark.parametrize("reason", list(WITHDRAWN))
    async def test_a_withdrawn_participant_shows_the_withdrawal(self, sandbox, reason):
        participant = await one(provider(sandbox, AMBITION), WITHDRAWN[reason])
        (enrolment,) = participant.enrolments
        assert enrolment.training_status is TrainingStatus.WITHDRAWN
        # The provider's withdrawal is not the school's: the participant is still at the school.
        assert enrolment.participant_status is ParticipantStatus.ACTIVE
        assert enrolment.withdrawal is not None and enrolment.withdrawal.reason == reason.value
        assert enrolment.deferral is None

    @pytest.mark.parametrize("reason", list(DEFERRED))
    async def test_a_deferred_participant_shows_the_deferral(self, sandbox, reason):
        enrolment = only_enrolment(await one(provider(sandbox, AMBITION), DEFERRED[reason]))
        assert enrolment.training_status is TrainingStatus.DEFERRED
        assert enrolment.participant_status is ParticipantStatus.ACTIVE
        assert enrolment.deferral is not None and enrolment.deferral.reason == reason.value
        assert enrolment.withdrawal is None

    async def test_an_ect_who_became_a_mentor_has_two_enrolments(self, sandbox):
        participant = await one(provider(sandbox, AMBITION), Case.ECT_THEN_MENTOR)
        assert [(e.participant_type, e.cohort) for e in participant.enrolments] == [
            (ParticipantType.ECT, "2021"),
            (ParticipantType.MENTOR, "2024"),
        ]
        assert participant.enrolments[0].training_record_id != participant.enrolments[1].training_record_id
        assert participant.enrolments[1].mentor_id is None

    async def test_a_merged_identity_shows_as_a_participant_id_change(self, sandbox):
        participant = await one(provider(sandbox, AMBITION), Case.ECT_WITH_ID_CHANGE)
        (change,) = participant.participant_id_changes
        assert (change.from_participant_id, change.to_participant_id) == (
            case_id(Case.MERGED_AWAY_PARTICIPANT),
            participant.id,
        )
        assert change.changed_at == datetime(2025, 1, 10, 14, tzinfo=UTC)

    async def test_a_participant_moved_out_of_a_frozen_cohort_is_enrolled_in_the_new_one(self, sandbox):
        enrolment = only_enrolment(await one(provider(sandbox, AMBITION), Case.MOVED_FROM_FROZEN_COHORT))
        assert enrolment.cohort == "2024"
        assert enrolment.cohort_changed_after_payments_frozen is True

    async def test_each_provider_reads_its_own_period_of_a_participant_who_moved_provider(self, sandbox):
        leaving = only_enrolment(await one(provider(sandbox, AMBITION), Case.TRANSFER_NEW_PROVIDER))
        joining = only_enrolment(await one(provider(sandbox, TEACH_FIRST), Case.TRANSFER_NEW_PROVIDER))
        assert (leaving.school_urn, leaving.participant_status) == ("100001", ParticipantStatus.LEFT)
        assert (joining.school_urn, joining.participant_status) == ("100003", ParticipantStatus.ACTIVE)
        assert leaving.training_record_id == joining.training_record_id
        assert leaving.delivery_partner_id != joining.delivery_partner_id

    async def test_a_mentor_whose_funding_ended_shows_why(self, sandbox):
        enrolment = only_enrolment(
            await one(provider(sandbox, AMBITION), Case.MENTOR_WITH_FUNDING_ENDED), ParticipantType.MENTOR
        )
        assert enrolment.mentor_funding_end_date == date(2026, 6, 15)
        assert enrolment.mentor_ineligible_for_funding_reason == "completed_declaration_received"


class TestFilters:
    async def test_an_unknown_training_status_matches_nothing(self, sandbox):
        assert await seen(provider(sandbox, AMBITION), ParticipantFilters(training_statuses=["retired"])) == []

    @pytest.mark.parametrize("status", list(TrainingStatus))
    async def test_a_training_status_keeps_participants_with_an_enrolment_in_it(self, sandbox, status):
        caller = provider(sandbox, AMBITION)
        expected = {
            uuid.UUID(r["id"])
            for r in sandbox.participants_seen_by(caller.lead_provider_id)
            if any(e["training_status"] == status.value for e in r["attributes"]["ecf_enrolments"])
        }
        found = {p.id for p in await seen(caller, ParticipantFilters(training_statuses=[status.value]))}
        assert found == expected and found

    async def test_withdrawn_finds_every_seeded_withdrawal(self, sandbox):
        found = {
            p.id for p in await seen(provider(sandbox, AMBITION), ParticipantFilters(training_statuses=["withdrawn"]))
        }
        assert {case_id(case) for case in WITHDRAWN.values()} <= found

    async def test_a_cohort_keeps_participants_enrolled_in_it(self, sandbox):
        caller = provider(sandbox, AMBITION)
        expected = {
            uuid.UUID(r["id"])
            for r in sandbox.participants_seen_by(caller.lead_provider_id)
            if any(e["cohort"] == "2021" for e in r["attributes"]["ecf_enrolments"])
        }
        found = {p.id for p in await seen(caller, ParticipantFilters(cohort_years=[2021]))}
        assert found == expected and case_id(Case.ECT_THEN_MENTOR) in found

    async def test_cohort_and_training_status_must_hold_for_the_same_enrolment(self, sandbox):
        # ECT_THEN_MENTOR: an active 2021 ECT enrolment and an active 2024 mentor one; nothing of theirs is withdrawn.
        found = {
            p.id
            for p in await seen(
                provider(sandbox, AMBITION), ParticipantFilters(cohort_years=[2021], training_statuses=["withdrawn"])
            )
        }
        assert case_id(Case.ECT_THEN_MENTOR) not in found

    async def test_from_participant_id_finds_the_participant_merged_into(self, sandbox):
        filters = ParticipantFilters(from_participant_ids=[case_id(Case.MERGED_AWAY_PARTICIPANT)])
        assert [p.id for p in await seen(provider(sandbox, AMBITION), filters)] == [case_id(Case.ECT_WITH_ID_CHANGE)]

    async def test_from_participant_id_of_another_providers_participant_finds_nothing(self, sandbox):
        filters = ParticipantFilters(from_participant_ids=[case_id(Case.MERGED_AWAY_PARTICIPANT)])
        assert await seen(provider(sandbox, TEACH_FIRST), filters) == []

    async def test_updated_since_is_inclusive(self, sandbox):
        caller = provider(sandbox, AMBITION)
        everyone = await seen(caller)
        middle = sorted(p.updated_at for p in everyone)[len(everyone) // 2]
        found = {p.id for p in await seen(caller, ParticipantFilters(updated_since=middle))}
        assert found == {p.id for p in everyone if p.updated_at >= middle}


class TestUpdatedAt:
    """The lists read the participant's own ``updated_at``: every writer of a record or period stamps it."""

    async def test_each_seeded_participant_carries_its_latest_record_or_period_change(self, readonly_db):
        participants, periods, records = Participant.__table__, TrainingPeriod.__table__, TrainingRecord.__table__
        changes = select(records.c.participant_id, records.c.updated_at).union_all(
            select(records.c.participant_id, periods.c.updated_at).join(
                periods, periods.c.training_record_id == records.c.id
            )
        )
        async with read_connection(readonly_db.engine) as conn:
            latest: dict[uuid.UUID, datetime] = {}
            for participant_id, changed_at in await conn.execute(changes):
                latest[participant_id] = max(changed_at, latest.get(participant_id, changed_at))
            stored = dict((await conn.execute(select(participants.c.id, participants.c.updated_at))).all())
        later_than_own = [pid for pid, changed_at in latest.items() if changed_at > stored[pid]]
        assert later_than_own == []
        # and some participants changed after they were created (a withdrawal, a second period), as in real data
        assert any(changed_at > min(latest.values()) for changed_at in latest.values())

    async def test_a_sync_sees_what_an_action_changed_at_the_moment_it_changed(self, sandbox_db):
        sandbox = await ParticipantsInDatabase.read(sandbox_db.engine)
        caller = provider(sandbox, AMBITION)
        moment = datetime(2031, 3, 4, 5, 6, 7, tzinfo=UTC)
        with clock.travel_to(moment):
            async with write_transaction(sandbox_db.engine) as conn:
                await withdraw_participant(
                    conn, caller, case_id(Case.ACTIVE_ECT), reason="moved-school", course_identifier="ecf-induction"
                )
        found = await seen(caller, ParticipantFilters(updated_since=moment))
        assert [(p.id, p.updated_at) for p in found] == [(case_id(Case.ACTIVE_ECT), moment)]


class TestAnalysts:
    async def test_an_analyst_sees_every_providers_participants(self, sandbox):
        expected = set().union(*(sandbox.visible(lp) for lp in sandbox.lead_providers))
        assert {p.id for p in await seen(ANALYST)} == expected

    async def test_an_analyst_naming_a_provider_sees_what_it_sees(self, sandbox):
        caller = provider(sandbox, TEACH_FIRST)
        as_provider = await seen(caller)
        as_analyst = await seen(ANALYST, ParticipantFilters(lead_provider_id=caller.lead_provider_id))

        def seen_alike(enrolment):
            # The school's flags report the reader's own interest: the provider's, or (analysts) any provider's.
            return replace(enrolment, school=replace(enrolment.school, interest_of=None))

        assert [(p.id, [seen_alike(e) for e in p.enrolments]) for p in as_analyst] == [
            (p.id, [seen_alike(e) for e in p.enrolments]) for p in as_provider
        ]

    async def test_an_analyst_reads_the_latest_period_of_any_provider(self, sandbox):
        participant = await one(ANALYST, Case.TRANSFER_NEW_PROVIDER)
        assert [e.school_urn for e in participant.enrolments] == ["100003"]


class TestGetParticipant:
    async def test_another_providers_participant_is_not_found(self, sandbox):
        with pytest.raises(NotFound):
            await one(provider(sandbox, TEACH_FIRST), Case.ACTIVE_ECT)

    async def test_a_merged_away_id_is_not_found(self, sandbox):
        with pytest.raises(NotFound):
            await one(provider(sandbox, AMBITION), Case.MERGED_AWAY_PARTICIPANT)

    async def test_lookups_by_id_leave_out_participants_the_caller_cannot_see(self, sandbox):
        async with read_connection() as conn:
            found = await participants_by_id(
                conn, provider(sandbox, TEACH_FIRST), [case_id(Case.ACTIVE_ECT), case_id(Case.TRANSFER_NEW_PROVIDER)]
            )
        assert set(found) == {case_id(Case.TRANSFER_NEW_PROVIDER)}


class TestParticipantsByPartnership:
    async def test_each_partnership_lists_the_participants_with_a_period_on_it(self, sandbox):
        caller = provider(sandbox, AMBITION)
        partnership_ids = [p.id for p in sandbox.partnerships.values() if p.lead_provider_id == caller.lead_provider_id]
        async with read_connection() as conn:
            found = await participants_by_partnership(conn, caller, partnership_ids)
        for partnership_id in partnership_ids:
            expected = {sandbox.participant_of(p) for p in sandbox.periods if p.partnership_id == partnership_id}
            assert {p.id for p in found.get(partnership_id, [])} == expected

    async def test_another_providers_partnership_shows_only_participants_the_caller_trains(self, sandbox):
        teach_first = sandbox.lead_provider_id(TEACH_FIRST)
        partnership_ids = [p.id for p in sandbox.partnerships.values() if p.lead_provider_id == teach_first]
        caller = provider(sandbox, AMBITION)
        async with read_connection() as conn:
            found = await participants_by_partnership(conn, caller, partnership_ids)
        seen_ids = {p.id for rows in found.values() for p in rows}
        assert seen_ids <= sandbox.visible(caller.lead_provider_id)
        assert case_id(Case.TRANSFER_NEW_PROVIDER) in seen_ids
