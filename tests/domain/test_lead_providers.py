"""Lead providers: a provider sees itself; analysts see every provider; relations reach any provider."""

from __future__ import annotations

from gateway.db.engine import read_connection
from gateway.domain.callers import Caller
from gateway.domain.lead_providers import lead_providers_by_id, list_lead_providers
from gateway.vocabulary import Role
from tests.fixtures.declaration_world import World


def provider(w: World, name: str) -> Caller:
    return Caller(
        role=Role.LEAD_PROVIDER, lead_provider_id=w.lead_providers[name], lead_provider_name=f"{name} Training"
    )


class TestListLeadProviders:
    async def test_a_provider_sees_only_itself(self, world):
        async with read_connection() as conn:
            rows = await list_lead_providers(conn, provider(world, "Beta"))
        assert [(r.id, r.name) for r in rows] == [(world.lead_providers["Beta"], "Beta Training")]

    async def test_an_analyst_sees_every_provider_by_name(self, world):
        async with read_connection() as conn:
            rows = await list_lead_providers(conn, Caller(role=Role.ANALYST))
        assert [r.name for r in rows] == ["Alpha Training", "Beta Training", "Gamma Training"]


class TestLeadProvidersById:
    async def test_relations_reach_any_provider(self, world):
        keys = list(world.lead_providers.values())
        async with read_connection() as conn:
            found = await lead_providers_by_id(conn, provider(world, "Alpha"), keys)
        assert set(found) == set(keys)

    async def test_visible_only_keeps_the_callers_own(self, world):
        keys = list(world.lead_providers.values())
        async with read_connection() as conn:
            found = await lead_providers_by_id(conn, provider(world, "Alpha"), keys, visible_only=True)
        assert set(found) == {world.lead_providers["Alpha"]}
