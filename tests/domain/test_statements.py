"""Which statements a caller sees (domain.md section 7), filtered, ordered and looked up."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import pytest

from gateway.db.engine import read_connection
from gateway.domain.callers import Caller
from gateway.domain.errors import NotFound
from gateway.domain.paging import OffsetPage
from gateway.domain.statements import (
    StatementFilters,
    count_statements,
    get_statement,
    list_statements,
    statements_by_id,
    statements_by_lead_provider,
)
from gateway.vocabulary import Role
from tests.fixtures.declaration_world import World

ALL = OffsetPage(size=3000)
ANALYST = Caller(role=Role.ANALYST)


def provider(w: World, name: str) -> Caller:
    return Caller(
        role=Role.LEAD_PROVIDER, lead_provider_id=w.lead_providers[name], lead_provider_name=f"{name} Training"
    )


async def ids_seen(caller: Caller, filters: StatementFilters = StatementFilters(), page=ALL) -> list[uuid.UUID]:
    async with read_connection() as conn:
        return [row.id for row in await list_statements(conn, caller, filters=filters, page=page)]


class TestListStatements:
    async def test_a_provider_sees_its_own_output_fee_statements_by_payment_date(self, world):
        assert await ids_seen(provider(world, "Alpha")) == [
            world.statements["alpha_january"],
            world.statements["alpha_april"],
        ]

    async def test_a_provider_without_statements_sees_none(self, world):
        assert await ids_seen(provider(world, "Gamma")) == []

    async def test_an_analyst_sees_every_statement_including_those_without_output_fees(self, world):
        assert set(await ids_seen(ANALYST)) == set(world.statements.values())

    async def test_an_analyst_can_restrict_to_one_provider(self, world):
        filters = StatementFilters(lead_provider_id=world.lead_providers["Beta"])
        assert await ids_seen(ANALYST, filters) == [world.statements["beta_january"]]

    async def test_the_ecf_type_keeps_every_statement_and_any_other_type_none(self, world):
        alpha = provider(world, "Alpha")
        assert await ids_seen(alpha, StatementFilters(types=["ecf"])) == await ids_seen(alpha)
        assert await ids_seen(alpha, StatementFilters(types=["npq"])) == []
        assert await ids_seen(alpha, StatementFilters(types=[])) == []

    async def test_cohort_filter_keeps_the_statements_of_those_years(self, world):
        alpha = provider(world, "Alpha")
        assert len(await ids_seen(alpha, StatementFilters(cohort_years=[2023]))) == 2
        assert await ids_seen(alpha, StatementFilters(cohort_years=[2022])) == []

    async def test_updated_since_is_inclusive(self, world):
        async with read_connection() as conn:
            rows = await list_statements(conn, provider(world, "Alpha"), filters=StatementFilters(), page=ALL)
        latest = max(r.updated_at for r in rows)
        assert set(await ids_seen(provider(world, "Alpha"), StatementFilters(updated_since=latest))) == {
            r.id for r in rows if r.updated_at >= latest
        }
        later = StatementFilters(updated_since=datetime(2999, 1, 1, tzinfo=UTC))
        assert await ids_seen(provider(world, "Alpha"), later) == []

    async def test_rows_carry_the_published_values(self, world):
        async with read_connection() as conn:
            paid = await get_statement(conn, provider(world, "Alpha"), world.statements["alpha_january"])
            open_ = await get_statement(conn, provider(world, "Alpha"), world.statements["alpha_april"])
        assert (paid.month_name, paid.year, paid.cohort, paid.type, paid.paid) == ("January", 2024, 2023, "ecf", True)
        assert (open_.month_name, open_.paid, open_.status) == ("April", False, "open")
        assert str(open_.payment_date) == "2024-04-25"


class TestCountStatements:
    async def test_counts_what_the_list_holds(self, world):
        async with read_connection() as conn:
            assert await count_statements(conn, provider(world, "Alpha"), filters=StatementFilters()) == 2
            assert await count_statements(conn, ANALYST, filters=StatementFilters()) == len(world.statements)


class TestGetStatement:
    async def test_another_providers_statement_is_not_found(self, world):
        async with read_connection() as conn:
            with pytest.raises(NotFound):
                await get_statement(conn, provider(world, "Alpha"), world.statements["beta_january"])

    async def test_a_statement_without_output_fees_is_not_found_by_its_provider(self, world):
        async with read_connection() as conn:
            with pytest.raises(NotFound):
                await get_statement(conn, provider(world, "Alpha"), world.statements["alpha_february"])

    async def test_an_analyst_finds_any_statement(self, world):
        async with read_connection() as conn:
            row = await get_statement(conn, ANALYST, world.statements["alpha_february"])
        assert row.output_fee is False


class TestStatementLookups:
    async def test_by_id_returns_only_visible_statements(self, world):
        keys = [world.statements["alpha_january"], world.statements["beta_january"]]
        async with read_connection() as conn:
            found = await statements_by_id(conn, provider(world, "Alpha"), keys)
        assert set(found) == {world.statements["alpha_january"]}

    async def test_by_lead_provider_lists_each_providers_visible_statements(self, world):
        keys = [world.lead_providers["Alpha"], world.lead_providers["Beta"]]
        async with read_connection() as conn:
            as_alpha = await statements_by_lead_provider(conn, provider(world, "Alpha"), keys)
            as_analyst = await statements_by_lead_provider(conn, ANALYST, keys)
        assert [r.id for r in as_alpha[world.lead_providers["Alpha"]]] == [
            world.statements["alpha_january"],
            world.statements["alpha_april"],
        ]
        assert world.lead_providers["Beta"] not in as_alpha
        assert len(as_analyst[world.lead_providers["Alpha"]]) == 3
        assert [r.id for r in as_analyst[world.lead_providers["Beta"]]] == [world.statements["beta_january"]]
