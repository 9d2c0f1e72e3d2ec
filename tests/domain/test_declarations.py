"""Which declarations a caller sees (domain.md section 6, "Visible declarations"), filtered, ordered and looked up."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import pytest

from gateway.db.engine import read_connection
from gateway.domain.callers import Caller
from gateway.domain.declarations.queries import (
    DeclarationFilters,
    count_declarations,
    declarations_by_participant,
    declarations_by_statement,
    get_declaration,
    list_declarations,
    uplift_paid,
)
from gateway.domain.errors import NotFound
from gateway.domain.paging import OffsetPage
from gateway.vocabulary import DeclarationState, Role
from tests.fixtures.declaration_world import World
from tests.support import StatementCounter

ALL = OffsetPage(size=3000)


def provider(w: World, name: str) -> Caller:
    return Caller(
        role=Role.LEAD_PROVIDER, lead_provider_id=w.lead_providers[name], lead_provider_name=f"{name} Training"
    )


ANALYST = Caller(role=Role.ANALYST)


async def ids_seen(caller: Caller, filters: DeclarationFilters = DeclarationFilters(), page=ALL) -> list[uuid.UUID]:
    async with read_connection() as conn:
        return [row.id for row in await list_declarations(conn, caller, filters=filters, page=page)]


class TestUpliftPaid:
    @pytest.mark.parametrize("state", ["paid", "awaiting-clawback", "clawed-back"])
    def test_an_ect_started_declaration_once_paid_pays_the_uplift(self, state):
        assert uplift_paid(
            declaration_type="started",
            course_identifier="ecf-induction",
            state=state,
            pupil_premium_uplift=True,
            sparsity_uplift=False,
        )

    @pytest.mark.parametrize("state", ["submitted", "eligible", "payable", "voided", "ineligible"])
    def test_an_unpaid_declaration_pays_no_uplift(self, state):
        assert not uplift_paid(
            declaration_type="started",
            course_identifier="ecf-induction",
            state=state,
            pupil_premium_uplift=True,
            sparsity_uplift=True,
        )

    def test_a_sparsity_uplift_alone_is_enough(self):
        assert uplift_paid(
            declaration_type="started",
            course_identifier="ecf-induction",
            state="paid",
            pupil_premium_uplift=False,
            sparsity_uplift=True,
        )

    def test_no_uplift_flag_means_no_uplift(self):
        assert not uplift_paid(
            declaration_type="started",
            course_identifier="ecf-induction",
            state="paid",
            pupil_premium_uplift=False,
            sparsity_uplift=False,
        )

    def test_a_mentor_never_has_an_uplift(self):
        assert not uplift_paid(
            declaration_type="started",
            course_identifier="ecf-mentor",
            state="paid",
            pupil_premium_uplift=True,
            sparsity_uplift=True,
        )

    def test_only_the_started_declaration_carries_the_uplift(self):
        assert not uplift_paid(
            declaration_type="retained-1",
            course_identifier="ecf-induction",
            state="paid",
            pupil_premium_uplift=True,
            sparsity_uplift=True,
        )


class TestListDeclarations:
    async def test_a_provider_sees_its_own_and_others_billable_declarations_of_its_participants(self, world):
        assert set(await ids_seen(provider(world, "Alpha"))) == world.visible_to_alpha()

    async def test_another_providers_billable_declaration_of_a_participant_it_trained_is_visible(self, world):
        seen = await ids_seen(provider(world, "Alpha"))
        assert world.declarations["moved_in_started"] in seen
        assert world.declarations["moved_in_retained_1"] in seen

    async def test_another_providers_voided_declaration_is_not_visible(self, world):
        assert world.declarations["moved_in_retained_2"] not in await ids_seen(provider(world, "Alpha"))

    async def test_a_declaration_dated_on_the_last_day_of_the_providers_time_is_visible(self, world):
        assert world.declarations["moved_out_started"] in await ids_seen(provider(world, "Alpha"))

    async def test_a_declaration_dated_after_the_provider_stopped_training_the_participant_is_not_visible(self, world):
        assert world.declarations["moved_out_retained_1"] not in await ids_seen(provider(world, "Alpha"))

    async def test_a_declaration_of_a_participant_the_provider_never_trained_is_not_visible(self, world):
        seen = await ids_seen(provider(world, "Alpha"))
        assert world.declarations["beta_only_started"] not in seen
        assert world.declarations["mentor_started"] not in seen

    async def test_a_provider_sees_its_own_declarations_in_every_state(self, world):
        async with read_connection() as conn:
            rows = await list_declarations(conn, provider(world, "Beta"), filters=DeclarationFilters(), page=ALL)
        beta = world.lead_providers["Beta"]
        assert {r.lead_provider_id for r in rows} == {beta}
        assert {r.state for r in rows} == {"paid", "submitted", "voided", "eligible", "payable"}
        assert len(rows) == 7

    async def test_a_provider_that_trains_nobody_sees_nothing(self, world):
        assert await ids_seen(provider(world, "Gamma")) == []

    async def test_an_analyst_sees_every_declaration(self, world):
        assert set(await ids_seen(ANALYST)) == set(world.declarations.values())

    async def test_an_analyst_restricted_to_a_provider_sees_what_that_provider_sees(self, world):
        filters = DeclarationFilters(lead_provider_id=world.lead_providers["Alpha"])
        assert set(await ids_seen(ANALYST, filters)) == world.visible_to_alpha()

    async def test_a_provider_cannot_widen_its_view_with_the_analysts_filter(self, world):
        filters = DeclarationFilters(lead_provider_id=world.lead_providers["Beta"])
        assert set(await ids_seen(provider(world, "Alpha"), filters)) == world.visible_to_alpha()

    async def test_the_list_is_oldest_first(self, world):
        async with read_connection() as conn:
            rows = await list_declarations(conn, ANALYST, filters=DeclarationFilters(), page=ALL)
        assert [r.created_at for r in rows] == sorted(r.created_at for r in rows)

    async def test_pages_cut_the_same_order(self, world):
        everything = await ids_seen(ANALYST)
        first = await ids_seen(ANALYST, page=OffsetPage(number=1, size=4))
        second = await ids_seen(ANALYST, page=OffsetPage(number=2, size=4))
        past_the_end = await ids_seen(ANALYST, page=OffsetPage(number=4, size=4))
        assert first + second == everything[:8]
        assert past_the_end == []

    async def test_rows_carry_what_was_stored(self, world):
        async with read_connection() as conn:
            row = await get_declaration(conn, provider(world, "Alpha"), world.declarations["moved_out_retained_2"])
        assert row.state == DeclarationState.CLAWED_BACK
        assert row.statement_id == world.statements["alpha_january"]
        assert row.clawback_statement_id == world.statements["alpha_april"]
        assert row.participant_id == world.participants["moved_out"]
        assert row.delivery_partner_id == world.delivery_partners["Alpha"]
        assert row.lead_provider_name == "Alpha Training"
        assert row.cohort == 2023
        assert row.declaration_date == datetime(2023, 11, 1, 10, tzinfo=UTC)

    async def test_uplift_paid_follows_the_state_role_and_uplift_flags(self, world):
        async with read_connection() as conn:
            rows = await list_declarations(conn, ANALYST, filters=DeclarationFilters(), page=ALL)
        paid_uplift = {r.id for r in rows if r.uplift_paid}
        # A paid ECT started with an uplift pays it; an eligible one (not paid yet) and a mentor's do not.
        assert paid_uplift == {world.declarations["moved_in_started"], world.declarations["beta_only_started"]}


class TestDeclarationFilters:
    async def test_cohort_filter_keeps_the_declarations_of_those_years(self, world):
        alpha = provider(world, "Alpha")
        assert set(await ids_seen(alpha, DeclarationFilters(cohort_years=[2023, 2024]))) == world.visible_to_alpha()
        assert await ids_seen(alpha, DeclarationFilters(cohort_years=[2024])) == []
        assert await ids_seen(alpha, DeclarationFilters(cohort_years=[])) == []

    async def test_participant_filter_keeps_that_participants_declarations(self, world):
        filters = DeclarationFilters(participant_ids=[world.participants["moved_in"]])
        expected = {world.declarations[n] for n in ("moved_in_started", "moved_in_retained_1", "moved_in_retained_3")}
        assert set(await ids_seen(provider(world, "Alpha"), filters)) == expected

    async def test_participant_filter_cannot_reach_a_participant_the_provider_never_trained(self, world):
        filters = DeclarationFilters(participant_ids=[world.participants["beta_only"]])
        assert await ids_seen(provider(world, "Alpha"), filters) == []

    async def test_delivery_partner_filter_matches_the_partner_captured_on_the_declaration(self, world):
        filters = DeclarationFilters(delivery_partner_ids=[world.delivery_partners["Beta"]])
        expected = {world.declarations[n] for n in ("moved_in_started", "moved_in_retained_1", "moved_out_started")}
        assert set(await ids_seen(provider(world, "Alpha"), filters)) == expected

    async def test_updated_since_is_inclusive(self, world):
        # moved_in_retained_3 and moved_out_retained_1 (hidden from Alpha) were last updated at 2024-03-01 12:00 and 2024-02-15 12:00.
        filters = DeclarationFilters(updated_since=datetime(2024, 3, 1, 12, tzinfo=UTC))
        assert await ids_seen(provider(world, "Alpha"), filters) == [world.declarations["moved_in_retained_3"]]


class TestCountDeclarations:
    async def test_counts_what_the_list_holds(self, world):
        alpha = provider(world, "Alpha")
        filters = DeclarationFilters(cohort_years=[2023])
        async with read_connection() as conn:
            assert await count_declarations(conn, alpha, filters=filters) == len(world.visible_to_alpha())
            assert await count_declarations(conn, ANALYST, filters=DeclarationFilters()) == len(world.declarations)


class TestGetDeclaration:
    async def test_another_providers_visible_declaration_is_found(self, world):
        async with read_connection() as conn:
            row = await get_declaration(conn, provider(world, "Alpha"), world.declarations["moved_in_started"])
        assert row.lead_provider_name == "Beta Training"

    async def test_a_declaration_the_provider_may_not_see_is_not_found(self, world):
        async with read_connection() as conn:
            with pytest.raises(NotFound):
                await get_declaration(conn, provider(world, "Alpha"), world.declarations["beta_only_started"])

    async def test_a_missing_declaration_is_not_found(self, world):
        async with read_connection() as conn:
            with pytest.raises(NotFound):
                await get_declaration(conn, ANALYST, uuid.uuid4())


def _subquery_after(statement: str, opening: str) -> str:
    """The parenthesised subquery of ``statement`` that starts with ``opening``."""
    start = statement.index(opening) + len(opening) - len("(SELECT")
    depth = 0
    for end, char in enumerate(statement[start:], start):
        depth += {"(": 1, ")": -1}.get(char, 0)
        if depth == 0:
            return statement[start : end + 1]
    raise AssertionError("unbalanced subquery")


class TestDeclarationsByParticipant:
    async def test_each_participant_gets_the_declarations_the_caller_sees_oldest_first(self, world):
        keys = [world.participants["moved_in"], world.participants["beta_only"]]
        async with read_connection() as conn:
            found = await declarations_by_participant(conn, provider(world, "Alpha"), keys)
        assert [r.id for r in found[world.participants["moved_in"]]] == [
            world.declarations[n] for n in ("moved_in_started", "moved_in_retained_1", "moved_in_retained_3")
        ]
        assert world.participants["beta_only"] not in found

    async def test_other_providers_declarations_are_looked_for_among_the_asked_declarations_only(self, world, world_db):
        # The arm adding other providers' declarations of the caller's trainees is a condition on each row the
        # statement reads (correlated to it), so its cost follows the batch, not the provider's data, and the
        # batch's declarations are not walked a second time.
        keys = [world.participants["moved_in"]]
        async with read_connection() as conn:
            with StatementCounter(world_db.db.engine) as counter:
                found = await declarations_by_participant(conn, provider(world, "Alpha"), keys)
        [statement] = counter.statements
        arm = _subquery_after(statement, "EXISTS (SELECT")
        assert "training_periods.training_record_id = declarations.training_record_id" in arm
        assert "FROM training_periods, partnerships" in arm
        assert statement.count("FROM declarations") == 1
        assert world.declarations["moved_in_started"] in [r.id for r in found[world.participants["moved_in"]]]

    async def test_a_whole_list_finds_other_providers_declarations_once_from_the_callers_partnerships(
        self, world, world_db
    ):
        # Without a bound, a condition per row would look at every other provider's declaration in the table:
        # the arm is one uncorrelated set, found from the caller's partnerships.
        async with read_connection() as conn:
            with StatementCounter(world_db.db.engine) as counter:
                rows = await list_declarations(conn, provider(world, "Alpha"), filters=DeclarationFilters(), page=ALL)
        [statement] = counter.statements
        arm = _subquery_after(statement, "declarations.id IN (SELECT")
        assert "FROM partnerships, training_periods, declarations" in arm
        assert "EXISTS" not in statement
        assert world.declarations["moved_in_started"] in [r.id for r in rows]


class TestDeclarationsByStatement:
    async def test_a_statement_holds_the_declarations_paid_or_clawed_back_on_it(self, world):
        keys = [world.statements["alpha_january"], world.statements["alpha_april"], world.statements["beta_january"]]
        async with read_connection() as conn:
            found = await declarations_by_statement(conn, provider(world, "Alpha"), keys)
        assert [r.id for r in found[world.statements["alpha_january"]]] == [world.declarations["moved_out_retained_2"]]
        assert [r.id for r in found[world.statements["alpha_april"]]] == [
            world.declarations["moved_out_retained_2"],
            world.declarations["moved_in_retained_3"],
        ]
        # Beta's statement holds one declaration Alpha may see (the moved-in ECT's started) and two it may not.
        assert [r.id for r in found[world.statements["beta_january"]]] == [world.declarations["moved_in_started"]]
